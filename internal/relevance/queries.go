package relevance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// The kinds of query in the labelled set.
const (
	KindDocNo        = "docno"        // a 文号 in some spelling; relevant: the entries with that 文号
	KindTitle        = "title"        // an entry's exact title, unquoted; relevant: entries with that title
	KindAttachment   = "attachment"   // a name held by one entry's attachment only
	KindPhrase       = "phrase"       // a quoted phrase from a body; relevant: entries holding it
	KindWord         = "word"         // a dictionary word; relevant: entries holding it (or a full form) outside its traps
	KindAbbreviation = "abbreviation" // relevant: entries holding the abbreviation or a full form
	KindPinyin       = "pinyin"       // toneless pinyin; relevant: entries with the word in title or keywords
	KindTypo         = "typo"         // a title word misspelt; the suggestion must be Want
	KindFacet        = "facet"        // every facet count and the total must be the judge's
	KindNoHit        = "nohit"        // a string no entry holds: nothing found
)

// Kinds lists the kinds in report order.
var Kinds = []string{KindDocNo, KindTitle, KindAttachment, KindPhrase, KindWord, KindAbbreviation, KindPinyin, KindTypo, KindFacet, KindNoHit}

// Query is one line of the labelled set.
type Query struct {
	Kind string `json:"kind"`
	Q    string `json:"q"` // as typed into the search box
	// Term is what the judge looks for when it is not Q itself: the
	// phrase without its quotes, the Chinese word of a pinyin query.
	Term  string   `json:"term,omitempty"`
	DocNo string   `json:"doc_no,omitempty"` // docno: the 文号 as stored
	IDs   []string `json:"ids,omitempty"`    // known items: the relevant entries, checked against the judge
	Full  []string `json:"full,omitempty"`   // abbreviation: its full forms; word: other forms of it (出租汽车 for 出租车)
	Traps []string `json:"traps,omitempty"`  // word: contexts where its characters only meet across a word boundary
	Want  string   `json:"want,omitempty"`   // typo: the whole corrected query
	Note  string   `json:"note,omitempty"`
}

// term is the folded string the judge looks for.
func (q *Query) term() string {
	if q.Term != "" {
		return Fold(q.Term)
	}
	return Fold(q.Q)
}

// LoadQueries reads a labelled set, one JSON object a line; blank lines
// and lines starting with # are skipped.
func LoadQueries(path string) ([]Query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []Query
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var q Query
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if err := q.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

func (q *Query) check() error {
	if !slices.Contains(Kinds, q.Kind) {
		return fmt.Errorf("unknown kind %q", q.Kind)
	}
	if q.Q == "" {
		return fmt.Errorf("%s: empty q", q.Kind)
	}
	switch q.Kind {
	case KindDocNo:
		if q.DocNo == "" || len(q.IDs) == 0 {
			return fmt.Errorf("docno %q: doc_no and ids are required", q.Q)
		}
	case KindTitle, KindAttachment:
		if len(q.IDs) == 0 {
			return fmt.Errorf("%s %q: ids are required", q.Kind, q.Q)
		}
	case KindWord:
		for _, c := range q.Traps {
			if !strings.Contains(c, q.term()) {
				return fmt.Errorf("word %q: trap context %q does not hold it", q.Q, c)
			}
		}
	case KindAbbreviation:
		if len(q.Full) == 0 {
			return fmt.Errorf("abbreviation %q: full forms are required", q.Q)
		}
	case KindPinyin:
		if q.Term == "" {
			return fmt.Errorf("pinyin %q: term (the word) is required", q.Q)
		}
	case KindTypo:
		if q.Want == "" {
			return fmt.Errorf("typo %q: want is required", q.Q)
		}
	}
	return nil
}
