package store

import (
	"context"
	"fmt"
	"strings"
)

// migration is one versioned schema step. The SQL is written once for both
// databases; the few type names that differ are tokens:
//
//	{{pk}}    an auto-incrementing 64-bit primary key
//	{{bool}}  a boolean
//	{{blob}}  raw bytes
type migration struct {
	version int
	name    string
	sql     string
	// pg is run after sql on PostgreSQL only (triggers and the like); a
	// function body stays on one line, since statements split at ";\n".
	pg string
}

func (m migration) render(d Dialect) string {
	var r *strings.Replacer
	if d == Postgres {
		r = strings.NewReplacer("{{pk}}", "BIGSERIAL PRIMARY KEY", "{{bool}}", "BOOLEAN", "{{blob}}", "BYTEA")
	} else {
		r = strings.NewReplacer("{{pk}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{bool}}", "BOOLEAN", "{{blob}}", "BLOB")
	}
	return r.Replace(m.sql)
}

// migrations are applied in order, each in its own transaction, and never
// edited once released: a change of schema is a new migration.
var migrations = []migration{
	{1, "catalog", `
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- The change log: one row per change that readers of published data must
-- see. seq is handed out by change_seq under a row lock, so sequence order
-- is commit order and a follower never skips a change.
CREATE TABLE change_seq (
  id  INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL
);
INSERT INTO change_seq (id, seq) VALUES (1, 0);
CREATE TABLE changes (
  seq    BIGINT PRIMARY KEY,
  kind   TEXT NOT NULL,
  ref    TEXT NOT NULL,
  op     TEXT NOT NULL,
  at     BIGINT NOT NULL
);

CREATE TABLE units (
  code       TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL,
  org_code   TEXT NOT NULL DEFAULT '',
  parent     TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE column_templates (
  version    INTEGER PRIMARY KEY,
  note       TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE TABLE template_columns (
  version       INTEGER NOT NULL REFERENCES column_templates(version),
  code          TEXT NOT NULL,
  name          TEXT NOT NULL,
  parent        TEXT NOT NULL DEFAULT '',
  description   TEXT NOT NULL DEFAULT '',
  stale_days    INTEGER NOT NULL DEFAULT 0,
  due_month_day TEXT NOT NULL DEFAULT '',
  delegated     {{bool}} NOT NULL DEFAULT FALSE,
  leaf          {{bool}} NOT NULL DEFAULT TRUE,
  position      INTEGER NOT NULL,
  PRIMARY KEY (version, code)
);

CREATE TABLE unit_columns (
  unit             TEXT NOT NULL REFERENCES units(code),
  code             TEXT NOT NULL,
  name             TEXT NOT NULL,
  parent           TEXT NOT NULL DEFAULT '',
  description      TEXT NOT NULL DEFAULT '',
  stale_days       INTEGER NOT NULL DEFAULT 0,
  due_month_day    TEXT NOT NULL DEFAULT '',
  delegated        {{bool}} NOT NULL DEFAULT FALSE,
  leaf             {{bool}} NOT NULL DEFAULT TRUE,
  position         INTEGER NOT NULL,
  origin           TEXT NOT NULL,
  template_version INTEGER NOT NULL DEFAULT 0,
  state            TEXT NOT NULL,
  PRIMARY KEY (unit, code)
);

CREATE TABLE column_filings (
  id          {{pk}},
  unit        TEXT NOT NULL REFERENCES units(code),
  action      TEXT NOT NULL,
  column_code TEXT NOT NULL,
  column_name TEXT NOT NULL DEFAULT '',
  reason      TEXT NOT NULL,
  filed_by    TEXT NOT NULL,
  filed_at    BIGINT NOT NULL,
  state       TEXT NOT NULL,
  decided_by  TEXT NOT NULL DEFAULT '',
  decided_at  BIGINT NOT NULL DEFAULT 0,
  decision    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX column_filings_unit ON column_filings (unit, filed_at);

-- Index numbers: the last serial handed out per scope (unit and year).
-- Serials only go up, so a number is never reused, even after withdrawal.
CREATE TABLE index_serials (
  scope TEXT PRIMARY KEY,
  last  BIGINT NOT NULL
);

CREATE TABLE entries (
  id              TEXT PRIMARY KEY,
  unit            TEXT NOT NULL REFERENCES units(code),
  column_code     TEXT NOT NULL,
  index_no        TEXT NOT NULL UNIQUE,
  title           TEXT NOT NULL,
  publisher       TEXT NOT NULL DEFAULT '',
  doc_no          TEXT NOT NULL DEFAULT '',
  written_at      TEXT NOT NULL DEFAULT '',
  published_at    BIGINT,
  topic           TEXT NOT NULL DEFAULT '',
  doc_type        TEXT NOT NULL DEFAULT '',
  validity        TEXT NOT NULL DEFAULT '',
  keywords        TEXT NOT NULL DEFAULT '[]',
  summary         TEXT NOT NULL DEFAULT '',
  body_html       TEXT NOT NULL DEFAULT '',
  body_text       TEXT NOT NULL DEFAULT '',
  five_publics    TEXT NOT NULL DEFAULT '',
  form            TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL,
  status_reason   TEXT NOT NULL DEFAULT '',
  withdrawn_at    BIGINT,
  revision        INTEGER NOT NULL,
  content_hash    TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX entries_unit_column ON entries (unit, column_code, status, published_at);
CREATE INDEX entries_published ON entries (status, published_at);

-- Every revision of every entry, with who made it and why.
CREATE TABLE entry_revisions (
  entry_id  TEXT NOT NULL REFERENCES entries(id),
  revision  INTEGER NOT NULL,
  at        BIGINT NOT NULL,
  actor     TEXT NOT NULL,
  reason    TEXT NOT NULL DEFAULT '',
  snapshot  TEXT NOT NULL,
  PRIMARY KEY (entry_id, revision)
);

CREATE TABLE attachments (
  entry_id   TEXT NOT NULL REFERENCES entries(id),
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  size       BIGINT NOT NULL,
  media_type TEXT NOT NULL,
  PRIMARY KEY (entry_id, position)
);
CREATE INDEX attachments_sha ON attachments (sha256);

-- Links as declared by an entry (policy ↔ interpretation). Read in both
-- directions; the target may arrive later than the declaring entry.
CREATE TABLE entry_links (
  from_id TEXT NOT NULL REFERENCES entries(id),
  to_id   TEXT NOT NULL,
  PRIMARY KEY (from_id, to_id)
);
CREATE INDEX entry_links_to ON entry_links (to_id);
`, ""},
	{2, "datasets", `
-- Open datasets: the metadata of the live version. Rows live in one table
-- per version (dsrows_<dataset_versions.id>), created at import time with
-- columns c1..cN in the order of that version's fields.
CREATE TABLE datasets (
  id               TEXT PRIMARY KEY,
  unit             TEXT NOT NULL REFERENCES units(code),
  title            TEXT NOT NULL,
  description      TEXT NOT NULL DEFAULT '',
  domain           TEXT NOT NULL DEFAULT '',
  update_frequency TEXT NOT NULL DEFAULT '',
  open_type        TEXT NOT NULL DEFAULT '',
  license          TEXT NOT NULL DEFAULT '',
  keywords         TEXT NOT NULL DEFAULT '[]',
  fields           TEXT NOT NULL DEFAULT '[]',
  published_at     BIGINT,
  current_version  INTEGER NOT NULL DEFAULT 0,
  row_count        BIGINT NOT NULL DEFAULT 0,
  meta_hash        TEXT NOT NULL DEFAULT '',
  rows_hash        TEXT NOT NULL DEFAULT '',
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX datasets_unit ON datasets (unit);

-- Every version of every dataset. state: live (the current one), kept (an
-- older one whose row table is still there), dropped (row table removed).
CREATE TABLE dataset_versions (
  id            {{pk}},
  dataset_id    TEXT NOT NULL REFERENCES datasets(id),
  version       INTEGER NOT NULL,
  row_table     TEXT NOT NULL DEFAULT '',
  row_count     BIGINT NOT NULL DEFAULT 0,
  fields        TEXT NOT NULL,
  meta_hash     TEXT NOT NULL DEFAULT '',
  rows_hash     TEXT NOT NULL DEFAULT '',
  published_at  BIGINT,
  created_at    BIGINT NOT NULL,
  rejected_rows BIGINT NOT NULL DEFAULT 0,
  state         TEXT NOT NULL,
  UNIQUE (dataset_id, version)
);
`, ""},
	{3, "search", `
-- How often each search query was asked: counts only, never who asked.
CREATE TABLE search_queries (
  query   TEXT PRIMARY KEY,
  count   BIGINT NOT NULL,
  last_at BIGINT NOT NULL
);
CREATE INDEX search_queries_count ON search_queries (count);
`, ""},
	{4, "auth", `
-- API tokens of the back office. The secret is shown once when the token is
-- made and never stored: only its SHA-256 (hex) is, which is what a request's
-- token is looked up by. unit is NULL for the city office's roles.
CREATE TABLE api_tokens (
  id           {{pk}},
  token_hash   TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL DEFAULT '',
  role         TEXT NOT NULL,
  unit         TEXT REFERENCES units(code),
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at   BIGINT
);
`, ""},
	{5, "accounts", `
-- Console accounts. The password is kept only as an argon2id hash (PHC
-- string). unit is NULL for the city office's roles. An account is locked
-- after repeated failed logins until an administrator unlocks it.
CREATE TABLE users (
  id                  {{pk}},
  login               TEXT NOT NULL UNIQUE,
  name                TEXT NOT NULL DEFAULT '',
  role                TEXT NOT NULL,
  unit                TEXT REFERENCES units(code),
  password_hash       TEXT NOT NULL,
  must_change         {{bool}} NOT NULL DEFAULT TRUE,
  failed_logins       INTEGER NOT NULL DEFAULT 0,
  locked_at           BIGINT,
  disabled_at         BIGINT,
  password_changed_at BIGINT NOT NULL,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL
);

-- Login sessions: the cookie's secret is never stored, only its SHA-256.
-- A session ends when idle too long, at its absolute expiry, or at logout
-- (the row is deleted).
CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,
  user_id      BIGINT NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  ip           TEXT NOT NULL DEFAULT '',
  user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
`, ""},
	{6, "audit", `
-- The audit log: append-only, one row per action or refusal, each holding
-- the hash of the row before it (a hash chain). audit_head is the chain's
-- newest link, taken under a row lock by every append, so rows are chained
-- in commit order and a removed last row is detected too.
CREATE TABLE audit_log (
  seq         BIGINT PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor_user  BIGINT NOT NULL DEFAULT 0,
  actor_login TEXT NOT NULL DEFAULT '',
  actor_token BIGINT NOT NULL DEFAULT 0,
  actor_role  TEXT NOT NULL DEFAULT '',
  actor_unit  TEXT NOT NULL DEFAULT '',
  ip          TEXT NOT NULL DEFAULT '',
  user_agent  TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL,
  object_kind TEXT NOT NULL DEFAULT '',
  object_id   TEXT NOT NULL DEFAULT '',
  object_unit TEXT NOT NULL DEFAULT '',
  outcome     TEXT NOT NULL,
  summary     TEXT NOT NULL DEFAULT '',
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_login, at);
CREATE INDEX audit_log_unit ON audit_log (object_unit, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY,
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
`, `
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
`},
	{7, "workflow", `
-- When an entry entered its current state: the review queue's age.
ALTER TABLE entries ADD COLUMN state_at BIGINT NOT NULL DEFAULT 0;
UPDATE entries SET state_at = updated_at;
CREATE INDEX entries_queue ON entries (status, state_at);

-- Whether a unit's column filings wait for the office's approval, and
-- whether its staff's submissions go to the unit's approver first.
ALTER TABLE units ADD COLUMN filings_need_approval {{bool}} NOT NULL DEFAULT FALSE;

-- Emergency responses (应急管理) pinned to the portal home.
CREATE TABLE pins (
  entry_id  TEXT PRIMARY KEY REFERENCES entries(id),
  pinned_at BIGINT NOT NULL,
  pinned_by TEXT NOT NULL
);
`, ""},
	{8, "supervision", `
-- Supervision notices (督办通知): numbered per year, one open notice per
-- unit and rule (a notice raised by hand, rule "manual", may stand beside
-- others). state: open, sent_back (the office asked for more), submitted
-- (the unit uploaded its self-examination and marked the rectification
-- done), closed.
CREATE TABLE notices (
  id              {{pk}},
  year            INTEGER NOT NULL,
  seq             INTEGER NOT NULL,
  number          TEXT NOT NULL UNIQUE,
  unit            TEXT NOT NULL REFERENCES units(code),
  rule            TEXT NOT NULL,
  state           TEXT NOT NULL,
  facts           TEXT NOT NULL DEFAULT '[]',
  requirement     TEXT NOT NULL DEFAULT '',
  as_of           TEXT NOT NULL DEFAULT '',
  raised_at       BIGINT NOT NULL,
  raised_by       TEXT NOT NULL,
  due_at          BIGINT NOT NULL,
  self_exam_sha   TEXT NOT NULL DEFAULT '',
  self_exam_name  TEXT NOT NULL DEFAULT '',
  self_exam_at    BIGINT,
  rectify_note    TEXT NOT NULL DEFAULT '',
  rectified_at    BIGINT,
  back_reason     TEXT NOT NULL DEFAULT '',
  escalated_at    BIGINT,
  closed_at       BIGINT,
  closed_by       TEXT NOT NULL DEFAULT '',
  close_note      TEXT NOT NULL DEFAULT '',
  updated_at      BIGINT NOT NULL,
  UNIQUE (year, seq)
);
CREATE UNIQUE INDEX notices_open_rule ON notices (unit, rule) WHERE state <> 'closed' AND rule <> 'manual';
CREATE INDEX notices_state ON notices (state, due_at);
CREATE INDEX notices_unit ON notices (unit, raised_at);

-- Monthly spot checks (月度抽查): the sample drawn for a month, one row per
-- entry, with the reviewer's grade. grade: '' (not yet), pass, problems.
-- candidates is how many entries the unit's sample was drawn from.
CREATE TABLE spot_checks (
  month       TEXT NOT NULL,
  entry_id    TEXT NOT NULL REFERENCES entries(id),
  unit        TEXT NOT NULL,
  position    INTEGER NOT NULL,
  seed        TEXT NOT NULL,
  candidates  INTEGER NOT NULL DEFAULT 0,
  drawn_at    BIGINT NOT NULL,
  drawn_by    TEXT NOT NULL,
  grade       TEXT NOT NULL DEFAULT '',
  categories  TEXT NOT NULL DEFAULT '[]',
  note        TEXT NOT NULL DEFAULT '',
  graded_by   TEXT NOT NULL DEFAULT '',
  graded_at   BIGINT,
  PRIMARY KEY (month, entry_id)
);
CREATE INDEX spot_checks_unit ON spot_checks (unit, month);

-- Quarterly bulletins (季度通报), archived as generated.
CREATE TABLE bulletins (
  quarter       TEXT PRIMARY KEY,
  generated_at  BIGINT NOT NULL,
  generated_by  TEXT NOT NULL,
  data          TEXT NOT NULL,
  sha256        TEXT NOT NULL
);

-- Deadline campaigns: which columns every unit must have updated since the
-- campaign's start, by its deadline.
CREATE TABLE campaigns (
  id          {{pk}},
  title       TEXT NOT NULL,
  starts_at   BIGINT NOT NULL,
  deadline    BIGINT NOT NULL,
  columns     TEXT NOT NULL DEFAULT '[]',
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);

-- Scheduled jobs: a run claims its job and day, so that replicas sharing
-- the database run each daily job once.
CREATE TABLE job_runs (
  job         TEXT NOT NULL,
  day         TEXT NOT NULL,
  started_at  BIGINT NOT NULL,
  runner      TEXT NOT NULL,
  PRIMARY KEY (job, day)
);
`, ""},
	{9, "popular queries", `
-- Popular queries (大家都在搜): per normalised query and China day, how many
-- distinct clients asked it and how many times. clients is added up over
-- flush windows of a day, replicas and restarts (docs/popular-queries.md
-- says exactly what it counts); no client address is stored, and queries
-- that look like personal data are dropped before they are counted.
CREATE TABLE popular_query_days (
  query    TEXT NOT NULL,
  day      TEXT NOT NULL,
  clients  BIGINT NOT NULL,
  asks     BIGINT NOT NULL,
  PRIMARY KEY (query, day)
);
CREATE INDEX popular_query_days_day ON popular_query_days (day);

-- The office's moderation of the public list. state: hidden (never shown)
-- or pinned (always shown first); a query without a row is shown by its
-- count.
CREATE TABLE popular_query_marks (
  query      TEXT PRIMARY KEY,
  state      TEXT NOT NULL,
  marked_at  BIGINT NOT NULL,
  marked_by  TEXT NOT NULL
);

-- The counts kept until now were made without the personal-data filter
-- and without telling clients apart: they are not carried over.
DELETE FROM search_queries;
`, ""},
	{10, "job run ends", `
-- When a claimed run of a daily job ended successfully. A claim without
-- it is a run under way or one whose runner died in the middle: the next
-- runner holding the job's lock takes it over. The runs claimed until now
-- are taken as finished.
ALTER TABLE job_runs ADD COLUMN finished_at BIGINT;
UPDATE job_runs SET finished_at = started_at;
`, ""},
	{11, "search query counts dropped", `
-- The query counts of before version 9, emptied then and replaced by
-- popular_query_days: nothing reads or writes them any more.
DROP TABLE search_queries;
`, ""},
}

