package searchbench

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
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
	generate(b, dir, n)
	st := storetest.SQLite(b)
	fs := load(b, st, dir)
	published, _ := st.EntryCount(ctx, catalog.StatusPublished)
	b.Logf("generated and imported %d entries (%d published) in %.1fs", n, published, time.Since(t0).Seconds())

	// Our index: a full rebuild from the store, once for each shard count
	// of GONGKAI_BENCH_SHARDS (default 2,1); the searches run on the last,
	// the shipped default of one shard.
	type build struct {
		shards int
		took   time.Duration
		cores  float64
		size   int64
	}
	var builds []build
	var ix *indexer.Index
	for _, f := range strings.Split(cmp.Or(os.Getenv("GONGKAI_BENCH_SHARDS"), "2,1"), ",") {
		shards, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || shards < 1 {
			b.Fatalf("GONGKAI_BENCH_SHARDS: %q is not a shard count", f)
		}
		if ix != nil {
			ix.Close()
		}
		if ix, err = indexer.Open(ctx, indexer.Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs, PollInterval: 100 * time.Millisecond, Shards: shards}); err != nil {
			b.Fatal(err)
		}
		start, cpu0 := time.Now(), processCPU()
		if err := ix.Rebuild(ctx, nil); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		size, err := diskUsage(filepath.Join(dir, "index"))
		if err != nil {
			b.Fatal(err)
		}
		builds = append(builds, build{shards, took, (processCPU() - cpu0).Seconds() / took.Seconds(), size})
	}
	defer func() { ix.Close() }() // the index is reopened below
	ourBuild, ourSize, ourShards := builds[len(builds)-1].took, builds[len(builds)-1].size, builds[len(builds)-1].shards

	// Groonga: the same text from the same file.
	cmds := filepath.Join(dir, "groonga.grn")
	t0 = time.Now()
	pools, err := prepare(filepath.Join(dir, "entries.jsonl"), cmds, published)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("Groonga's load file written and the query mix drawn in %.1fs", time.Since(t0).Seconds())
	g := &groonga{bin: bin, db: filepath.Join(dir, "groonga", "db")}
	os.MkdirAll(filepath.Dir(g.db), 0o755)
	grnBuild, err := g.build(ctx, cmds)
	if err != nil {
		b.Fatal(err)
	}
	grnSize, err := diskUsage(filepath.Dir(g.db))
	if err != nil {
		b.Fatal(err)
	}
	if err := g.serve(ctx); err != nil {
		b.Fatal(err)
	}
	defer g.stop()

	srv := servePortal(st, fs, ix)
	client := &http.Client{Timeout: 10 * time.Second}

	// Both engines keep the answers of repeated queries until the index
	// changes (Groonga's query cache, our result cache). Cached: each
	// kind's first ten queries asked thirteen times, the answers of the
	// last ten rounds from the caches (Groonga's raised from its default
	// 100 entries to our 512, so that the mix fits in both). Uncached,
	// with both caches off, which is the work of the search itself: every
	// round asks each kind's next ten queries.
	const rounds, warmup = 13, 3
	cachedMix := schedule(pools, rounds, false)
	coldMix := schedule(pools, rounds, true)
	if err := g.cacheLimit(512); err != nil {
		b.Fatal(err)
	}
	oursCached := measure(b, client, cachedMix, warmup, func(q query) string { return q.apiURL(srv.URL) })
	theirsCached := measure(b, client, cachedMix, warmup, g.selectURL)
	srv.Close()
	ix.Close()
	if ix, err = indexer.Open(ctx, indexer.Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs, PollInterval: 100 * time.Millisecond, CacheSize: -1, Shards: ourShards}); err != nil {
		b.Fatal(err)
	}
	srv = servePortal(st, fs, ix)
	defer srv.Close()
	if err := g.cacheLimit(0); err != nil {
		b.Fatal(err)
	}
	ours := measure(b, client, coldMix, warmup, func(q query) string { return q.apiURL(srv.URL) })
	theirs := measure(b, client, coldMix, warmup, g.selectURL)

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
	b.ReportMetric(float64(ourSize)/float64(published), "our_bytes/entry")
	b.ReportMetric(float64(grnSize)/float64(published), "groonga_bytes/entry")
	b.ReportMetric(ms(pct(ours.all, 50)), "our_p50_ms")
	b.ReportMetric(ms(pct(ours.all, 99)), "our_p99_ms")
	b.ReportMetric(ms(pct(theirs.all, 50)), "groonga_p50_ms")
	b.ReportMetric(ms(pct(theirs.all, 99)), "groonga_p99_ms")
	b.ReportMetric(ms(pct(lags, 99)), "lag_p99_ms")
	b.ReportMetric(ms(pct(oursCached.all, 50)), "our_cached_p50_ms")
	b.ReportMetric(ms(pct(oursCached.all, 99)), "our_cached_p99_ms")

	var w strings.Builder
	fmt.Fprintf(&w, "\nsearch benchmark: %d published entries (same text in both engines)\n", published)
	for _, bd := range builds {
		rate := float64(published) / bd.took.Seconds()
		fmt.Fprintf(&w, "  index build   ours, %d shard(s) %6.0f docs/s (%.1fs, %.2f cores busy)   groonga %6.0f docs/s (%.1fs)   ratio %.2f\n",
			bd.shards, rate, bd.took.Seconds(), bd.cores, grnRate, grnBuild.Seconds(), rate/grnRate)
	}
	for _, bd := range builds {
		fmt.Fprintf(&w, "  index size    ours, %d shard(s) %6.0f MB (%.0f bytes/entry)   groonga %6.0f MB (%.0f bytes/entry)   ratio %.2f\n",
			bd.shards, mb(bd.size), float64(bd.size)/float64(published), mb(grnSize), float64(grnSize)/float64(published), float64(bd.size)/float64(grnSize))
	}
	fmt.Fprintf(&w, "  searches below: ours on the %d-shard index\n", ourShards)
	fmt.Fprintf(&w, "\n  caches off: %d rounds of %d queries of each kind after %d warm-up rounds, each round the next %d of the kind's pool; all six facets on every query; ms\n",
		rounds-warmup, perRound, warmup, perRound)
	fmt.Fprintf(&w, "  %-13s %5s  %-20s  %-20s  %12s %12s\n", "kind", "asked", "ours p50/p90/p99", "groonga p50/p90/p99", "ours hits", "groonga hits")
	line := func(name string, asked int, o, t []time.Duration, oh, th string) {
		fmt.Fprintf(&w, "  %-13s %5s  %-20s  %-20s  %12s %12s\n", name, strconv.Itoa(asked), spread(o), spread(t), oh, th)
	}
	var slowKinds []string
	asked := 0
	for _, k := range kinds {
		line(k, ours.asked[k], ours.byKind[k], theirs.byKind[k], strconv.Itoa(ours.hits[k]), strconv.Itoa(theirs.hits[k]))
		asked += ours.asked[k]
		if pct(ours.byKind[k], 99) > 50*time.Millisecond {
			slowKinds = append(slowKinds, fmt.Sprintf("%s %.0fms", k, ms(pct(ours.byKind[k], 99))))
		}
	}
	line("whole mix", asked, ours.all, theirs.all, "", "")
	fmt.Fprintf(&w, "\n  result caches on (Groonga's at 512 entries): each kind's first %d queries, %d rounds after %d warm-up rounds; ms\n", perRound, rounds-warmup, warmup)
	fmt.Fprintf(&w, "  %-13s %5s  %-20s  %-20s\n", "kind", "", "ours p50/p90/p99", "groonga p50/p90/p99")
	for _, k := range kinds {
		fmt.Fprintf(&w, "  %-13s %5s  %-20s  %-20s\n", k, "", spread(oursCached.byKind[k]), spread(theirsCached.byKind[k]))
	}
	fmt.Fprintf(&w, "  %-13s %5s  %-20s  %-20s\n", "whole mix", "", spread(oursCached.all), spread(theirsCached.all))
	fmt.Fprintf(&w, "\n  the mix (distinct queries drawn from the data; the first of each pool, as our search box gets them → Groonga's query where it differs):\n")
	for _, k := range kinds {
		var ex []string
		for _, q := range pools[k][:3] {
			e := q.text
			if q.phrase {
				e = `"` + e + `"`
			}
			for _, f := range q.filters {
				e += " " + f[0] + "=" + f[1]
			}
			if q.grn != "" {
				e += " → " + q.grn
			}
			ex = append(ex, strings.TrimSpace(e))
		}
		fmt.Fprintf(&w, "    %-13s %3d  %s\n", k, len(pools[k]), strings.Join(ex, " | "))
	}
	fmt.Fprintf(&w, "  Groonga is given the OR of an abbreviation's synonym group (our engine expands it itself), the Chinese word for a pinyin\n")
	fmt.Fprintf(&w, "  query (it has no pinyin) and the typed string for a typo (it has no suggestions or relaxed matching: 0 hits expected).\n")
	fmt.Fprintf(&w, "  slowest of ours, caches off:")
	for _, s := range ours.slowest(5) {
		fmt.Fprintf(&w, "  %s %q %.0fms", s.q.kind, s.q.text, ms(s.d))
	}
	fmt.Fprintf(&w, "\n\n  targets (ours, caches off):\n")
	target := func(ok bool, what string) {
		mark := "met    "
		if !ok {
			mark = "NOT met"
		}
		fmt.Fprintf(&w, "    %s  %s\n", mark, what)
	}
	target(pct(ours.all, 50) <= pct(theirs.all, 50), fmt.Sprintf("whole-mix p50 at or below Groonga's (%.1f against %.1f ms)", ms(pct(ours.all, 50)), ms(pct(theirs.all, 50))))
	target(pct(ours.all, 99) <= pct(theirs.all, 99), fmt.Sprintf("whole-mix p99 at or below Groonga's (%.1f against %.1f ms)", ms(pct(ours.all, 99)), ms(pct(theirs.all, 99))))
	target(len(slowKinds) == 0, "p99 at most 50 ms for every kind"+strings.Join(append([]string{""}, slowKinds...), "; over: "))
	for _, f := range append(oursCached.failed, ours.failed...) {
		fmt.Fprintf(&w, "  ours failed:    %s\n", f)
	}
	for _, f := range append(theirsCached.failed, theirs.failed...) {
		fmt.Fprintf(&w, "  groonga failed: %s\n", f)
	}
	fmt.Fprintf(&w, "\n  publish → searchable lag: p50 %.0fms, p99 %.0fms over %d publishes\n", ms(pct(lags, 50)), ms(pct(lags, 99)), len(lags))
	fmt.Print(w.String())
	for b.Loop() {
	}
}

