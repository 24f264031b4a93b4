package supervise_test

import (
	"slices"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

// unitIn is a unit created long before the dates the tests evaluate at.
func unitIn(code, kind string) store.SupervisedUnit {
	created := time.Date(2024, 1, 1, 9, 0, 0, 0, catalog.Shanghai)
	return store.SupervisedUnit{Unit: catalog.Unit{Code: code, Name: "单位" + code, Kind: kind}, CreatedMS: store.Millis(created)}
}

func columnsOf(unit string) []catalog.TreeColumn {
	var out []catalog.TreeColumn
	for _, c := range catalog.TreeFromTemplate(unit, catalog.DefaultTemplate()) {
		if c.Leaf {
			out = append(out, c)
		}
	}
	return out
}

func stat(unit, column string, n, recent int, last string) store.PublishStat {
	return store.PublishStat{Unit: unit, Column: column, Count: n, Recent: recent, LastMS: store.Millis(*at(last))}
}

// Each rule at its edge: a column's clock, the annual report's due date,
// silence, volume per kind, and the national self-check's threshold.
func TestEvaluateRules(t *testing.T) {
	asOf := day("2026-06-30")
	set := supervise.DefaultSettings()
	full := func(unit string) []store.PublishStat {
		// Every leaf column fresh, so that only the case's own stats matter.
		var out []store.PublishStat
		for _, c := range columnsOf(unit) {
			out = append(out, stat(unit, c.Code, 2, 2, "2026-06-20 10:00"))
		}
		return out
	}
	with := func(base []store.PublishStat, s ...store.PublishStat) []store.PublishStat {
		out := slices.Clone(base)
		for _, x := range s {
			for i := range out {
				if out[i].Column == x.Column {
					out[i] = x
				}
			}
		}
		return out
	}
	cases := []struct {
		name        string
		stats       []store.PublishStat
		settings    func(*supervise.Settings)
		overdue     []string
		empty       []string
		rules       []string
		daysSilent  int
		nationalOK  bool
		overdueFrom string
	}{
		{name: "all fresh", stats: full("u"), overdue: []string{}, empty: []string{}, rules: nil, daysSilent: 10, nationalOK: true},
		{name: "notices column at 180 days is on time",
			stats:   with(full("u"), stat("u", "tzgg", 3, 0, "2026-01-01 10:00")),
			overdue: []string{}, empty: []string{}, daysSilent: 10, nationalOK: true},
		{name: "notices column at 181 days is overdue",
			stats:   with(full("u"), stat("u", "tzgg", 3, 0, "2025-12-31 10:00")),
			overdue: []string{"tzgg"}, empty: []string{}, rules: []string{supervise.RuleOverdue}, daysSilent: 10, nationalOK: true,
			overdueFrom: "2026-06-30"},
		{name: "the office shortens the notices column's clock",
			stats:    with(full("u"), stat("u", "tzgg", 3, 0, "2026-05-01 10:00")),
			settings: func(s *supervise.Settings) { s.StaleDays["tzgg"] = 30 },
			overdue:  []string{"tzgg"}, empty: []string{}, rules: []string{supervise.RuleOverdue}, daysSilent: 10, nationalOK: true},
		{name: "a column without a clock is never overdue",
			stats:   with(full("u"), stat("u", "zyzz", 1, 0, "2019-01-01 10:00")),
			overdue: []string{}, empty: []string{}, daysSilent: 10, nationalOK: true},
		{name: "annual report published in January is on time",
			stats:   with(full("u"), stat("u", "gknb", 2, 0, "2026-01-20 10:00")),
			overdue: []string{}, empty: []string{}, daysSilent: 10, nationalOK: true},
		{name: "annual report last published the year before is overdue since 1 February",
			stats:   with(full("u"), stat("u", "gknb", 2, 0, "2025-01-25 10:00")),
			overdue: []string{"gknb"}, empty: []string{}, rules: []string{supervise.RuleOverdue}, daysSilent: 10, nationalOK: true,
			overdueFrom: "2026-02-01"},
		{name: "empty columns, four pass the national check",
			stats:   full("u")[4:],
			overdue: []string{}, empty: []string{"zyzz", "gkzn", "gknb", "gkzd"}, rules: []string{supervise.RuleEmpty}, daysSilent: 10, nationalOK: true},
		{name: "five empty columns fail it",
			stats:   full("u")[5:],
			overdue: []string{}, empty: []string{"zyzz", "gkzn", "gknb", "gkzd", "ldfg"}, rules: []string{supervise.RuleEmpty}, daysSilent: 10, nationalOK: false},
		{name: "silent 31 days, and too little in the window",
			stats:   []store.PublishStat{stat("u", "tzgg", 40, 2, "2026-05-30 18:00")},
			overdue: []string{}, rules: []string{supervise.RuleSilent, supervise.RuleVolume, supervise.RuleEmpty}, daysSilent: 31, nationalOK: false},
		{name: "silent 30 days is within the rule",
			stats:   []store.PublishStat{stat("u", "tzgg", 40, 3, "2026-05-31 08:00")},
			overdue: []string{}, rules: []string{supervise.RuleEmpty}, daysSilent: 30, nationalOK: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := set
			s.StaleDays = map[string]int{}
			if tc.settings != nil {
				tc.settings(&s)
			}
			rep := supervise.Evaluate(supervise.Input{Units: []store.SupervisedUnit{unitIn("u", catalog.KindDepartment)},
				Columns: columnsOf("u"), Stats: tc.stats}, asOf, s)
			u, ok := rep.Unit("u")
			if !ok {
				t.Fatal("unit missing from the report")
			}
			if tc.empty != nil && !slices.Equal(u.Empty, tc.empty) {
				t.Errorf("empty %v, want %v", u.Empty, tc.empty)
			}
			if !slices.Equal(u.Overdue, tc.overdue) {
				t.Errorf("overdue %v, want %v", u.Overdue, tc.overdue)
			}
			var rules []string
			for _, b := range u.Breaches {
				rules = append(rules, b.Rule)
				if len(b.Facts) == 0 || b.Facts[0] == "" {
					t.Errorf("breach %s without facts", b.Rule)
				}
			}
			if !slices.Equal(rules, tc.rules) {
				t.Errorf("rules %v, want %v", rules, tc.rules)
			}
			if u.DaysSilent != tc.daysSilent {
				t.Errorf("%d days silent, want %d", u.DaysSilent, tc.daysSilent)
			}
			if rep.National.Pass != tc.nationalOK {
				t.Errorf("national check pass=%v, want %v (%+v)", rep.National.Pass, tc.nationalOK, rep.National.Items)
			}
			if tc.overdueFrom != "" {
				b, _ := u.Breach(supervise.RuleOverdue)
				if want := supervise.Day(day(tc.overdueFrom)); b.Since == nil || !b.Since.Equal(want) {
					t.Errorf("overdue since %v, want %v", b.Since, want)
				}
			}
		})
	}
}

