package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func dsSelect(t *testing.T, st *store.Store, id string, q store.RowSelect) ([]int64, [][]catalog.Value) {
	t.Helper()
	var nums []int64
	var out [][]catalog.Value
	if err := st.SelectDatasetRows(context.Background(), id, 0, q, func(n int64, row []catalog.Value) error {
		nums = append(nums, n)
		out = append(out, row)
		return nil
	}); err != nil {
		t.Fatalf("SelectDatasetRows(%s, %+v): %v", id, q, err)
	}
	return nums, out
}

func TestSelectDatasetRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		rows := dsNumbered(t, 2500, "s")
		rows = append(rows,
			dsRow(t, dsFields, "0539", "", "-0.50", "", "", "", "逗号,和\n换行"),
			dsRow(t, dsFields, "007", "42", "10.5", "2023-01-01", "2024-11-06T15:51:40", "是", "全角，标点"))
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("sel"), store.RowsOf(rows)); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			q     store.RowSelect
			count int64
			first string
			last  string
		}{
			{"all", store.RowSelect{}, 2502, "s-00001", "007"},
			{"one value", store.RowSelect{Filters: map[string][]string{"n": {"7"}}}, 250, "s-00008", "s-02498"},
			{"or within a field", store.RowSelect{Filters: map[string][]string{"n": {"7", "8"}}}, 500, "s-00008", "s-02499"},
			{"or with empty", store.RowSelect{Filters: map[string][]string{"n": {"42", ""}}}, 2, "0539", "007"},
			{"and across fields", store.RowSelect{Filters: map[string][]string{"n": {"3", "4"}, "ok": {"true"}}}, 167, "s-00004", "s-02494"},
			{"string values exactly", store.RowSelect{Filters: map[string][]string{"code": {"0539", "539", "007"}}}, 2, "0539", "007"},
			{"text search", store.RowSelect{Text: "全角"}, 1, "007", "007"},
			{"text search in numbers", store.RowSelect{Text: "-0.5"}, 1, "0539", "0539"},
			{"text and filter", store.RowSelect{Text: "s-0001", Filters: map[string][]string{"n": {"1"}}}, 1, "s-00012", "s-00012"},
			{"limit and offset", store.RowSelect{Limit: 1500, Offset: 1001}, 1500, "s-01002", "0539"},
			{"after row", store.RowSelect{AfterRow: 2500}, 2, "0539", "007"},
			{"sort number desc, empty last", store.RowSelect{Sort: []store.RowSort{{Field: "amount", Desc: true}}, Limit: 3}, 3, "s-02500", "s-02498"},
			{"sort integer asc, empty last", store.RowSelect{Sort: []store.RowSort{{Field: "n"}}, Offset: 2500}, 2, "007", "0539"},
			{"sort paged past a chunk", store.RowSelect{Sort: []store.RowSort{{Field: "n", Desc: true}, {Field: "code"}}, Offset: 1, Limit: 1200}, 1200, "s-00010", "s-01996"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, got := dsSelect(t, st, "sel", tc.q)
				if int64(len(got)) != tc.count {
					t.Fatalf("read %d rows, want %d", len(got), tc.count)
				}
				if got[0][0].Text != tc.first {
					t.Errorf("first %q, want %q", got[0][0].Text, tc.first)
				}
				if l := got[len(got)-1][0].Text; l != tc.last {
					t.Errorf("last %q, want %q", l, tc.last)
				}
				if tc.q.Limit == 0 && tc.q.Offset == 0 && tc.q.AfterRow == 0 {
					c, err := st.CountSelectedDatasetRows(ctx, "sel", 0, tc.q)
					if err != nil || c != tc.count {
						t.Errorf("count = %d, %v; want %d", c, err, tc.count)
					}
				}
			})
		}

		// A sorted read pages through every row exactly once.
		seen := map[int64]bool{}
		for off := 0; ; off += 700 {
			nums, got := dsSelect(t, st, "sel", store.RowSelect{Sort: []store.RowSort{{Field: "ok"}, {Field: "amount", Desc: true}}, Limit: 700, Offset: off})
			for _, n := range nums {
				if seen[n] {
					t.Fatalf("row %d twice", n)
				}
				seen[n] = true
			}
			if len(got) < 700 {
				break
			}
		}
		if len(seen) != 2502 {
			t.Fatalf("sorted paging saw %d rows, want 2502", len(seen))
		}

		// Fields chosen and ordered.
		_, got := dsSelect(t, st, "sel", store.RowSelect{Fields: []string{"note", "code"}, AfterRow: 2501})
		if len(got) != 1 || len(got[0]) != 2 || got[0][0].Text != "全角，标点" || got[0][1].Text != "007" {
			t.Fatalf("fields: %+v", got)
		}

		bad := []store.RowSelect{
			{Filters: map[string][]string{"nope": {"1"}}},
			{Filters: map[string][]string{"n": {"1", "1.5"}}},
			{Fields: []string{"code", "nope"}},
			{Sort: []store.RowSort{{Field: "nope"}}},
			{Sort: []store.RowSort{{Field: "n"}}, AfterRow: 3},
		}
		for _, q := range bad {
			err := st.SelectDatasetRows(ctx, "sel", 0, q, func(int64, []catalog.Value) error { return nil })
			if _, ok := catalog.AsFieldErrors(err); !ok {
				t.Errorf("%+v: error %v, want field errors", q, err)
			}
		}
	})
}

func TestDatasetPageEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("pages"), store.RowsOf(dsNumbered(t, 95, "p"))); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			q    store.RowSelect
			last int64
			more bool
		}{
			{store.RowSelect{Limit: 10}, 10, true},
			{store.RowSelect{Limit: 10, AfterRow: 85}, 95, false},
			{store.RowSelect{Limit: 10, AfterRow: 90}, 0, false},
			{store.RowSelect{Limit: 10, Offset: 80}, 90, true},
			{store.RowSelect{Limit: 5, Filters: map[string][]string{"n": {"3"}}}, 44, true},
			{store.RowSelect{Limit: 5, Filters: map[string][]string{"n": {"3"}}, AfterRow: 44}, 94, false},
			{store.RowSelect{}, 0, false},
		}
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%+v", tc.q), func(t *testing.T) {
				last, more, err := st.DatasetPageEnd(ctx, "pages", 0, tc.q)
				if err != nil || last != tc.last || more != tc.more {
					t.Fatalf("= %d, %v, %v; want %d, %v", last, more, err, tc.last, tc.more)
				}
			})
		}
	})
}

func TestDatasetSummaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("b"), store.RowsOf(dsNumbered(t, 3, "b"))); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("a"), store.RowsOf(dsNumbered(t, 2, "a"))); err != nil {
			t.Fatal(err)
		}
		got, err := st.DatasetSummaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "a" || got[1].RowCount != 3 || got[0].UnitName != "测试单位czj" || got[0].DataUpdatedAt.IsZero() {
			t.Fatalf("summaries: %+v", got)
		}
		v, err := st.DatasetVersionInfo(ctx, "a", 0)
		if err != nil || v.Version != 1 || v.RowCount != 2 || len(v.Fields) != len(dsFields) {
			t.Fatalf("version info: %+v, %v", v, err)
		}
		if _, err := st.DatasetVersionInfo(ctx, "a", 9); err == nil {
			t.Fatal("version 9: no error")
		}
	})
}

