// Package docx writes Word documents (WordprocessingML, .docx) for the
// documents the system issues: supervision notices, quarterly bulletins.
// It knows what a Chinese official document (公文, GB/T 9704) needs and
// little more: paragraphs of runs (bold, size, colour, a font named for
// East-Asian text), alignment, first-line indents, headings, a coloured
// rule line such as the red line of a 版头, simple bordered tables with a
// header row, page breaks, page numbers, and an A4 page with the official
// margins.
//
// The output is deterministic: the same document always gives the same
// bytes (the zip's times are fixed), so a generated file can be hashed
// and archived. Text is escaped, and characters XML cannot carry (control
// characters, broken UTF-8) are dropped; a new line in a run's text is a
// line break, a tab a tab.
package docx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Font names as Word and WPS know them. A reader without the font
// substitutes its own.
const (
	FangSong     = "仿宋"      // body text (仿宋_GB2312 on older machines)
	HeiTi        = "黑体"      // first-level headings
	KaiTi        = "楷体"      // second-level headings
	SongTi       = "宋体"      // page numbers, tables
	XiaoBiaoSong = "方正小标宋简体" // the issuer's mark and the title
)

// Sizes of Chinese type (字号) in points.
const (
	SizeChuHao  = 42.0 // 初号
	SizeXiaoChu = 36.0 // 小初
	SizeYiHao   = 26.0 // 一号
	SizeErHao   = 22.0 // 二号: titles
	SizeSanHao  = 16.0 // 三号: body text
	SizeSiHao   = 14.0 // 四号: page numbers
	SizeXiaoSi  = 12.0 // 小四: tables
	SizeWuHao   = 10.5 // 五号
)

// Red is the red of the issuer's mark and the rule under the 版头.
const Red = "FF0000"

// Align is a paragraph's alignment.
type Align int

// Alignments.
const (
	Justify Align = iota // both edges, as body text of official documents
	Left
	Center
	Right
)

func (a Align) val() string {
	switch a {
	case Left:
		return "left"
	case Center:
		return "center"
	case Right:
		return "right"
	}
	return "both"
}

// Run is a stretch of text in one format. Zero fields take the
// paragraph's style (by default 仿宋, 三号, black).
type Run struct {
	Text  string
	Bold  bool
	Size  float64 // points
	Font  string  // e.g. FangSong, HeiTi
	Color string  // RRGGBB
}

// Para is a paragraph.
type Para struct {
	Runs  []Run
	Align Align
	// Indent is the first-line indent in characters (2 for body text);
	// RightIndent the space kept at the right in characters (a signature
	// block stands 4 characters from the right edge).
	Indent      float64
	RightIndent float64
	// SpaceBefore and SpaceAfter are in points.
	SpaceBefore float64
	SpaceAfter  float64
	// Line is an exact line pitch in points; 0 keeps the document's.
	Line float64
	// RuleBelow draws a rule of this colour (RRGGBB) under the paragraph,
	// as wide as the text block: the red line of a 版头.
	RuleBelow string
	// KeepNext keeps the paragraph on the page of the next one.
	KeepNext bool
	// PageBreakBefore starts the paragraph on a new page.
	PageBreakBefore bool

	style string
}

// Table is a simple table: a header row (repeated on every page, bold,
// shaded) and rows of text, with single borders all round.
type Table struct {
	Header []string
	Rows   [][]string
	// Widths are the columns' relative widths (any unit); missing or
	// zero ones share the rest alike.
	Widths []float64
	// Align per column; missing ones are left-aligned (header cells are
	// always centred).
	Align []Align
	// Size of the text in points; 0 is 小四 (12 pt).
	Size float64
	// Font of the cells; "" is 仿宋 (the header is 黑体).
	Font string
}

// Margins of the page, in millimetres.
type Margins struct {
	Top, Bottom, Left, Right float64
}

// OfficialMargins are GB/T 9704's for A4: a text block of 156 × 225 mm with
// the top margin 37 mm and the binding (left) margin 28 mm.
var OfficialMargins = Margins{Top: 37, Bottom: 35, Left: 28, Right: 26}

