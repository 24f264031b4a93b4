package indexer

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

// Snippet shape.
const (
	snippetRunes = 120 // characters shown
	leadRunes    = 24  // context kept before the first match
	maxSpans     = 500 // matches considered in one field
)

// span is a match in a text, in bytes.
type span struct{ start, end int }

// snippetOf cuts a snippet from the first text field with matches (body,
// then attachments, then summary), using the offsets the index recorded
// for the query's terms in that field and its n-gram twin. Without
// matches it shows the beginning of the text.
func snippetOf(h *search.DocumentMatch, str func(string) string) string {
	for _, pair := range [][2]string{{fBody, fBodyGrams}, {fAtt, fAttGrams}, {fSummary, fSumGrams}} {
		text := str(pair[0])
		if text == "" {
			continue
		}
		var spans []span
		for _, f := range pair {
			for _, locs := range h.Locations[f] {
				for _, l := range locs {
					s, e := int(l.Start), int(l.End)
					if s < e && e <= len(text) && len(spans) < maxSpans {
						spans = append(spans, span{s, e})
					}
				}
			}
		}
		if len(spans) > 0 {
			return highlight(text, spans, snippetRunes)
		}
	}
	for _, f := range []string{fSummary, fBody, fAtt} {
		if t := str(f); t != "" {
			return highlight(t, nil, snippetRunes)
		}
	}
	return ""
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
