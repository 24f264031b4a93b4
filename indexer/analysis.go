package indexer

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"github.com/longbridgeapp/opencc"
)

//go:embed vocab.txt
var vocabText string

// analysis holds what Chinese text analysis needs: the word segmenter
// with its dictionary and the traditional → simplified folding table.
// Both are read-only once built, so one value serves every goroutine.
type analysis struct {
	seg   *gse.Segmenter
	t2s   map[rune]rune
	py    map[rune]string   // toneless pinyin of each Chinese character, its common reading
	pyAlt map[rune][]string // its other readings
}

// sharedAnalysis loads the analysis once per process. It is package state
// because Bleve's tokenizer registry is process-wide: an index names its
// tokenizers and Bleve builds them through that registry, so they cannot
// be handed a value. Loading the dictionary takes about a second.
var sharedAnalysis = sync.OnceValues(loadAnalysis)

func loadAnalysis() (*analysis, error) {
	seg := &gse.Segmenter{SkipLog: true, NotLoadHMM: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	// Our words go in first: gse keeps the first entry of a word, and its
	// loader would cap single characters to the lowest weight.
	sc := bufio.NewScanner(strings.NewReader(vocabText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, freq, ok := strings.Cut(line, " ")
		f, err := strconv.ParseFloat(strings.TrimSpace(freq), 64)
		if !ok || err != nil || f <= 0 {
			return nil, fmt.Errorf("indexer: vocab line %q: want WORD FREQ", line)
		}
		if err := seg.AddToken(word, f); err != nil {
			return nil, fmt.Errorf("indexer: vocab %q: %w", word, err)
		}
	}
	// Only the simplified dictionary: text is folded to simplified first.
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("indexer: load gse dictionary: %w", err)
	}
	t2s, err := foldTable()
	if err != nil {
		return nil, err
	}
	py, pyAlt := pinyinTable()
	return &analysis{seg: seg, t2s: t2s, py: py, pyAlt: pyAlt}, nil
}

// foldTable maps each traditional character to its simplified form, one
// character to one, so that folding keeps offsets. It asks OpenCC's t2s
// conversion about every CJK character once and keeps the single-character
// answers; phrase-level conversions do not matter for search, where the
// index and the query are folded the same way.
func foldTable() (map[rune]rune, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("indexer: opencc t2s: %w", err)
	}
	table := make(map[rune]rune, 4096)
	for _, span := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}} {
		for r := span[0]; r <= span[1]; r++ {
			out, err := cc.Convert(string(r))
			if err != nil {
				return nil, fmt.Errorf("indexer: opencc t2s: %w", err)
			}
			if s, n := utf8.DecodeRuneInString(out); n == len(out) && s != r && s != utf8.RuneError {
				table[r] = s
			}
		}
	}
	return table, nil
}

// fold maps a character to the form the index keeps: simplified Chinese,
// half-width ASCII, lower case.
func (a *analysis) fold(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r < 0x80:
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return a.fold(r - 0xFEE0)
	case r == 0x3000: // ideographic space
		return ' '
	}
	if s, ok := a.t2s[r]; ok {
		return s
	}
	return unicode.ToLower(r)
}

// foldString folds every character of s.
func (a *analysis) foldString(s string) string {
	return strings.Map(a.fold, s)
}

// folded is a text folded character by character, kept as UTF-8 with
// the byte offsets of every character in it and in the original text, so
// tokens found in the folded text point into the original one
// (highlighting needs that).
type folded struct {
	text  []byte // folded UTF-8
	runes []rune // folded characters
	at    []int  // at[i]: where rune i starts in text; at[len(runes)] = len(text)
	offs  []int  // offs[i]: where rune i starts in the original; offs[len(runes)] = len(original)
}

// runeIndex maps each byte offset of the folded text where a character
// starts to that character's index.
func (f folded) runeIndex() []int32 {
	at := make([]int32, len(f.text)+1)
	for i, b := range f.at {
		at[b] = int32(i)
	}
	return at
}

