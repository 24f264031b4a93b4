package searchbench

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"

	"gongkai/indexer"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// BenchmarkQueries runs single searches against an index already built in
// a data directory (GONGKAI_BENCH_DATA, e.g. after `gongkai demo --entries
// 200000` and `gongkai index rebuild`), so that one kind of query can be
// profiled without building an index first:
//
//	GONGKAI_BENCH_DATA=/tmp/gk200 go test -run '^$' -bench Queries -cpuprofile cpu.out ./internal/searchbench
//
// GONGKAI_BENCH_Q narrows it to queries containing that text.
func BenchmarkQueries(b *testing.B) {
	ctx := context.Background()
	_, ix := openBenchData(b)
	if ix.NeedsRebuild() {
		b.Fatal("the index needs a rebuild (gongkai index rebuild)")
	}
	year := map[string][]string{"year": {"2021"}}
	for _, q := range []indexer.Request{
		// One of each kind of BenchmarkSearchVsGroonga's mix: a common
		// word, a rare word, a long run, a four-character term, an
		// abbreviation, pinyin and a typo; then the rest.
		{Q: "工作"},
		{Q: "采矿权"},
		{Q: "供应商及时了解政府采购信息"},
		{Q: "乡村振兴"},
		{Q: "医保"},
		{Q: "gongjijin"},
		{Q: "住房公基金"},
		{Q: "12345政务服务便民热线"},
		{Q: "12345政务服务便民热线", Filters: map[string][]string{"unit": {"zfb"}, "year": {"2019"}}},
		{Q: "测绘地理信息"},
		{Q: "公积金 缴存"},
		{Q: `"专项资金管理办法"`},
		{Q: "临政办发〔2020〕3号"},
		{Filters: map[string][]string{"year": {"2021"}, "validity": {"有效"}}},
		{Filters: year},
		{},
	} {
		if s := os.Getenv("GONGKAI_BENCH_Q"); s != "" && !strings.Contains(q.Q, s) {
			continue
		}
		name := q.Q
		for f, vs := range q.Filters {
			name += " " + f + "=" + strings.Join(vs, ",")
		}
		b.Run(name, func(b *testing.B) {
			var total uint64
			for b.Loop() {
				res, err := ix.Search(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}

// BenchmarkRebuild builds a fresh generation from the store of
// GONGKAI_BENCH_DATA, to profile index building on its own, in
// GONGKAI_BENCH_SHARDS shards (default 1).
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	st, ix := openBenchData(b)
	for b.Loop() {
		start, cpu0 := time.Now(), processCPU()
		if err := ix.Rebuild(ctx, nil); err != nil {
			b.Fatal(err)
		}
		elapsed, cpu := time.Since(start), processCPU()-cpu0
		n, _ := st.EntryCount(ctx, catalog.StatusPublished)
		b.ReportMetric(float64(n)/elapsed.Seconds(), "docs/s")
		b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores")
	}
}

// openBenchData opens the store, file store and index of the data
// directory GONGKAI_BENCH_DATA (the benchmark is skipped without one),
// with the result cache off; they are closed when the benchmark ends.
func openBenchData(b *testing.B) (*store.Store, *indexer.Index) {
	dir := os.Getenv("GONGKAI_BENCH_DATA")
	if dir == "" {
		b.Skip("GONGKAI_BENCH_DATA is not set")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "gongkai.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	fs, err := files.New(filepath.Join(dir, "files"))
	if err != nil {
		b.Fatal(err)
	}
	shards, _ := strconv.Atoi(os.Getenv("GONGKAI_BENCH_SHARDS"))
	ix, err := indexer.Open(ctx, indexer.Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs, CacheSize: -1, Shards: shards})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return st, ix
}
