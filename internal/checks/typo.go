package checks

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The typo list and the expression list share one format, one line per
// pair (docs/checks-lists.md):
//
//	wrong<TAB>right[<TAB>context rule][<TAB>note]
//
// A context rule is a space-separated list of conditions that must all
// hold for the wrong form to be reported, e.g. "next:{d}|目前|今年" or
// "not-prev:发|宣 not-next:名"; "style" marks a pair that is a matter of
// usage rather than a misspelling. A right form of "=" keeps the text as
// written: nothing inside it is reported (a shield for a correct word that
// contains a wrong form, such as 发布署名 around 布署).

//go:embed typos.txt
var typosTxt string

// WordPair is one line of a typo or expression list.
type WordPair struct {
	Wrong string
	Right string // "" when Keep
	// Keep marks a correct phrase ("=" in the file): findings inside it
	// are dropped.
	Keep bool
	// Style marks a usage question (其它 → 其他), not a misspelling.
	Style bool
	// Context is the context rule as written ("" for none).
	Context string
	Note    string
	Line    int

	conds []pairCond
}

// TypoList is the parsed typo list (typos.txt, or the office's copy).
type TypoList []WordPair

// DefaultTypoList returns the built-in typo list. It panics if the embedded
// file does not parse, which the package's tests rule out.
func DefaultTypoList() TypoList {
	l, err := ParseTypoList(strings.NewReader(typosTxt))
	if err != nil {
		panic(err)
	}
	return l
}

// ParseTypoList reads a typo list; an error names the line at fault.
func ParseTypoList(r io.Reader) (TypoList, error) {
	ps, err := parsePairList(r, "typo list")
	return TypoList(ps), err
}

// TypoRule reports confusions common in official writing. Typos never
// block a submission: every finding is a warning.
type TypoRule struct{ m *pairMatcher }

// NewTypoRule returns the typo rule over list.
func NewTypoRule(list TypoList) *TypoRule { return &TypoRule{m: newPairMatcher(list)} }

// ID is "typo".
func (r *TypoRule) ID() string { return "typo" }

// Check reports each wrong form whose context rule holds.
func (r *TypoRule) Check(text string) []Match {
	hits := r.m.find(text)
	if len(hits) == 0 {
		return nil
	}
	out := make([]Match, 0, len(hits))
	for _, h := range hits {
		p := h.pair
		var msg string
		if p.Style {
			msg = fmt.Sprintf("用词不规范：公文中宜用“%s”，不用“%s”", p.Right, p.Wrong)
		} else {
			msg = fmt.Sprintf("疑似错别字：“%s”应为“%s”", p.Wrong, p.Right)
		}
		if p.Note != "" {
			msg += "（" + p.Note + "）"
		}
		out = append(out, Match{Start: h.start, End: h.end, Severity: Warning, Message: msg, Suggestion: p.Right})
	}
	return out
}

// parsePairList reads the shared pair format; what names the list in errors.
func parsePairList(r io.Reader, what string) ([]WordPair, error) {
	var out []WordPair
	seen := map[string]int{} // wrong + "\x00" + context → line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // saved by Notepad or WPS
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		p, err := parsePairLine(line)
		if err != nil {
			return nil, fmt.Errorf("checks: %s line %d: %w", what, n, err)
		}
		p.Line = n
		key := p.Wrong + "\x00" + p.Context
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("checks: %s line %d: %q with the same context rule is already on line %d", what, n, p.Wrong, prev)
		}
		seen[key] = n
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checks: %s line %d: %w", what, n+1, err)
	}
	return out, nil
}