func (a *analysis) foldText(s string) folded {
	n := utf8.RuneCountInString(s)
	f := folded{text: make([]byte, 0, len(s)), runes: make([]rune, 0, n), at: make([]int, 0, n+1), offs: make([]int, 0, n+1)}
	for i, r := range s {
		r = a.fold(r)
		f.runes = append(f.runes, r)
		f.at = append(f.at, len(f.text))
		f.offs = append(f.offs, i)
		f.text = utf8.AppendRune(f.text, r)
	}
	f.at = append(f.at, len(f.text))
	f.offs = append(f.offs, len(s))
	return f
}

// token is one term found in a text: its folded form, where it is in the
// original text (bytes) and its position (1-based, as Bleve counts).
type token struct {
	term       string
	start, end int
	pos        int
}

// emitFunc receives the tokens of a text: the term (a slice of the folded
// text, valid until the text is dropped), its byte range in the original
// and its position.
type emitFunc func(term []byte, start, end, pos int)

// kind classes characters for the bigram tokenizer.
const (
	kindOther = iota
	kindCJK
	kindAlnum
)

func charKind(r rune) int {
	switch {
	case r < 0x80:
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return kindAlnum
		}
		return kindOther
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r):
		return kindCJK
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return kindAlnum
	}
	return kindOther
}

// hasWordChar reports whether s holds a letter or a digit (not only
// punctuation or space).
func hasWordChar(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func hasWordCharBytes(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
		b = b[size:]
	}
	return false
}

// segChunk is how many characters are segmented at a time: gse works on a
// whole input at once, so long texts are cut at line or sentence ends.
const segChunk = 2048

// eachWord segments s into words with gse (shortest path over the
// dictionary), on the folded text, leaving out punctuation and spaces.
func (a *analysis) eachWord(s string, emit emitFunc) {
	f := a.foldText(s)
	runeAt := f.runeIndex()
	pos := 0
	for from := 0; from < len(f.runes); {
		to := chunkEnd(f.runes, from)
		base := f.at[from]
		chunk := f.text[base:f.at[to]]
		for _, sg := range a.seg.Segment(chunk) {
			b0, b1 := base+sg.Start(), base+sg.End()
			term := f.text[b0:b1]
			if !hasWordCharBytes(term) {
				continue
			}
			pos++
			emit(term, f.offs[runeAt[b0]], f.offs[runeAt[b1]], pos)
		}
		from = to
	}
}

// eachEdge marks where the words of s begin and end. The text is cut
// into words by gse, and words of the dictionary made of smaller words
// are cut again into those (农业发展银行 into 农业, 发展 and 银行; 管理 is
// not cut into 管 and 理). At every place where a word begins, the two
// characters that follow make a term "<xy"; where one ends, the two
// before it make "xy>" (Chinese characters only). A run of query text is
// found as words where it begins and ends at such places: 理事 is in
// 理事会 (理事>) and 理事长, but not in 管理事关, where no word begins at
// 理; 农业 is in 中国农业发展银行. Terms are slices of a buffer valid
// during the call.
func (a *analysis) eachEdge(s string, emit func(term []byte)) {
	f := a.foldText(s)
	runeAt := f.runeIndex()
	at := make([]bool, len(f.runes)+1) // at[i]: a word begins or ends before rune i
	var walk func(base int, segs []*gse.Segment)
	walk = func(base int, segs []*gse.Segment) {
		for _, sg := range segs {
			b0, b1 := base+sg.Start(), base+sg.End()
			if runeAt[b1]-runeAt[b0] < 2 {
				continue // a lone character inside a word is no word of its own
			}
			at[runeAt[b0]], at[runeAt[b1]] = true, true
			walk(b0, sg.Token().Segments())
		}
	}
	for from := 0; from < len(f.runes); {
		to := chunkEnd(f.runes, from)
		base := f.at[from]
		for _, sg := range a.seg.Segment(f.text[base:f.at[to]]) {
			b0, b1 := base+sg.Start(), base+sg.End()
			at[runeAt[b0]], at[runeAt[b1]] = true, true
			if n := runeAt[b1] - runeAt[b0]; n >= 2 {
				walk(b0, sg.Token().Segments())
				if n >= 3 && n <= maxInnerRunes {
					a.innerEdges(int(runeAt[b0]), int(runeAt[b1]), f, at)
				}
			}
		}
		from = to
	}
	cjk := func(i int) bool { return i >= 0 && i < len(f.runes) && charKind(f.runes[i]) == kindCJK }
	var buf []byte
	for i, ok := range at {
		if !ok {
			continue
		}
		if cjk(i) && cjk(i+1) {
			buf = append(append(buf[:0], '<'), f.text[f.at[i]:f.at[i+2]]...)
			emit(buf)
		}
		if cjk(i-2) && cjk(i-1) {
			buf = append(append(buf[:0], f.text[f.at[i-2]:f.at[i]]...), '>')
			emit(buf)
		}
	}
}

