package opendata

import "gongkai/internal/catalog"

// rowWriter turns rows into one download format. Cells arrive in the
// order of the fields given to begin, as their canonical text (what
// catalog.Value.Text holds), nil for an empty cell; they are valid only
// during the call.
type rowWriter interface {
	// begin writes what comes before the rows (a header row, "[").
	begin(fields []catalog.Field) error
	row(cells [][]byte) error
	// end finishes the document.
	end() error
}

// valueCells turns a row of values into the cells a rowWriter takes.
func valueCells(cells [][]byte, vals []catalog.Value) [][]byte {
	cells = cells[:0]
	for _, v := range vals {
		if v.Null {
			cells = append(cells, nil)
			continue
		}
		cells = append(cells, append([]byte{}, v.Text...))
	}
	return cells
}
