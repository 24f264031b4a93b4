package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// rev is one revision of an entry: its validity, recorded at a time.
type rev struct{ validity, at string }

// saveRevisions stores an entry through its revisions, each recorded at
// its own time (set behind the store's clock, which is the wall's).
func saveRevisions(t *testing.T, st *store.Store, id, unit, column, written, published, status, withdrawn string, revs ...rev) {
	t.Helper()
	ctx := context.Background()
	e := catalog.Entry{ID: id, Unit: unit, Column: column, Title: "规范性文件 " + id, WrittenAt: written, Status: status, BodyHTML: "<p>x</p>"}
	if published != "" {
		p := shanghai(published)
		e.PublishedAt = &p
	}
	if withdrawn != "" {
		w := shanghai(withdrawn)
		e.WithdrawnAt, e.WithdrawReason = &w, "测试撤回"
	}
	for i, r := range revs {
		e.Validity = r.validity
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: fmt.Sprintf("%s-%d", id, i), Actor: "test"}}); err != nil {
			t.Fatal(err)
		}
		at := store.Millis(shanghai(r.at))
		if err := st.ExecRawForTest(ctx, `UPDATE entry_revisions SET at = ? WHERE entry_id = ? AND revision = ?`, at, id, i+1); err != nil {
			t.Fatal(err)
		}
		if err := st.ExecRawForTest(ctx, `UPDATE entries SET updated_at = ? WHERE id = ?`, at, id); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAnnualNormative(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		for _, e := range []struct {
			id, unit, column, written, published, status, withdrawn string
			revs                                                    []rev
		}{
			{"n1", "fgw", "gfxwj", "2025-03-01", "2025-03-05 09:00", "published", "", []rev{{"有效", "2025-03-05 09:00"}}},
			{"n2", "fgw", "gfxwj", "2024-12-20", "2025-01-05 09:00", "published", "", []rev{{"有效", "2025-01-05 09:00"}}}, // written the year before
			{"n3", "fgw", "gfxwj", "", "2025-06-01 09:00", "published", "", []rev{{"", "2025-06-01 09:00"}}},             // no written date, no validity
			{"n4", "fgw", "gfxwj", "2025-12-28", "2026-01-10 09:00", "published", "", []rev{{"有效", "2026-01-10 09:00"}}}, // issued in the year, published after
			{"n5", "fgw", "gfxwj", "2020-01-01", "2020-01-02 09:00", "published", "", []rev{{"有效", "2020-01-02 09:00"}, {"废止", "2025-07-01 10:00"}}},
			{"n6", "fgw", "gfxwj", "2019-05-01", "2019-05-02 09:00", "published", "", []rev{{"有效", "2019-05-02 09:00"}, {"废止", "2026-02-01 10:00"}}},
			{"n7", "fgw", "gfxwj", "2018-01-01", "2018-01-02 09:00", "published", "", []rev{{"失效", "2018-01-02 09:00"}}},
			{"n8", "fgw", "gfxwj", "2021-01-01", "2021-01-02 09:00", "published", "", []rev{{"有效", "2021-01-02 09:00"}, {"废止", "2024-05-01 09:00"},
				{"有效", "2024-06-01 09:00"}, {"失效", "2025-02-01 09:00"}}}, // the latest mark counts
			{"n9", "fgw", "gfxwj", "2025-04-01", "2025-04-02 09:00", "withdrawn", "2025-05-01 09:00", []rev{{"有效", "2025-05-01 09:00"}}},
			{"n10", "fgw", "gfxwj", "2025-08-01", "2025-08-02 09:00", "withdrawn", "2026-03-01 09:00", []rev{{"有效", "2026-03-01 09:00"}}},
			{"n11", "fgw", "zcwj", "2025-02-01", "2025-09-01 09:00", "published", "", []rev{{"有效", "2025-09-01 09:00"}}},
			{"n12", "jtj", "gfxwj", "2025-02-01", "2025-02-02 09:00", "published", "", []rev{{"废止", "2025-02-02 09:00"}}},
			{"n13", "fgw", "gfxwj", "2025-02-01", "", "draft", "", []rev{{"有效", "2025-02-02 09:00"}}},
		} {
			saveRevisions(t, st, e.id, e.unit, e.column, e.written, e.published, e.status, e.withdrawn, e.revs...)
		}
		year := func(y int) (s, e string) { return fmt.Sprintf("%d-01-01 00:00", y), fmt.Sprintf("%d-12-31 23:59", y) }
		for _, tc := range []struct {
			unit string
			year int
			want store.Normative
		}{
			// Issued n1 n3 n4 n10; abolished n5 n8; in force n1 n2 n3 n6 n10.
			{"fgw", 2025, store.Normative{Issued: 4, Abolished: 2, InForce: 5}},
			// 2024: n2 written then (published in January); in force n5 n6 n8
			// (marked 废止 in May, valid again in June, lapsed only in 2025).
			{"fgw", 2024, store.Normative{Issued: 1, Abolished: 0, InForce: 3}},
			{"fgw", 2018, store.Normative{Issued: 1, Abolished: 1, InForce: 0}},
			{"fgw", 2026, store.Normative{Issued: 0, Abolished: 1, InForce: 4}},
			{"jtj", 2025, store.Normative{Issued: 1, Abolished: 1, InForce: 0}},
		} {
			t.Run(fmt.Sprintf("%s/%d", tc.unit, tc.year), func(t *testing.T) {
				s, e := year(tc.year)
				got, err := st.AnnualNormative(ctx, tc.unit, "gfxwj", shanghai(s), shanghai(e).Add(59999*time.Millisecond))
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
			})
		}
		s, e := year(2025)
		counts, err := st.AnnualColumnCounts(ctx, "fgw", shanghai(s), shanghai(e).Add(59999*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(counts) != "[{gfxwj 4} {zcwj 1}]" {
			t.Errorf("entries per column in 2025: %v, want gfxwj 4 (n9 withdrawn in the year), zcwj 1", counts)
		}
	})
}
