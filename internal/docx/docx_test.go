package docx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/internal/docx"
	"gongkai/internal/extract"
)

func sample() *docx.Document {
	d := &docx.Document{Title: "关于<测试>的通知", Author: "临沂市人民政府办公室", PageNumbers: true}
	d.Add(docx.Para{Align: docx.Center, Runs: []docx.Run{{Text: "临沂市人民政府办公室", Font: docx.XiaoBiaoSong, Size: docx.SizeXiaoChu, Color: docx.Red}}})
	d.Add(docx.Para{Align: docx.Center, RuleBelow: docx.Red, Runs: []docx.Run{{Text: "临政办督〔2026〕7号"}}})
	d.TitleText("关于<测试> & \"引号\"的通知")
	d.Add(docx.Para{Align: docx.Left, Runs: []docx.Run{{Text: "市发展和改革委员会："}}})
	d.Heading(1, "一、发现的问题")
	d.Text("第一段\x00含控制\x07字符与 a<b>c&d 的正文。")
	d.Add(docx.Para{Indent: 2, Runs: []docx.Run{{Text: "粗体", Bold: true}, {Text: "与常规"}}})
	t := d.Table([]string{"单位", "发布数", "排名"}, [][]string{{"市发改委", "12", "1"}, {"市教育局", "9"}})
	t.Widths = []float64{3, 1, 1}
	t.Align = []docx.Align{docx.Left, docx.Right, docx.Center}
	d.PageBreak()
	d.Add(docx.Para{Align: docx.Right, RightIndent: 4, Runs: []docx.Run{{Text: "临沂市人民政府办公室"}}})
	d.Add(docx.Para{Align: docx.Right, RightIndent: 4, Runs: []docx.Run{{Text: "2026年6月30日\n第二行\t制表"}}})
	return d
}

func members(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(data)
	}
	return out
}

func TestPackageParts(t *testing.T) {
	b, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ms := members(t, b)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
		"word/_rels/document.xml.rels", "word/footer1.xml", "docProps/core.xml"} {
		if _, ok := ms[name]; !ok {
			t.Errorf("the package lacks %s", name)
		}
	}
	// Every part is well-formed XML.
	for name, body := range ms {
		dec := xml.NewDecoder(strings.NewReader(body))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				break
			}
		}
	}
	doc := ms["word/document.xml"]
	for _, want := range []string{
		`w:eastAsia="方正小标宋简体"`,                                              // the issuer's font, for East-Asian text
		`<w:color w:val="FF0000"/>`,                                         // red type
		`<w:bottom w:val="single" w:sz="12" w:space="1" w:color="FF0000"/>`, // the red rule
		`<w:pgSz w:w="11906" w:h="16838"/>`,                                 // A4
		`w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"`,         // 37/26/35/28 mm
		`w:firstLineChars="200"`,                                            // two-character indent
		`<w:jc w:val="center"/>`, `<w:jc w:val="right"/>`,
		`<w:tblHeader/>`, `<w:tblBorders>`, `<w:b/>`, `<w:br w:type="page"/>`, `<w:br/>`, `<w:tab/>`,
		`关于&lt;测试&gt; &amp; &#34;引号&#34;的通知`,
		`w:rightChars="400"`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if strings.ContainsAny(doc, "\x00\x07") {
		t.Error("control characters reached document.xml")
	}
	if !strings.Contains(ms["docProps/core.xml"], "关于&lt;测试&gt;的通知") {
		t.Error("the title is not in the properties, escaped")
	}
	if !strings.Contains(ms["[Content_Types].xml"], "/word/footer1.xml") {
		t.Error("the footer's content type is missing")
	}
}

