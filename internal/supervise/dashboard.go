package supervise

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// The office's supervision dashboard: the rules' report as of a day with
// the notices' counts, the unit league table, volume by month and by
// column, and one unit's drill-down. Every figure is aggregated by the
// database and kept per day, brought up to date unit by unit as the
// change log moves on (see dayAggregates).

// Dashboard is the overview as of one day.
type Dashboard struct {
	Report  *Report
	Notices NoticeTotals
	League  []LeagueRow
	// Months is the volume of the last 12 months (the as-of month last),
	// all units together.
	Months []MonthCount
	// Columns is each column's entries summed over the units.
	Columns []ColumnCount
}

// NoticeTotals are the notices' overview figures.
type NoticeTotals struct {
	Open    int // not closed: open, sent back or awaiting the office's check
	Overdue int // not closed and past the deadline
	ByState map[string]int
}

// MonthCount is the entries published in one calendar month.
type MonthCount struct {
	Start time.Time `json:"start"`
	Label string    `json:"label"` // 2026年6月
	Count int       `json:"count"`
}

// ColumnCount is one column's entries over every unit that has it.
type ColumnCount struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
	// Units is how many units have the column; Empty how many of them
	// have nothing in it.
	Units int `json:"units"`
	Empty int `json:"empty"`
}

// LeagueRow is one unit's line of the league table.
type LeagueRow struct {
	Unit        string     `json:"unit"`
	Name        string     `json:"unit_name"`
	Kind        string     `json:"kind"`
	Published   int        `json:"published"`
	Recent      int        `json:"recent"`
	LastPublish *time.Time `json:"last_publish"`
	DaysSilent  int        `json:"days_silent"`
	Silent      bool       `json:"silent"`
	LowVolume   bool       `json:"low_volume"`
	Overdue     int        `json:"overdue_columns"`
	Empty       int        `json:"empty_columns"`
	Returns     int        `json:"returns"`
	// Findings is the entries the quality gate's last report found
	// problems in; -1 when no report covers the unit.
	Findings    int `json:"findings"`
	OpenNotices int `json:"open_notices"`
	// Position is the row's place in the city's order of units, KindRank
	// its kind's in catalog.UnitKinds.
	Position int `json:"-"`
	KindRank int `json:"-"`
}

// League makes the league table from a report and the open notices per
// unit, in the report's (the city's) order.
func League(rep *Report, open map[string]int) []LeagueRow {
	rows := make([]LeagueRow, 0, len(rep.Units))
	for i, u := range rep.Units {
		r := LeagueRow{Unit: u.Unit, Name: u.Name, Kind: u.Kind, Published: u.Published, Recent: u.Recent,
			LastPublish: u.LastPublish, DaysSilent: u.DaysSilent, Silent: u.Silent, LowVolume: u.LowVolume,
			Overdue: len(u.Overdue), Empty: len(u.Empty), Returns: u.Returns, Findings: -1, OpenNotices: open[u.Unit], Position: i,
			KindRank: slices.Index(catalog.UnitKinds, u.Kind)}
		if u.Findings != nil {
			r.Findings = u.Findings.WithFindings
		}
		rows = append(rows, r)
	}
	return rows
}

// LeagueSort is a column the league table sorts by.
type LeagueSort struct {
	Key   string
	Label string
	// Desc is the direction the column sorts in first: the worst first
	// for counts of problems, the most first for volume.
	Desc bool
	cmp  func(a, b LeagueRow) int
}

func unitOrder(a, b LeagueRow) int { return cmp.Compare(a.Position, b.Position) }

// LeagueSorts are the league table's columns, in the table's order.
var LeagueSorts = []LeagueSort{
	{Key: "unit", Label: "单位", cmp: unitOrder},
	{Key: "kind", Label: "类型", cmp: func(a, b LeagueRow) int { return cmp.Compare(a.KindRank, b.KindRank) }},
	{Key: "published", Label: "已发布", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.Published, b.Published) }},
	{Key: "recent", Label: "近期发布", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.Recent, b.Recent) }},
	{Key: "last", Label: "最近发布", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(lastMS(a), lastMS(b)) }},
	{Key: "silent", Label: "未更新天数", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.DaysSilent, b.DaysSilent) }},
	{Key: "overdue", Label: "超期栏目", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.Overdue, b.Overdue) }},
	{Key: "empty", Label: "空白栏目", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.Empty, b.Empty) }},
	{Key: "returns", Label: "退回", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.Returns, b.Returns) }},
	{Key: "findings", Label: "质检问题", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.Findings, b.Findings) }},
	{Key: "notices", Label: "未办结督办", Desc: true, cmp: func(a, b LeagueRow) int { return cmp.Compare(a.OpenNotices, b.OpenNotices) }},
}

