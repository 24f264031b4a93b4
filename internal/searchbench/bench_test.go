package searchbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/indexer"
	"gongkai/internal/catalog"
	"gongkai/internal/demo"
	"gongkai/internal/files"
	"gongkai/internal/ingest"
	"gongkai/internal/sanitize"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// query is one search of the fixed mix.
type query struct {
	kind    string
	text    string
	phrase  bool
	filters [][2]string // facet, value
}

func (q query) apiURL(base string) string {
	v := url.Values{}
	if q.text != "" {
		t := q.text
		if q.phrase {
			t = `"` + t + `"`
		}
		v.Set("q", t)
	} else {
		v.Set("sort", "date")
	}
	for _, f := range q.filters {
		v.Add(f[0], f[1])
	}
	return base + "/api/v1/search?" + v.Encode()
}

func (q query) groongaQuery() string {
	if q.phrase || q.kind == "docno" {
		return `"` + strings.ReplaceAll(q.text, `"`, `\"`) + `"`
	}
	return q.text
}

// BenchmarkSearchVsGroonga builds both indexes over the same generated
// entries (GONGKAI_BENCH_ENTRIES, default 200,000) and compares build rate,
// search latency over HTTP for a fixed mix with all six facets, and the
// lag from publishing an entry to finding it.
func BenchmarkSearchVsGroonga(b *testing.B) {
	bin := groongaBinary()
	if bin == "" {
		b.Skip("groonga is not installed (apt-get install groonga-bin)")
	}
	n := 200000
	if s := os.Getenv("GONGKAI_BENCH_ENTRIES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	dir := b.TempDir()
	t0 := time.Now()
	if _, err := demo.Generate(ctx, dir, demo.Options{Seed: 11, Entries: n, DatasetRows: 100, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	st := storetest.SQLite(b)
	fs, err := files.New(filepath.Join(dir, "files-store"))
	if err != nil {
		b.Fatal(err)
	}
	im := ingest.New(st, fs)
	for _, kind := range []string{"units", "entries"} {
		var rep *ingest.Report
		if kind == "units" {
			rep, err = im.Units(ctx, filepath.Join(dir, "units.jsonl"), ingest.Options{})
		} else {
			rep, err = im.Entries(ctx, filepath.Join(dir, "entries.jsonl"), ingest.Options{})
		}
		if err != nil || !rep.OK() {
			b.Fatalf("import %s: %v %v", kind, err, rep)
		}
	}
	published, _ := st.EntryCount(ctx, catalog.StatusPublished)
	b.Logf("generated and imported %d entries (%d published) in %.1fs", n, published, time.Since(t0).Seconds())

	// Our index: a full rebuild from the store.
	ix, err := indexer.Open(ctx, indexer.Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs, PollInterval: 100 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { ix.Close() }() // the index is reopened below
	start := time.Now()
	if err := ix.Rebuild(ctx, nil); err != nil {
		b.Fatal(err)
	}
	ourBuild := time.Since(start)

	// Groonga: the same text from the same file.
	cmds := filepath.Join(dir, "groonga.grn")
	mix, err := prepare(filepath.Join(dir, "entries.jsonl"), cmds)
	if err != nil {
		b.Fatal(err)
	}
	g := &groonga{bin: bin, db: filepath.Join(dir, "groonga", "db")}
	os.MkdirAll(filepath.Dir(g.db), 0o755)
	grnBuild, err := g.build(ctx, cmds)
	if err != nil {
		b.Fatal(err)
	}
	if err := g.serve(ctx); err != nil {
		b.Fatal(err)
	}
	defer g.stop()

	srv := httptest.NewServer(portal.New(portal.Deps{Store: st, Files: fs, Index: ix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	client := &http.Client{Timeout: 10 * time.Second}

	// Both engines keep the answers of repeated queries until the index
	// changes (Groonga's query cache, our result cache), and the mix asks
	// every query thirteen times: measured as configured, then with both
	// caches off, which is the work of the search itself.
	oursCached := measure(b, client, mix, func(q query) string { return q.apiURL(srv.URL) })
	theirsCached := measure(b, client, mix, g.selectURL)
	srv.Close()
	ix.Close()
	if ix, err = indexer.Open(ctx, indexer.Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs, PollInterval: 100 * time.Millisecond, CacheSize: -1}); err != nil {
		b.Fatal(err)
	}
	srv = httptest.NewServer(portal.New(portal.Deps{Store: st, Files: fs, Index: ix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()
	if err := g.disableCache(); err != nil {
		b.Fatal(err)
	}
	ours := measure(b, client, mix, func(q query) string { return q.apiURL(srv.URL) })
	theirs := measure(b, client, mix, g.selectURL)

	// Publish → searchable, with the follower running as in serve.
	runCtx, stop := context.WithCancel(ctx)
	go ix.Run(runCtx)
	lags := publishLag(b, st, ix, 40)
	stop()

	ourRate := float64(published) / ourBuild.Seconds()
	grnRate := float64(published) / grnBuild.Seconds()
	b.ReportMetric(ourRate, "our_build_docs/s")
	b.ReportMetric(grnRate, "groonga_build_docs/s")
	b.ReportMetric(ourRate/grnRate, "build_ratio")
	b.ReportMetric(ms(pct(ours.all, 50)), "our_p50_ms")
	b.ReportMetric(ms(pct(ours.all, 99)), "our_p99_ms")
	b.ReportMetric(ms(pct(theirs.all, 50)), "groonga_p50_ms")
	b.ReportMetric(ms(pct(theirs.all, 99)), "groonga_p99_ms")
	b.ReportMetric(ms(pct(lags, 99)), "lag_p99_ms")
	b.ReportMetric(ms(pct(oursCached.all, 50)), "our_cached_p50_ms")
	b.ReportMetric(ms(pct(oursCached.all, 99)), "our_cached_p99_ms")

	var report strings.Builder
	fmt.Fprintf(&report, "\nsearch benchmark: %d published entries (same text in both engines)\n", published)
	fmt.Fprintf(&report, "  index build       ours %8.0f docs/s (%.1fs)   groonga %8.0f docs/s (%.1fs)   ratio %.2f\n", ourRate, ourBuild.Seconds(), grnRate, grnBuild.Seconds(), ourRate/grnRate)
	fmt.Fprintf(&report, "  %-12s %10s %10s %12s %12s %12s %12s\n", "query kind", "ours p50", "ours p99", "groonga p50", "groonga p99", "ours hits", "groonga hits")
	for _, k := range kinds {
		fmt.Fprintf(&report, "  %-12s %8.1fms %8.1fms %10.1fms %10.1fms %12d %12d\n", k, ms(pct(ours.byKind[k], 50)), ms(pct(ours.byKind[k], 99)), ms(pct(theirs.byKind[k], 50)), ms(pct(theirs.byKind[k], 99)), ours.hits[k], theirs.hits[k])
	}
	fmt.Fprintf(&report, "  %-12s %8.1fms %8.1fms %10.1fms %10.1fms   (all six facets on every query; caches off)\n", "all", ms(pct(ours.all, 50)), ms(pct(ours.all, 99)), ms(pct(theirs.all, 50)), ms(pct(theirs.all, 99)))
	fmt.Fprintf(&report, "  %-12s %8.1fms %8.1fms %10.1fms %10.1fms   (each engine's result cache on, as shipped)\n", "all cached", ms(pct(oursCached.all, 50)), ms(pct(oursCached.all, 99)), ms(pct(theirsCached.all, 50)), ms(pct(theirsCached.all, 99)))
	for _, f := range append(oursCached.failed, ours.failed...) {
		fmt.Fprintf(&report, "  ours failed:    %s\n", f)
	}
	for _, f := range append(theirsCached.failed, theirs.failed...) {
		fmt.Fprintf(&report, "  groonga failed: %s\n", f)
	}
	fmt.Fprintf(&report, "  publish → searchable lag: p50 %.0fms, p99 %.0fms over %d publishes\n", ms(pct(lags, 50)), ms(pct(lags, 99)), len(lags))
	fmt.Print(report.String())
	for b.Loop() {
	}
}

var kinds = []string{"one-word", "two-word", "phrase", "docno", "filtered", "facets"}

type timings struct {
	all    []time.Duration
	byKind map[string][]time.Duration
	hits   map[string]int // hits found per query kind (first round), to show both engines answer alike
	failed []string       // queries answered with an error status (a timeout is a 503)
}

// measure runs the mix three times to warm up, then ten times timed.
func measure(b *testing.B, c *http.Client, mix []query, urlOf func(query) string) timings {
	t := timings{byKind: map[string][]time.Duration{}, hits: map[string]int{}}
	for round := range 13 {
		for _, q := range mix {
			start := time.Now()
			resp, err := c.Get(urlOf(q))
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			d := time.Since(start)
			if round == 0 {
				t.hits[q.kind] += totalOf(body)
			}
			if resp.StatusCode != 200 {
				t.failed = append(t.failed, fmt.Sprintf("%s %q: status %d", q.kind, q.text, resp.StatusCode))
			}
			if round >= 3 {
				t.all = append(t.all, d)
				t.byKind[q.kind] = append(t.byKind[q.kind], d)
			}
		}
	}
	return t
}

// publishLag publishes entries one at a time and waits until each is found.
func publishLag(b *testing.B, st *store.Store, ix *indexer.Index, count int) []time.Duration {
	ctx := context.Background()
	units, _ := st.Units(ctx)
	var lags []time.Duration
	for i := range count {
		marker := fmt.Sprintf("测速标记%s", strconv.Itoa(100000+i))
		now := time.Now()
		e := catalog.Entry{ID: fmt.Sprintf("lag-%d-%d", now.UnixNano(), i), Unit: units[0].Code, Column: "tzgg",
			Title: "关于" + marker + "的通知", Status: catalog.StatusPublished, PublishedAt: &now,
			BodyText: "基准测试正文", Keywords: []string{}}
		start := time.Now()
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: e.ID}}); err != nil {
			b.Fatal(err)
		}
		for {
			res, err := ix.Search(ctx, indexer.Request{Q: marker, Size: 1, Page: 1})
			if err == nil && res.Total > 0 {
				break
			}
			if time.Since(start) > 30*time.Second {
				b.Fatalf("entry %s not searchable after 30s", e.ID)
			}
			time.Sleep(5 * time.Millisecond)
		}
		lags = append(lags, time.Since(start))
		time.Sleep(time.Duration(rand.IntN(50)) * time.Millisecond)
	}
	return lags
}

// prepare writes Groonga's command file from the entries file and picks
// the query mix from the same data, deterministically.
func prepare(entries, commands string) ([]query, error) {
	policy := sanitize.New()
	attText := map[string]string{} // attachment file → its text
	var words, docNos, titles []string
	unitCount := map[string]int{}
	err := writeCommands(commands, func(emit func(groongaDoc) error) error {
		f, err := os.Open(entries)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		i := 0
		for sc.Scan() {
			var in catalog.EntryInput
			if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
				return err
			}
			if in.Status != "" && in.Status != catalog.StatusPublished {
				continue
			}
			pub, _ := catalog.ParseTime(in.PublishedAt)
			body := in.BodyText
			if in.BodyHTML != "" {
				body = policy.Text(in.BodyHTML)
			}
			// Attachments' text, as the index takes it.
			for _, a := range in.Attachments {
				t, ok := attText[a.File]
				if !ok {
					data, err := os.ReadFile(filepath.Join(filepath.Dir(entries), a.File))
					if err != nil {
						return err
					}
					t = indexer.AttachmentText(a.Name, data)
					attText[a.File] = t
				}
				if t != "" {
					body += "\n" + t
				}
			}
			d := groongaDoc{Key: in.ID, Title: in.Title, Body: body + "\n" + in.Summary + "\n" + strings.Join(in.Keywords, " "),
				DocNo: in.DocNo, Unit: in.Unit, Col: in.Column, Topic: in.Topic, DocType: in.DocType,
				Year: strconv.Itoa(pub.In(catalog.Shanghai).Year()), Validity: in.Validity, Pub: pub.Unix()}
			if err := emit(d); err != nil {
				return err
			}
			i++
			unitCount[in.Unit]++
			if i%97 == 0 && len(in.Keywords) > 0 {
				words = append(words, in.Keywords[0])
			}
			if i%89 == 0 && in.DocNo != "" {
				docNos = append(docNos, in.DocNo)
			}
			if i%101 == 0 {
				titles = append(titles, in.Title)
			}
		}
		return sc.Err()
	})
	if err != nil {
		return nil, err
	}
	words = dedupe(words)
	busiest := ""
	for u, c := range unitCount {
		if busiest == "" || c > unitCount[busiest] || (c == unitCount[busiest] && u < busiest) {
			busiest = u
		}
	}
	var mix []query
	for i := range 10 {
		w := words[i*7%len(words)]
		w2 := words[(i*7+3)%len(words)]
		title := []rune(titles[i*5%len(titles)])
		phrase := string(title[min(2, len(title)-1):min(8, len(title))])
		mix = append(mix,
			query{kind: "one-word", text: w},
			query{kind: "two-word", text: w + " " + w2},
			query{kind: "phrase", text: phrase, phrase: true},
			query{kind: "docno", text: docNos[i*3%len(docNos)]},
			query{kind: "filtered", text: w, filters: [][2]string{{"unit", busiest}, {"year", strconv.Itoa(2019 + i%7)}}},
			query{kind: "facets", filters: [][2]string{{"year", strconv.Itoa(2018 + i%8)}, {"validity", "有效"}}},
		)
	}
	return mix, nil
}

// totalOf reads the hit count of a search API answer ({"total": N}) or of
// a Groonga select ([[status…], [[[N], …]…]]).
func totalOf(body []byte) int {
	var api struct {
		Total int `json:"total"`
	}
	if json.Unmarshal(body, &api) == nil {
		return api.Total
	}
	var grn []json.RawMessage
	if json.Unmarshal(body, &grn) != nil || len(grn) < 2 {
		return 0
	}
	var res [][]json.RawMessage
	if json.Unmarshal(grn[1], &res) != nil || len(res) == 0 || len(res[0]) == 0 {
		return 0
	}
	var n []int
	if json.Unmarshal(res[0][0], &n) != nil || len(n) == 0 {
		return 0
	}
	return n[0]
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
