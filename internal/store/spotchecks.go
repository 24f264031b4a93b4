package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gongkai/internal/catalog"
)

// What monthly spot checks (月度抽查) and quarterly bulletins (季度通报)
// keep and read: the entries a month's sample is drawn from, the drawn
// samples with their grades and roll-ups, the archived bulletins, and the
// facts of a past quarter the supervision report does not hold (notices
// as they stood, the catalog trees in force then).

// SpotCandidate is an entry a unit's monthly sample may draw.
type SpotCandidate struct {
	ID          string `db:"id"`
	Unit        string `db:"unit"`
	Column      string `db:"column_code"`
	Title       string `db:"title"`
	PublishedMS int64  `db:"published_at"`
}

// SpotCandidates lists the entries published in [from, to] that stood
// published at to, of one unit ("" for every unit), ordered by unit and id.
func (s *Store) SpotCandidates(ctx context.Context, from, to time.Time, unit string) ([]SpotCandidate, error) {
	at := Millis(to)
	q := `SELECT id, unit, column_code, title, published_at FROM entries WHERE ` + publishedAsOf + ` AND published_at >= ?`
	args := []any{at, at, Millis(from)}
	if unit != "" {
		q += ` AND unit = ?`
		args = append(args, unit)
	}
	var out []SpotCandidate
	if err := s.sel(ctx, &out, q+` ORDER BY unit, id`, args...); err != nil {
		return nil, fmt.Errorf("store: spot-check candidates: %w", err)
	}
	return out, nil
}

// Spot-check grades.
const (
	GradeNone     = ""
	GradePass     = "pass"
	GradeProblems = "problems"
)

// SpotCheck is one drawn entry of a month's sample, with its grade and,
// as read, the entry's present title and column.
type SpotCheck struct {
	Month      string `db:"month"`
	EntryID    string `db:"entry_id"`
	Unit       string `db:"unit"`
	Position   int    `db:"position"`
	Seed       string `db:"seed"`
	Candidates int    `db:"candidates"`
	DrawnAtMS  int64  `db:"drawn_at"`
	DrawnBy    string `db:"drawn_by"`
	Grade      string `db:"grade"`
	Categories string `db:"categories"` // a JSON array of category codes
	Note       string `db:"note"`
	GradedBy   string `db:"graded_by"`
	GradedAtMS *int64 `db:"graded_at"`

	Title       string `db:"title"`
	Column      string `db:"column_code"`
	ColumnName  string `db:"column_name"`
	PublishedMS *int64 `db:"published_at"`
}

// DrawnAt, GradedAt and PublishedAt as times (nil: not yet).
func (c SpotCheck) DrawnAt() time.Time      { return FromMillis(c.DrawnAtMS) }
func (c SpotCheck) GradedAt() *time.Time    { return optTime(c.GradedAtMS) }
func (c SpotCheck) PublishedAt() *time.Time { return optTime(c.PublishedMS) }

// GradeStamp is the instant of the row's grade in milliseconds, 0 when it
// is ungraded: what a grade form carries to detect a grade given since.
func (c SpotCheck) GradeStamp() int64 {
	if c.GradedAtMS == nil {
		return 0
	}
	return *c.GradedAtMS
}

const spotCheckSelect = `SELECT s.month, s.entry_id, s.unit, s.position, s.seed, s.candidates, s.drawn_at, s.drawn_by, s.grade,
 s.categories, s.note, s.graded_by, s.graded_at, e.title, e.column_code, COALESCE(c.name, e.column_code) AS column_name, e.published_at
FROM spot_checks s JOIN entries e ON e.id = s.entry_id
LEFT JOIN unit_columns c ON c.unit = e.unit AND c.code = e.column_code`

// NewSpotCheck is one drawn row as stored.
type NewSpotCheck struct {
	EntryID    string
	Unit       string
	Position   int
	Seed       string
	Candidates int
}

// ErrSpotChecksGraded refuses to draw a month again once a row of its
// sample has been graded.
var ErrSpotChecksGraded = fmt.Errorf("%w: 该月抽查已有评定结果，不能重新抽取 (the month's sample has grades)", ErrConflict)

