//go:build linux

package searchbench

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gongkai/indexer"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// BenchmarkScale measures what a capacity plan needs, at each size of
// GONGKAI_SCALE_ENTRIES (comma-separated, default 200000,1000000): the
// import into a fresh SQLite store and its file's bytes per entry; a full
// index rebuild's wall time and process CPU seconds; the index's bytes per
// entry; the process's memory once the index is reopened, and again after
// the cold query mix; and the cold mix's latency per kind over HTTP. With
// GONGKAI_TEST_PG set it also imports a sample (at most 100,000 entries)
// into a fresh PostgreSQL database and reports the database's growth per
// entry. Each size's data is removed before the next. docs/scale.md holds
// the figures and the plan made from them.
func BenchmarkScale(b *testing.B) {
	sizes := []int{200000, 1000000}
	if s := os.Getenv("GONGKAI_SCALE_ENTRIES"); s != "" {
		sizes = sizes[:0]
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("GONGKAI_SCALE_ENTRIES: %q is not a positive number", f)
			}
			sizes = append(sizes, n)
		}
	}
	var runs []scaleRun
	for _, n := range sizes {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			r := scaleSize(b, n)
			runs = append(runs, r)
		})
	}
	var pg *pgSize
	if os.Getenv(storetest.EnvPG) != "" {
		b.Run("postgres", func(b *testing.B) {
			p := scalePostgres(b, min(slices.Max(sizes), 100000))
			pg = &p
		})
	}
	fmt.Print(scaleSummary(runs, pg))
}

// scaleRun is what one size measured.
type scaleRun struct {
	entries, published int
	generate, load     time.Duration // demo.Generate; the import into SQLite
	sqliteBytes        int64         // the database file after a WAL checkpoint
	build              time.Duration // full rebuild, wall
	buildCPU           time.Duration // full rebuild, user+system CPU of the process
	indexBytes         int64
	opened, served     memSample // after reopening the index; after the cold mix
	cold               timings
}

// memSample is the process's memory at one moment, right after a
// collection that returned what it could to the system.
type memSample struct {
	heapInuse uint64 // runtime.MemStats.HeapInuse
	rss       uint64 // VmRSS
	rssAnon   uint64 // RssAnon: heap, stacks, SQLite's own allocations
	rssFile   uint64 // RssFile: mapped files (the index's segments) resident
	maxRSS    uint64 // getrusage ru_maxrss: the high-water mark since the process began
}

