package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// The benchmark fill makes the units and entries it says, spread over the
// units, their leaf columns and the span.
func TestFillEntriesForBench(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		end := time.Date(2026, 6, 30, 12, 0, 0, 0, catalog.Shanghai)
		if err := st.FillEntriesForBench(ctx, 2000, 12, end, 400*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		units, err := st.SupervisedUnits(ctx)
		if err != nil || len(units) != 12 || units[0].Code != "bench000" {
			t.Fatalf("units: %d, %v", len(units), err)
		}
		stats, err := st.PublishStats(ctx, end, end.AddDate(0, 0, -90), nil)
		if err != nil {
			t.Fatal(err)
		}
		total, recent, perUnit := 0, 0, map[string]int{}
		var last time.Time
		for _, s := range stats {
			total += s.Count
			recent += s.Recent
			perUnit[s.Unit] += s.Count
			if last.IsZero() || s.Last().After(last) {
				last = s.Last()
			}
		}
		if total != 2000 || len(perUnit) != 12 || perUnit["bench011"] != 166 || perUnit["bench000"] != 167 {
			t.Errorf("%d entries, per unit %v", total, perUnit)
		}
		// 21 leaf columns, every one used by some unit.
		cols := map[string]bool{}
		for _, s := range stats {
			cols[s.Column] = true
		}
		if len(cols) != 21 {
			t.Errorf("%d columns used, want 21", len(cols))
		}
		if !last.Equal(end) {
			t.Errorf("newest entry at %v, want %v", last, end)
		}
		// About 90 of 400 days are recent.
		if recent < 430 || recent > 470 {
			t.Errorf("%d recent of 2000, want about 450", recent)
		}
	})
}
