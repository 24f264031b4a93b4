package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gongkai/internal/catalog"
)

// FillEntriesForBench is for benchmarks only: it adds units bench000,
// bench001, … (each with the template's tree) and n published entries
// spread round-robin over the units and their leaf columns, published one
// after another from end backwards over span, so that every month of the
// span has entries. The entries are written by one INSERT … SELECT over a
// recursive counter inside the database, not one by one, so a million
// take seconds rather than hours. They get no revisions, no attachments
// and no change-log rows: nothing but the supervision aggregates may read
// them, and the search index never sees them.
func (s *Store) FillEntriesForBench(ctx context.Context, n, units int, end time.Time, span time.Duration) error {
	if n < 1 || units < 1 || units > 1000 || span <= 0 {
		return fmt.Errorf("store: bench fill: %d entries over %d units in %s", n, units, span)
	}
	for u := 0; u < units; u++ {
		code := fmt.Sprintf("bench%03d", u)
		kind := catalog.UnitKinds[u%len(catalog.UnitKinds)]
		org := strings.ToUpper(fmt.Sprintf("BENCH%013d", u))
		if _, err := s.SaveUnit(ctx, catalog.Unit{Code: code, Name: "基准测试单位" + code, Kind: kind, OrgCode: org}); err != nil {
			return err
		}
	}
	tmpl, err := s.Template(ctx)
	if err != nil {
		return err
	}
	var leaves []string
	for _, c := range tmpl.Columns {
		if c.Leaf {
			leaves = append(leaves, c.Code)
		}
	}
	// Entry i belongs to unit i mod units and, among that unit's entries,
	// to leaf column (i div units) mod leaves.
	var col strings.Builder
	col.WriteString("CASE (i / ?) % ?")
	args := []any{units, len(leaves)}
	for k, code := range leaves {
		col.WriteString(fmt.Sprintf(" WHEN %d THEN ?", k))
		args = append(args, code)
	}
	col.WriteString(" END")
	last, step := Millis(end), span.Milliseconds()/int64(n)
	if step < 1 {
		step = 1
	}
	now := nowMillis()
	q := `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
INSERT INTO entries (id, unit, column_code, index_no, title, published_at, status, revision, content_hash, created_at, updated_at, state_at)
SELECT 'bench-' || i, CASE WHEN i % ? < 10 THEN 'bench00' WHEN i % ? < 100 THEN 'bench0' ELSE 'bench' END || (i % ?), ` + col.String() + `,
  'BENCH-' || i, '基准测试信息 ' || i, CAST(? AS BIGINT) - i * CAST(? AS BIGINT), 'published', 1, 'bench',
  CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
FROM seq`
	all := append([]any{n - 1, units, units, units}, args...)
	all = append(all, last, step, now, now, now)
	return s.inTx(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, q, all...); err != nil {
			return fmt.Errorf("store: bench fill: %w", err)
		}
		return nil
	})
}
