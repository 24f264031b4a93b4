package indexer

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

//go:embed synonyms.txt
var defaultSynonyms string

// maxVariants bounds how many spellings one query word expands to.
const maxVariants = 5

// synonyms maps each folded term to the terms it stands for.
type synonyms struct {
	groups   map[string][]string // term → every term of its groups, itself first
	maxRunes int
}

// parseSynonyms reads a list: one group a line, terms separated by spaces,
// commas, 、 or /; # starts a comment line. Terms are folded like the index.
func parseSynonyms(a *analysis, text string) *synonyms {
	s := &synonyms{groups: map[string][]string{}}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var terms []string
		for _, t := range strings.FieldsFunc(line, func(r rune) bool {
			return r == ' ' || r == '\t' || r == ',' || r == '，' || r == '、' || r == '/' || r == '=' || r == '\u3000'
		}) {
			if t = a.titleKey(t); utf8.RuneCountInString(t) >= 2 && !contains(terms, t) {
				terms = append(terms, t)
			}
		}
		if len(terms) < 2 {
			continue
		}
		for _, t := range terms {
			vs := s.groups[t]
			if len(vs) == 0 {
				vs = []string{t}
			}
			for _, o := range terms {
				if !contains(vs, o) {
					vs = append(vs, o)
				}
			}
			s.groups[t] = vs
			s.maxRunes = max(s.maxRunes, utf8.RuneCountInString(t))
		}
	}
	return s
}

// variants returns the spellings of a term, the term first (nil when it has
// no synonyms).
func (s *synonyms) variants(term string) []string {
	vs := s.groups[term]
	if len(vs) > maxVariants {
		vs = vs[:maxVariants]
	}
	return vs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// synonymSource keeps the current list: the file under the data directory
// when there is one, else the embedded defaults. reload reads the file
// again when it changed, so editing it needs no restart.
type synonymSource struct {
	a    *analysis
	path string

	mu  sync.Mutex
	mod time.Time
	cur atomic.Pointer[synonyms]
}

func newSynonymSource(a *analysis, path string) (*synonymSource, error) {
	src := &synonymSource{a: a, path: path}
	src.cur.Store(parseSynonyms(a, defaultSynonyms))
	if path == "" {
		return src, nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		// Write the defaults out, so that the people running the site
		// find the list where they can edit it.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("indexer: synonyms: %w", err)
		}
		if err := os.WriteFile(path, []byte(defaultSynonyms), 0o644); err != nil {
			return nil, fmt.Errorf("indexer: synonyms: %w", err)
		}
	}
	if _, err := src.reload(); err != nil {
		return nil, err
	}
	return src, nil
}

// reload reads the file again if it changed; it reports whether it did.
func (src *synonymSource) reload() (bool, error) {
	if src.path == "" {
		return false, nil
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	st, err := os.Stat(src.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("indexer: synonyms: %w", err)
	}
	if st.ModTime().Equal(src.mod) {
		return false, nil
	}
	b, err := os.ReadFile(src.path)
	if err != nil {
		return false, fmt.Errorf("indexer: synonyms: %w", err)
	}
	src.cur.Store(parseSynonyms(src.a, string(b)))
	src.mod = st.ModTime()
	return true, nil
}

func (src *synonymSource) get() *synonyms { return src.cur.Load() }

// synPiece is a piece of a query: plain text, or a listed term with its
// spellings (itself first).
type synPiece struct {
	text     string
	variants []string // nil for plain text
}

// cut splits text into plain pieces and the listed terms in it, found
// from left to right, the longest at each place (发展和改革委员会 stays
// whole).
func (s *synonyms) cut(text string) []synPiece {
	rs := []rune(text)
	var out []synPiece
	from := 0
	for i := 0; i < len(rs); {
		n := 0
		for l := min(s.maxRunes, len(rs)-i); l >= 2; l-- {
			if s.variants(string(rs[i:i+l])) != nil {
				n = l
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		if i > from {
			out = append(out, synPiece{text: string(rs[from:i])})
		}
		term := string(rs[i : i+n])
		out = append(out, synPiece{text: term, variants: s.variants(term)})
		i += n
		from = i
	}
	if from < len(rs) {
		out = append(out, synPiece{text: string(rs[from:])})
	}
	return out
}
