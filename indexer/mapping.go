package indexer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
)

// analysisVersion changes whenever the analysis code changes what it
// emits; together with the mapping and the vocabulary it makes the mapping
// version stored in the index, and a mismatch rebuilds the index.
const analysisVersion = 13

// Analyzer names used by the mapping.
const (
	anGrams = "gk_bigrams" // CJK bigrams and trigrams (a run's last character alone), letter-and-digit runs
	anSpace = "gk_space"   // tokens prepared in Go (word edges, pinyin), separated by spaces
	anKey   = keyword.Name
)

// Field names in the index.
const (
	fTitle      = "title"
	fTitleWords = "title_words"
	fTitleGrams = "title_grams"
	fTitleKey   = "title_key"
	fTitlePy    = "title_py"
	fTitleSugg  = "title_sugg"
	fBody       = "body"
	fBodyGrams  = "body_grams"
	fBodyWords  = "body_words"
	fAtt        = "att"
	fAttGrams   = "att_grams"
	fAttWords   = "att_words"
	fSummary    = "summary"
	fSumWords   = "summary_words"
	fSumGrams   = "summary_grams"
	fKeywords   = "keywords"
	fKwWords    = "keywords_words"
	fKwGrams    = "keywords_grams"
	fUnitName   = "unit_name"
	fUnitWords  = "unit_name_words"
	fUnitGrams  = "unit_name_grams"
	fOtherPy    = "other_py"
	fDocNo      = "doc_no"
	fDocNoKey   = "doc_no_key"
	fDocNoGrams = "doc_no_grams"
	fIndexNo    = "index_no"
	fUnit       = "unit"
	fColumn     = "column"
	fFive       = "five_publics"
	fPublished  = "published_at"
	fStamp      = "stamp"
	fFacet      = "facet" // every facet value of the entry as "name:value"
	fKey        = "key"   // the entry id again, with doc values, to break ties in sorting
)

// Keys of the index's internal key-value store.
var (
	keyCheckpoint = []byte("gongkai.checkpoint")
	keyMapping    = []byte("gongkai.mapping")
)

