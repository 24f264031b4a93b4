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
type csvWriter struct {
	w      *bufio.Writer
	bom    bool
	single bool // one field: an empty cell must not make a blank line
}

func newCSVWriter(w *bufio.Writer, bom bool) *csvWriter { return &csvWriter{w: w, bom: bom} }

func (c *csvWriter) begin(fields []catalog.Field) error {
	c.single = len(fields) == 1
	var b []byte
	if c.bom {
		b = append(b, utf8BOM...)
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
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, s[start:i+1]...)
			b = append(b, '"')
			start = i + 1
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
