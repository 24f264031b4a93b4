package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// dsFields covers every field type.
var dsFields = []catalog.Field{
	{Name: "code", Title: "编号", Type: catalog.TypeString},
	{Name: "n", Title: "整数", Type: catalog.TypeInteger},
	{Name: "amount", Title: "金额", Type: catalog.TypeNumber},
	{Name: "day", Title: "日期", Type: catalog.TypeDate},
	{Name: "at", Title: "时间", Type: catalog.TypeDateTime},
	{Name: "ok", Title: "是否", Type: catalog.TypeBoolean},
	{Name: "note", Title: "备注", Type: catalog.TypeString},
}

func dsMeta(id string) catalog.Dataset {
	return catalog.Dataset{ID: id, Unit: "czj", Title: "测试数据集 " + id, Description: "说明", Domain: "经济统计",
		UpdateFrequency: "每月", OpenType: "无条件开放", License: "署名", Keywords: []string{"财政"},
		PublishedAt: pubTime("2024-03-15"), Fields: append([]catalog.Field(nil), dsFields...)}
}

// dsRow parses raw cells the way an importer does.
func dsRow(t testing.TB, fields []catalog.Field, raw ...string) []catalog.Value {
	t.Helper()
	row := make([]catalog.Value, len(raw))
	for i, r := range raw {
		v, err := fields[i].Parse(r)
		if err != nil {
			t.Fatalf("parse %q as %s: %v", r, fields[i].Type, err)
		}
		row[i] = v
	}
	return row
}

// dsNumbered makes n rows whose code says the row number and the variant.
func dsNumbered(t testing.TB, n int, variant string) [][]catalog.Value {
	rows := make([][]catalog.Value, n)
	for i := range rows {
		ok := "false"
		if i%3 == 0 {
			ok = "true"
		}
		rows[i] = dsRow(t, dsFields, fmt.Sprintf("%s-%05d", variant, i+1), fmt.Sprint(i%10), fmt.Sprintf("%d.%02d", i, i%100),
			"2024-02-29", "2024-09-28T21:13:32+08:00", ok, "")
	}
	return rows
}

func dsSetup(t *testing.T, st *store.Store) {
	t.Helper()
	storetest.Unit(t, st, "czj")
}

func dsRead(t *testing.T, st *store.Store, id string, version int, q store.RowSelect) [][]catalog.Value {
	t.Helper()
	var out [][]catalog.Value
	if err := st.SelectDatasetRows(context.Background(), id, version, q, func(_ int64, row []catalog.Value) error {
		out = append(out, row)
		return nil
	}); err != nil {
		t.Fatalf("SelectDatasetRows(%s, %d): %v", id, version, err)
	}
	return out
}

func dsSame(a, b catalog.Value) bool {
	return a.Type == b.Type && a.Null == b.Null && a.Text == b.Text && a.Int == b.Int && a.Bool == b.Bool
}

func TestDatasetHostileValuesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		long := strings.Repeat("临沂市政务服务事项，", 2000) // 20 000 characters
		raw := [][]string{
			{"0539", "007", "-0.50", "2024-02-29", "2024-11-06T15:51:40", "TRUE", `他说："是的，""引号""", 还有逗号,`},
			{"007", "-9223372036854775808", "0.30000000000000004", "2023-01-01", "2024-09-28T21:13:32+08:00", "0", "line1\r\nline2\nline3\rline4"},
			{" leading and trailing spaces ", "9223372036854775807", "1000000", "0001-01-01", "2024-11-06 15:51:40.125Z", "False", "（全角标点：，。；！？）"},
			{"", "", "", "", "", "", ""},
			{"\t", "0", "123456789012345678901234567890.000000000000000000001", "2000-02-29", "2024-11-06T15:51", "1", long},
			{`'; DROP TABLE datasets; --`, "+5", "+3.10", "2024-12-31", "2024-12-31T23:59:59-05:00", "false", "\"quoted\""},
		}
		want := make([][]catalog.Value, len(raw))
		for i, r := range raw {
			want[i] = dsRow(t, dsFields, r...)
		}
		res, version, err := st.SaveDatasetVersion(ctx, dsMeta("hostile"), store.RowsOf(want))
		if err != nil || res != store.Added || version != 1 {
			t.Fatalf("save: %v, %d, %v", res, version, err)
		}
		got := dsRead(t, st, "hostile", 0, store.RowSelect{})
		if len(got) != len(want) {
			t.Fatalf("read %d rows, want %d", len(got), len(want))
		}
		for i := range want {
			for j := range want[i] {
				if !dsSame(got[i][j], want[i][j]) {
					t.Errorf("row %d field %s: got %+v, want %+v", i+1, dsFields[j].Name, got[i][j], want[i][j])
				}
			}
		}
		// Spot checks of the exact texts promised to clients.
		checks := []struct {
			row, field int
			text       string
		}{
			{0, 0, "0539"}, {1, 0, "007"}, {0, 1, "7"}, {0, 2, "-0.50"}, {1, 2, "0.30000000000000004"},
			{2, 2, "1000000"}, {0, 5, "true"}, {2, 5, "false"}, {1, 6, "line1\r\nline2\nline3\rline4"},
			{5, 2, "3.10"}, {5, 1, "5"}, {4, 6, long},
		}
		for _, c := range checks {
			if g := got[c.row][c.field].Text; g != c.text {
				t.Errorf("row %d field %s = %q, want %q", c.row+1, dsFields[c.field].Name, g, c.text)
			}
		}
		for j, v := range got[3] {
			if !v.Null {
				t.Errorf("empty cell of %s came back as %+v", dsFields[j].Name, v)
			}
		}

		d, err := st.Dataset(ctx, "hostile")
		if err != nil {
			t.Fatal(err)
		}
		if d.Version != 1 || d.RowCount != int64(len(raw)) || d.Title != "测试数据集 hostile" || len(d.Fields) != len(dsFields) ||
			d.PublishedAt == nil || d.PublishedAt.In(catalog.Shanghai).Format("2006-01-02") != "2024-03-15" {
			t.Errorf("Dataset = %+v", d)
		}
		list, err := st.Datasets(ctx)
		if err != nil || len(list) != 1 || list[0].ID != "hostile" {
			t.Errorf("Datasets = %+v, %v", list, err)
		}
	})
}

func TestDatasetReimportAndVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		rows := dsNumbered(t, 50, "a")
		steps := []struct {
			name    string
			meta    func(*catalog.Dataset)
			rows    [][]catalog.Value
			res     store.WriteResult
			version int
			logged  bool
		}{
			{"first", nil, rows, store.Added, 1, true},
			{"same again", nil, rows, store.Unchanged, 1, false},
			{"metadata only", func(d *catalog.Dataset) { d.Title = "新标题"; d.Fields[0].Title = "新编号" }, rows, store.Updated, 1, true},
			{"same metadata again", func(d *catalog.Dataset) { d.Title = "新标题"; d.Fields[0].Title = "新编号" }, rows, store.Unchanged, 1, false},
			{"new rows", func(d *catalog.Dataset) { d.Title = "新标题"; d.Fields[0].Title = "新编号" }, dsNumbered(t, 60, "b"), store.Updated, 2, true},
			{"old rows back", nil, rows, store.Updated, 3, true},
		}
		for _, s := range steps {
			meta := dsMeta("reimport")
			if s.meta != nil {
				s.meta(&meta)
			}
			before, _, err := st.LastChange(ctx)
			if err != nil {
				t.Fatal(err)
			}
			res, version, err := st.SaveDatasetVersion(ctx, meta, store.RowsOf(s.rows))
			if err != nil || res != s.res || version != s.version {
				t.Fatalf("%s: got %v, version %d, %v; want %v, version %d", s.name, res, version, err, s.res, s.version)
			}
			after, _, _ := st.LastChange(ctx)
			if logged := after > before; logged != s.logged {
				t.Errorf("%s: change logged = %v, want %v", s.name, logged, s.logged)
			}
			if s.logged {
				changes, err := st.ChangesAfter(ctx, before, 10)
				if err != nil || len(changes) != 1 || changes[0].Kind != store.ChangeDataset || changes[0].Ref != "reimport" {
					t.Errorf("%s: changes = %+v, %v", s.name, changes, err)
				}
			}
			d, err := st.Dataset(ctx, "reimport")
			if err != nil || d.Title != meta.Title || d.Fields[0].Title != meta.Fields[0].Title || d.RowCount != int64(len(s.rows)) {
				t.Errorf("%s: Dataset = %+v, %v", s.name, d, err)
			}
		}
		versions, err := st.DatasetVersions(ctx, "reimport")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range versions {
			got = append(got, fmt.Sprintf("%d:%s:%d", v.Version, v.State, v.RowCount))
		}
		if want := "3:live:50 2:kept:60 1:kept:50"; strings.Join(got, " ") != want {
			t.Errorf("versions = %v, want %s", got, want)
		}
		if versions[2].Fields[0].Title != "新编号" {
			t.Errorf("metadata update did not reach version 1's fields: %+v", versions[2].Fields[0])
		}
		first := dsRead(t, st, "reimport", 2, store.RowSelect{Limit: 1})
		if first[0][0].Text != "b-00001" {
			t.Errorf("version 2 row 1 = %v", first[0][0])
		}
	})
}

