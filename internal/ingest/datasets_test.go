package ingest

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestCSVReader(t *testing.T) {
	type rec struct {
		line  int
		cells []string
	}
	tests := []struct {
		name string
		in   string
		want []rec
		err  string // part of the error after the records
	}{
		{"plain LF", "a,b\n1,2\n", []rec{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}}, ""},
		{"CRLF, no final break", "a,b\r\n1,2", []rec{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}}, ""},
		{"BOM", "\xef\xbb\xbfa,b\n1,2\n", []rec{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}}, ""},
		{"empty cells", ",\n,x,\r\n", []rec{{1, []string{"", ""}}, {2, []string{"", "x", ""}}}, ""},
		{"quotes doubled", `"say ""hi""","a,b"` + "\n", []rec{{1, []string{`say "hi"`, "a,b"}}}, ""},
		{"CRLF inside a quoted cell is kept", "h\r\n\"x\r\ny\",z\r\nnext,1\r\n",
			[]rec{{1, []string{"h"}}, {2, []string{"x\r\ny", "z"}}, {4, []string{"next", "1"}}}, ""},
		{"LF and CR inside", "\"a\nb\rc\"\n\"\n\n\"\n", []rec{{1, []string{"a\nb\rc"}}, {3, []string{"\n\n"}}}, ""},
		{"lone CR in unquoted cell", "a\rb,c\n", []rec{{1, []string{"a\rb", "c"}}}, ""},
		{"spaces kept", "  x , \" y \" \n", []rec{{1, []string{"  x ", ` " y " `}}}, ""},
		{"quoted then spaces kept", `" y ",z` + "\n", []rec{{1, []string{" y ", "z"}}}, ""},
		{"bare quote kept", "5\"3,x\n", []rec{{1, []string{"5\"3", "x"}}}, ""},
		{"blank lines skipped", "a\n\n\r\nb\n", []rec{{1, []string{"a"}}, {4, []string{"b"}}}, ""},
		{"empty quoted cell", "\"\"\n", []rec{{1, []string{""}}}, ""},
		{"full width", "（，）,“引号”\n", []rec{{1, []string{"（，）", "“引号”"}}}, ""},
		{"unterminated quote", "a\n\"open\nstill open\n", []rec{{1, []string{"a"}}}, "line 2: a quoted cell is never closed"},
		{"text after quote", "a\n\"x\"y,z\n", []rec{{1, []string{"a"}}}, "line 2: unexpected text after a closing quote"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newCSVReader(strings.NewReader(tc.in))
			var got []rec
			var err error
			for {
				var cells []string
				var line int
				cells, line, err = r.read()
				if err != nil {
					break
				}
				got = append(got, rec{line, cells})
			}
			show := func(rs []rec) string {
				var b strings.Builder
				for _, r := range rs {
					fmt.Fprintf(&b, "%d:%q ", r.line, r.cells)
				}
				return b.String()
			}
			if show(got) != show(tc.want) {
				t.Errorf("records = %s\nwant      %s", show(got), show(tc.want))
			}
			switch {
			case tc.err == "" && err.Error() != "EOF":
				t.Errorf("error %v, want EOF", err)
			case tc.err != "" && !strings.Contains(err.Error(), tc.err):
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
}

// dsImporter returns an importer on st with the given units.
func dsImporter(t *testing.T, st *store.Store, units ...string) *Importer {
	t.Helper()
	for _, u := range units {
		storetest.Unit(t, st, u)
	}
	fs, err := files.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	return New(st, fs)
}

func dsWrite(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// dsCSV writes a CSV file into dir and returns its name relative to dir,
// as an import line names it.
func dsCSV(t *testing.T, dir, name, content string) string {
	t.Helper()
	dsWrite(t, filepath.Join(dir, filepath.FromSlash(name)), content)
	return name
}

// dsLine is a datasets import line.
func dsLine(id, unit, csvPath string, fields ...catalog.Field) string {
	b, _ := json.Marshal(map[string]any{"id": id, "unit": unit, "title": "数据集 " + id, "description": "说明",
		"domain": "公共服务", "update_frequency": "每月", "open_type": "无条件开放", "license": "署名",
		"keywords": []string{"测试"}, "published_at": "2024-03-01", "csv": csvPath, "fields": fields})
	return string(b)
}

func dsReadAll(t *testing.T, st *store.Store, id string, version int) [][]catalog.Value {
	t.Helper()
	var out [][]catalog.Value
	err := st.SelectDatasetRows(context.Background(), id, version, store.RowSelect{}, func(_ int64, row []catalog.Value) error {
		out = append(out, row)
		return nil
	})
	if err != nil {
		t.Fatalf("rows of %s: %v", id, err)
	}
	return out
}

var dsHostileFields = []catalog.Field{
	{Name: "code", Type: "string"}, {Name: "n", Type: "integer"}, {Name: "amount", Type: "number"},
	{Name: "day", Type: "date"}, {Name: "at", Type: "datetime"}, {Name: "ok", Type: "boolean"}, {Name: "text", Type: "string"},
}

func TestImportDatasetsKeepsHostileStrings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im := dsImporter(t, st, "jtj")
		dir := t.TempDir()
		long := strings.Repeat("长文本，含全角标点；", 2000)
		// The header is in another order than the fields; records end in
		// CRLF, and cells hold CRLF, lone CR and LF of their own.
		csvText := "\xef\xbb\xbftext,ok,at,day,amount,n,code\r\n" +
			`"他说：""是的，""",TRUE,2024-09-28T21:13:32+08:00,2024-02-29,-0.50,007,0539` + "\r\n" +
			"\"a\r\nb\nc\rd\",0,2024-11-06T15:51:40,2023-01-01,0.30000000000000004,-1,007\r\n" +
			` leading and trailing ,False,,,1000000,,` + "\"  \"\r\n" +
			`"` + long + `",1,,,,,` + "（全角，标点）\r\n" +
			`,,,,,,` + "\r\n"
		dsWrite(t, filepath.Join(dir, "data", "hostile.csv"), csvText)
		jsonl := dsWrite(t, filepath.Join(dir, "datasets.jsonl"), dsLine("hostile", "jtj", "data/hostile.csv", dsHostileFields...)+"\n")
		rep, err := im.Datasets(ctx, jsonl, Options{})
		if err != nil || !rep.OK() || rep.Added != 1 || rep.RowsImported != 5 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
		want := [][]string{
			{"0539", "7", "-0.50", "2024-02-29", "2024-09-28T21:13:32+08:00", "true", `他说："是的，"`},
			{"007", "-1", "0.30000000000000004", "2023-01-01", "2024-11-06T15:51:40", "false", "a\r\nb\nc\rd"},
			{"  ", "", "1000000", "", "", "false", " leading and trailing "},
			{"（全角，标点）", "", "", "", "", "true", long},
			{"", "", "", "", "", "", ""},
		}
		got := dsReadAll(t, st, "hostile", 0)
		if len(got) != len(want) {
			t.Fatalf("%d rows, want %d", len(got), len(want))
		}
		for i := range want {
			for j := range want[i] {
				if got[i][j].Text != want[i][j] {
					t.Errorf("row %d %s = %q, want %q", i+1, dsHostileFields[j].Name, got[i][j].Text, want[i][j])
				}
				if got[i][j].Null != (want[i][j] == "") {
					t.Errorf("row %d %s null = %v", i+1, dsHostileFields[j].Name, got[i][j].Null)
				}
			}
		}

		rep, err = im.Datasets(ctx, jsonl, Options{})
		if err != nil || !rep.OK() || rep.Unchanged != 1 || rep.RowsImported != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}
		if v, _ := st.DatasetVersions(ctx, "hostile"); len(v) != 1 {
			t.Fatalf("re-import made versions: %+v", v)
		}
	})
}

