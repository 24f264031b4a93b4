package relevance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/indexer"
	"gongkai/internal/demo"
	"gongkai/internal/files"
	"gongkai/internal/ingest"
	"gongkai/internal/store"
	"gongkai/portal"
)

// demoNow fixes "today" of the generated catalog, so that entry ids, and
// with them the labels, stay the same from run to run.
var demoNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const queriesFile = "testdata/queries.jsonl"

var generated struct {
	once sync.Once
	dir  string
	err  error
}

// demoDir generates the default demo data set (seed 1, 10,500 entries,
// attachments) once per test binary.
func demoDir(tb testing.TB) string {
	generated.once.Do(func() {
		generated.dir, generated.err = os.MkdirTemp("", "relevance-demo-")
		if generated.err != nil {
			return
		}
		_, generated.err = demo.Generate(context.Background(), generated.dir,
			demo.Options{Seed: demo.DefaultSeed, Attachments: true, DatasetRows: 10, Now: demoNow})
	})
	if generated.err != nil {
		tb.Fatalf("generate demo: %v", generated.err)
	}
	return generated.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if generated.dir != "" {
		os.RemoveAll(generated.dir)
	}
	os.Exit(code)
}

// bench is a store filled with the demo data, its index, the search API
// over HTTP and the judge's view of the same entries.
type bench struct {
	url    string
	client *http.Client
	corpus *Corpus
}

