package store

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"gongkai/internal/audit"
)

// auditPage is the number of records a walk of the log reads at a time.
const auditPage = 1000

// auditRecord is a row of audit_log.
type auditRecord struct {
	Seq        int64  `db:"seq"`
	At         int64  `db:"at"`
	UserID     int64  `db:"actor_user"`
	Login      string `db:"actor_login"`
	TokenID    int64  `db:"actor_token"`
	Role       string `db:"actor_role"`
	Unit       string `db:"actor_unit"`
	IP         string `db:"ip"`
	UserAgent  string `db:"user_agent"`
	Action     string `db:"action"`
	ObjectKind string `db:"object_kind"`
	ObjectID   string `db:"object_id"`
	ObjectUnit string `db:"object_unit"`
	Outcome    string `db:"outcome"`
	Summary    string `db:"summary"`
	PrevHash   string `db:"prev_hash"`
	Hash       string `db:"hash"`
}

const auditSelect = `SELECT seq, at, actor_user, actor_login, actor_token, actor_role, actor_unit, ip, user_agent,
 action, object_kind, object_id, object_unit, outcome, summary, prev_hash, hash FROM audit_log`

func (r auditRecord) record() audit.Record {
	return audit.Record{Seq: r.Seq, At: FromMillis(r.At),
		Actor:  audit.Actor{UserID: r.UserID, Login: r.Login, TokenID: r.TokenID, Role: r.Role, Unit: r.Unit, IP: r.IP, UserAgent: r.UserAgent},
		Action: r.Action, ObjectKind: r.ObjectKind, ObjectID: r.ObjectID, ObjectUnit: r.ObjectUnit, Outcome: r.Outcome,
		Summary: r.Summary, PrevHash: r.PrevHash, Hash: r.Hash}
}

// AuditHead returns the chain's head: the sequence number and hash of the
// newest record (0 and "" for an empty log). Written down elsewhere (the
// operations log, a daily mail), it anchors the chain against a rewrite.
func (s *Store) AuditHead(ctx context.Context) (seq int64, hash string, err error) {
	return auditHead(ctx, s.r)
}

func auditHead(ctx context.Context, q sqlx.QueryerContext) (int64, string, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := sqlx.GetContext(ctx, q, &head, `SELECT seq, hash FROM audit_head WHERE id = 1`); err != nil {
		return 0, "", fmt.Errorf("store: audit head: %w", err)
	}
	return head.Seq, head.Hash, nil
}

// auditCursor reads the log in sequence order, a page at a time (keyset
// on seq), so that a walk holds one page in memory whatever the log's
// length. Each page is read whole before its records are handed out,
// which frees the connection while the caller works.
type auditCursor struct {
	ctx   context.Context
	q     sqlx.QueryerContext
	bind  func(string) string
	after int64
	page  []auditRecord
	pos   int
	done  bool
}

func (c *auditCursor) next() (audit.Record, bool, error) {
	if c.pos == len(c.page) {
		if c.done {
			return audit.Record{}, false, nil
		}
		ctx, cancel := context.WithTimeout(c.ctx, queryTimeout)
		c.page, c.pos = c.page[:0], 0
		err := sqlx.SelectContext(ctx, c.q, &c.page, c.bind(auditSelect+` WHERE seq > ? ORDER BY seq LIMIT ?`), c.after, auditPage)
		cancel()
		if err != nil {
			return audit.Record{}, false, fmt.Errorf("store: audit log after %d: %w", c.after, err)
		}
		c.done = len(c.page) < auditPage
		if len(c.page) == 0 {
			return audit.Record{}, false, nil
		}
	}
	r := c.page[c.pos]
	c.pos++
	c.after = r.Seq
	return r.record(), true, nil
}

