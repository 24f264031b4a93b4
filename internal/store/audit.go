package store

import (
	"context"
	"fmt"
	"time"

	"gongkai/internal/audit"
)

// clip bounds a free-text audit field, so that a hostile user agent or a
// huge summary cannot bloat the log.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s[:n])
	return string(r[:len(r)-1]) + "…"
}

// AppendAudit adds a record to the audit log in this transaction, chained
// to the newest record: the chain's head row is locked until commit, so
// records chain in commit order. The record as stored is returned.
func (t *Tx) AppendAudit(ctx context.Context, r audit.Record) (audit.Record, error) {
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	lock := ""
	if t.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	if err := t.get(ctx, &head, `SELECT seq, hash FROM audit_head WHERE id = 1`+lock); err != nil {
		return r, fmt.Errorf("store: audit head: %w", err)
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	r.At = FromMillis(Millis(r.At))
	if r.Outcome == "" {
		r.Outcome = audit.OutcomeOK
	}
	r.Actor.UserAgent = clip(r.Actor.UserAgent, 300)
	r.Actor.IP = clip(r.Actor.IP, 64)
	r.Summary = clip(r.Summary, 16<<10)
	r.Seq = head.Seq + 1
	r.PrevHash = head.Hash
	r.Hash = audit.ComputeHash(r)
	if _, err := t.exec(ctx, `INSERT INTO audit_log (seq, at, actor_user, actor_login, actor_token, actor_role, actor_unit, ip, user_agent,
 action, object_kind, object_id, object_unit, outcome, summary, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, Millis(r.At), r.Actor.UserID, r.Actor.Login, r.Actor.TokenID, r.Actor.Role, r.Actor.Unit, r.Actor.IP, r.Actor.UserAgent,
		r.Action, r.ObjectKind, r.ObjectID, r.ObjectUnit, r.Outcome, r.Summary, r.PrevHash, r.Hash); err != nil {
		return r, fmt.Errorf("store: append audit record: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, r.Seq, r.Hash); err != nil {
		return r, fmt.Errorf("store: audit head: %w", err)
	}
	return r, nil
}

// AppendAudit adds one record in a transaction of its own: for refusals
// and other events that change nothing else.
func (s *Store) AppendAudit(ctx context.Context, r audit.Record) (audit.Record, error) {
	var out audit.Record
	err := s.inTx(ctx, func(t *Tx) error {
		var err error
		out, err = t.AppendAudit(ctx, r)
		return err
	})
	return out, err
}
