package searchbench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"github.com/mozillazg/go-pinyin"
)

// perRound is how many queries of each kind one round of the mix asks;
// a kind's pool holds up to rounds×perRound distinct queries, so that the
// uncached rounds ask each query once where the data has enough of them.
const perRound = 10

// kinds are the query kinds of the mix, in report order.
var kinds = []string{"common-word", "rare-word", "long-name", "four-char", "abbreviation", "pinyin", "typo",
	"phrase", "docno", "two-word", "filtered", "facets"}

// query is one search of the mix.
type query struct {
	kind    string
	text    string      // as typed into our search box
	phrase  bool        // quoted
	grn     string      // Groonga's query when it differs from text (see groongaQuery)
	filters [][2]string // facet, value
}

func (q query) key() string {
	return fmt.Sprint(q.kind, "\x00", q.text, "\x00", q.phrase, "\x00", q.filters)
}

func (q query) apiURL(base string) string {
	v := url.Values{}
	if q.text != "" {
		t := q.text
		if q.phrase {
			t = `"` + t + `"`
		}
		v.Set("q", t)
	} else {
		v.Set("sort", "date")
	}
	for _, f := range q.filters {
		v.Add(f[0], f[1])
	}
	return base + "/api/v1/search?" + v.Encode()
}

// groongaQuery is the query Groonga is given for the same search: an
// abbreviation becomes the OR of its synonym group (our engine expands it
// itself), pinyin the Chinese word (Groonga has no pinyin), a phrase or
// 文号 is quoted; the rest as typed.
func (q query) groongaQuery() string {
	if q.grn != "" {
		return q.grn
	}
	if q.phrase || q.kind == "docno" {
		return `"` + strings.ReplaceAll(q.text, `"`, `\"`) + `"`
	}
	return q.text
}

// mixSampler sees every published entry as prepare reads it and picks the
// query pools from the data, deterministically: the titles of a sample of
// about titleSample entries are cut into words; a sample of about
// sampleTarget entries has its searchable text cut into words and counted
// as 2–4-character runs, to estimate how many entries contain a word.
type mixSampler struct {
	seg        *gse.Segmenter
	poolSize   int
	titleEvery int            // title sample: every titleEvery-th published entry
	every      int            // body sample: every every-th published entry
	seen       int            // published entries seen
	sampled    int            // entries in the body sample
	titleDF    map[string]int // words (2–4 Chinese characters) of the title sample: titles containing them
	sampleDF   map[string]int // words of the sample's text: sample entries containing them
	gramDF     map[string]int // 2–4-character runs of the sample's text: sample entries containing them
	groups     [][]string     // synonym groups (indexer/synonyms.txt)
	groupDF    []int          // sample entries containing any term of the group
	runs       []string       // long runs cut from the sample's bodies
	docNos     []string
	titles     []string
	keywords   []string
	filtered   []query
	facetPairs map[[2]string]bool // year, validity
	r          *rand.Rand
}

// The samples' sizes: enough to find words of every kind at 20,000
// entries, and a bounded cost at any size.
const titleSample, sampleTarget = 40000, 3000

func newMixSampler(entries int) (*mixSampler, error) {
	seg := &gse.Segmenter{SkipLog: true, NotLoadHMM: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	// The index's own vocabulary first, then gse's dictionary, as the
	// index cuts words.
	vocab, err := os.ReadFile("../../indexer/vocab.txt")
	if err != nil {
		return nil, err
	}
	for line := range strings.Lines(string(vocab)) {
		word, freq, ok := strings.Cut(strings.TrimSpace(line), " ")
		if f, err := strconv.ParseFloat(freq, 64); ok && err == nil && !strings.HasPrefix(word, "#") {
			seg.AddToken(word, f)
		}
	}
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, err
	}
	groups, err := readSynonyms("../../indexer/synonyms.txt")
	if err != nil {
		return nil, err
	}
	return &mixSampler{seg: seg, poolSize: 13 * perRound, titleEvery: max(1, entries/titleSample), every: max(1, entries/sampleTarget),
		titleDF: map[string]int{}, sampleDF: map[string]int{}, gramDF: map[string]int{},
		groups: groups, groupDF: make([]int, len(groups)), facetPairs: map[[2]string]bool{},
		r: rand.New(rand.NewPCG(11, 7))}, nil
}

// readSynonyms reads the synonym list the index uses (one group a line).
func readSynonyms(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var groups [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		terms := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == ',' || r == '，' || r == '\t' })
		if len(terms) >= 2 {
			groups = append(groups, terms)
		}
	}
	return groups, sc.Err()
}

