package indexer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// maxPinyinSyllables bounds the whole-text pinyin token.
const maxPinyinSyllables = 30

// pinyinTokens spells text in toneless pinyin for searching by pinyin
// input: each word joined (公积金 → gongjijin), its initials (gjj), runs
// of two and three words (zhufanggongjijin), the whole text joined, and
// every dictionary word inside a longer one (银行 in 农业发展银行).
func (a *analysis) pinyinTokens(text string) []string {
	c := a.cutShort(text)
	return a.pinyinOfWords(c.words, c.inner)
}

// maxSpellings bounds the readings of one word: a character with several
// readings (行 xing/hang, 长 chang/zhang) multiplies them.
const maxSpellings = 4

// spellings are the toneless pinyin syllables of word, one list per
// reading: the common reading of every character first, then other
// readings of its characters, at most maxSpellings in all.
func (a *analysis) spellings(word string) [][]string {
	var base []string
	var alts [][]string // other readings per character
	for _, r := range word {
		if !unicode.Is(unicode.Han, r) {
			continue
		}
		p, ok := a.py[r]
		if !ok && r > 0x9FFF {
			if ps := pinyin.SinglePinyin(r, pinyin.NewArgs()); len(ps) > 0 {
				p, ok = strings.ReplaceAll(ps[0], "ü", "v"), true
			}
		}
		if !ok {
			continue
		}
		base = append(base, p)
		alts = append(alts, a.pyAlt[r])
	}
	if len(base) == 0 {
		return nil
	}
	out := [][]string{base}
	for i, as := range alts {
		for _, alt := range as {
			if len(out) >= maxSpellings {
				return out
			}
			v := slices.Clone(base)
			v[i] = alt
			out = append(out, v)
		}
	}
	return out
}

// pinyinOfWords is pinyinTokens of a text already cut into words (in
// order) and its search-mode words.
func (a *analysis) pinyinOfWords(terms, inner []string) []string {
	var words [][]string // syllables per word with Chinese characters
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) >= 2 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, w := range terms {
		sp := a.spellings(w)
		if len(sp) == 0 {
			continue
		}
		words = append(words, sp[0])
		for _, syl := range sp {
			add(strings.Join(syl, ""))
		}
	}
	total := 0
	for i, w := range words {
		if len(w) >= 2 {
			var ini strings.Builder
			for _, s := range w {
				ini.WriteByte(s[0])
			}
			add(ini.String())
		}
		for n := 2; n <= 3 && i+n <= len(words); n++ {
			var b strings.Builder
			for _, x := range words[i : i+n] {
				b.WriteString(strings.Join(x, ""))
			}
			add(b.String())
		}
		total += len(w)
	}
	if total <= maxPinyinSyllables && len(words) > 3 {
		var b strings.Builder
		for _, w := range words {
			b.WriteString(strings.Join(w, ""))
		}
		add(b.String())
	}
	for _, w := range inner {
		if utf8.RuneCountInString(w) > 8 {
			continue
		}
		for _, syl := range a.spellings(w) {
			if len(syl) >= 2 {
				add(strings.Join(syl, ""))
			}
		}
	}
	return out
}

// pinyinTable spells every Chinese character of the basic block once, in
// toneless pinyin with ü as v: looking characters up in the library for
// every title of a rebuild cost more than the rest of the pinyin work.
func pinyinTable() (common map[rune]string, other map[rune][]string) {
	args := pinyin.NewArgs()
	all := pinyin.NewArgs()
	all.Heteronym = true
	common = make(map[rune]string, 0x9FFF-0x3400)
	other = map[rune][]string{}
	for _, span := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}} {
		for r := span[0]; r <= span[1]; r++ {
			p := pinyin.SinglePinyin(r, args)
			if len(p) == 0 {
				continue
			}
			first := strings.ReplaceAll(p[0], "ü", "v")
			common[r] = first
			if r < 0x4E00 {
				continue // rare characters: their first reading is enough
			}
			for _, q := range pinyin.SinglePinyin(r, all) {
				if q = strings.ReplaceAll(q, "ü", "v"); q != first && !slices.Contains(other[r], q) {
					other[r] = append(other[r], q)
				}
			}
		}
	}
	return common, other
}

// pinyinQuery turns a query typed in pinyin into the token to look up:
// lower-case letters only, spaces and apostrophes dropped (gong ji jin,
// gong'jijin → gongjijin). It returns "" when the query is not pinyin.
func pinyinQuery(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == ' ' || r == '\'' || r == '’':
		default:
			return ""
		}
	}
	if b.Len() < 2 || b.Len() > 60 {
		return ""
	}
	return b.String()
}
