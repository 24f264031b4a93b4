package portal_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/ingest"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// hostileFields cover every type; hostileRows are the raw CSV cells of a
// file written to break exporters: leading zeros, quotes, commas, every
// kind of line break inside cells, full-width punctuation, a very long
// cell, numbers that floating point would spoil, empty cells.
var hostileFields = []catalog.Field{
	{Name: "code", Title: "编号", Type: catalog.TypeString, Description: "保留前导零"},
	{Name: "n", Title: "整数", Type: catalog.TypeInteger},
	{Name: "amount", Title: "金额（元）", Type: catalog.TypeNumber},
	{Name: "day", Title: "日期", Type: catalog.TypeDate},
	{Name: "at", Title: "时间", Type: catalog.TypeDateTime},
	{Name: "ok", Title: "是否", Type: catalog.TypeBoolean},
	{Name: "note", Title: "备注", Type: catalog.TypeString},
}

func hostileRows() [][]string {
	long := strings.Repeat("长单元格，含“全角”标点与 ASCII, \"quotes\"。", 600) // ~24,000 characters, under XLSX's 32,767
	return [][]string{
		{"0539", "007", "-0.50", "2024-02-29", "2024-11-06T15:51:40+08:00", "是", "普通"},
		{"007", "-12", "0.30000000000000004", "2023-01-01", "2024-11-06 15:51:40", "0", "say \"hi\", then \"bye\""},
		{" x ", "+5", "1000000", "", "", "", "line1\nline2"},
		{"a,b", "", "+3.10", "2000-12-31", "2024-01-01T00:00", "TRUE", "crlf\r\ninside"},
		{"（，）“引号”", "9223372036854775807", ".5", "", "", "false", "lone\rcr"},
		{"\ttab", "-9223372036854775808", "123456789012345678901234567890.123456789", "", "", "", long},
		{"=1+1", "0", "0.000001", "", "", "", "_x0041_ 与 \\ 反斜杠 😀"},
		{"", "999999999999999", "-0", "", "", "", "\"\""},
		{"末行", "1000000000000000", "99999999999999.9", "", "", "", ""},
	}
}

// writeCSVCell quotes a cell the RFC 4180 way when it must be.
func writeCSVCell(b *strings.Builder, s string) {
	if strings.ContainsAny(s, ",\"\r\n") || strings.TrimSpace(s) != s {
		b.WriteString(`"` + strings.ReplaceAll(s, `"`, `""`) + `"`)
		return
	}
	b.WriteString(s)
}

