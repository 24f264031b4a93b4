package extract

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzzers feed malformed files to Text and Parts and ask: no panic,
// output within the limit and in valid UTF-8, parts labelled and trimmed,
// and an answer within the time limit. Run one with
//
//	go test -run '^$' -fuzz FuzzPDF -fuzztime 60s -fuzzminimizetime 5s ./internal/extract/
//
// (the default minimisation of up to a minute per new input otherwise
// takes most of a short run).
// A plain go test runs the seeds below and the corpus in testdata/fuzz.
//
// A mutated zip mostly fails its checksums, which keeps the fuzzer out of
// the XML readers; so the zip fuzzers also put the input, as it is, into
// a sound package as its XML members.

// fuzzLimits are small, so that the fuzzer reaches the bounds quickly.
var fuzzLimits = Limits{MaxInput: 1 << 20, MaxText: 4096, MaxEntries: 64, MaxMember: 1 << 20, MaxUnzipped: 4 << 20, Timeout: 2 * time.Second}

func fuzzExtract(t *testing.T, format string, data []byte) {
	lim := fuzzLimits
	slow := lim.Timeout + time.Second

	start := time.Now()
	text, err := Text(context.Background(), format, data, lim)
	if d := time.Since(start); d > slow {
		t.Errorf("Text took %v", d)
	}
	if err != nil && !errors.Is(err, ErrTruncated) && text != "" {
		t.Errorf("Text gave %q with the error %v", text, err)
	}
	if len(text) > lim.MaxText || !utf8.ValidString(text) {
		t.Errorf("Text of %d bytes, valid UTF-8 %v", len(text), utf8.ValidString(text))
	}
	textErr := err

	start = time.Now()
	parts, err := Parts(context.Background(), format, data, lim)
	if d := time.Since(start); d > slow {
		t.Errorf("Parts took %v", d)
	}
	if err != nil && !errors.Is(err, ErrTruncated) && parts != nil {
		t.Errorf("Parts gave %d parts with the error %v", len(parts), err)
	}
	size := 0
	for _, p := range parts {
		size += len(p.Text)
		if p.Label == "" || p.Text == "" || p.Text != strings.TrimSpace(p.Text) || !utf8.ValidString(p.Text) {
			t.Errorf("part %q", p)
		}
	}
	if size > lim.MaxText {
		t.Errorf("parts hold %d bytes, limit %d", size, lim.MaxText)
	}
	// What the index can read, the gate can read too (a part list reads
	// a few more members, which may break a budget).
	if textErr == nil && err != nil && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Text read the file, Parts failed: %v", err)
	}

	if format == "pdf" {
		// The PDF reader runs apart and is abandoned at the deadline; run
		// it here in line, so that a loop out of our reach shows as a hang.
		ctx, cancel := context.WithTimeout(context.Background(), lim.Timeout)
		defer cancel()
		start = time.Now()
		func() {
			defer func() { recover() }()
			pdfPages(ctx, data, lim, &out{max: lim.MaxText, flat: true, located: true})
		}()
		if d := time.Since(start); d > slow {
			t.Errorf("PDF pages took %v", d)
		}
	}
}

func FuzzDOCX(f *testing.F) {
	f.Add(docxOf(f, para("关于开展政务公开检查的通知")+table([]string{"姓名", "电话"}, []string{"张三", "13812345678"})))
	f.Add(docxOf(f, `<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/></w:r></w:p><w:r><w:t>散</w:t></w:r>`, notes("footnote", "脚注"), notes("endnote", "尾注")))
	f.Add(docxOf(f, `<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc>`+para("内")+`</w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>`))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte(`<w:document><w:body><w:p><w:r><w:t>甲</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body></w:document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExtract(t, "docx", data)
		fuzzExtract(t, "docx", zipOf(t, member{"word/document.xml", string(data)}, member{"word/footnotes.xml", string(data)}))
	})
}

func FuzzXLSX(f *testing.F) {
	f.Add(xlsxOf(f, sheet{"名单", [][]string{{"s:姓名", "s:电话"}, {"s:张三", "13812345678"}, {"i:备注", "3.5"}}}))
	f.Add(zipOf(f,
		member{"xl/sharedStrings.xml", `<sst><si><r><t>富</t></r><rPh><t>ふ</t></rPh></si></sst>`},
		member{"xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="2"><c t="s"><v>0</v></c><c t="s"><v>9</v></c><c t="b"><v>1</v></c></row></sheetData></worksheet>`}))
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>字</t></is></c></row></sheetData></worksheet><sst><si><t>甲</t></si></sst><workbook><sheets><sheet name="表" r:id="rId1"/></sheets></workbook><Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExtract(t, "xlsx", data)
		x := string(data)
		fuzzExtract(t, "xlsx", zipOf(t, member{"xl/workbook.xml", x}, member{"xl/_rels/workbook.xml.rels", x},
			member{"xl/sharedStrings.xml", x}, member{"xl/worksheets/sheet1.xml", x}))
	})
}

func FuzzPDF(f *testing.F) {
	f.Add(pdfOf([]string{"第一页标题", "张三 13812345678"}, nil, []string{"第三页"}))
	f.Add(pdfOf([]string{"ASCII text"}))
	f.Add([]byte("%PDF-1.4\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"))
	// A cross-reference stream, an object stream and a font with a map.
	f.Add(pdfWithObjectStream())
	f.Add(pdfObjects(append(pdfPageWith("<< /Font << /F1 5 0 R >> >>", "BT /F1 12 Tf (AB) Tj [(A) -20 (B)] TJ ET"),
		"<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /ToUnicode 6 0 R >>",
		"<< /Length 150 >>\nstream\n/CIDInit /ProcSet findresource begin begincmap 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <41> <42> <4E00> endbfrange endcmap\nendstream"), ""))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzExtract(t, "pdf", data) })
}

func FuzzOFD(f *testing.F) {
	f.Add(ofdOf(f, [][]string{{"临沂市人民政府", "通知"}, {"第二页"}}, []int{1, 0}))
	f.Add(zipOf(f, member{"Doc_0/Pages/Page_0/Content.xml", `<Page><TextObject><TextCode>字</TextCode></TextObject></Page>`}))
	f.Add([]byte(`<Document><Pages><Page BaseLoc="Pages/Page_0/Content.xml"/></Pages></Document><Page><Content><Layer><TextObject><TextCode>字</TextCode></TextObject></Layer></Content></Page>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzExtract(t, "ofd", data)
		x := string(data)
		fuzzExtract(t, "ofd", zipOf(t, member{"Doc_0/Document.xml", x}, member{"Doc_0/Pages/Page_0/Content.xml", x},
			member{"Doc_0/Pages/Page_1/Content.xml", x}))
	})
}
