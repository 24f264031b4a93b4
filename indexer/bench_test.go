package indexer

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"gongkai/internal/demo"
	"gongkai/internal/files"
	"gongkai/internal/ingest"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// BenchmarkDemoIndex builds the index of the demo data set (10,500
// entries with their attachments, imported into SQLite; not timed) and
// reports the rebuild rate, its CPU time and the index size, then the
// latency of typical queries against it.
//
//	go test -run '^$' -bench BenchmarkDemoIndex -benchtime 1x ./indexer
func BenchmarkDemoIndex(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	st, fs, man := importDemo(b, dir, demo.Options{Seed: 1, Attachments: true, DatasetRows: 100})
	ix, err := Open(ctx, Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()

	b.Run("rebuild", func(b *testing.B) {
		for b.Loop() {
			var r0, r1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
			start := time.Now()
			if err := ix.Rebuild(ctx, nil); err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
			cpu := time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
			b.ReportMetric(float64(ix.Status().Documents)/elapsed.Seconds(), "entries/s")
			b.ReportMetric(cpu.Seconds(), "cpu-s")
			b.ReportMetric(float64(dirSize(filepath.Join(dir, "index")))/(1<<20), "index-MB")
		}
		b.Logf("%d entries, %d attachments", man.Entries, man.Attachments)
	})
	for _, q := range []Request{
		{Q: "公积金"}, {Q: "农业"}, {Q: "发改委 价格"}, {Q: "gongjijin"}, {Q: "住房公基金"},
		{Q: "临政办发〔2020〕3号"}, {Q: "政府信息公开工作年度报告"}, {},
		{Q: "通知", Filters: map[string][]string{"unit": {"fgw", "czj"}, "year": {"2024"}}},
	} {
		b.Run("search "+q.Q, func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// importDemo generates demo data (dated 1 November 2026) into dir and
// imports its units and entries into a new SQLite store, with the
// attachments in dir/store.
func importDemo(tb testing.TB, dir string, opt demo.Options) (*store.Store, *files.Store, demo.Manifest) {
	tb.Helper()
	ctx := context.Background()
	opt.Now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	man, err := demo.Generate(ctx, dir, opt)
	if err != nil {
		tb.Fatal(err)
	}
	st := storetest.SQLite(tb)
	fs, err := files.New(filepath.Join(dir, "store"))
	if err != nil {
		tb.Fatal(err)
	}
	im := ingest.New(st, fs)
	for _, kind := range []string{"units", "entries"} {
		run := im.Units
		if kind == "entries" {
			run = im.Entries
		}
		if rep, err := run(ctx, filepath.Join(dir, kind+".jsonl"), ingest.Options{}); err != nil || !rep.OK() {
			tb.Fatalf("import %s: %v %+v", kind, err, rep)
		}
	}
	return st, fs, man
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