// importHostile writes the hostile dataset as an import (JSONL + CSV)
// and imports it with the real importer.
func importHostile(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	storetest.Unit(t, st, "tjj")
	dir := t.TempDir()
	var b strings.Builder
	for i, f := range hostileFields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Name)
	}
	b.WriteString("\r\n")
	for _, row := range hostileRows() {
		for i, c := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCSVCell(&b, c)
		}
		b.WriteString("\r\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "hostile.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(catalog.DatasetInput{ID: "tjj-hostile", Unit: "tjj", Title: "恶意CSV：统计/测试数据集", Description: "导出精确性测试",
		Domain: "经济统计", UpdateFrequency: "每月", OpenType: "无条件开放", License: "署名", Keywords: []string{"测试"},
		PublishedAt: "2024-03-01", CSV: "hostile.csv", Fields: hostileFields})
	if err := os.WriteFile(filepath.Join(dir, "datasets.jsonl"), append(line, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := files.New(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.New(st, fs).Datasets(ctx, filepath.Join(dir, "datasets.jsonl"), ingest.Options{})
	if err != nil || !rep.OK() || rep.Added != 1 {
		t.Fatalf("import: %v %+v", err, rep)
	}
}

// hostileWant is what every export must give back: the canonical value of
// each cell, as the importer keeps it.
func hostileWant(t *testing.T) [][]catalog.Value {
	var out [][]catalog.Value
	for _, raw := range hostileRows() {
		row := make([]catalog.Value, len(raw))
		for i, c := range raw {
			v, err := hostileFields[i].Parse(c)
			if err != nil {
				t.Fatalf("hostile cell %q: %v", c, err)
			}
			row[i] = v
		}
		out = append(out, row)
	}
	return out
}

// parseStrictCSV reads RFC 4180 CSV exactly: no trimming, no rewriting of
// line breaks inside quoted cells (encoding/csv turns CRLF into LF there).
// Records must end with CRLF.
func parseStrictCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	var rows [][]string
	var row []string
	var cell strings.Builder
	i := 0
	for i < len(data) {
		if data[i] == '"' {
			i++
			for {
				if i >= len(data) {
					t.Fatal("csv: unterminated quote")
				}
				if data[i] == '"' {
					if i+1 < len(data) && data[i+1] == '"' {
						cell.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				cell.WriteByte(data[i])
				i++
			}
		}
		for i < len(data) && data[i] != ',' && data[i] != '\r' {
			if data[i] == '"' || data[i] == '\n' {
				t.Fatalf("csv: unexpected %q at byte %d", data[i], i)
			}
			cell.WriteByte(data[i])
			i++
		}
		if i >= len(data) {
			t.Fatal("csv: record without CRLF at the end")
		}
		row = append(row, cell.String())
		cell.Reset()
		if data[i] == ',' {
			i++
			continue
		}
		if i+1 >= len(data) || data[i+1] != '\n' {
			t.Fatalf("csv: CR without LF at byte %d", i)
		}
		i += 2
		rows = append(rows, row)
		row = nil
	}
	return rows
}

func fetch(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A transport of its own: asking for gzip explicitly turns off the
	// default transport's transparent decompression, which tests want.
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestOpenDataHostileRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		importHostile(t, st)
		srv := newODServer(t, st)
		want := hostileWant(t)
		base := srv.URL + "/opendata/datasets/tjj-hostile"

		t.Run("csv", func(t *testing.T) {
			for _, variant := range []struct {
				name, query string
				bom         bool
				gzip        bool
			}{{"plain", "", false, false}, {"excel bom", "?bom=1", true, false}, {"gzip", "", false, true}} {
				t.Run(variant.name, func(t *testing.T) {
					var hdr []string
					if variant.gzip {
						hdr = []string{"Accept-Encoding", "gzip"}
					}
					resp, body := fetch(t, base+".csv"+variant.query, hdr...)
					if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
						t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
					}
					if variant.gzip {
						if resp.Header.Get("Content-Encoding") != "gzip" {
							t.Fatal("not gzipped")
						}
						zr, err := gzip.NewReader(bytes.NewReader(body))
						if err != nil {
							t.Fatal(err)
						}
						if body, err = io.ReadAll(zr); err != nil {
							t.Fatal(err)
						}
					}
					if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="tjj-hostile.csv"`) ||
						!strings.Contains(cd, "filename*=UTF-8''%E6%81%B6%E6%84%8FCSV%EF%BC%9A%E7%BB%9F%E8%AE%A1_%E6%B5%8B%E8%AF%95%E6%95%B0%E6%8D%AE%E9%9B%86.csv") {
						t.Errorf("Content-Disposition %q", cd)
					}
					if got := bytes.HasPrefix(body, []byte("\xef\xbb\xbf")); got != variant.bom {
						t.Fatalf("BOM present = %v", got)
					}
					rows := parseStrictCSV(t, bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
					if strings.Join(rows[0], ",") != "code,n,amount,day,at,ok,note" {
						t.Fatalf("header %q", rows[0])
					}
					compareText(t, want, rows[1:], func(v catalog.Value) string {
						// The Excel variant marks text a spreadsheet would run as a formula.
						if variant.bom && v.Type == catalog.TypeString && v.Text != "" && strings.ContainsRune("=+-@\t\r", rune(v.Text[0])) {
							return "'" + v.Text
						}
						return v.Text
					})
					if bytes.Contains(body, []byte("e+")) {
						t.Error("an exponent in the CSV")
					}
				})
			}
		})

		t.Run("json", func(t *testing.T) {
			resp, body := fetch(t, base+".json")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var got []map[string]any
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			compareJSON(t, want, got)
			for _, s := range []string{`"amount":1000000,`, `"amount":0.30000000000000004,`, `"n":7,`, `"amount":-0.50,`, `"n":9223372036854775807,`} {
				if !bytes.Contains(body, []byte(s)) {
					t.Errorf("JSON lacks %s", s)
				}
			}
		})

		t.Run("jsonl", func(t *testing.T) {
			resp, body := fetch(t, base+".jsonl")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var got []map[string]any
			sc := bufio.NewScanner(bytes.NewReader(body))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
				dec.UseNumber()
				var m map[string]any
				if err := dec.Decode(&m); err != nil {
					t.Fatalf("line %d: %v", len(got)+1, err)
				}
				got = append(got, m)
			}
			compareJSON(t, want, got)
		})

		t.Run("xlsx", func(t *testing.T) {
			resp, body := fetch(t, base+".xlsx", "Accept-Encoding", "gzip")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
				t.Fatalf("status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
			}
			f, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if sheets := f.GetSheetList(); strings.Join(sheets, ",") != "数据,字段说明" {
				t.Fatalf("sheets %q", sheets)
			}
			rows, err := f.GetRows("数据")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "编号,整数,金额（元）,日期,时间,是否,备注" {
				t.Fatalf("header %q", rows[0])
			}
			for i := range rows {
				for len(rows[i]) < len(hostileFields) {
					rows[i] = append(rows[i], "") // trailing empty cells are left out
				}
			}
			compareText(t, want, rows[1:], func(v catalog.Value) string {
				if v.Type == catalog.TypeBoolean && !v.Null {
					return strings.ToUpper(v.Text) // spreadsheets spell booleans TRUE/FALSE
				}
				return v.Text
			})
			// Numbers a spreadsheet can hold are numeric cells; longer
			// ones are text so that no digit is lost.
			// (A numeric cell carries no type attribute: excelize reports it
			// as unset.)
			for cell, typ := range map[string]excelize.CellType{"B2": excelize.CellTypeUnset, "C2": excelize.CellTypeUnset,
				"C3": excelize.CellTypeInlineString, "B6": excelize.CellTypeInlineString, "A2": excelize.CellTypeInlineString, "F2": excelize.CellTypeBool} {
				if got, err := f.GetCellType("数据", cell); err != nil || got != typ {
					t.Errorf("cell %s type %v, want %v (%v)", cell, got, typ, err)
				}
			}
			dict, err := f.GetRows("字段说明")
			if err != nil || len(dict) != len(hostileFields)+1 || dict[3][2] != "数值" {
				t.Errorf("field dictionary %q, %v", dict, err)
			}
		})

		// Importing the downloaded CSV again yields the very same rows: the
		// store's fingerprint of the copy equals the original's.
		t.Run("csv reimports identically", func(t *testing.T) {
			_, body := fetch(t, base+".csv")
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "copy.csv"), body, 0o644); err != nil {
				t.Fatal(err)
			}
			line, _ := json.Marshal(catalog.DatasetInput{ID: "tjj-hostile-copy", Unit: "tjj", Title: "副本", Domain: "经济统计", CSV: "copy.csv", Fields: hostileFields})
			if err := os.WriteFile(filepath.Join(dir, "d.jsonl"), append(line, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			fs, _ := files.New(filepath.Join(dir, "files"))
			rep, err := ingest.New(st, fs).Datasets(context.Background(), filepath.Join(dir, "d.jsonl"), ingest.Options{})
			if err != nil || !rep.OK() {
				t.Fatalf("re-import: %v %+v", err, rep)
			}
			_, orig, err := st.DatasetFingerprint(context.Background(), "tjj-hostile")
			if err != nil {
				t.Fatal(err)
			}
			_, copied, err := st.DatasetFingerprint(context.Background(), "tjj-hostile-copy")
			if err != nil || copied != orig {
				t.Fatalf("fingerprints differ: %s vs %s (%v)", copied, orig, err)
			}
		})
	})
}

func compareText(t *testing.T, want [][]catalog.Value, got [][]string, text func(catalog.Value) string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for r := range want {
		if len(got[r]) != len(want[r]) {
			t.Fatalf("row %d: %d cells, want %d", r+1, len(got[r]), len(want[r]))
		}
		for c, v := range want[r] {
			if got[r][c] != text(v) {
				t.Errorf("row %d %s: got %q, want %q", r+1, hostileFields[c].Name, clip(got[r][c]), clip(text(v)))
			}
		}
	}
}

func compareJSON(t *testing.T, want [][]catalog.Value, got []map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for r := range want {
		for c, v := range want[r] {
			name := hostileFields[c].Name
			x, ok := got[r][name]
			if !ok {
				t.Fatalf("row %d: no %s", r+1, name)
			}
			var s string
			switch y := x.(type) {
			case nil:
				if !v.Null {
					t.Errorf("row %d %s: null, want %q", r+1, name, v.Text)
				}
				continue
			case json.Number:
				if v.Type != catalog.TypeInteger && v.Type != catalog.TypeNumber {
					t.Errorf("row %d %s: a number for a %s", r+1, name, v.Type)
				}
				s = y.String()
			case bool:
				if v.Type != catalog.TypeBoolean {
					t.Errorf("row %d %s: a boolean for a %s", r+1, name, v.Type)
				}
				s = fmt.Sprint(y)
			case string:
				if v.Type == catalog.TypeInteger || v.Type == catalog.TypeNumber || v.Type == catalog.TypeBoolean {
					t.Errorf("row %d %s: a string for a %s", r+1, name, v.Type)
				}
				s = y
			}
			if v.Null || s != v.Text {
				t.Errorf("row %d %s: got %q, want %q (null %v)", r+1, name, clip(s), clip(v.Text), v.Null)
			}
		}
	}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
