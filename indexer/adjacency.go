package indexer

import (
	"context"
	"slices"
	"unicode/utf8"
)

// maxBodyAdjacency bounds the bodies in which the words of a query are
// checked for standing together as typed. The check reads the positions
// of every word in every body that has them all; for words common in
// bodies (a query found in tens of thousands of them) it was most of the
// search's time. Past the bound, words standing together score more in
// titles only; hits and their count do not change, only the order among
// bodies that merely contain the words.
const maxBodyAdjacency = 4096

// boundAdjacency drops bodies from the adjacency bonus of fs when the
// characters of some clause with several words are each in more than
// limit bodies: the phrase check would visit at least that many. On any
// error the fields are left as they are.
func (ix *Index) boundAdjacency(ctx context.Context, g *generation, pq parsedQuery, fs fieldSet, limit uint64) fieldSet {
	// The clauses given the bonus, as clauseQuery builds it.
	var checked []clause
	for _, c := range pq.clauses {
		if !c.phrase && len(c.parts) >= 2 && utf8.RuneCountInString(c.text) <= maxPhrase {
			checked = append(checked, c)
		}
	}
	if len(checked) == 0 || !slices.ContainsFunc(fs.adjacency, func(f fieldBoost) bool { return f.field == fBodyGrams }) {
		return fs
	}
	adv, err := g.bi.Advanced()
	if err != nil {
		return fs
	}
	r, err := adv.Reader()
	if err != nil {
		return fs
	}
	defer r.Close()
	bodies := func(term string) (uint64, bool) {
		tfr, err := r.TermFieldReader(ctx, []byte(term), fBodyGrams, false, false, false)
		if err != nil {
			return 0, false
		}
		defer tfr.Close()
		return tfr.Count(), true
	}
	for _, c := range checked {
		// The phrase check visits the bodies holding its rarest term.
		rarest := uint64(0)
		first := true
		for _, t := range sparsePhrase(ix.an.gramPhrase(c.text)) {
			if t == "" {
				continue
			}
			n, ok := bodies(t)
			if !ok {
				return fs
			}
			if first || n < rarest {
				rarest, first = n, false
			}
		}
		if !first && rarest > limit {
			fs.adjacency = slices.DeleteFunc(slices.Clone(fs.adjacency), func(f fieldBoost) bool { return f.field == fBodyGrams })
			return fs
		}
	}
	return fs
}
