package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func shanghai(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, catalog.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// saveAt stores an entry of unit in column published at a time, in a
// state, withdrawn at a time when withdrawn is given.
func saveAt(t *testing.T, st *store.Store, id, unit, column, published, status, withdrawn string) {
	t.Helper()
	e := catalog.Entry{ID: id, Unit: unit, Column: column, Title: "测试 " + id, Status: status, BodyHTML: "<p>x</p>"}
	if published != "" {
		p := shanghai(published)
		e.PublishedAt = &p
	}
	if withdrawn != "" {
		w := shanghai(withdrawn)
		e.WithdrawnAt, e.WithdrawReason = &w, "测试撤回"
	}
	if _, err := st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: id, Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
}

// PublishStats and PublishCounts, for every unit or some, answer what a
// count over the stored rows made here gives: withdrawn entries count
// until their withdrawal, drafts and entries published after the instant
// never.
func TestPublishStatsAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		for _, u := range []string{"fgw", "jtj", "gxq"} {
			storetest.Unit(t, st, u)
		}
		rows := []struct{ id, unit, column, published, status, withdrawn string }{
			{"a1", "fgw", "tzgg", "2026-01-05 09:00", "published", ""},
			{"a2", "fgw", "tzgg", "2026-06-29 23:59", "published", ""},
			{"a3", "fgw", "zcwj", "2026-04-01 00:00", "published", ""},
			{"a4", "fgw", "zcwj", "2026-07-01 00:00", "published", ""},                 // after the instant
			{"a5", "fgw", "tzgg", "2026-03-01 09:00", "withdrawn", "2026-05-01 09:00"}, // withdrawn before
			{"a6", "jtj", "tzgg", "2026-03-01 09:00", "withdrawn", "2026-07-02 09:00"}, // withdrawn after: stood published
			{"a7", "jtj", "ggfw", "2025-12-31 23:59", "published", ""},
			{"a8", "jtj", "ggfw", "", "draft", ""},
			{"a9", "gxq", "yjgl", "2024-07-01 08:00", "published", ""},
			{"a10", "gxq", "yjgl", "2026-06-30 23:59", "published", ""}, // the instant's last minute
			{"a11", "jtj", "tzgg", "2025-06-30 23:00", "published", ""}, // before the first bucket
		}
		for _, r := range rows {
			saveAt(t, st, r.id, r.unit, r.column, r.published, r.status, r.withdrawn)
		}
		asOf := shanghai("2026-06-30 23:59").Add(59*time.Second + 999*time.Millisecond)
		since := shanghai("2026-04-01 00:00").Add(-time.Millisecond)
		var bounds []time.Time
		for m := 0; m <= 12; m++ {
			bounds = append(bounds, time.Date(2025, 7+time.Month(m), 1, 0, 0, 0, 0, catalog.Shanghai))
		}
		// What stood published at asOf, counted from the rows above.
		type key struct{ unit, column string }
		wantStats := map[key]store.PublishStat{}
		wantBuckets := map[key]int{} // column: the bucket's number
		for _, r := range rows {
			if r.published == "" || shanghai(r.published).After(asOf) ||
				(r.status == "withdrawn" && !shanghai(r.withdrawn).After(asOf)) {
				continue
			}
			p := shanghai(r.published)
			k := key{r.unit, r.column}
			s := wantStats[k]
			s.Unit, s.Column = r.unit, r.column
			s.Count++
			if p.After(since) {
				s.Recent++
			}
			s.LastMS = max(s.LastMS, store.Millis(p))
			wantStats[k] = s
			for i := 0; i+1 < len(bounds); i++ {
				if !p.Before(bounds[i]) && p.Before(bounds[i+1]) {
					wantBuckets[key{r.unit, fmt.Sprint(i)}]++
				}
			}
		}
		for _, tc := range []struct {
			name  string
			units []string
		}{{"every unit", nil}, {"fgw and gxq", []string{"fgw", "gxq"}}, {"jtj", []string{"jtj"}}, {"none", []string{}}, {"unknown", []string{"nope"}}} {
			t.Run(tc.name, func(t *testing.T) {
				keep := func(u string) bool { return tc.units == nil || slices.Contains(tc.units, u) }
				got, err := st.PublishStats(ctx, asOf, since, tc.units)
				if err != nil {
					t.Fatal(err)
				}
				gotStats := map[key]store.PublishStat{}
				for _, s := range got {
					gotStats[key{s.Unit, s.Column}] = s
				}
				for k, w := range wantStats {
					if keep(k.unit) && gotStats[k] != w {
						t.Errorf("PublishStats %v: got %+v, want %+v", k, gotStats[k], w)
					}
				}
				for k, g := range gotStats {
					if _, ok := wantStats[k]; !ok || !keep(k.unit) {
						t.Errorf("PublishStats: unexpected row %+v", g)
					}
				}
				gb, err := st.PublishCounts(ctx, bounds, asOf, tc.units)
				if err != nil {
					t.Fatal(err)
				}
				gotBuckets := map[key]int{}
				for _, b := range gb {
					gotBuckets[key{b.Unit, fmt.Sprint(b.Bucket)}] = b.Count
				}
				for k, w := range wantBuckets {
					if keep(k.unit) && gotBuckets[k] != w {
						t.Errorf("PublishCounts %s bucket %s: got %d, want %d", k.unit, k.column, gotBuckets[k], w)
					}
				}
				for k, g := range gotBuckets {
					if wantBuckets[k] != g || !keep(k.unit) {
						t.Errorf("PublishCounts: unexpected %s bucket %s = %d", k.unit, k.column, g)
					}
				}
			})
		}
		// The figures themselves, as read from the table: fgw's tzgg has
		// a1 and a2 (a5 withdrawn before), one recent; jtj's tzgg keeps a6.
		if s := wantStats[key{"fgw", "tzgg"}]; s.Count != 2 || s.Recent != 1 || !s.Last().Equal(shanghai("2026-06-29 23:59")) {
			t.Errorf("fgw/tzgg: %+v", s)
		}
		if s := wantStats[key{"fgw", "zcwj"}]; s.Count != 1 || s.Recent != 1 {
			t.Errorf("fgw/zcwj: %+v (the entry of 1 April counts as recent, the one of 1 July not at all)", s)
		}
		if s := wantStats[key{"jtj", "tzgg"}]; s.Count != 2 || s.Recent != 0 {
			t.Errorf("jtj/tzgg: %+v", s)
		}
		if len(wantStats) != 5 || wantBuckets[key{"gxq", "11"}] != 1 || wantBuckets[key{"jtj", "0"}] != 0 {
			t.Errorf("the rows' own figures: %v %v", wantStats, wantBuckets)
		}

		// Units of entries, and the change counter moving with each write.
		units, err := st.EntryUnits(ctx, []string{"a1", "a6", "nope"})
		if err != nil || !reflect.DeepEqual(units, map[string]string{"a1": "fgw", "a6": "jtj"}) {
			t.Errorf("EntryUnits: %v, %v", units, err)
		}
		before, err := st.ChangeSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		saveAt(t, st, "b1", "gxq", "yjgl", "2026-06-01 08:00", "published", "")
		if after, _ := st.ChangeSeq(ctx); after != before+1 {
			t.Errorf("change counter %d after one write, was %d", after, before)
		}
	})
}

// Open notices per unit count every state but closed.
func TestOpenNoticesByUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		at := shanghai("2026-06-30 09:00")
		var ids []int64
		for _, n := range []struct{ unit, rule string }{{"fgw", "silent"}, {"fgw", "low_volume"}, {"jtj", "silent"}} {
			err := st.WithTx(ctx, func(t *store.Tx) error {
				no, err := t.InsertNotice(ctx, store.NewNotice{Prefix: "测督", Unit: n.unit, Rule: n.rule, RaisedAt: at, RaisedBy: "test",
					DueAt: at.AddDate(0, 0, 15), Year: 2026})
				ids = append(ids, no.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		closed := at.AddDate(0, 0, 1)
		if err := st.WithTx(ctx, func(t *store.Tx) error {
			_, err := t.UpdateNotice(ctx, ids[2], store.NoticeUpdate{State: store.NoticeClosed, At: closed, ClosedAt: &closed})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := st.OpenNoticesByUnit(ctx)
		if err != nil || !reflect.DeepEqual(got, map[string]int{"fgw": 2}) {
			t.Errorf("open notices by unit: %v, %v", got, err)
		}
	})
}
