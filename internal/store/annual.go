package store

import (
	"context"
	"fmt"
	"time"
)

// What the annual report's tables (政府信息公开工作年度报告) can take from
// the catalog: a unit's normative documents issued, abolished and in
// force in a year, and its entries published per column.

// Normative is a unit's count of normative documents for a year.
type Normative struct {
	// Issued (本年制发): documents whose written date (成文日期) falls in
	// the year, or, without one, whose publish date does; published now
	// or withdrawn only after the year.
	Issued int `db:"issued"`
	// Abolished (本年废止): documents marked 废止 or 失效 now whose mark
	// was recorded in the year: the first revision of the latest unbroken
	// run of revisions carrying it (the time of the last edit when no
	// revision is kept).
	Abolished int `db:"abolished"`
	// InForce (现行有效): documents that stood published at the end of the
	// year and were not marked 废止 or 失效 by then.
	InForce int `db:"in_force"`
}

// The revision snapshots of an entry marked 废止 or 失效: the store writes
// each revision as the entry's JSON, in which the validity reads
// "validity":"…".
const (
	snapshotAbolished = `%"validity":"废止"%`
	snapshotLapsed    = `%"validity":"失效"%`
)

// markedAt is, for the entry e, when its present 废止 or 失效 mark was
// recorded (its placeholders: the two snapshot patterns, twice).
const markedAt = `COALESCE((SELECT MIN(r.at) FROM entry_revisions r WHERE r.entry_id = e.id
    AND (r.snapshot LIKE ? OR r.snapshot LIKE ?)
    AND r.revision > COALESCE((SELECT MAX(r2.revision) FROM entry_revisions r2 WHERE r2.entry_id = e.id
      AND r2.snapshot NOT LIKE ? AND r2.snapshot NOT LIKE ?), 0)), e.updated_at)`

// AnnualNormative counts a unit's normative documents (entries of column)
// for the year [start, end], start and end being the year's first and
// last instants in China.
func (s *Store) AnnualNormative(ctx context.Context, unit, column string, start, end time.Time) (Normative, error) {
	ys, ye := Millis(start), Millis(end)
	first, last := start.Format(time.DateOnly), end.Format(time.DateOnly)
	args := []any{
		ye, first, last, ys, ye, // issued
		ys, ye, // abolished
		ye, ye, ye, // in force
		snapshotAbolished, snapshotLapsed, snapshotAbolished, snapshotLapsed, unit, column,
	}
	var n Normative
	err := s.get(ctx, &n, `SELECT
  COALESCE(SUM(CASE WHEN (status = 'published' OR withdrawn_at > ?)
    AND ((written_at <> '' AND written_at >= ? AND written_at <= ?)
      OR (written_at = '' AND published_at >= ? AND published_at <= ?)) THEN 1 ELSE 0 END), 0) AS issued,
  COALESCE(SUM(CASE WHEN repealed = 1 AND marked >= ? AND marked <= ? THEN 1 ELSE 0 END), 0) AS abolished,
  COALESCE(SUM(CASE WHEN published_at <= ? AND (status = 'published' OR withdrawn_at > ?)
    AND (repealed = 0 OR marked > ?) THEN 1 ELSE 0 END), 0) AS in_force
FROM (SELECT e.status, e.published_at, e.withdrawn_at, e.written_at,
    CASE WHEN e.validity IN ('废止', '失效') THEN 1 ELSE 0 END AS repealed,
    CASE WHEN e.validity IN ('废止', '失效') THEN `+markedAt+` END AS marked
  FROM entries e WHERE e.unit = ? AND e.column_code = ? AND e.published_at IS NOT NULL AND e.status IN ('published', 'withdrawn')) d`, args...)
	if err != nil {
		return n, fmt.Errorf("store: normative documents of %q: %w", unit, err)
	}
	return n, nil
}

// ColumnCount is how many entries one column got.
type ColumnCount struct {
	Column string `db:"col"`
	Count  int    `db:"n"`
}

// AnnualColumnCounts counts a unit's entries published in [start, end]
// per column, among those published now or withdrawn only after end.
func (s *Store) AnnualColumnCounts(ctx context.Context, unit string, start, end time.Time) ([]ColumnCount, error) {
	var out []ColumnCount
	ye := Millis(end)
	if err := s.sel(ctx, &out, `SELECT column_code AS col, COUNT(*) AS n FROM entries
WHERE unit = ? AND published_at >= ? AND published_at <= ? AND (status = 'published' OR (status = 'withdrawn' AND withdrawn_at > ?))
GROUP BY column_code ORDER BY column_code`, unit, Millis(start), ye, ye); err != nil {
		return nil, fmt.Errorf("store: entries per column of %q: %w", unit, err)
	}
	return out, nil
}
