package indexer

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Bounds on what one entry puts in the index: enough for any real
// document, and a cap on what a pathological one costs.
const (
	maxBodyBytes       = 1 << 20
	maxAttachmentBytes = 1 << 20
	maxSuggestRunes    = 12
	maxTitleKeyRunes   = 200
)

// docSource is everything one index document is built from.
type docSource struct {
	entry      store.IndexEntry
	unitName   string
	unitPinyin []string // the unit name's pinyin tokens
	unitWords  []string // the unit name's words
	attText    string   // the attachments' text, one after the other
}

// buildDocument makes the index document of a published entry.
func (a *analysis) buildDocument(src docSource) map[string]any {
	e := src.entry
	body := e.BodyText
	if strings.TrimSpace(e.BodyHTML) != "" {
		body = htmlText(e.BodyHTML)
	}
	body = truncateBytes(body, maxBodyBytes)
	title := a.cutShort(e.Title)
	doc := map[string]any{
		fTitle:      e.Title,
		fTitleWords: strings.Join(a.edgeTerms(e.Title), " "),
		fTitleKey:   truncateRunes(a.titleKey(e.Title), maxTitleKeyRunes),
		fTitlePy:    strings.Join(a.pinyinOfWords(title.words, title.inner), " "),
		fTitleSugg:  strings.Join(suggestTerms(title.words, title.fine), " "),
		fBody:       body,
		fBodyWords:  strings.Join(a.edgeTerms(body), " "),
		fUnit:       e.Unit,
		fColumn:     e.Column,
		fIndexNo:    e.IndexNo,
		fStamp:      src.entry.Stamp(),
		fKey:        e.ID,
	}
	if src.attText != "" {
		att := truncateBytes(src.attText, maxAttachmentBytes)
		doc[fAtt] = att
		doc[fAttWords] = strings.Join(a.edgeTerms(att), " ")
	}
	if e.Summary != "" {
		doc[fSummary] = e.Summary
		doc[fSumWords] = strings.Join(a.edgeTerms(e.Summary), " ")
	}
	if len(e.Keywords) > 0 {
		doc[fKeywords] = e.Keywords
		doc[fKwWords] = strings.Join(a.edgeTerms(e.Keywords...), " ")
	}
	var other []string
	if src.unitName != "" {
		doc[fUnitName] = src.unitName
		doc[fUnitWords] = strings.Join(src.unitWords, " ")
		other = append(other, src.unitPinyin...)
	}
	for _, k := range e.Keywords {
		other = append(other, a.pinyinTokens(k)...)
	}
	if len(other) > 0 {
		doc[fOtherPy] = strings.Join(other, " ")
	}
	if e.DocNo != "" {
		doc[fDocNo] = e.DocNo
		doc[fDocNoKey] = a.docNoKey(e.DocNo)
		doc[fDocNoGrams] = a.docNoText(e.DocNo)
	}
	if e.FivePublics != "" {
		doc[fFive] = e.FivePublics
	}
	year := ""
	if e.PublishedAt != nil {
		doc[fPublished] = *e.PublishedAt
		year = strconv.Itoa(e.PublishedAt.In(catalog.Shanghai).Year())
	}
	var facets []string
	for _, fv := range [][2]string{{"unit", e.Unit}, {"column", e.Column}, {"topic", e.Topic}, {"doc_type", e.DocType},
		{"year", year}, {"validity", e.Validity}} {
		if fv[1] != "" {
			facets = append(facets, facetTerm(fv[0], fv[1]))
		}
	}
	if len(facets) > 0 {
		doc[fFacet] = facets
	}
	return doc
}

// facetTerm is how a facet value is kept in the facet field: the facet's
// name, a colon, the value (names have no colon, values may).
func facetTerm(facet, value string) string { return facet + ":" + value }

// suggestTerms is the vocabulary "did you mean" draws from: the title's
// words and runs of two and three words (住房 公积金 → 住房公积金), for
// each way the title is cut (as gse cuts it, and finer).
func suggestTerms(cuts ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, titleWords := range cuts {
		var words []string
		for _, w := range titleWords {
			if hasHan(w) {
				words = append(words, w)
			} else {
				words = append(words, "") // a number or a Latin word breaks runs
			}
		}
		for i := range words {
			var b strings.Builder
			for n := 0; n < 3 && i+n < len(words) && words[i+n] != ""; n++ {
				b.WriteString(words[i+n])
				s := b.String()
				if c := utf8.RuneCountInString(s); c >= 2 && c <= maxSuggestRunes && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
