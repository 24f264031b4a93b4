package opendata

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/catalog"
)

// The workbook writes text as text cells, never as formulas: a string
// that looks like a formula is an inline string, and no cell of any sheet
// has a formula element. Excel shows it as typed and never runs it.
func TestXLSXWritesFormulaLikeTextAsText(t *testing.T) {
	fields := []catalog.Field{{Name: "s", Title: "文本", Type: catalog.TypeString}, {Name: "n", Title: "整数", Type: catalog.TypeInteger}}
	texts := []string{"=1+1", `=HYPERLINK("http://x","y")`, "-5", "+1", "@SUM(A1)", "\t=1", "=cmd|' /C calc'!A0"}
	var rows [][]*string
	for _, s := range texts {
		rows = append(rows, []*string{str(s), str("-5")})
	}
	data := writeWorkbook(t, fields, rows, 0)

	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	type cell struct{ typ, text, value string }
	cells := map[string]cell{}
	sheets := 0
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" && zf.Name != "xl/worksheets/sheet2.xml" {
			continue
		}
		sheets++
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		var ref, in string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				switch tok.Name.Local {
				case "f":
					t.Errorf("%s: a formula element in cell %s", zf.Name, ref)
				case "c":
					ref = ""
					var typ string
					for _, a := range tok.Attr {
						switch a.Name.Local {
						case "r":
							ref = a.Value
						case "t":
							typ = a.Value
						}
					}
					if zf.Name == "xl/worksheets/sheet1.xml" {
						cells[ref] = cell{typ: typ}
					}
				case "t", "v":
					in = tok.Name.Local
				}
			case xml.CharData:
				if zf.Name != "xl/worksheets/sheet1.xml" {
					continue
				}
				c, ok := cells[ref]
				if ok && in == "t" {
					c.text += string(tok)
				} else if ok && in == "v" {
					c.value += string(tok)
				}
				cells[ref] = c
			case xml.EndElement:
				in = ""
			}
		}
		rc.Close()
	}
	if sheets != 2 {
		t.Fatalf("read %d sheets, want the data and the field dictionary", sheets)
	}
	for i, s := range texts {
		ref := "A" + string(rune('2'+i))
		if c := cells[ref]; c.typ != "inlineStr" || c.text != s {
			t.Errorf("cell %s = %+v, want an inline string %q", ref, c, s)
		}
		// An integer stays a number cell: -5 is minus five, not text.
		if c := cells["B"+string(rune('2'+i))]; c.typ != "" || c.value != "-5" {
			t.Errorf("integer cell B%d = %+v, want the number -5", i+2, c)
		}
	}

	// And as a spreadsheet library reads it: no formula, the text as is.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, s := range texts {
		ref := "A" + string(rune('2'+i))
		if formula, err := f.GetCellFormula("数据", ref); err != nil || formula != "" {
			t.Errorf("%s has formula %q (%v)", ref, formula, err)
		}
		if v, err := f.GetCellValue("数据", ref); err != nil || v != s {
			t.Errorf("%s reads %q (%v), want %q", ref, v, err, s)
		}
	}
}