// The volume minimum is per unit kind, and a unit younger than the window
// cannot fall short of it; one that never published is silent from its
// creation.
func TestEvaluateVolumeAndNewUnits(t *testing.T) {
	asOf := day("2026-06-30")
	set := supervise.DefaultSettings()
	young := unitIn("new", catalog.KindDepartment)
	young.CreatedMS = store.Millis(*at("2026-06-10 09:00"))
	idle := unitIn("idle", catalog.KindOther)
	idle.CreatedMS = store.Millis(*at("2026-05-01 09:00"))
	units := []store.SupervisedUnit{unitIn("dept", catalog.KindDepartment), unitIn("zone", catalog.KindCommittee), young, idle}
	stats := []store.PublishStat{
		stat("dept", "tzgg", 9, 2, "2026-06-28 10:00"), // a department needs 3 in 90 days
		stat("zone", "tzgg", 9, 2, "2026-06-28 10:00"), // a zone committee 2
		stat("new", "tzgg", 1, 1, "2026-06-20 10:00"),
	}
	rep := supervise.Evaluate(supervise.Input{Units: units, Stats: stats}, asOf, set)
	for _, tc := range []struct {
		unit      string
		low       bool
		silent    bool
		daysQuiet int
	}{
		{"dept", true, false, 2},
		{"zone", false, false, 2},
		{"new", false, false, 10},
		{"idle", false, true, 60},
	} {
		u, _ := rep.Unit(tc.unit)
		if u.LowVolume != tc.low || u.Silent != tc.silent || u.DaysSilent != tc.daysQuiet {
			t.Errorf("%s: low=%v silent=%v days=%d; want %v %v %d", tc.unit, u.LowVolume, u.Silent, u.DaysSilent, tc.low, tc.silent, tc.daysQuiet)
		}
	}
	if rep.Totals.LowVolumeUnits != 1 || rep.Totals.SilentUnits != 1 || rep.Totals.Published != 19 {
		t.Errorf("totals %+v", rep.Totals)
	}
}

// Returns count in the window with their reasons, most frequent first.
func TestEvaluateReturns(t *testing.T) {
	asOf := day("2026-06-30")
	rets := []store.Return{
		{Unit: "u", At: *at("2026-06-01 09:00"), Reason: "附件缺失"},
		{Unit: "u", At: *at("2026-06-02 09:00"), Reason: "附件缺失"},
		{Unit: "u", At: *at("2026-06-03 09:00"), Reason: ""},
		{Unit: "u", At: *at("2026-01-03 09:00"), Reason: "窗口之外"},
	}
	rep := supervise.Evaluate(supervise.Input{Units: []store.SupervisedUnit{unitIn("u", catalog.KindDepartment)}, Returns: rets}, asOf, supervise.DefaultSettings())
	u, _ := rep.Unit("u")
	if u.Returns != 3 || len(u.Reasons) != 2 || u.Reasons[0].Reason != "附件缺失" || u.Reasons[0].Count != 2 {
		t.Errorf("returns %d, reasons %+v", u.Returns, u.Reasons)
	}
}

func TestParseAsOf(t *testing.T) {
	got, err := supervise.ParseAsOf("2026-06-30")
	if err != nil || got.In(catalog.Shanghai).Format("2006-01-02 15:04:05.000") != "2026-06-30 23:59:59.999" {
		t.Errorf("2026-06-30 → %v, %v", got, err)
	}
	for _, bad := range []string{"", "30/06/2026", "2026-13-01", "tomorrow"} {
		if _, err := supervise.ParseAsOf(bad); err == nil {
			t.Errorf("%q was taken as a date", bad)
		}
	}
}
