package supervise

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Input is what the rules read: the store's aggregates as of one instant.
type Input struct {
	Units   []store.SupervisedUnit
	Columns []catalog.TreeColumn // the leaf columns in force, of every unit
	Stats   []store.PublishStat  // per unit and column, as of the instant
	Returns []store.Return       // in the window before the instant
	// Findings are the quality gate's last report per unit, when one was
	// made (nil otherwise).
	Findings map[string]FindingSummary
}

// FindingSummary is one unit's part of the quality gate's last report.
type FindingSummary struct {
	CheckedAt    time.Time      `json:"checked_at"`
	Entries      int            `json:"entries"`
	WithFindings int            `json:"entries_with_findings"`
	Blocking     int            `json:"blocking"`
	Warnings     int            `json:"warnings"`
	ByRule       map[string]int `json:"by_rule"`
}

// Report is the rules' answer as of one instant.
type Report struct {
	AsOf     time.Time    `json:"as_of"`
	Window   time.Time    `json:"window_start"` // start of the volume window
	Units    []UnitReport `json:"units"`
	National National     `json:"national"`
	Totals   Totals       `json:"totals"`
}

// Totals are the report's overview figures.
type Totals struct {
	Units          int `json:"units"`
	Published      int `json:"published"`
	Recent         int `json:"recent"`
	SilentUnits    int `json:"silent_units"`
	LowVolumeUnits int `json:"low_volume_units"`
	OverdueColumns int `json:"overdue_columns"`
	EmptyColumns   int `json:"empty_columns"`
	Returns        int `json:"returns"`
}

// UnitReport is one unit as of the instant.
type UnitReport struct {
	Unit        string     `json:"unit"`
	Name        string     `json:"unit_name"`
	Kind        string     `json:"kind"`
	Published   int        `json:"published"`
	Recent      int        `json:"recent"`
	VolumeMin   int        `json:"volume_min"`
	LastPublish *time.Time `json:"last_publish"`
	// DaysSilent counts calendar days since the last publish (or since
	// the unit was created, when it never published).
	DaysSilent int             `json:"days_silent"`
	Silent     bool            `json:"silent"`
	LowVolume  bool            `json:"low_volume"`
	Columns    []ColumnReport  `json:"columns"`
	Overdue    []string        `json:"overdue_columns"`
	Empty      []string        `json:"empty_columns"`
	Returns    int             `json:"returns"`
	Reasons    []ReasonCount   `json:"return_reasons"`
	Findings   *FindingSummary `json:"findings"`
	Breaches   []Breach        `json:"breaches"`
}

// ColumnReport is one leaf column of a unit as of the instant.
type ColumnReport struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Count       int        `json:"count"`
	Recent      int        `json:"recent"`
	LastPublish *time.Time `json:"last_publish"`
	StaleDays   int        `json:"stale_days"`
	DueMonthDay string     `json:"due_month_day,omitempty"`
	Empty       bool       `json:"empty"`
	Overdue     bool       `json:"overdue"`
	// OverdueSince is when the column fell due (its clock ran out, or its
	// yearly due date passed).
	OverdueSince *time.Time `json:"overdue_since,omitempty"`
}

// ReasonCount is how often a return reason was given.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Breach is a rule a unit breaks, with the facts found, in sentences for
// the notice.
type Breach struct {
	Rule    string     `json:"rule"`
	Facts   []string   `json:"facts"`
	Columns []string   `json:"columns,omitempty"`
	Since   *time.Time `json:"since,omitempty"`
}

// National is the national inspection's self-check of the whole site.
type National struct {
	Pass  bool           `json:"pass"`
	Items []NationalItem `json:"items"`
}

// NationalItem is one line of the self-check.
type NationalItem struct {
	Name      string       `json:"name"`
	Count     int          `json:"count"`
	FailAt    int          `json:"fail_at"`
	Pass      bool         `json:"pass"`
	Offending []UnitColumn `json:"offending"`
}

// UnitColumn names one column of one unit.
type UnitColumn struct {
	Unit       string `json:"unit"`
	UnitName   string `json:"unit_name"`
	Column     string `json:"column"`
	ColumnName string `json:"column_name"`
}

// Day is the calendar day (in China's zone) of an instant, as a date.
func Day(t time.Time) time.Time {
	y, m, d := t.In(catalog.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, catalog.Shanghai)
}

// daysBetween counts calendar days from a to b.
func daysBetween(a, b time.Time) int {
	return int(Day(b).Sub(Day(a)).Hours()/24 + 0.5)
}

// EndOfDay is the last instant (to the millisecond the store keeps) of the
// day a date names: "as of 30 June" includes what 30 June published.
func EndOfDay(day time.Time) time.Time {
	return Day(day).AddDate(0, 0, 1).Add(-time.Millisecond)
}

