package opendata

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"gongkai/internal/catalog"
)

// writeCSV writes rows (nil: an empty cell) through the CSV writer.
func writeCSV(t *testing.T, excel bool, fields []catalog.Field, rows [][]*string) string {
	t.Helper()
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w := newCSVWriter(bw, excel)
	if err := w.begin(fields); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		cells := make([][]byte, len(row))
		for i, c := range row {
			if c != nil {
				cells[i] = []byte(*c)
			}
		}
		if err := w.row(cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.end(); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	return buf.String()
}

var injectionFields = []catalog.Field{
	{Name: "s", Type: catalog.TypeString}, {Name: "n", Type: catalog.TypeInteger}, {Name: "x", Type: catalog.TypeNumber},
	{Name: "d", Type: catalog.TypeDate}, {Name: "ok", Type: catalog.TypeBoolean},
}

// One text cell a row, beside typed cells of every kind that must come out
// as they are.
var injectionRows = []struct {
	text       string
	excel      string // the text cell as the Excel variant writes it
	guardedRow bool
}{
	{`=HYPERLINK("http://x","y")`, `"'=HYPERLINK(""http://x"",""y"")"`, true},
	{"=1+1", "'=1+1", true},
	{"-5", "'-5", true},
	{"+86 539 123", "'+86 539 123", true},
	{"@SUM(A1)", "'@SUM(A1)", true},
	{"\t=1", "\"'\t=1\"", true},
	{"\r=1", "\"'\r=1\"", true},
	{"-", "'-", true},
	{"a=1", "a=1", false},
	{" =1", `" =1"`, false},
	{"'quoted", "'quoted", false},
	{"５", "５", false},
	{"普通文本", "普通文本", false},
}

func injectionTable() [][]*string {
	var rows [][]*string
	for _, r := range injectionRows {
		rows = append(rows, []*string{str(r.text), str("-5"), str("-0.50"), str("2024-02-29"), str("true")})
	}
	return append(rows, []*string{nil, str("+0"), nil, nil, nil})
}

func TestCSVExcelVariantGuardsFormulas(t *testing.T) {
	got := writeCSV(t, true, injectionFields, injectionTable())
	var want strings.Builder
	want.WriteString(utf8BOM + "s,n,x,d,ok\r\n")
	for _, r := range injectionRows {
		want.WriteString(r.excel + ",-5,-0.50,2024-02-29,true\r\n")
	}
	// Typed cells never get the mark, whatever they begin with.
	want.WriteString(",+0,,,\r\n")
	if got != want.String() {
		t.Fatalf("excel CSV:\n got %q\nwant %q", got, want.String())
	}
	// A CSV reader gives back the text with the mark in front, nothing else
	// changed.
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(got, utf8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range injectionRows {
		text := recs[i+1][0]
		if r.guardedRow {
			if !strings.HasPrefix(text, "'") || text[1:] != r.text {
				t.Errorf("row %d: %q, want ' then %q", i+1, text, r.text)
			}
		} else if text != r.text {
			t.Errorf("row %d: %q, want %q unchanged", i+1, text, r.text)
		}
		if recs[i+1][1] != "-5" || recs[i+1][2] != "-0.50" {
			t.Errorf("row %d: typed cells %q", i+1, recs[i+1][1:])
		}
	}
}

// The plain CSV is byte-exact: every text comes back as it went in.
func TestCSVPlainVariantIsExact(t *testing.T) {
	got := writeCSV(t, false, injectionFields, injectionTable())
	if strings.HasPrefix(got, utf8BOM) || strings.Contains(got, "'=") || strings.Contains(got, "'-") {
		t.Fatalf("plain CSV marked: %q", got)
	}
	r := csv.NewReader(strings.NewReader(got))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range injectionRows {
		if recs[i+1][0] != row.text {
			t.Errorf("row %d: %q, want %q", i+1, recs[i+1][0], row.text)
		}
	}
	for _, exact := range []string{"\r\n=1+1,-5,", "\r\n-5,-5,-0.50,", "\r\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-5,", "\r\n\"\t=1\",", "\r\n\"\r=1\","} {
		if !strings.Contains(got, exact) {
			t.Errorf("plain CSV lacks %q", exact)
		}
	}
}
