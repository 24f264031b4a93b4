package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// keysetModel is the fixture of the keyset tests as plain Go values, the
// reference the store's answers are checked against: row i (1-based) of
// 2,500 numbered rows has code s-%05d, n = (i-1) % 10 and amount
// (i-1) + ((i-1) % 100)/100; row 2,501 has no n and amount -0.50; row
// 2,502 has n = 42 and amount 10.5.
type keysetRow struct {
	num    int64
	code   string
	n      *int64
	amount float64
}

func keysetModel() []keysetRow {
	var out []keysetRow
	for i := int64(1); i <= 2500; i++ {
		n := (i - 1) % 10
		out = append(out, keysetRow{i, fmt.Sprintf("s-%05d", i), &n, float64(i-1) + float64((i-1)%100)/100})
	}
	n42 := int64(42)
	return append(out, keysetRow{2501, "0539", nil, -0.5}, keysetRow{2502, "007", &n42, 10.5})
}

// modelPage answers a RowPage from the model: which rows, in which order.
func modelPage(rows []keysetRow, q store.RowPage) []keysetRow {
	var sel []keysetRow
	for _, r := range rows {
		if q.After > 0 && r.num <= q.After || q.Before > 0 && r.num >= q.Before {
			continue
		}
		if q.Rows != nil && !slices.Contains(q.Rows, r.num) {
			continue
		}
		if want, ok := q.Filters["n"]; ok {
			v := ""
			if r.n != nil {
				v = fmt.Sprint(*r.n)
			}
			if !slices.Contains(want, v) {
				continue
			}
		}
		if q.Text != "" && !strings.Contains(r.code, q.Text) {
			continue
		}
		sel = append(sel, r)
	}
	desc := q.Desc
	if len(q.Sort) == 1 && q.Sort[0].Field == "" {
		desc = q.Sort[0].Desc
	}
	if q.Sorted() {
		slices.SortStableFunc(sel, func(a, b keysetRow) int {
			for _, k := range q.Sort {
				var c int
				switch k.Field {
				case "n":
					switch {
					case a.n == nil && b.n == nil:
					case a.n == nil:
						return 1 // empty last, either direction
					case b.n == nil:
						return -1
					default:
						c = cmp.Compare(*a.n, *b.n)
					}
				case "amount":
					c = cmp.Compare(a.amount, b.amount)
				case "":
					c = cmp.Compare(a.num, b.num)
				}
				if k.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return cmp.Compare(a.num, b.num)
		})
	} else if desc {
		slices.Reverse(sel)
	}
	sel = sel[min(q.Offset, len(sel)):]
	if q.Limit > 0 {
		sel = sel[:min(q.Limit, len(sel))]
	}
	return sel
}

func TestDatasetPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		rows := dsNumbered(t, 2500, "s")
		rows = append(rows,
			dsRow(t, dsFields, "0539", "", "-0.50", "", "", "", "逗号,和\n换行"),
			dsRow(t, dsFields, "007", "42", "10.5", "2023-01-01", "2024-11-06T15:51:40", "是", "全角，标点"))
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("ks"), store.RowsOf(rows)); err != nil {
			t.Fatal(err)
		}
		model := keysetModel()
		n37 := map[string][]string{"n": {"3", "7"}}
		byAmount := []store.RowSort{{Field: "amount", Desc: true}}
		tests := []struct {
			name string
			q    store.RowPage
		}{
			{"first page", store.RowPage{Limit: 100}},
			{"everything", store.RowPage{}},
			{"after a row", store.RowPage{After: 1200, Limit: 50}},
			{"after and offset seek", store.RowPage{After: 1200, Offset: 1000, Limit: 500}},
			{"offset past the end", store.RowPage{Offset: 5000, Limit: 10}},
			{"between bounds", store.RowPage{After: 10, Before: 20}},
			{"downwards", store.RowPage{Desc: true, Limit: 30}},
			{"downwards by sort on the row number", store.RowPage{Sort: []store.RowSort{{Desc: true}}, Offset: 7, Limit: 30}},
			{"downwards before a row with offset", store.RowPage{Desc: true, Before: 100, Offset: 90, Limit: 30}},
			{"downwards past the start", store.RowPage{Desc: true, Offset: 2502, Limit: 30}},
			{"filtered over several chunks", store.RowPage{Filters: n37, Offset: 3, Limit: 450}},
			{"filtered after a row", store.RowPage{Filters: n37, After: 2000, Limit: 1000}},
			{"filtered downwards", store.RowPage{Filters: n37, Desc: true, Before: 2400, Offset: 5, Limit: 1200}},
			{"filtered empty cell", store.RowPage{Filters: map[string][]string{"n": {""}}}},
			{"text", store.RowPage{Text: "s-012", Limit: 70, Offset: 20}},
			{"row numbers", store.RowPage{Rows: []int64{5, 2502, 9, 3000, 9}, Limit: 10}},
			{"row numbers and bounds", store.RowPage{Rows: []int64{5, 6, 7, 8}, After: 5, Before: 8}},
			{"no row numbers", store.RowPage{Rows: []int64{}, Limit: 10}},
			{"sorted by a number, descending", store.RowPage{Sort: byAmount, Limit: 25}},
			{"sorted deep, several chunks", store.RowPage{Sort: byAmount, Offset: 700, Limit: 1500}},
			{"sorted by an integer, empty last", store.RowPage{Sort: []store.RowSort{{Field: "n"}}, Offset: 2490, Limit: 100}},
			{"sorted by two keys and filtered", store.RowPage{Sort: []store.RowSort{{Field: "n", Desc: true}, {Field: "amount"}}, Filters: n37, After: 100, Limit: 300}},
			{"sorted then by row number downwards", store.RowPage{Sort: []store.RowSort{{Field: "n"}, {Desc: true}}, Limit: 40}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				want := modelPage(model, tc.q)
				var got []int64
				err := st.SelectDatasetPage(ctx, "ks", 0, tc.q, func(n int64, row []catalog.Value) error {
					if int(n) < 1 || int(n) > len(model) || row[0].Text != model[n-1].code {
						return fmt.Errorf("row %d came with code %q", n, row[0].Text)
					}
					got = append(got, n)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				wantNums := make([]int64, len(want))
				for i, r := range want {
					wantNums[i] = r.num
				}
				if !slices.Equal(got, wantNums) {
					t.Fatalf("got %d rows %v…, want %d rows %v…", len(got), head(got), len(wantNums), head(wantNums))
				}
				all := tc.q
				all.Offset, all.Limit = 0, 0
				if all.Sorted() {
					all.Sort = nil
				}
				total, err := st.CountDatasetPage(ctx, "ks", 0, tc.q)
				if err != nil || total != int64(len(modelPage(model, all))) {
					t.Errorf("count %d, %v; want %d", total, err, len(modelPage(model, all)))
				}
				if tc.q.Sorted() {
					if _, _, err := st.DatasetPageLast(ctx, "ks", 0, tc.q); err == nil {
						t.Errorf("DatasetPageLast accepted a sorted page")
					}
					return
				}
				last, more, err := st.DatasetPageLast(ctx, "ks", 0, tc.q)
				if err != nil && tc.q.Limit > 0 {
					t.Fatal(err)
				}
				var wantLast int64
				if len(wantNums) > 0 {
					wantLast = wantNums[len(wantNums)-1]
				}
				whole := tc.q
				whole.Limit = 0
				wantMore := len(modelPage(model, whole)) > len(wantNums)
				if err == nil && (last != wantLast || more != wantMore) {
					t.Errorf("page end %d, more %v; want %d, %v", last, more, wantLast, wantMore)
				}
			})
		}

		// A walk by keyset in either direction, the next page after the
		// last row of this one, reads every selected row once.
		for _, walk := range []store.RowPage{{Limit: 333}, {Limit: 97, Filters: n37}, {Limit: 400, Desc: true}, {Limit: 41, Desc: true, Text: "s-02"}} {
			t.Run(fmt.Sprintf("walk %+v", walk), func(t *testing.T) {
				seen := map[int64]int{}
				q := walk
				for pages := 0; ; pages++ {
					last, more, err := st.DatasetPageLast(ctx, "ks", 0, q)
					if err != nil {
						t.Fatal(err)
					}
					var pageLast int64
					if err := st.SelectDatasetPage(ctx, "ks", 0, q, func(n int64, _ []catalog.Value) error {
						seen[n]++
						pageLast = n
						return nil
					}); err != nil {
						t.Fatal(err)
					}
					if pageLast != last {
						t.Fatalf("page ended at %d, look-ahead said %d", pageLast, last)
					}
					if !more {
						break
					}
					if q.Desc {
						q.Before = last
					} else {
						q.After = last
					}
					if pages > 100 {
						t.Fatal("the walk does not end")
					}
				}
				whole := walk
				whole.Limit = 0
				want := modelPage(model, whole)
				if len(seen) != len(want) {
					t.Fatalf("walk read %d rows, want %d", len(seen), len(want))
				}
				for _, r := range want {
					if seen[r.num] != 1 {
						t.Fatalf("row %d read %d times", r.num, seen[r.num])
					}
				}
			})
		}

		t.Run("refused", func(t *testing.T) {
			for _, q := range []store.RowPage{
				{Sort: byAmount, Offset: store.MaxSortedDepth - 10, Limit: 11},
				{Sort: byAmount},
				{Filters: map[string][]string{"nope": {"1"}}, Limit: 5},
				{Filters: map[string][]string{"n": {"x"}}, Limit: 5},
				{Sort: []store.RowSort{{Field: "nope"}}, Limit: 5},
				{After: -1, Limit: 5},
			} {
				err := st.SelectDatasetPage(ctx, "ks", 0, q, func(int64, []catalog.Value) error { return nil })
				if _, ok := catalog.AsFieldErrors(err); !ok {
					t.Errorf("%+v: %v, want field errors", q, err)
				}
			}
			if err := st.SelectDatasetPage(ctx, "ks", 0, store.RowPage{Sort: byAmount, Offset: store.MaxSortedDepth - 10, Limit: 10},
				func(int64, []catalog.Value) error { return nil }); err != nil {
				t.Errorf("a sorted page at the cap: %v", err)
			}
			if _, err := st.CountDatasetPage(ctx, "nope", 0, store.RowPage{}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("count of a missing dataset: %v", err)
			}
		})
	})
}

func head(nums []int64) []int64 { return nums[:min(len(nums), 8)] }
