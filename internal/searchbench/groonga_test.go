package searchbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// groonga drives the machine's groonga binary: a database built from a
// command file, then served over HTTP for the query mix.
type groonga struct {
	bin, db string
	cmd     *exec.Cmd
	base    string
}

// groongaDoc is one entry as loaded into Groonga: the same text the
// search index gets (title, body text, 文号) and the six facet fields.
type groongaDoc struct {
	Key      string `json:"_key"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	DocNo    string `json:"doc_no"`
	Unit     string `json:"unit"`
	Col      string `json:"col"`
	Topic    string `json:"topic"`
	DocType  string `json:"doc_type"`
	Year     string `json:"year"`
	Validity string `json:"validity"`
	Pub      int64  `json:"pub"`
}

// writeCommands writes the schema, the load and the index columns.
// Indexes are created after the load (Groonga's fast offline build), so
// the baseline is Groonga at its best.
func writeCommands(path string, docs func(func(groongaDoc) error) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "table_create Entries TABLE_HASH_KEY ShortText")
	for _, c := range []string{"title ShortText", "body LongText", "doc_no ShortText", "unit ShortText", "col ShortText",
		"topic ShortText", "doc_type ShortText", "year ShortText", "validity ShortText", "pub Time"} {
		name, typ, _ := strings.Cut(c, " ")
		fmt.Fprintf(w, "column_create Entries %s COLUMN_SCALAR %s\n", name, typ)
	}
	fmt.Fprintln(w, "load --table Entries")
	fmt.Fprintln(w, "[")
	first := true
	enc := json.NewEncoder(w)
	err = docs(func(d groongaDoc) error {
		if !first {
			w.WriteString(",")
		}
		first = false
		return enc.Encode(d)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "]")
	fmt.Fprintln(w, "table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram --normalizer NormalizerAuto")
	fmt.Fprintln(w, "column_create Terms entries_title COLUMN_INDEX|WITH_POSITION Entries title")
	fmt.Fprintln(w, "column_create Terms entries_body COLUMN_INDEX|WITH_POSITION Entries body")
	fmt.Fprintln(w, "column_create Terms entries_doc_no COLUMN_INDEX|WITH_POSITION Entries doc_no")
	for _, c := range []string{"unit", "col", "topic", "doc_type", "year", "validity"} {
		fmt.Fprintf(w, "table_create Key_%s TABLE_HASH_KEY ShortText\n", c)
		fmt.Fprintf(w, "column_create Key_%s idx COLUMN_INDEX Entries %s\n", c, c)
	}
	return w.Flush()
}

// build creates the database from the command file and returns the time
// it took.
func (g *groonga) build(ctx context.Context, commands string) (time.Duration, error) {
	in, err := os.Open(commands)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	cmd := exec.CommandContext(ctx, g.bin, "-n", g.db)
	cmd.Stdin = in
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("groonga build: %v: %s", err, tail(out.String()))
	}
	elapsed := time.Since(start)
	if strings.Contains(out.String(), `"error"`) || strings.Contains(out.String(), "[-") {
		return 0, fmt.Errorf("groonga build reported an error: %s", tail(out.String()))
	}
	return elapsed, nil
}

// serve starts Groonga's HTTP server on a free loopback port.
func (g *groonga) serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	g.cmd = exec.CommandContext(ctx, g.bin, "--protocol", "http", "-s", "--bind-address", "127.0.0.1", "--port", strconv.Itoa(port), g.db)
	if err := g.cmd.Start(); err != nil {
		return err
	}
	g.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	for range 100 {
		resp, err := http.Get(g.base + "/d/status")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("groonga http server did not start on %s", g.base)
}

// cacheLimit sets the number of answers Groonga's query cache keeps (0
// turns it off and empties it).
func (g *groonga) cacheLimit(n int) error {
	resp, err := http.Get(g.base + "/d/cache_limit?max=" + strconv.Itoa(n))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("groonga cache_limit: status %d", resp.StatusCode)
	}
	return nil
}

func (g *groonga) stop() {
	if g.cmd != nil && g.cmd.Process != nil {
		g.cmd.Process.Kill()
		g.cmd.Wait()
	}
}

// selectURL is the select of one query of the mix, with the same six
// drilldowns the search API returns.
func (g *groonga) selectURL(q query) string {
	v := url.Values{}
	v.Set("table", "Entries")
	v.Set("output_columns", "_key,title,unit,col,pub")
	v.Set("limit", "20")
	v.Set("drilldown", "unit,col,topic,doc_type,year,validity")
	v.Set("drilldown_limit", "200")
	if q.text != "" {
		v.Set("match_columns", "title*10||body||doc_no*20")
		v.Set("query", q.groongaQuery())
	} else {
		v.Set("sort_keys", "-pub")
	}
	var filters []string
	for _, f := range q.filters {
		filters = append(filters, fmt.Sprintf("%s == %q", groongaColumn(f[0]), f[1]))
	}
	if len(filters) > 0 {
		v.Set("filter", strings.Join(filters, " && "))
	}
	return g.base + "/d/select?" + v.Encode()
}

func groongaColumn(facet string) string {
	if facet == "column" {
		return "col"
	}
	return facet
}

func tail(s string) string {
	if len(s) > 800 {
		return "…" + s[len(s)-800:]
	}
	return s
}

// groongaBinary finds groonga, or "" when the machine has none.
func groongaBinary() string {
	for _, p := range []string{"/usr/bin/groonga", "/usr/local/bin/groonga"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("groonga"); err == nil {
		return p
	}
	return ""
}