func lastMS(r LeagueRow) int64 {
	if r.LastPublish == nil {
		return -1
	}
	return r.LastPublish.UnixMilli()
}

// SortLeague sorts rows by a column of LeagueSorts, in the direction asked
// ("asc", "desc", or "" for the column's own), ties in the city's order.
// An unknown key sorts in the city's order. It returns the key and
// direction it sorted by.
func SortLeague(rows []LeagueRow, key, dir string) (string, string) {
	i := slices.IndexFunc(LeagueSorts, func(s LeagueSort) bool { return s.Key == key })
	if i < 0 {
		i = 0
	}
	s := LeagueSorts[i]
	desc := s.Desc
	switch dir {
	case "asc":
		desc = false
	case "desc":
		desc = true
	}
	slices.SortStableFunc(rows, func(a, b LeagueRow) int {
		c := s.cmp(a, b)
		if desc {
			c = -c
		}
		if c == 0 {
			return unitOrder(a, b)
		}
		return c
	})
	if desc {
		return s.Key, "desc"
	}
	return s.Key, "asc"
}

// MonthBounds are the first instants of n calendar months ending with the
// month of asOf, and of the month after: n+1 bounds for
// PublishCounts.
func MonthBounds(asOf time.Time, n int) []time.Time {
	d := Day(asOf)
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, catalog.Shanghai).AddDate(0, 1-n, 0)
	out := make([]time.Time, n+1)
	for i := range out {
		out[i] = first.AddDate(0, i, 0)
	}
	return out
}

// Months turns bucket counts over MonthBounds into one count per month,
// summed over units.
func Months(bounds []time.Time, counts []store.BucketCount) []MonthCount {
	out := make([]MonthCount, len(bounds)-1)
	for i := range out {
		out[i] = MonthCount{Start: bounds[i], Label: fmt.Sprintf("%d年%d月", bounds[i].Year(), int(bounds[i].Month()))}
	}
	for _, c := range counts {
		if c.Bucket >= 0 && c.Bucket < len(out) {
			out[c.Bucket].Count += c.Count
		}
	}
	return out
}

// ColumnTotals sums each column over the units of a report, in the order
// the columns first appear (the template's).
func ColumnTotals(rep *Report) []ColumnCount {
	var out []ColumnCount
	at := map[string]int{}
	for _, u := range rep.Units {
		for _, c := range u.Columns {
			i, ok := at[c.Code]
			if !ok {
				i = len(out)
				at[c.Code] = i
				out = append(out, ColumnCount{Code: c.Code, Name: c.Name})
			}
			out[i].Count += c.Count
			out[i].Units++
			if c.Empty {
				out[i].Empty++
			}
		}
	}
	return out
}

// Dashboard makes the overview as of asOf (the end of a day, as
// ParseAsOf gives it). The rules' report and the volume come from the
// cache while nothing they read has changed; the notices are counted
// afresh.
func (s *Service) Dashboard(ctx context.Context, asOf time.Time) (*Dashboard, error) {
	agg, err := s.aggregates(ctx, asOf)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Report: agg.report, Months: agg.months, Columns: agg.columns,
		Notices: NoticeTotals{ByState: map[string]int{}}}
	counts, err := s.st.NoticeCounts(ctx, s.Now())
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		if c.State == "overdue" {
			d.Notices.Overdue = c.Count
			continue
		}
		d.Notices.ByState[c.State] += c.Count
		if c.State != store.NoticeClosed {
			d.Notices.Open += c.Count
		}
	}
	open, err := s.st.OpenNoticesByUnit(ctx)
	if err != nil {
		return nil, err
	}
	d.League = League(agg.report, open)
	return d, nil
}

// aggregated is the dashboard's figures that come from the entries.
type aggregated struct {
	report  *Report
	months  []MonthCount
	columns []ColumnCount
}

