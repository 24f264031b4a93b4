package store

import (
	"context"
	"fmt"
)

// ExecRawForTest runs one statement as it is written ("?" placeholders,
// rebound for PostgreSQL). It exists for the audit log's tamper tests,
// which must edit, delete and forge rows behind the store's back the way
// someone with direct access to the database would. The application never
// calls it: every write of the service goes through the store's methods.
func (s *Store) ExecRawForTest(ctx context.Context, q string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	if _, err := s.w.ExecContext(ctx, s.w.Rebind(q), args...); err != nil {
		return fmt.Errorf("store: raw statement: %w", ctxErr(ctx, err))
	}
	return nil
}
