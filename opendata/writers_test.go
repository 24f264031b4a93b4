package opendata

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"gongkai/internal/catalog"
)

func TestAppendCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"0539", "0539"},
		{"a,b", `"a,b"`},
		{`say "hi"`, `"say ""hi"""`},
		{"a\r\nb", "\"a\r\nb\""},
		{"lone\rcr", "\"lone\rcr\""},
		{"lf\n", "\"lf\n\""},
		{" lead", `" lead"`},
		{"trail\t", "\"trail\t\""},
		{"（，）“引号”", "（，）“引号”"},
		{`""`, `""""""`},
		{"=1+1", "=1+1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(appendCSVCell(nil, tc.in)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCSVWriterSingleFieldKeepsEmptyRows(t *testing.T) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w := newCSVWriter(bw, true)
	f := []catalog.Field{{Name: "x", Type: catalog.TypeString}}
	if err := w.begin(f); err != nil {
		t.Fatal(err)
	}
	for _, cell := range [][]byte{[]byte("a"), nil} {
		if err := w.row([][]byte{cell}); err != nil {
			t.Fatal(err)
		}
	}
	bw.Flush()
	if got, want := buf.String(), "\xef\xbb\xbfx\r\na\r\n\"\"\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "ctl \x00\x01\x1f\x7f", "lines\r\n\t", "中文，全角“引号”", "sep \u2028 \u2029", "emoji 😀", "<html>&"} {
		t.Run(s, func(t *testing.T) {
			b := appendJSONString(nil, s)
			var back string
			if err := json.Unmarshal(b, &back); err != nil || back != s {
				t.Fatalf("%s decodes to %q, %v", b, back, err)
			}
			if bytes.ContainsAny(b, "\u2028\u2029\n\r") {
				t.Fatalf("raw line separators in %q", b)
			}
		})
	}
	if got := string(appendJSONString(nil, "bad \xff utf8")); got != `"bad \ufffd utf8"` {
		t.Fatalf("invalid UTF-8: %s", got)
	}
}

func TestAppendJSONValue(t *testing.T) {
	num := func(s string) catalog.Value { return catalog.TextValue(catalog.TypeNumber, s) }
	tests := []struct {
		v    catalog.Value
		want string
	}{
		{catalog.IntegerValue(1000000), "1000000"},
		{catalog.IntegerValue(-9223372036854775808), "-9223372036854775808"},
		{num("0.30000000000000004"), "0.30000000000000004"},
		{num("-0.50"), "-0.50"},
		{num("123456789012345678901234567890.5"), "123456789012345678901234567890.5"},
		{num("1e5"), `"1e5"`}, // never stored; still valid JSON
		{num("007"), `"007"`},
		{catalog.BooleanValue(false), "false"},
		{catalog.NullValue(catalog.TypeNumber), "null"},
		{catalog.TextValue(catalog.TypeDate, "2024-02-29"), `"2024-02-29"`},
	}
	for _, tc := range tests {
		if got := string(appendJSONValue(nil, tc.v)); got != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.v, got, tc.want)
		}
		// Downloads write cells: the same JSON from the canonical text.
		cells := valueCells(nil, []catalog.Value{tc.v})
		if got := string(appendJSONCell(nil, tc.v.Type, cells[0])); got != tc.want {
			t.Errorf("%+v as a cell: got %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestSpreadsheetNumber(t *testing.T) {
	tests := []struct {
		in       string
		decimals int
		ok       bool
	}{
		{"3.10", 2, true},
		{"-0.50", 2, true},
		{"1000000", 0, true},
		{"0.000001", 6, true},
		{"99999999999999.9", 1, true},
		{"999999999999999", 0, true},
		{"9999999999999999", 0, false}, // 16 digits
		{"0.30000000000000004", 0, false},
		{"123456789012345678901234567890.123456789", 0, false},
		{"0.1234567890123456789012345678901", 0, false}, // too many decimals
	}
	for _, tc := range tests {
		_, d, ok := spreadsheetNumber(tc.in)
		if ok != tc.ok || (ok && d != tc.decimals) {
			t.Errorf("%s: decimals %d, ok %v; want %d, %v", tc.in, d, ok, tc.decimals, tc.ok)
		}
	}
}

func TestEstimateSizesExactForWholeSample(t *testing.T) {
	f := []catalog.Field{{Name: "a", Type: catalog.TypeString}, {Name: "n", Type: catalog.TypeInteger}}
	rows := [][]catalog.Value{{catalog.TextValue(catalog.TypeString, "x,y"), catalog.IntegerValue(5)}}
	est := estimateSizes(f, rows, 1)
	if est.Estimated || est.CSV != int64(len("a,n\r\n\"x,y\",5\r\n")) || est.JSON != int64(len("[\n{\"a\":\"x,y\",\"n\":5}\n]\n")) || est.XLSX < 3000 {
		t.Fatalf("%+v", est)
	}
	more := estimateSizes(f, rows, 1001)
	if !more.Estimated || more.CSV != est.CSV+1000*int64(len("\"x,y\",5\r\n")) {
		t.Fatalf("%+v", more)
	}
	if strings.Contains(TypeLabel(catalog.TypeBoolean), "bool") {
		t.Fatal("type labels are for people")
	}
}
