package indexer

import (
	"flag"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// The fuzzers feed arbitrary text to the 文号 normaliser and the query
// parser. A plain go test runs the seeds below and testdata/fuzz; run one
// for longer with
//
//	go test -run '^$' -fuzz '^FuzzDocNoKey$' -fuzztime 20s ./indexer

// docNoSeeds are 文号 in the spellings people type, and text that is
// almost one.
var docNoSeeds = []string{
	"临政办发〔2018〕12号", "临政办发[2018]12号", "临政办发（2018）12号", "臨政辦發〔２０１８〕１２號",
	"临政办发 2018 12", "鲁政字〔2020〕5号", "临发改发【2018】12号", "国办发〔2019〕第3号",
	"", " ", "〔〕", "号", "ＡＢＣ〔2018〕1号", "İstanbul 〔2018〕", "\xff\xfe〔2018〕", "临\u3000政\u00a0办·发",
}

func FuzzDocNoKey(f *testing.F) {
	for _, s := range docNoSeeds {
		f.Add(s)
	}
	// The 文号 forms need only the folding table, not the segmenter.
	t2s, err := foldTable()
	if err != nil {
		f.Fatal(err)
	}
	a := &analysis{t2s: t2s}
	f.Fuzz(func(t *testing.T, s string) {
		key := a.docNoKey(s)
		if again := a.docNoKey(key); again != key {
			t.Fatalf("docNoKey is not idempotent: %q → %q → %q", s, key, again)
		}
		for _, r := range key {
			if docNoBracket(r) || unicode.IsSpace(r) || r == '·' {
				t.Fatalf("docNoKey(%q) = %q keeps %q", s, key, r)
			}
		}
		if !utf8.ValidString(key) {
			t.Fatalf("docNoKey(%q) = %q is not UTF-8", s, key)
		}
		// Any bracket or space typed instead of another gives the same key.
		swapped := strings.Map(func(r rune) rune {
			switch {
			case docNoBracket(a.fold(r)):
				return '【'
			case unicode.IsSpace(r):
				return '\u3000'
			}
			return r
		}, s)
		if k := a.docNoKey(swapped); k != key && utf8.ValidString(s) {
			t.Fatalf("docNoKey(%q) = %q but docNoKey(%q) = %q", s, key, swapped, k)
		}
		// The n-gram form keeps one character for each.
		if got, want := utf8.RuneCountInString(a.docNoText(s)), utf8.RuneCountInString(s); got != want {
			t.Fatalf("docNoText(%q) has %d characters, want %d", s, got, want)
		}
		keys := a.docNoKeys(s)
		if keys != nil && (keys[0] != key || len(keys) > 2) {
			t.Fatalf("docNoKeys(%q) = %q, key %q", s, keys, key)
		}
		if a.isDocNo(s) && a.isDocNo(s) != a.isDocNo(a.foldString(s)) {
			t.Fatalf("isDocNo(%q) changes once folded", s)
		}
	})
}

// querySeeds are queries people type, and queries built to hurt.
var querySeeds = []string{
	"住房公积金", "公租房申请", "\"政府信息公开\" 年度报告", "“营商环境” 临沂", "临政办发〔2018〕12号",
	"zhufang gongjijin", "gjj", "的了和", "公 租 房", "a*?*?*?*?b", strings.Repeat("公积金 ", 40),
	`"unbalanced`, `""`, "“”‘’", "11371300004331204K/2018-00001", "发展和改革委员会关于的通知",
	"\x00\xff", "ＡＢＣ１２３", "臺灣 繁體", "😀 emoji", "\t\n\r",
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s)
	}
	a := queryFuzzAnalysis(f)
	ix := &Index{an: a}
	syn := parseSynonyms(a, defaultSynonyms)
	f.Fuzz(func(t *testing.T, q string) {
		if utf8.RuneCountInString(q) > MaxQueryRunes {
			t.Skip("longer than ParseRequest lets through")
		}
		pq := ix.parseQuery(q, syn)
		runes := utf8.RuneCountInString(q)
		if len(pq.clauses) > maxClauses || len(pq.clauses) > runes {
			t.Fatalf("%q: %d clauses from %d characters", q, len(pq.clauses), runes)
		}
		parts := 0
		for _, c := range pq.clauses {
			if c.text == "" || !hasWordChar(c.text) || !utf8.ValidString(c.text) {
				t.Fatalf("%q: clause %+v", q, c)
			}
			if len(c.runs) == 0 || c.runs[0] != c.text || len(c.runs) > maxRuns+1 {
				t.Fatalf("%q: clause %q has runs %q", q, c.text, c.runs)
			}
			if c.phrase {
				parts++
				continue
			}
			parts += len(c.parts)
			for _, p := range c.parts {
				if len(p.variants) == 0 || len(p.variants) > maxVariants+1 {
					t.Fatalf("%q: part %+v", q, p)
				}
				for _, v := range p.variants {
					if v == "" || !utf8.ValidString(v) {
						t.Fatalf("%q: part variant %q", q, v)
					}
				}
			}
		}
		if parts > maxParts || parts > runes {
			t.Fatalf("%q: %d words to match from %d characters", q, parts, runes)
		}
		for _, k := range pq.docNos {
			if k != a.docNoKey(k) {
				t.Fatalf("%q: 文号 key %q is not normal", q, k)
			}
		}
		if pq.titleKey != "" && utf8.RuneCountInString(pq.titleKey) < 4 {
			t.Fatalf("%q: title key %q", q, pq.titleKey)
		}
		if again := ix.parseQuery(q, syn); !reflect.DeepEqual(again, pq) {
			t.Fatalf("%q parses two ways:\n%+v\n%+v", q, pq, again)
		}
		pq.marks(true)
		pq.marks(false)
	})
}

// queryFuzzAnalysis is the search's analysis for a plain go test. While
// fuzzing, it is the analysis with our own vocabulary only: gse's
// dictionary takes seconds to load, many times that in a fuzzing build,
// and every fuzzing process loads it, which left a 20-second run almost
// no time to fuzz. Words the dictionary would know then come apart into
// shorter pieces, which the parser must take as well.
func queryFuzzAnalysis(f *testing.F) *analysis {
	if fl := flag.Lookup("test.fuzz"); fl == nil || fl.Value.String() == "" {
		a, err := sharedAnalysis()
		if err != nil {
			f.Fatal(err)
		}
		return a
	}
	seg := &gse.Segmenter{SkipLog: true, NotLoadHMM: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	for line := range strings.SplitSeq(vocabText, "\n") {
		word, freq, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(word, "#") {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(freq), 64)
		if err != nil {
			f.Fatal(err)
		}
		if err := seg.AddToken(word, n); err != nil {
			f.Fatal(err)
		}
	}
	t2s, err := foldTable()
	if err != nil {
		f.Fatal(err)
	}
	py, pyAlt := pinyinTable()
	return &analysis{seg: seg, t2s: t2s, py: py, pyAlt: pyAlt}
}
