package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// EntrySummary is a published entry as lists, feeds and the home page show
// it: enough to link to it and say what and when, without the body.
type EntrySummary struct {
	ID          string     `db:"id"`
	Unit        string     `db:"unit"`
	UnitName    string     `db:"unit_name"`
	Column      string     `db:"column_code"`
	ColumnName  string     `db:"column_name"`
	IndexNo     string     `db:"index_no"`
	Title       string     `db:"title"`
	DocNo       string     `db:"doc_no"`
	Summary     string     `db:"summary"`
	Excerpt     string     `db:"excerpt"` // the first characters of the body text
	PublishedMS *int64     `db:"published_at"`
	UpdatedMS   int64      `db:"updated_at"`
	PublishedAt *time.Time `db:"-"`
	UpdatedAt   time.Time  `db:"-"`
}

// EntryList selects published entries, newest first. Unit and Column
// narrow it when set; Offset and Limit page through it.
type EntryList struct {
	Unit   string
	Column string
	Offset int
	Limit  int
}

// maxListLimit bounds one list query whatever a caller asks for.
const maxListLimit = 1000

// excerptRunes is how much body text a summary carries (feeds use it when
// an entry has no summary of its own).
const excerptRunes = 200

func (q EntryList) where() (string, []any) {
	conds := []string{`e.status = 'published'`}
	var args []any
	if q.Unit != "" {
		conds = append(conds, `e.unit = ?`)
		args = append(args, q.Unit)
	}
	if q.Column != "" {
		conds = append(conds, `e.column_code = ?`)
		args = append(args, q.Column)
	}
	return strings.Join(conds, " AND "), args
}

// PublishedEntries lists published entries newest first (by publish time,
// then id, so that pages are stable when times are equal).
func (s *Store) PublishedEntries(ctx context.Context, q EntryList) ([]EntrySummary, error) {
	limit := q.Limit
	if limit <= 0 || limit > maxListLimit {
		limit = maxListLimit
	}
	where, args := q.where()
	args = append(args, limit, max(q.Offset, 0))
	var out []EntrySummary
	err := s.sel(ctx, &out, `
SELECT e.id, e.unit, u.name AS unit_name, e.column_code, COALESCE(c.name, e.column_code) AS column_name,
       e.index_no, e.title, e.doc_no, e.summary, SUBSTR(e.body_text, 1, `+fmt.Sprint(excerptRunes)+`) AS excerpt,
       e.published_at, e.updated_at
FROM entries e
JOIN units u ON u.code = e.unit
LEFT JOIN unit_columns c ON c.unit = e.unit AND c.code = e.column_code
WHERE `+where+`
ORDER BY e.published_at DESC, e.id DESC
LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: published entries (unit %q, column %q): %w", q.Unit, q.Column, err)
	}
	for i := range out {
		out[i].UpdatedAt = FromMillis(out[i].UpdatedMS)
		if ms := out[i].PublishedMS; ms != nil {
			t := FromMillis(*ms)
			out[i].PublishedAt = &t
		}
	}
	return out, nil
}

// CountPublished counts the published entries that q selects (its Offset
// and Limit are ignored).
func (s *Store) CountPublished(ctx context.Context, q EntryList) (int, error) {
	where, args := q.where()
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM entries e WHERE `+where, args...); err != nil {
		return 0, fmt.Errorf("store: count published entries (unit %q, column %q): %w", q.Unit, q.Column, err)
	}
	return n, nil
}

// EntryRef names a published entry and when it last changed; sitemaps are
// made of these.
type EntryRef struct {
	ID        string    `db:"id"`
	UpdatedMS int64     `db:"updated_at"`
	UpdatedAt time.Time `db:"-"`
}

// PublishedEntryRefs returns up to limit published entries in id order,
// from offset on: a stable order in which sitemap pages can be cut.
func (s *Store) PublishedEntryRefs(ctx context.Context, offset, limit int) ([]EntryRef, error) {
	if limit <= 0 || limit > 50000 {
		limit = 50000
	}
	var out []EntryRef
	if err := s.sel(ctx, &out, `SELECT id, updated_at FROM entries WHERE status = 'published' ORDER BY id LIMIT ? OFFSET ?`,
		limit, max(offset, 0)); err != nil {
		return nil, fmt.Errorf("store: published entry refs: %w", err)
	}
	for i := range out {
		out[i].UpdatedAt = FromMillis(out[i].UpdatedMS)
	}
	return out, nil
}