// EachAudit calls fn for every record of the log in sequence order,
// reading a page of records at a time; it stops at fn's first error and
// returns it. Records appended meanwhile are read too.
func (s *Store) EachAudit(ctx context.Context, fn func(audit.Record) error) error {
	c := &auditCursor{ctx: ctx, q: s.r, bind: s.r.Rebind}
	for {
		r, ok, err := c.next()
		if err != nil || !ok {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// AuditLog is EachAudit as a sequence, for the exports.
func (s *Store) AuditLog(ctx context.Context) iter.Seq2[audit.Record, error] {
	return audit.FromEach(func(fn func(audit.Record) error) error { return s.EachAudit(ctx, fn) })
}

// VerifyAudit checks the whole hash chain against its head (audit.Verify).
// The head and every record are read in one snapshot of the database, so
// that records appended while it runs neither pass for missing nor for
// forged: a record past the head in the snapshot was added without going
// through AppendAudit. On SQLite the snapshot holds the write-ahead log
// from being folded into the database until it ends.
func (s *Store) VerifyAudit(ctx context.Context) (audit.Result, error) {
	var opts *sql.TxOptions
	if s.dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.r.BeginTxx(ctx, opts)
	if err != nil {
		return audit.Result{}, fmt.Errorf("store: verify audit: %w", err)
	}
	defer tx.Rollback()
	seq, hash, err := auditHead(ctx, tx)
	if err != nil {
		return audit.Result{}, err
	}
	c := &auditCursor{ctx: ctx, q: tx, bind: tx.Rebind}
	return audit.Verify(c.next, seq, hash)
}

// AuditRecord returns the record with this sequence number (ErrNotFound
// when there is none).
func (s *Store) AuditRecord(ctx context.Context, seq int64) (audit.Record, error) {
	var r auditRecord
	if err := s.get(ctx, &r, auditSelect+` WHERE seq = ?`, seq); err != nil {
		return audit.Record{}, notFound(err, fmt.Sprintf("audit record %d", seq))
	}
	return r.record(), nil
}

// AuditQuery selects records for the audit browser. Empty fields select
// everything.
type AuditQuery struct {
	Login string // the actor's login
	// Unit matches the actor's unit or the object's.
	Unit string
	// Action matches actions that begin with it: "entry." for every action
	// on entries, "entry.submit" for that one.
	Action  string
	Outcome string
	// From and To bound the time: From ≤ at < To; a zero time leaves that
	// side open.
	From, To time.Time
	// Page counts from 1; Size is the records a page (default 50, at most
	// 500).
	Page, Size int
}

// Size limits of AuditRecords.
const (
	AuditDefaultSize = 50
	AuditMaxSize     = 500
)

// AuditRecords returns one page of the records q selects, newest first,
// and how many it selects in all.
func (s *Store) AuditRecords(ctx context.Context, q AuditQuery) ([]audit.Record, int, error) {
	var conds []string
	var args []any
	if q.Login != "" {
		conds = append(conds, `actor_login = ?`)
		args = append(args, q.Login)
	}
	if q.Unit != "" {
		conds = append(conds, `(actor_unit = ? OR object_unit = ?)`)
		args = append(args, q.Unit, q.Unit)
	}
	if q.Action != "" {
		// substr counts characters on both databases, and unlike LIKE it
		// has no wildcards to escape and no case folding.
		conds = append(conds, `substr(action, 1, ?) = ?`)
		args = append(args, utf8.RuneCountInString(q.Action), q.Action)
	}
	if q.Outcome != "" {
		conds = append(conds, `outcome = ?`)
		args = append(args, q.Outcome)
	}
	if !q.From.IsZero() {
		conds = append(conds, `at >= ?`)
		args = append(args, Millis(q.From))
	}
	if !q.To.IsZero() {
		conds = append(conds, `at < ?`)
		args = append(args, Millis(q.To))
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := s.get(ctx, &total, `SELECT COUNT(*) FROM audit_log`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: count audit records: %w", err)
	}
	size := q.Size
	if size <= 0 {
		size = AuditDefaultSize
	}
	size = min(size, AuditMaxSize)
	page := min(max(q.Page, 1), 1<<30) // no overflow of the offset
	var rs []auditRecord
	if err := s.sel(ctx, &rs, auditSelect+where+` ORDER BY seq DESC LIMIT ? OFFSET ?`, append(args, size, (page-1)*size)...); err != nil {
		return nil, 0, fmt.Errorf("store: audit records: %w", err)
	}
	out := make([]audit.Record, len(rs))
	for i, r := range rs {
		out[i] = r.record()
	}
	return out, total, nil
}

// AuditActions returns every action the log holds, in order, for the
// audit browser's filter.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.sel(ctx, &out, `SELECT DISTINCT action FROM audit_log ORDER BY action`); err != nil {
		return nil, fmt.Errorf("store: audit actions: %w", err)
	}
	return out, nil
}
