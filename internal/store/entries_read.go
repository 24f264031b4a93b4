package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gongkai/internal/catalog"
)

// entryRecord is an entries row as scanned.
type entryRecord struct {
	ID           string `db:"id"`
	Unit         string `db:"unit"`
	Column       string `db:"column_code"`
	IndexNo      string `db:"index_no"`
	Title        string `db:"title"`
	Publisher    string `db:"publisher"`
	DocNo        string `db:"doc_no"`
	WrittenAt    string `db:"written_at"`
	PublishedAt  *int64 `db:"published_at"`
	Topic        string `db:"topic"`
	DocType      string `db:"doc_type"`
	Validity     string `db:"validity"`
	Keywords     string `db:"keywords"`
	Summary      string `db:"summary"`
	BodyHTML     string `db:"body_html"`
	BodyText     string `db:"body_text"`
	FivePublics  string `db:"five_publics"`
	Form         string `db:"form"`
	Status       string `db:"status"`
	StatusReason string `db:"status_reason"`
	WithdrawnAt  *int64 `db:"withdrawn_at"`
	Revision     int    `db:"revision"`
	CreatedAt    int64  `db:"created_at"`
	UpdatedAt    int64  `db:"updated_at"`
	StateAt      int64  `db:"state_at"`
}

const entrySelect = `SELECT id, unit, column_code, index_no, title, publisher, doc_no, written_at, published_at,
 topic, doc_type, validity, keywords, summary, body_html, body_text, five_publics, form, status,
 status_reason, withdrawn_at, revision, created_at, updated_at, state_at FROM entries`

// EntryDetail is an entry with what its page shows beside the metadata.
type EntryDetail struct {
	catalog.Entry
	UnitName     string
	ColumnName   string
	StatusReason string
	WithdrawnAt  *time.Time
	Revision     int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	StateAt      time.Time // when the entry entered its current state
	Links        []EntryLink
}

// EntryLink is an entry related to another one (policy ↔ interpretation),
// in either direction.
type EntryLink struct {
	ID          string     `db:"id"`
	Title       string     `db:"title"`
	Unit        string     `db:"unit"`
	Column      string     `db:"column_code"`
	Status      string     `db:"status"`
	Form        string     `db:"form"`
	PublishedMS *int64     `db:"published_at"`
	PublishedAt *time.Time `db:"-"`
}

func (r entryRecord) entry() catalog.Entry {
	e := catalog.Entry{ID: r.ID, Unit: r.Unit, Column: r.Column, IndexNo: r.IndexNo, Title: r.Title,
		Publisher: r.Publisher, DocNo: r.DocNo, WrittenAt: r.WrittenAt, Topic: r.Topic, DocType: r.DocType,
		Validity: r.Validity, Summary: r.Summary, BodyHTML: r.BodyHTML, BodyText: r.BodyText,
		FivePublics: r.FivePublics, Form: r.Form, Status: r.Status}
	if r.PublishedAt != nil {
		t := FromMillis(*r.PublishedAt)
		e.PublishedAt = &t
	}
	_ = json.Unmarshal([]byte(r.Keywords), &e.Keywords)
	if e.Keywords == nil {
		e.Keywords = []string{}
	}
	return e
}

// Entry returns one entry with its attachments, names and links.
func (s *Store) Entry(ctx context.Context, id string) (EntryDetail, error) {
	var r entryRecord
	if err := s.get(ctx, &r, entrySelect+` WHERE id = ?`, id); err != nil {
		return EntryDetail{}, notFound(err, fmt.Sprintf("entry %q", id))
	}
	d := EntryDetail{Entry: r.entry(), StatusReason: r.StatusReason, Revision: r.Revision,
		CreatedAt: FromMillis(r.CreatedAt), UpdatedAt: FromMillis(r.UpdatedAt), StateAt: FromMillis(r.StateAt)}
	if r.WithdrawnAt != nil {
		t := FromMillis(*r.WithdrawnAt)
		d.WithdrawnAt = &t
		d.Entry.WithdrawnAt = &t
		d.Entry.WithdrawReason = r.StatusReason
	}
	if r.Status == catalog.StatusReturned {
		d.Entry.ReturnReason = r.StatusReason
	}
	if err := s.get(ctx, &d.UnitName, `SELECT name FROM units WHERE code = ?`, r.Unit); err != nil {
		return d, notFound(err, fmt.Sprintf("unit of entry %q", id))
	}
	if err := s.get(ctx, &d.ColumnName, `SELECT name FROM unit_columns WHERE unit = ? AND code = ?`, r.Unit, r.Column); err != nil {
		d.ColumnName = r.Column
	}
	if err := s.sel(ctx, &d.Attachments, `SELECT name, sha256, size, media_type FROM attachments WHERE entry_id = ? ORDER BY position`, id); err != nil {
		return d, fmt.Errorf("store: attachments of %q: %w", id, err)
	}
	if err := s.sel(ctx, &d.Links, `
SELECT e.id, e.title, e.unit, e.column_code, e.status, e.form, e.published_at FROM entries e
WHERE e.id IN (SELECT to_id FROM entry_links WHERE from_id = ? UNION SELECT from_id FROM entry_links WHERE to_id = ?)
ORDER BY e.published_at, e.id`, id, id); err != nil {
		return d, fmt.Errorf("store: links of %q: %w", id, err)
	}
	for i := range d.Links {
		if ms := d.Links[i].PublishedMS; ms != nil {
			t := FromMillis(*ms)
			d.Links[i].PublishedAt = &t
		}
	}
	// Related is what the entry itself declares (its outgoing links, some
	// perhaps to entries not there yet); Links are both directions.
	d.Related = []string{}
	if err := s.sel(ctx, &d.Related, `SELECT to_id FROM entry_links WHERE from_id = ? ORDER BY to_id`, id); err != nil {
		return d, fmt.Errorf("store: declared links of %q: %w", id, err)
	}
	if d.Attachments == nil {
		d.Attachments = []catalog.Attachment{}
	}
	return d, nil
}

// EntryCount returns the number of entries with the given status ("" for all).
func (s *Store) EntryCount(ctx context.Context, status string) (int, error) {
	var n int
	var err error
	if status == "" {
		err = s.get(ctx, &n, `SELECT COUNT(*) FROM entries`)
	} else {
		err = s.get(ctx, &n, `SELECT COUNT(*) FROM entries WHERE status = ?`, status)
	}
	if err != nil {
		return 0, fmt.Errorf("store: count entries: %w", err)
	}
	return n, nil
}