// ParseAsOf reads a date (2026-06-30) or an RFC 3339 instant. A date means
// the end of that day in China's zone.
func ParseAsOf(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation("2006-01-02", s, catalog.Shanghai); err == nil {
		return EndOfDay(t), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("supervise: %q is no date (YYYY-MM-DD) or RFC 3339 instant", s)
}

// WindowStart is the start of the volume window that ends at asOf.
func WindowStart(asOf time.Time, set Settings) time.Time {
	return Day(asOf).AddDate(0, 0, 1-set.VolumeWindowDays)
}

// Evaluate applies the rules to in as of asOf. It reads no clock: the same
// input and instant always give the same report.
func Evaluate(in Input, asOf time.Time, set Settings) *Report {
	rep := &Report{AsOf: asOf, Window: WindowStart(asOf, set)}
	stats := map[string]map[string]store.PublishStat{}
	for _, s := range in.Stats {
		if stats[s.Unit] == nil {
			stats[s.Unit] = map[string]store.PublishStat{}
		}
		stats[s.Unit][s.Column] = s
	}
	cols := map[string][]catalog.TreeColumn{}
	for _, c := range in.Columns {
		cols[c.Unit] = append(cols[c.Unit], c)
	}
	returns := map[string][]store.Return{}
	for _, r := range in.Returns {
		if r.At.After(asOf) || r.At.Before(rep.Window) {
			continue
		}
		returns[r.Unit] = append(returns[r.Unit], r)
	}
	emptyItem := NationalItem{Name: "空白栏目", FailAt: set.NationalEmptyFailAt, Offending: []UnitColumn{}}
	overdueItem := NationalItem{Name: "超期未更新栏目", FailAt: set.NationalOverdueFailAt, Offending: []UnitColumn{}}
	for _, u := range in.Units {
		ur := evaluateUnit(u, cols[u.Code], stats[u.Code], returns[u.Code], asOf, rep.Window, set)
		if f, ok := in.Findings[u.Code]; ok {
			ur.Findings = &f
		}
		for _, c := range ur.Columns {
			uc := UnitColumn{Unit: u.Code, UnitName: u.Name, Column: c.Code, ColumnName: c.Name}
			if c.Empty {
				emptyItem.Offending = append(emptyItem.Offending, uc)
			}
			if c.Overdue {
				overdueItem.Offending = append(overdueItem.Offending, uc)
			}
		}
		t := &rep.Totals
		t.Units++
		t.Published += ur.Published
		t.Recent += ur.Recent
		t.OverdueColumns += len(ur.Overdue)
		t.EmptyColumns += len(ur.Empty)
		t.Returns += ur.Returns
		if ur.Silent {
			t.SilentUnits++
		}
		if ur.LowVolume {
			t.LowVolumeUnits++
		}
		rep.Units = append(rep.Units, ur)
	}
	rep.National.Pass = true
	for _, it := range []NationalItem{emptyItem, overdueItem} {
		it.Count = len(it.Offending)
		it.Pass = it.Count < it.FailAt
		rep.National.Pass = rep.National.Pass && it.Pass
		rep.National.Items = append(rep.National.Items, it)
	}
	return rep
}

func evaluateUnit(u store.SupervisedUnit, cols []catalog.TreeColumn, stats map[string]store.PublishStat, rets []store.Return,
	asOf, window time.Time, set Settings) UnitReport {
	ur := UnitReport{Unit: u.Code, Name: u.Name, Kind: u.Kind, VolumeMin: set.VolumeMin[u.Kind],
		Columns: []ColumnReport{}, Overdue: []string{}, Empty: []string{}, Reasons: []ReasonCount{}, Breaches: []Breach{}}
	var last time.Time
	for _, s := range stats {
		// Entries of a column since removed still count for the unit.
		ur.Published += s.Count
		ur.Recent += s.Recent
		if s.Last().After(last) {
			last = s.Last()
		}
	}
	var overdueSince time.Time
	var overdueNames, emptyNames []string
	for _, c := range cols {
		s := stats[c.Code]
		cr := ColumnReport{Code: c.Code, Name: c.Name, Count: s.Count, Recent: s.Recent, StaleDays: set.staleDays(c), DueMonthDay: c.DueMonthDay}
		if s.Count > 0 {
			t := s.Last()
			cr.LastPublish = &t
		}
		if s.Count == 0 {
			cr.Empty = true
			ur.Empty = append(ur.Empty, c.Code)
			emptyNames = append(emptyNames, c.Name)
		} else if since, late := columnLate(cr, s.Last(), asOf); late {
			cr.Overdue, cr.OverdueSince = true, &since
			ur.Overdue = append(ur.Overdue, c.Code)
			overdueNames = append(overdueNames, fmt.Sprintf("%s（最近一次发布于%s）", c.Name, DateCN(s.Last())))
			if overdueSince.IsZero() || since.Before(overdueSince) {
				overdueSince = since
			}
		}
		ur.Columns = append(ur.Columns, cr)
	}

	// Silence: calendar days since the last publish, or since the unit
	// was created when it never published.
	from := last
	if last.IsZero() {
		from = u.Created()
	} else {
		ur.LastPublish = &last
	}
	ur.DaysSilent = max(0, daysBetween(from, asOf))
	if ur.DaysSilent > set.SilentDays {
		ur.Silent = true
		since := Day(from).AddDate(0, 0, set.SilentDays+1)
		fact := fmt.Sprintf("自%s最近一次发布信息以来，已连续 %d 天未在政府信息公开目录发布信息，超过 %d 天的更新要求。", DateCN(last), ur.DaysSilent, set.SilentDays)
		if last.IsZero() {
			fact = fmt.Sprintf("自%s开通政府信息公开目录以来，%d 天未发布任何信息，超过 %d 天的更新要求。", DateCN(u.Created()), ur.DaysSilent, set.SilentDays)
		}
		ur.Breaches = append(ur.Breaches, Breach{Rule: RuleSilent, Facts: []string{fact}, Since: &since})
	}

	// Volume: only a unit older than the window can fall short of it.
	if min := ur.VolumeMin; min > 0 && !u.Created().After(window) && ur.Recent < min {
		ur.LowVolume = true
		ur.Breaches = append(ur.Breaches, Breach{Rule: RuleVolume, Facts: []string{
			fmt.Sprintf("%s至%s共发布信息 %d 条，低于%s每 %d 天不少于 %d 条的要求。", DateCN(window), DateCN(asOf), ur.Recent, u.Kind, set.VolumeWindowDays, min)}})
	}
	if len(ur.Overdue) > 0 {
		since := overdueSince
		ur.Breaches = append(ur.Breaches, Breach{Rule: RuleOverdue, Columns: ur.Overdue, Since: &since, Facts: []string{
			fmt.Sprintf("%d 个栏目超过更新周期未更新：%s。", len(ur.Overdue), strings.Join(overdueNames, "、"))}})
	}
	if len(ur.Empty) > 0 {
		ur.Breaches = append(ur.Breaches, Breach{Rule: RuleEmpty, Columns: ur.Empty, Facts: []string{
			fmt.Sprintf("%d 个栏目没有发布任何信息：%s。", len(ur.Empty), strings.Join(emptyNames, "、"))}})
	}

	ur.Returns = len(rets)
	reasons := map[string]int{}
	for _, r := range rets {
		reason := strings.TrimSpace(r.Reason)
		if reason == "" {
			reason = "（未说明理由）"
		}
		reasons[reason]++
	}
	for r, n := range reasons {
		ur.Reasons = append(ur.Reasons, ReasonCount{Reason: r, Count: n})
	}
	sort.Slice(ur.Reasons, func(i, j int) bool {
		if ur.Reasons[i].Count != ur.Reasons[j].Count {
			return ur.Reasons[i].Count > ur.Reasons[j].Count
		}
		return ur.Reasons[i].Reason < ur.Reasons[j].Reason
	})
	return ur
}

// columnLate says whether a column with entries is overdue as of asOf, and
// since when: its clock (StaleDays without a new entry) ran out, or its
// yearly due date (DueMonthDay) passed with nothing published since the
// due date before it.
func columnLate(c ColumnReport, last, asOf time.Time) (time.Time, bool) {
	if c.DueMonthDay != "" {
		due, ok := lastDueBefore(c.DueMonthDay, asOf)
		if !ok {
			return time.Time{}, false
		}
		prev := due.AddDate(-1, 0, 0)
		if Day(last).After(prev) {
			return time.Time{}, false
		}
		return due.AddDate(0, 0, 1), true
	}
	if c.StaleDays <= 0 {
		return time.Time{}, false
	}
	if daysBetween(last, asOf) <= c.StaleDays {
		return time.Time{}, false
	}
	return Day(last).AddDate(0, 0, c.StaleDays+1), true
}

// lastDueBefore is the latest yearly due date (MM-DD) strictly before the
// day of asOf.
func lastDueBefore(monthDay string, asOf time.Time) (time.Time, bool) {
	m, d, ok := parseMonthDay(monthDay)
	if !ok {
		return time.Time{}, false
	}
	day := Day(asOf)
	due := time.Date(day.Year(), time.Month(m), d, 0, 0, 0, 0, catalog.Shanghai)
	if !due.Before(day) {
		due = due.AddDate(-1, 0, 0)
	}
	return due, true
}

func parseMonthDay(s string) (int, int, bool) {
	mm, dd, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, false
	}
	m, err1 := strconv.Atoi(mm)
	d, err2 := strconv.Atoi(dd)
	if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, false
	}
	return m, d, true
}

// DateCN writes a date as people read it: 2026年6月30日.
func DateCN(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(catalog.Shanghai)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// Breach returns the unit's breach of a rule, if it breaks it.
func (u UnitReport) Breach(rule string) (Breach, bool) {
	for _, b := range u.Breaches {
		if b.Rule == rule {
			return b, true
		}
	}
	return Breach{}, false
}

// Unit returns the report of one unit.
func (r *Report) Unit(code string) (UnitReport, bool) {
	for _, u := range r.Units {
		if u.Unit == code {
			return u, true
		}
	}
	return UnitReport{}, false
}