func scaleSize(b *testing.B, n int) scaleRun {
	ctx := context.Background()
	r := scaleRun{entries: n}
	dir := b.TempDir()
	progress := func(format string, args ...any) {
		fmt.Printf("  %s  %d entries: %s\n", time.Now().Format("15:04:05"), n, fmt.Sprintf(format, args...))
	}

	t0 := time.Now()
	generate(b, dir, n)
	r.generate = time.Since(t0)
	progress("generated in %.0fs", r.generate.Seconds())

	st := storetest.SQLite(b)
	t0 = time.Now()
	fs := load(b, st, dir)
	r.load = time.Since(t0)
	var err error
	if r.published, err = st.EntryCount(ctx, catalog.StatusPublished); err != nil {
		b.Fatal(err)
	}
	if r.sqliteBytes, err = sqliteSize(ctx, st); err != nil {
		b.Fatal(err)
	}
	progress("imported into SQLite in %.0fs (%d published), %.0f MB", r.load.Seconds(), r.published, mb(r.sqliteBytes))

	// The query pools come from the generated file; prepare also writes
	// Groonga's load file, which this benchmark does not use.
	cmds := filepath.Join(dir, "groonga.grn")
	pools, err := prepare(filepath.Join(dir, "entries.jsonl"), cmds, r.published)
	if err != nil {
		b.Fatal(err)
	}
	os.Remove(cmds)

	indexDir := filepath.Join(dir, "index")
	ix, err := indexer.Open(ctx, indexer.Options{Dir: indexDir, Store: st, Files: fs, PollInterval: 100 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := processCPU()
	t0 = time.Now()
	if err := ix.Rebuild(ctx, nil); err != nil {
		ix.Close()
		b.Fatal(err)
	}
	r.build = time.Since(t0)
	r.buildCPU = processCPU() - cpu0
	ix.Close()
	if r.indexBytes, err = diskUsage(indexDir); err != nil {
		b.Fatal(err)
	}
	progress("index rebuilt in %.0fs (%.0f CPU-s), %.0f MB", r.build.Seconds(), r.buildCPU.Seconds(), mb(r.indexBytes))

	// Reopened as a serving replica would open it, result cache off.
	if ix, err = indexer.Open(ctx, indexer.Options{Dir: indexDir, Store: st, Files: fs, PollInterval: 100 * time.Millisecond, CacheSize: -1}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() }) // before the directories go
	r.opened = sampleMemory()

	srv := servePortal(st, fs, ix)
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	const rounds, warmup = 13, 3
	r.cold = measure(b, client, schedule(pools, rounds, true), warmup, func(q query) string { return q.apiURL(srv.URL) })
	r.served = sampleMemory()
	progress("cold mix asked: whole mix %s ms", spread(r.cold.all))

	per100k := func(v uint64) float64 { return float64(v) / (1 << 20) / float64(r.published) * 100000 }
	b.ReportMetric(float64(r.published)/r.load.Seconds(), "import_entries/s")
	b.ReportMetric(float64(r.sqliteBytes)/float64(r.published), "sqlite_bytes/entry")
	b.ReportMetric(float64(r.indexBytes)/float64(r.published), "index_bytes/entry")
	b.ReportMetric(float64(r.published)/r.build.Seconds(), "build_entries/s")
	b.ReportMetric(r.buildCPU.Seconds()*1000/float64(r.published), "build_cpu_ms/entry")
	b.ReportMetric(per100k(r.served.heapInuse), "heap_MB/100k")
	b.ReportMetric(per100k(r.served.rss), "rss_MB/100k")
	b.ReportMetric(float64(r.served.maxRSS)/(1<<20), "maxrss_MB")
	b.ReportMetric(ms(pct(r.cold.all, 50)), "p50_ms")
	b.ReportMetric(ms(pct(r.cold.all, 99)), "p99_ms")

	var w strings.Builder
	fmt.Fprintf(&w, "\nscale: %d entries generated (seed 11, no attachment files), %d published\n", n, r.published)
	fmt.Fprintf(&w, "  generate       %.0f s\n", r.generate.Seconds())
	fmt.Fprintf(&w, "  import         %.0f s into SQLite (%.0f entries/s)\n", r.load.Seconds(), float64(r.published)/r.load.Seconds())
	fmt.Fprintf(&w, "  SQLite file    %.0f MB (%.0f bytes/published entry; datasets of 100 rows and the change log included)\n",
		mb(r.sqliteBytes), float64(r.sqliteBytes)/float64(r.published))
	fmt.Fprintf(&w, "  index build    %.0f s wall, %.0f CPU-s on %d CPUs (%.2f CPU-ms/entry, %.0f entries/s)\n",
		r.build.Seconds(), r.buildCPU.Seconds(), runtime.NumCPU(), r.buildCPU.Seconds()*1000/float64(r.published), float64(r.published)/r.build.Seconds())
	fmt.Fprintf(&w, "  index on disk  %.0f MB (%.0f bytes/entry)\n", mb(r.indexBytes), float64(r.indexBytes)/float64(r.published))
	mem := func(what string, m memSample) {
		fmt.Fprintf(&w, "  memory, %-22s heap in use %5.0f MB (%4.0f MB/100k)   RSS %5.0f MB (%4.0f MB/100k; anonymous %.0f, mapped files %.0f)\n",
			what, mb(int64(m.heapInuse)), per100k(m.heapInuse), mb(int64(m.rss)), per100k(m.rss), mb(int64(m.rssAnon)), mb(int64(m.rssFile)))
	}
	mem("index reopened", r.opened)
	mem("after the cold mix", r.served)
	fmt.Fprintf(&w, "  (per 100k includes the fixed part: the segmenter's dictionary, the code, the runtime)\n")
	fmt.Fprintf(&w, "  peak RSS of the process so far %.0f MB (getrusage maxrss: a high-water mark that includes generating, importing and the rebuild)\n", mb(int64(r.served.maxRSS)))
	fmt.Fprintf(&w, "\n  cold mix (result cache off): %d rounds of %d queries of each kind after %d warm-up rounds; all six facets; ms\n", rounds-warmup, perRound, warmup)
	fmt.Fprintf(&w, "  %-13s %5s  %-20s %12s\n", "kind", "asked", "p50/p90/p99", "hits")
	asked := 0
	for _, k := range kinds {
		fmt.Fprintf(&w, "  %-13s %5d  %-20s %12d\n", k, r.cold.asked[k], spread(r.cold.byKind[k]), r.cold.hits[k])
		asked += r.cold.asked[k]
	}
	fmt.Fprintf(&w, "  %-13s %5d  %-20s\n", "whole mix", asked, spread(r.cold.all))
	fmt.Fprintf(&w, "  slowest:")
	for _, s := range r.cold.slowest(5) {
		fmt.Fprintf(&w, "  %s %q %.0fms", s.q.kind, s.q.text, ms(s.d))
	}
	fmt.Fprintln(&w)
	for _, f := range r.cold.failed {
		fmt.Fprintf(&w, "  failed: %s\n", f)
	}
	fmt.Print(w.String())
	return r
}

// pgSize is what the PostgreSQL sample measured.
type pgSize struct {
	entries, published int
	load               time.Duration
	empty, full        int64 // pg_database_size before and after the import
	largest            []string
}

// scalePostgres imports n generated entries into a fresh, migrated
// PostgreSQL database and measures its growth.
func scalePostgres(b *testing.B, n int) pgSize {
	ctx := context.Background()
	p := pgSize{entries: n}
	dir := b.TempDir()
	generate(b, dir, n)
	dsn := storetest.NewPGDatabase(b)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() }) // before the database is dropped
	if err := st.EnsureTemplate(ctx, catalog.DefaultTemplate()); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	size := func() int64 {
		var v int64
		if err := db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&v); err != nil {
			b.Fatal(err)
		}
		return v
	}
	p.empty = size()
	t0 := time.Now()
	load(b, st, dir)
	p.load = time.Since(t0)
	if p.published, err = st.EntryCount(ctx, catalog.StatusPublished); err != nil {
		b.Fatal(err)
	}
	p.full = size()
	rows, err := db.QueryContext(ctx, `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
		JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE c.relkind = 'r' AND s.nspname = current_schema()
		ORDER BY 2 DESC LIMIT $1`, 6)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var bytes int64
		if err := rows.Scan(&name, &bytes); err != nil {
			b.Fatal(err)
		}
		p.largest = append(p.largest, fmt.Sprintf("%s %.0f MB", name, mb(bytes)))
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	per := float64(p.full-p.empty) / float64(p.published)
	b.ReportMetric(per, "pg_bytes/entry")
	b.ReportMetric(float64(p.published)/p.load.Seconds(), "import_entries/s")
	fmt.Printf("\nscale, PostgreSQL: %d entries generated, %d published, imported in %.0f s (%.0f entries/s)\n"+
		"  database %.0f MB empty and migrated, %.0f MB after: %.0f bytes/published entry (tables with their indexes and TOAST)\n"+
		"  largest tables: %s\n",
		n, p.published, p.load.Seconds(), float64(p.published)/p.load.Seconds(), mb(p.empty), mb(p.full), per, strings.Join(p.largest, ", "))
	return p
}