// The dashboard keeps, per as-of instant, the per-unit aggregates it last
// read and the change log's counter at the time. A page view while the
// counter stands still reads nothing but the counter and the settings; a
// view after a few changes re-reads the aggregates of the units those
// changes touched only; a view after many changes, after the settings
// changed, or when the kept aggregates are older than dashboardFullEvery
// reads every unit afresh (an entry moved to another unit by re-import
// shows under its new unit by then at the latest).
const (
	dashboardCacheSize  = 8    // as-of instants kept: a few dates looked at in turn, not a history
	dashboardMaxChanges = 2000 // more changes than this since the kept figures: read every unit
	dashboardFullEvery  = 30 * time.Minute
)

// dayAggregates is what the dashboard keeps for one as-of instant.
type dayAggregates struct {
	seq      int64     // the change log's counter before the figures were read
	settings string    // the supervision settings and the quality gate's summary, as stored
	full     time.Time // when every unit was last read (the service's clock)
	stats    map[string][]store.PublishStat
	months   map[string][]store.BucketCount // over MonthBounds(asOf, 12)
	agg      *aggregated
}

// dashboardCache holds the dayAggregates; its zero value is ready.
type dashboardCache struct {
	mu    sync.Mutex
	items map[int64]*dayAggregates // by as-of, in ms
}

func (c *dashboardCache) get(asOf time.Time) *dayAggregates {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[asOf.UnixMilli()]
}

func (c *dashboardCache) put(asOf time.Time, d *dayAggregates) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[int64]*dayAggregates{}
	}
	k := asOf.UnixMilli()
	if _, ok := c.items[k]; !ok && len(c.items) >= dashboardCacheSize {
		for old := range c.items {
			delete(c.items, old) // room for a new date: forget one
			break
		}
	}
	c.items[k] = d
}

