package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// What the office's supervision dashboard reads besides the rules'
// aggregates: the same aggregates for some units only (to bring a kept
// report up to date after a few changes), open notices per unit, a unit's
// returns with the entries' titles, and the change log's counter.

// standingAsOf is publishedAsOf written so that no index can serve its
// test of the status: SQLite then reads the units' entries through the
// (unit, column, status, published_at) index, in group order and without
// touching the table for published entries, instead of merging two ranges
// of the (status, published_at) index and sorting the result. Measured on
// a million entries: 0.8 s rather than 4.8 s for every unit, 7 ms rather
// than 0.7 s for one. Same three placeholders, same meaning.
const standingAsOf = `published_at IS NOT NULL AND published_at <= ?
  AND (CASE WHEN status = 'published' THEN 1 WHEN status = 'withdrawn' AND withdrawn_at > ? THEN 1 ELSE 0 END) = 1`

// PublishStatsOf is PublishStats for the given units only (nil: every
// unit).
func (s *Store) PublishStatsOf(ctx context.Context, asOf, since time.Time, units []string) ([]PublishStat, error) {
	at := Millis(asOf)
	args := []any{Millis(since), at, at}
	where := ""
	if units != nil {
		if len(units) == 0 {
			return nil, nil
		}
		ph, us := inList(units)
		where = ` AND unit IN (` + ph + `)`
		args = append(args, us...)
	}
	var out []PublishStat
	err := s.sel(ctx, &out, `SELECT unit, column_code AS col, COUNT(*) AS n,
  SUM(CASE WHEN published_at > ? THEN 1 ELSE 0 END) AS recent, MAX(published_at) AS last
FROM entries WHERE `+standingAsOf+where+`
GROUP BY unit, column_code ORDER BY unit, column_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: publish stats: %w", err)
	}
	return out, nil
}

// PublishCountsOf is PublishCountsByBucket for the given units (nil:
// every unit), one row per unit and bucket.
func (s *Store) PublishCountsOf(ctx context.Context, bounds []time.Time, asOf time.Time, units []string) ([]BucketCount, error) {
	if len(bounds) < 2 || len(bounds) > 121 {
		return nil, fmt.Errorf("store: publish counts: %d bounds (2 to 121)", len(bounds))
	}
	if units != nil && len(units) == 0 {
		return nil, nil
	}
	var b strings.Builder
	args := make([]any, 0, len(bounds)+6+len(units))
	b.WriteString(`SELECT unit, CASE`)
	for i := 1; i < len(bounds); i++ {
		b.WriteString(fmt.Sprintf(" WHEN published_at < ? THEN %d", i-1))
		args = append(args, Millis(bounds[i]))
	}
	at := Millis(asOf)
	b.WriteString(` END AS bucket, COUNT(*) AS n FROM entries WHERE ` + standingAsOf + ` AND published_at >= ? AND published_at < ?`)
	args = append(args, at, at, Millis(bounds[0]), Millis(bounds[len(bounds)-1]))
	if units != nil {
		ph, us := inList(units)
		b.WriteString(` AND unit IN (` + ph + `)`)
		args = append(args, us...)
	}
	b.WriteString(` GROUP BY unit, bucket ORDER BY unit, bucket`)
	var out []BucketCount
	if err := s.sel(ctx, &out, b.String(), args...); err != nil {
		return nil, fmt.Errorf("store: publish counts: %w", err)
	}
	return out, nil
}

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