// generate writes n demo entries into dir: the same data for every search
// benchmark (one seed, one date), so that their figures compare.
func generate(b *testing.B, dir string, n int) {
	b.Helper()
	if _, err := demo.Generate(context.Background(), dir, demo.Options{Seed: 11, Entries: n, DatasetRows: 100,
		Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
}

// load imports the catalog generated in dir into st, its attachments into
// a file store beside it, which it returns.
func load(b *testing.B, st *store.Store, dir string) *files.Store {
	b.Helper()
	fs, err := files.New(filepath.Join(dir, "files-store"))
	if err != nil {
		b.Fatal(err)
	}
	if err := ingest.New(st, fs).Catalog(context.Background(), dir); err != nil {
		b.Fatal(err)
	}
	return fs
}

// servePortal serves the public portal over ix, as serve does, its log
// discarded; the caller closes it.
func servePortal(st *store.Store, fs *files.Store, ix *indexer.Index) *httptest.Server {
	return httptest.NewServer(portal.New(portal.Deps{Store: st, Files: fs, Index: ix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
}

type timings struct {
	all    []time.Duration
	byKind map[string][]time.Duration
	hits   map[string]int // hits per kind, each distinct query counted once, to show both engines do alike work
	asked  map[string]int // distinct queries per kind
	timed  []timedQuery
	failed []string // queries answered with an error status (a timeout is a 503)
}

type timedQuery struct {
	q query
	d time.Duration
}

// slowest returns the n slowest timed queries.
func (t timings) slowest(n int) []timedQuery {
	s := slices.Clone(t.timed)
	slices.SortFunc(s, func(a, b timedQuery) int { return int(b.d - a.d) })
	return s[:min(n, len(s))]
}

// measure asks the rounds of the mix in order and times all but the first
// warmup rounds.
func measure(b *testing.B, c *http.Client, mix [][]query, warmup int, urlOf func(query) string) timings {
	t := timings{byKind: map[string][]time.Duration{}, hits: map[string]int{}, asked: map[string]int{}}
	seen := map[string]bool{}
	for round, qs := range mix {
		for _, q := range qs {
			start := time.Now()
			resp, err := c.Get(urlOf(q))
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			d := time.Since(start)
			if k := q.key(); !seen[k] {
				seen[k] = true
				t.hits[q.kind] += totalOf(body)
				t.asked[q.kind]++
			}
			if resp.StatusCode != 200 {
				t.failed = append(t.failed, fmt.Sprintf("%s %q: status %d", q.kind, q.text, resp.StatusCode))
			}
			if round >= warmup {
				t.all = append(t.all, d)
				t.byKind[q.kind] = append(t.byKind[q.kind], d)
				t.timed = append(t.timed, timedQuery{q, d})
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

// prepare writes Groonga's command file from the entries file and draws
// the query pools from the same data, deterministically.
func prepare(entries, commands string, published int) (map[string][]query, error) {
	policy := sanitize.New()
	attText := map[string]string{} // attachment file → its text
	mix, err := newMixSampler(published)
	if err != nil {
		return nil, err
	}
	err = writeCommands(commands, func(emit func(groongaDoc) error) error {
		f, err := os.Open(entries)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
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
			year := strconv.Itoa(pub.In(catalog.Shanghai).Year())
			d := groongaDoc{Key: in.ID, Title: in.Title, Body: body + "\n" + in.Summary + "\n" + strings.Join(in.Keywords, " "),
				DocNo: in.DocNo, Unit: in.Unit, Col: in.Column, Topic: in.Topic, DocType: in.DocType,
				Year: year, Validity: in.Validity, Pub: pub.Unix()}
			if err := emit(d); err != nil {
				return err
			}
			mix.observe(in.Title, d.Body, in.Keywords, in.DocNo, in.Unit, year, in.Validity)
		}
		return sc.Err()
	})
	if err != nil {
		return nil, err
	}
	return mix.pools()
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

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// spread is "p50/p90/p99" in milliseconds.
func spread(d []time.Duration) string {
	return fmt.Sprintf("%.1f/%.1f/%.1f", ms(pct(d, 50)), ms(pct(d, 90)), ms(pct(d, 99)))
}