func parsePairLine(line string) (WordPair, error) {
	f := strings.Split(line, "\t")
	if len(f) < 2 {
		return WordPair{}, fmt.Errorf("want wrong<TAB>right[<TAB>context rule][<TAB>note], got %q (are the fields separated by tabs?)", line)
	}
	if len(f) > 4 {
		return WordPair{}, fmt.Errorf("%d fields, at most 4 (wrong, right, context rule, note)", len(f))
	}
	p := WordPair{Wrong: strings.TrimSpace(f[0]), Right: strings.TrimSpace(f[1])}
	if p.Wrong == "" {
		return p, fmt.Errorf("empty wrong form")
	}
	if strings.ContainsFunc(p.Wrong, unicode.IsSpace) {
		return p, fmt.Errorf("wrong form %q contains a space", p.Wrong)
	}
	if !utf8.ValidString(p.Wrong) || !utf8.ValidString(p.Right) {
		return p, fmt.Errorf("not UTF-8")
	}
	switch p.Right {
	case "":
		return p, fmt.Errorf("%q: empty right form (write = to keep the text as it is)", p.Wrong)
	case "=":
		p.Keep, p.Right = true, ""
	case p.Wrong:
		return p, fmt.Errorf("%q: the right form is the same as the wrong one", p.Wrong)
	}
	if len(f) >= 3 {
		ctx := strings.TrimSpace(f[2])
		if ctx != "-" {
			p.Context = ctx
		}
	}
	if len(f) == 4 {
		p.Note = strings.TrimSpace(f[3])
	}
	conds, style, err := parsePairContext(p.Context)
	if err != nil {
		return p, fmt.Errorf("%q: %w", p.Wrong, err)
	}
	if p.Keep && len(conds) > 0 {
		return p, fmt.Errorf("%q: a kept phrase (=) takes no context conditions", p.Wrong)
	}
	p.conds, p.Style = conds, style
	return p, nil
}

// Condition kinds of a context rule.
const (
	condNext   = iota // the text right after the wrong form starts with a pattern
	condPrev          // the text right before it ends with a pattern
	condAhead         // a pattern occurs later in the same sentence
	condBehind        // a pattern occurs earlier in the same sentence
)

// Character classes of a pattern ({d}, {n}, …); 0 is a literal rune.
const (
	classDigit   = 'd' // 0-9 and full-width ０-９
	classNumeral = 'n' // 〇零一二三四五六七八九十百千万两
	classTime    = 't' // 年月日号时
	classHan     = 'h' // any Chinese character
	classPunct   = 'p' // punctuation, symbols, a line break, or the edge of the text
)

// sentenceReach bounds how far ahead: and behind: look, in runes.
const sentenceReach = 60

type pairCond struct {
	kind int
	not  bool
	alts []ctxPattern
}

type ctxPattern []ctxItem

type ctxItem struct {
	lit   rune
	class rune // 0 for a literal
	plus  bool // one or more of class
}

func parsePairContext(s string) (conds []pairCond, style bool, err error) {
	for _, tok := range strings.Fields(s) {
		if tok == "style" {
			style = true
			continue
		}
		name, arg, ok := strings.Cut(tok, ":")
		if !ok {
			return nil, false, fmt.Errorf("condition %q: want kind:patterns (next:, prev:, ahead:, behind:, not-…) or style", tok)
		}
		var c pairCond
		if rest, neg := strings.CutPrefix(name, "not-"); neg {
			c.not, name = true, rest
		}
		switch name {
		case "next":
			c.kind = condNext
		case "prev":
			c.kind = condPrev
		case "ahead":
			c.kind = condAhead
		case "behind":
			c.kind = condBehind
		default:
			return nil, false, fmt.Errorf("condition %q: unknown kind %q (next, prev, ahead, behind, with or without not-)", tok, name)
		}
		for _, alt := range strings.Split(arg, "|") {
			pat, err := parseCtxPattern(alt)
			if err != nil {
				return nil, false, fmt.Errorf("condition %q: %w", tok, err)
			}
			c.alts = append(c.alts, pat)
		}
		conds = append(conds, c)
	}
	return conds, style, nil
}

