package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Popular queries (大家都在搜): counts per query and day, added up by every
// replica's flushes, and the office's hides and pins. Which queries may
// be counted at all (no personal data, bounded length) is the indexer's
// rule; the store keeps what it is given.

// ChangePopular is the change-log kind of a moderation of the popular
// list or of its settings: pages showing the list are stale after it.
const ChangePopular = "popular"

// States of a moderated query.
const (
	QueryHidden = "hidden"
	QueryPinned = "pinned"
)

// MaxPinnedQueries is how many queries the office may pin at once.
const MaxPinnedQueries = 5

// ErrTooManyPins refuses a pin beyond MaxPinnedQueries.
var ErrTooManyPins = errors.New("store: too many pinned queries")

// QueryDayCount is what one flush adds to one query's day: the clients
// newly seen asking it in that window, and how many times it was asked.
type QueryDayCount struct {
	Query   string
	Day     string // YYYY-MM-DD, China time
	Clients int64
	Asks    int64
}

// AddPopularCounts adds counts to the days' rows, creating them as needed.
// Adding (never setting) lets replicas flush into one database without
// overwriting each other's counts.
func (s *Store) AddPopularCounts(ctx context.Context, counts []QueryDayCount) error {
	type key struct{ q, day string }
	merged := map[key]*QueryDayCount{}
	for _, c := range counts {
		if c.Query == "" || c.Day == "" || (c.Clients <= 0 && c.Asks <= 0) {
			continue
		}
		k := key{c.Query, c.Day}
		if m := merged[k]; m != nil {
			m.Clients += c.Clients
			m.Asks += c.Asks
		} else {
			c := c
			merged[k] = &c
		}
	}
	if len(merged) == 0 {
		return nil
	}
	rows := make([]QueryDayCount, 0, len(merged))
	for _, m := range merged {
		rows = append(rows, *m)
	}
	// A fixed order of keys: two replicas flushing the same queries at
	// once on PostgreSQL then take the row locks in the same order.
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Query != rows[j].Query {
			return rows[i].Query < rows[j].Query
		}
		return rows[i].Day < rows[j].Day
	})
	const chunk = 250 // 4 parameters a row, well under both databases' limits
	return s.inTx(ctx, func(t *Tx) error {
		for len(rows) > 0 {
			n := min(chunk, len(rows))
			args := make([]any, 0, 4*n)
			for _, r := range rows[:n] {
				args = append(args, r.Query, r.Day, r.Clients, r.Asks)
			}
			values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ")
			if _, err := t.exec(ctx, `INSERT INTO popular_query_days (query, day, clients, asks) VALUES `+values+`
ON CONFLICT (query, day) DO UPDATE SET clients = popular_query_days.clients + excluded.clients,
  asks = popular_query_days.asks + excluded.asks`, args...); err != nil {
				return fmt.Errorf("store: count popular queries: %w", err)
			}
			rows = rows[n:]
		}
		return nil
	})
}

// PopularQuery is a query with its figures over a span of days.
type PopularQuery struct {
	Query   string `db:"query"`
	Clients int64  `db:"clients"` // the days' distinct clients added up
	Asks    int64  `db:"asks"`
	Days    int64  `db:"days"`  // days on which it was asked
	State   string `db:"state"` // "", QueryHidden or QueryPinned
}

// PopularFilter selects popular queries.
type PopularFilter struct {
	Since      string // first day counted, YYYY-MM-DD
	MinClients int64
	Limit      int // default 20, at most 1000
	// Unmarked leaves out every hidden and pinned query (the public
	// list, which adds the pins itself); otherwise they come with their
	// state (the office's list).
	Unmarked bool
}

// PopularQueries returns the queries with at least MinClients clients
// since Since, most clients first.
func (s *Store) PopularQueries(ctx context.Context, f PopularFilter) ([]PopularQuery, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 20
	}
	q := `SELECT d.query, CAST(SUM(d.clients) AS BIGINT) AS clients, CAST(SUM(d.asks) AS BIGINT) AS asks,
  COUNT(*) AS days, COALESCE(MAX(m.state), '') AS state
FROM popular_query_days d LEFT JOIN popular_query_marks m ON m.query = d.query
WHERE d.day >= ?`
	if f.Unmarked {
		q += ` AND m.query IS NULL`
	}
	q += ` GROUP BY d.query HAVING SUM(d.clients) >= ? ORDER BY SUM(d.clients) DESC, d.query LIMIT ?`
	out := []PopularQuery{}
	if err := s.sel(ctx, &out, q, f.Since, f.MinClients, f.Limit); err != nil {
		return nil, fmt.Errorf("store: popular queries: %w", err)
	}
	return out, nil
}

// QueryMark is a query the office hid or pinned.
type QueryMark struct {
	Query    string `db:"query"`
	State    string `db:"state"`
	MarkedMS int64  `db:"marked_at"`
	MarkedBy string `db:"marked_by"`
	Clients  int64  `db:"clients"` // since the day asked for
	Asks     int64  `db:"asks"`
}

// MarkedAt is when the office hid or pinned the query.
func (m QueryMark) MarkedAt() time.Time { return FromMillis(m.MarkedMS) }

// QueryMarks returns every hidden and pinned query with its figures since
// the day given, pins first, each group in the order it was marked.
func (s *Store) QueryMarks(ctx context.Context, since string) ([]QueryMark, error) {
	out := []QueryMark{}
	if err := s.sel(ctx, &out, `SELECT m.query, m.state, m.marked_at, m.marked_by,
  COALESCE((SELECT CAST(SUM(d.clients) AS BIGINT) FROM popular_query_days d WHERE d.query = m.query AND d.day >= ?), 0) AS clients,
  COALESCE((SELECT CAST(SUM(d.asks) AS BIGINT) FROM popular_query_days d WHERE d.query = m.query AND d.day >= ?), 0) AS asks
FROM popular_query_marks m
ORDER BY CASE m.state WHEN 'pinned' THEN 0 ELSE 1 END, m.marked_at, m.query`, since, since); err != nil {
		return nil, fmt.Errorf("store: popular query marks: %w", err)
	}
	return out, nil
}

