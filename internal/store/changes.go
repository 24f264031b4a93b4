package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Kinds of records the change log speaks of.
const (
	ChangeEntry   = "entry"
	ChangeDataset = "dataset"
	ChangeUnit    = "unit"
	ChangeTree    = "tree"
)

// Change operations. Followers re-read the record for "upsert"; the record
// itself says whether it is published, withdrawn or a draft.
const (
	OpUpsert = "upsert"
	OpDelete = "delete"
)

// Change is one row of the change log.
type Change struct {
	Seq  int64     `db:"seq" json:"seq"`
	Kind string    `db:"kind" json:"kind"`
	Ref  string    `db:"ref" json:"ref"`
	Op   string    `db:"op" json:"op"`
	At   time.Time `db:"-" json:"at"`
	AtMS int64     `db:"at" json:"-"`
}

// ChangeRef names a changed record, before it has a sequence number.
type ChangeRef struct{ Kind, Ref, Op string }

// appendChanges adds refs to the change log. The sequence numbers come from
// one counter row updated in this transaction: the row lock is held until
// commit, so a later number can never become visible before an earlier
// one. Call it as the last write of a transaction to keep the lock short.
func (t *Tx) appendChanges(ctx context.Context, refs []ChangeRef) error {
	if len(refs) == 0 {
		return nil
	}
	var last int64
	if err := t.get(ctx, &last, `UPDATE change_seq SET seq = seq + ? WHERE id = 1 RETURNING seq`, len(refs)); err != nil {
		return fmt.Errorf("store: allocate change sequence: %w", err)
	}
	first := last - int64(len(refs)) + 1
	at := nowMillis()
	rows := make([][]any, len(refs))
	for i, r := range refs {
		rows[i] = []any{first + int64(i), r.Kind, r.Ref, r.Op, at}
	}
	return t.insertRows(ctx, "changes", []string{"seq", "kind", "ref", "op", "at"}, rows, "")
}

// ChangesAfter returns up to limit changes with a sequence number greater
// than after, in order.
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int) ([]Change, error) {
	if limit <= 0 {
		limit = 1000
	}
	var out []Change
	if err := s.sel(ctx, &out, `SELECT seq, kind, ref, op, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit); err != nil {
		return nil, fmt.Errorf("store: changes after %d: %w", after, err)
	}
	for i := range out {
		out[i].At = FromMillis(out[i].AtMS)
	}
	return out, nil
}

// LastChange returns the newest sequence number and its time (zero when
// the log is empty). It reads the one newest row by the primary key, so
// followers may ask for it every few hundred milliseconds whatever the
// log's length.
func (s *Store) LastChange(ctx context.Context) (int64, time.Time, error) {
	var c struct {
		Seq int64 `db:"seq"`
		At  int64 `db:"at"`
	}
	err := s.get(ctx, &c, `SELECT seq, at FROM changes ORDER BY seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: last change: %w", err)
	}
	return c.Seq, FromMillis(c.At), nil
}
