package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai/internal/catalog"
)

// EntryWrite is one entry to store, prepared (validated, sanitised, its
// attachments in the file store) by an importer or the console.
type EntryWrite struct {
	Entry catalog.Entry
	// Hash fingerprints the input: an entry stored with the same hash is
	// left alone, which makes imports idempotent.
	Hash   string
	Actor  string
	Reason string
	// ExpectRevision, when set, is the revision the writer read: the write
	// fails with ErrStale when the stored entry has moved on since, so that
	// of two people editing one draft the second cannot overwrite the first.
	ExpectRevision int
	// CreateOnly refuses the write with ErrConflict when an entry with the
	// same id exists: a new draft never replaces anyone's entry.
	CreateOnly bool
}

// ErrStale refuses a write based on an out-of-date revision of an entry.
var ErrStale = errors.New("store: the entry was changed by someone else since it was read")

// WithTx runs fn in one write transaction; it commits when fn returns nil.
func (s *Store) WithTx(ctx context.Context, fn func(*Tx) error) error { return s.inTx(ctx, fn) }

// SaveEntries stores a batch of entries in its own transaction.
func (s *Store) SaveEntries(ctx context.Context, ws []EntryWrite) ([]WriteResult, error) {
	var res []WriteResult
	err := s.inTx(ctx, func(t *Tx) error {
		var err error
		res, err = t.SaveEntries(ctx, ws)
		return err
	})
	return res, err
}

type storedEntry struct {
	ID          string `db:"id"`
	Hash        string `db:"content_hash"`
	IndexNo     string `db:"index_no"`
	Revision    int    `db:"revision"`
	WithdrawnAt *int64 `db:"withdrawn_at"`
	Status      string `db:"status"`
	StateAt     int64  `db:"state_at"`
}

var entryColumns = []string{"id", "unit", "column_code", "index_no", "title", "publisher", "doc_no", "written_at",
	"published_at", "topic", "doc_type", "validity", "keywords", "summary", "body_html", "body_text",
	"five_publics", "form", "status", "status_reason", "withdrawn_at", "revision", "content_hash", "created_at", "updated_at", "state_at"}

