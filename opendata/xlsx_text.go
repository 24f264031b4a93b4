package opendata

import (
	"unicode/utf8"
)

// xlsxMaxChars is the most characters (UTF-16 code units, as Excel counts
// them) a cell may hold; spreadsheet programs refuse or cut longer text.
const xlsxMaxChars = 32767

const upperHex = "0123456789ABCDEF"

// appendXLSXText appends s as the content of a SpreadsheetML <t> element
// written with xml:space="preserve", so that reading it back gives s
// exactly:
//
//   - & < > as entities; CR as a character reference, because XML readers
//     turn a literal CR (and CRLF) into LF; TAB and LF as they are;
//   - characters XML 1.0 cannot carry (C0 controls other than TAB, LF and
//     CR; U+FFFE, U+FFFF) in the OOXML form _xHHHH_;
//   - the underscore of a literal "_xHHHH_" in the text as _x005F_, so that
//     it is not decoded as such an escape;
//   - invalid UTF-8 as U+FFFD (XML must be UTF-8).
//
// Text beyond xlsxMaxChars characters is cut, between characters.
func appendXLSXText(b, s []byte) []byte {
	units := 0
	start := 0 // s[start:i] is pending, to be copied as it is
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if units == xlsxMaxChars {
				break
			}
			units++
			if c >= 0x20 && c != '&' && c != '<' && c != '>' && c != '_' || c == '\t' || c == '\n' ||
				c == '_' && !isXLSXEscape(s[i:]) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '&':
				b = append(b, "&amp;"...)
			case '<':
				b = append(b, "&lt;"...)
			case '>':
				b = append(b, "&gt;"...)
			case '\r':
				b = append(b, "&#13;"...)
			case '_':
				b = append(b, "_x005F_"...)
			default: // another C0 control
				b = append(b, "_x00"...)
				b = append(b, upperHex[c>>4], upperHex[c&0xF], '_')
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		n := 1
		if r >= 0x10000 {
			n = 2 // a surrogate pair to Excel
		}
		if units+n > xlsxMaxChars {
			break
		}
		units += n
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
		case r == 0xFFFE || r == 0xFFFF:
			b = append(b, s[start:i]...)
			b = append(b, "_xFFF"...)
			b = append(b, upperHex[r&0xF], '_')
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	// i is the end of s, or where the text is cut.
	return append(b, s[start:i]...)
}

// isXLSXEscape reports whether s starts with "_x", four hex digits and
// "_": what a reader decodes as one escaped character.
func isXLSXEscape(s []byte) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range s[2:6] {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// appendXMLAttr appends s escaped for a double-quoted XML attribute.
func appendXMLAttr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\t', '\n', '\r':
			b = append(b, "&#"...)
			b = append(b, '0'+c/10, '0'+c%10, ';')
		default:
			b = append(b, c)
		}
	}
	return b
}
