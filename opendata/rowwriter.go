package opendata

import "gongkai/internal/catalog"

// rowWriter turns rows into one download format. Values arrive in the
// order of the fields given to begin.
type rowWriter interface {
	// begin writes what comes before the rows (a header row, "[").
	begin(fields []catalog.Field) error
	row(vals []catalog.Value) error
	// end finishes the document.
	end() error
}