// scaleSummary lays the sizes side by side, with the growth of each
// figure from the first size to the last.
func scaleSummary(runs []scaleRun, pg *pgSize) string {
	if len(runs) == 0 {
		return ""
	}
	var w strings.Builder
	fmt.Fprintf(&w, "\nscale summary (%d CPUs; latency in ms, cold, p50/p99)\n", runtime.NumCPU())
	fmt.Fprintf(&w, "  %-24s", "published entries")
	for _, r := range runs {
		fmt.Fprintf(&w, " %16d", r.published)
	}
	if len(runs) > 1 {
		fmt.Fprintf(&w, " %16s", "last/first")
	}
	fmt.Fprintln(&w)
	row := func(name string, val func(r scaleRun) float64, format string) {
		fmt.Fprintf(&w, "  %-24s", name)
		for _, r := range runs {
			fmt.Fprintf(&w, " %16s", fmt.Sprintf(format, val(r)))
		}
		if len(runs) > 1 {
			if first := val(runs[0]); first != 0 {
				fmt.Fprintf(&w, " %16.2f", val(runs[len(runs)-1])/first)
			}
		}
		fmt.Fprintln(&w)
	}
	per := func(v float64, r scaleRun) float64 { return v / float64(r.published) }
	per100k := func(v uint64, r scaleRun) float64 { return float64(v) / (1 << 20) / float64(r.published) * 100000 }
	row("import, s", func(r scaleRun) float64 { return r.load.Seconds() }, "%.0f")
	row("SQLite bytes/entry", func(r scaleRun) float64 { return per(float64(r.sqliteBytes), r) }, "%.0f")
	row("index bytes/entry", func(r scaleRun) float64 { return per(float64(r.indexBytes), r) }, "%.0f")
	row("build, s", func(r scaleRun) float64 { return r.build.Seconds() }, "%.0f")
	row("build CPU-ms/entry", func(r scaleRun) float64 { return per(r.buildCPU.Seconds()*1000, r) }, "%.2f")
	row("build entries/s", func(r scaleRun) float64 { return float64(r.published) / r.build.Seconds() }, "%.0f")
	row("heap MB/100k, opened", func(r scaleRun) float64 { return per100k(r.opened.heapInuse, r) }, "%.1f")
	row("heap MB/100k, served", func(r scaleRun) float64 { return per100k(r.served.heapInuse, r) }, "%.1f")
	row("RSS MB/100k, served", func(r scaleRun) float64 { return per100k(r.served.rss, r) }, "%.1f")
	row("heap MB, served", func(r scaleRun) float64 { return float64(r.served.heapInuse) / (1 << 20) }, "%.0f")
	row("RSS MB, served", func(r scaleRun) float64 { return float64(r.served.rss) / (1 << 20) }, "%.0f")
	row("peak RSS MB (process)", func(r scaleRun) float64 { return float64(r.served.maxRSS) / (1 << 20) }, "%.0f")
	if len(runs) > 1 {
		// What each further 100,000 entries add, the fixed part (the
		// segmenter's dictionary, the code) left out.
		first, last := runs[0], runs[len(runs)-1]
		steps := float64(last.published-first.published) / 100000
		if steps > 0 {
			slope := func(a, b uint64) float64 { return (float64(b) - float64(a)) / (1 << 20) / steps }
			fmt.Fprintf(&w, "  %-24s %s\n", "added per 100k entries", fmt.Sprintf("heap %.1f MB, RSS %.1f MB (anonymous %.1f, mapped files %.1f), served, from %d to %d entries",
				slope(first.served.heapInuse, last.served.heapInuse), slope(first.served.rss, last.served.rss),
				slope(first.served.rssAnon, last.served.rssAnon), slope(first.served.rssFile, last.served.rssFile), first.published, last.published))
		}
	}
	lat := func(name string, d func(r scaleRun) []time.Duration) {
		fmt.Fprintf(&w, "  %-24s", name)
		for _, r := range runs {
			fmt.Fprintf(&w, " %16s", fmt.Sprintf("%.1f/%.1f", ms(pct(d(r), 50)), ms(pct(d(r), 99))))
		}
		if len(runs) > 1 {
			first, last := d(runs[0]), d(runs[len(runs)-1])
			if pct(first, 50) > 0 && pct(first, 99) > 0 {
				fmt.Fprintf(&w, " %16s", fmt.Sprintf("%.1f/%.1f", float64(pct(last, 50))/float64(pct(first, 50)), float64(pct(last, 99))/float64(pct(first, 99))))
			}
		}
		fmt.Fprintln(&w)
	}
	for _, k := range kinds {
		lat(k, func(r scaleRun) []time.Duration { return r.cold.byKind[k] })
	}
	lat("whole mix", func(r scaleRun) []time.Duration { return r.cold.all })
	if pg != nil {
		fmt.Fprintf(&w, "  PostgreSQL: %.0f bytes/entry over a sample of %d published entries\n", float64(pg.full-pg.empty)/float64(pg.published), pg.published)
	}
	return w.String()
}

// sqliteSize is the store's database file after its write-ahead log has
// been folded into it, with whatever remains of the log.
func sqliteSize(ctx context.Context, st *store.Store) (int64, error) {
	path, ok := strings.CutPrefix(st.Redacted(), "sqlite:")
	if !ok {
		return 0, fmt.Errorf("not a SQLite store: %s", st.Redacted())
	}
	if err := st.ExecRawForTest(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, err
	}
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

// processCPU is the user and system time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleMemory collects garbage, hands freed memory back to the system,
// and reads the heap and the resident set.
func sampleMemory() memSample {
	debug.FreeOSMemory()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	m := memSample{heapInuse: stats.HeapInuse}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		m.maxRSS = uint64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			m.rss = kb * 1024
		case "RssAnon":
			m.rssAnon = kb * 1024
		case "RssFile":
			m.rssFile = kb * 1024
		}
	}
	return m
}