func parseCtxPattern(s string) (ctxPattern, error) {
	if s == "" {
		return nil, fmt.Errorf("empty pattern (two | in a row, or nothing after :)")
	}
	var pat ctxPattern
	for s != "" {
		switch {
		case s[0] == '{':
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return nil, fmt.Errorf("pattern %q: { without }", s)
			}
			cls := s[1:end]
			if len(cls) != 1 || !strings.ContainsRune("dnthp", rune(cls[0])) {
				return nil, fmt.Errorf("unknown class {%s} (known: {d} digit, {n} Chinese numeral, {t} 年月日号时, {h} Chinese character, {p} punctuation or edge)", cls)
			}
			it := ctxItem{class: rune(cls[0])}
			s = s[end+1:]
			if strings.HasPrefix(s, "+") {
				it.plus = true
				s = s[1:]
			}
			pat = append(pat, it)
		case s[0] == '+':
			return nil, fmt.Errorf("+ must follow a class such as {d}")
		default:
			r, size := utf8.DecodeRuneInString(s)
			pat = append(pat, ctxItem{lit: r})
			s = s[size:]
		}
	}
	return pat, nil
}

func (it ctxItem) matches(r rune) bool {
	switch it.class {
	case 0:
		return r == it.lit
	case classDigit:
		return r >= '0' && r <= '9' || r >= '０' && r <= '９'
	case classNumeral:
		return strings.ContainsRune("〇零一二三四五六七八九十百千万两", r)
	case classTime:
		return strings.ContainsRune("年月日号时", r)
	case classHan:
		return unicode.Is(unicode.Han, r)
	case classPunct:
		return unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	}
	return false
}

// matchForward reports whether s starts with the pattern. {p} also
// matches the end of the text.
func matchForward(items []ctxItem, s string) bool {
	if len(items) == 0 {
		return true
	}
	it := items[0]
	if s == "" {
		return it.class == classPunct && len(items) == 1
	}
	r, size := utf8.DecodeRuneInString(s)
	if !it.matches(r) {
		return false
	}
	if !it.plus {
		return matchForward(items[1:], s[size:])
	}
	// Greedy, then back off.
	ends := []int{size}
	for pos := size; pos < len(s); {
		r, n := utf8.DecodeRuneInString(s[pos:])
		if !it.matches(r) {
			break
		}
		pos += n
		ends = append(ends, pos)
	}
	for i := len(ends) - 1; i >= 0; i-- {
		if matchForward(items[1:], s[ends[i]:]) {
			return true
		}
	}
	return false
}

// matchBackward reports whether s ends with the pattern. {p} also matches
// the start of the text.
func matchBackward(items []ctxItem, s string) bool {
	if len(items) == 0 {
		return true
	}
	it := items[len(items)-1]
	if s == "" {
		return it.class == classPunct && len(items) == 1
	}
	r, size := utf8.DecodeLastRuneInString(s)
	if !it.matches(r) {
		return false
	}
	rest := items[:len(items)-1]
	if !it.plus {
		return matchBackward(rest, s[:len(s)-size])
	}
	starts := []int{len(s) - size}
	for pos := len(s) - size; pos > 0; {
		r, n := utf8.DecodeLastRuneInString(s[:pos])
		if !it.matches(r) {
			break
		}
		pos -= n
		starts = append(starts, pos)
	}
	for i := len(starts) - 1; i >= 0; i-- {
		if matchBackward(rest, s[:starts[i]]) {
			return true
		}
	}
	return false
}

func isLayoutSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\u3000' || r == '\u00a0' }

func isSentenceEnd(r rune) bool { return strings.ContainsRune("。！？；!?;\n", r) }

// holds reports whether c holds for the wrong form at text[start:end].
func (c pairCond) holds(text string, start, end int) bool {
	found := false
	switch c.kind {
	case condNext:
		after := strings.TrimLeftFunc(text[end:], isLayoutSpace)
		for _, p := range c.alts {
			if matchForward(p, after) {
				found = true
				break
			}
		}
	case condPrev:
		before := strings.TrimRightFunc(text[:start], isLayoutSpace)
		for _, p := range c.alts {
			if matchBackward(p, before) {
				found = true
				break
			}
		}
	case condAhead:
		pos := end
	ahead:
		for n := 0; pos < len(text) && n < sentenceReach; n++ {
			r, size := utf8.DecodeRuneInString(text[pos:])
			if isSentenceEnd(r) {
				break
			}
			for _, p := range c.alts {
				if matchForward(p, text[pos:]) {
					found = true
					break ahead
				}
			}
			pos += size
		}
	case condBehind:
		pos := start
	behind:
		for n := 0; pos > 0 && n < sentenceReach; n++ {
			r, size := utf8.DecodeLastRuneInString(text[:pos])
			if isSentenceEnd(r) {
				break
			}
			for _, p := range c.alts {
				if matchBackward(p, text[:pos]) {
					found = true
					break behind
				}
			}
			pos -= size
		}
	}
	return found != c.not
}

