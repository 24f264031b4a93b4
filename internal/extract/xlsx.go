package extract

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// xlsxRead reads SpreadsheetML: the shared strings and the worksheets.
func xlsxRead(ctx context.Context, data []byte, lim Limits, o *out) error {
	p, err := openPackage(data, "xlsx", lim)
	if err != nil {
		return err
	}
	ms := p.members(func(name string) bool {
		return name == "xl/sharedStrings.xml" || (strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml"))
	})
	if len(ms) == 0 {
		return fmt.Errorf("extract: xlsx package has no text part: %w", ErrMalformed)
	}
	var names map[string]string
	if o.located {
		if names, err = sheetNames(ctx, p); err != nil {
			return err
		}
	}
	// The shared strings sort before the worksheets ('s' < 'w'), so a
	// located walk has them all before the first cell refers to one.
	w := &xlsxWalker{o: o}
	for _, f := range ms {
		w.sheet = names[f.Name]
		if w.sheet == "" {
			w.sheet = strings.TrimSuffix(path.Base(f.Name), ".xml")
		}
		w.inText, w.sharedRef, w.rowNo, w.inRow = false, false, 0, false
		w.inSI, w.inRPh, w.inV, w.inIS, w.inT = false, 0, false, false, false
		if err := p.walk(ctx, f, w.token); err != nil {
			return err
		}
		if w.inRow {
			if err := w.endRow(); err != nil {
				return err
			}
		}
		if err := o.textByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// xlsxWalker turns a member's tokens into the flat text — shared strings
// a line each, then every sheet with a cell a tab and a row a line, shared
// strings referred to by index left out, exactly as the index has always
// had it — and the sheets into one located part per row.
type xlsxWalker struct {
	o         *out
	inText    bool // flat: the chardata is text
	sharedRef bool // flat: the current cell's value is an index into the shared strings

	sheet  string
	shared []string // located: the shared strings, in order
	si     piece    // the shared string being read
	inSI   bool
	inRPh  int // inside phonetic runs, which are no part of a string's text
	inRow  bool
	rowNo  int
	cellT  string // the cell's type attribute
	inV    bool
	inIS   bool // inside an inline string
	inT    bool
	value  piece
	cells  []string
	rowCut bool
}

func (w *xlsxWalker) token(tok xml.Token) error {
	o := w.o
	switch t := tok.(type) {
	case xml.StartElement:
		switch t.Name.Local {
		case "t":
			w.inText = true
			w.inT = true
		case "v":
			w.inText = !w.sharedRef // an index into the shared strings is no text
			w.inV = true
		case "c":
			w.sharedRef = false
			for _, at := range t.Attr {
				if at.Name.Local == "t" && at.Value == "s" {
					w.sharedRef = true
				}
			}
			w.cellT = attr(t, "t")
			w.value.reset()
		case "si":
			w.inSI = true
			w.si.reset()
		case "rPh":
			w.inRPh++
		case "is":
			w.inIS = true
		case "row":
			if w.inRow {
				if err := w.endRow(); err != nil {
					return err
				}
			}
			w.inRow = true
			w.cells = w.cells[:0]
			if n, err := strconv.Atoi(attr(t, "r")); err == nil && n > 0 {
				w.rowNo = n
			} else {
				w.rowNo++
			}
		}
	case xml.EndElement:
		switch t.Name.Local {
		case "t":
			w.inText = false
			w.inT = false
		case "v":
			w.inText = false
			w.inV = false
		case "c":
			if w.inRow && o.located {
				w.cells = append(w.cells, strings.TrimSpace(w.cellText()))
				w.rowCut = w.rowCut || w.value.over
			}
			w.inIS = false
			return o.textByte('\t')
		case "rPh":
			if w.inRPh > 0 {
				w.inRPh--
			}
		case "is":
			w.inIS = false
		case "si":
			if w.inSI && o.located {
				w.shared = append(w.shared, w.si.b.String())
				w.si.reset()
			}
			w.inSI = false
			return o.textByte('\n')
		case "row":
			if w.inRow {
				if err := w.endRow(); err != nil {
					return err
				}
			}
			return o.textByte('\n')
		}
	case xml.CharData:
		if o.located {
			switch {
			case w.inSI && w.inT && w.inRPh == 0:
				w.si.write(o, string(t))
			case w.inRow && w.inV, w.inRow && w.inIS && w.inT && w.inRPh == 0:
				w.value.write(o, string(t))
			}
		}
		if w.inText {
			return o.text(string(t))
		}
	}
	return nil
}

// cellText is a cell's value as a reader sees it.
func (w *xlsxWalker) cellText() string {
	v := w.value.b.String()
	if w.cellT != "s" {
		return v
	}
	i, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || i < 0 || i >= len(w.shared) {
		return ""
	}
	return w.shared[i]
}

func (w *xlsxWalker) endRow() error {
	w.inRow = false
	row := strings.Join(nonEmpty(w.cells), "\t")
	cut := w.rowCut
	w.cells, w.rowCut = w.cells[:0], false
	err := w.o.part(fmt.Sprintf("%s 第%d行", w.sheet, w.rowNo), row)
	if err == nil && cut {
		err = errFull
	}
	return err
}

// sheetNames maps worksheet members to the names their tabs show, from
// the workbook and its relationships. A package that lacks them (or has
// them broken) still reads, its sheets named after their files.
func sheetNames(ctx context.Context, p *pkg) (map[string]string, error) {
	wb, rels := p.member("xl/workbook.xml"), p.member("xl/_rels/workbook.xml.rels")
	if wb == nil || rels == nil {
		return nil, nil
	}
	byID := map[string]string{} // relationship id → sheet name
	err := p.walk(ctx, wb, func(tok xml.Token) error {
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "sheet" {
			for _, a := range t.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					byID[a.Value] = attr(t, "name")
				}
			}
		}
		return nil
	})
	if err == nil {
		names := map[string]string{}
		err = p.walk(ctx, rels, func(tok xml.Token) error {
			if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "Relationship" {
				if name, ok := byID[attr(t, "Id")]; ok && name != "" {
					target := attr(t, "Target")
					if strings.HasPrefix(target, "/") {
						target = strings.TrimPrefix(target, "/")
					} else {
						target = path.Join("xl", target)
					}
					names[path.Clean(target)] = name
				}
			}
			return nil
		})
		if err == nil {
			return names, nil
		}
	}
	if errors.Is(err, ErrTooLarge) || ctx.Err() != nil {
		return nil, err
	}
	return nil, nil
}
