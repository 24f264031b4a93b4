package workflow_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gongkai/indexer"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// BenchmarkReviewToSearchable measures the loop the back office exists
// for: a unit's draft is submitted, approved by the unit, approved by the
// office, and then found by search on the portal. It reports the time from
// the office's approval to the first search that finds the entry, against
// a baseline run in the same process: an import of an already published
// entry (the path the portal's readers already follow), and the time the
// three workflow steps themselves take.
//
//	make bench-workflow
func BenchmarkReviewToSearchable(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			var st *store.Store
			if db == "sqlite" {
				st = storetest.SQLite(b)
			} else {
				st = storetest.Postgres(b)
			}
			benchReview(b, st)
		})
	}
}

func benchReview(b *testing.B, st *store.Store) {
	ctx := context.Background()
	storetest.Unit(b, st, "fgw")
	storetest.Unit(b, st, "jtj")
	wf := newServiceB(b, st)
	ix, err := indexer.Open(ctx, indexer.Options{Dir: filepath.Join(b.TempDir(), "index"), Store: st})
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = ix.Run(runCtx) }()
	b.Cleanup(func() { stop(); <-done; ix.Close() })

	const rounds = 30
	var steps, lags, base []time.Duration
	waitFound := func(marker string, start time.Time) time.Duration {
		for {
			res, err := ix.Search(ctx, indexer.Request{Q: marker, Size: 1, Page: 1})
			if err == nil && res.Total > 0 {
				return time.Since(start)
			}
			if time.Since(start) > 30*time.Second {
				b.Fatalf("%s not searchable after 30 s", marker)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	b.ResetTimer()
	for i := range rounds {
		marker := fmt.Sprintf("审核测速%d", 100000+i)
		in := draft("ggfw")
		in.Title = "关于" + marker + "的通知"
		e, err := wf.Create(ctx, editor, in)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := wf.Submit(ctx, editor, e.Entry.ID, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := wf.Approve(ctx, approver, e.Entry.ID, 0); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := wf.Approve(ctx, reviewer, e.Entry.ID, 0); err != nil {
			b.Fatal(err)
		}
		steps = append(steps, time.Since(t0))
		lags = append(lags, waitFound(marker, t1))

		// Baseline: the same entry imported as published.
		bm := fmt.Sprintf("导入测速%d", 100000+i)
		now := time.Now()
		imp := catalog.Entry{ID: fmt.Sprintf("base-%d", i), Unit: "fgw", Column: "ggfw", Title: "关于" + bm + "的通知",
			Status: catalog.StatusPublished, PublishedAt: &now, BodyText: "正文", Keywords: []string{}}
		t2 := time.Now()
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: imp, Hash: imp.ID}}); err != nil {
			b.Fatal(err)
		}
		base = append(base, waitFound(bm, t2))
	}
	b.StopTimer()
	p := func(d []time.Duration, q int) float64 {
		s := slices.Clone(d)
		slices.Sort(s)
		return float64(s[min(len(s)-1, len(s)*q/100)].Microseconds()) / 1000
	}
	b.ReportMetric(p(steps, 50), "submit_to_published_p50_ms")
	b.ReportMetric(p(lags, 50), "published_to_searchable_p50_ms")
	b.ReportMetric(p(lags, 99), "published_to_searchable_p99_ms")
	b.ReportMetric(p(base, 50), "import_to_searchable_p50_ms")
	b.ReportMetric(p(lags, 50)/p(base, 50), "lag_ratio_vs_import")
	b.Logf("%d rounds: submit → unit approval → office approval p50 %.1f ms; published → searchable p50 %.1f ms, p99 %.1f ms; baseline import → searchable p50 %.1f ms (ratio %.2f)",
		rounds, p(steps, 50), p(lags, 50), p(lags, 99), p(base, 50), p(lags, 50)/p(base, 50))
}