func newBench(tb testing.TB, st *store.Store) *bench {
	tb.Helper()
	ctx := context.Background()
	t0 := time.Now()
	dir := demoDir(tb)
	tb.Logf("demo data: %.1fs", time.Since(t0).Seconds())
	t0 = time.Now()
	fs, err := files.New(filepath.Join(tb.TempDir(), "files"))
	if err != nil {
		tb.Fatal(err)
	}
	im := ingest.New(st, fs)
	if err := im.Catalog(ctx, dir); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("import: %.1fs", time.Since(t0).Seconds())
	t0 = time.Now()
	// GONGKAI_INDEX_SHARDS, as for serve: the judged set holds however
	// the index is split.
	shards, _ := strconv.Atoi(os.Getenv("GONGKAI_INDEX_SHARDS"))
	ix, err := indexer.Open(ctx, indexer.Options{Dir: filepath.Join(tb.TempDir(), "index"), Store: st, Files: fs, Shards: shards})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(ctx, nil); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("index: %.1fs", time.Since(t0).Seconds())
	t0 = time.Now()
	corpus, err := LoadCorpus(ctx, st, fs)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("judge's corpus: %.1fs", time.Since(t0).Seconds())
	srv := httptest.NewServer(portal.New(portal.Deps{Store: st, Files: fs, Index: ix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	tb.Cleanup(srv.Close)
	return &bench{url: srv.URL, client: &http.Client{Timeout: 30 * time.Second}, corpus: corpus}
}

// answer is the part of a search API answer the harness reads. The
// fields marked optional are read when the engine sends them.
type answer struct {
	Total      int     `json:"total"`
	Suggestion *string `json:"suggestion"`
	Corrected  bool    `json:"corrected"` // optional
	Hits       []struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Boundary bool   `json:"boundary"` // optional
	} `json:"hits"`
	Facets map[string][]struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	} `json:"facets"`
	Relaxed []struct {
		Param string `json:"param"`
		Count int    `json:"count"`
	} `json:"relaxed"` // optional for q
}

const topK = 10

func (b *bench) search(q string) (*answer, error) {
	v := url.Values{"q": {q}, "size": {fmt.Sprint(topK)}}
	resp, err := b.client.Get(b.url + "/api/v1/search?" + v.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// kindStats adds up the figures of one kind of query.
type kindStats struct {
	n                                     int
	success, ndcg                         float64
	traps, boundaryFlags                  int
	suggestRight, facetExact, emptyNoHits int
	corrected, relaxedQ                   int
}

// outcome is what one query got.
type outcome struct {
	q      *Query
	ok     bool    // the query meets its target
	score  float64 // success@1, nDCG@10, suggestion right… as a number
	detail string  // what it got and what was expected
}

// report is the result of asking the whole labelled set.
type report struct {
	stats    map[string]*kindStats
	outcomes []outcome
	labels   []string // problems of the labelled set itself
}

func (b *bench) run(tb testing.TB, qs []Query) *report {
	t0 := time.Now()
	defer func() { tb.Logf("%d queries: %.1fs", len(qs), time.Since(t0).Seconds()) }()
	rep := &report{stats: map[string]*kindStats{}}
	for _, k := range Kinds {
		rep.stats[k] = &kindStats{}
	}
	for i := range qs {
		q := &qs[i]
		j := b.corpus.Judge(q)
		for _, p := range j.Problems {
			rep.labels = append(rep.labels, fmt.Sprintf("%s %q: %s", q.Kind, q.Q, p))
		}
		a, err := b.search(q.Q)
		if err != nil {
			tb.Errorf("%s %q: %v", q.Kind, q.Q, err)
			continue
		}
		rep.outcomes = append(rep.outcomes, b.score(q, &j, a, rep.stats[q.Kind]))
	}
	return rep
}

// score measures one answer against the judgement.
func (b *bench) score(q *Query, j *Judgement, a *answer, s *kindStats) outcome {
	s.n++
	if a.Corrected {
		s.corrected++
	}
	for _, r := range a.Relaxed {
		if r.Param == "q" {
			s.relaxedQ++
		}
	}
	o := outcome{q: q}
	rel := make([]bool, len(a.Hits))
	for i, h := range a.Hits {
		rel[i] = j.Relevant[h.ID]
		if h.Boundary {
			s.boundaryFlags++
		}
	}
	switch q.Kind {
	case KindDocNo, KindTitle, KindAttachment:
		if len(rel) > 0 && rel[0] {
			o.score, o.ok = 1, true
		}
		s.success += o.score
		o.detail = fmt.Sprintf("want first %v; got %s", sortedIDs(j.Relevant, 5), b.hitList(a, j, 3))
	case KindPhrase, KindWord, KindAbbreviation, KindPinyin:
		o.score = NDCG(rel, len(j.Relevant), topK)
		s.ndcg += o.score
		o.ok = o.score >= ndcgTarget
		var trapHits []string
		for _, h := range a.Hits {
			if j.Traps[h.ID] {
				trapHits = append(trapHits, h.ID+" ("+b.trapContext(h.ID, q)+")")
			}
		}
		s.traps += len(trapHits)
		if len(trapHits) > 0 {
			o.ok = false
		}
		if len(trapHits) > 4 {
			trapHits = append(trapHits[:4], fmt.Sprintf("… %d more", len(trapHits)-4))
		}
		o.detail = fmt.Sprintf("nDCG@10 %.3f; %d relevant (e.g. %v), %d trap entries; total %d; top: %s",
			o.score, len(j.Relevant), sortedIDs(j.Relevant, 3), len(j.Traps), a.Total, b.hitList(a, j, topK))
		if len(trapHits) > 0 {
			o.detail += "; traps in top 10: " + strings.Join(trapHits, ", ")
		}
	case KindTypo:
		got := "null"
		if a.Suggestion != nil {
			got = *a.Suggestion
			if got == q.Want {
				o.score, o.ok = 1, true
			}
		}
		s.suggestRight += int(o.score)
		o.detail = fmt.Sprintf("want suggestion %q; got %s (total %d, corrected %v)", q.Want, quoteOrNull(a.Suggestion), a.Total, a.Corrected)
	case KindFacet:
		var diffs []string
		if a.Total != len(j.Relevant) {
			diffs = append(diffs, fmt.Sprintf("total %d, judge %d", a.Total, len(j.Relevant)))
		}
		for _, f := range indexer.FacetFields {
			got := map[string]int{}
			for _, v := range a.Facets[f] {
				if v.Count > 0 {
					got[v.Value] = v.Count
				}
			}
			for _, v := range union(got, j.Facets[f]) {
				if got[v] != j.Facets[f][v] {
					diffs = append(diffs, fmt.Sprintf("%s=%s %d, judge %d", f, v, got[v], j.Facets[f][v]))
				}
			}
		}
		if len(diffs) == 0 {
			o.score, o.ok = 1, true
			s.facetExact++
		}
		if len(diffs) > 8 {
			diffs = append(diffs[:8], fmt.Sprintf("… %d more", len(diffs)-8))
		}
		o.detail = "counts differ: " + strings.Join(diffs, "; ")
		if !o.ok {
			o.detail += "; " + b.facetDiff(q, j)
		}
	case KindNoHit:
		if a.Total == 0 && len(a.Hits) == 0 {
			o.score, o.ok = 1, true
			s.emptyNoHits++
		}
		o.detail = fmt.Sprintf("want nothing; got total %d (suggestion %s, corrected %v): %s", a.Total, quoteOrNull(a.Suggestion), a.Corrected, b.hitList(a, j, 3))
	}
	return o
}

// hitList describes the first n hits: id, title and whether the judge
// calls it relevant (+), a trap (!) or neither (-).
func (b *bench) hitList(a *answer, j *Judgement, n int) string {
	if len(a.Hits) == 0 {
		return "no hits"
	}
	var parts []string
	for i, h := range a.Hits {
		if i == n {
			break
		}
		mark := "-"
		switch {
		case j.Relevant[h.ID]:
			mark = "+"
		case j.Traps[h.ID]:
			mark = "!"
		}
		parts = append(parts, fmt.Sprintf("%d%s%s %s", i+1, mark, h.ID, clip(h.Title, 24)))
	}
	return strings.Join(parts, " | ")
}

// facetDiff pages through every hit of a facet query and names entries
// found but not holding the term, and entries holding it but not found,
// with where the term (or its first character) stands.
func (b *bench) facetDiff(q *Query, j *Judgement) string {
	found := map[string]bool{}
	after := ""
	for page := 0; page < 100; page++ {
		v := url.Values{"q": {q.Q}, "size": {"100"}, "sort": {"date"}}
		if after != "" {
			v.Set("after", after)
		}
		resp, err := b.client.Get(b.url + "/api/v1/search?" + v.Encode())
		if err != nil {
			return err.Error()
		}
		var a struct {
			Hits []struct {
				ID string `json:"id"`
			} `json:"hits"`
			Next *string `json:"next"`
		}
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil {
			return err.Error()
		}
		for _, h := range a.Hits {
			found[h.ID] = true
		}
		if a.Next == nil {
			break
		}
		after = *a.Next
	}
	var extra, missed []string
	for id := range found {
		if !j.Relevant[id] {
			extra = append(extra, id)
		}
	}
	for id := range j.Relevant {
		if !found[id] {
			missed = append(missed, id)
		}
	}
	slices.Sort(extra)
	slices.Sort(missed)
	show := func(ids []string, ctx func(string) string) string {
		var parts []string
		for i, id := range ids {
			if i == 3 {
				parts = append(parts, fmt.Sprintf("… %d in all", len(ids)))
				break
			}
			parts = append(parts, id+" ("+ctx(id)+")")
		}
		return strings.Join(parts, ", ")
	}
	term := q.term()
	return fmt.Sprintf("found, not holding it: %s; holding it, not found: %s",
		show(extra, func(id string) string { return b.context(id, string([]rune(term)[:1])) }),
		show(missed, func(id string) string { return b.context(id, term) }))
}

// trapContext shows where the word stands in a trap entry.
func (b *bench) trapContext(id string, q *Query) string { return b.context(id, q.term()) }

// context shows the first place the entry holds w: the field and a few
// characters either side.
func (b *bench) context(id, w string) string {
	d, ok := b.corpus.Doc(id)
	if !ok {
		return "?"
	}
	for _, f := range allFields {
		if i := strings.Index(d.Text[f], w); i >= 0 {
			rs := []rune(d.Text[f][:i])
			lo := max(0, len(rs)-4)
			after := []rune(d.Text[f][i:])
			s := f.String() + ": …" + string(rs[lo:]) + string(after[:min(len(after), len([]rune(w))+4)]) + "…"
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return "?"
}

func union(a, b map[string]int) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sortedIDs(m map[string]bool, n int) []string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) > n {
		ids = append(ids[:n], "…")
	}
	return ids
}

func quoteOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

// table prints the per-kind figures.
func (r *report) table(w io.Writer, store string) {
	fmt.Fprintf(w, "\njudged relevance set, %s\n", store)
	fmt.Fprintf(w, "  %-13s %7s %9s %8s %8s %10s %12s %8s %9s %9s\n", "kind", "queries", "success@1", "nDCG@10", "traps", "suggestion", "facets exact", "no-hit", "boundary", "corrected")
	for _, k := range Kinds {
		s := r.stats[k]
		if s.n == 0 {
			continue
		}
		n := float64(s.n)
		col := func(on bool, v string) string {
			if on {
				return v
			}
			return "—"
		}
		fmt.Fprintf(w, "  %-13s %7d %9s %8s %8s %10s %12s %8s %9d %9d\n", k, s.n,
			col(k == KindDocNo || k == KindTitle || k == KindAttachment, fmt.Sprintf("%.3f", s.success/n)),
			col(k == KindPhrase || k == KindWord || k == KindAbbreviation || k == KindPinyin, fmt.Sprintf("%.3f", s.ndcg/n)),
			col(k == KindWord, fmt.Sprint(s.traps)),
			col(k == KindTypo, fmt.Sprintf("%.3f", float64(s.suggestRight)/n)),
			col(k == KindFacet, fmt.Sprintf("%d / %d", s.facetExact, s.n)),
			col(k == KindNoHit, fmt.Sprintf("%d / %d", s.emptyNoHits, s.n)),
			s.boundaryFlags, s.corrected)
	}
	failed := 0
	for _, o := range r.outcomes {
		if !o.ok {
			failed++
		}
	}
	fmt.Fprintf(w, "  %d of %d queries below target; %d label problems\n", failed, len(r.outcomes), len(r.labels))
}
