package opendata

import (
	"bufio"
	"strconv"
	"unicode/utf8"

	"gongkai/internal/catalog"
)

// jsonWriter writes rows as one JSON array of objects, or as JSON Lines
// (one object a line). Values keep their types: integers and numbers are
// JSON numbers with exactly the stored digits (never through float64),
// booleans are true/false, empty cells null, everything else strings.
type jsonWriter struct {
	w     *bufio.Writer
	lines bool
	keys  [][]byte // `"name":` per field
	types []string
	n     int64
}

func newJSONWriter(w *bufio.Writer, lines bool) *jsonWriter { return &jsonWriter{w: w, lines: lines} }

func (j *jsonWriter) begin(fields []catalog.Field) error {
	j.keys = objectKeys(fields)
	j.types = make([]string, len(fields))
	for i, f := range fields {
		j.types[i] = f.Type
	}
	if j.lines {
		return nil
	}
	return j.w.WriteByte('[')
}

// objectKeys renders each field's `"name":` once, for every row to reuse.
func objectKeys(fields []catalog.Field) [][]byte {
	keys := make([][]byte, len(fields))
	for i, f := range fields {
		keys[i] = append(appendJSONString(nil, f.Name), ':')
	}
	return keys
}

func (j *jsonWriter) row(cells [][]byte) error {
	// Encoded straight into the writer's free buffer, as CSV rows are.
	b := j.w.AvailableBuffer()
	if !j.lines {
		if j.n > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, '{')
	for i, cell := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, j.keys[i]...)
		b = appendJSONCell(b, j.types[i], cell)
	}
	b = append(b, '}')
	if j.lines {
		b = append(b, '\n')
	}
	j.n++
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) end() error {
	if j.lines {
		return nil
	}
	if j.n > 0 {
		_, err := j.w.WriteString("\n]\n")
		return err
	}
	_, err := j.w.WriteString("]\n")
	return err
}

// appendRowObject appends one row as a JSON object.
func appendRowObject(b []byte, keys [][]byte, vals []catalog.Value) []byte {
	b = append(b, '{')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, keys[i]...)
		b = appendJSONValue(b, v)
	}
	return append(b, '}')
}

// appendJSONValue appends one cell with its type.
func appendJSONValue(b []byte, v catalog.Value) []byte {
	switch {
	case v.Null:
		return append(b, "null"...)
	case v.Type == catalog.TypeInteger:
		return strconv.AppendInt(b, v.Int, 10)
	case v.Type == catalog.TypeBoolean:
		return strconv.AppendBool(b, v.Bool)
	case v.Type == catalog.TypeNumber && isJSONNumber(v.Text):
		// The canonical text is already a JSON number; written as is, no
		// digit is lost or added.
		return append(b, v.Text...)
	default:
		return appendJSONString(b, v.Text)
	}
}

// appendJSONCell appends one cell, given as its canonical text (nil:
// empty), with its field's type, as appendJSONValue does for values.
func appendJSONCell(b []byte, typ string, cell []byte) []byte {
	switch {
	case cell == nil:
		return append(b, "null"...)
	case typ == catalog.TypeInteger || typ == catalog.TypeBoolean:
		// Canonical text: the decimal integer, true or false.
		return append(b, cell...)
	case typ == catalog.TypeNumber && isJSONNumber(cell):
		return append(b, cell...)
	default:
		return appendJSONString(b, cell)
	}
}

// isJSONNumber checks the JSON number grammar (without exponent, which
// stored numbers never have), so that a value that somehow is not one
// still yields valid JSON, as a string.
func isJSONNumber[S ~string | ~[]byte](s S) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	intPart, frac, dot := s, s[:0], false
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac, dot = s[:i], s[i+1:], true
			break
		}
	}
	if len(intPart) == 0 || (len(intPart) > 1 && intPart[0] == '0') || !allDigits(intPart) {
		return false
	}
	return !dot || (len(frac) > 0 && allDigits(frac))
}

func allDigits[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Control characters, quote
// and backslash are escaped, U+2028/U+2029 too (so the output is also
// valid JavaScript); invalid UTF-8 becomes U+FFFD. Everything else,
// Chinese included, is written as UTF-8.
func appendJSONString[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		// At most four bytes: the conversion stays on the stack.
		r, size := utf8.DecodeRune([]byte(s[i:min(i+utf8.UTFMax, len(s))]))
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
