package indexer

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// maxPinyinSyllables bounds the whole-text pinyin token.
const maxPinyinSyllables = 30

// pinyinTokens spells text in toneless pinyin for searching by pinyin
// input: each word joined (公积金 → gongjijin), its initials (gjj), runs
// of two and three words (zhufanggongjijin), and the whole text joined.
func (a *analysis) pinyinTokens(text string) []string {
	return a.pinyinOfWords(a.wordTerms(text))
}

// pinyinOfWords is pinyinTokens of a text already cut into words.
func (a *analysis) pinyinOfWords(terms []string) []string {
	var words [][]string // syllables per word with Chinese characters
	for _, w := range terms {
		var syl []string
		for _, r := range w {
			if !unicode.Is(unicode.Han, r) {
				continue
			}
			if p, ok := a.py[r]; ok {
				syl = append(syl, p)
			} else if r > 0x9FFF {
				if p := pinyin.SinglePinyin(r, pinyin.NewArgs()); len(p) > 0 {
					syl = append(syl, strings.ReplaceAll(p[0], "ü", "v"))
				}
			}
		}
		if len(syl) > 0 {
			words = append(words, syl)
		}
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) >= 2 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	total := 0
	for i, w := range words {
		add(strings.Join(w, ""))
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
	return out
}

// pinyinTable spells every Chinese character of the basic block once, in
// toneless pinyin with ü as v: looking characters up in the library for
// every title of a rebuild cost more than the rest of the pinyin work.
func pinyinTable() map[rune]string {
	args := pinyin.NewArgs()
	table := make(map[rune]string, 0x9FFF-0x3400)
	for _, span := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}} {
		for r := span[0]; r <= span[1]; r++ {
			if p := pinyin.SinglePinyin(r, args); len(p) > 0 {
				table[r] = strings.ReplaceAll(p[0], "ü", "v")
			}
		}
	}
	return table
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
