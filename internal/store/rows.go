package store

import (
	"context"
	"fmt"
	"strings"
)

// maxParams keeps a multi-row statement under both databases' limits on
// bound parameters (SQLite 32766, PostgreSQL 65535).
const maxParams = 30000

// insertRows inserts rows with multi-row VALUES statements, as many rows a
// statement as the parameter limit allows. suffix is appended to every
// statement (e.g. "ON CONFLICT DO NOTHING").
func (t *Tx) insertRows(ctx context.Context, table string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	per := maxParams / len(cols)
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*len(cols))
		for i, row := range rows[start:end] {
			if len(row) != len(cols) {
				return fmt.Errorf("store: insert %s: row has %d values for %d columns", table, len(row), len(cols))
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(tuple)
			args = append(args, row...)
		}
		if suffix != "" {
			b.WriteString(" " + suffix)
		}
		if _, err := t.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: insert %s: %w", table, err)
		}
	}
	return nil
}

// inList returns "?,?,…" for n values and the values as []any.
func inList[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(vals)), ","), args
}