// maxInnerRunes bounds the words whose inner dictionary words are looked
// up one by one.
const maxInnerRunes = 8

// innerEdges marks where the dictionary words that begin or end the word
// from rune i to rune j end or begin, not only those of the one way gse
// cuts it again: it cuts 和平路 into 和 and 平路, yet 和平路 begins with
// the word 和平. A word in the middle does not count: 绿地面积 holds no
// word 地面.
func (a *analysis) innerEdges(i, j int, f folded, at []bool) {
	isWord := func(x, y int) bool {
		freq, _, ok := a.seg.Dict.Find(f.text[f.at[x]:f.at[y]])
		return ok && freq > 0
	}
	for k := i + 2; k < j; k++ {
		if isWord(i, k) {
			at[k] = true
		}
	}
	for k := j - 2; k > i; k-- {
		if isWord(k, j) {
			at[k] = true
		}
	}
}

// edgeTerms is what a word field holds: the edge terms of the texts,
// each once.
func (a *analysis) edgeTerms(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range texts {
		a.eachEdge(s, func(t []byte) {
			if !seen[string(t)] {
				w := string(t)
				seen[w] = true
				out = append(out, w)
			}
		})
	}
	return out
}

// shortCuts are the ways search cuts a short text (a title, a keyword, a
// unit's name), all from one segmentation.
type shortCuts struct {
	// words: as gse cuts it, without punctuation (wordTerms).
	words []string
	// fine: the same, with each word of three or more characters that the
	// dictionary makes of smaller ones cut into those (应急管理局 →
	// 应急/管理局 → 应急/管理/局), so that runs of them (应急管理) can be
	// suggested too.
	fine []string
	// inner: the words of two or more characters with the dictionary
	// words inside them (银行 in 农业发展银行), each once.
	inner []string
}

// cutShort cuts a short text, folded, in the ways of shortCuts.
func (a *analysis) cutShort(s string) shortCuts {
	f := a.foldString(s)
	var c shortCuts
	addInner := func(w string) {
		if !slices.Contains(c.inner, w) {
			c.inner = append(c.inner, w)
		}
	}
	var walk func(base int, segs []*gse.Segment)
	walk = func(base int, segs []*gse.Segment) {
		for _, sg := range segs {
			if w := f[base+sg.Start() : base+sg.End()]; utf8.RuneCountInString(w) >= 2 {
				addInner(w)
				walk(base+sg.Start(), sg.Token().Segments())
			}
		}
	}
	for _, sg := range a.seg.Segment([]byte(f)) {
		w := f[sg.Start():sg.End()]
		if !hasWordChar(w) {
			continue
		}
		c.words = append(c.words, w)
		n, subs := utf8.RuneCountInString(w), sg.Token().Segments()
		if n >= 3 && len(subs) >= 2 {
			for _, sub := range subs {
				c.fine = append(c.fine, w[sub.Start():sub.End()])
			}
		} else {
			c.fine = append(c.fine, w)
		}
		if n >= 2 {
			addInner(w)
			walk(sg.Start(), subs)
		}
	}
	return c
}

