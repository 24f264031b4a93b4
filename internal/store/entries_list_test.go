package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestPublishedEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "gxq")
		base := *pubTime("2024-01-01T09:00:00+08:00")
		var ws []store.EntryWrite
		// fgw/tzgg gets 25 entries a day apart; e07 and e08 share a time so
		// that the id breaks the tie.
		for i := 1; i <= 25; i++ {
			e := entry(fmt.Sprintf("e%02d", i), "fgw", "tzgg")
			at := base.AddDate(0, 0, i)
			if i == 8 {
				at = base.AddDate(0, 0, 7)
			}
			e.PublishedAt = &at
			e.BodyText = strings.Repeat("文", 300)
			ws = append(ws, write(e, e.ID))
		}
		later := base.AddDate(0, 2, 0)
		y := entry("y1", "gxq", "yjgl")
		y.PublishedAt = &later
		d := entry("d1", "gxq", "yjgl")
		d.Status = catalog.StatusDraft
		w := entry("w1", "gxq", "yjgl")
		w.Status = catalog.StatusWithdrawn
		ws = append(ws, write(y, "y1"), write(d, "d1"), write(w, "w1"))
		if _, err := st.SaveEntries(ctx, ws); err != nil {
			t.Fatal(err)
		}

		ids := func(list []store.EntrySummary) string {
			var b []string
			for _, e := range list {
				b = append(b, e.ID)
			}
			return strings.Join(b, ",")
		}
		tests := []struct {
			name  string
			q     store.EntryList
			want  string
			count int
		}{
			{"latest everywhere", store.EntryList{Limit: 3}, "y1,e25,e24", 26},
			{"column first page", store.EntryList{Unit: "fgw", Column: "tzgg", Limit: 2}, "e25,e24", 25},
			{"column last page", store.EntryList{Unit: "fgw", Column: "tzgg", Offset: 20, Limit: 20}, "e05,e04,e03,e02,e01", 25},
			{"ties broken by id", store.EntryList{Unit: "fgw", Offset: 17, Limit: 2}, "e08,e07", 25},
			{"column across units", store.EntryList{Column: "yjgl", Limit: 5}, "y1", 1},
			{"empty column", store.EntryList{Unit: "gxq", Column: "tzgg", Limit: 5}, "", 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := st.PublishedEntries(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if ids(got) != tc.want {
					t.Errorf("ids = %s, want %s", ids(got), tc.want)
				}
				n, err := st.CountPublished(ctx, tc.q)
				if err != nil || n != tc.count {
					t.Errorf("count = %d, %v; want %d", n, err, tc.count)
				}
			})
		}

		got, err := st.PublishedEntries(ctx, store.EntryList{Unit: "fgw", Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("%v, %v", got, err)
		}
		e := got[0]
		if e.UnitName != "测试单位fgw" || e.ColumnName != "通知公告" || e.IndexNo == "" || e.Title != "标题 e25" {
			t.Errorf("summary = %+v", e)
		}
		if n := len([]rune(e.Excerpt)); n != 200 {
			t.Errorf("excerpt has %d characters, want 200", n)
		}
		if e.PublishedAt == nil || !e.PublishedAt.Equal(base.AddDate(0, 0, 25)) || e.UpdatedAt.IsZero() {
			t.Errorf("times = %v, %v", e.PublishedAt, e.UpdatedAt)
		}
	})
}

func TestPublishedEntryRefs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		var ws []store.EntryWrite
		for _, id := range []string{"c", "a", "d", "b"} {
			ws = append(ws, write(entry(id, "fgw", "tzgg"), id))
		}
		draft := entry("a0", "fgw", "tzgg")
		draft.Status = catalog.StatusDraft
		ws = append(ws, write(draft, "a0"))
		if _, err := st.SaveEntries(ctx, ws); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			offset, limit int
			want          string
		}{{0, 2, "a,b"}, {2, 2, "c,d"}, {4, 2, ""}} {
			refs, err := st.PublishedEntryRefs(ctx, tc.offset, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refs {
				got = append(got, r.ID)
				if time.Since(r.UpdatedAt) > time.Hour {
					t.Errorf("%s updated at %v", r.ID, r.UpdatedAt)
				}
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("offset %d: %v, want %s", tc.offset, got, tc.want)
			}
		}
	})
}
