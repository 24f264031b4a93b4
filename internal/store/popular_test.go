package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestPopularCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		add := func(rows ...store.QueryDayCount) {
			t.Helper()
			if err := st.AddPopularCounts(ctx, rows); err != nil {
				t.Fatal(err)
			}
		}
		add(store.QueryDayCount{Query: "公积金", Day: "2026-06-01", Clients: 12, Asks: 40},
			store.QueryDayCount{Query: "社保", Day: "2026-06-01", Clients: 5, Asks: 5},
			store.QueryDayCount{Query: "旧的", Day: "2026-04-01", Clients: 100, Asks: 100},
			store.QueryDayCount{Query: "空的", Day: "2026-06-01"}) // nothing to add: no row
		// A second flush (another window, another replica) adds up.
		// The same key twice in one call is added up too.
		add(store.QueryDayCount{Query: "公积金", Day: "2026-06-01", Clients: 2, Asks: 2},
			store.QueryDayCount{Query: "公积金", Day: "2026-06-02", Clients: 6, Asks: 9},
			store.QueryDayCount{Query: "公积金", Day: "2026-06-01", Clients: 1, Asks: 1})

		tests := []struct {
			name string
			f    store.PopularFilter
			want string
		}{
			{"all since June", store.PopularFilter{Since: "2026-06-01"}, "[公积金 21/52/2 社保 5/5/1]"},
			{"threshold", store.PopularFilter{Since: "2026-06-01", MinClients: 21}, "[公积金 21/52/2]"},
			{"above every count", store.PopularFilter{Since: "2026-06-01", MinClients: 22}, "[]"},
			{"one day", store.PopularFilter{Since: "2026-06-02"}, "[公积金 6/9/1]"},
			{"old days count when asked for", store.PopularFilter{Since: "2026-01-01", Limit: 1}, "[旧的 100/100/1]"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := st.PopularQueries(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if s := popularString(got); s != tc.want {
					t.Errorf("got %s, want %s", s, tc.want)
				}
			})
		}

		// More rows than one statement takes.
		many := make([]store.QueryDayCount, 600)
		for i := range many {
			many[i] = store.QueryDayCount{Query: fmt.Sprintf("批量%03d", i), Day: "2026-05-15", Clients: 1, Asks: 1}
		}
		add(many...)
		if got, _ := st.PopularQueries(ctx, store.PopularFilter{Since: "2026-05-15", Limit: 1000}); len(got) != 602 {
			t.Errorf("%d queries after a flush of 600, want 602", len(got))
		}

		n, err := st.PrunePopularDays(ctx, "2026-05-01")
		if err != nil || n != 1 {
			t.Fatalf("pruned %d rows (%v), want 1", n, err)
		}
		if got, _ := st.PopularQueries(ctx, store.PopularFilter{Since: "2000-01-01", MinClients: 2}); popularString(got) != "[公积金 21/52/2 社保 5/5/1]" {
			t.Errorf("after pruning: %s", popularString(got))
		}
	})
}

func popularString(qs []store.PopularQuery) string {
	out := "["
	for i, q := range qs {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s %d/%d/%d", q.Query, q.Clients, q.Asks, q.Days)
		if q.State != "" {
			out += ":" + q.State
		}
	}
	return out + "]"
}

// Replicas flush concurrently into one database: every count arrives.
func TestPopularCountsConcurrentFlushes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					rows := []store.QueryDayCount{{Query: "公积金", Day: "2026-06-01", Clients: 1, Asks: 2},
						{Query: fmt.Sprintf("查询%d", w), Day: "2026-06-01", Clients: 1, Asks: int64(i)}}
					if err := st.AddPopularCounts(ctx, rows); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := st.PopularQueries(ctx, store.PopularFilter{Since: "2026-06-01", MinClients: 11})
		if err != nil {
			t.Fatal(err)
		}
		if s := popularString(got); s != "[公积金 80/160/1]" {
			t.Errorf("got %s, want 80 clients and 160 asks", s)
		}
	})
}

func TestQueryMarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)
		if err := st.AddPopularCounts(ctx, []store.QueryDayCount{
			{Query: "公积金", Day: "2026-06-01", Clients: 30, Asks: 30},
			{Query: "坏话", Day: "2026-06-01", Clients: 50, Asks: 50},
			{Query: "社保", Day: "2026-06-01", Clients: 25, Asks: 25},
		}); err != nil {
			t.Fatal(err)
		}
		seq0, _, err := st.LastChange(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mark := func(q, state string, at time.Time) (string, error) {
			var prev string
			err := st.WithTx(ctx, func(tx *store.Tx) error {
				var err error
				prev, err = tx.MarkQuery(ctx, q, state, "rev", at)
				return err
			})
			return prev, err
		}
		steps := []struct {
			q, state, prev string
			err            error
		}{
			{"坏话", store.QueryHidden, "", nil},
			{"社保", store.QueryPinned, "", nil},
			{"没人搜", store.QueryPinned, "", nil},
			{"社保", store.QueryPinned, store.QueryPinned, nil}, // again: nothing changes
		}
		for i, s := range steps {
			prev, err := mark(s.q, s.state, at.Add(time.Duration(i)*time.Minute))
			if !errors.Is(err, s.err) || prev != s.prev {
				t.Fatalf("step %d (%s → %s): prev %q err %v, want %q %v", i, s.q, s.state, prev, err, s.prev, s.err)
			}
		}
		public, err := st.PopularQueries(ctx, store.PopularFilter{Since: "2026-06-01", MinClients: 20, Unmarked: true})
		if err != nil {
			t.Fatal(err)
		}
		if s := popularString(public); s != "[公积金 30/30/1]" {
			t.Errorf("unmarked list %s: hidden and pinned queries must be left out", s)
		}
		office, _ := st.PopularQueries(ctx, store.PopularFilter{Since: "2026-06-01"})
		if s := popularString(office); s != "[坏话 50/50/1:hidden 公积金 30/30/1 社保 25/25/1:pinned]" {
			t.Errorf("office list %s", s)
		}
		marks, err := st.QueryMarks(ctx, "2026-06-01")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range marks {
			got = append(got, fmt.Sprintf("%s:%s:%d:%s", m.Query, m.State, m.Clients, m.MarkedBy))
		}
		if s := fmt.Sprint(got); s != "[社保:pinned:25:rev 没人搜:pinned:0:rev 坏话:hidden:50:rev]" {
			t.Errorf("marks %s: pins first in the order pinned, then hides", s)
		}
		// Three changes were logged for the three marks that changed something.
		seq1, _, _ := st.LastChange(ctx)
		if seq1-seq0 != 3 {
			t.Errorf("%d changes logged, want 3", seq1-seq0)
		}
		changes, _ := st.ChangesAfter(ctx, seq0, 10)
		for _, c := range changes {
			if c.Kind != store.ChangePopular {
				t.Errorf("change kind %q, want %q", c.Kind, store.ChangePopular)
			}
		}

		// Pins are bounded.
		for i := 0; i < store.MaxPinnedQueries-2; i++ {
			if _, err := mark(fmt.Sprintf("置顶%d", i), store.QueryPinned, at); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := mark("一个太多", store.QueryPinned, at); !errors.Is(err, store.ErrTooManyPins) {
			t.Fatalf("pin %d: %v, want ErrTooManyPins", store.MaxPinnedQueries+1, err)
		}
		// Hiding a pinned query makes room; resetting takes the mark away.
		if prev, err := mark("社保", store.QueryHidden, at); err != nil || prev != store.QueryPinned {
			t.Fatalf("hide a pin: %q %v", prev, err)
		}
		if _, err := mark("一个太多", store.QueryPinned, at); err != nil {
			t.Fatal(err)
		}
		if prev, err := mark("坏话", "", at); err != nil || prev != store.QueryHidden {
			t.Fatalf("reset: %q %v", prev, err)
		}
		public, _ = st.PopularQueries(ctx, store.PopularFilter{Since: "2026-06-01", MinClients: 20, Unmarked: true})
		if s := popularString(public); s != "[坏话 50/50/1 公积金 30/30/1]" {
			t.Errorf("after reset %s", s)
		}
		if _, err := mark("x", "shown", at); err == nil {
			t.Error("an unknown state was stored")
		}
	})
}

func TestPopularSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		got, err := st.PopularSettings(ctx)
		if err != nil || got != store.DefaultPopularSettings() {
			t.Fatalf("unset: %+v %v", got, err)
		}
		set := func(p store.PopularSettings) error {
			return st.WithTx(ctx, func(tx *store.Tx) error { return tx.SetPopularSettings(ctx, p) })
		}
		tests := []struct {
			p  store.PopularSettings
			ok bool
		}{
			{store.PopularSettings{MinClients: 5, Days: 7}, true},
			{store.PopularSettings{MinClients: 0, Days: 7}, false},
			{store.PopularSettings{MinClients: 5, Days: 0}, false},
			{store.PopularSettings{MinClients: 5, Days: store.MaxPopularDays + 1}, false},
		}
		for _, tc := range tests {
			if err := set(tc.p); (err == nil) != tc.ok {
				t.Errorf("set %+v: %v", tc.p, err)
			}
		}
		if got, _ := st.PopularSettings(ctx); got != (store.PopularSettings{MinClients: 5, Days: 7}) {
			t.Errorf("stored %+v: a refused value replaced the good one", got)
		}
	})
}