// words cuts text into the words of 2–4 Chinese characters the segmenter
// finds (each once).
func (m *mixSampler) words(text string) []string {
	var out []string
	for _, sg := range m.seg.Segment([]byte(text)) {
		w := sg.Token().Text()
		if n := utf8.RuneCountInString(w); n >= 2 && n <= 4 && allHan(w) {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// observe takes one published entry: its title, searchable text (body,
// attachments' text, summary, keywords), keywords, 文号, unit, year and
// validity.
func (m *mixSampler) observe(title, text string, keywords []string, docNo, unit, year, validity string) {
	m.seen++
	i := m.seen
	if i%m.titleEvery == 0 {
		for _, w := range m.words(title) {
			m.titleDF[w]++
		}
	}
	if i%m.every == 0 {
		m.sampled++
		all := title + "\n" + text
		for _, w := range m.words(all) {
			m.sampleDF[w]++
		}
		grams := map[string]bool{}
		for _, run := range hanRuns(all) {
			rs := []rune(run)
			for n := 2; n <= 4; n++ {
				for s := 0; s+n <= len(rs); s++ {
					grams[string(rs[s:s+n])] = true
				}
			}
		}
		for g := range grams {
			m.gramDF[g]++
		}
		for gi, terms := range m.groups {
			for _, t := range terms {
				// Terms of up to four characters are in grams; a longer
				// one can be only where its first four are.
				rs := []rune(t)
				if grams[string(rs[:min(4, len(rs))])] && (len(rs) <= 4 || strings.Contains(all, t)) {
					m.groupDF[gi]++
					break
				}
			}
		}
		// A long run cut from the body as a user would paste or type it.
		var long [][]rune
		for _, run := range textRuns(text) {
			if rs := []rune(run); len(rs) >= 8 {
				long = append(long, rs)
			}
		}
		if len(long) > 0 {
			rs := long[m.r.IntN(len(long))]
			n := min(len(rs), 8+m.r.IntN(7))
			s := m.r.IntN(len(rs) - n + 1)
			if cleanCut(rs, s, s+n) {
				m.runs = append(m.runs, string(rs[s:s+n]))
			}
		}
	}
	if i%23 == 0 && docNo != "" {
		m.docNos = append(m.docNos, docNo)
	}
	if i%29 == 0 {
		m.titles = append(m.titles, title)
	}
	if i%31 == 0 && len(keywords) > 0 {
		m.keywords = append(m.keywords, keywords[0])
	}
	if i%53 == 0 && len(keywords) > 0 {
		m.filtered = append(m.filtered, query{kind: "filtered", text: keywords[m.r.IntN(len(keywords))],
			filters: [][2]string{{"unit", unit}, {"year", year}}})
	}
	if validity != "" {
		m.facetPairs[[2]string{year, validity}] = true
	}
}

// pools returns each kind's distinct queries, in the order they are asked.
func (m *mixSampler) pools() (map[string][]query, error) {
	p := map[string][]query{}
	frac := func(w string) float64 { return float64(m.gramDF[w]) / float64(max(m.sampled, 1)) }
	var words []string // every word seen, in titles or the sample
	for w := range m.titleDF {
		words = append(words, w)
	}
	for w := range m.sampleDF {
		if m.titleDF[w] == 0 {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	pick := func(kind string, cands []string, q func(string) query) {
		for _, w := range m.shuffled(cands) {
			p[kind] = append(p[kind], q(w))
		}
	}
	plain := func(kind string) func(string) query {
		return func(w string) query { return query{kind: kind, text: w} }
	}

	// Broad words: two characters, in titles and in at least 5% of the
	// entries. Rare: in one or two titles of the sample and in none of
	// the text sample. Four characters: in the text sample at least twice.
	var common, rare, four, titled []string
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		switch {
		case n == 2 && frac(w) >= 0.05 && m.titleDF[w] > 0:
			common = append(common, w)
		case m.titleDF[w] > 0 && m.titleDF[w] <= 2 && m.gramDF[w] == 0:
			rare = append(rare, w)
		}
		if n == 4 && m.gramDF[w] >= 2 {
			four = append(four, w)
		}
		if m.titleDF[w] >= 2 {
			titled = append(titled, w)
		}
	}
	pick("common-word", common, plain("common-word"))
	pick("rare-word", rare, plain("rare-word"))
	pick("long-name", m.runs, plain("long-name"))
	pick("four-char", four, plain("four-char"))

	// Abbreviations: the shortest term of each synonym group found in the
	// data; Groonga searches the whole group.
	var abbr []string
	grnOf := map[string]string{}
	for gi, terms := range m.groups {
		if m.groupDF[gi] == 0 {
			continue
		}
		short := terms[0]
		for _, t := range terms[1:] {
			if utf8.RuneCountInString(t) < utf8.RuneCountInString(short) {
				short = t
			}
		}
		abbr = append(abbr, short)
		grnOf[short] = strings.Join(terms, " OR ")
	}
	pick("abbreviation", abbr, func(w string) query { return query{kind: "abbreviation", text: w, grn: grnOf[w]} })

	// Pinyin of title words, typed without tones or spaces.
	pick("pinyin", titled, func(w string) query { return query{kind: "pinyin", text: toneless(w), grn: w} })

	// Typos: a title word of three or four characters with one character
	// replaced, by one that sounds the same where the titles have one
	// (as a pinyin input method gets it wrong), found nowhere in the sample.
	sounds := map[string][]rune{}
	seenChar := map[rune]bool{}
	for w := range m.titleDF {
		for _, r := range w {
			if !seenChar[r] {
				seenChar[r] = true
				sounds[toneless(string(r))] = append(sounds[toneless(string(r))], r)
			}
		}
	}
	var chars []rune
	for r := range seenChar {
		chars = append(chars, r)
	}
	slices.Sort(chars)
	for _, rs := range sounds {
		slices.Sort(rs)
	}
	var typos []string
	for _, w := range titled {
		rs := []rune(w)
		if len(rs) < 3 {
			continue
		}
		at := m.r.IntN(len(rs))
		alike := slices.DeleteFunc(slices.Clone(sounds[toneless(string(rs[at]))]), func(r rune) bool { return r == rs[at] })
		if len(alike) > 0 {
			rs[at] = alike[m.r.IntN(len(alike))]
		} else {
			rs[at] = chars[m.r.IntN(len(chars))]
		}
		if t := string(rs); t != w && m.titleDF[t] == 0 && m.gramDF[t] == 0 && m.sampleDF[t] == 0 {
			typos = append(typos, t)
		}
	}
	pick("typo", typos, plain("typo"))

	var phrases []string
	for _, t := range m.titles {
		rs := []rune(t)
		phrases = append(phrases, string(rs[min(2, len(rs)-1):min(8, len(rs))]))
	}
	pick("phrase", phrases, func(w string) query { return query{kind: "phrase", text: w, phrase: true} })
	pick("docno", m.docNos, plain("docno"))

	kw := dedupe(m.keywords)
	var pairs []string
	for range 3 * m.poolSize {
		if len(kw) < 2 {
			break
		}
		a, b := kw[m.r.IntN(len(kw))], kw[m.r.IntN(len(kw))]
		if a != b && !strings.Contains(a, b) && !strings.Contains(b, a) {
			pairs = append(pairs, a+" "+b)
		}
	}
	pick("two-word", pairs, plain("two-word"))

	byKey := map[string]query{}
	var keys []string
	for _, q := range m.filtered {
		keys = append(keys, q.key())
		byKey[q.key()] = q
	}
	pick("filtered", keys, func(k string) query { return byKey[k] })
	var facets []string
	for f := range m.facetPairs {
		facets = append(facets, f[0]+"\x00"+f[1])
	}
	pick("facets", facets, func(s string) query {
		year, validity, _ := strings.Cut(s, "\x00")
		return query{kind: "facets", filters: [][2]string{{"year", year}, {"validity", validity}}}
	})

	for _, k := range kinds {
		if len(p[k]) < perRound {
			return nil, fmt.Errorf("query mix: %d distinct %s queries in the data, want at least %d", len(p[k]), k, perRound)
		}
	}
	return p, nil
}

// shuffled returns up to poolSize of the distinct strings in s, in an
// order fixed by the seed.
func (m *mixSampler) shuffled(s []string) []string {
	s = dedupe(slices.Clone(s))
	m.r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s[:min(len(s), m.poolSize)]
}

// schedule lays out rounds of the mix: in round r, the kinds take turns,
// each asking the perRound queries of its pool that follow those of
// round r-1 (from the start again when the pool is used up). With fresh
// false every round asks each kind's first perRound queries, so that
// from the second round on every answer can come from a result cache.
func schedule(pools map[string][]query, rounds int, fresh bool) [][]query {
	out := make([][]query, rounds)
	for r := range rounds {
		for j := range perRound {
			for _, k := range kinds {
				pool := pools[k]
				i := j
				if fresh {
					i = r*perRound + j
				}
				out[r] = append(out[r], pool[i%len(pool)])
			}
		}
	}
	return out
}

// toneless spells the Chinese characters of s in toneless pinyin (ü as v),
// one reading each, as typed with a pinyin keyboard.
func toneless(s string) string {
	var b strings.Builder
	args := pinyin.NewArgs()
	for _, r := range s {
		if p := pinyin.SinglePinyin(r, args); len(p) > 0 {
			b.WriteString(strings.ReplaceAll(p[0], "ü", "v"))
		}
	}
	return b.String()
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// hanRuns splits s into its runs of Chinese characters.
func hanRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}

// textRuns splits s into runs of Chinese characters, letters and digits
// (what stands between punctuation and spaces).
func textRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !wordChar(r) })
}

func wordChar(r rune) bool {
	return unicode.Is(unicode.Han, r) || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// cleanCut reports whether rs[s:e] starts and ends on a Chinese
// character, so that no number or Latin word is cut in two.
func cleanCut(rs []rune, s, e int) bool {
	return unicode.Is(unicode.Han, rs[s]) && unicode.Is(unicode.Han, rs[e-1])
}