func TestTextReadsBackInOrder(t *testing.T) {
	b, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	parts, err := extract.Parts(context.Background(), "docx", b, extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range parts {
		got = append(got, p.Label+"|"+p.Text)
	}
	want := []string{
		"第1段|临沂市人民政府办公室",
		"第2段|临政办督〔2026〕7号",
		"第3段|关于<测试> & \"引号\"的通知",
		"第4段|市发展和改革委员会：",
		"第5段|一、发现的问题",
		"第6段|第一段含控制字符与 a<b>c&d 的正文。",
		"第7段|粗体与常规",
		"表1第1行|单位\t发布数\t排名",
		"表1第2行|市发改委\t12\t1",
		"表1第3行|市教育局\t9",
		"第8段|临沂市人民政府办公室",
		"第9段|2026年6月30日\n第二行\t制表",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSameDocumentSameBytes(t *testing.T) {
	a, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sample().Bytes()
	if !bytes.Equal(a, b) {
		t.Error("two builds of one document differ")
	}
}

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain 文字", "plain 文字"},
		{"a\x00b\x1fc\td\ne\rf", "abc\td\ne\rf"},
		{"bad\xffutf8", "badutf8"},
		{"keep \uFFFD here", "keep \uFFFD here"},
		{"no \uFFFE or \uFFFF", "no  or "},
	} {
		if got := docx.Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEmptyDocumentAndTableLast(t *testing.T) {
	for name, d := range map[string]*docx.Document{
		"empty":      {},
		"table last": func() *docx.Document { d := &docx.Document{Landscape: true}; d.Table([]string{"甲"}, nil); return d }(),
		"rows only":  func() *docx.Document { d := &docx.Document{}; d.Table(nil, [][]string{{"一", "二"}}); return d }(),
	} {
		b, err := d.Bytes()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc := members(t, b)["word/document.xml"]
		if !strings.Contains(doc, "<w:sectPr>") || !strings.HasSuffix(doc, "</w:sectPr></w:body></w:document>") {
			t.Errorf("%s: body does not end with its section", name)
		}
		if strings.Contains(doc, "</w:tbl><w:sectPr>") {
			t.Errorf("%s: a table ends the body", name)
		}
		if _, err := extract.Text(context.Background(), "docx", b, extract.Limits{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLibreOfficeOpensIt converts the document to PDF when LibreOffice is
// installed (Debian: libreoffice-writer-nogui).
func TestLibreOfficeOpensIt(t *testing.T) {
	pdf := PDFFromLibreOffice(t, sample())
	pages, err := extract.Parts(context.Background(), "pdf", pdf, extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// The page break makes two pages, each with its number at the foot.
	// (Chinese text reads back only where a CJK font is installed, so
	// the Latin text is what is checked.)
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2: %q", len(pages), pages)
	}
	for _, want := range []string{"2026", "a<b>c&d", "12"} {
		if !strings.Contains(pages[0].Text, want) {
			t.Errorf("page 1 lacks %q: %q", want, pages[0].Text)
		}
	}
	for i, p := range pages {
		if !strings.Contains(strings.Join(strings.Fields(p.Text), ""), fmt.Sprintf("—%d—", i+1)) {
			t.Errorf("page %d lacks its number: %q", i+1, p.Text)
		}
	}
	if out, _ := exec.Command("fc-list", ":lang=zh").Output(); len(out) > 0 {
		first := strings.Join(strings.Fields(pages[0].Text), "")
		for _, want := range []string{"临政办督〔2026〕7号", "关于<测试>&\"引号\"的通知", "单位发布数排名", "市发改委121"} {
			if !strings.Contains(first, want) {
				t.Errorf("page 1 lacks %q: %q", want, first)
			}
		}
	}
}

// PDFFromLibreOffice converts d with LibreOffice and returns the PDF; the
// test is skipped when LibreOffice is not installed.
func PDFFromLibreOffice(t *testing.T, d *docx.Document) []byte {
	t.Helper()
	bin := ""
	for _, name := range []string{"libreoffice", "soffice"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("GONGKAI_REQUIRE_LIBREOFFICE") == "1" {
			t.Fatal("libreoffice is not installed, and GONGKAI_REQUIRE_LIBREOFFICE=1 asks for the conversion")
		}
		t.Skip("libreoffice is not installed (Debian: libreoffice-writer-nogui); GONGKAI_REQUIRE_LIBREOFFICE=1 makes this a failure")
	}
	if testing.Short() {
		t.Skip("converting with LibreOffice takes seconds")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "notice.docx")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// A profile of its own, so that a LibreOffice already running for
	// someone else does not take the job.
	cmd := exec.Command(bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", dir, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "notice.pdf"))
	if err != nil {
		t.Fatalf("no PDF: %v\n%s", err, out)
	}
	if len(pdf) < 1000 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the PDF is %d bytes and starts %q", len(pdf), pdf[:min(len(pdf), 8)])
	}
	return pdf
}
