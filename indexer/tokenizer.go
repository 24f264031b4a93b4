package indexer

import (
	"fmt"
	"unicode/utf8"

	blanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of the tokenizers this package adds to Bleve.
const (
	wordsTokenizer  = "gongkai_words"
	gramsTokenizer  = "gongkai_grams"
	bigramTokenizer = "gongkai_bigrams"
)

// init registers the tokenizer with Bleve's process-wide registry: an
// index mapping names its tokenizers, and Bleve looks them up there when
// the index is opened.
func init() {
	mustRegister(bigramTokenizer, func(a *analysis) func(string, emitFunc) { return a.eachBigram })
}

func mustRegister(name string, pick func(*analysis) func(string, emitFunc)) {
	err := registry.RegisterTokenizer(name, func(map[string]any, *registry.Cache) (blanalysis.Tokenizer, error) {
		a, err := sharedAnalysis()
		if err != nil {
			return nil, err
		}
		return tokenizer(pick(a)), nil
	})
	if err != nil {
		panic(fmt.Sprintf("indexer: register tokenizer %s: %v", name, err))
	}
}

// tokenizer adapts one of the analysis functions to Bleve. Terms are
// slices of one folded copy of the input; Bleve copies what it keeps.
type tokenizer func(string, emitFunc)

func (t tokenizer) Tokenize(input []byte) blanalysis.TokenStream {
	var toks []blanalysis.Token
	t(string(input), func(term []byte, start, end, pos int) {
		typ := blanalysis.AlphaNumeric
		if r, _ := utf8.DecodeRune(term); charKind(r) == kindCJK {
			typ = blanalysis.Ideographic
		}
		toks = append(toks, blanalysis.Token{Term: term, Start: start, End: end, Position: pos, Type: typ})
	})
	out := make(blanalysis.TokenStream, len(toks))
	for i := range toks {
		out[i] = &toks[i]
	}
	return out
}
