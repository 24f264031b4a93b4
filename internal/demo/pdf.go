package demo

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A small PDF 1.4 writer for Chinese text. It uses the standard CJK font
// STSong-Light (one of the fonts every PDF reader must supply for the
// Adobe-GB1 collection), so nothing is embedded and files stay a few KB.
// The encoding UniGB-UCS2-H makes each character code the UCS-2 value of
// the character; a ToUnicode CMap maps the codes back to Unicode so that
// text extraction and search work.

const (
	pdfPageW    = 595 // A4 in points
	pdfPageH    = 842
	pdfMargin   = 72
	pdfBodySize = 12
	pdfHeadSize = 16
	pdfLeading  = 1.6
)

// pdfLine is one laid-out line of text.
type pdfLine struct {
	text string
	size float64
	x    float64
}

func writePDF(path string, s *attachmentSpec) error {
	return os.WriteFile(path, buildPDF(s.title, s.paras, s.date), 0o644)
}

// buildPDF lays out paras (the first one as a centred heading) on as many
// A4 pages as needed and returns the file.
func buildPDF(title string, paras []string, date time.Time) []byte {
	pages := layoutPDF(paras)

	var out bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	stream := func(dict string, data []byte) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n<< %s/Length %d >>\nstream\n", len(offsets), dict, len(data))
		out.Write(data)
		out.WriteString("\nendstream\nendobj\n")
	}

	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Objects 1–6 are fixed; pages and their contents follow in pairs.
	firstPage := 7
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = strconv.Itoa(firstPage+2*i) + " 0 R"
	}
	infoObj := firstPage + 2*len(pages)
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [" + strings.Join(kids, " ") + "] /Count " + strconv.Itoa(len(pages)) + " >>")
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>")
	obj("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>")
	obj("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
	stream("", toUnicodeCMap(paras))
	for i, lines := range pages {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + strconv.Itoa(pdfPageW) + " " + strconv.Itoa(pdfPageH) +
			"] /Resources << /Font << /F1 3 0 R >> >> /Contents " + strconv.Itoa(firstPage+2*i+1) + " 0 R >>")
		stream("", pageContent(lines))
	}
	d := date.In(cst)
	obj("<< /Title " + pdfUTF16(title) + " /Producer (Gongkai) /CreationDate (D:" + d.Format("20060102150405") + "+08'00') >>")

	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF", len(offsets)+1, infoObj, xref)
	return out.Bytes()
}

// runeWidth is a character's advance in ems: Latin letters and digits are
// half width in STSong-Light, everything else full width.
func runeWidth(r rune) float64 {
	if r < 0x80 {
		return 0.5
	}
	return 1
}

// layoutPDF wraps the paragraphs into lines and the lines into pages.
func layoutPDF(paras []string) [][]pdfLine {
	width := float64(pdfPageW - 2*pdfMargin)
	var lines []pdfLine
	for i, p := range paras {
		size := float64(pdfBodySize)
		if i == 0 {
			size = pdfHeadSize
		}
		perLine := width / size
		indent := 2.0 // two-character first-line indent, as in official documents
		if i == 0 {
			indent = 0
		}
		var cur []rune
		used := indent
		flush := func(first bool) {
			x := float64(pdfMargin)
			if first {
				x += indent * size
			}
			if i == 0 {
				x = (float64(pdfPageW) - used*size) / 2
			}
			lines = append(lines, pdfLine{text: string(cur), size: size, x: x})
			cur, used = cur[:0], 0
		}
		first := true
		for _, r := range p {
			if used+runeWidth(r) > perLine {
				flush(first)
				first = false
			}
			cur = append(cur, r)
			used += runeWidth(r)
		}
		if len(cur) > 0 || first {
			flush(first)
		}
	}
	var pages [][]pdfLine
	perPage := int(math.Floor(float64(pdfPageH-2*pdfMargin) / (pdfBodySize * pdfLeading)))
	for len(lines) > perPage {
		pages = append(pages, lines[:perPage])
		lines = lines[perPage:]
	}
	return append(pages, lines)
}

func pageContent(lines []pdfLine) []byte {
	var b bytes.Buffer
	y := float64(pdfPageH - pdfMargin)
	for _, l := range lines {
		y -= l.size * pdfLeading
		fmt.Fprintf(&b, "BT /F1 %s Tf %s %s Td <%s> Tj ET\n",
			strconv.FormatFloat(l.size, 'f', -1, 64),
			strconv.FormatFloat(l.x, 'f', 2, 64),
			strconv.FormatFloat(y, 'f', 2, 64),
			ucs2Hex(l.text))
	}
	return b.Bytes()
}

// ucs2Hex encodes s as UCS-2 big-endian hex; characters outside the Basic
// Multilingual Plane (none in our vocabularies) become U+FFFD.
func ucs2Hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r = utf8.RuneError
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

// pdfUTF16 writes a PDF text string in UTF-16BE with a byte order mark.
func pdfUTF16(s string) string {
	return "<FEFF" + ucs2Hex(s) + ">"
}

// toUnicodeCMap maps every character code used in the document to itself:
// with UniGB-UCS2-H the code already is the Unicode value.
func toUnicodeCMap(paras []string) []byte {
	seen := map[rune]bool{}
	var used []rune
	for _, p := range paras {
		for _, r := range p {
			if r > 0xFFFF {
				r = utf8.RuneError
			}
			if !seen[r] {
				seen[r] = true
				used = append(used, r)
			}
		}
	}
	slices.Sort(used)
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(used) > 0 {
		n := min(100, len(used)) // the CMap syntax allows at most 100 per block
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, r := range used[:n] {
			fmt.Fprintf(&b, "<%04X> <%04X>\n", r, r)
		}
		b.WriteString("endbfchar\n")
		used = used[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
	return b.Bytes()
}
