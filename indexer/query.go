package indexer

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Bounds on the cost of one query: user input never becomes a wildcard,
// regexp or fuzzy query, and only so many words of it are searched.
const (
	maxClauses = 8  // space-separated or quoted groups
	maxParts   = 12 // words that must match, over all clauses
	maxPhrase  = 32 // characters of a phrase matched as a whole
	knownBoost = 200.0
)

// fieldBoost is a field searched for a word and its weight.
type fieldBoost struct {
	field string
	boost float64
}

// Fields searched for query words. Word fields (the short texts) find
// words as words (和平 is not in 和平台); n-gram fields find them inside
// longer words (农业 in 中国农业发展银行), and are all there is of bodies
// and attachments. Word matches weigh more, so an entry that has the word
// itself ranks above one that only contains its characters.
var (
	wordFields = []fieldBoost{{fTitleWords, 6}, {fKwWords, 3}, {fSumWords, 2}, {fUnitWords, 1.5}}
	gramFields = []fieldBoost{{fTitleGrams, 3}, {fKwGrams, 1.5}, {fSumGrams, 1}, {fUnitGrams, 0.8},
		{fDocNoGrams, 2}, {fBodyGrams, 0.5}, {fAttGrams, 0.25}}
	titleWordFields = []fieldBoost{{fTitleWords, 6}}
	titleGramFields = []fieldBoost{{fTitleGrams, 3}}
	adjacencyFields = []fieldBoost{{fTitleGrams, 3}, {fBodyGrams, 1}}
)

// fieldSet is the fields a text query searches.
type fieldSet struct {
	words, grams, adjacency []fieldBoost
	titleOnly               bool
}

// fieldsFor picks the fields of a search: everything, or titles only.
func fieldsFor(titleOnly bool) fieldSet {
	if titleOnly {
		return fieldSet{words: titleWordFields, grams: titleGramFields, adjacency: titleGramFields, titleOnly: true}
	}
	return fieldSet{words: wordFields, grams: gramFields, adjacency: adjacencyFields}
}

// stopChars are one-character words that say nothing on their own; they
// are dropped from a query that has other words.
const stopChars = "的了和与及或在是对为于等之其把被从向由将并而也都就又还各个"

// part is one word of a query that must match, in any of its spellings
// (itself first, then its synonyms).
type part struct {
	variants []string
	stop     bool
}

// clause is a group of the query: a space-separated run, or a quoted
// phrase that must appear as typed.
type clause struct {
	text   string // folded
	phrase bool
	parts  []part
}

// parsedQuery is a user query taken apart.
type parsedQuery struct {
	clauses  []clause
	pinyin   string   // the query as pinyin, when it is pinyin
	docNos   []string // 文号 keys it may be
	titleKey string
	indexNo  string
}

// isQuote reports whether r opens or closes a quoted phrase.
func isQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '「', '」', '『', '』', '＂', '‘', '’':
		return true
	}
	return false
}

// parseQuery splits a query into clauses and words. Quotes make phrases;
// an unbalanced quote is ignored. Characters other than letters and
// digits only separate words, so floods of * or ? cost nothing.
func (ix *Index) parseQuery(q string, syn *synonyms) parsedQuery {
	q = strings.TrimSpace(q)
	var pq parsedQuery
	if q == "" {
		return pq
	}
	pq.pinyin = pinyinQuery(q)
	pq.docNos = ix.an.docNoKeys(q)
	if k := ix.an.titleKey(q); utf8.RuneCountInString(k) >= 4 {
		pq.titleKey = k
	}
	if len(q) <= 64 && !strings.ContainsAny(q, " \t") && strings.ContainsAny(q, "0123456789") {
		pq.indexNo = q
	}

	// A 文号 is one run of characters, whatever brackets and spaces it
	// was typed with.
	if ix.an.isDocNo(q) {
		if t := ix.an.docNoText(q); hasWordChar(t) {
			pq.clauses = []clause{{text: t, phrase: true}}
			return pq
		}
	}

	// Quoted phrases first; an opening quote without its closing one
	// counts as a plain character.
	var groups []clause
	rs := []rune(q)
	start := 0
	for i := 0; i < len(rs); i++ {
		if !isQuote(rs[i]) {
			continue
		}
		end := -1
		for j := i + 1; j < len(rs); j++ {
			if isQuote(rs[j]) {
				end = j
				break
			}
		}
		if end < 0 {
			break
		}
		groups = append(groups, ix.plainClauses(string(rs[start:i]))...)
		if t := truncateRunes(ix.an.foldString(strings.TrimSpace(string(rs[i+1:end]))), maxPhrase); hasWordChar(t) {
			groups = append(groups, clause{text: t, phrase: true})
		}
		start = end + 1
		i = end
	}
	groups = append(groups, ix.plainClauses(string(rs[start:]))...)

	budget := maxParts
	for _, c := range groups {
		if len(pq.clauses) == maxClauses || budget <= 0 {
			break
		}
		if c.phrase {
			if len(ix.an.gramTerms(c.text)) > 0 {
				pq.clauses = append(pq.clauses, c)
				budget--
			}
			continue
		}
		c.parts = ix.splitParts(c.text, syn)
		c.parts = dropStops(c.parts)
		if len(c.parts) > budget {
			c.parts = c.parts[:budget]
		}
		budget -= len(c.parts)
		if len(c.parts) > 0 {
			pq.clauses = append(pq.clauses, c)
		}
	}
	return pq
}