func TestImportDatasetsBadLines(t *testing.T) {
	fields := []catalog.Field{{Name: "id", Type: "string"}, {Name: "n", Type: "integer"}}
	tests := []struct {
		name    string
		line    func(dir string) string
		reason  string
		badRows []string // RowError.String() of each bad cell
	}{
		{"bad JSON", func(string) string { return `{"id": "x",` }, "JSON", nil},
		{"unknown unit", func(dir string) string {
			return dsLine("x", "nobody", dsCSV(t, dir, "x.csv", "id,n\na,1\n"), fields...)
		}, "unknown unit", nil},
		{"bad field type", func(dir string) string {
			return dsLine("x", "jtj", "x.csv", catalog.Field{Name: "id", Type: "float"})
		}, "fields[0].type", nil},
		{"missing file", func(string) string { return dsLine("x", "jtj", "nope.csv", fields...) }, "cannot open", nil},
		{"empty file", func(dir string) string {
			return dsLine("x", "jtj", dsCSV(t, dir, "x.csv", ""), fields...)
		}, "no header row", nil},
		{"missing header name", func(dir string) string {
			return dsLine("x", "jtj", dsCSV(t, dir, "x.csv", "id\na\n"), fields...)
		}, "field missing from the header", nil},
		{"extra header name", func(dir string) string {
			return dsLine("x", "jtj", dsCSV(t, dir, "x.csv", "id,n,extra\na,1,2\n"), fields...)
		}, `"extra" 不是已定义的字段 (header name not among the fields)`, nil},
		{"duplicate header name", func(dir string) string {
			return dsLine("x", "jtj", dsCSV(t, dir, "x.csv", "id,n,id\na,1,b\n"), fields...)
		}, "duplicate header name", nil},
		{"broken quoting", func(dir string) string {
			return dsLine("x", "jtj", dsCSV(t, dir, "x.csv", "id,n\n\"a\"b,1\n"), fields...)
		}, "CSV syntax error at line 2", nil},
		{"bad cells", func(dir string) string {
			return dsLine("x", "jtj", dsCSV(t, dir, "x.csv", "n,id\n1,a\n1.5,\"b\nc\"\n2,d\n3\nx,e\n"), fields...)
		}, "3 bad rows", []string{
			`row 2 (line 3) n: not an integer (got "1.5")`,
			`row 4 (line 6): 列数不符：有 1 列，表头有 2 列 (has 1 cells, the header has 2)`,
			`row 5 (line 7) n: not an integer (got "x")`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				im := dsImporter(t, st, "jtj")
				dir := t.TempDir()
				good := dsLine("good", "jtj", dsCSV(t, dir, "good.csv", "id,n\na,1\n"), fields...)
				jsonl := dsWrite(t, filepath.Join(dir, "datasets.jsonl"), good+"\n"+tc.line(dir)+"\n")
				rep, err := im.Datasets(ctx, jsonl, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Lines != 2 || rep.Added != 1 || rep.Rejected != 1 || len(rep.Errors) != 1 {
					t.Fatalf("report: %+v", rep)
				}
				if e := rep.Errors[0]; e.Line != 2 || !strings.Contains(e.Reason, tc.reason) {
					t.Fatalf("error = %+v, want line 2 and %q", e, tc.reason)
				}
				var got []string
				for _, e := range rep.BadRows {
					if e.ImportLine != 2 || e.Dataset != "x" {
						t.Errorf("bad row names line %d dataset %q", e.ImportLine, e.Dataset)
					}
					got = append(got, e.String())
				}
				if !slices.Equal(got, tc.badRows) {
					t.Errorf("bad rows = %q\nwant       %q", got, tc.badRows)
				}
				if _, err := st.Dataset(ctx, "x"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("rejected dataset stored: %v", err)
				}
				if _, err := st.Dataset(ctx, "good"); err != nil {
					t.Errorf("good line not imported: %v", err)
				}

				// Strict: the good line is not imported either.
				strictStore := storetest.SQLite(t)
				sim := dsImporter(t, strictStore, "jtj")
				rep, err = sim.Datasets(ctx, jsonl, Options{Strict: true})
				if err != nil || rep.Rejected != 1 || rep.Added != 0 {
					t.Fatalf("strict: %+v, %v", rep, err)
				}
				if _, err := strictStore.Dataset(ctx, "good"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("strict import stored the good line: %v", err)
				}
			})
		})
	}
}

func TestImportDatasetsReplacesOrKeepsVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im := dsImporter(t, st, "jtj")
		dir := t.TempDir()
		fields := []catalog.Field{{Name: "id", Type: "string"}, {Name: "n", Type: "integer"}}
		csvPath := filepath.Join(dir, "d.csv")
		jsonl := filepath.Join(dir, "datasets.jsonl")
		steps := []struct {
			name     string
			csv      string
			title    string
			ok       bool
			result   string
			version  int
			firstRow string
			rows     int
		}{
			{"first", "id,n\na,1\nb,2\n", "", true, "added", 1, "a", 2},
			{"same", "id,n\na,1\nb,2\n", "", true, "unchanged", 1, "a", 2},
			{"bad row keeps version 1", "id,n\nc,1\nd,zwei\n", "", false, "", 1, "a", 2},
			{"metadata only", "id,n\na,1\nb,2\n", "新标题", true, "updated", 1, "a", 2},
			{"new rows", "n,id\n3,c\n", "新标题", true, "updated", 2, "c", 1},
		}
		for _, s := range steps {
			dsWrite(t, csvPath, s.csv)
			line := dsLine("d", "jtj", "d.csv", fields...)
			if s.title != "" {
				line = strings.Replace(line, `"title":"数据集 d"`, `"title":"`+s.title+`"`, 1)
			}
			dsWrite(t, jsonl, line+"\n")
			rep, err := im.Datasets(ctx, jsonl, Options{})
			if err != nil || rep.OK() != s.ok {
				t.Fatalf("%s: %+v, %v", s.name, rep, err)
			}
			counts := map[string]int{"added": rep.Added, "updated": rep.Updated, "unchanged": rep.Unchanged}
			if s.result != "" && counts[s.result] != 1 {
				t.Fatalf("%s: %+v, want %s", s.name, rep, s.result)
			}
			d, err := st.Dataset(ctx, "d")
			if err != nil || d.Version != s.version || d.RowCount != int64(s.rows) {
				t.Fatalf("%s: dataset %+v, %v", s.name, d, err)
			}
			if s.title != "" && d.Title != s.title {
				t.Fatalf("%s: title %q", s.name, d.Title)
			}
			if rows := dsReadAll(t, st, "d", 0); len(rows) != s.rows || rows[0][0].Text != s.firstRow {
				t.Fatalf("%s: rows %v", s.name, rows)
			}
		}
	})
}