// SaveEntries adds new entries and updates changed ones, keyed by id, with
// multi-row statements so that large imports stay fast. New entries get an
// index number unless they bring one. Every added or updated entry gets a
// revision and a change-log row. Ids must be unique within the batch.
func (t *Tx) SaveEntries(ctx context.Context, ws []EntryWrite) ([]WriteResult, error) {
	res := make([]WriteResult, len(ws))
	if len(ws) == 0 {
		return res, nil
	}
	ids := make([]string, len(ws))
	seen := make(map[string]bool, len(ws))
	for i, w := range ws {
		if seen[w.Entry.ID] {
			return nil, fmt.Errorf("store: entry %q twice in one batch", w.Entry.ID)
		}
		seen[w.Entry.ID] = true
		ids[i] = w.Entry.ID
	}
	old := make(map[string]storedEntry, len(ws))
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(start+1000, len(ids))]
		ph, args := inList(chunk)
		var rows []storedEntry
		if err := t.sel(ctx, &rows, `SELECT id, content_hash, index_no, revision, withdrawn_at, status, state_at FROM entries WHERE id IN (`+ph+`)`, args...); err != nil {
			return nil, fmt.Errorf("store: look up entries: %w", err)
		}
		for _, r := range rows {
			old[r.ID] = r
		}
	}

	var fresh, changed []int // indexes into ws
	for i, w := range ws {
		o, exists := old[w.Entry.ID]
		if w.CreateOnly && exists {
			return nil, fmt.Errorf("%w: 信息 id %q 已被使用 (id already exists)", ErrConflict, w.Entry.ID)
		}
		if w.ExpectRevision > 0 && (!exists || o.Revision != w.ExpectRevision) {
			return nil, fmt.Errorf("%w (entry %q: revision %d read, %d stored)", ErrStale, w.Entry.ID, w.ExpectRevision, o.Revision)
		}
		switch {
		case !exists:
			fresh = append(fresh, i)
			res[i] = Added
		case o.Hash == w.Hash:
			res[i] = Unchanged
		default:
			changed = append(changed, i)
			res[i] = Updated
		}
	}
	if len(fresh)+len(changed) == 0 {
		return res, nil
	}
	if err := t.assignIndexNumbers(ctx, ws, fresh); err != nil {
		return nil, err
	}

	now := nowMillis()
	revs := make(map[string]int, len(fresh)+len(changed))
	rows := make([][]any, 0, len(fresh))
	for _, i := range fresh {
		revs[ws[i].Entry.ID] = 1
		rows = append(rows, entryRow(ws[i], 1, now, now, now))
	}
	if err := t.insertRows(ctx, "entries", entryColumns, rows, ""); err != nil {
		return nil, mapConflict(err)
	}
	for _, i := range changed {
		e := &ws[i].Entry
		o := old[e.ID]
		if e.IndexNo == "" {
			e.IndexNo = o.IndexNo
		}
		if e.Status == catalog.StatusWithdrawn && e.WithdrawnAt == nil && o.WithdrawnAt != nil {
			t := FromMillis(*o.WithdrawnAt) // still withdrawn: keep the date it happened
			e.WithdrawnAt = &t
		}
		rev := o.Revision + 1
		revs[e.ID] = rev
		stateAt := o.StateAt
		if o.Status != e.Status || stateAt == 0 {
			stateAt = now
		}
		row := entryRow(ws[i], rev, 0, now, stateAt)
		sets := make([]string, 0, len(entryColumns))
		args := make([]any, 0, len(entryColumns))
		for c, col := range entryColumns {
			if col == "id" || col == "created_at" {
				continue
			}
			sets = append(sets, col+" = ?")
			args = append(args, row[c])
		}
		// The revision read must still be the stored one: a concurrent
		// writer that got there first makes this one stale, not a winner.
		args = append(args, e.ID, o.Revision)
		res, err := t.exec(ctx, `UPDATE entries SET `+strings.Join(sets, ", ")+` WHERE id = ? AND revision = ?`, args...)
		if err != nil {
			return nil, mapConflict(fmt.Errorf("store: update entry %q: %w", e.ID, err))
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return nil, fmt.Errorf("%w (entry %q changed while it was written)", ErrStale, e.ID)
		}
	}

	touched := append(append([]int{}, fresh...), changed...)
	if len(changed) > 0 {
		changedIDs := make([]string, len(changed))
		for k, i := range changed {
			changedIDs[k] = ws[i].Entry.ID
		}
		ph, args := inList(changedIDs)
		if _, err := t.exec(ctx, `DELETE FROM attachments WHERE entry_id IN (`+ph+`)`, args...); err != nil {
			return nil, fmt.Errorf("store: replace attachments: %w", err)
		}
		if _, err := t.exec(ctx, `DELETE FROM entry_links WHERE from_id IN (`+ph+`)`, args...); err != nil {
			return nil, fmt.Errorf("store: replace links: %w", err)
		}
	}
	var revRows, attRows, linkRows [][]any
	changes := make([]ChangeRef, 0, len(touched))
	for _, i := range touched {
		w := ws[i]
		snap, err := json.Marshal(w.Entry)
		if err != nil {
			return nil, fmt.Errorf("store: snapshot %q: %w", w.Entry.ID, err)
		}
		revRows = append(revRows, []any{w.Entry.ID, revs[w.Entry.ID], now, w.Actor, w.Reason, string(snap)})
		for p, a := range w.Entry.Attachments {
			attRows = append(attRows, []any{w.Entry.ID, p + 1, a.Name, a.SHA256, a.Size, a.MediaType})
		}
		for _, r := range w.Entry.Related {
			linkRows = append(linkRows, []any{w.Entry.ID, r})
		}
		changes = append(changes, ChangeRef{ChangeEntry, w.Entry.ID, OpUpsert})
	}
	if err := t.insertRows(ctx, "entry_revisions", []string{"entry_id", "revision", "at", "actor", "reason", "snapshot"}, revRows, ""); err != nil {
		return nil, err
	}
	if err := t.insertRows(ctx, "attachments", []string{"entry_id", "position", "name", "sha256", "size", "media_type"}, attRows, ""); err != nil {
		return nil, err
	}
	if err := t.insertRows(ctx, "entry_links", []string{"from_id", "to_id"}, linkRows, "ON CONFLICT DO NOTHING"); err != nil {
		return nil, err
	}
	return res, t.appendChanges(ctx, changes)
}

