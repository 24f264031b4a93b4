package checks

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// MaskKeep says how much of a number masking leaves visible: the first
// Head and the last Tail of its digits and letters. Separators (spaces,
// hyphens) are kept where they are, so a masked number keeps its layout.
type MaskKeep struct {
	Head, Tail int
}

// DefaultIDKeep is how much of an ID number the one-click masking keeps by
// default (the region code and the last four: 371302********1234).
func DefaultIDKeep() MaskKeep { return MaskKeep{Head: 6, Tail: 4} }

// maskRune is what stands for a hidden digit.
const maskRune = '*'

// Mask hides every digit and letter of s except the first Head and the last
// Tail. A number too short to keep that much is hidden entirely: masking
// never gives the whole number back.
func (k MaskKeep) Mask(s string) string {
	head, tail := max(k.Head, 0), max(k.Tail, 0)
	n := 0
	for i := 0; i < len(s); {
		_, size := piiAlnum(s, i)
		if size > 0 {
			n++
			i += size
			continue
		}
		_, size = utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if n <= head+tail {
		head, tail = 0, 0
	}
	var b strings.Builder
	b.Grow(len(s))
	seen := 0
	for i := 0; i < len(s); {
		_, size := piiAlnum(s, i)
		if size > 0 {
			if seen < head || seen >= n-tail {
				b.WriteString(s[i : i+size])
			} else {
				b.WriteRune(maskRune)
			}
			seen++
			i += size
			continue
		}
		_, size = utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// MaskID masks an ID number keeping its first 6 and last 4 characters:
// 371302199001011234 → 371302********1234.
func MaskID(s string) string { return DefaultIDKeep().Mask(s) }

// MaskPhone masks a mobile number keeping its first 3 and last 4 digits:
// 138 0539 1234 → 138 **** 1234. A country prefix (+86, 0086) is kept as
// well: the three kept at the head are those of the national number.
func MaskPhone(s string) string {
	n := 0
	for i := 0; i < len(s); {
		c, size := piiAlnum(s, i)
		if size == 0 {
			_, size = utf8.DecodeRuneInString(s[i:])
		} else if c >= '0' && c <= '9' {
			n++
		}
		i += size
	}
	head := 3
	if n > 11 {
		head += n - 11
	}
	return MaskKeep{Head: head, Tail: 4}.Mask(s)
}

// MaskBank masks a bank card number keeping its first 6 (the issuer) and
// last 4 digits.
func MaskBank(s string) string { return MaskKeep{Head: 6, Tail: 4}.Mask(s) }

// ApplyMasks replaces, in a plain text, every personal-information finding
// (rules pii_*) by its suggestion — the review page's one-click masking.
// The findings' Start and End are character offsets into text (findings of
// other fields or parts must not be passed). A finding whose span no longer
// holds its Text (the text changed since the check) is left alone, as are
// findings overlapping one already applied.
func ApplyMasks(text string, findings []Finding) string {
	var fs []Finding
	for _, f := range findings {
		if strings.HasPrefix(f.Rule, "pii_") && f.Suggestion != "" && f.Start >= 0 && f.End > f.Start {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return text
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Start < fs[j].Start })

	// Byte offset of every rune boundary, so character offsets map back.
	offs := make([]int, 0, len(text)+1)
	for i := range text {
		offs = append(offs, i)
	}
	offs = append(offs, len(text))
	nrunes := len(offs) - 1

	var b strings.Builder
	b.Grow(len(text))
	done := 0 // runes of text already written
	for _, f := range fs {
		if f.Start < done || f.End > nrunes {
			continue
		}
		start, end := offs[f.Start], offs[f.End]
		if text[start:end] != f.Text {
			continue
		}
		b.WriteString(text[offs[done]:start])
		b.WriteString(f.Suggestion)
		done = f.End
	}
	b.WriteString(text[offs[done]:])
	return b.String()
}
