package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// What the office's supervision dashboard reads besides the rules'
// aggregates (PublishStats and PublishCounts, supervise.go): open notices
// per unit, a unit's returns with the entries' titles, and the change
// log's counter.

// EntryUnits maps entry ids to their units (ids not stored are left out).
func (s *Store) EntryUnits(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += 500 {
		ph, args := inList(ids[start:min(start+500, len(ids))])
		var rows []struct {
			ID   string `db:"id"`
			Unit string `db:"unit"`
		}
		if err := s.sel(ctx, &rows, `SELECT id, unit FROM entries WHERE id IN (`+ph+`)`, args...); err != nil {
			return nil, fmt.Errorf("store: units of entries: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r.Unit
		}
	}
	return out, nil
}

// OpenNoticesByUnit counts, per unit, the notices not yet closed.
func (s *Store) OpenNoticesByUnit(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Unit string `db:"unit"`
		N    int    `db:"n"`
	}
	if err := s.sel(ctx, &rows, `SELECT unit, COUNT(*) AS n FROM notices WHERE state <> 'closed' GROUP BY unit`); err != nil {
		return nil, fmt.Errorf("store: open notices by unit: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Unit] = r.N
	}
	return out, nil
}

// UnitReturn is one of a unit's entries sent back, with its title.
type UnitReturn struct {
	Entry   string    `db:"object_id"`
	Title   string    `db:"title"`
	AtMS    int64     `db:"at"`
	Summary string    `db:"summary"`
	At      time.Time `db:"-"`
	Reason  string    `db:"-"`
}

// UnitReturns lists the returns of unit's entries recorded in
// from < at ≤ to, newest first, at most limit (default 200).
func (s *Store) UnitReturns(ctx context.Context, unit string, from, to time.Time, limit int) ([]UnitReturn, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []UnitReturn
	if err := s.sel(ctx, &out, `SELECT a.object_id, COALESCE(e.title, '') AS title, a.at, a.summary
FROM audit_log a LEFT JOIN entries e ON e.id = a.object_id
WHERE a.object_unit = ? AND a.action = 'entry.return' AND a.outcome = 'ok' AND a.at > ? AND a.at <= ?
ORDER BY a.at DESC, a.seq DESC LIMIT ?`, unit, Millis(from), Millis(to), limit); err != nil {
		return nil, fmt.Errorf("store: returns of %q: %w", unit, err)
	}
	for i := range out {
		out[i].At = FromMillis(out[i].AtMS)
		var sum struct {
			After struct {
				Reason string `json:"reason"`
			} `json:"after"`
		}
		if json.Unmarshal([]byte(out[i].Summary), &sum) == nil {
			out[i].Reason = sum.After.Reason
		}
	}
	return out, nil
}

// ChangeSeq is the change log's newest sequence number, read from its
// counter row (one primary-key lookup, however long the log). Every write
// of an entry, a unit or a tree moves it on, returns and withdrawals
// included, so two equal numbers mean the same aggregates of entries.
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.get(ctx, &seq, `SELECT seq FROM change_seq WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("store: change sequence: %w", err)
	}
	return seq, nil
}
