package relevance

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"gongkai/indexer"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/sanitize"
	"gongkai/internal/store"
)

// Field names a part of an entry's text.
type Field int

// The fields the judge reads, as the search index takes them.
const (
	Title Field = iota
	Summary
	Keywords
	Body
	Attachments
	UnitName
	numFields
)

var fieldNames = [numFields]string{"title", "summary", "keywords", "body", "attachments", "unit"}

func (f Field) String() string { return fieldNames[f] }

// Doc is one published entry as the judge sees it: its facet values and
// its folded text per field.
type Doc struct {
	ID     string
	DocNo  string // as stored
	Facets map[string]string
	Text   [numFields]string // folded
}

// Corpus is every published entry of a store.
type Corpus struct {
	Docs []Doc
	byID map[string]int
}

// Doc returns the entry with the given id.
func (c *Corpus) Doc(id string) (*Doc, bool) {
	i, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	return &c.Docs[i], true
}

// LoadCorpus reads every published entry of st with its attachments' text
// (read from fs as the index reads it) and its unit's name.
func LoadCorpus(ctx context.Context, st *store.Store, fs *files.Store) (*Corpus, error) {
	units, err := st.Units(ctx)
	if err != nil {
		return nil, err
	}
	unitName := map[string]string{}
	for _, u := range units {
		unitName[u.Code] = u.Name
	}
	policy := sanitize.New()
	c := &Corpus{byID: map[string]int{}}
	after := ""
	for {
		page, err := st.ScanPublishedEntries(ctx, after, 500, "")
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			body := e.BodyText
			if e.BodyHTML != "" {
				body = policy.Text(e.BodyHTML)
			}
			att, err := attachmentText(fs, e.Attachments)
			if err != nil {
				return nil, fmt.Errorf("relevance: entry %s: %w", e.ID, err)
			}
			year := ""
			if e.PublishedAt != nil {
				year = strconv.Itoa(e.PublishedAt.In(catalog.Shanghai).Year())
			}
			d := Doc{ID: e.ID, DocNo: e.DocNo, Facets: map[string]string{
				"unit": e.Unit, "column": e.Column, "topic": e.Topic, "doc_type": e.DocType,
				"year": year, "validity": e.Validity,
			}}
			d.Text[Title] = Fold(e.Title)
			d.Text[Summary] = Fold(e.Summary)
			d.Text[Keywords] = Fold(strings.Join(e.Keywords, "\n"))
			d.Text[Body] = Fold(body)
			d.Text[Attachments] = Fold(att)
			d.Text[UnitName] = Fold(unitName[e.Unit])
			c.byID[d.ID] = len(c.Docs)
			c.Docs = append(c.Docs, d)
		}
		after = page[len(page)-1].ID
	}
	return c, nil
}

func attachmentText(fs *files.Store, atts []catalog.Attachment) (string, error) {
	var parts []string
	for _, a := range atts {
		f, err := fs.Open(a.SHA256)
		if err != nil {
			return "", err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return "", err
		}
		if t := indexer.AttachmentText(a.Name, data); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n"), nil
}

// Fold is how the judge compares text: full-width ASCII and the
// ideographic space to half-width, letters to lower case. The demo writes
// simplified characters only, so traditional ones need no folding.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uff01' && r <= '\uff5e':
			r -= 0xfee0
		}
		return unicode.ToLower(r)
	}, s)
}

// Holds reports whether any of the fields holds the folded term.
func (d *Doc) Holds(term string, fields ...Field) bool {
	if len(fields) == 0 {
		fields = allFields
	}
	for _, f := range fields {
		if strings.Contains(d.Text[f], term) {
			return true
		}
	}
	return false
}

var allFields = []Field{Title, Summary, Keywords, Body, Attachments, UnitName}

// Where lists the fields holding the folded term.
func (d *Doc) Where(term string) []Field {
	var out []Field
	for _, f := range allFields {
		if strings.Contains(d.Text[f], term) {
			out = append(out, f)
		}
	}
	return out
}
