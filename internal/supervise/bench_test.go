package supervise_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

// BenchmarkDashboard times what the office's dashboard reads, over a
// SQLite store of 100 units with 10,000 and with 1,000,000 published
// entries spread over three years:
//
//	go test -run '^$' -bench Dashboard -benchtime 5x ./internal/supervise
//
// Report is the rules' report made afresh (Service.Report: PublishStats
// and the rest); Buckets the 12 months' volume of all units
// (PublishCounts); UnitTimeline one unit's 24 months as the drill-down
// reads them; DashboardFull the dashboard's first view of a day (every
// unit read); DashboardAfterChange a view after one entry was published
// (its unit read again); DashboardKept a view while nothing changed.
func BenchmarkDashboard(b *testing.B) {
	asOf := supervise.EndOfDay(time.Date(2026, 6, 30, 0, 0, 0, 0, catalog.Shanghai))
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			ctx := context.Background()
			st := storetest.SQLite(b)
			start := time.Now()
			if err := st.FillEntriesForBench(ctx, n, 100, asOf.Add(-time.Hour), 3*365*24*time.Hour); err != nil {
				b.Fatal(err)
			}
			b.Logf("filled %d entries in %s", n, time.Since(start).Round(time.Millisecond))
			svc := supervise.New(st, nil, nil)
			svc.Now = func() time.Time { return asOf }
			b.Run("Report", func(b *testing.B) {
				for b.Loop() {
					rep, err := svc.Report(ctx, asOf)
					if err != nil {
						b.Fatal(err)
					}
					if rep.Totals.Published != n {
						b.Fatalf("%d published, want %d", rep.Totals.Published, n)
					}
				}
			})
			b.Run("Buckets", func(b *testing.B) {
				bounds := supervise.MonthBounds(asOf, 12)
				for b.Loop() {
					if _, err := st.PublishCounts(ctx, bounds, asOf, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("UnitTimeline", func(b *testing.B) {
				bounds := supervise.MonthBounds(asOf, supervise.TimelineMonths)
				for b.Loop() {
					if _, err := st.PublishCounts(ctx, bounds, asOf, []string{"bench042"}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("DashboardFull", func(b *testing.B) {
				for b.Loop() {
					fresh := supervise.New(st, nil, nil) // nothing kept
					fresh.Now = svc.Now
					if _, err := fresh.Dashboard(ctx, asOf); err != nil {
						b.Fatal(err)
					}
				}
			})
			if _, err := svc.Dashboard(ctx, asOf); err != nil {
				b.Fatal(err)
			}
			b.Run("DashboardAfterChange", func(b *testing.B) {
				k := 0
				for b.Loop() {
					b.StopTimer()
					k++
					e := catalog.Entry{ID: fmt.Sprintf("bench-new-%d", k), Unit: "bench007", Column: "tzgg", Title: "新发布的信息",
						Status: catalog.StatusPublished, PublishedAt: &asOf, BodyHTML: "<p>x</p>"}
					if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "bench"}}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					d, err := svc.Dashboard(ctx, asOf)
					if err != nil {
						b.Fatal(err)
					}
					if d.Report.Totals.Published != n+k {
						b.Fatalf("%d published, want %d", d.Report.Totals.Published, n+k)
					}
				}
			})
			b.Run("DashboardKept", func(b *testing.B) {
				for b.Loop() {
					if _, err := svc.Dashboard(ctx, asOf); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