func (s *Service) aggregates(ctx context.Context, asOf time.Time) (*aggregated, error) {
	// The counter first: a change committed while the figures are read is
	// read again next time, never missed.
	seq, err := s.st.ChangeSeq(ctx)
	if err != nil {
		return nil, err
	}
	rawSet, err := s.st.Setting(ctx, settingKey, "")
	if err != nil {
		return nil, err
	}
	rawFound, err := s.st.Setting(ctx, FindingsSettingKey, "")
	if err != nil {
		return nil, err
	}
	sig := rawSet + "\x00" + rawFound
	prev := s.dash.get(asOf)
	if prev != nil && (prev.settings != sig || s.Now().Sub(prev.full) >= dashboardFullEvery) {
		prev = nil
	}
	if prev != nil && prev.seq == seq {
		return prev.agg, nil
	}
	var units []string // the units to read again; nil: every unit
	if prev != nil {
		var ok bool
		if units, ok, err = s.changedUnits(ctx, prev.seq); err != nil {
			return nil, err
		}
		if !ok {
			units, prev = nil, nil
		}
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := s.st.PublishStats(ctx, asOf, WindowStart(asOf, set).Add(-time.Millisecond), units)
	if err != nil {
		return nil, err
	}
	bounds := MonthBounds(asOf, 12)
	counts, err := s.st.PublishCounts(ctx, bounds, asOf, units)
	if err != nil {
		return nil, err
	}
	d := &dayAggregates{seq: seq, settings: sig, full: s.Now(), stats: map[string][]store.PublishStat{}, months: map[string][]store.BucketCount{}}
	if prev != nil {
		d.full = prev.full
		for u, st := range prev.stats {
			d.stats[u] = st
		}
		for u, m := range prev.months {
			d.months[u] = m
		}
		for _, u := range units {
			delete(d.stats, u)
			delete(d.months, u)
		}
	}
	for _, st := range stats {
		d.stats[st.Unit] = append(d.stats[st.Unit], st)
	}
	for _, c := range counts {
		d.months[c.Unit] = append(d.months[c.Unit], c)
	}
	var kept []store.PublishStat
	for _, st := range d.stats {
		kept = append(kept, st...)
	}
	in, err := s.inputWith(ctx, asOf, set, kept)
	if err != nil {
		return nil, err
	}
	rep := Evaluate(in, asOf, set)
	var all []store.BucketCount
	for _, m := range d.months {
		all = append(all, m...)
	}
	d.agg = &aggregated{report: rep, months: Months(bounds, all), columns: ColumnTotals(rep)}
	s.dash.put(asOf, d)
	return d.agg, nil
}

// changedUnits names the units whose entries, unit record or tree
// changed after seq; ok is false when there were too many changes to be
// worth naming.
func (s *Service) changedUnits(ctx context.Context, seq int64) ([]string, bool, error) {
	changes, err := s.st.ChangesAfter(ctx, seq, dashboardMaxChanges+1)
	if err != nil {
		return nil, false, err
	}
	if len(changes) > dashboardMaxChanges {
		return nil, false, nil
	}
	seen := map[string]bool{}
	var entries []string
	for _, c := range changes {
		switch c.Kind {
		case store.ChangeEntry:
			entries = append(entries, c.Ref)
		case store.ChangeUnit, store.ChangeTree:
			seen[c.Ref] = true
		}
	}
	of, err := s.st.EntryUnits(ctx, entries)
	if err != nil {
		return nil, false, err
	}
	for _, u := range of {
		seen[u] = true
	}
	units := make([]string, 0, len(seen))
	for u := range seen {
		units = append(units, u)
	}
	slices.Sort(units)
	return units, true, nil
}

// UnitDetail is one unit's drill-down as of a day.
type UnitDetail struct {
	Unit UnitReport
	// Timeline is the unit's entries per month over 24 months.
	Timeline []MonthCount
	Notices  []Notice
	Returns  []store.UnitReturn // in the volume window, newest first
	Window   time.Time
}

// TimelineMonths is the drill-down's span.
const TimelineMonths = 24

// UnitDetail makes one unit's drill-down as of asOf; an unknown unit is
// store.ErrNotFound.
func (s *Service) UnitDetail(ctx context.Context, asOf time.Time, unit string) (*UnitDetail, error) {
	agg, err := s.aggregates(ctx, asOf)
	if err != nil {
		return nil, err
	}
	u, ok := agg.report.Unit(unit)
	if !ok {
		return nil, fmt.Errorf("supervise: unit %q: %w", unit, store.ErrNotFound)
	}
	d := &UnitDetail{Unit: u, Window: agg.report.Window}
	bounds := MonthBounds(asOf, TimelineMonths)
	counts, err := s.st.PublishCounts(ctx, bounds, asOf, []string{unit})
	if err != nil {
		return nil, err
	}
	d.Timeline = Months(bounds, counts)
	ns, err := s.st.Notices(ctx, store.NoticeQuery{Units: []string{unit}, Limit: 200})
	if err != nil {
		return nil, err
	}
	names := map[string]string{unit: u.Name}
	for _, n := range ns {
		d.Notices = append(d.Notices, s.view(ctx, n, names))
	}
	if d.Returns, err = s.st.UnitReturns(ctx, unit, agg.report.Window.Add(-time.Millisecond), asOf, 200); err != nil {
		return nil, err
	}
	return d, nil
}

// LeagueColumns are the exported table's headers.
var LeagueColumns = []string{"单位代码", "单位名称", "单位类型", "已发布信息", "近期发布", "最近发布日期", "未更新天数",
	"长期未更新", "发布数量不足", "超期栏目", "空白栏目", "退回", "质检发现问题的信息", "未办结督办通知"}

// WriteLeagueXLSX writes the league table as a workbook: a title row, the
// headers, one row per unit. Names are written as text (never read as
// formulas), counts as numbers, dates as text as people read them.
func WriteLeagueXLSX(w io.Writer, rows []LeagueRow, asOf, window time.Time) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("supervise: xlsx: %w", cerr)
		}
	}()
	const sheet = "单位排行"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	for i, width := range []float64{12, 36, 10, 12, 10, 16, 12, 12, 12, 10, 10, 8, 18, 16} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("supervise: xlsx: %w", err)
		}
	}
	title := fmt.Sprintf("政府信息公开监督考核单位排行（截至%s；近期发布统计自%s起）", DateCN(asOf), DateCN(window))
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: bold, Value: title}}); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	header := make([]any, len(LeagueColumns))
	for i, c := range LeagueColumns {
		header[i] = excelize.Cell{StyleID: bold, Value: c}
	}
	if err := sw.SetRow("A2", header); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	yes := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	for i, r := range rows {
		last := ""
		if r.LastPublish != nil {
			last = DateCN(*r.LastPublish)
		}
		var findings any
		if r.Findings >= 0 {
			findings = r.Findings
		}
		vals := []any{text(r.Unit), text(r.Name), text(r.Kind), r.Published, r.Recent, text(last), r.DaysSilent,
			yes(r.Silent), yes(r.LowVolume), r.Overdue, r.Empty, r.Returns, findings, r.OpenNotices}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, vals); err != nil {
			return fmt.Errorf("supervise: xlsx: row %d: %w", i+3, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	return f.Write(w)
}

// text is a cell's text: excelize writes a string as a string cell, never
// as a formula; empty text is no cell at all.
func text(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}
