package extract

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
	"testing"
)

// Small, real files of each format, built in code: the tests' fixtures
// and the fuzzers' seeds.

type member struct{ name, body string }

func zipOf(tb testing.TB, ms ...member) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		w, err := zw.Create(m.name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write([]byte(m.body))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

// docxOf makes a Word document whose body is the given WordprocessingML,
// with extra members (footnotes, endnotes) as given.
func docxOf(tb testing.TB, body string, extra ...member) []byte {
	ms := []member{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document ` + wNS + `><w:body>` + body + `</w:body></w:document>`},
	}
	return zipOf(tb, append(ms, extra...)...)
}

// para is a paragraph of WordprocessingML, its text in two runs as Word
// writes it.
func para(s string) string {
	r := []rune(s)
	h := len(r) / 2
	return `<w:p><w:r><w:t>` + html.EscapeString(string(r[:h])) + `</w:t></w:r><w:r><w:t xml:space="preserve">` + html.EscapeString(string(r[h:])) + `</w:t></w:r></w:p>`
}

// table is a WordprocessingML table of the given rows of cells.
func table(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(`<w:tbl><w:tblPr/>`)
	for _, row := range rows {
		b.WriteString(`<w:tr>`)
		for _, c := range row {
			b.WriteString(`<w:tc>` + para(c) + `</w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	return b.String()
}

func notes(kind string, texts ...string) member {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><w:%ss %s>`, kind, wNS)
	fmt.Fprintf(&b, `<w:%s w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:%s>`, kind, kind)
	for i, t := range texts {
		fmt.Fprintf(&b, `<w:%s w:id="%d">%s</w:%s>`, kind, i+1, para(t), kind)
	}
	fmt.Fprintf(&b, `</w:%ss>`, kind)
	return member{"word/" + kind + "s.xml", b.String()}
}

// sheet is a worksheet for xlsxOf: rows of cells, a cell "s:…" a shared
// string, "i:…" an inline string, anything else a number.
type sheet struct {
	name string
	rows [][]string
}

func xlsxOf(tb testing.TB, sheets ...sheet) []byte {
	var shared []string
	index := map[string]int{}
	var ms []member
	var wb, rels strings.Builder
	wb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for n, sh := range sheets {
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, html.EscapeString(sh.name), n+1, n+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n+1, n+1)
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		for r, row := range sh.rows {
			fmt.Fprintf(&b, `<row r="%d">`, r+1)
			for c, v := range row {
				ref := string(rune('A'+c)) + strconv.Itoa(r+1)
				switch {
				case strings.HasPrefix(v, "s:"):
					s := v[2:]
					i, ok := index[s]
					if !ok {
						i = len(shared)
						index[s] = i
						shared = append(shared, s)
					}
					fmt.Fprintf(&b, `<c r="%s" t="s"><v>%d</v></c>`, ref, i)
				case strings.HasPrefix(v, "i:"):
					fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, html.EscapeString(v[2:]))
				default:
					fmt.Fprintf(&b, `<c r="%s"><v>%s</v></c>`, ref, v)
				}
			}
			b.WriteString(`</row>`)
		}
		b.WriteString(`</sheetData></worksheet>`)
		ms = append(ms, member{fmt.Sprintf("xl/worksheets/sheet%d.xml", n+1), b.String()})
	}
	wb.WriteString(`</sheets></workbook>`)
	rels.WriteString(`</Relationships>`)
	var ss strings.Builder
	fmt.Fprintf(&ss, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(shared), len(shared))
	for _, s := range shared {
		ss.WriteString(`<si><t>` + html.EscapeString(s) + `</t></si>`)
	}
	ss.WriteString(`</sst>`)
	ms = append([]member{{"xl/workbook.xml", wb.String()}, {"xl/_rels/workbook.xml.rels", rels.String()}, {"xl/sharedStrings.xml", ss.String()}}, ms...)
	return zipOf(tb, ms...)
}

// ofdOf makes an OFD document of pages (each its text objects); order
// gives the pages' places in Document.xml's page list (nil: as given).
func ofdOf(tb testing.TB, pages [][]string, order []int) []byte {
	ms := []member{{"OFD.xml", `<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`}}
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID></ofd:CommonData><ofd:Pages>`)
	if order == nil {
		for i := range pages {
			order = append(order, i)
		}
	}
	for _, i := range order {
		fmt.Fprintf(&doc, `<ofd:Page ID="%d" BaseLoc="Pages/Page_%d/Content.xml"/>`, i+1, i)
	}
	doc.WriteString(`</ofd:Pages></ofd:Document>`)
	ms = append(ms, member{"Doc_0/Document.xml", doc.String()})
	for i, objs := range pages {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="1">`)
		for j, t := range objs {
			fmt.Fprintf(&b, `<ofd:TextObject ID="%d" Boundary="0 0 100 10" Font="1" Size="3.5"><ofd:TextCode X="0" Y="%d">%s</ofd:TextCode></ofd:TextObject>`, 10+j, 10*(j+1), html.EscapeString(t))
		}
		b.WriteString(`</ofd:Layer></ofd:Content></ofd:Page>`)
		ms = append(ms, member{fmt.Sprintf("Doc_0/Pages/Page_%d/Content.xml", i), b.String()})
	}
	return zipOf(tb, ms...)
}

// pdfOf makes a PDF of pages, each a list of lines, in a CJK font whose
// codes are UCS-2 (as the demo data's PDFs are).
func pdfOf(pages ...[]string) []byte {
	var out bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	const first = 4 // objects 1–3: catalog, page tree, font
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = strconv.Itoa(first+2*i) + " 0 R"
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [" + strings.Join(kids, " ") + "] /Count " + strconv.Itoa(len(pages)) + " >>")
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H >>")
	for i, lines := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", first+2*i+1))
		var c strings.Builder
		for j, l := range lines {
			var hex strings.Builder
			for _, r := range l {
				fmt.Fprintf(&hex, "%04X", r)
			}
			fmt.Fprintf(&c, "BT /F1 12 Tf 72 %d Td <%s> Tj ET\n", 770-20*j, hex.String())
		}
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.Bytes()
}