// Document is a Word document being built. The zero value is usable: an
// A4 page with the official margins, body text in 仿宋 三号.
type Document struct {
	// Title and Author go into the document's properties.
	Title  string
	Author string
	// Created is the properties' creation time; zero leaves it out (and
	// keeps the bytes the same from one day to the next).
	Created time.Time
	// Margins of every page; zero is OfficialMargins.
	Margins Margins
	// Landscape turns the A4 page (wide tables).
	Landscape bool
	// Font and Size of the body text; zero is 仿宋 三号.
	Font string
	Size float64
	// Line is the body's exact line pitch in points; 0 is 28.95 pt, which
	// gives the official 22 lines in the text block.
	Line float64
	// PageNumbers prints "— N —" at the foot of each page.
	PageNumbers bool

	blocks []block
}

type block interface {
	xml(d *Document, b *strings.Builder)
}

// Add appends paragraphs.
func (d *Document) Add(ps ...Para) *Document {
	for _, p := range ps {
		d.blocks = append(d.blocks, p)
	}
	return d
}

// Text appends a body paragraph: justified, indented two characters.
func (d *Document) Text(s string) *Document {
	return d.Add(Para{Runs: []Run{{Text: s}}, Indent: 2})
}

// TitleText appends a document's title: 方正小标宋 二号, centred.
func (d *Document) TitleText(s string) *Document {
	return d.Add(Para{Runs: []Run{{Text: s}}, Align: Center, style: "Title"})
}

// Heading appends a heading of level 1 (黑体), 2 (楷体) or 3 (仿宋 bold),
// the official document's 一、 (一) 1. levels, indented two characters.
func (d *Document) Heading(level int, s string) *Document {
	level = min(max(level, 1), 3)
	return d.Add(Para{Runs: []Run{{Text: s}}, Indent: 2, KeepNext: true, style: fmt.Sprintf("Heading%d", level)})
}

// Rule appends a rule line of a colour (RRGGBB) across the text block.
func (d *Document) Rule(color string) *Document {
	return d.Add(Para{Runs: []Run{{Size: 6}}, Line: 6, RuleBelow: color})
}

// PageBreak starts a new page.
func (d *Document) PageBreak() *Document {
	d.blocks = append(d.blocks, pageBreak{})
	return d
}

// Table appends a table with a header row and returns it, so that widths
// or alignments can be set.
func (d *Document) Table(header []string, rows [][]string) *Table {
	t := &Table{Header: header, Rows: rows}
	d.blocks = append(d.blocks, t)
	return t
}

// AddTable appends a table.
func (d *Document) AddTable(t Table) *Document {
	d.blocks = append(d.blocks, &t)
	return d
}

