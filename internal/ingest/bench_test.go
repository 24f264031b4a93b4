package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gongkai/internal/demo"
	"gongkai/internal/files"
	"gongkai/internal/ingest"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// BenchmarkImportEntries measures entries imported per second: 20,000
// generated entries (no attachments) into a fresh SQLite store and, when
// GONGKAI_TEST_PG is set, a fresh PostgreSQL database. Units are imported
// first and not timed.
func BenchmarkImportEntries(b *testing.B) {
	const n = 20000
	dir := b.TempDir()
	if _, err := demo.Generate(context.Background(), dir, demo.Options{Seed: 7, Entries: n, DatasetRows: 100, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	backends := []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			if be.name == "postgres" && os.Getenv(storetest.EnvPG) == "" {
				b.Skip(storetest.EnvPG + " not set")
			}
			var rate float64
			for b.Loop() {
				b.StopTimer()
				st := be.open(b)
				fs, err := files.New(filepath.Join(b.TempDir(), "files"))
				if err != nil {
					b.Fatal(err)
				}
				im := ingest.New(st, fs)
				ctx := context.Background()
				if _, err := im.Units(ctx, filepath.Join(dir, "units.jsonl"), ingest.Options{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				rep, err := im.Entries(ctx, filepath.Join(dir, "entries.jsonl"), ingest.Options{})
				elapsed := time.Since(start)
				if err != nil || !rep.OK() || rep.Added != n {
					b.Fatalf("import: %v %+v", err, rep.Errors)
				}
				rate = float64(n) / elapsed.Seconds()
			}
			b.ReportMetric(rate, "entries/s")
		})
	}
}