// chunkEnd finds where the chunk starting at start ends: after a line or
// sentence end once the chunk is long enough, or at a hard limit.
func chunkEnd(rs []rune, start int) int {
	if len(rs)-start <= segChunk {
		return len(rs)
	}
	for i := start + segChunk; i < len(rs) && i < start+4*segChunk; i++ {
		switch rs[i-1] {
		case '\n', '。', '；', '！', '？', '.', ';':
			return i
		}
	}
	return min(len(rs), start+4*segChunk)
}

// eachBigram cuts s, folded, into the bigrams of each run of CJK
// characters (a bigram at the position of its first character) and whole
// runs of letters and digits. A character stands alone only where no
// bigram begins with it, at the end of a run and in a run of one: every
// character begins some term, so a one-character query finds it as a
// prefix, with half the terms of indexing every character as well.
// Where two runs meet, their meeting characters make a term as well.
// Bigrams find words inside longer words (农业 in 中国农业发展银行).
func (a *analysis) eachBigram(s string, emit emitFunc) {
	f := a.foldText(s)
	pos := 0
	n := len(f.runes)
	last, lastKind := -1, kindOther // the last character of the previous run
	lastStart := -1                 // and where that run began
	for i := 0; i < n; {
		kind := charKind(f.runes[i])
		if kind == kindOther {
			i++
			continue
		}
		j := i
		for j < n && charKind(f.runes[j]) == kind {
			j++
		}
		// Where a run meets the next (2019年, 第3号, 印发《临沂), the two
		// characters that meet make a term too, so that a phrase across
		// the meeting point is not matched by its parts found apart; a
		// number followed by Chinese also makes one with the next two
		// characters (2019年度), since 9年 alone is in almost every text.
		// Letters and digits meeting letters and digits do not (3.5 is
		// not 35).
		if last >= 0 && (kind == kindCJK || lastKind == kindCJK) {
			pos++
			junction := append(append([]byte{}, f.text[f.at[last]:f.at[last+1]]...), f.text[f.at[i]:f.at[i+1]]...)
			emit(junction, f.offs[last], f.offs[i+1], pos)
			if lastKind == kindAlnum && j-i >= 2 {
				long := append(append([]byte{}, f.text[f.at[lastStart]:f.at[last+1]]...), f.text[f.at[i]:f.at[i+2]]...)
				emit(long, f.offs[lastStart], f.offs[i+2], pos)
			}
			// Two Chinese runs meeting make trigrams across the meeting
			// point as well (印发临 and 发临沂 in 印发《临沂市), as the runs
			// themselves do.
			if lastKind == kindCJK && kind == kindCJK {
				if last > lastStart {
					tri := append(append([]byte{}, f.text[f.at[last-1]:f.at[last+1]]...), f.text[f.at[i]:f.at[i+1]]...)
					emit(tri, f.offs[last-1], f.offs[i+1], pos)
				}
				if j-i >= 2 {
					tri := append(append([]byte{}, f.text[f.at[last]:f.at[last+1]]...), f.text[f.at[i]:f.at[i+2]]...)
					emit(tri, f.offs[last], f.offs[i+2], pos)
				}
			}
		}
		if kind == kindCJK {
			for k := i; k < j; k++ {
				pos++
				end := min(k+2, j)
				emit(f.text[f.at[k]:f.at[end]], f.offs[k], f.offs[end], pos)
				// Trigrams too: without positions, a run of three is
				// otherwise found wherever its two bigrams are, apart
				// (大学生 in a text with 大学学历 and 学生).
				if k+3 <= j {
					emit(f.text[f.at[k]:f.at[k+3]], f.offs[k], f.offs[k+3], pos)
				}
			}
		} else {
			pos++
			emit(f.text[f.at[i]:f.at[j]], f.offs[i], f.offs[j], pos)
		}
		last, lastKind, lastStart = j-1, kind, i
		i = j
	}
}