// migrate applies every migration newer than the database's version. On
// PostgreSQL an advisory lock keeps replicas starting together from racing.
func (s *Store) migrate(ctx context.Context) error {
	return s.migrateTo(ctx, migrations[len(migrations)-1].version)
}

// migrateTo applies the migrations newer than the database's version up to
// version upTo (a restore loads a backup at the schema it was taken at).
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	conn, err := s.w.Connx(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if s.dialect == Postgres {
		const lockKey = 0x67_6f_6e_67 // "gong"
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
			return fmt.Errorf("store: migrate lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var current int
	if err := conn.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, m := range migrations {
		if m.version <= current || m.version > upTo {
			continue
		}
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migration %d: %w", m.version, err)
		}
		text := m.render(s.dialect)
		if s.dialect == Postgres && m.pg != "" {
			text += ";\n" + m.pg
		}
		for _, stmt := range splitStatements(text) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: migration %d (%s): %w\n%s", m.version, m.name, err, stmt)
			}
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`), m.version, m.name, nowMillis()); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", m.version, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %d: %w", m.version, err)
		}
	}
	return nil
}

// SchemaVersion returns the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.get(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	return v, err
}

// splitStatements splits a migration on semicolons at line ends; the
// schema has no semicolons inside literals.
func splitStatements(sqlText string) []string {
	var out []string
	for _, part := range strings.Split(sqlText, ";\n") {
		var lines []string
		for _, l := range strings.Split(part, "\n") {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
				lines = append(lines, l)
			}
		}
		if stmt := strings.TrimSpace(strings.TrimSuffix(strings.Join(lines, "\n"), ";")); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}
