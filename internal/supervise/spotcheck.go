package supervise

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Monthly spot checks (月度抽查). Each month, once it has ended, the office
// draws a sample of every unit's entries published in that month and
// grades each drawn entry. The draw is reproducible: a unit's seed is the
// SHA-256 of "gongkai-spot-check:" + month + ":" + unit code (hex), each
// candidate is ranked by the SHA-256 of the seed's hex followed by the
// entry's id, and the lowest ranks are drawn. Anyone holding the unit's
// list of entries published in the month can recompute the sample
// (docs/supervision-spotchecks.md).

// Month is a calendar month in China's zone.
type Month struct {
	Year int
	Mon  time.Month
}

// ParseMonth reads a month written 2026-06.
func ParseMonth(s string) (Month, error) {
	t, err := time.ParseInLocation("2006-01", strings.TrimSpace(s), catalog.Shanghai)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return Month{}, catalog.FieldErrors{{Field: "month", Reason: fmt.Sprintf("月份 %q 应写作 2026-06 (a month such as 2026-06)", s)}}
	}
	return Month{t.Year(), t.Month()}, nil
}

// MonthOf is the month of an instant, in China's zone.
func MonthOf(t time.Time) Month {
	t = t.In(catalog.Shanghai)
	return Month{t.Year(), t.Month()}
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Mon)) }

// Label is the month for people: 2026年6月.
func (m Month) Label() string { return fmt.Sprintf("%d年%d月", m.Year, int(m.Mon)) }

// Start is the month's first instant.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, catalog.Shanghai) }

// End is the month's last instant, to the millisecond the store keeps.
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0).Add(-time.Millisecond) }

// Prev is the month before.
func (m Month) Prev() Month { return MonthOf(m.Start().AddDate(0, -1, 0)) }

// Next is the month after.
func (m Month) Next() Month { return MonthOf(m.Start().AddDate(0, 1, 0)) }

// Category is a kind of problem a reviewer finds in a drawn entry.
type Category struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Categories are the problems a spot check grades, in the order forms and
// tables show them.
var Categories = []Category{
	{"inaccurate", "内容不准确"},
	{"incomplete", "要素不全"},
	{"misplaced", "栏目错放"},
	{"late", "时效滞后"},
	{"deadlink", "链接失效"},
	{"sensitive", "敏感信息"},
	{"other", "其他"},
}

// CategoryOther needs a note saying what the problem is.
const CategoryOther = "other"

// CategoryLabel names a category for people.
func CategoryLabel(code string) string {
	for _, c := range Categories {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

func categoryCodes() []string {
	out := make([]string, len(Categories))
	for i, c := range Categories {
		out[i] = c.Code
	}
	return out
}

// GradeLabel names a grade for people.
func GradeLabel(g string) string {
	switch g {
	case store.GradePass:
		return "合格"
	case store.GradeProblems:
		return "存在问题"
	}
	return "待评定"
}

// SpotSeed is a unit's seed for a month: the hex SHA-256 of
// "gongkai-spot-check:2026-06:fgw".
func SpotSeed(m Month, unit string) string {
	sum := sha256.Sum256([]byte("gongkai-spot-check:" + m.String() + ":" + unit))
	return hex.EncodeToString(sum[:])
}

// SpotRank is a candidate's rank under a seed: the hex SHA-256 of the
// seed's hex followed by the entry's id. The lowest ranks are drawn.
func SpotRank(seed, entryID string) string {
	sum := sha256.Sum256([]byte(seed + entryID))
	return hex.EncodeToString(sum[:])
}

// Sample is one unit's draw for a month.
type Sample struct {
	Unit       string       `json:"unit"`
	Seed       string       `json:"seed"`
	Candidates int          `json:"candidates"`
	Drawn      []DrawnEntry `json:"entries"`
	From       []string     `json:"-"` // every candidate's id, sorted
}

// DrawnEntry is one drawn entry with its rank.
type DrawnEntry struct {
	Position int    `json:"position"`
	ID       string `json:"id"`
	Rank     string `json:"rank"`
}

// Draw draws a unit's sample for a month from its candidates (entries of
// other units are ignored): the size lowest-ranked under the unit's seed,
// ties (which SHA-256 makes vanishingly rare) going to the lower id. It
// reads no clock and no randomness: the same month, unit and candidates
// always draw the same sample, whatever their order.
func Draw(m Month, unit string, candidates []store.SpotCandidate, size int) Sample {
	s := Sample{Unit: unit, Seed: SpotSeed(m, unit), Drawn: []DrawnEntry{}}
	type ranked struct {
		c    store.SpotCandidate
		rank string
	}
	var rs []ranked
	seen := map[string]bool{}
	for _, c := range candidates {
		if c.Unit != unit || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		rs = append(rs, ranked{c, SpotRank(s.Seed, c.ID)})
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].rank != rs[j].rank {
			return rs[i].rank < rs[j].rank
		}
		return rs[i].c.ID < rs[j].c.ID
	})
	s.Candidates = len(rs)
	for _, r := range rs {
		s.From = append(s.From, r.c.ID)
	}
	sort.Strings(s.From)
	for i := 0; i < len(rs) && i < size; i++ {
		s.Drawn = append(s.Drawn, DrawnEntry{Position: i + 1, ID: rs[i].c.ID, Rank: rs[i].rank})
	}
	return s
}

