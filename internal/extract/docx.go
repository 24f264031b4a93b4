package extract

import (
	"context"
	"encoding/xml"
	"fmt"
	"strings"
)

// docxRead reads WordprocessingML: the body, footnotes and endnotes.
func docxRead(ctx context.Context, data []byte, lim Limits, o *out) error {
	p, err := openPackage(data, "docx", lim)
	if err != nil {
		return err
	}
	ms := p.members(func(name string) bool {
		return name == "word/document.xml" || strings.HasPrefix(name, "word/footnotes") || strings.HasPrefix(name, "word/endnotes")
	})
	if len(ms) == 0 {
		return fmt.Errorf("extract: docx package has no text part: %w", ErrMalformed)
	}
	for _, f := range ms {
		w := &docxWalker{o: o}
		switch {
		case strings.HasPrefix(f.Name, "word/footnotes"):
			w.note = "footnote"
			w.noteLabel = "脚注"
		case strings.HasPrefix(f.Name, "word/endnotes"):
			w.note = "endnote"
			w.noteLabel = "尾注"
		}
		if err := p.walk(ctx, f, w.token); err != nil {
			return err
		}
		if err := w.end(); err != nil {
			return err
		}
		if err := o.textByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// docxWalker turns one member's tokens into the flat text — the text runs
// (w:t), with paragraph ends, tabs and breaks as white space, exactly as
// the index has always had it — and into located parts.
type docxWalker struct {
	o      *out
	inText bool // inside a w:t

	// The body: a paragraph outside tables is a part; so is a row of a
	// table that stands in the body (nested tables and text boxes belong
	// to the cell or paragraph that holds them).
	pDepth    int  // open w:p
	tblDepth  int  // open w:tbl
	tblTop    bool // the outermost open table stands in the body, not in a paragraph
	inRow     bool
	inCell    bool
	paraNo    int
	tableNo   int
	rowNo     int
	cur       piece    // the paragraph (or stray text) being read
	cell      piece    // the cell being read
	cells     []string // the row's cells so far
	rowOver   bool     // a cell of the row was cut
	noteDepth int      // open w:footnote / w:endnote

	// Foot- and endnotes: each note is one part.
	note      string // "footnote", "endnote" or "" for the body
	noteLabel string
	noteNo    int
}

func (w *docxWalker) token(tok xml.Token) error {
	o := w.o
	switch t := tok.(type) {
	case xml.StartElement:
		if w.note != "" && t.Name.Local == w.note {
			if w.noteDepth++; w.noteDepth == 1 {
				w.cur.reset() // nothing outside a note is one
			}
		}
		switch t.Name.Local {
		case "t":
			w.inText = true
		case "tab":
			w.write("\t")
			return o.textByte('\t')
		case "br", "cr":
			w.write("\n")
			return o.textByte('\n')
		case "p":
			if w.pDepth == 0 && w.tblDepth == 0 && w.note == "" {
				if err := w.endPara(); err != nil { // stray text before it
					return err
				}
			}
			w.pDepth++
		case "tbl":
			if w.tblDepth == 0 && w.pDepth == 0 && w.note == "" {
				if err := w.endPara(); err != nil {
					return err
				}
				w.tableNo++
				w.rowNo = 0
				w.tblTop = true
			}
			w.tblDepth++
		case "tr":
			if w.tblDepth == 1 && w.tblTop {
				w.rowNo++
				w.inRow = true
				w.cells = w.cells[:0]
			}
		case "tc":
			if w.tblDepth == 1 && w.inRow {
				w.inCell = true
			}
		}
	case xml.EndElement:
		if w.note != "" && t.Name.Local == w.note && w.noteDepth > 0 {
			if w.noteDepth--; w.noteDepth == 0 {
				return w.endNote()
			}
		}
		switch t.Name.Local {
		case "t":
			w.inText = false
		case "p":
			w.write("\n")
			if w.pDepth > 0 {
				w.pDepth--
			}
			if w.pDepth == 0 && w.tblDepth == 0 && w.note == "" {
				if err := w.endPara(); err != nil {
					return err
				}
			}
			return o.textByte('\n')
		case "tc":
			if w.tblDepth == 1 && w.inCell {
				w.inCell = false
				w.cells = append(w.cells, strings.TrimSpace(w.cell.b.String()))
				w.rowOver = w.rowOver || w.cell.over
				w.cell.reset()
			}
		case "tr":
			if w.tblDepth == 1 && w.inRow {
				w.inRow = false
				if err := w.endRow(); err != nil {
					return err
				}
			}
		case "tbl":
			if w.tblDepth > 0 {
				w.tblDepth--
			}
			if w.tblDepth == 0 {
				w.tblTop, w.inRow, w.inCell = false, false, false
			}
		}
	case xml.CharData:
		if w.inText {
			w.write(string(t))
			return o.text(string(t))
		}
	}
	return nil
}

// write adds text to the part being read: the cell in a body table's row,
// else the paragraph (or note).
func (w *docxWalker) write(s string) {
	if !w.o.located {
		return
	}
	if w.inCell {
		w.cell.write(w.o, s)
		return
	}
	if w.tblDepth > 0 && w.tblTop && w.pDepth == 0 {
		return // between the cells of a body table: nothing of a cell's
	}
	w.cur.write(w.o, s)
}

func (w *docxWalker) endPara() error {
	if strings.TrimSpace(w.cur.b.String()) == "" && !w.cur.over {
		w.cur.reset()
		return nil
	}
	w.paraNo++
	return w.o.flush(fmt.Sprintf("第%d段", w.paraNo), &w.cur)
}

func (w *docxWalker) endRow() error {
	row := strings.Join(nonEmpty(w.cells), "\t")
	over := w.rowOver
	w.cells, w.rowOver = w.cells[:0], false
	err := w.o.part(fmt.Sprintf("表%d第%d行", w.tableNo, w.rowNo), row)
	if err == nil && over {
		err = errFull
	}
	return err
}

func (w *docxWalker) endNote() error {
	if strings.TrimSpace(w.cur.b.String()) == "" && !w.cur.over {
		w.cur.reset()
		return nil
	}
	w.noteNo++
	return w.o.flush(fmt.Sprintf("%s%d", w.noteLabel, w.noteNo), &w.cur)
}

// end closes what the member left open: text after the last paragraph, or
// a part cut short by malformed markup.
func (w *docxWalker) end() error {
	if w.inRow {
		if err := w.endRow(); err != nil {
			return err
		}
	}
	if w.note != "" {
		if w.noteDepth == 0 {
			return nil // what follows the last note is none
		}
		return w.endNote()
	}
	return w.endPara()
}

func nonEmpty(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