// marks are the words a snippet marks: each phrase and every spelling of
// every word, longest first so that a longer word is marked whole.
func (pq parsedQuery) marks() []string {
	var out []string
	for _, c := range pq.clauses {
		if c.phrase {
			out = append(out, c.text)
			continue
		}
		for _, p := range c.parts {
			out = append(out, p.variants...)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// plainClauses cuts unquoted text at white space.
func (ix *Index) plainClauses(s string) []clause {
	var out []clause
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isQuote(r) }) {
		if t := ix.an.foldString(f); hasWordChar(t) {
			out = append(out, clause{text: t})
		}
	}
	return out
}

// splitParts cuts a clause into words: synonym-list terms where they
// occur (longest first, so 发展和改革委员会 stays whole), and gse words
// in between.
func (ix *Index) splitParts(text string, syn *synonyms) []part {
	rs := []rune(text)
	var out []part
	plain := func(s string) {
		for _, w := range ix.an.wordTerms(s) {
			out = append(out, part{variants: []string{w}, stop: utf8.RuneCountInString(w) == 1 && strings.Contains(stopChars, w)})
		}
	}
	from := 0
	for i := 0; i < len(rs); {
		n := 0
		for l := min(syn.maxRunes, len(rs)-i); l >= 2; l-- {
			if syn.variants(string(rs[i:i+l])) != nil {
				n = l
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		plain(string(rs[from:i]))
		out = append(out, part{variants: syn.variants(string(rs[i : i+n]))})
		i += n
		from = i
	}
	plain(string(rs[from:]))
	return out
}

// dropStops removes function words unless nothing else is left.
func dropStops(ps []part) []part {
	var out []part
	for _, p := range ps {
		if !p.stop {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return ps
	}
	return out
}

// maxPrefixTerms bounds the terms a one-character word expands to in the
// bigram-only fields.
const maxPrefixTerms = 1024

// compiler turns parsed queries into expressions, looking up the terms
// lone characters begin with.
type compiler struct {
	ctx    context.Context
	ix     *Index
	snap   *scorch.IndexSnapshot
	prefix map[string]*expr
	err    error
}

// textQuery compiles a parsed query: what must match (nil when there is
// nothing to search for: browse everything) and the weights that rank
// the hits.
func (c *compiler) textQuery(pq parsedQuery, fs fieldSet) compiled {
	titleOnly := fs.titleOnly
	var out compiled
	var top []*expr
	add := func(e *expr, w float64) {
		top = append(top, e)
		out.scorers = append(out.scorers, scorer{e, w})
	}
	if len(pq.clauses) > 0 {
		var must []*expr
		for _, cl := range pq.clauses {
			must = append(must, c.clause(cl, fs, &out.scorers))
		}
		top = append(top, andExpr(must...))
	}
	if pq.pinyin != "" {
		add(termExpr(fTitlePy, pq.pinyin), 4)
		if !titleOnly {
			add(termExpr(fOtherPy, pq.pinyin), 1)
		}
	}
	// Known items: an exact 文号, title or index number puts its entry
	// first, whatever else matches.
	if !titleOnly {
		for _, k := range pq.docNos {
			add(termExpr(fDocNoKey, k), knownBoost)
		}
		if pq.indexNo != "" {
			add(termExpr(fIndexNo, pq.indexNo), knownBoost)
		}
	}
	if pq.titleKey != "" {
		add(termExpr(fTitleKey, pq.titleKey), knownBoost)
	}
	if len(top) > 0 {
		out.match = orExpr(top...)
	}
	return out
}

// clause: every word must match, each as a word or inside a longer one,
// in some field; each field it matches in adds its weight, and words
// that stand next to each other as typed add more.
func (c *compiler) clause(cl clause, fs fieldSet, scorers *[]scorer) *expr {
	if cl.phrase {
		return c.grams(cl.text, fs.grams, scorers)
	}
	var must []*expr
	for _, p := range cl.parts {
		var any []*expr
		for _, v := range p.variants {
			if w := c.ix.an.wordTerms(v); len(w) == 1 && w[0] == v {
				for _, f := range fs.words {
					e := termExpr(f.field, v)
					any = append(any, e)
					*scorers = append(*scorers, scorer{e, f.boost})
				}
			}
			any = append(any, c.grams(v, fs.grams, scorers))
		}
		must = append(must, orExpr(any...))
	}
	if len(cl.parts) >= 2 && utf8.RuneCountInString(cl.text) <= maxPhrase {
		c.grams(cl.text, fs.adjacency, scorers) // scores only: not needed to match
	}
	return andExpr(must...)
}

// grams finds text as a run of characters in n-gram fields: every term
// of it in one field. A lone character is a prefix: the fields keep
// characters alone only where no bigram begins with them.
func (c *compiler) grams(text string, fields []fieldBoost, scorers *[]scorer) *expr {
	terms := c.ix.an.gramTerms(text)
	var any []*expr
	for _, f := range fields {
		var all []*expr
		for _, t := range terms {
			if t.single {
				all = append(all, c.prefixExpr(f.field, t.term))
				continue
			}
			all = append(all, termExpr(f.field, t.term))
		}
		if len(all) == 0 {
			continue
		}
		e := andExpr(all...)
		any = append(any, e)
		*scorers = append(*scorers, scorer{e, f.boost})
	}
	return orExpr(any...)
}

// prefixExpr matches the terms of a field that begin with prefix.
func (c *compiler) prefixExpr(field, prefix string) *expr {
	key := field + "\x00" + prefix
	if e, ok := c.prefix[key]; ok {
		return e
	}
	var kids []*expr
	if c.err == nil {
		terms, err := prefixTerms(c.ctx, c.snap, field, prefix, maxPrefixTerms)
		if err != nil {
			c.err = err
		}
		for _, t := range terms {
			kids = append(kids, termExpr(field, t))
		}
	}
	e := orExpr(kids...)
	if c.prefix == nil {
		c.prefix = map[string]*expr{}
	}
	c.prefix[key] = e
	return e
}
