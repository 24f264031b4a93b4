package indexer

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"
)

// Snippet shape.
const (
	snippetRunes = 120 // characters shown
	leadRunes    = 24  // context kept before the first match
	maxSpans     = 500 // matches considered in one field
)

// span is a match in a text, in bytes.
type span struct{ start, end int }

// snippetOf cuts a snippet from the first text field where a word of the
// query occurs (body, then attachments, then summary), with the words
// marked; each list of marks is tried in turn (the query's runs, then its
// words); without any it shows the beginning of the text.
func (a *analysis) snippetOf(str func(string) string, marks ...[]string) string {
	for _, ms := range marks {
		for _, f := range []string{fBody, fAtt, fSummary} {
			text := str(f)
			if text == "" {
				continue
			}
			if spans := a.findSpans(text, ms); len(spans) > 0 {
				return highlight(text, spans, snippetRunes)
			}
		}
	}
	for _, f := range []string{fSummary, fBody, fAtt} {
		if t := str(f); t != "" {
			return highlight(t, nil, snippetRunes)
		}
	}
	return ""
}

// findSpans finds where the words (folded) occur in text, comparing
// folded forms, so that traditional characters, full-width letters and
// capitals are found as the query's simplified, half-width, lower-case
// words; the spans are byte ranges of the original text.
func (a *analysis) findSpans(text string, words []string) []span {
	if len(words) == 0 {
		return nil
	}
	f := a.foldText(text)
	folded := string(f.text)
	runeAt := f.runeIndex()
	var spans []span
	for _, w := range words {
		if w == "" {
			continue
		}
		for from := 0; len(spans) < maxSpans; {
			k := strings.Index(folded[from:], w)
			if k < 0 {
				break
			}
			b0, b1 := from+k, from+k+len(w)
			if utf8.RuneStart(f.text[b0]) && (b1 == len(f.text) || utf8.RuneStart(f.text[b1])) {
				spans = append(spans, span{f.offs[runeAt[b0]], f.offs[runeAt[b1]]})
			}
			from = b1
		}
	}
	return spans
}

// highlight returns about width characters of text around the densest
// group of spans, HTML-escaped, with each span in <mark>…</mark>.
func highlight(text string, spans []span, width int) string {
	spans = mergeSpans(text, spans)
	// Start a little before the span that lets the window cover most.
	start := 0
	if len(spans) > 0 {
		best, bestN := 0, -1
		for i, s := range spans {
			from := backRunes(text, s.start, leadRunes)
			to := forwardRunes(text, from, width)
			n := 0
			for _, t := range spans[i:] {
				if t.end > to {
					break
				}
				n++
			}
			if n > bestN {
				best, bestN = i, n
			}
		}
		first := spans[best]
		switch {
		case forwardRunes(text, 0, width) >= first.end:
			// The match shows from the beginning of the text.
		case forwardRunes(text, first.start, width) >= len(text):
			// Near the end: fill the window from the end.
			start = backRunes(text, len(text), width)
		default:
			start = backRunes(text, first.start, leadRunes)
			// Prefer to begin at a sentence start inside the lead.
			if k := strings.LastIndexAny(text[start:first.start], "。；！？\n"); k >= 0 {
				_, size := utf8.DecodeRuneInString(text[start+k:])
				start += k + size
			}
		}
	}
	end := forwardRunes(text, start, width)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, s := range spans {
		if s.end <= start || s.start >= end {
			continue
		}
		s.start, s.end = max(s.start, start), min(s.end, end)
		b.WriteString(escapeFlat(text[pos:s.start]))
		b.WriteString("<mark>")
		b.WriteString(escapeFlat(text[s.start:s.end]))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(escapeFlat(text[pos:end]))
	if end < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

// mergeSpans sorts spans and joins those that overlap or touch, keeping
// them on character boundaries.
func mergeSpans(text string, spans []span) []span {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var out []span
	for _, s := range spans {
		if !utf8.RuneStart(text[s.start]) || (s.end < len(text) && !utf8.RuneStart(text[s.end])) {
			continue
		}
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// backRunes moves n characters back from byte offset i.
func backRunes(text string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	return i
}

// forwardRunes moves n characters on from byte offset i.
func forwardRunes(text string, i, n int) int {
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}

// escapeFlat escapes text for HTML and turns line breaks and tabs into
// spaces, since a snippet is one line.
func escapeFlat(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\t", " ").Replace(s)
	return html.EscapeString(s)
}
