package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gongkai/internal/catalog"
)

// IndexEntry is an entry as the search index reads it: the entry with its
// attachments, and what tells whether an indexed copy is still current.
type IndexEntry struct {
	catalog.Entry
	Revision  int
	UpdatedAt time.Time
}

// Stamp identifies the stored version of the entry.
func (e IndexEntry) Stamp() string { return entryStamp(e.Revision, Millis(e.UpdatedAt)) }

// entryStamp is the content stamp of an entry version: its revision and the
// time of its last write. Both change on every write that changes it.
func entryStamp(revision int, updatedMS int64) string {
	return strconv.Itoa(revision) + "@" + strconv.FormatInt(updatedMS, 10)
}

// ScanPublishedEntries returns up to limit published entries whose ids come
// after the given one, in id order, with their attachments: a keyset walk
// over everything the search index must hold. unit, when not empty, keeps
// one unit's entries.
func (s *Store) ScanPublishedEntries(ctx context.Context, after string, limit int, unit string) ([]IndexEntry, error) {
	if limit <= 0 {
		limit = 500
	}
	// status || '' keeps the planner off the (status, published_at)
	// index: through it, every page would read and sort all published
	// entries (quadratic over a rebuild); the walk along the primary key
	// reads one page's worth.
	q := entrySelect + ` WHERE status || '' = ? AND id > ?`
	args := []any{catalog.StatusPublished, after}
	if unit != "" {
		q += ` AND unit = ?`
		args = append(args, unit)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit)
	var rs []entryRecord
	if err := s.sel(ctx, &rs, q, args...); err != nil {
		return nil, fmt.Errorf("store: scan published entries after %q: %w", after, err)
	}
	return s.indexEntries(ctx, rs)
}

// EntriesByID returns the entries with the given ids, whatever their
// status, with their attachments, in no particular order. Ids that do not
// exist are left out.
func (s *Store) EntriesByID(ctx context.Context, ids []string) ([]IndexEntry, error) {
	var out []IndexEntry
	for start := 0; start < len(ids); start += 500 {
		ph, args := inList(ids[start:min(start+500, len(ids))])
		var rs []entryRecord
		if err := s.sel(ctx, &rs, entrySelect+` WHERE id IN (`+ph+`)`, args...); err != nil {
			return nil, fmt.Errorf("store: entries by id: %w", err)
		}
		es, err := s.indexEntries(ctx, rs)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

// indexEntries turns rows into IndexEntries and reads all their
// attachments with one query.
func (s *Store) indexEntries(ctx context.Context, rs []entryRecord) ([]IndexEntry, error) {
	out := make([]IndexEntry, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	pos := make(map[string]int, len(rs))
	ids := make([]string, len(rs))
	for i, r := range rs {
		out[i] = IndexEntry{Entry: r.entry(), Revision: r.Revision, UpdatedAt: FromMillis(r.UpdatedAt)}
		out[i].Attachments = []catalog.Attachment{}
		pos[r.ID] = i
		ids[i] = r.ID
	}
	ph, args := inList(ids)
	var atts []struct {
		EntryID string `db:"entry_id"`
		catalog.Attachment
	}
	if err := s.sel(ctx, &atts, `SELECT entry_id, name, sha256, size, media_type FROM attachments
WHERE entry_id IN (`+ph+`) ORDER BY entry_id, position`, args...); err != nil {
		return nil, fmt.Errorf("store: attachments for index: %w", err)
	}
	for _, a := range atts {
		i := pos[a.EntryID]
		out[i].Attachments = append(out[i].Attachments, a.Attachment)
	}
	return out, nil
}

// EntryStamp is the id and content stamp of a published entry.
type EntryStamp struct {
	ID    string
	Stamp string
}

// PublishedStamps returns up to limit published entries' stamps with ids
// after the given one, in id order: what a check of the index compares.
// Like ScanPublishedEntries it walks the primary key.
func (s *Store) PublishedStamps(ctx context.Context, after string, limit int) ([]EntryStamp, error) {
	if limit <= 0 {
		limit = 5000
	}
	var rs []struct {
		ID        string `db:"id"`
		Revision  int    `db:"revision"`
		UpdatedAt int64  `db:"updated_at"`
	}
	if err := s.sel(ctx, &rs, `SELECT id, revision, updated_at FROM entries WHERE status || '' = ? AND id > ? ORDER BY id LIMIT ?`,
		catalog.StatusPublished, after, limit); err != nil {
		return nil, fmt.Errorf("store: published stamps after %q: %w", after, err)
	}
	out := make([]EntryStamp, len(rs))
	for i, r := range rs {
		out[i] = EntryStamp{ID: r.ID, Stamp: entryStamp(r.Revision, r.UpdatedAt)}
	}
	return out, nil
}

// ColumnNames maps column codes to display names: the template's names,
// and for a code only some units use, the name most of them give it.
func (s *Store) ColumnNames(ctx context.Context) (map[string]string, error) {
	var rs []struct {
		Code string `db:"code"`
		Name string `db:"name"`
		N    int    `db:"n"`
	}
	if err := s.sel(ctx, &rs, `SELECT code, name, COUNT(*) AS n FROM unit_columns GROUP BY code, name ORDER BY code, n DESC, name`); err != nil {
		return nil, fmt.Errorf("store: column names: %w", err)
	}
	out := make(map[string]string, len(rs))
	for _, r := range rs {
		if _, seen := out[r.Code]; !seen {
			out[r.Code] = r.Name
		}
	}
	var tmpl []struct {
		Code string `db:"code"`
		Name string `db:"name"`
	}
	if err := s.sel(ctx, &tmpl, `SELECT code, name FROM template_columns
WHERE version = (SELECT COALESCE(MAX(version), 0) FROM column_templates)`); err != nil {
		return nil, fmt.Errorf("store: template column names: %w", err)
	}
	for _, c := range tmpl {
		out[c.Code] = c.Name
	}
	return out, nil
}

// QueryCount is a search query and how often it was asked (for the
// popular queries: by how many distinct clients).
type QueryCount struct {
	Query string `db:"query" json:"q"`
	Count int64  `db:"count" json:"count"`
}
