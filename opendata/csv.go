package opendata

import (
	"bufio"

	"gongkai/internal/catalog"
)

// utf8BOM makes Excel and WPS read a CSV file as UTF-8.
const utf8BOM = "\xef\xbb\xbf"

// csvWriter writes RFC 4180 CSV: a header row of field names, CRLF after
// every record, cells quoted only when they must be. Cell text is written
// byte for byte, so line breaks (CR, LF, CRLF) inside cells survive: the
// encoding/csv writer would rewrite them.
//
// The Excel variant starts with a UTF-8 BOM and guards against formula
// injection as OWASP advises: a text cell (a string field) that begins
// with = + - @, a tab or a CR, which a spreadsheet would run as a
// formula, gets a leading ' and shows as the text it is. Integers,
// numbers, dates and booleans are written as they are (-5 stays -5): they
// can hold no formula. The plain variant is byte-exact.
type csvWriter struct {
	w      *bufio.Writer
	excel  bool
	guard  []bool // excel: guard[i] when column i holds text
	single bool   // one field: an empty cell must not make a blank line
}

func newCSVWriter(w *bufio.Writer, excel bool) *csvWriter { return &csvWriter{w: w, excel: excel} }

func (c *csvWriter) begin(fields []catalog.Field) error {
	c.single = len(fields) == 1
	var b []byte
	if c.excel {
		b = append(b, utf8BOM...)
		c.guard = make([]bool, len(fields))
		for i, f := range fields {
			c.guard[i] = f.Type == catalog.TypeString
		}
	}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVCell(b, f.Name)
	}
	b = append(b, '\r', '\n')
	_, err := c.w.Write(b)
	return err
}

func (c *csvWriter) row(cells [][]byte) error {
	// Encoded straight into the writer's free buffer: no copy when it
	// fits, which it does but for the last row before a flush.
	b := c.w.AvailableBuffer()
	for i, cell := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		if cell == nil {
			if c.single {
				// A blank line is no record to CSV readers; "" is an empty cell.
				b = append(b, '"', '"')
			}
			continue
		}
		if c.guard != nil && c.guard[i] && formulaLead(cell) {
			b = appendGuardedCSVCell(b, cell)
			continue
		}
		b = appendCSVCell(b, cell)
	}
	b = append(b, '\r', '\n')
	_, err := c.w.Write(b)
	return err
}

func (c *csvWriter) end() error { return nil }

// appendCSVCell appends s as one CSV cell, in double quotes (with inner
// quotes doubled) when it holds a comma, a quote or a line break, or starts
// or ends with a space or tab that a lenient reader might trim.
func appendCSVCell[S ~string | ~[]byte](b []byte, s S) []byte {
	if !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	b = appendCSVQuoted(b, s)
	return append(b, '"')
}

// formulaLead reports whether a spreadsheet would take a text cell for a
// formula (or the start of one): it begins with = + - @, a tab or a CR.
func formulaLead(cell []byte) bool {
	if len(cell) == 0 {
		return false
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// appendGuardedCSVCell appends a text cell with a ' before it, quoted
// when the text needs it.
func appendGuardedCSVCell(b, cell []byte) []byte {
	if !csvNeedsQuotes(cell) {
		b = append(b, '\'')
		return append(b, cell...)
	}
	b = append(b, '"', '\'')
	b = appendCSVQuoted(b, cell)
	return append(b, '"')
}

// appendCSVQuoted appends the inside of a quoted cell: s with its quotes
// doubled.
func appendCSVQuoted[S ~string | ~[]byte](b []byte, s S) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, s[start:i+1]...)
			b = append(b, '"')
			start = i + 1
		}
	}
	return append(b, s[start:]...)
}

func csvNeedsQuotes[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	if c := s[0]; c == ' ' || c == '\t' {
		return true
	}
	if c := s[len(s)-1]; c == ' ' || c == '\t' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}
