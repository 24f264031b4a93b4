package indexer

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on the cost of one query: user input never becomes a wildcard,
// regexp or fuzzy query, and only so many words of it are searched.
const (
	maxClauses = 8  // space-separated or quoted groups
	maxParts   = 12 // words that must match, over all clauses
	maxPhrase  = 32 // characters of a phrase matched as a whole
	knownBoost = 200.0
)

// fieldGroup is one text of an entry as search sees it: its n-gram field,
// its word-edge field ("" where it has none) and the weight of a match in
// it.
type fieldGroup struct {
	grams, words string
	boost        float64
}

// Fields searched for query text. A match in the title, summary, body or
// attachments outweighs one in the unit's name alone.
var (
	textFields = []fieldGroup{{fTitleGrams, fTitleWords, 8}, {fKwGrams, fKwWords, 4}, {fSumGrams, fSumWords, 3},
		{fBodyGrams, fBodyWords, 2}, {fAttGrams, fAttWords, 1.5}, {fDocNoGrams, "", 2}, {fUnitGrams, fUnitWords, 0.5}}
	titleFields = []fieldGroup{{fTitleGrams, fTitleWords, 8}}
	// Where words of a query that stand apart score more when they stand
	// together after all.
	adjacencyFields = []fieldGroup{{fTitleGrams, "", 3}, {fBodyGrams, "", 1}}
)

// fieldSet is the fields a text query searches.
type fieldSet struct {
	groups, adjacency []fieldGroup
	titleOnly         bool
}

// fieldsFor picks the fields of a search: everything, or titles only.
func fieldsFor(titleOnly bool) fieldSet {
	if titleOnly {
		return fieldSet{groups: titleFields, adjacency: titleFields, titleOnly: true}
	}
	return fieldSet{groups: textFields, adjacency: adjacencyFields}
}

// level is how strictly a query's text is matched. A search starts at
// levelExact and goes on to the next level only while nothing is found.
type level int

const (
	// levelExact: each run of the query where its characters stand
	// together and it begins and ends where words of the text do (理事
	// is not found in 管理事关, 农业 is in 中国农业发展银行).
	levelExact level = iota
	// levelBoundary: the runs where their characters stand together,
	// even across a word boundary; every hit is flagged.
	levelBoundary
	// levelSplit: the words of a run may stand apart (the response says
	// so); each word as at levelExact.
	levelSplit
	// levelSplitBoundary: the words apart, across word boundaries too.
	levelSplitBoundary
)

// strict reports whether a level wants runs to begin and end at word edges.
func (l level) strict() bool { return l == levelExact || l == levelSplit }

// boundary reports whether a level finds runs across word boundaries, so
// that its hits are flagged.
func (l level) boundary() bool { return l == levelBoundary || l == levelSplitBoundary }

// split reports whether a level lets the words of a run stand apart.
func (l level) split() bool { return l >= levelSplit }

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
	text   string   // folded
	phrase bool     // quoted: the characters as typed, no synonyms
	runs   []string // the clause as typed, then with synonyms in place (公租房申请, 公共租赁住房申请)
	parts  []part   // its words, for when the run is found nowhere
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
			pq.clauses = []clause{{text: t, phrase: true, runs: []string{t}}}
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
			groups = append(groups, clause{text: t, phrase: true, runs: []string{t}})
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
		c.runs = synonymRuns(c.text, syn)
		c.parts = glueSingles(dropStops(ix.splitParts(c.text, syn)))
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