// DrawResult is what drawing a month did.
type DrawResult struct {
	Month   Month    `json:"-"`
	Size    int      `json:"size"`
	Samples []Sample `json:"units"`
	// Redrawn is true when an earlier (ungraded) draw was replaced.
	Redrawn bool `json:"redrawn"`
}

// DrawMonth draws every unit's sample for a month that has ended, and
// stores it, audited with each unit's seed, candidate count and drawn ids.
// A month may be drawn again only while none of its rows is graded, and
// only in the quarter of its first draw (a past quarter's bulletin counts
// the draws made in it).
func (s *Service) DrawMonth(ctx context.Context, c auth.Caller, m Month) (*DrawResult, error) {
	if err := auth.CanSupervise(c.P); err != nil {
		return nil, s.refuse(ctx, c, "spotcheck.draw", "spotcheck", m.String(), "", err)
	}
	now := s.Now()
	if !now.After(m.End()) {
		return nil, catalog.FieldErrors{{Field: "month", Reason: fmt.Sprintf("%s尚未结束，月度抽查须在该月结束后抽取 (the month has not ended)", m.Label())}}
	}
	before, err := s.st.SpotChecks(ctx, m.String(), "")
	if err != nil {
		return nil, err
	}
	if len(before) > 0 {
		first := before[0].DrawnAt()
		for _, r := range before {
			if r.Grade != store.GradeNone {
				return nil, store.ErrSpotChecksGraded
			}
			if r.DrawnAt().Before(first) {
				first = r.DrawnAt()
			}
		}
		if QuarterOf(first) != QuarterOf(now) {
			return nil, fmt.Errorf("%w: %s的样本抽取于%s，已计入该季度通报，不能重新抽取 (drawn in a past quarter)",
				store.ErrConflict, m.Label(), QuarterOf(first).Label())
		}
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	units, err := s.st.UnitsAsOf(ctx, m.End())
	if err != nil {
		return nil, err
	}
	cands, err := s.st.SpotCandidates(ctx, m.Start(), m.End(), "")
	if err != nil {
		return nil, err
	}
	byUnit := map[string][]store.SpotCandidate{}
	for _, cd := range cands {
		byUnit[cd.Unit] = append(byUnit[cd.Unit], cd)
	}
	res := &DrawResult{Month: m, Size: set.SpotCheckSize, Redrawn: len(before) > 0, Samples: []Sample{}}
	var rows []store.NewSpotCheck
	empty := []string{}
	for _, u := range units {
		smp := Draw(m, u.Code, byUnit[u.Code], set.SpotCheckSize)
		res.Samples = append(res.Samples, smp)
		for _, d := range smp.Drawn {
			rows = append(rows, store.NewSpotCheck{EntryID: d.ID, Unit: u.Code, Position: d.Position, Seed: smp.Seed, Candidates: smp.Candidates})
		}
		if smp.Candidates == 0 {
			empty = append(empty, u.Code)
		}
	}
	// One record for the month, and one for each unit's sample: its seed,
	// how many entries it was drawn from, and the ids drawn.
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		if err := t.ReplaceSpotChecks(ctx, m.String(), rows, now, c.Actor().Name()); err != nil {
			return err
		}
		rec := func(unit string, after map[string]any) error {
			_, err := t.AppendAudit(ctx, audit.Record{At: now, Actor: c.Actor(), Action: "spotcheck.draw", ObjectKind: "spotcheck",
				ObjectID: m.String(), ObjectUnit: unit, Summary: audit.Change(nil, after)})
			return err
		}
		if err := rec("", map[string]any{"month": m.String(), "size": set.SpotCheckSize, "redrawn": res.Redrawn, "units": len(units),
			"drawn": len(rows), "no_candidates": empty, "rule": "seed = sha256(\"gongkai-spot-check:\" + month + \":\" + unit); rank = sha256(seed + id); lowest ranks drawn"}); err != nil {
			return err
		}
		for _, smp := range res.Samples {
			if smp.Candidates == 0 {
				continue
			}
			ids := make([]string, len(smp.Drawn))
			for i, d := range smp.Drawn {
				ids[i] = d.ID
			}
			if err := rec(smp.Unit, map[string]any{"month": m.String(), "seed": smp.Seed, "candidates": smp.Candidates, "drawn": ids}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// GradeInput is a reviewer's grade of one drawn entry.
type GradeInput struct {
	Month      Month
	Entry      string
	Grade      string // store.GradePass or store.GradeProblems
	Categories []string
	Note       string
	// Seen is the row's GradeStamp the reviewer saw (0: ungraded); a grade
	// given since is not overwritten.
	Seen int64
}

// maxGradeNote bounds a grade's note.
const maxGradeNote = 500

// Grade records a reviewer's grade of a drawn entry: pass, or problems in
// one or more categories, with a note (required for 其他). A grade may be
// changed until the end of the quarter the sample was drawn in; after it,
// the quarter's bulletin stands on it.
func (s *Service) Grade(ctx context.Context, c auth.Caller, in GradeInput) (store.SpotCheck, error) {
	id := in.Month.String() + "/" + in.Entry
	if err := auth.CanSupervise(c.P); err != nil {
		return store.SpotCheck{}, s.refuse(ctx, c, "spotcheck.grade", "spotcheck", id, "", err)
	}
	cats, fe := checkGrade(in)
	if len(fe) > 0 {
		return store.SpotCheck{}, fe
	}
	before, err := s.st.SpotCheck(ctx, in.Month.String(), in.Entry)
	if err != nil {
		return store.SpotCheck{}, err
	}
	now := s.Now()
	if before.Grade != store.GradeNone && now.After(QuarterOf(before.DrawnAt()).End()) {
		return store.SpotCheck{}, fmt.Errorf("%w: 该条抽查结果已计入%s通报，不能更改 (the grade stands in a past quarter's bulletin)",
			store.ErrConflict, QuarterOf(before.DrawnAt()).Label())
	}
	catJSON, _ := json.Marshal(cats)
	note := strings.TrimSpace(in.Note)
	var after store.SpotCheck
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		var was store.SpotCheck
		var err error
		was, after, err = t.GradeSpotCheck(ctx, in.Month.String(), in.Entry, store.SpotGrade{Grade: in.Grade, Categories: string(catJSON),
			Note: note, By: c.Actor().Name(), At: now}, in.Seen)
		if err != nil {
			return err
		}
		summary := func(r store.SpotCheck) map[string]any {
			return map[string]any{"grade": r.Grade, "categories": json.RawMessage(r.Categories), "note": r.Note}
		}
		var b any
		if was.Grade != store.GradeNone {
			b = summary(was)
		}
		_, err = t.AppendAudit(ctx, audit.Record{At: now, Actor: c.Actor(), Action: "spotcheck.grade", ObjectKind: "spotcheck",
			ObjectID: id, ObjectUnit: was.Unit, Summary: audit.Change(b, summary(after))})
		return err
	})
	if err != nil {
		return store.SpotCheck{}, err
	}
	return after, nil
}

// checkGrade validates a grade and returns its categories in the list's
// order, each once.
func checkGrade(in GradeInput) ([]string, catalog.FieldErrors) {
	var fe catalog.FieldErrors
	if strings.TrimSpace(in.Entry) == "" {
		fe.Add("entry", "请指明评定的信息 (no entry)")
	}
	cats := []string{}
	for _, c := range Categories {
		if slices.Contains(in.Categories, c.Code) {
			cats = append(cats, c.Code)
		}
	}
	for _, c := range in.Categories {
		if !slices.Contains(cats, c) {
			fe.Add("categories", fmt.Sprintf("未知的问题类别 %q (unknown category)", c))
		}
	}
	switch in.Grade {
	case store.GradePass:
		if len(in.Categories) > 0 {
			fe.Add("categories", "评定为合格时不应勾选问题类别 (a pass names no problem)")
		}
	case store.GradeProblems:
		if len(in.Categories) == 0 {
			fe.Add("categories", "评定为存在问题时请至少勾选一个问题类别 (name at least one problem)")
		}
	default:
		fe.Add("grade", "请选择评定结果：合格或存在问题 (pass or problems)")
	}
	note := strings.TrimSpace(in.Note)
	if slices.Contains(cats, CategoryOther) && note == "" {
		fe.Add("note", "勾选“其他”时请在说明中写明问题 (describe the other problem)")
	}
	if utf8.RuneCountInString(note) > maxGradeNote {
		fe.Add("note", fmt.Sprintf("说明最多 %d 字 (at most %d characters)", maxGradeNote, maxGradeNote))
	}
	return cats, fe
}

// Rollup is one unit's samples counted: sampled, graded, passed, the pass
// rate and the problems by category.
type Rollup struct {
	Unit     string `json:"unit"`
	Name     string `json:"unit_name,omitempty"`
	Sampled  int    `json:"sampled"`
	Graded   int    `json:"graded"`
	Passed   int    `json:"passed"`
	Problems int    `json:"problems"`
	// PassRate is the percentage of graded entries that passed, to one
	// decimal; nil when nothing is graded.
	PassRate   *float64       `json:"pass_rate"`
	ByCategory map[string]int `json:"by_category"`
}

// CategoryCount is a category with how often it was found.
type CategoryCount struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Found lists the categories found, in the list's order.
func (r Rollup) Found() []CategoryCount {
	var out []CategoryCount
	for _, c := range Categories {
		if n := r.ByCategory[c.Code]; n > 0 {
			out = append(out, CategoryCount{c.Code, c.Label, n})
		}
	}
	return out
}

// PassRateLabel writes the pass rate for people: 80.0%, or — when nothing
// is graded.
func (r Rollup) PassRateLabel() string {
	if r.PassRate == nil {
		return "—"
	}
	return strconv.FormatFloat(*r.PassRate, 'f', 1, 64) + "%"
}

func rollupOf(r store.SpotRollup) Rollup {
	out := Rollup{Unit: r.Unit, Sampled: r.Sampled, Graded: r.Graded, Passed: r.Passed, Problems: r.Problems, ByCategory: map[string]int{}}
	for _, c := range Categories {
		out.ByCategory[c.Code] = r.ByCategory[c.Code]
	}
	out.PassRate = passRate(r.Passed, r.Graded)
	return out
}

// passRate is passed/graded as a percentage to one decimal, rounded half
// up in integers so that it reads the same everywhere.
func passRate(passed, graded int) *float64 {
	if graded <= 0 {
		return nil
	}
	permille := (2000*passed + graded) / (2 * graded)
	f := float64(permille) / 10
	return &f
}

func (r *Rollup) add(o Rollup) {
	r.Sampled += o.Sampled
	r.Graded += o.Graded
	r.Passed += o.Passed
	r.Problems += o.Problems
	if r.ByCategory == nil {
		r.ByCategory = map[string]int{}
	}
	for k, v := range o.ByCategory {
		r.ByCategory[k] += v
	}
	r.PassRate = passRate(r.Passed, r.Graded)
}

// SpotUnit is one unit's part of a month's spot check.
type SpotUnit struct {
	Unit       string            `json:"unit"`
	Name       string            `json:"unit_name"`
	Seed       string            `json:"seed"`
	Candidates int               `json:"candidates"`
	Rows       []store.SpotCheck `json:"-"`
	Rollup     Rollup            `json:"rollup"`
}

// SpotMonthView is a month's spot check as the office reads it.
type SpotMonthView struct {
	Month Month
	// Ended: the month is over and may be drawn.
	Ended     bool
	Drawn     bool
	DrawnAt   time.Time
	DrawnBy   string
	Size      int
	Redraw    bool // the draw may be replaced (nothing graded, same quarter)
	Units     []SpotUnit
	Total     Rollup
	GradeOpen bool // grades may still be changed (the draw's quarter runs)
}

// SpotMonth reads a month's samples, grades and roll-ups per unit.
func (s *Service) SpotMonth(ctx context.Context, m Month) (*SpotMonthView, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	v := &SpotMonthView{Month: m, Ended: now.After(m.End()), Size: set.SpotCheckSize, Total: Rollup{ByCategory: map[string]int{}}}
	rows, err := s.st.SpotChecks(ctx, m.String(), "")
	if err != nil {
		return nil, err
	}
	rolls, err := s.st.SpotRollups(ctx, store.SpotRollupQuery{Months: []string{m.String()}, Categories: categoryCodes()})
	if err != nil {
		return nil, err
	}
	units, err := s.st.UnitsAsOf(ctx, m.End())
	if err != nil {
		return nil, err
	}
	byUnit := map[string][]store.SpotCheck{}
	graded := false
	for _, r := range rows {
		byUnit[r.Unit] = append(byUnit[r.Unit], r)
		if !v.Drawn || r.DrawnAt().Before(v.DrawnAt) {
			v.DrawnAt, v.DrawnBy = r.DrawnAt(), r.DrawnBy
		}
		v.Drawn = true
		graded = graded || r.Grade != store.GradeNone
	}
	v.Redraw = v.Ended && !graded && (!v.Drawn || QuarterOf(v.DrawnAt) == QuarterOf(now))
	v.GradeOpen = v.Drawn && !now.After(QuarterOf(v.DrawnAt).End())
	rollByUnit := map[string]Rollup{}
	for _, r := range rolls {
		rollByUnit[r.Unit] = rollupOf(r)
	}
	for _, u := range units {
		su := SpotUnit{Unit: u.Code, Name: u.Name, Seed: SpotSeed(m, u.Code), Rows: byUnit[u.Code]}
		su.Rollup = rollByUnit[u.Code]
		su.Rollup.Unit, su.Rollup.Name = u.Code, u.Name
		if su.Rollup.ByCategory == nil {
			su.Rollup.ByCategory = map[string]int{}
		}
		if len(su.Rows) > 0 {
			su.Candidates = su.Rows[0].Candidates
		}
		v.Total.add(su.Rollup)
		v.Units = append(v.Units, su)
	}
	return v, nil
}

// SpotMonths lists the months drawn, newest first.
func (s *Service) SpotMonths(ctx context.Context) ([]store.SpotMonth, error) {
	return s.st.SpotMonths(ctx)
}

// RowCategories decodes a stored row's categories.
func RowCategories(r store.SpotCheck) []string {
	var out []string
	if err := json.Unmarshal([]byte(r.Categories), &out); err != nil {
		return nil
	}
	return out
}