func TestDatasetAtomicReplace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		const n = 2500 // more than two read chunks
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("swap"), store.RowsOf(dsNumbered(t, n, "old"))); err != nil {
			t.Fatal(err)
		}
		// A reader of the live version is pinned when it starts: a new
		// version committed half-way through does not change what it reads.
		var seen, fromNew int
		swapped := false
		err := st.SelectDatasetRows(ctx, "swap", 0, store.RowSelect{}, func(_ int64, row []catalog.Value) error {
			seen++
			if !strings.HasPrefix(row[0].Text, "old-") {
				fromNew++
			}
			if seen == 1200 && !swapped {
				swapped = true
				res, v, err := st.SaveDatasetVersion(ctx, dsMeta("swap"), store.RowsOf(dsNumbered(t, n+10, "new")))
				if err != nil || res != store.Updated || v != 2 {
					return fmt.Errorf("swap: %v %d %v", res, v, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen != n || fromNew != 0 {
			t.Fatalf("pinned reader saw %d rows, %d from the new version; want %d old rows", seen, fromNew, n)
		}
		// New readers get the new version; the old one is still readable.
		live := dsRead(t, st, "swap", 0, store.RowSelect{})
		if len(live) != n+10 || live[0][0].Text != "new-00001" {
			t.Fatalf("live version: %d rows, first %v", len(live), live[0][0])
		}
		old := dsRead(t, st, "swap", 1, store.RowSelect{Limit: 3})
		if len(old) != 3 || old[2][0].Text != "old-00003" {
			t.Fatalf("old version: %v", old)
		}
		if c, err := st.CountSelectedDatasetRows(ctx, "swap", 1, store.RowSelect{Filters: multi(nil)}); err != nil || c != n {
			t.Fatalf("count v1 = %d, %v", c, err)
		}
		if c, err := st.CountSelectedDatasetRows(ctx, "swap", 0, store.RowSelect{Filters: multi(nil)}); err != nil || c != n+10 {
			t.Fatalf("count live = %d, %v", c, err)
		}
	})
}

func TestDatasetFailedSaveLeavesPreviousVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		rows := dsNumbered(t, 20, "keep")
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("fail"), store.RowsOf(rows)); err != nil {
			t.Fatal(err)
		}
		bad := dsNumbered(t, 1500, "bad")
		bad[1400][1] = catalog.TextValue(catalog.TypeString, "not an int") // wrong type deep in the stream
		tests := []struct {
			name string
			meta catalog.Dataset
			rows [][]catalog.Value
		}{
			{"wrong value type", dsMeta("fail"), bad},
			{"short row", dsMeta("fail"), [][]catalog.Value{rows[0][:3]}},
			{"unknown unit", func() catalog.Dataset { d := dsMeta("fail"); d.Unit = "nobody"; return d }(), rows},
			{"invalid metadata", func() catalog.Dataset { d := dsMeta("fail"); d.Domain = "无"; return d }(), rows},
		}
		for _, tc := range tests {
			if _, _, err := st.SaveDatasetVersion(ctx, tc.meta, store.RowsOf(tc.rows)); err == nil {
				t.Errorf("%s: saved", tc.name)
			}
		}
		_, _, err := st.SaveDatasetVersion(ctx, func() catalog.Dataset { d := dsMeta("fail"); d.Unit = "nobody"; return d }(), store.RowsOf(rows))
		if fe, ok := catalog.AsFieldErrors(err); !ok || fe[0].Field != "unit" {
			t.Errorf("unknown unit: %v", err)
		}
		d, err := st.Dataset(ctx, "fail")
		if err != nil || d.Version != 1 || d.RowCount != 20 {
			t.Fatalf("after failures: %+v, %v", d, err)
		}
		if got := dsRead(t, st, "fail", 0, store.RowSelect{}); len(got) != 20 || got[0][0].Text != "keep-00001" {
			t.Fatalf("rows after failures: %d", len(got))
		}
		if _, err := st.Dataset(ctx, "never"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing dataset: %v", err)
		}
		_, _, err = st.SaveDatasetVersion(ctx, func() catalog.Dataset { d := dsMeta("brand-new"); d.Unit = "nobody"; return d }(), store.RowsOf(rows))
		if err == nil {
			t.Fatal("saved with unknown unit")
		}
		if _, err := st.Dataset(ctx, "brand-new"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("failed new dataset is visible: %v", err)
		}
	})
}

func TestDatasetKeysetPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		const n = 2345
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("pages"), store.RowsOf(dsNumbered(t, n, "p"))); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{999, 1000, 1001, 700, n, n + 5} {
			t.Run(fmt.Sprint(size), func(t *testing.T) {
				seen := map[string]int{}
				var after int64
				pages := 0
				for {
					got := 0
					err := st.SelectDatasetRows(ctx, "pages", 0, store.RowSelect{AfterRow: after, Limit: size, Fields: []string{"code"}},
						func(num int64, row []catalog.Value) error {
							if num <= after {
								return fmt.Errorf("row %d after %d", num, after)
							}
							if want := fmt.Sprintf("p-%05d", num); row[0].Text != want || len(row) != 1 {
								return fmt.Errorf("row %d = %v, want %s", num, row, want)
							}
							seen[row[0].Text]++
							after = num
							got++
							return nil
						})
					if err != nil {
						t.Fatal(err)
					}
					if got > size {
						t.Fatalf("page of %d rows for limit %d", got, size)
					}
					if got == 0 {
						break
					}
					pages++
				}
				if len(seen) != n {
					t.Fatalf("saw %d distinct rows, want %d", len(seen), n)
				}
				for k, c := range seen {
					if c != 1 {
						t.Fatalf("row %s seen %d times", k, c)
					}
				}
				if want := (n + size - 1) / size; pages != want {
					t.Errorf("%d pages, want %d", pages, want)
				}
			})
		}
		// Offset and limit, and a field selection in another order.
		got := dsRead(t, st, "pages", 0, store.RowSelect{Offset: 1500, Limit: 3, Fields: []string{"n", "code"}})
		if len(got) != 3 || got[0][1].Text != "p-01501" || got[2][1].Text != "p-01503" || got[0][0].Type != catalog.TypeInteger {
			t.Errorf("offset page = %v", got)
		}
		if got := dsRead(t, st, "pages", 0, store.RowSelect{Offset: n - 2}); len(got) != 2 {
			t.Errorf("tail from offset: %d rows", len(got))
		}
		if got := dsRead(t, st, "pages", 0, store.RowSelect{AfterRow: int64(n)}); len(got) != 0 {
			t.Errorf("after the last row: %d rows", len(got))
		}
		stop := errors.New("stop")
		calls := 0
		err := st.SelectDatasetRows(ctx, "pages", 0, store.RowSelect{}, func(int64, []catalog.Value) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("callback error: %v after %d calls", err, calls)
		}
		err = st.SelectDatasetRows(ctx, "pages", 0, store.RowSelect{Fields: []string{"nope"}}, func(int64, []catalog.Value) error { return nil })
		if _, ok := catalog.AsFieldErrors(err); !ok {
			t.Errorf("unknown field selected: %v", err)
		}
	})
}

func TestDatasetFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		rows := dsNumbered(t, 1200, "f")
		rows = append(rows,
			dsRow(t, dsFields, "0539", "", "-0.50", "", "", "", "逗号,和\n换行"),
			dsRow(t, dsFields, "007", "42", "0.30000000000000004", "2023-01-01", "2024-11-06T15:51:40", "是", ""))
		if _, _, err := st.SaveDatasetVersion(ctx, dsMeta("filters"), store.RowsOf(rows)); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			filters map[string]string
			count   int64
			first   string // code of the first match
		}{
			{"string exact", map[string]string{"code": "0539"}, 1, "0539"},
			{"string keeps leading zeros", map[string]string{"code": "539"}, 0, ""},
			{"string with comma and newline", map[string]string{"note": "逗号,和\n换行"}, 1, "0539"},
			{"integer", map[string]string{"n": "7"}, 120, "f-00008"},
			{"integer canonical", map[string]string{"n": "+07"}, 120, "f-00008"},
			{"integer and boolean", map[string]string{"n": "3", "ok": "true"}, 40, "f-00004"},
			{"boolean word", map[string]string{"ok": "FALSE"}, 800, "f-00002"},
			{"number exact text", map[string]string{"amount": "-0.50"}, 1, "0539"},
			{"number long", map[string]string{"amount": "0.30000000000000004"}, 1, "007"},
			{"number other scale", map[string]string{"amount": "-0.5"}, 0, ""},
			{"date", map[string]string{"day": "2023-01-01"}, 1, "007"},
			{"datetime", map[string]string{"at": "2024-11-06T15:51:40"}, 1, "007"},
			{"empty means null", map[string]string{"n": "", "day": ""}, 1, "0539"},
			{"beyond first chunk", map[string]string{"code": "f-01200"}, 1, "f-01200"},
			{"no match", map[string]string{"code": "nothing"}, 0, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c, err := st.CountSelectedDatasetRows(ctx, "filters", 0, store.RowSelect{Filters: multi(tc.filters)})
				if err != nil || c != tc.count {
					t.Fatalf("count = %d, %v; want %d", c, err, tc.count)
				}
				got := dsRead(t, st, "filters", 0, store.RowSelect{Filters: multi(tc.filters)})
				if int64(len(got)) != tc.count {
					t.Fatalf("read %d rows, want %d", len(got), tc.count)
				}
				if tc.first != "" && got[0][0].Text != tc.first {
					t.Fatalf("first match %q, want %q", got[0][0].Text, tc.first)
				}
			})
		}
		bad := []map[string]string{
			{"nope": "1"},
			{"n": "1.5"},
			{"amount": "1e3"},
			{"day": "2023-02-30"},
			{"ok": "maybe"},
		}
		for _, f := range bad {
			err := st.SelectDatasetRows(ctx, "filters", 0, store.RowSelect{Filters: multi(f)}, func(int64, []catalog.Value) error { return nil })
			if _, ok := catalog.AsFieldErrors(err); !ok {
				t.Errorf("filter %v: error %v, want field errors", f, err)
			}
			if _, err := st.CountSelectedDatasetRows(ctx, "filters", 0, store.RowSelect{Filters: multi(f)}); err == nil {
				t.Errorf("count with filter %v: no error", f)
			}
		}
	})
}

func TestDatasetKeepsFiveVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		for i := 1; i <= 7; i++ {
			_, v, err := st.SaveDatasetVersion(ctx, dsMeta("kept"), store.RowsOf(dsNumbered(t, i, fmt.Sprint("v", i))))
			if err != nil || v != i {
				t.Fatalf("version %d: %d, %v", i, v, err)
			}
		}
		versions, err := st.DatasetVersions(ctx, "kept")
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for _, v := range versions {
			states = append(states, fmt.Sprintf("%d:%s", v.Version, v.State))
		}
		if want := "7:live 6:kept 5:kept 4:kept 3:kept 2:dropped 1:dropped"; strings.Join(states, " ") != want {
			t.Fatalf("states = %v, want %s", states, want)
		}
		for v := 1; v <= 7; v++ {
			err := st.SelectDatasetRows(ctx, "kept", v, store.RowSelect{}, func(int64, []catalog.Value) error { return nil })
			if dropped := v <= 2; dropped != errors.Is(err, store.ErrNotFound) {
				t.Errorf("version %d: %v", v, err)
			}
		}
		if got := dsRead(t, st, "kept", 3, store.RowSelect{}); len(got) != 3 || got[0][0].Text != "v3-00001" {
			t.Errorf("version 3: %v", got)
		}
		if _, err := st.CountSelectedDatasetRows(ctx, "kept", 8, store.RowSelect{Filters: multi(nil)}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("version 8: %v", err)
		}
	})
}

func TestDatasetConcurrentSaves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dsSetup(t, st)
		const writers = 4
		type result struct {
			res     store.WriteResult
			version int
			err     error
		}
		results := make(chan result, writers)
		for w := range writers {
			go func() {
				res, v, err := st.SaveDatasetVersion(ctx, dsMeta("race"), store.RowsOf(dsNumbered(t, 300+w, fmt.Sprint("w", w))))
				results <- result{res, v, err}
			}()
		}
		versions := map[int]bool{}
		added := 0
		for range writers {
			r := <-results
			if r.err != nil {
				t.Fatalf("concurrent save: %v", r.err)
			}
			versions[r.version] = true
			if r.res == store.Added {
				added++
			}
		}
		if len(versions) != writers || added != 1 {
			t.Fatalf("versions %v, %d added; want %d distinct versions, 1 added", versions, added, writers)
		}
		d, err := st.Dataset(ctx, "race")
		if err != nil || d.Version != writers {
			t.Fatalf("dataset after the race: %+v, %v", d, err)
		}
		rows := dsRead(t, st, "race", 0, store.RowSelect{})
		if int64(len(rows)) != d.RowCount {
			t.Fatalf("live version has %d rows, row_count says %d", len(rows), d.RowCount)
		}
	})
}

// multi turns one value per field into the filter shape of RowSelect.
func multi(m map[string]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = []string{v}
	}
	return out
}