// ReplaceSpotChecks stores a month's sample in this transaction, replacing
// an earlier draw of that month only while none of its rows is graded.
func (t *Tx) ReplaceSpotChecks(ctx context.Context, month string, rows []NewSpotCheck, at time.Time, by string) error {
	if t.dialect == Postgres {
		// One draw at a time, so that two never interleave their rows.
		if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(0x73706f74)); err != nil {
			return fmt.Errorf("store: spot-check lock: %w", err)
		}
	}
	var graded int
	if err := t.get(ctx, &graded, `SELECT COUNT(*) FROM spot_checks WHERE month = ? AND grade <> ''`, month); err != nil {
		return fmt.Errorf("store: spot checks of %s: %w", month, err)
	}
	if graded > 0 {
		return ErrSpotChecksGraded
	}
	if _, err := t.exec(ctx, `DELETE FROM spot_checks WHERE month = ? AND grade = ''`, month); err != nil {
		return fmt.Errorf("store: replace spot checks of %s: %w", month, err)
	}
	for _, r := range rows {
		if _, err := t.exec(ctx, `INSERT INTO spot_checks (month, entry_id, unit, position, seed, candidates, drawn_at, drawn_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, month, r.EntryID, r.Unit, r.Position, r.Seed, r.Candidates, Millis(at), by); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("%w: 该月刚被他人抽取 (drawn meanwhile)", ErrConflict)
			}
			return fmt.Errorf("store: draw %s %s: %w", month, r.EntryID, err)
		}
	}
	return nil
}

// SpotChecks reads a month's sample ("" unit for every unit), by unit and
// position.
func (s *Store) SpotChecks(ctx context.Context, month, unit string) ([]SpotCheck, error) {
	q, args := spotCheckSelect+` WHERE s.month = ?`, []any{month}
	if unit != "" {
		q += ` AND s.unit = ?`
		args = append(args, unit)
	}
	var out []SpotCheck
	if err := s.sel(ctx, &out, q+` ORDER BY s.unit, s.position`, args...); err != nil {
		return nil, fmt.Errorf("store: spot checks of %s: %w", month, err)
	}
	return out, nil
}

// SpotCheck reads one row of a month's sample.
func (s *Store) SpotCheck(ctx context.Context, month, entry string) (SpotCheck, error) {
	var c SpotCheck
	if err := s.get(ctx, &c, spotCheckSelect+` WHERE s.month = ? AND s.entry_id = ?`, month, entry); err != nil {
		return c, notFound(err, fmt.Sprintf("spot check %s %s", month, entry))
	}
	return c, nil
}

// SpotGrade is a reviewer's grade of one drawn entry.
type SpotGrade struct {
	Grade      string
	Categories string // a JSON array of category codes
	Note       string
	By         string
	At         time.Time
}

// ErrGradeStale refuses a grade given over one the grader had not seen.
var ErrGradeStale = fmt.Errorf("%w: 该条抽查刚被他人评定，请刷新后查看 (graded by someone else meanwhile)", ErrStale)

// GradeSpotCheck grades one row in this transaction, only if its grade is
// still the one stamped seen (GradeStamp; 0: ungraded). It returns the
// row's grade before and after.
func (t *Tx) GradeSpotCheck(ctx context.Context, month, entry string, g SpotGrade, seen int64) (before SpotCheck, after SpotCheck, err error) {
	lock := ""
	if t.dialect == Postgres {
		lock = " FOR UPDATE OF s"
	}
	if err := t.get(ctx, &before, spotCheckSelect+` WHERE s.month = ? AND s.entry_id = ?`+lock, month, entry); err != nil {
		return before, after, notFound(err, fmt.Sprintf("spot check %s %s", month, entry))
	}
	res, err := t.exec(ctx, `UPDATE spot_checks SET grade = ?, categories = ?, note = ?, graded_by = ?, graded_at = ?
WHERE month = ? AND entry_id = ? AND COALESCE(graded_at, 0) = ?`, g.Grade, g.Categories, g.Note, g.By, Millis(g.At), month, entry, seen)
	if err != nil {
		return before, after, fmt.Errorf("store: grade %s %s: %w", month, entry, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return before, after, ErrGradeStale
	}
	if err := t.get(ctx, &after, spotCheckSelect+` WHERE s.month = ? AND s.entry_id = ?`, month, entry); err != nil {
		return before, after, notFound(err, fmt.Sprintf("spot check %s %s", month, entry))
	}
	return before, after, nil
}

// SpotRollupQuery selects the rows a roll-up counts.
type SpotRollupQuery struct {
	Months []string // the samples' months; empty: every month
	// DrawnFrom and DrawnTo keep rows drawn in [DrawnFrom, DrawnTo] (zero:
	// no bound).
	DrawnFrom, DrawnTo time.Time
	// GradedBy counts only grades given by then (zero: every grade).
	GradedBy time.Time
	// Categories are the problem categories to count, by code.
	Categories []string
	// PerMonth groups by unit and month; otherwise by unit alone.
	PerMonth bool
}

// SpotRollup is one unit's (and month's) sample counted.
type SpotRollup struct {
	Unit    string
	Month   string // "" when not grouped by month
	Sampled int
	Graded  int
	Passed  int
	// Problems counts the rows graded with problems; ByCategory those that
	// name each category (a row may name several).
	Problems   int
	ByCategory map[string]int
}

// SpotRollups counts samples, grades, passes and problems by category per
// unit (and month), in the database.
func (s *Store) SpotRollups(ctx context.Context, q SpotRollupQuery) ([]SpotRollup, error) {
	var args []any
	graded := `grade <> ''`
	if !q.GradedBy.IsZero() {
		graded = `grade <> '' AND graded_at <= ?`
	}
	cond := func(c string) string {
		if !q.GradedBy.IsZero() {
			args = append(args, Millis(q.GradedBy))
		}
		return `SUM(CASE WHEN ` + graded + c + ` THEN 1 ELSE 0 END)`
	}
	var b strings.Builder
	b.WriteString(`SELECT unit, `)
	if q.PerMonth {
		b.WriteString(`month, `)
	} else {
		b.WriteString(`'' AS month, `)
	}
	b.WriteString(`COUNT(*), ` + cond("") + `, ` + cond(` AND grade = 'pass'`) + `, ` + cond(` AND grade = 'problems'`))
	for _, c := range q.Categories {
		if strings.ContainsAny(c, `%_"\`) {
			return nil, fmt.Errorf("store: spot-check category %q", c)
		}
		b.WriteString(`, ` + cond(` AND grade = 'problems' AND categories LIKE ?`))
		args = append(args, `%"`+c+`"%`)
	}
	b.WriteString(` FROM spot_checks WHERE 1 = 1`)
	if len(q.Months) > 0 {
		b.WriteString(` AND month IN (` + placeholders(len(q.Months)) + `)`)
		for _, m := range q.Months {
			args = append(args, m)
		}
	}
	if !q.DrawnFrom.IsZero() {
		b.WriteString(` AND drawn_at >= ?`)
		args = append(args, Millis(q.DrawnFrom))
	}
	if !q.DrawnTo.IsZero() {
		b.WriteString(` AND drawn_at <= ?`)
		args = append(args, Millis(q.DrawnTo))
	}
	if q.PerMonth {
		b.WriteString(` GROUP BY unit, month ORDER BY unit, month`)
	} else {
		b.WriteString(` GROUP BY unit ORDER BY unit`)
	}
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	rows, err := s.r.QueryContext(ctx, s.r.Rebind(b.String()), args...)
	if err != nil {
		return nil, fmt.Errorf("store: spot-check roll-up: %w", err)
	}
	defer rows.Close()
	var out []SpotRollup
	for rows.Next() {
		r := SpotRollup{ByCategory: map[string]int{}}
		counts := make([]int64, len(q.Categories))
		var sampled, gradedN, passed, problems int64
		dest := []any{&r.Unit, &r.Month, &sampled, &gradedN, &passed, &problems}
		for i := range counts {
			dest = append(dest, &counts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: spot-check roll-up: %w", err)
		}
		r.Sampled, r.Graded, r.Passed, r.Problems = int(sampled), int(gradedN), int(passed), int(problems)
		for i, c := range q.Categories {
			r.ByCategory[c] = int(counts[i])
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: spot-check roll-up: %w", err)
	}
	return out, nil
}

// SpotMonth is one drawn month: when it was drawn and how far graded.
type SpotMonth struct {
	Month     string `db:"month"`
	Rows      int    `db:"n"`
	Graded    int    `db:"graded"`
	DrawnAtMS int64  `db:"drawn_at"`
}

// SpotMonths lists the drawn months, newest first.
func (s *Store) SpotMonths(ctx context.Context) ([]SpotMonth, error) {
	var out []SpotMonth
	if err := s.sel(ctx, &out, `SELECT month, COUNT(*) AS n, SUM(CASE WHEN grade <> '' THEN 1 ELSE 0 END) AS graded, MIN(drawn_at) AS drawn_at
FROM spot_checks GROUP BY month ORDER BY month DESC`); err != nil {
		return nil, fmt.Errorf("store: spot-check months: %w", err)
	}
	return out, nil
}

// ---- bulletins

// Bulletin is an archived quarterly bulletin: its data as generated, and
// the SHA-256 of that data.
type Bulletin struct {
	Quarter       string `db:"quarter"`
	GeneratedAtMS int64  `db:"generated_at"`
	GeneratedBy   string `db:"generated_by"`
	Data          string `db:"data"`
	SHA256        string `db:"sha256"`
}

// GeneratedAt is when the bulletin was archived.
func (b Bulletin) GeneratedAt() time.Time { return FromMillis(b.GeneratedAtMS) }

// ErrBulletinArchived refuses to archive a quarter twice.
var ErrBulletinArchived = fmt.Errorf("%w: 该季度通报已存档 (the quarter's bulletin is archived)", ErrConflict)

// InsertBulletin archives a bulletin in this transaction; a quarter is
// archived once.
func (t *Tx) InsertBulletin(ctx context.Context, b Bulletin) error {
	if _, err := t.exec(ctx, `INSERT INTO bulletins (quarter, generated_at, generated_by, data, sha256) VALUES (?, ?, ?, ?, ?)`,
		b.Quarter, b.GeneratedAtMS, b.GeneratedBy, b.Data, b.SHA256); err != nil {
		if isUniqueViolation(err) {
			return ErrBulletinArchived
		}
		return fmt.Errorf("store: archive bulletin %s: %w", b.Quarter, err)
	}
	return nil
}

// Bulletin reads an archived bulletin.
func (s *Store) Bulletin(ctx context.Context, quarter string) (Bulletin, error) {
	var b Bulletin
	if err := s.get(ctx, &b, `SELECT quarter, generated_at, generated_by, data, sha256 FROM bulletins WHERE quarter = ?`, quarter); err != nil {
		return b, notFound(err, "bulletin "+quarter)
	}
	return b, nil
}

// Bulletins lists the archived bulletins without their data, newest
// quarter first.
func (s *Store) Bulletins(ctx context.Context) ([]Bulletin, error) {
	var out []Bulletin
	if err := s.sel(ctx, &out, `SELECT quarter, generated_at, generated_by, '' AS data, sha256 FROM bulletins ORDER BY quarter DESC`); err != nil {
		return nil, fmt.Errorf("store: bulletins: %w", err)
	}
	return out, nil
}

// ---- a past quarter's facts

// NoticeTally is one unit's supervision notices in a period.
type NoticeTally struct {
	Unit string `db:"unit"`
	// Raised and Closed in the period; Open those raised by its end and
	// not closed by then; Overdue those of them past their deadline then.
	Raised  int `db:"raised"`
	Closed  int `db:"closed"`
	Open    int `db:"open"`
	Overdue int `db:"overdue"`
}

// NoticeTallies counts each unit's notices raised and closed in
// [from, to], and those open (and overdue) at to, as the notices' own
// instants tell.
func (s *Store) NoticeTallies(ctx context.Context, from, to time.Time) ([]NoticeTally, error) {
	f, e := Millis(from), Millis(to)
	var out []NoticeTally
	if err := s.sel(ctx, &out, `SELECT unit,
  SUM(CASE WHEN raised_at >= ? THEN 1 ELSE 0 END) AS raised,
  SUM(CASE WHEN closed_at IS NOT NULL AND closed_at >= ? AND closed_at <= ? THEN 1 ELSE 0 END) AS closed,
  SUM(CASE WHEN closed_at IS NULL OR closed_at > ? THEN 1 ELSE 0 END) AS open,
  SUM(CASE WHEN (closed_at IS NULL OR closed_at > ?) AND due_at < ? THEN 1 ELSE 0 END) AS overdue
FROM notices WHERE raised_at <= ? GROUP BY unit ORDER BY unit`, f, f, e, e, e, e, e); err != nil {
		return nil, fmt.Errorf("store: notice tallies: %w", err)
	}
	return out, nil
}

// NoticesOverdueAt lists the notices open at an instant and past their
// deadline then, oldest deadline first.
func (s *Store) NoticesOverdueAt(ctx context.Context, at time.Time) ([]Notice, error) {
	e := Millis(at)
	var out []Notice
	if err := s.sel(ctx, &out, `SELECT `+noticeFields+` FROM notices WHERE raised_at <= ? AND (closed_at IS NULL OR closed_at > ?)
AND due_at < ? ORDER BY due_at, id LIMIT 5000`, e, e, e); err != nil {
		return nil, fmt.Errorf("store: overdue notices: %w", err)
	}
	return out, nil
}

// UnitsAsOf lists the units that existed at an instant, with their
// creation times, in the city's order: those stored by then, and those
// stored later with entries published by then (a unit imported with its
// history existed when it published).
func (s *Store) UnitsAsOf(ctx context.Context, at time.Time) ([]SupervisedUnit, error) {
	var out []SupervisedUnit
	if err := s.sel(ctx, &out, `SELECT code, name, kind, org_code, parent, created_at FROM units u WHERE created_at <= ?
  OR EXISTS (SELECT 1 FROM entries e WHERE e.unit = u.code AND e.published_at IS NOT NULL AND e.published_at <= ?)
ORDER BY `+kindOrder+`, code`, Millis(at), Millis(at)); err != nil {
		return nil, fmt.Errorf("store: units as of: %w", err)
	}
	return out, nil
}

// LeafColumnsAsOf returns the leaf columns that were in force at an
// instant, of every unit, in each tree's order and with their present
// definitions: the filings of the trees tell when a unit's column came
// into force (filed, or approved) and left it (removed, or restored after
// a rejected removal); a column no filing names is the template's, in
// force since the unit was created.
func (s *Store) LeafColumnsAsOf(ctx context.Context, at time.Time) ([]catalog.TreeColumn, error) {
	var cols []catalog.TreeColumn
	if err := s.sel(ctx, &cols, `SELECT unit, `+columnFields+`, origin, state FROM unit_columns WHERE leaf = ? ORDER BY unit, position, code`, true); err != nil {
		return nil, fmt.Errorf("store: leaf columns: %w", err)
	}
	var filings []Filing
	if err := s.sel(ctx, &filings, `SELECT id, unit, action, column_code, column_name, reason, filed_by, filed_at, state, decided_by, decided_at, decision
FROM column_filings ORDER BY filed_at, id`); err != nil {
		return nil, fmt.Errorf("store: filings: %w", err)
	}
	byColumn := map[[2]string][]Filing{}
	for _, f := range filings {
		k := [2]string{f.Unit, f.ColumnCode}
		byColumn[k] = append(byColumn[k], f)
	}
	out := make([]catalog.TreeColumn, 0, len(cols))
	for _, c := range cols {
		fs := byColumn[[2]string{c.Unit, c.Code}]
		if len(fs) == 0 {
			if c.State == catalog.ColumnActive {
				out = append(out, c)
			}
			continue
		}
		if inForceAt(fs, Millis(at)) {
			out = append(out, c)
		}
	}
	return out, nil
}

// inForceAt replays a column's filings up to at. Before its first filing
// a column is in force only if that filing removes it (a template column).
func inForceAt(fs []Filing, at int64) bool {
	type event struct {
		at    int64
		seq   int
		force bool
	}
	var evs []event
	for i, f := range fs {
		decided := f.DecidedMS != 0
		switch f.Action {
		case catalog.FilingAdd:
			switch {
			case f.State == catalog.FilingFiled || f.State == catalog.FilingAcknowledged:
				evs = append(evs, event{f.FiledAtMS, 2 * i, true})
			case f.State == catalog.FilingApproved && decided:
				evs = append(evs, event{f.DecidedMS, 2*i + 1, true})
			}
		case catalog.FilingRemove:
			evs = append(evs, event{f.FiledAtMS, 2 * i, false})
			if f.State == catalog.FilingRejected && decided {
				evs = append(evs, event{f.DecidedMS, 2*i + 1, true})
			}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].at != evs[j].at {
			return evs[i].at < evs[j].at
		}
		return evs[i].seq < evs[j].seq
	})
	force := fs[0].Action == catalog.FilingRemove
	for _, e := range evs {
		if e.at > at {
			break
		}
		force = e.force
	}
	return force
}
