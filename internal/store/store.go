// Package store holds every SQL statement of the service. It runs the same
// code over two databases: an embedded SQLite file (the default) and
// PostgreSQL (production). Every write that readers of published data must
// see appends to the change log in the same transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"    // PostgreSQL driver
	_ "modernc.org/sqlite" // pure-Go SQLite driver
)

// Dialect names the database behind a Store.
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when the requested record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write breaks a uniqueness rule.
var ErrConflict = errors.New("store: conflict")

// queryTimeout bounds every single query; long imports use their own
// context but still one statement at a time.
const queryTimeout = 30 * time.Second

// Store is the handle to the database. SQLite gets one writer connection
// and a separate pool of readers (WAL lets them run beside the writer);
// PostgreSQL uses one pool for both.
type Store struct {
	dialect Dialect
	w       *sqlx.DB // writes and transactions
	r       *sqlx.DB // reads
	dsn     string
}

// Open connects to the database named by dsn ("sqlite:PATH",
// "postgres://…" or "postgresql://…") and applies pending migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func connect(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, fmt.Errorf("store: empty SQLite path in %q", dsn)
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("store: create %s: %w", dir, err)
			}
		}
		// busy_timeout comes first so that the other pragmas wait too.
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
			q.Add("_pragma", p)
		}
		base := "file:" + path + "?" + q.Encode()
		w, err := sqlx.Open("sqlite", base+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		r, err := sqlx.Open("sqlite", base)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		s := &Store{dialect: SQLite, w: w, r: r, dsn: dsn}
		if err := s.ping(ctx); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		// The URL goes to lib/pq as given: without sslmode, lib/pq's own
		// default (require: TLS, certificate not verified) or PGSSLMODE
		// applies. Nothing here turns TLS off behind the operator's back; a
		// local server without TLS takes ?sslmode=disable.
		db, err := sqlx.Open("postgres", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(8)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s := &Store{dialect: Postgres, w: db, r: db, dsn: dsn}
		if err := s.ping(ctx); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	default:
		return nil, fmt.Errorf("store: unsupported database URL %q (want sqlite:PATH or postgres://…)", redact(dsn))
	}
}

func (s *Store) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.w.PingContext(ctx); err != nil {
		if s.dialect == Postgres && errors.Is(err, pq.ErrSSLNotSupported) && !strings.Contains(s.dsn, "sslmode=") {
			return fmt.Errorf("store: connect %s: %w (the server offers no TLS; for a local server add ?sslmode=disable to the URL)", redact(s.dsn), err)
		}
		return fmt.Errorf("store: connect %s: %w", redact(s.dsn), err)
	}
	return nil
}

// redact hides a password in a database URL, so it can be logged.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Redacted returns the database URL without its password.
func (s *Store) Redacted() string { return redact(s.dsn) }

// Dialect tells which database is behind the store.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close releases the connections.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Ping checks that the database answers; used by readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.r.PingContext(ctx)
}

// Stats returns connection pool statistics for metrics: the writer pool
// and, for SQLite, the reader pool.
func (s *Store) Stats() map[string]sql.DBStats {
	if s.r == s.w {
		return map[string]sql.DBStats{"main": s.w.Stats()}
	}
	return map[string]sql.DBStats{"write": s.w.Stats(), "read": s.r.Stats()}
}

// Tx is a write transaction. Queries use "?" placeholders; they are
// rebound for PostgreSQL.
type Tx struct {
	tx      *sqlx.Tx
	dialect Dialect
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(q), args...)
	return res, ctxErr(ctx, err)
}

func (t *Tx) get(ctx context.Context, dest any, q string, args ...any) error {
	return ctxErr(ctx, t.tx.GetContext(ctx, dest, t.tx.Rebind(q), args...))
}

func (t *Tx) sel(ctx context.Context, dest any, q string, args ...any) error {
	return ctxErr(ctx, t.tx.SelectContext(ctx, dest, t.tx.Rebind(q), args...))
}

// ctxErr makes a statement that failed because its context ended say so,
// whatever the driver reported: lib/pq answers a cancelled statement with
// the server's "canceling statement" error (57014), which callers could
// not tell from a failure. The driver's error stays in the chain.
func ctxErr(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: %w", ctx.Err(), err)
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", ctxErr(ctx, err))
	}
	if err := fn(&Tx{tx: tx, dialect: s.dialect}); err != nil {
		_ = tx.Rollback()
		return ctxErr(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", ctxErr(ctx, err))
	}
	return nil
}

func (s *Store) get(ctx context.Context, dest any, q string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	return ctxErr(ctx, s.r.GetContext(ctx, dest, s.r.Rebind(q), args...))
}

func (s *Store) sel(ctx context.Context, dest any, q string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	return ctxErr(ctx, s.r.SelectContext(ctx, dest, s.r.Rebind(q), args...))
}

// notFound maps sql.ErrNoRows to ErrNotFound with context.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// nowMillis is the store's clock: instants are kept as Unix milliseconds,
// which both databases compare and sort the same way.
func nowMillis() int64 { return time.Now().UnixMilli() }

// Millis converts a time to the store's representation.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis converts the store's representation back to a time.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms) }
