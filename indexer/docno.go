package indexer

import (
	"regexp"
	"strings"
	"unicode"
)

// docNoBracket reports whether r is one of the brackets people put around
// the year of a 文号: 〔〕 as the standard says, and the look-alikes typed
// instead ([] () 【】 ［］ （） 〈〉 《》 {} …). Full-width forms are
// folded to ASCII before this is asked.
func docNoBracket(r rune) bool {
	switch r {
	case '〔', '〕', '[', ']', '(', ')', '{', '}', '<', '>', '【', '】', '〈', '〉', '《', '》',
		'「', '」', '『', '』', '〖', '〗', '〘', '〙', '﹝', '﹞', '⟨', '⟩', '⦗', '⦘', '❲', '❳':
		return true
	}
	return false
}

// docNoKey normalises a 文号 so that every common spelling gives the same
// key: folded (simplified, half-width), brackets and spaces dropped.
// 临政办发〔2018〕12号, 临政办发[2018]12号, 临政办发（2018）12号 and
// 临政办发2018 12号 all give 临政办发201812号.
func (a *analysis) docNoKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = a.fold(r)
		if docNoBracket(r) || unicode.IsSpace(r) || r == '·' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// docNoText is the 文号 as the n-gram field reads it: brackets become
// spaces, so the year and the serial stay separate tokens and a query for
// the series (临政办发〔2018〕) finds every number in it.
func (a *analysis) docNoText(s string) string {
	return strings.Map(func(r rune) rune {
		r = a.fold(r)
		if docNoBracket(r) {
			return ' '
		}
		return r
	}, s)
}

// docNoKeys returns the keys a query may be looking for when it is a
// 文号: its key, and with 号 added when it ends in the serial
// (临政办发2018 12). Queries without both a Chinese character and a
// digit are no 文号.
func (a *analysis) docNoKeys(q string) []string {
	key := a.docNoKey(q)
	var han, digit bool
	for _, r := range key {
		han = han || unicode.Is(unicode.Han, r)
		digit = digit || unicode.IsDigit(r)
	}
	if !han || !digit || len([]rune(key)) < 4 || len(key) > 200 {
		return nil
	}
	keys := []string{key}
	if r := []rune(key); unicode.IsDigit(r[len(r)-1]) {
		keys = append(keys, key+"号")
	}
	return keys
}

// titleKey is the form an exact title is looked up in: folded, without
// spaces and punctuation, so that a pasted title finds its entry however
// its quotes and brackets were typed.
func (a *analysis) titleKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = a.fold(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// docNoShape matches a whole query that is a 文号 in any common spelling
// (after folding): an issuer's abbreviation, the year in any brackets or
// none, the serial, and 号.
var docNoShape = regexp.MustCompile(`^\p{Han}[\p{Han}a-z]{1,15}\s*[\[({<〔【〈《「『〖〘﹝]?\s*(19|20)[0-9]{2}\s*[\])}>〕】〉》」』〗〙﹞]?\s*[0-9]{1,5}\s*号?$`)

// isDocNo reports whether the query as a whole is a 文号: then it is
// searched as one run of characters, not as separate words.
func (a *analysis) isDocNo(q string) bool {
	return docNoShape.MatchString(strings.TrimSpace(a.foldString(q)))
}