// newMapping builds the explicit mapping: nothing is indexed that is not
// named here. Every text field comes twice: as n-grams (bigrams and
// trigrams) and as the edges of its words (the *_words fields, see
// eachEdge). No field keeps term positions: a run of characters is found
// as the conjunction of its terms, which Bleve walks at 0.2 µs a
// candidate against 3.3 µs for a phrase, and snippets find the query's
// words in the stored text themselves.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	im.DefaultAnalyzer = anKey
	im.ScoringModel = bindex.BM25Scoring
	for name, tok := range map[string]string{anGrams: bigramTokenizer, anSpace: whitespace.Name} {
		if err := im.AddCustomAnalyzer(name, map[string]any{"type": custom.Name, "tokenizer": tok}); err != nil {
			return nil, fmt.Errorf("indexer: analyzer %s: %w", name, err)
		}
	}

	text := func(name, analyzer string, store bool) *mapping.FieldMapping {
		fm := mapping.NewTextFieldMapping()
		fm.Name, fm.Analyzer, fm.Store = name, analyzer, store
		fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, false, false
		// Searches count matches, they do not weigh term frequencies.
		fm.SkipFreqNorm = true
		return fm
	}
	plain := text
	kw := func(name string, store, docValues bool) *mapping.FieldMapping {
		fm := mapping.NewKeywordFieldMapping()
		fm.Name, fm.Store, fm.DocValues, fm.IncludeInAll = name, store, docValues, false
		fm.IncludeTermVectors = false
		return fm
	}
	date := func(name string, store bool) *mapping.FieldMapping {
		fm := mapping.NewDateTimeFieldMapping()
		fm.Name, fm.Store, fm.DocValues, fm.IncludeInAll = name, store, true, false
		return fm
	}

	storedOnly := func(name string) *mapping.FieldMapping {
		fm := plain(name, anKey, true)
		fm.Index = false
		return fm
	}
	// Text is indexed as n-grams, and as word edges segmented in Go
	// (buildDocument), so that a query word is found where the text has
	// that word and not where its characters merely meet across a word
	// boundary. Texts are stored for hits, snippets and the check of long
	// runs.
	dm := mapping.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fTitle, storedOnly(fTitle), text(fTitleGrams, anGrams, false))
	dm.AddFieldMappingsAt(fTitleWords, plain(fTitleWords, anSpace, false))
	dm.AddFieldMappingsAt(fTitleKey, kw(fTitleKey, false, false))
	dm.AddFieldMappingsAt(fTitlePy, plain(fTitlePy, anSpace, false))
	dm.AddFieldMappingsAt(fTitleSugg, plain(fTitleSugg, anSpace, false))
	dm.AddFieldMappingsAt(fBody, storedOnly(fBody), text(fBodyGrams, anGrams, false))
	dm.AddFieldMappingsAt(fBodyWords, plain(fBodyWords, anSpace, false))
	dm.AddFieldMappingsAt(fAtt, storedOnly(fAtt), text(fAttGrams, anGrams, false))
	dm.AddFieldMappingsAt(fAttWords, plain(fAttWords, anSpace, false))
	dm.AddFieldMappingsAt(fSummary, storedOnly(fSummary), text(fSumGrams, anGrams, false))
	dm.AddFieldMappingsAt(fSumWords, plain(fSumWords, anSpace, false))
	dm.AddFieldMappingsAt(fKeywords, storedOnly(fKeywords), text(fKwGrams, anGrams, false))
	dm.AddFieldMappingsAt(fKwWords, plain(fKwWords, anSpace, false))
	dm.AddFieldMappingsAt(fUnitName, text(fUnitGrams, anGrams, false))
	dm.AddFieldMappingsAt(fUnitWords, plain(fUnitWords, anSpace, false))
	dm.AddFieldMappingsAt(fOtherPy, plain(fOtherPy, anSpace, false))
	docNo := kw(fDocNo, true, false)
	docNo.Index = false
	dm.AddFieldMappingsAt(fDocNo, docNo)
	dm.AddFieldMappingsAt(fDocNoKey, kw(fDocNoKey, false, false))
	dm.AddFieldMappingsAt(fDocNoGrams, text(fDocNoGrams, anGrams, false))
	dm.AddFieldMappingsAt(fIndexNo, kw(fIndexNo, true, false))
	// Unit and column are shown with each hit; filters and facet counts
	// use the one facet field, so that counting visits one column of doc
	// values per hit instead of six.
	for _, f := range []string{fUnit, fColumn} {
		fm := kw(f, true, false)
		fm.Index = false
		dm.AddFieldMappingsAt(f, fm)
	}
	dm.AddFieldMappingsAt(fFive, kw(fFive, false, false))
	dm.AddFieldMappingsAt(fFacet, kw(fFacet, false, true))
	dm.AddFieldMappingsAt(fKey, kw(fKey, false, true))
	dm.AddFieldMappingsAt(fPublished, date(fPublished, true))
	stamp := kw(fStamp, true, false)
	stamp.Index = false
	dm.AddFieldMappingsAt(fStamp, stamp)

	// No composite _all field: every query names its fields.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	im.DefaultMapping = dm
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	return im, nil
}

// mappingVersion fingerprints everything that decides what the index
// holds: the mapping, the analysis code version and the vocabulary.
func mappingVersion(im *mapping.IndexMappingImpl) (string, error) {
	b, err := json.Marshal(im)
	if err != nil {
		return "", fmt.Errorf("indexer: mapping: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "analysis %d\n", analysisVersion)
	h.Write(b)
	h.Write([]byte(vocabText))
	return fmt.Sprintf("%d-%s", analysisVersion, hex.EncodeToString(h.Sum(nil))[:16]), nil
}
