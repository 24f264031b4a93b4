package relevance

import (
	"fmt"
	"slices"
	"strings"
)

// Judgement is what the judge decided for one query.
type Judgement struct {
	Relevant map[string]bool // entry ids
	// Traps are entries holding a word only inside its trap contexts.
	Traps map[string]bool
	// Facets counts the relevant entries per facet and value (facet kind).
	Facets map[string]map[string]int
	// Problems are reasons the label itself is wrong for this corpus
	// (a known item that moved, a typo that some entry holds…).
	Problems []string
}

// Judge decides relevance for q by reading the corpus.
func (c *Corpus) Judge(q *Query) Judgement {
	j := Judgement{Relevant: map[string]bool{}, Traps: map[string]bool{}}
	term := q.term()
	switch q.Kind {
	case KindDocNo:
		for i := range c.Docs {
			if c.Docs[i].DocNo == q.DocNo {
				j.Relevant[c.Docs[i].ID] = true
			}
		}
		j.checkIDs(q)
	case KindTitle:
		for i := range c.Docs {
			if c.Docs[i].Text[Title] == term {
				j.Relevant[c.Docs[i].ID] = true
			}
		}
		j.checkIDs(q)
	case KindAttachment:
		for i := range c.Docs {
			d := &c.Docs[i]
			if d.Holds(term) {
				j.Relevant[d.ID] = true
				if w := d.Where(term); !slices.Equal(w, []Field{Attachments}) {
					j.Problems = append(j.Problems, fmt.Sprintf("%s holds it in %v, not only in attachments", d.ID, w))
				}
			}
		}
		j.checkIDs(q)
	case KindPhrase, KindFacet:
		for i := range c.Docs {
			if c.Docs[i].Holds(term) {
				j.Relevant[c.Docs[i].ID] = true
			}
		}
	case KindWord:
		traps := make([]string, len(q.Traps))
		for i, t := range q.Traps {
			traps[i] = Fold(t)
		}
		for i := range c.Docs {
			d := &c.Docs[i]
			held, outside := false, false
			for _, f := range allFields {
				h, o := occurrences(d.Text[f], term, traps)
				held, outside = held || h, outside || o
			}
			for _, full := range q.Full {
				outside = outside || d.Holds(Fold(full))
			}
			switch {
			case outside:
				j.Relevant[d.ID] = true
			case held:
				j.Traps[d.ID] = true
			}
		}
		if len(q.Traps) > 0 && len(j.Traps) == 0 {
			j.Problems = append(j.Problems, "no entry holds the word only in its traps")
		}
	case KindAbbreviation:
		forms := []string{term}
		for _, f := range q.Full {
			forms = append(forms, Fold(f))
		}
		for i := range c.Docs {
			for _, f := range forms {
				if c.Docs[i].Holds(f) {
					j.Relevant[c.Docs[i].ID] = true
					break
				}
			}
		}
	case KindPinyin:
		for i := range c.Docs {
			if c.Docs[i].Holds(term, Title, Keywords) {
				j.Relevant[c.Docs[i].ID] = true
			}
		}
	case KindTypo:
		want := Fold(q.Want)
		inTitles := false
		for i := range c.Docs {
			d := &c.Docs[i]
			if d.Holds(term) {
				j.Problems = append(j.Problems, fmt.Sprintf("the misspelling is held by %s", d.ID))
				break
			}
			inTitles = inTitles || d.Holds(want, Title)
		}
		if !inTitles {
			j.Problems = append(j.Problems, "no title holds the correction")
		}
	case KindNoHit:
		for i := range c.Docs {
			if c.Docs[i].Holds(term) {
				j.Problems = append(j.Problems, fmt.Sprintf("%s holds it", c.Docs[i].ID))
				break
			}
		}
	}
	if q.Kind == KindFacet {
		j.Facets = map[string]map[string]int{}
		for id := range j.Relevant {
			d, _ := c.Doc(id)
			for f, v := range d.Facets {
				if v == "" {
					continue
				}
				if j.Facets[f] == nil {
					j.Facets[f] = map[string]int{}
				}
				j.Facets[f][v]++
			}
		}
	}
	switch q.Kind {
	case KindPhrase, KindWord, KindAbbreviation, KindPinyin, KindFacet:
		if len(j.Relevant) == 0 {
			j.Problems = append(j.Problems, "no entry is relevant")
		}
	}
	return j
}

// checkIDs compares the labelled known items with what the judge found.
func (j *Judgement) checkIDs(q *Query) {
	var got []string
	for id := range j.Relevant {
		got = append(got, id)
	}
	slices.Sort(got)
	want := slices.Clone(q.IDs)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		j.Problems = append(j.Problems, fmt.Sprintf("labelled %v, the text says %v", want, got))
	}
}

// occurrences reports whether text holds w at all, and whether it holds
// it somewhere not covered by one of the trap contexts.
func occurrences(text, w string, traps []string) (held, outside bool) {
	for off := 0; ; {
		i := strings.Index(text[off:], w)
		if i < 0 {
			return held, outside
		}
		p := off + i
		held = true
		if !insideTrap(text, p, w, traps) {
			return true, true
		}
		off = p + len(w)
	}
}

// insideTrap reports whether the occurrence of w at byte p of text lies
// inside one of the trap contexts.
func insideTrap(text string, p int, w string, traps []string) bool {
	for _, t := range traps {
		for k := 0; ; {
			i := strings.Index(t[k:], w)
			if i < 0 {
				break
			}
			at := k + i // w's offset inside the context
			if start := p - at; start >= 0 && start+len(t) <= len(text) && text[start:start+len(t)] == t {
				return true
			}
			k = at + len(w)
		}
	}
	return false
}