// pairMatcher finds a list's wrong forms in text: an index of first runes
// (a bitmap for the common plane, then a map) leads to the pairs that can
// start there, longest first.
type pairMatcher struct {
	starts firstRunes
	first  map[rune][]pairGroup
}

// firstRunes is a bitmap of the runes of the common plane that start an
// entry of a list: most runes of a text are ruled out without a map
// lookup. Runes beyond the plane always need the lookup.
type firstRunes [1 << 16 / 64]uint64

func (f *firstRunes) add(r rune) {
	if r < 1<<16 {
		f[r/64] |= 1 << (r % 64)
	}
}

func (f *firstRunes) mayStart(r rune) bool {
	return r >= 1<<16 || f[r/64]&(1<<(r%64)) != 0
}

// pairGroup is the pairs that share one wrong form, in file order: the
// first whose context rule holds wins.
type pairGroup struct {
	wrong string
	keep  bool
	pairs []*WordPair
}

type pairHit struct {
	start, end int
	pair       *WordPair
}

func newPairMatcher(list []WordPair) *pairMatcher {
	m := &pairMatcher{first: map[rune][]pairGroup{}}
	groups := map[string]*pairGroup{}
	var order []string
	for i := range list {
		p := list[i] // a copy: the rule never changes the caller's list
		g := groups[p.Wrong]
		if g == nil {
			g = &pairGroup{wrong: p.Wrong}
			groups[p.Wrong] = g
			order = append(order, p.Wrong)
		}
		if p.Keep {
			g.keep = true
			continue
		}
		g.pairs = append(g.pairs, &p)
	}
	for _, w := range order {
		r, _ := utf8.DecodeRuneInString(w)
		m.first[r] = append(m.first[r], *groups[w])
		m.starts.add(r)
	}
	for r, gs := range m.first {
		sort.SliceStable(gs, func(i, j int) bool { return len(gs[i].wrong) > len(gs[j].wrong) })
		m.first[r] = gs
	}
	return m
}

// find returns the wrong forms found, leftmost-longest, none overlapping
// another or a kept phrase.
func (m *pairMatcher) find(text string) []pairHit {
	var hits []pairHit
	var keeps [][2]int
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !m.starts.mayStart(r) {
			i += size
			continue
		}
		for _, g := range m.first[r] {
			if !strings.HasPrefix(text[i:], g.wrong) {
				continue
			}
			end := i + len(g.wrong)
			if g.keep {
				keeps = append(keeps, [2]int{i, end})
			}
			for _, p := range g.pairs {
				if p.applies(text, i, end) {
					hits = append(hits, pairHit{start: i, end: end, pair: p})
					break
				}
			}
		}
		i += size
	}
	if len(hits) == 0 {
		return nil
	}
	out := hits[:0]
	lastEnd := 0
	for _, h := range hits { // in order of start, longest first at each start
		if h.start < lastEnd || overlapsAny(h.start, h.end, keeps) {
			continue
		}
		out = append(out, h)
		lastEnd = h.end
	}
	return out
}

func (p *WordPair) applies(text string, start, end int) bool {
	for _, c := range p.conds {
		if !c.holds(text, start, end) {
			return false
		}
	}
	return true
}

func overlapsAny(start, end int, spans [][2]int) bool {
	for _, s := range spans {
		if start < s[1] && s[0] < end {
			return true
		}
	}
	return false
}
