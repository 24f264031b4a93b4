package demo

import (
	"html"
	"strings"
	"unicode/utf8"
)

// A body is built as a list of blocks and rendered either as HTML or as
// plain text, so every generator serves both body_html and body_text.

type blockKind uint8

const (
	blockPara    blockKind = iota // an ordinary paragraph
	blockHeading                  // a section heading, bold in HTML
	blockTable                    // a data table
	blockLink                     // a paragraph with one link
	blockSign                     // a right-aligned signature line
)

type block struct {
	kind   blockKind
	text   string // paragraph text; for links the text before the link
	label  string // link label
	href   string // link target
	after  string // link paragraph text after the link
	header []string
	rows   [][]string
}

// body collects the blocks of one entry's text.
type body struct {
	blocks []block
}

func (b *body) para(s string)    { b.blocks = append(b.blocks, block{kind: blockPara, text: s}) }
func (b *body) heading(s string) { b.blocks = append(b.blocks, block{kind: blockHeading, text: s}) }
func (b *body) sign(s string)    { b.blocks = append(b.blocks, block{kind: blockSign, text: s}) }

func (b *body) table(header []string, rows [][]string) {
	b.blocks = append(b.blocks, block{kind: blockTable, header: header, rows: rows})
}

func (b *body) link(before, label, href, after string) {
	b.blocks = append(b.blocks, block{kind: blockLink, text: before, label: label, href: href, after: after})
}

// textLen counts the visible characters of the body.
func (b *body) textLen() int {
	n := 0
	for i := range b.blocks {
		n += b.blocks[i].textLen()
	}
	return n
}

func (bl *block) textLen() int {
	n := utf8.RuneCountInString(bl.text) + utf8.RuneCountInString(bl.label) + utf8.RuneCountInString(bl.after)
	for _, h := range bl.header {
		n += utf8.RuneCountInString(h)
	}
	for _, row := range bl.rows {
		for _, c := range row {
			n += utf8.RuneCountInString(c)
		}
	}
	return n
}

// fit keeps the visible text between min and max characters: it drops
// paragraphs from the middle of a long body (never headings, tables or
// signatures, so the structure stays intact) and pads a short one with
// closing remarks from pad.
func (b *body) fit(min, max int, pad func() string) {
	for n := b.textLen(); n > max; n = b.textLen() {
		cut := -1
		for i := len(b.blocks) - 2; i > 0; i-- {
			if b.blocks[i].kind == blockPara {
				cut = i
				break
			}
		}
		if cut < 0 {
			break
		}
		b.blocks = append(b.blocks[:cut], b.blocks[cut+1:]...)
	}
	for tries := 0; b.textLen() < min && tries < 20; tries++ {
		// Padding goes before any trailing signature lines.
		at := len(b.blocks)
		for at > 0 && b.blocks[at-1].kind == blockSign {
			at--
		}
		b.blocks = append(b.blocks, block{})
		copy(b.blocks[at+1:], b.blocks[at:])
		b.blocks[at] = block{kind: blockPara, text: pad()}
	}
}

// firstText returns the first paragraph, used for summaries.
func (b *body) firstText() string {
	for i := range b.blocks {
		if b.blocks[i].kind == blockPara && b.blocks[i].text != "" {
			return b.blocks[i].text
		}
	}
	return ""
}

// html renders the body as clean HTML: paragraphs, bold headings, tables
// with thead/tbody and plain links. No scripts, no event attributes.
func (b *body) html() string {
	var sb strings.Builder
	for i := range b.blocks {
		if i > 0 {
			sb.WriteByte('\n')
		}
		bl := &b.blocks[i]
		switch bl.kind {
		case blockPara:
			sb.WriteString("<p>")
			sb.WriteString(html.EscapeString(bl.text))
			sb.WriteString("</p>")
		case blockHeading:
			sb.WriteString("<p><strong>")
			sb.WriteString(html.EscapeString(bl.text))
			sb.WriteString("</strong></p>")
		case blockSign:
			sb.WriteString(`<p style="text-align:right">`)
			sb.WriteString(html.EscapeString(bl.text))
			sb.WriteString("</p>")
		case blockLink:
			sb.WriteString("<p>")
			sb.WriteString(html.EscapeString(bl.text))
			sb.WriteString(`<a href="`)
			sb.WriteString(html.EscapeString(bl.href))
			sb.WriteString(`">`)
			sb.WriteString(html.EscapeString(bl.label))
			sb.WriteString("</a>")
			sb.WriteString(html.EscapeString(bl.after))
			sb.WriteString("</p>")
		case blockTable:
			sb.WriteString(`<table border="1"><thead><tr>`)
			for _, h := range bl.header {
				sb.WriteString("<th>")
				sb.WriteString(html.EscapeString(h))
				sb.WriteString("</th>")
			}
			sb.WriteString("</tr></thead><tbody>")
			for _, row := range bl.rows {
				sb.WriteString("<tr>")
				for _, c := range row {
					sb.WriteString("<td>")
					sb.WriteString(html.EscapeString(c))
					sb.WriteString("</td>")
				}
				sb.WriteString("</tr>")
			}
			sb.WriteString("</tbody></table>")
		}
	}
	return sb.String()
}

// text renders the body as plain text, one paragraph a line; table cells
// are separated by ideographic spaces as in documents pasted from Word.
func (b *body) text() string {
	var sb strings.Builder
	for i := range b.blocks {
		if i > 0 {
			sb.WriteByte('\n')
		}
		bl := &b.blocks[i]
		switch bl.kind {
		case blockLink:
			sb.WriteString(bl.text)
			sb.WriteString(bl.label)
			sb.WriteString("（")
			sb.WriteString(bl.href)
			sb.WriteString("）")
			sb.WriteString(bl.after)
		case blockTable:
			sb.WriteString(strings.Join(bl.header, "　"))
			for _, row := range bl.rows {
				sb.WriteByte('\n')
				sb.WriteString(strings.Join(row, "　"))
			}
		default:
			sb.WriteString(bl.text)
		}
	}
	return sb.String()
}
