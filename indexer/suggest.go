package indexer

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds of "did you mean".
const (
	minSuggestRunes  = 3  // shorter words have too many neighbours
	maxSuggestChecks = 3  // clauses corrected per query
	maxFuzzyLookups  = 12 // vocabulary look-ups per clause
	maxCandidates    = 200
	maxVerified      = 24 // candidate corrections counted per clause
)

// correction is a spelling of a clause that the index holds.
type correction struct {
	text string
	cost float64 // edits; a homophone counts half
	hits uint64
}

// suggest offers the whole query corrected when a Chinese clause of it is
// found nowhere but a spelling one edit away (two for longer ones) is:
// 住房公基金 → 住房公积金. Candidates come from the index's vocabulary of
// title words and word runs; the one the corpus supports best wins (the
// fewest edits, homophones counting half, then the most entries holding
// it). A correction never drops characters, and the rest of the query
// stays as typed. It returns "" when there is nothing to correct.
func (ix *Index) suggest(ctx context.Context, comp *compiler, views []*view, pq parsedQuery) string {
	out := make([]string, len(pq.clauses))
	changed, checks := false, 0
	for i, c := range pq.clauses {
		out[i] = c.text
		if c.phrase {
			out[i] = `"` + c.text + `"`
		}
		n := utf8.RuneCountInString(c.text)
		// 文号 and numbers are not corrected; the Chinese words around a
		// year may be.
		if !hasHan(c.text) || ix.an.isDocNo(c.text) || n < minSuggestRunes || n > maxPhrase || checks >= maxSuggestChecks {
			continue
		}
		if comp.count(views, c.text, false) > 0 {
			continue
		}
		checks++
		best := correction{}
		found := func(run string) bool { return comp.count(views, run, false) > 0 }
		for _, cand := range ix.corrections(comp.snap, c.text, found) {
			if err := ctx.Err(); err != nil {
				return ""
			}
			cand.hits = comp.count(views, cand.text, true)
			if cand.hits == 0 {
				continue
			}
			if best.text == "" || cand.cost < best.cost || (cand.cost == best.cost && cand.hits > best.hits) {
				best = cand
			}
		}
		if best.text != "" {
			out[i] = best.text
			if c.phrase {
				out[i] = `"` + best.text + `"`
			}
			changed = true
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(out, " ")
}

// count is how many entries hold text as a run in any field (strict: at
// word edges of the field).
func (c *compiler) count(views []*view, text string, strict bool) uint64 {
	var ignored []scorer
	o, err := execute(c.ctx, views, plan{q: compiled{match: c.run(text, textFields, strict, &ignored)}})
	if err != nil {
		return 0
	}
	return o.total
}

// corrections lists spellings of text found in the title vocabulary:
// the whole text one or two edits away, or one of its word spans one
// edit away with the rest kept. None is shorter than text.
func (ix *Index) corrections(snap *snapshot, text string, found func(string) bool) []correction {
	rs := []rune(text)
	words := ix.an.words(text)
	// A typo leaves a pair of characters that no text holds (振心 in
	// 乡村振心). A clause without one is two good words that merely never
	// stand together (提取 住房公积金贷款): it is not corrected, its words
	// are searched apart.
	bad := typoPairs(rs, words, found)
	if len(bad) == 0 {
		return nil
	}
	var out []correction
	seen := map[string]bool{text: true}
	addAll := func(prefix, span, suffix string, fuzz int) {
		for _, t := range snap.fuzzyTerms(fTitleSugg, span, fuzz, maxCandidates) {
			if utf8.RuneCountInString(t) < utf8.RuneCountInString(span) {
				continue // never drop characters
			}
			full := prefix + t + suffix
			if seen[full] || len(out) >= maxVerified {
				continue
			}
			seen[full] = true
			out = append(out, correction{text: full, cost: ix.an.editCost(span, t)})
		}
	}
	lookups := 0
	if len(rs) <= maxSuggestRunes {
		fuzz := 1
		if len(rs) >= 6 {
			fuzz = 2
		}
		addAll("", text, "", fuzz)
		lookups++
	}
	// Spans of whole words covering such a pair, shortest first, for a
	// typo inside a long run.
	type window struct{ from, to int } // byte offsets in text
	var spans []window
	for i := range words {
		for j := i; j < len(words); j++ {
			from, to := words[i].start, words[j].end
			n := utf8.RuneCountInString(text[from:to])
			if n > maxSuggestRunes {
				break
			}
			if n < minSuggestRunes || (from == 0 && to == len(text)) || !hasHan(text[from:to]) ||
				strings.ContainsAny(text[from:to], "0123456789") {
				continue
			}
			r0 := utf8.RuneCountInString(text[:from])
			if slices.ContainsFunc(bad, func(k int) bool { return k >= r0 && k+2 <= r0+n }) {
				spans = append(spans, window{from, to})
			}
		}
	}
	slices.SortStableFunc(spans, func(a, b window) int { return (a.to - a.from) - (b.to - b.from) })
	for _, w := range spans {
		if lookups >= maxFuzzyLookups || len(out) >= maxVerified {
			break
		}
		lookups++
		addAll(text[:w.from], text[w.from:w.to], text[w.to:], 1)
	}
	return out
}

// typoPairs are the places (rune offsets) of the pairs of neighbouring
// Chinese characters in rs that no text holds, leaving out a pair that
// only joins two words of two or more characters (words are rs's words,
// with byte offsets).
func typoPairs(rs []rune, words []token, found func(string) bool) []int {
	text := string(rs)
	joins := map[int]bool{} // rune offsets where a long word ends and another begins
	for i := 0; i+1 < len(words); i++ {
		a, b := words[i], words[i+1]
		if a.end == b.start && utf8.RuneCountInString(a.term) >= 2 && utf8.RuneCountInString(b.term) >= 2 {
			joins[utf8.RuneCountInString(text[:a.end])] = true
		}
	}
	var out []int
	for k := 0; k+1 < len(rs) && k < maxPhrase; k++ {
		if charKind(rs[k]) == kindCJK && charKind(rs[k+1]) == kindCJK && !joins[k+1] && !found(string(rs[k:k+2])) {
			out = append(out, k)
		}
	}
	return out
}

// editCost is the edit distance between a and b in characters, where
// putting a character for another of the same pinyin (a homophone, the
// commonest typo of pinyin input) costs half.
func (a *analysis) editCost(x, y string) float64 {
	rx, ry := []rune(x), []rune(y)
	prev := make([]float64, len(ry)+1)
	cur := make([]float64, len(ry)+1)
	for j := range prev {
		prev[j] = float64(j)
	}
	for i := 1; i <= len(rx); i++ {
		cur[0] = float64(i)
		for j := 1; j <= len(ry); j++ {
			cost := 1.0
			switch {
			case rx[i-1] == ry[j-1]:
				cost = 0
			case a.py[rx[i-1]] != "" && a.py[rx[i-1]] == a.py[ry[j-1]]:
				cost = 0.5
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(ry)]
}