// collect gathers the tokens of one of the each* functions.
func collect(each func(string, emitFunc), s string) []token {
	var out []token
	each(s, func(term []byte, start, end, pos int) {
		out = append(out, token{term: string(term), start: start, end: end, pos: pos})
	})
	return out
}

func (a *analysis) words(s string) []token { return collect(a.eachWord, s) }

// gramTerm is one term that must be present for a text to be found in a
// bigram field; single is set for a lone CJK character, which the fields
// hold alone only at the end of a run and so is looked up as a prefix.
type gramTerm struct {
	term   string
	single bool
}

// gramTerms are the terms that find s in a bigram field: those
// eachBigram cuts from it, each once, less a run's last character (in the
// bigram before it). The fields keep no
// positions: a text is found where all of its terms are, which for
// overlapping bigrams is, but for rare coincidences, where the text is.
func (a *analysis) gramTerms(s string) []gramTerm {
	var out []gramTerm
	seen := map[string]bool{}
	last := ""
	a.eachBigram(s, func(term []byte, _, _, _ int) {
		t := string(term)
		r, size := utf8.DecodeRune(term)
		single := size == len(term) && charKind(r) == kindCJK
		// A run's last character is in the bigram before it.
		covered := single && last != "" && last != t && strings.HasSuffix(last, t)
		last = t
		if covered || seen[t] {
			return
		}
		seen[t] = true
		out = append(out, gramTerm{term: t, single: single})
	})
	// A Chinese bigram inside one of the trigrams says nothing more.
	var tris []string
	for _, g := range out {
		if isCJKGram(g.term, 3) {
			tris = append(tris, g.term)
		}
	}
	if len(tris) == 0 {
		return out
	}
	kept := out[:0]
	for _, g := range out {
		if isCJKGram(g.term, 2) && slices.ContainsFunc(tris, func(tri string) bool { return strings.Contains(tri, g.term) }) {
			continue
		}
		kept = append(kept, g)
	}
	return kept
}

// isCJKGram reports whether term is n Chinese characters.
func isCJKGram(term string, n int) bool {
	for _, r := range term {
		if n == 0 || charKind(r) != kindCJK {
			return false
		}
		n--
	}
	return n == 0
}

// wordTerms returns the folded words of s, without punctuation.
func (a *analysis) wordTerms(s string) []string {
	toks := a.words(s)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.term
	}
	return out
}

// runEdges are the edge terms a run of query text asks of a field to be
// found there as words: "<xy" for its first two characters and "xy>" for
// its last two, where they are Chinese (a run that begins or ends with a
// number or a Latin word is held by that term whole). See eachEdge.
func (a *analysis) runEdges(s string) []string {
	rs := []rune(a.foldString(s))
	i, j := 0, len(rs)
	for i < j && charKind(rs[i]) == kindOther {
		i++
	}
	for j > i && charKind(rs[j-1]) == kindOther {
		j--
	}
	rs = rs[i:j]
	var out []string
	if len(rs) >= 2 && charKind(rs[0]) == kindCJK && charKind(rs[1]) == kindCJK {
		out = append(out, "<"+string(rs[:2]))
	}
	if n := len(rs); n >= 2 && charKind(rs[n-2]) == kindCJK && charKind(rs[n-1]) == kindCJK {
		out = append(out, string(rs[n-2:])+">")
	}
	return out
}

// bareText is s folded, with only its letters, digits and Chinese
// characters: a run found by its terms is in a text where it is in the
// text's bare form (印发临沂市 in 印发《临沂市》).
func (a *analysis) bareText(s string) string {
	return strings.Map(func(r rune) rune {
		r = a.fold(r)
		if charKind(r) == kindOther {
			return -1
		}
		return r
	}, s)
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
