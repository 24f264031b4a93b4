package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gongkai/internal/catalog"
)

// ConsoleEntry is an entry as the back office lists it, in any state.
type ConsoleEntry struct {
	ID           string     `db:"id" json:"id"`
	Unit         string     `db:"unit" json:"unit"`
	UnitName     string     `db:"unit_name" json:"unit_name"`
	Column       string     `db:"column_code" json:"column"`
	ColumnName   string     `db:"column_name" json:"column_name"`
	IndexNo      string     `db:"index_no" json:"index_no"`
	Title        string     `db:"title" json:"title"`
	Status       string     `db:"status" json:"status"`
	StatusReason string     `db:"status_reason" json:"status_reason,omitempty"`
	Revision     int        `db:"revision" json:"revision"`
	StateMS      int64      `db:"state_at" json:"-"`
	UpdatedMS    int64      `db:"updated_at" json:"-"`
	PublishedMS  *int64     `db:"published_at" json:"-"`
	StateAt      time.Time  `db:"-" json:"state_at"`
	UpdatedAt    time.Time  `db:"-" json:"updated_at"`
	PublishedAt  *time.Time `db:"-" json:"published_at,omitempty"`
}

// ConsoleList selects entries for the back office. Units narrows to the
// given units (nil: every unit); Statuses to those states.
type ConsoleList struct {
	Units    []string
	Column   string
	Statuses []string
	// Before keeps entries that entered their state before it: the age
	// filter of the review queue.
	Before      time.Time
	OldestFirst bool // by the time the entry entered its state; else newest change first
	Offset      int
	Limit       int
}

// where is the list's filter; none is false when it can match nothing.
func (q ConsoleList) where() (where string, args []any, none bool) {
	var conds []string
	if q.Units != nil {
		if len(q.Units) == 0 {
			return "", nil, true
		}
		ph, a := inList(q.Units)
		conds = append(conds, `e.unit IN (`+ph+`)`)
		args = append(args, a...)
	}
	if q.Column != "" {
		conds = append(conds, `e.column_code = ?`)
		args = append(args, q.Column)
	}
	if len(q.Statuses) > 0 {
		ph, a := inList(q.Statuses)
		conds = append(conds, `e.status IN (`+ph+`)`)
		args = append(args, a...)
	}
	if !q.Before.IsZero() {
		conds = append(conds, `e.state_at < ?`)
		args = append(args, Millis(q.Before))
	}
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return where, args, false
}

// CountConsoleEntries counts the entries a console list selects.
func (s *Store) CountConsoleEntries(ctx context.Context, q ConsoleList) (int, error) {
	where, args, none := q.where()
	if none {
		return 0, nil
	}
	var total int
	if err := s.get(ctx, &total, `SELECT COUNT(*) FROM entries e`+where, args...); err != nil {
		return 0, fmt.Errorf("store: count console entries: %w", err)
	}
	return total, nil
}