func entryRow(w EntryWrite, rev int, created, now, stateAt int64) []any {
	e := w.Entry
	kw, _ := json.Marshal(e.Keywords)
	var pub, withdrawn any
	if e.PublishedAt != nil {
		pub = Millis(*e.PublishedAt)
	}
	reason := ""
	if e.Status == catalog.StatusReturned {
		reason = e.ReturnReason
	}
	if e.Status == catalog.StatusWithdrawn {
		withdrawn = now
		if e.WithdrawnAt != nil {
			withdrawn = Millis(*e.WithdrawnAt)
		}
		reason = e.WithdrawReason
	}
	return []any{e.ID, e.Unit, e.Column, e.IndexNo, e.Title, e.Publisher, e.DocNo, e.WrittenAt,
		pub, e.Topic, e.DocType, e.Validity, string(kw), e.Summary, e.BodyHTML, e.BodyText,
		e.FivePublics, e.Form, e.Status, reason, withdrawn, rev, w.Hash, created, now, stateAt}
}

// mapConflict turns a unique-constraint failure into ErrConflict.
func mapConflict(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint") || strings.Contains(msg, "duplicate key") {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

// assignIndexNumbers gives every new entry without an index number the next
// serials of its scope (unit and year). Serials are taken with one counter
// update per scope, which also serialises concurrent writers on that scope;
// a serial that collides with an index number someone brought is skipped.
func (t *Tx) assignIndexNumbers(ctx context.Context, ws []EntryWrite, fresh []int) error {
	pattern, err := t.setting(ctx, SettingIndexFormat, catalog.DefaultIndexFormat)
	if err != nil {
		return err
	}
	format, err := catalog.ParseIndexFormat(pattern)
	if err != nil {
		return err
	}
	given := map[string]bool{} // index numbers brought by this batch
	for _, i := range fresh {
		if n := ws[i].Entry.IndexNo; n != "" {
			given[n] = true
		}
	}
	units := map[string]catalog.Unit{}
	byScope := map[string][]int{}
	var scopes []string
	for _, i := range fresh {
		e := &ws[i].Entry
		if e.IndexNo != "" {
			continue
		}
		u, ok := units[e.Unit]
		if !ok {
			if err := t.get(ctx, &u, `SELECT code, name, kind, org_code, parent FROM units WHERE code = ?`, e.Unit); err != nil {
				return notFound(err, fmt.Sprintf("unit %q", e.Unit))
			}
			units[e.Unit] = u
		}
		scope := format.Scope(u, entryYear(*e))
		if _, ok := byScope[scope]; !ok {
			scopes = append(scopes, scope)
		}
		byScope[scope] = append(byScope[scope], i)
	}
	for _, scope := range scopes {
		waiting := byScope[scope]
		for len(waiting) > 0 {
			var last int64
			n := int64(len(waiting))
			if err := t.get(ctx, &last, `INSERT INTO index_serials (scope, last) VALUES (?, ?)
ON CONFLICT (scope) DO UPDATE SET last = index_serials.last + excluded.last RETURNING last`, scope, n); err != nil {
				return fmt.Errorf("store: allocate index numbers for %q: %w", scope, err)
			}
			candidates := make([]string, n)
			for k := range candidates {
				candidates[k] = format.Format(scope, last-n+1+int64(k))
			}
			ph, args := inList(candidates)
			var taken []string
			if err := t.sel(ctx, &taken, `SELECT index_no FROM entries WHERE index_no IN (`+ph+`)`, args...); err != nil {
				return fmt.Errorf("store: check index numbers: %w", err)
			}
			isTaken := make(map[string]bool, len(taken))
			for _, x := range taken {
				isTaken[x] = true
			}
			k := 0
			for _, c := range candidates {
				if isTaken[c] || given[c] {
					continue
				}
				ws[waiting[k]].Entry.IndexNo = c
				k++
			}
			waiting = waiting[k:]
		}
	}
	return nil
}

// entryYear is the year an index number counts in: the publication year,
// else the year written, else this year (all in Shanghai time).
func entryYear(e catalog.Entry) int {
	if e.PublishedAt != nil {
		return e.PublishedAt.In(catalog.Shanghai).Year()
	}
	if len(e.WrittenAt) >= 4 {
		if t, err := time.Parse(time.DateOnly, e.WrittenAt); err == nil {
			return t.Year()
		}
	}
	return time.Now().In(catalog.Shanghai).Year()
}