// dsCells reads what SelectDatasetCells returns, as row numbers and cells
// (nil: empty), and counts the chunks.
func dsCells(t *testing.T, st *store.Store, id string, q store.RowSelect) ([]int64, [][][]byte, int) {
	t.Helper()
	var nums []int64
	var rows [][][]byte
	chunks := 0
	err := st.SelectDatasetCells(context.Background(), id, 0, q, nil, func(c *store.CellChunk) (*store.CellChunk, error) {
		chunks++
		for i := range c.Len() {
			nums = append(nums, c.Num(i))
			var kept [][]byte
			for _, cell := range c.Row(i, nil) {
				if cell != nil {
					cell = append([]byte{}, cell...)
				}
				kept = append(kept, cell)
			}
			rows = append(rows, kept)
		}
		return c, nil // reused: what was read is copied
	})
	if err != nil {
		t.Fatalf("SelectDatasetCells(%s, %+v): %v", id, q, err)
	}
	return nums, rows, chunks
}

func TestSelectDatasetCells(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		rows := dsNumbered(t, 12500, "c")
		rows = append(rows,
			dsRow(t, dsFields, "0539", "", "-0.50", "", "", "", "逗号,和\r\n换行"),
			dsRow(t, dsFields, "007", "-9223372036854775808", "123456789012345678901234567890.10", "2023-01-01", "2024-11-06T15:51:40", "是", " 空格 "),
			// Stored as given by a caller of SaveDatasetVersion: an empty
			// string is not an empty cell.
			[]catalog.Value{catalog.TextValue(catalog.TypeString, ""), catalog.IntegerValue(0), catalog.TextValue(catalog.TypeNumber, "0.000"),
				catalog.NullValue(catalog.TypeDate), catalog.NullValue(catalog.TypeDateTime), catalog.BooleanValue(false), catalog.NullValue(catalog.TypeString)})
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("cells"), store.RowsOf(rows)); err != nil {
			t.Fatal(err)
		}
		for _, q := range []store.RowSelect{
			{},
			{Filters: map[string][]string{"n": {"7", ""}}},
			{Limit: 10500, Offset: 1001},
			{AfterRow: 12499},
			{AfterRow: 100, Limit: 10100},
			{Fields: []string{"note", "ok", "code"}, Text: "逗号"},
		} {
			t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
				wantNums, want := dsSelect(t, st, "cells", q)
				nums, got, _ := dsCells(t, st, "cells", q)
				if len(got) != len(want) {
					t.Fatalf("%d rows, want %d", len(got), len(want))
				}
				for i := range want {
					if nums[i] != wantNums[i] {
						t.Fatalf("row %d: number %d, want %d", i, nums[i], wantNums[i])
					}
					for k, v := range want[i] {
						c := got[i][k]
						if v.Null != (c == nil) || string(c) != v.Text {
							t.Fatalf("row %d cell %d: %q (nil %v), want %+v", nums[i], k, c, c == nil, v)
						}
					}
				}
			})
		}
		if _, _, chunks := dsCells(t, st, "cells", store.RowSelect{}); chunks != 2 {
			t.Errorf("%d chunks for 12,503 rows, want 2", chunks)
		}
	})
}

func TestSelectDatasetCellsLongCells(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		long := strings.Repeat("长", 100_000) // 300,000 bytes
		var rows [][]catalog.Value
		for i := range 30 {
			rows = append(rows, dsRow(t, dsFields, fmt.Sprintf("L%02d", i), "1", "1.5", "", "", "", long))
		}
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("long"), store.RowsOf(rows)); err != nil {
			t.Fatal(err)
		}
		nums, got, chunks := dsCells(t, st, "long", store.RowSelect{})
		// 9 MB of cells: chunks end at 2 MB, and no row is lost or doubled
		// at their ends.
		if len(got) != 30 || chunks < 4 {
			t.Fatalf("%d rows in %d chunks", len(got), chunks)
		}
		for i, n := range nums {
			if n != int64(i+1) || string(got[i][0]) != fmt.Sprintf("L%02d", i) || string(got[i][6]) != long {
				t.Fatalf("row %d: number %d, code %s", i, n, got[i][0])
			}
		}
	})
}