// ConsoleEntries lists entries for the back office with the total count.
func (s *Store) ConsoleEntries(ctx context.Context, q ConsoleList) ([]ConsoleEntry, int, error) {
	where, args, none := q.where()
	if none {
		return nil, 0, nil
	}
	total, err := s.CountConsoleEntries(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	order := ` ORDER BY e.updated_at DESC, e.id`
	if q.OldestFirst {
		order = ` ORDER BY e.state_at, e.id`
	}
	limit := q.Limit
	if limit <= 0 || limit > maxListLimit {
		limit = 20
	}
	var out []ConsoleEntry
	err = s.sel(ctx, &out, `SELECT e.id, e.unit, u.name AS unit_name, e.column_code, COALESCE(c.name, e.column_code) AS column_name,
 e.index_no, e.title, e.status, e.status_reason, e.revision, e.state_at, e.updated_at, e.published_at
FROM entries e JOIN units u ON u.code = e.unit
LEFT JOIN unit_columns c ON c.unit = e.unit AND c.code = e.column_code`+where+order+` LIMIT ? OFFSET ?`,
		append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: console entries: %w", err)
	}
	for i := range out {
		out[i].StateAt = FromMillis(out[i].StateMS)
		out[i].UpdatedAt = FromMillis(out[i].UpdatedMS)
		if out[i].PublishedMS != nil {
			t := FromMillis(*out[i].PublishedMS)
			out[i].PublishedAt = &t
		}
	}
	return out, total, nil
}

// StatusCount is how many entries of a column are in one state.
type StatusCount struct {
	Column string `db:"column_code"`
	Status string `db:"status"`
	N      int    `db:"n"`
}

// UnitStatusCounts counts a unit's entries per column and state.
func (s *Store) UnitStatusCounts(ctx context.Context, unit string) ([]StatusCount, error) {
	var out []StatusCount
	if err := s.sel(ctx, &out, `SELECT column_code, status, COUNT(*) AS n FROM entries WHERE unit = ? GROUP BY column_code, status`, unit); err != nil {
		return nil, fmt.Errorf("store: status counts of %q: %w", unit, err)
	}
	return out, nil
}

// Revision is one kept revision of an entry.
type Revision struct {
	Revision int       `db:"revision" json:"revision"`
	AtMS     int64     `db:"at" json:"-"`
	At       time.Time `db:"-" json:"at"`
	Actor    string    `db:"actor" json:"actor"`
	Reason   string    `db:"reason" json:"reason"`
	Snapshot string    `db:"snapshot" json:"-"`
}

// EntryRevisions lists an entry's revisions, newest first, with their
// snapshots (the entry as JSON at that revision).
func (s *Store) EntryRevisions(ctx context.Context, id string) ([]Revision, error) {
	var out []Revision
	if err := s.sel(ctx, &out, `SELECT revision, at, actor, reason, snapshot FROM entry_revisions WHERE entry_id = ? ORDER BY revision DESC`, id); err != nil {
		return nil, fmt.Errorf("store: revisions of %q: %w", id, err)
	}
	for i := range out {
		out[i].At = FromMillis(out[i].AtMS)
	}
	return out, nil
}

// SetPinned pins an entry to the portal home or unpins it. The change log
// tells the portal's readers.
func (t *Tx) SetPinned(ctx context.Context, id string, pinned bool, by string, at time.Time) error {
	var err error
	if pinned {
		_, err = t.exec(ctx, `INSERT INTO pins (entry_id, pinned_at, pinned_by) VALUES (?, ?, ?) ON CONFLICT (entry_id) DO NOTHING`, id, Millis(at), by)
	} else {
		_, err = t.exec(ctx, `DELETE FROM pins WHERE entry_id = ?`, id)
	}
	if err != nil {
		return fmt.Errorf("store: pin %q: %w", id, err)
	}
	return t.appendChanges(ctx, []ChangeRef{{ChangeEntry, id, OpUpsert}})
}

// IsPinned reports whether an entry is pinned to the portal home.
func (s *Store) IsPinned(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM pins WHERE entry_id = ?`, id); err != nil {
		return false, fmt.Errorf("store: pinned %q: %w", id, err)
	}
	return n > 0, nil
}

// PinnedEntries lists the published entries pinned to the home page,
// most recently pinned first.
func (s *Store) PinnedEntries(ctx context.Context, limit int) ([]EntrySummary, error) {
	if limit <= 0 || limit > maxListLimit {
		limit = 10
	}
	var out []EntrySummary
	err := s.sel(ctx, &out, `SELECT e.id, e.unit, u.name AS unit_name, e.column_code, COALESCE(c.name, e.column_code) AS column_name,
 e.index_no, e.title, e.doc_no, e.summary, '' AS excerpt, e.published_at, e.updated_at
FROM pins p JOIN entries e ON e.id = p.entry_id JOIN units u ON u.code = e.unit
LEFT JOIN unit_columns c ON c.unit = e.unit AND c.code = e.column_code
WHERE e.status = 'published' ORDER BY p.pinned_at DESC, e.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pinned entries: %w", err)
	}
	for i := range out {
		if out[i].PublishedMS != nil {
			t := FromMillis(*out[i].PublishedMS)
			out[i].PublishedAt = &t
		}
		out[i].UpdatedAt = FromMillis(out[i].UpdatedMS)
	}
	return out, nil
}

// Delegation is whether one column of one unit is delegated.
type Delegation struct {
	Unit       string `db:"unit" json:"unit"`
	Column     string `db:"code" json:"column"`
	ColumnName string `db:"name" json:"column_name"`
	Delegated  bool   `db:"delegated" json:"delegated"`
	Default    bool   `db:"-" json:"default"` // the template's setting
}

// Delegations lists every leaf column in force of every unit (or of one
// unit) with its delegation.
func (s *Store) Delegations(ctx context.Context, unit string) ([]Delegation, error) {
	q := `SELECT unit, code, name, delegated FROM unit_columns WHERE leaf = ? AND state = ?`
	args := []any{true, catalog.ColumnActive}
	if unit != "" {
		q += ` AND unit = ?`
		args = append(args, unit)
	}
	var out []Delegation
	if err := s.sel(ctx, &out, q+` ORDER BY unit, position`, args...); err != nil {
		return nil, fmt.Errorf("store: delegations: %w", err)
	}
	return out, nil
}

// SetDelegated delegates a unit's column, or takes delegation back, and
// returns what it was before.
func (t *Tx) SetDelegated(ctx context.Context, unit, column string, delegated bool) (bool, error) {
	var was bool
	if err := t.get(ctx, &was, `SELECT delegated FROM unit_columns WHERE unit = ? AND code = ? AND leaf = ? AND state = ?`,
		unit, column, true, catalog.ColumnActive); err != nil {
		return false, notFound(err, fmt.Sprintf("column %q of unit %q", column, unit))
	}
	if _, err := t.exec(ctx, `UPDATE unit_columns SET delegated = ? WHERE unit = ? AND code = ?`, delegated, unit, column); err != nil {
		return was, fmt.Errorf("store: set delegation: %w", err)
	}
	return was, t.appendChanges(ctx, []ChangeRef{{ChangeTree, unit, OpUpsert}})
}