// Bytes returns the document as a .docx file.
func (d *Document) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// zipTime is the fixed time of every member, for identical bytes.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Write writes the document as a .docx file.
func (d *Document) Write(w io.Writer) error {
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", d.contentTypes()},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", d.core()},
		{"docProps/app.xml", appXML},
		{"word/document.xml", d.document()},
		{"word/styles.xml", d.styles()},
		{"word/settings.xml", settingsXML},
		{"word/fontTable.xml", fontTableXML},
		{"word/_rels/document.xml.rels", d.documentRels()},
	}
	if d.PageNumbers {
		parts = append(parts, struct{ name, body string }{"word/footer1.xml", footerXML})
	}
	z := zip.NewWriter(w)
	for _, p := range parts {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return fmt.Errorf("docx: %s: %w", p.name, err)
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return fmt.Errorf("docx: %s: %w", p.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	return nil
}

// ---- measures

func (d *Document) bodySize() float64 {
	if d.Size > 0 {
		return d.Size
	}
	return SizeSanHao
}

func (d *Document) bodyFont() string {
	if d.Font != "" {
		return d.Font
	}
	return FangSong
}

func (d *Document) linePitch() float64 {
	if d.Line > 0 {
		return d.Line
	}
	return 28.95
}

func (d *Document) margins() Margins {
	if d.Margins == (Margins{}) {
		return OfficialMargins
	}
	return d.Margins
}

// twips converts points to twentieths of a point.
func twips(pt float64) int { return int(math.Round(pt * 20)) }

// mmTwips converts millimetres to twips.
func mmTwips(mm float64) int { return int(math.Round(mm * 1440 / 25.4)) }

// halfPoints converts points to the half-points of w:sz.
func halfPoints(pt float64) int { return int(math.Round(pt * 2)) }

// ---- document.xml

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

func (d *Document) document() string {
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<w:document ` + wNS + `><w:body>`)
	for _, bl := range d.blocks {
		bl.xml(d, &b)
	}
	// A table may not end the body: Word wants a paragraph after it.
	if len(d.blocks) == 0 {
		b.WriteString(`<w:p/>`)
	} else if _, ok := d.blocks[len(d.blocks)-1].(*Table); ok {
		b.WriteString(`<w:p/>`)
	}
	d.section(&b)
	b.WriteString(`</w:body></w:document>`)
	return b.String()
}

func (d *Document) section(b *strings.Builder) {
	w, h := mmTwips(210), mmTwips(297)
	orient := ""
	if d.Landscape {
		w, h = h, w
		orient = ` w:orient="landscape"`
	}
	m := d.margins()
	b.WriteString(`<w:sectPr>`)
	if d.PageNumbers {
		b.WriteString(`<w:footerReference w:type="default" r:id="rIdFooter1"/>`)
	}
	fmt.Fprintf(b, `<w:pgSz w:w="%d" w:h="%d"%s/>`, w, h, orient)
	fmt.Fprintf(b, `<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="%d" w:gutter="0"/>`,
		mmTwips(m.Top), mmTwips(m.Right), mmTwips(m.Bottom), mmTwips(m.Left), mmTwips(max(m.Bottom-7, 5)))
	// The grid of lines gives the text block its official rows.
	fmt.Fprintf(b, `<w:docGrid w:type="lines" w:linePitch="%d"/>`, twips(d.linePitch()))
	b.WriteString(`</w:sectPr>`)
}

func (p Para) xml(d *Document, b *strings.Builder) {
	b.WriteString(`<w:p><w:pPr>`)
	if p.style != "" {
		b.WriteString(`<w:pStyle w:val="` + p.style + `"/>`)
	}
	if p.KeepNext {
		b.WriteString(`<w:keepNext/>`)
	}
	if p.PageBreakBefore {
		b.WriteString(`<w:pageBreakBefore/>`)
	}
	if p.RuleBelow != "" {
		fmt.Fprintf(b, `<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="1" w:color="%s"/></w:pBdr>`, color(p.RuleBelow))
	}
	if p.SpaceBefore > 0 || p.SpaceAfter > 0 || p.Line > 0 {
		b.WriteString(`<w:spacing`)
		if p.SpaceBefore > 0 {
			fmt.Fprintf(b, ` w:before="%d"`, twips(p.SpaceBefore))
		}
		if p.SpaceAfter > 0 {
			fmt.Fprintf(b, ` w:after="%d"`, twips(p.SpaceAfter))
		}
		if p.Line > 0 {
			fmt.Fprintf(b, ` w:line="%d" w:lineRule="exact"`, twips(p.Line))
		}
		b.WriteString(`/>`)
	}
	if p.Indent > 0 || p.RightIndent > 0 {
		// Characters for Word and WPS; twips (at the paragraph's size) for
		// readers that ignore the character measures.
		size := d.bodySize()
		if len(p.Runs) > 0 && p.Runs[0].Size > 0 {
			size = p.Runs[0].Size
		}
		b.WriteString(`<w:ind`)
		if p.RightIndent > 0 {
			fmt.Fprintf(b, ` w:rightChars="%d" w:right="%d"`, int(math.Round(p.RightIndent*100)), twips(p.RightIndent*size))
		}
		if p.Indent > 0 {
			fmt.Fprintf(b, ` w:firstLineChars="%d" w:firstLine="%d"`, int(math.Round(p.Indent*100)), twips(p.Indent*size))
		}
		b.WriteString(`/>`)
	}
	b.WriteString(`<w:jc w:val="` + p.Align.val() + `"/>`)
	b.WriteString(`</w:pPr>`)
	for _, r := range p.Runs {
		r.xml(b)
	}
	b.WriteString(`</w:p>`)
}

func (r Run) xml(b *strings.Builder) {
	b.WriteString(`<w:r>`)
	if r.Font != "" || r.Bold || r.Size > 0 || r.Color != "" {
		b.WriteString(`<w:rPr>`)
		if r.Font != "" {
			fonts(b, r.Font)
		}
		if r.Bold {
			b.WriteString(`<w:b/><w:bCs/>`)
		}
		if r.Color != "" {
			b.WriteString(`<w:color w:val="` + color(r.Color) + `"/>`)
		}
		if r.Size > 0 {
			fmt.Fprintf(b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, halfPoints(r.Size), halfPoints(r.Size))
		}
		b.WriteString(`</w:rPr>`)
	}
	text(b, r.Text)
	b.WriteString(`</w:r>`)
}

// fonts names one font for every script, marked as East-Asian text.
func fonts(b *strings.Builder, font string) {
	f := attrEscape(font)
	fmt.Fprintf(b, `<w:rFonts w:ascii="%s" w:hAnsi="%s" w:eastAsia="%s" w:cs="%s" w:hint="eastAsia"/>`, f, f, f, f)
}

// text writes a run's text: tabs and new lines as Word's own elements.
func text(b *strings.Builder, s string) {
	s = Clean(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString(`<w:br/>`)
		}
		for j, piece := range strings.Split(line, "\t") {
			if j > 0 {
				b.WriteString(`<w:tab/>`)
			}
			if piece != "" {
				b.WriteString(`<w:t xml:space="preserve">`)
				b.WriteString(escape(piece))
				b.WriteString(`</w:t>`)
			}
		}
	}
}

type pageBreak struct{}

func (pageBreak) xml(_ *Document, b *strings.Builder) {
	b.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
}

func (t *Table) xml(d *Document, b *strings.Builder) {
	cols := len(t.Header)
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	m := d.margins()
	pageW := 210.0
	if d.Landscape {
		pageW = 297
	}
	total := mmTwips(pageW - m.Left - m.Right)
	widths := t.columnWidths(cols, total)
	size := t.Size
	if size <= 0 {
		size = SizeXiaoSi
	}
	font := t.Font
	if font == "" {
		font = FangSong
	}
	b.WriteString(`<w:tbl><w:tblPr>`)
	fmt.Fprintf(b, `<w:tblW w:w="%d" w:type="dxa"/><w:jc w:val="center"/>`, total)
	b.WriteString(`<w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(b, `<w:%s w:val="single" w:sz="4" w:space="0" w:color="000000"/>`, side)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/>`)
	b.WriteString(`<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>`)
	b.WriteString(`<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>`)
	b.WriteString(`</w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString(`</w:tblGrid>`)
	if len(t.Header) > 0 {
		b.WriteString(`<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
		for i := 0; i < cols; i++ {
			cell(b, widths[i], at(t.Header, i), Center, Run{Bold: true, Size: size, Font: HeiTi}, "D9D9D9")
		}
		b.WriteString(`</w:tr>`)
	}
	for _, r := range t.Rows {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		for i := 0; i < cols; i++ {
			a := Left
			if i < len(t.Align) {
				a = t.Align[i]
			}
			cell(b, widths[i], at(r, i), a, Run{Size: size, Font: font}, "")
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

func at(ss []string, i int) string {
	if i < len(ss) {
		return ss[i]
	}
	return ""
}

func (t *Table) columnWidths(cols, total int) []int {
	rel := make([]float64, cols)
	var given float64
	unset := 0
	for i := range rel {
		if i < len(t.Widths) && t.Widths[i] > 0 {
			rel[i] = t.Widths[i]
			given += t.Widths[i]
		} else {
			unset++
		}
	}
	if unset > 0 {
		share := 1.0
		if given > 0 {
			share = given / float64(cols-unset)
		}
		for i := range rel {
			if rel[i] == 0 {
				rel[i] = share
			}
		}
	}
	var sum float64
	for _, r := range rel {
		sum += r
	}
	out := make([]int, cols)
	left := total
	for i, r := range rel {
		if i == cols-1 {
			out[i] = left
			break
		}
		out[i] = int(math.Round(float64(total) * r / sum))
		left -= out[i]
	}
	return out
}

func cell(b *strings.Builder, width int, s string, a Align, style Run, fill string) {
	fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, width)
	if fill != "" {
		fmt.Fprintf(b, `<w:shd w:val="clear" w:color="auto" w:fill="%s"/>`, fill)
	}
	b.WriteString(`<w:vAlign w:val="center"/></w:tcPr>`)
	b.WriteString(`<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="` + a.val() + `"/></w:pPr>`)
	style.Text = s
	style.xml(b)
	b.WriteString(`</w:p></w:tc>`)
}

// color keeps the hex digits of an RRGGBB colour ("000000" if none).
func color(c string) string {
	c = strings.TrimPrefix(strings.TrimSpace(c), "#")
	if len(c) != 6 {
		return "000000"
	}
	for _, r := range c {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return "000000"
		}
	}
	return strings.ToUpper(c)
}