// MarkQuery sets a query's state in this transaction (state "" takes the
// mark away) and returns the state it had. Pinning beyond
// MaxPinnedQueries fails with ErrTooManyPins. The change is logged, so
// that cached pages showing the list are renewed.
func (t *Tx) MarkQuery(ctx context.Context, query, state, by string, at time.Time) (string, error) {
	if query == "" {
		return "", fmt.Errorf("store: mark query: empty query")
	}
	switch state {
	case "", QueryHidden, QueryPinned:
	default:
		return "", fmt.Errorf("store: mark query: unknown state %q", state)
	}
	if t.dialect == Postgres {
		// Two office users pinning at once must not both see room for one
		// more pin: the count and the insert run one transaction at a time.
		if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, jobLockKey("popular.marks")); err != nil {
			return "", fmt.Errorf("store: mark query: %w", err)
		}
	}
	var prev string
	if err := t.get(ctx, &prev, `SELECT COALESCE(MAX(state), '') FROM popular_query_marks WHERE query = ?`, query); err != nil {
		return "", fmt.Errorf("store: mark query: %w", err)
	}
	if prev == state {
		return prev, nil
	}
	if state == QueryPinned {
		var pins int
		if err := t.get(ctx, &pins, `SELECT COUNT(*) FROM popular_query_marks WHERE state = ?`, QueryPinned); err != nil {
			return "", fmt.Errorf("store: mark query: %w", err)
		}
		if pins >= MaxPinnedQueries {
			return prev, ErrTooManyPins
		}
	}
	var err error
	if state == "" {
		_, err = t.exec(ctx, `DELETE FROM popular_query_marks WHERE query = ?`, query)
	} else {
		_, err = t.exec(ctx, `INSERT INTO popular_query_marks (query, state, marked_at, marked_by) VALUES (?, ?, ?, ?)
ON CONFLICT (query) DO UPDATE SET state = excluded.state, marked_at = excluded.marked_at, marked_by = excluded.marked_by`,
			query, state, Millis(at), by)
	}
	if err != nil {
		return "", fmt.Errorf("store: mark query: %w", err)
	}
	return prev, t.appendChanges(ctx, []ChangeRef{{Kind: ChangePopular, Ref: "marks", Op: OpUpsert}})
}

// PrunePopularDays forgets the counts of days before the one given.
func (s *Store) PrunePopularDays(ctx context.Context, before string) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `DELETE FROM popular_query_days WHERE day < ?`, before)
		if err != nil {
			return fmt.Errorf("store: prune popular queries: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// PopularSettings say which queries the public list shows: those asked
// by at least MinClients clients over the last Days days (China time,
// today included).
type PopularSettings struct {
	MinClients int `json:"min_clients"`
	Days       int `json:"days"`
}

// Defaults and bounds of the popular list's settings.
const (
	DefaultPopularMinClients = 20
	DefaultPopularDays       = 30
	MaxPopularDays           = 365
	MaxPopularMinClients     = 1000000
)

const popularSettingKey = "popular_queries"

// DefaultPopularSettings are the settings until the office changes them.
func DefaultPopularSettings() PopularSettings {
	return PopularSettings{MinClients: DefaultPopularMinClients, Days: DefaultPopularDays}
}

// Check reports the first setting out of bounds, in words for people.
func (p PopularSettings) Check() error {
	var bad []string
	if p.MinClients < 1 || p.MinClients > MaxPopularMinClients {
		bad = append(bad, fmt.Sprintf("最少客户端数应为 1 到 %d 之间的整数", MaxPopularMinClients))
	}
	if p.Days < 1 || p.Days > MaxPopularDays {
		bad = append(bad, fmt.Sprintf("统计天数应为 1 到 %d 之间的整数", MaxPopularDays))
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "；"))
	}
	return nil
}

// PopularSettings reads the settings; a missing or unreadable value gives
// the defaults.
func (s *Store) PopularSettings(ctx context.Context) (PopularSettings, error) {
	raw, err := s.Setting(ctx, popularSettingKey, "")
	if err != nil {
		return DefaultPopularSettings(), err
	}
	return parsePopularSettings(raw), nil
}

// PopularSettings reads the settings in this transaction.
func (t *Tx) PopularSettings(ctx context.Context) (PopularSettings, error) {
	raw, err := t.setting(ctx, popularSettingKey, "")
	if err != nil {
		return DefaultPopularSettings(), err
	}
	return parsePopularSettings(raw), nil
}

func parsePopularSettings(raw string) PopularSettings {
	p := DefaultPopularSettings()
	if raw == "" || json.Unmarshal([]byte(raw), &p) != nil || p.Check() != nil {
		return DefaultPopularSettings()
	}
	return p
}

// SetPopularSettings stores checked settings in this transaction and logs
// the change.
func (t *Tx) SetPopularSettings(ctx context.Context, p PopularSettings) error {
	if err := p.Check(); err != nil {
		return err
	}
	b, _ := json.Marshal(p)
	if err := t.SetSetting(ctx, popularSettingKey, string(b)); err != nil {
		return err
	}
	return t.appendChanges(ctx, []ChangeRef{{Kind: ChangePopular, Ref: "settings", Op: OpUpsert}})
}