// ColumnRoute reads what decides where a unit's approved entry in column
// goes: whether the column is delegated to the unit.
func (s *Store) ColumnDelegated(ctx context.Context, unit, column string) (bool, error) {
	var d bool
	if err := s.get(ctx, &d, `SELECT delegated FROM unit_columns WHERE unit = ? AND code = ?`, unit, column); err != nil {
		return false, notFound(err, fmt.Sprintf("column %q of unit %q", column, unit))
	}
	return d, nil
}

// FilingsNeedApproval reports whether a unit's column filings wait for the
// office's approval.
func (s *Store) FilingsNeedApproval(ctx context.Context, unit string) (bool, error) {
	var b bool
	if err := s.get(ctx, &b, `SELECT filings_need_approval FROM units WHERE code = ?`, unit); err != nil {
		return false, notFound(err, fmt.Sprintf("unit %q", unit))
	}
	return b, nil
}

// SetFilingsNeedApproval sets whether a unit's filings wait for approval.
func (t *Tx) SetFilingsNeedApproval(ctx context.Context, unit string, need bool) error {
	res, err := t.exec(ctx, `UPDATE units SET filings_need_approval = ? WHERE code = ?`, need, unit)
	if err != nil {
		return fmt.Errorf("store: filing setting of %q: %w", unit, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: unit %q: %w", unit, ErrNotFound)
	}
	return nil
}

// Filing returns one filing.
func (s *Store) Filing(ctx context.Context, id int64) (Filing, error) {
	var f Filing
	if err := s.get(ctx, &f, `SELECT id, unit, action, column_code, column_name, reason, filed_by, filed_at, state, decided_by, decided_at, decision FROM column_filings WHERE id = ?`, id); err != nil {
		return f, notFound(err, fmt.Sprintf("filing %d", id))
	}
	return f, nil
}

// DecideFiling records the office's decision on a filing: a filed change
// is acknowledged; a pending one is approved (an added column comes into
// force) or rejected (an added column is dropped, a removed one restored).
func (t *Tx) DecideFiling(ctx context.Context, id int64, approve bool, by, note string, at time.Time) (Filing, error) {
	var f Filing
	if err := t.get(ctx, &f, `SELECT id, unit, action, column_code, column_name, reason, filed_by, filed_at, state, decided_by, decided_at, decision FROM column_filings WHERE id = ?`, id); err != nil {
		return f, notFound(err, fmt.Sprintf("filing %d", id))
	}
	var state string
	switch {
	case f.State == catalog.FilingFiled:
		state = catalog.FilingAcknowledged
	case f.State == catalog.FilingPending && approve:
		state = catalog.FilingApproved
	case f.State == catalog.FilingPending:
		state = catalog.FilingRejected
	default:
		return f, fmt.Errorf("%w: 该报备已处理（%s） (filing already decided)", ErrConflict, f.State)
	}
	res, err := t.exec(ctx, `UPDATE column_filings SET state = ?, decided_by = ?, decided_at = ?, decision = ? WHERE id = ? AND state = ?`,
		state, by, Millis(at), note, id, f.State)
	if err != nil {
		return f, fmt.Errorf("store: decide filing %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return f, fmt.Errorf("%w: 该报备刚被他人处理 (filing decided meanwhile)", ErrConflict)
	}
	if f.State == catalog.FilingPending {
		switch {
		case f.Action == catalog.FilingAdd && approve:
			_, err = t.exec(ctx, `UPDATE unit_columns SET state = ? WHERE unit = ? AND code = ? AND state = ?`, catalog.ColumnActive, f.Unit, f.ColumnCode, catalog.ColumnPending)
		case f.Action == catalog.FilingAdd:
			_, err = t.exec(ctx, `UPDATE unit_columns SET state = ? WHERE unit = ? AND code = ? AND state = ?`, catalog.ColumnRemoved, f.Unit, f.ColumnCode, catalog.ColumnPending)
		case f.Action == catalog.FilingRemove && !approve:
			_, err = t.exec(ctx, `UPDATE unit_columns SET state = ? WHERE unit = ? AND code = ? AND state = ?`, catalog.ColumnActive, f.Unit, f.ColumnCode, catalog.ColumnRemoved)
		}
		if err != nil {
			return f, fmt.Errorf("store: apply filing %d: %w", id, err)
		}
	}
	f.State, f.DecidedBy, f.DecidedMS, f.Decision = state, by, Millis(at), note
	return f, t.appendChanges(ctx, []ChangeRef{{ChangeTree, f.Unit, OpUpsert}})
}
