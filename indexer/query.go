package indexer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"
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
	wordFields = []fieldBoost{{fTitle, 6}, {fKeywords, 3}, {fSummary, 2}, {fUnitName, 1.5}}
	gramFields = []fieldBoost{{fTitleGrams, 3}, {fKwGrams, 1.5}, {fSumGrams, 1}, {fUnitGrams, 0.8},
		{fDocNoGrams, 2}, {fBodyGrams, 0.5}, {fAttGrams, 0.25}}
	titleWordFields = []fieldBoost{{fTitle, 6}}
	titleGramFields = []fieldBoost{{fTitleGrams, 3}}
	adjacencyFields = []fieldBoost{{fTitleGrams, 3}, {fBodyGrams, 1}}
	// A lean query, for a search that did not fit its time budget, keeps
	// the word fields and finds runs of characters in the short fields
	// only: phrase matching over the n-grams of bodies and attachments is
	// what costs most on a large index.
	leanGramFields = []fieldBoost{{fTitleGrams, 3}, {fKwGrams, 1.5}, {fSumGrams, 1}, {fUnitGrams, 0.8}, {fDocNoGrams, 2}}
)

// fieldSet is the fields a text query searches.
type fieldSet struct {
	words, grams, adjacency []fieldBoost
	titleOnly               bool
}

// fieldsFor picks the fields of a search: everything, titles only, or the
// lean set.
func fieldsFor(titleOnly, lean bool) fieldSet {
	switch {
	case titleOnly:
		return fieldSet{words: titleWordFields, grams: titleGramFields, adjacency: titleGramFields, titleOnly: true}
	case lean:
		return fieldSet{words: wordFields, grams: leanGramFields, adjacency: titleGramFields}
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
			if len(ix.an.gramPhrase(c.text)) > 0 {
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

// textQuery builds the scoring query of a parsed query, or nil when there
// is nothing to search for (browse everything).
func (ix *Index) textQuery(pq parsedQuery, fs fieldSet) query.Query {
	titleOnly := fs.titleOnly
	var top []query.Query
	if len(pq.clauses) > 0 {
		var must []query.Query
		for _, c := range pq.clauses {
			must = append(must, ix.clauseQuery(c, fs))
		}
		top = append(top, conjunction(must))
	}
	if pq.pinyin != "" {
		top = append(top, boosted(query.NewTermQuery(pq.pinyin), fTitlePy, 4))
		if !titleOnly {
			top = append(top, boosted(query.NewTermQuery(pq.pinyin), fOtherPy, 1))
		}
	}
	// Known items: an exact 文号, title or index number puts its entry
	// first, whatever else matches.
	if !titleOnly {
		for _, k := range pq.docNos {
			top = append(top, boosted(query.NewTermQuery(k), fDocNoKey, knownBoost))
		}
		if pq.indexNo != "" {
			top = append(top, boosted(query.NewTermQuery(pq.indexNo), fIndexNo, knownBoost))
		}
	}
	if pq.titleKey != "" {
		top = append(top, boosted(query.NewTermQuery(pq.titleKey), fTitleKey, knownBoost))
	}
	switch len(top) {
	case 0:
		return nil
	case 1:
		return top[0]
	}
	return query.NewDisjunctionQuery(top)
}

// clauseQuery: every word must match, each as a word or inside a longer
// one; words that stand next to each other as typed score more.
func (ix *Index) clauseQuery(c clause, fs fieldSet) query.Query {
	words, grams := fs.words, fs.grams
	if c.phrase {
		return ix.gramQuery(c.text, grams)
	}
	var must []query.Query
	for _, p := range c.parts {
		var any []query.Query
		for _, v := range p.variants {
			if w := ix.an.wordTerms(v); len(w) == 1 && w[0] == v {
				for _, f := range words {
					any = append(any, boosted(query.NewTermQuery(v), f.field, f.boost))
				}
			}
			any = append(any, ix.gramQuery(v, grams))
		}
		must = append(must, disjunction(any))
	}
	q := conjunction(must)
	if len(c.parts) < 2 || utf8.RuneCountInString(c.text) > maxPhrase {
		return q
	}
	b := query.NewBooleanQuery([]query.Query{q}, nil, nil)
	b.AddShould(ix.gramQuery(c.text, fs.adjacency))
	return b
}

// gramQuery finds text as a run of characters in n-gram fields.
func (ix *Index) gramQuery(text string, fields []fieldBoost) query.Query {
	terms := sparsePhrase(ix.an.gramPhrase(text))
	if len(terms) == 0 {
		return query.NewMatchNoneQuery()
	}
	var any []query.Query
	for _, f := range fields {
		if len(terms) == 1 {
			any = append(any, boosted(query.NewTermQuery(terms[0]), f.field, f.boost))
			continue
		}
		pq := query.NewPhraseQuery(terms, f.field)
		pq.SetBoost(f.boost)
		any = append(any, pq)
	}
	return disjunction(any)
}

func boosted(q *query.TermQuery, field string, boost float64) query.Query {
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func conjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// sparsePhrase leaves out the terms of a phrase that its neighbours
// already cover: of the bigrams of a run of characters, every other one
// (农业 业银 银行 → 农业 _ 银行, the gap matching any term), and a run's
// last character after the bigram that ends with it. The phrase matches
// exactly the same text with fewer posting lists to intersect.
func sparsePhrase(terms []string) []string {
	out := slices.Clone(terms)
	for i := 1; i < len(terms); i++ {
		prev, t := []rune(terms[i-1]), []rune(terms[i])
		if out[i-1] == "" || !isBigram(prev) || prev[1] != t[0] {
			continue
		}
		if len(t) == 1 && charKind(t[0]) == kindCJK {
			out[i] = ""
			continue
		}
		if isBigram(t) && i+1 < len(terms) {
			if next := []rune(terms[i+1]); isBigram(next) && next[0] == t[1] {
				out[i] = ""
			}
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func isBigram(rs []rune) bool {
	return len(rs) == 2 && charKind(rs[0]) == kindCJK && charKind(rs[1]) == kindCJK
}