// marks are the words a snippet marks: every spelling of each run, and
// with split every spelling of every word (for texts that hold the run
// nowhere), longest first so that a longer word is marked whole.
func (pq parsedQuery) marks(split bool) []string {
	var out []string
	for _, c := range pq.clauses {
		out = append(out, c.runs...)
		if c.phrase || !split {
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
	var out []part
	for _, p := range syn.cut(text) {
		if p.variants != nil {
			out = append(out, part{variants: p.variants})
			continue
		}
		for _, w := range ix.an.wordTerms(p.text) {
			out = append(out, part{variants: []string{w}, stop: utf8.RuneCountInString(w) == 1 && strings.Contains(stopChars, w)})
		}
	}
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

// maxRuns bounds the spellings of one clause with synonyms in place.
const maxRuns = 12

// synonymRuns spells a clause as typed, then with each synonym-list term
// in it replaced by the other terms of its group (公租房申请 →
// 公共租赁住房申请), at most maxRuns spellings.
func synonymRuns(text string, syn *synonyms) []string {
	out := []string{""}
	for _, p := range syn.cut(text) {
		spellings := p.variants
		if spellings == nil {
			spellings = []string{p.text}
		}
		var next []string
		for _, prefix := range out {
			for _, v := range spellings {
				if len(next) < maxRuns {
					next = append(next, prefix+v)
				}
			}
		}
		out = next
	}
	if len(out) == 0 || out[0] != text {
		out = append([]string{text}, out...)
	}
	return slices.Compact(out)
}

// glueSingles joins a lone character of a longer query to the word after
// it (or before it, at the end), so that it is never looked up on its
// own: 公 of 公租房 must not find every text with 公 in it.
func glueSingles(ps []part) []part {
	if len(ps) < 2 {
		return ps
	}
	plainPart := func(p part) bool { return len(p.variants) == 1 }
	single := func(p part) bool { return plainPart(p) && utf8.RuneCountInString(p.variants[0]) == 1 }
	var out []part
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		switch {
		case single(p) && i+1 < len(ps) && plainPart(ps[i+1]):
			ps[i+1] = part{variants: []string{p.variants[0] + ps[i+1].variants[0]}}
		case single(p) && len(out) > 0 && plainPart(out[len(out)-1]):
			out[len(out)-1] = part{variants: []string{out[len(out)-1].variants[0] + p.variants[0]}}
		default:
			out = append(out, p)
		}
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
	snap   *snapshot
	prefix map[string]*expr
	err    error
}

// textQuery compiles a parsed query at a level: what must match (nil
// when there is nothing to search for: browse everything) and the
// weights that rank the hits.
func (c *compiler) textQuery(pq parsedQuery, fs fieldSet, lv level) compiled {
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
			e := c.clause(cl, fs, lv, &out.scorers)
			must = append(must, e)
			if !lv.split() || cl.phrase || len(cl.parts) <= 1 {
				if ck := c.check(cl.runs, e); ck != nil {
					out.checks = append(out.checks, *ck)
				}
			}
		}
		top = append(top, andExpr(must...))
	}
	if len(out.checks) > 0 {
		out.holds = c.ix.holds
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

// splits reports whether any clause of pq reads differently when its
// words may stand apart, so that the split levels are worth a search.
func (pq parsedQuery) splits() bool {
	for _, cl := range pq.clauses {
		if !cl.phrase && len(cl.parts) > 1 {
			return true
		}
	}
	return false
}

// clause: the clause as a run, in any of its spellings; at the split
// levels, each of its words, standing anywhere, and standing together
// scores more. Each field it matches in adds its weight.
func (c *compiler) clause(cl clause, fs fieldSet, lv level, scorers *[]scorer) *expr {
	strict := lv.strict() && !cl.phrase
	if !lv.split() || cl.phrase || len(cl.parts) <= 1 {
		var any []*expr
		for _, r := range cl.runs {
			any = append(any, c.run(r, fs.groups, strict, scorers))
		}
		return orExpr(any...)
	}
	var must []*expr
	for _, p := range cl.parts {
		var any []*expr
		for _, v := range p.variants {
			any = append(any, c.run(v, fs.groups, strict, scorers))
		}
		must = append(must, orExpr(any...))
	}
	if utf8.RuneCountInString(cl.text) <= maxPhrase {
		c.run(cl.text, fs.adjacency, false, scorers) // scores only: not needed to match
	}
	return andExpr(must...)
}

// check is the stored-text check of a clause whose runs are long enough
// for their trigrams to stand apart (安全生产 … 生产监督管理 for
// 安全生产监督管理), nil for shorter ones.
func (c *compiler) check(runs []string, e *expr) *runCheck {
	long := false
	var texts []string
	for _, r := range runs {
		t := c.ix.an.bareText(r)
		texts = append(texts, t)
		if utf8.RuneCountInString(t) >= minCheckedRunes {
			long = true
		}
	}
	if !long {
		return nil
	}
	return &runCheck{e: e, texts: texts}
}

// run finds text where its characters stand together in a field: every
// n-gram of it in that field (the fields keep no positions; overlapping
// trigrams and the terms where runs meet stand for the run). When strict,
// the field must also have word edges where the run begins and ends, so
// that a word is not found where its characters only meet across a word
// boundary. A lone character is a prefix: the fields keep characters alone
// only where no bigram begins with them.
func (c *compiler) run(text string, groups []fieldGroup, strict bool, scorers *[]scorer) *expr {
	terms := c.ix.an.gramTerms(text)
	var edges []string
	if strict {
		edges = c.ix.an.runEdges(text)
	}
	var any []*expr
	for _, g := range groups {
		var all []*expr
		for _, t := range terms {
			if t.single {
				all = append(all, c.prefixExpr(g.grams, t.term))
				continue
			}
			all = append(all, termExpr(g.grams, t.term))
		}
		if len(all) == 0 {
			continue
		}
		if g.words != "" {
			for _, w := range edges {
				all = append(all, termExpr(g.words, w))
			}
		}
		e := andExpr(all...)
		any = append(any, e)
		*scorers = append(*scorers, scorer{e, g.boost})
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
		terms, err := c.snap.prefixTerms(c.ctx, field, prefix, maxPrefixTerms)
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
