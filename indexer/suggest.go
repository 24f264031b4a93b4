package indexer

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Bounds of "did you mean".
const (
	minSuggestRunes  = 3 // shorter words have too many neighbours
	maxSuggestChecks = 3 // clauses checked per query
	maxCandidates    = 200
)

// existFields are where a clause must occur at all to be left alone.
var existFields = []fieldBoost{{fTitleGrams, 1}, {fBodyGrams, 1}, {fAttGrams, 1}, {fSumGrams, 1}, {fKwGrams, 1}, {fUnitGrams, 1}}

// suggest offers a corrected query when a Chinese clause of the query
// occurs nowhere in the index but a title phrase one or two characters
// away does (住房公基金 → 住房公积金). Candidates come from the index's
// own vocabulary of title words and word runs, most frequent first.
func (ix *Index) suggest(ctx context.Context, comp *compiler, views []*view, pq parsedQuery) string {
	out := make([]string, len(pq.clauses))
	changed, checks := false, 0
	for i, c := range pq.clauses {
		out[i] = c.text
		if c.phrase {
			out[i] = `"` + c.text + `"`
		}
		key := ix.an.titleKey(c.text)
		n := utf8.RuneCountInString(key)
		// Numbers (years, 文号) are not corrected.
		if !hasHan(key) || strings.ContainsAny(key, "0123456789") || n < minSuggestRunes || n > maxSuggestRunes || checks >= maxSuggestChecks {
			continue
		}
		checks++
		var ignored []scorer
		o, err := execute(ctx, views, plan{q: compiled{match: comp.grams(key, existFields, &ignored)}})
		if err != nil || o.total > 0 {
			continue
		}
		if best := closestTerm(comp.snap, key); best != "" {
			out[i] = best
			if c.phrase {
				out[i] = `"` + best + `"`
			}
			changed = true
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(out, " ")
}

// closestTerm finds the title vocabulary term nearest to term: the fewest
// edits, then the most entries, then the first in order.
func closestTerm(snap *scorch.IndexSnapshot, term string) string {
	fr := bindex.IndexReaderFuzzy(snap)
	fuzz := 1
	if utf8.RuneCountInString(term) >= 6 {
		fuzz = 2
	}
	d, err := fr.FieldDictFuzzy(fTitleSugg, term, fuzz, "")
	if err != nil {
		return ""
	}
	defer d.Close()
	best, bestDist, bestCount := "", 99, uint64(0)
	for k := 0; k < maxCandidates; k++ {
		e, err := d.Next()
		if err != nil || e == nil {
			break
		}
		if e.Term == term {
			continue
		}
		dist := editDistance(term, e.Term)
		if dist < bestDist || (dist == bestDist && e.Count > bestCount) {
			best, bestDist, bestCount = e.Term, dist, e.Count
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in characters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
