package audit

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// exportRecords are records whose texts try every trap of a spreadsheet.
func exportRecords() []Record {
	at := time.Date(2026, 3, 2, 1, 2, 3, 456e6, time.UTC)
	rs := []Record{
		{Seq: 1, At: at, Actor: Actor{UserID: 3, Login: "wang", Role: "editor", Unit: "jtj", IP: "10.0.0.8", UserAgent: "Mozilla/5.0"},
			Action: "entry.submit", ObjectKind: "entry", ObjectID: "jtj-2026-0001", ObjectUnit: "jtj", Outcome: OutcomeOK,
			Summary: "提交审核，标题「关于公交线路调整的通知」"},
		{Seq: 2, At: at.Add(time.Second), Actor: Actor{TokenID: 12, Role: "editor", Unit: "jtj", IP: "2001:db8::1", UserAgent: "=HYPERLINK(\"http://evil\")"},
			Action: "dataset.publish", ObjectKind: "dataset", ObjectID: "jtj-bus", ObjectUnit: "jtj", Outcome: OutcomeOK,
			Summary: "+1 版本 2，3 行\n第二行, \"引号\""},
		{Seq: 3, At: at.Add(2 * time.Second), Actor: Actor{Login: "@admin", Role: "admin"},
			Action: "auth.refused", ObjectKind: "route", ObjectID: "-2+3", Outcome: OutcomeRefused, Summary: "\tcmd"},
	}
	prev := ""
	for i := range rs {
		rs[i].PrevHash = prev
		rs[i].Hash = ComputeHash(rs[i])
		prev = rs[i].Hash
	}
	return rs
}

func seqOf(rs []Record) func(yield func(Record, error) bool) {
	return func(yield func(Record, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// wantRows are the cells both formats hold for exportRecords.
func wantRows(rs []Record) [][]string {
	return [][]string{
		Columns,
		{"1", "2026-03-02T09:02:03.456+08:00", "wang", "", "editor", "jtj", "10.0.0.8", "Mozilla/5.0", "entry.submit", "entry", "jtj-2026-0001", "jtj", "ok",
			"提交审核，标题「关于公交线路调整的通知」", rs[0].Hash},
		{"2", "2026-03-02T09:02:04.456+08:00", "", "12", "editor", "jtj", "2001:db8::1", "'=HYPERLINK(\"http://evil\")", "dataset.publish", "dataset", "jtj-bus", "jtj", "ok",
			"'+1 版本 2，3 行\n第二行, \"引号\"", rs[1].Hash},
		{"3", "2026-03-02T09:02:05.456+08:00", "'@admin", "", "admin", "", "", "", "auth.refused", "route", "'-2+3", "", "refused", "'\tcmd", rs[2].Hash},
	}
}

func TestWriteCSV(t *testing.T) {
	rs := exportRecords()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, seqOf(rs)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf序号,时间,账号,令牌,角色,单位,IP,客户端,操作,对象类型,对象,对象单位,结果,摘要,哈希\r\n")) {
		t.Errorf("no BOM or header: %q", b[:min(len(b), 80)])
	}
	got, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := wantRows(rs)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

func TestWriteXLSX(t *testing.T) {
	rs := exportRecords()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, seqOf(rs)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"审计日志"}) {
		t.Errorf("sheets %q", sheets)
	}
	got, err := f.GetRows("审计日志")
	if err != nil {
		t.Fatal(err)
	}
	want := wantRows(rs)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		// GetRows leaves out empty cells at the end of a row.
		w := want[i]
		for len(w) > 0 && w[len(w)-1] == "" {
			w = w[:len(w)-1]
		}
		if !slices.Equal(got[i], w) {
			t.Errorf("row %d:\n got %q\nwant %q", i, got[i], w)
		}
	}
	// A number cell has no type attribute, which excelize reads as unset.
	number := []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}
	text := []excelize.CellType{excelize.CellTypeInlineString}
	for cell, want := range map[string][]excelize.CellType{"A2": number, "D3": number, "B2": text, "D2": nil} {
		ct, err := f.GetCellType("审计日志", cell)
		if v, _ := f.GetCellValue("审计日志", cell); err != nil || (want == nil && v != "") || (want != nil && !slices.Contains(want, ct)) {
			t.Errorf("cell %s type %v, value %q (%v), want %v", cell, ct, v, err, want)
		}
	}
	if formula, _ := f.GetCellFormula("审计日志", "H3"); formula != "" {
		t.Errorf("H3 holds a formula %q", formula)
	}
}

func TestExportStopsAtReadError(t *testing.T) {
	boom := errors.New("connection lost")
	failing := func(yield func(Record, error) bool) {
		if yield(exportRecords()[0], nil) {
			yield(Record{}, boom)
		}
	}
	writers := map[string]func(*bytes.Buffer) error{
		"csv":  func(b *bytes.Buffer) error { return WriteCSV(b, failing) },
		"xlsx": func(b *bytes.Buffer) error { return WriteXLSX(b, failing) },
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := write(&buf); !errors.Is(err, boom) {
				t.Errorf("error %v, want the read error", err)
			}
		})
	}
}

func TestFromEach(t *testing.T) {
	rs := exportRecords()
	each := func(fn func(Record) error) error {
		for _, r := range rs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var seqs []int64
	for r, err := range FromEach(each) {
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, r.Seq)
		if r.Seq == 2 {
			break
		}
	}
	if !slices.Equal(seqs, []int64{1, 2}) {
		t.Errorf("read %v, want [1 2] then stop", seqs)
	}
	boom := errors.New("boom")
	var got error
	for _, err := range FromEach(func(func(Record) error) error { return boom }) {
		got = err
	}
	if !errors.Is(got, boom) {
		t.Errorf("each's error %v not handed on", got)
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"=1+1":       "'=1+1",
		"+86 539":    "'+86 539",
		"-5":         "'-5",
		"@SUM(A1)":   "'@SUM(A1)",
		"\tx":        "'\tx",
		"\rx":        "'\rx",
		"a=b":        "a=b",
		"'=x":        "'=x",
		"关于=":        "关于=",
		"2026-03-02": "2026-03-02",
	} {
		if got := Defuse(in); got != want {
			t.Errorf("Defuse(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Contains(strings.Join(Columns, ""), "'") {
		t.Error("a header needs defusing")
	}
}
