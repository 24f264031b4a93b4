package indexer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func testPopular(st *store.Store, now time.Time) *popular {
	p := newPopular(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	p.now = func() time.Time { return now }
	return p
}

func listString(qs []store.QueryCount) string {
	out := ""
	for i, q := range qs {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s:%d", q.Query, q.Count)
	}
	return "[" + out + "]"
}

// ask makes n distinct clients (named from prefix) ask q, each three times.
func ask(p *popular, q, prefix string, n int) {
	for i := range n {
		for range 3 {
			p.recordFrom(q, fmt.Sprintf("%s%d", prefix, i))
		}
	}
}

// Two replicas flush into one database: their counts add up, and the
// public list shows only queries asked by enough distinct clients.
func TestPopularReplicasAddUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		other, err := store.Open(ctx, st.Redacted())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		now := at(10, 0)
		a, b := testPopular(st, now), testPopular(other, now)

		ask(a, "公积金", "10.0.0.", 12)
		ask(b, "公积金", "10.0.1.", 9)
		ask(a, "社保", "10.0.2.", 19)
		for range 10000 {
			b.recordFrom("刷榜", "198.51.100.1") // one client, over and over
		}
		a.recordFrom("13805391234", "10.0.3.1") // never stored
		for _, p := range []*popular{a, b} {
			if err := p.flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		all, err := st.PopularQueries(ctx, store.PopularFilter{Since: "2026-06-01"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, q := range all {
			got[q.Query] = fmt.Sprintf("%d/%d", q.Clients, q.Asks)
		}
		want := map[string]string{"公积金": "21/63", "社保": "19/57", "刷榜": "1/10000"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stored %v, want %v", got, want)
		}

		tests := []struct {
			minClients int
			want       string
		}{
			{20, "[公积金:21]"},
			{19, "[公积金:21 社保:19]"},
			{1, "[公积金:21 社保:19 刷榜:1]"},
			{22, "[]"},
		}
		for i, tc := range tests {
			t.Run(fmt.Sprint("at least ", tc.minClients), func(t *testing.T) {
				if err := st.WithTx(ctx, func(tx *store.Tx) error {
					return tx.SetPopularSettings(ctx, store.PopularSettings{MinClients: tc.minClients, Days: 30})
				}); err != nil {
					t.Fatal(err)
				}
				// A new checkpoint: the settings are read again.
				list, err := a.top(ctx, 10, int64(100+i))
				if err != nil {
					t.Fatal(err)
				}
				if s := listString(list); s != tc.want {
					t.Errorf("public list %s, want %s", s, tc.want)
				}
			})
		}
	})
}

// The office's hides and pins show as soon as the replica's index has
// followed the change, the counts of the last N days only.
func TestPopularModeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := at(10, 0)
		if err := st.AddPopularCounts(ctx, []store.QueryDayCount{
			{Query: "公积金", Day: "2026-06-01", Clients: 30, Asks: 30},
			{Query: "不雅词", Day: "2026-06-01", Clients: 50, Asks: 50},
			{Query: "社保", Day: "2026-05-20", Clients: 25, Asks: 25},
			{Query: "去年的", Day: "2026-04-01", Clients: 90, Asks: 90}, // before the 30 days
		}); err != nil {
			t.Fatal(err)
		}
		p := testPopular(st, now)
		mark := func(q, state string) {
			t.Helper()
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.MarkQuery(ctx, q, state, "rev", now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		steps := []struct {
			name string
			do   func()
			seq  int64
			want string
		}{
			{"by clients, last 30 days", func() {}, 1, "[不雅词:50 公积金:30 社保:25]"},
			{"hidden, not yet followed: still cached", func() { mark("不雅词", store.QueryHidden) }, 1, "[不雅词:50 公积金:30 社保:25]"},
			{"hidden once followed", func() {}, 2, "[公积金:30 社保:25]"},
			{"pinned first, even with few clients", func() { mark("新政策", store.QueryPinned); mark("社保", store.QueryPinned) }, 3, "[新政策:0 社保:25 公积金:30]"},
			{"reset", func() { mark("不雅词", ""); mark("社保", ""); mark("新政策", "") }, 4, "[不雅词:50 公积金:30 社保:25]"},
		}
		for _, s := range steps {
			s.do()
			list, err := p.top(ctx, 3+1, s.seq)
			if err != nil {
				t.Fatal(err)
			}
			if got := listString(list); got != s.want {
				t.Errorf("%s: %s, want %s", s.name, got, s.want)
			}
		}
		list, _ := p.top(ctx, 2, 4)
		if got := listString(list); got != "[不雅词:50 公积金:30]" {
			t.Errorf("two asked for: %s", got)
		}
	})
}

// Pruning runs once a day across replicas and keeps the days the
// settings count; a replica that died while pruning left its day claimed
// and unfinished, and the next replica's prune past the claim's lease
// takes it over, prunes and finishes it.
func TestPopularPrune(t *testing.T) {
	for _, c := range []struct {
		name string
		dead bool // a replica died at 09:00 while pruning the day
	}{{"first of the day", false}, {"after a dead replica", true}} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				if err := st.AddPopularCounts(ctx, []store.QueryDayCount{
					{Query: "公积金", Day: "2026-06-01", Clients: 3, Asks: 3},
					{Query: "公积金", Day: "2026-05-03", Clients: 2, Asks: 2}, // the 30th day back
					{Query: "公积金", Day: "2026-05-02", Clients: 1, Asks: 1},
				}); err != nil {
					t.Fatal(err)
				}
				if c.dead {
					if ok, err := st.ClaimJobRun(ctx, PopularJob, "2026-06-01", "dead:1", at(9, 0)); err != nil || !ok {
						t.Fatalf("claim: %v %v", ok, err)
					}
				}
				p := testPopular(st, at(10, 0))
				p.prune(ctx)
				all, _ := st.PopularQueries(ctx, store.PopularFilter{Since: "2000-01-01"})
				if len(all) != 1 || all[0].Clients != 5 || all[0].Days != 2 {
					t.Errorf("after pruning %+v, want 5 clients over 2 days", all)
				}
				runs, err := st.JobRuns(ctx, PopularJob, 10)
				if err != nil || len(runs) != 1 || runs[0].Day != "2026-06-01" || runs[0].Runner != p.runner {
					t.Fatalf("job runs %+v %v: one claim for the day, this replica's", runs, err)
				}
				if f := runs[0].FinishedAt(); f == nil || !f.Equal(at(10, 0)) {
					t.Errorf("the day's pruning finished at %v, want %v", f, at(10, 0))
				}
				// Another replica the same day does not run it again.
				q := testPopular(st, at(11, 0))
				q.runner = "other:2"
				q.prune(ctx)
				if runs, _ := st.JobRuns(ctx, PopularJob, 10); len(runs) != 1 || runs[0].Runner != p.runner {
					t.Errorf("job runs %+v, want the first replica's only", runs)
				}
			})
		})
	}
}