// dsSampleDir finds the developer sample: GONGKAI_SAMPLE, or the shared
// folder beside the repository.
func dsSampleDir(t *testing.T) string {
	dir := os.Getenv("GONGKAI_SAMPLE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "sample")
	}
	if _, err := os.Stat(filepath.Join(dir, "datasets.jsonl")); err != nil {
		t.Skip("developer sample not found (set GONGKAI_SAMPLE)")
	}
	return dir
}

type dsSampleBad struct {
	Dataset string `json:"dataset"`
	CSV     string `json:"csv"`
	Total   int    `json:"total_rows"`
	Good    int    `json:"good_rows"`
	Bad     []struct {
		Row    int `json:"row"`
		Line   int `json:"line"`
		Fields []struct {
			Field, Value, Type, Reason string
		} `json:"fields"`
	} `json:"bad"`
	Tricky []struct {
		Row          int
		Field, Value string
	} `json:"valid_tricky_values"`
}

func TestImportSampleDatasets(t *testing.T) {
	sample := dsSampleDir(t)
	var expect []dsSampleBad
	b, err := os.ReadFile(filepath.Join(sample, "bad_rows.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &expect); err != nil {
		t.Fatal(err)
	}
	czj := expect[0]
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im := dsImporter(t, st)
		if rep, err := im.Units(ctx, filepath.Join(sample, "units.jsonl"), Options{}); err != nil || !rep.OK() {
			t.Fatalf("units: %+v, %v", rep, err)
		}
		rep, err := im.Datasets(ctx, filepath.Join(sample, "datasets.jsonl"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Lines != 3 || rep.Added != 2 || rep.Rejected != 1 || rep.RowsRejected != len(czj.Bad) || rep.RowsImported != 160 {
			t.Fatalf("report: %+v", rep)
		}
		if e := rep.Errors[0]; e.Line != 1 || e.ID != czj.Dataset || !strings.Contains(e.Reason, "7 bad rows") {
			t.Fatalf("rejection: %+v", e)
		}
		var want, got []string
		for _, b := range czj.Bad {
			for _, f := range b.Fields {
				want = append(want, fmt.Sprintf("%d/%d/%s/%s/%s/%s", b.Row, b.Line, f.Field, f.Type, f.Value, f.Reason))
			}
		}
		for _, e := range rep.BadRows {
			if e.Dataset != czj.Dataset || e.ImportLine != 1 {
				t.Errorf("bad row of %q line %d", e.Dataset, e.ImportLine)
			}
			got = append(got, fmt.Sprintf("%d/%d/%s/%s/%s/%s", e.Row, e.Line, e.Field, e.Type, e.Value, e.Reason))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("bad rows:\n got %q\nwant %q", got, want)
		}
		if _, err := st.Dataset(ctx, czj.Dataset); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("czj stored despite bad rows: %v", err)
		}

		// Both other datasets come back as encoding/csv reads them, except
		// that a CRLF inside a cell stays CRLF, as the file has it.
		for _, id := range []string{"scjgj-food-licenses", "spj-service-items"} {
			raw := dsReadFile(t, filepath.Join(sample, "data", id+".csv"))
			recs, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			rows := dsReadAll(t, st, id, 0)
			if len(rows) != len(recs)-1 || len(rows) != 80 {
				t.Fatalf("%s: %d rows, file has %d", id, len(rows), len(recs)-1)
			}
			d, err := st.Dataset(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			header := recs[0]
			header[0] = strings.TrimPrefix(header[0], "\xef\xbb\xbf")
			for i, rec := range recs[1:] {
				for k, cell := range rec {
					j, ok := d.FieldIndex(header[k])
					if !ok {
						t.Fatalf("%s: header %q", id, header[k])
					}
					v, _ := d.Fields[j].Parse(cell)
					got := rows[i][j].Text
					if got != v.Text && strings.Contains(got, "\r\n") {
						if !strings.Contains(raw, strings.ReplaceAll(got, `"`, `""`)) {
							t.Errorf("%s row %d %s = %q is not in the file", id, i+1, header[k], got)
						}
						got = strings.ReplaceAll(got, "\r\n", "\n")
					}
					if got != v.Text || rows[i][j].Null != v.Null {
						t.Errorf("%s row %d %s = %q, want %q", id, i+1, header[k], rows[i][j].Text, v.Text)
					}
				}
			}
		}
		rows := dsReadAll(t, st, "scjgj-food-licenses", 0)
		if got := rows[0][1].Text; got != ` 临沂"老字号"食品有限公司 ` {
			t.Errorf("quoted company name = %q", got)
		}
		rows = dsReadAll(t, st, "spj-service-items", 0)
		if got := rows[1][5].Text; got != "1.申请书\r\n2.营业执照（副本）" {
			t.Errorf("materials with CRLF = %q", got)
		}

		// The same file again: nothing changes, czj is still rejected.
		rep, err = im.Datasets(ctx, filepath.Join(sample, "datasets.jsonl"), Options{})
		if err != nil || rep.Unchanged != 2 || rep.Rejected != 1 || rep.Added+rep.Updated != 0 {
			t.Fatalf("second import: %+v, %v", rep, err)
		}

		// The fixed file imports; the broken one then leaves it live.
		dir := t.TempDir()
		fixed := dsFixCSV(t, filepath.Join(sample, czj.CSV), czj)
		dsWrite(t, filepath.Join(dir, czj.CSV), fixed)
		lines, err := os.ReadFile(filepath.Join(sample, "datasets.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		czjLine := strings.SplitN(string(lines), "\n", 2)[0]
		jsonl := dsWrite(t, filepath.Join(dir, "czj.jsonl"), czjLine+"\n")
		rep, err = im.Datasets(ctx, jsonl, Options{})
		if err != nil || !rep.OK() || rep.Added != 1 || rep.RowsImported != czj.Total {
			t.Fatalf("fixed file: %+v, %v", rep, err)
		}
		check := func(when string) {
			d, err := st.Dataset(ctx, czj.Dataset)
			if err != nil || d.Version != 1 || d.RowCount != int64(czj.Total) {
				t.Fatalf("%s: %+v, %v", when, d, err)
			}
			rows := dsReadAll(t, st, czj.Dataset, 0)
			for _, tv := range czj.Tricky {
				j, _ := d.FieldIndex(tv.Field)
				if got := rows[tv.Row-1][j].Text; got != tv.Value {
					t.Errorf("%s: row %d %s = %q, want %q", when, tv.Row, tv.Field, got, tv.Value)
				}
			}
			seq, _ := d.FieldIndex("seq")
			if got := rows[0][seq].Text; got != "001" {
				t.Errorf("%s: seq = %q, want 001", when, got)
			}
		}
		check("fixed")
		dsWrite(t, filepath.Join(dir, czj.CSV), dsReadFile(t, filepath.Join(sample, czj.CSV)))
		rep, err = im.Datasets(ctx, jsonl, Options{})
		if err != nil || rep.Rejected != 1 || rep.RowsRejected != len(czj.Bad) {
			t.Fatalf("broken file again: %+v, %v", rep, err)
		}
		check("after the broken file")
	})
}

func dsReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dsFixCSV returns the sample CSV with its bad cells replaced by good
// values of their types, written back with encoding/csv.
func dsFixCSV(t *testing.T, path string, bad dsSampleBad) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]string{"integer": "1", "number": "0", "date": "2023-01-01", "boolean": "true"}
	for _, b := range bad.Bad {
		for _, fe := range b.Fields {
			k := slices.Index(recs[0], fe.Field)
			if recs[b.Row][k] != fe.Value {
				t.Fatalf("row %d %s is %q, want %q", b.Row, fe.Field, recs[b.Row][k], fe.Value)
			}
			recs[b.Row][k] = good[fe.Type]
		}
	}
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}
