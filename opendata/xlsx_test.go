package opendata

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/catalog"
)

// writeWorkbook writes rows (nil: an empty cell) through the XLSX writer
// with perSheet data rows a sheet and returns the file.
func writeWorkbook(t *testing.T, fields []catalog.Field, rows [][]*string, perSheet int) []byte {
	t.Helper()
	var buf bytes.Buffer
	x := newXLSXWriter(&buf)
	if perSheet > 0 {
		x.perSheet = perSheet
	}
	if err := x.begin(fields); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		cells := make([][]byte, len(row))
		for i, c := range row {
			if c != nil {
				cells[i] = []byte(*c)
			}
		}
		if err := x.row(cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.end(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openWorkbook(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func str(s string) *string { return &s }

func TestXLSXWriterHostileCells(t *testing.T) {
	fields := []catalog.Field{
		{Name: "s", Title: "文本", Type: catalog.TypeString, Description: "任意文本"},
		{Name: "n", Title: "数值", Type: catalog.TypeNumber},
		{Name: "i", Title: "整数", Type: catalog.TypeInteger},
		{Name: "b", Title: "是否", Type: catalog.TypeBoolean},
		{Name: "d", Type: catalog.TypeDate}, // no title: the header shows the name
	}
	long := strings.Repeat("长文本“全角”；", 2500) // 20,000 characters
	strs := []string{
		"0539",
		"  leading and trailing spaces  ",
		"_x0041_ literal, and _x005F_ too, _xabcd_ lower, _x12_ short",
		"controls \x00\x01\x08\x0b\x0c\x1f\x7f end",
		"lines\nLF\r\nCRLF\rCR\ttab",
		long,
		"（，）“引号”、；：！？《》",
		"emoji 😀👍🏽 and 𠮷",
		"<tag> & \"quotes\" 'apos' ]]>",
		"=1+1",
		"\uFFFE \uFFFF",
		"__x_x1234",
	}
	nums := []string{"-0.50", "1000000", "0.30000000000000004", "3.10", "0.000001", "123456789012345678901234567890.5", "-1234.5678", "99999999999999.9"}
	ints := []string{"0", "-12", "999999999999999", "1000000000000000", "-9223372036854775808"}
	bools := []string{"true", "false"}
	var rows [][]*string
	for i := range max(len(strs), len(nums), len(ints)) {
		row := make([]*string, len(fields))
		if i < len(strs) {
			row[0] = str(strs[i])
		}
		if i < len(nums) {
			row[1] = str(nums[i])
		}
		if i < len(ints) {
			row[2] = str(ints[i])
		}
		if i < len(bools) {
			row[3] = str(bools[i])
		}
		if i == 0 {
			row[4] = str("2024-02-29")
		}
		rows = append(rows, row)
	}
	rows = append(rows, make([]*string, len(fields))) // a row of empty cells only
	rows = append(rows, []*string{str("末行"), nil, nil, nil, nil})
	f := openWorkbook(t, writeWorkbook(t, fields, rows, 0))

	if got := strings.Join(f.GetSheetList(), ","); got != "数据,字段说明" {
		t.Fatalf("sheets %q", got)
	}
	got, err := f.GetRows("数据")
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.Join(got[0], ","); h != "文本,数值,整数,是否,d" {
		t.Fatalf("header %q", h)
	}
	if len(got) != len(rows)+1 {
		t.Fatalf("%d rows, want %d", len(got), len(rows)+1)
	}
	for r, row := range rows {
		for c, cell := range row {
			want := ""
			if cell != nil {
				want = *cell
			}
			if fields[c].Type == catalog.TypeBoolean && want != "" {
				want = strings.ToUpper(want)
			}
			var have string
			if c < len(got[r+1]) {
				have = got[r+1][c]
			}
			if have != want {
				t.Errorf("row %d col %s: got %q, want %q", r+1, fields[c].Name, clipText(have), clipText(want))
			}
		}
	}

	// Cell types: numbers within 15 digits numeric (no type attribute:
	// excelize says unset), longer ones text; booleans; strings inline.
	for cell, want := range map[string]excelize.CellType{
		"A2": excelize.CellTypeInlineString, "E2": excelize.CellTypeInlineString,
		"B2": excelize.CellTypeUnset, "B3": excelize.CellTypeUnset, "B4": excelize.CellTypeInlineString,
		"B5": excelize.CellTypeUnset, "B7": excelize.CellTypeInlineString,
		"C2": excelize.CellTypeUnset, "C4": excelize.CellTypeUnset, "C5": excelize.CellTypeInlineString,
		"D2": excelize.CellTypeBool, "D3": excelize.CellTypeBool,
	} {
		if typ, err := f.GetCellType("数据", cell); err != nil || typ != want {
			t.Errorf("cell %s type %v, want %v (%v)", cell, typ, want, err)
		}
	}
	// The stored digits are the cell's value, not a float's rendering.
	for cell, want := range map[string]string{"B2": "-0.50", "B3": "1000000", "B5": "3.10", "C4": "999999999999999"} {
		if v, err := f.GetCellValue("数据", cell, excelize.Options{RawCellValue: true}); err != nil || v != want {
			t.Errorf("raw %s = %q, want %q (%v)", cell, v, want, err)
		}
	}
	// Empty cells are left out, not written empty.
	for _, cell := range []string{"E3", "A14"} {
		if typ, _ := f.GetCellType("数据", cell); typ != excelize.CellTypeUnset {
			t.Errorf("empty cell %s has type %v", cell, typ)
		}
	}

	dict, err := f.GetRows("字段说明")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"字段名", "中文名称", "类型", "说明"}, {"s", "文本", "文本", "任意文本"}, {"n", "数值", "数值"}, {"i", "整数", "整数"}, {"b", "是否", "是/否"}, {"d", "", "日期"}}
	if len(dict) != len(want) {
		t.Fatalf("dictionary %q", dict)
	}
	for i := range want {
		if strings.Join(dict[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("dictionary row %d: %q, want %q", i, dict[i], want[i])
		}
	}
}

func clipText(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func TestXLSXWriterRollsToNewSheets(t *testing.T) {
	fields := []catalog.Field{{Name: "k", Title: "序号", Type: catalog.TypeInteger}, {Name: "v", Title: "值", Type: catalog.TypeString}}
	var rows [][]*string
	for i := range 7 {
		rows = append(rows, []*string{str(strconv.Itoa(i + 1)), str("v" + strconv.Itoa(i+1))})
	}
	for _, tc := range []struct {
		perSheet int
		sheets   []string
		counts   []int
	}{
		{3, []string{"数据", "数据2", "数据3", "字段说明"}, []int{3, 3, 1}},
		{7, []string{"数据", "字段说明"}, []int{7}},
		{6, []string{"数据", "数据2", "字段说明"}, []int{6, 1}},
	} {
		t.Run(strconv.Itoa(tc.perSheet), func(t *testing.T) {
			f := openWorkbook(t, writeWorkbook(t, fields, rows, tc.perSheet))
			if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(tc.sheets, ",") {
				t.Fatalf("sheets %q, want %q", got, tc.sheets)
			}
			next := 1
			for s, n := range tc.counts {
				got, err := f.GetRows(tc.sheets[s])
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != n+1 || strings.Join(got[0], ",") != "序号,值" {
					t.Fatalf("sheet %s: %q", tc.sheets[s], got)
				}
				for _, row := range got[1:] {
					if row[0] != strconv.Itoa(next) || row[1] != "v"+strconv.Itoa(next) {
						t.Fatalf("sheet %s: row %q, want %d", tc.sheets[s], row, next)
					}
					next++
				}
			}
		})
	}
}

func TestXLSXWriterEmptyDataset(t *testing.T) {
	fields := []catalog.Field{{Name: "a", Title: "甲", Type: catalog.TypeString}}
	f := openWorkbook(t, writeWorkbook(t, fields, nil, 0))
	rows, err := f.GetRows("数据")
	if err != nil || len(rows) != 1 || rows[0][0] != "甲" {
		t.Fatalf("%q %v", rows, err)
	}
}

// Every part of the package is well-formed XML, and the package holds
// the parts it names.
func TestXLSXPackageWellFormed(t *testing.T) {
	fields := []catalog.Field{{Name: "a", Title: "甲 & <乙>", Type: catalog.TypeString}, {Name: "n", Type: catalog.TypeNumber}}
	data := writeWorkbook(t, fields, [][]*string{{str("x\x01y"), str("1.5")}, {nil, str("2")}}, 1)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, zf := range zr.File {
		names[zf.Name] = true
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
		}
		rc.Close()
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
		"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "docProps/app.xml"} {
		if !names[n] {
			t.Errorf("no part %s", n)
		}
	}
}

func TestAppendXLSXText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"0539", "0539"},
		{"a&b<c>d", "a&amp;b&lt;c&gt;d"},
		{"crlf\r\nlf\ntab\t", "crlf&#13;\nlf\ntab\t"},
		{"nul\x00bell\x07us\x1f", "nul_x0000_bell_x0007_us_x001F_"},
		{"_x0041_", "_x005F_x0041_"},
		{"_x005F_", "_x005F_x005F_"},
		{"_xabcd_ _x12_ _xGGGG_ _X0041_", "_x005F_xabcd_ _x12_ _xGGGG_ _X0041_"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"\uFFFE", "_xFFFE_"},
		{"全角，😀", "全角，😀"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(appendXLSXText(nil, []byte(tc.in))); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("cut at 32767 characters", func(t *testing.T) {
		for _, tc := range []struct{ in, want string }{
			{strings.Repeat("a", 40000), strings.Repeat("a", xlsxMaxChars)},
			{strings.Repeat("中", 40000), strings.Repeat("中", xlsxMaxChars)},
			// An emoji is two UTF-16 units: the last one does not fit whole.
			{strings.Repeat("a", xlsxMaxChars-1) + "😀", strings.Repeat("a", xlsxMaxChars-1)},
			{strings.Repeat("a", xlsxMaxChars-1) + "&&", strings.Repeat("a", xlsxMaxChars-1) + "&amp;"},
		} {
			if got := string(appendXLSXText(nil, []byte(tc.in))); got != tc.want {
				t.Errorf("%d bytes in: %d bytes out, want %d", len(tc.in), len(got), len(tc.want))
			}
		}
	})
}

func TestXLSXColumn(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := xlsxColumn(i); got != want {
			t.Errorf("column %d: %s, want %s", i, got, want)
		}
	}
}
