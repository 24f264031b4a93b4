package supervise_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withdraw withdraws a published entry at a time.
func withdraw(t *testing.T, st *store.Store, unit, column, published, withdrawn string) {
	t.Helper()
	serial++
	e := catalog.Entry{ID: fmt.Sprintf("%s-%s-w%d", unit, column, serial), Unit: unit, Column: column, Title: "撤回的信息",
		Status: catalog.StatusWithdrawn, PublishedAt: at(published), WithdrawnAt: at(withdrawn), WithdrawReason: "测试", BodyHTML: "<p>x</p>"}
	if _, err := st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
}

// The dashboard's figures are the rules' report, whether read in full,
// kept, or brought up to date after changes; a change behind the change
// log's back stays unseen until the next full read, which proves the
// figures were kept and only the changed units read again.
func TestDashboardKeepsAndUpdatesFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = time.Date(2026, 6, 30, 15, 0, 0, 0, catalog.Shanghai)
		for _, u := range []string{"fgw", "jtj", "gxq"} {
			storetest.Unit(t, st, u)
		}
		publish(t, st, "fgw", "tzgg", "2026-06-20 09:00")
		publish(t, st, "fgw", "zcwj", "2025-10-01 09:00")
		publish(t, st, "jtj", "tzgg", "2026-05-02 09:00")
		publish(t, st, "gxq", "ggfw", "2026-02-02 09:00")
		withdraw(t, st, "jtj", "ggfw", "2026-04-01 09:00", "2026-06-01 09:00") // gone by 30 June
		withdraw(t, st, "gxq", "tzgg", "2026-04-01 09:00", "2026-07-05 09:00") // still standing on 30 June
		found, _ := json.Marshal(map[string]supervise.FindingSummary{"fgw": {Entries: 2, WithFindings: 1, Blocking: 1}})
		if err := st.SetSetting(ctx, supervise.FindingsSettingKey, string(found)); err != nil {
			t.Fatal(err)
		}
		asOf := day("2026-06-30")
		check := func(step string) *supervise.Dashboard {
			t.Helper()
			d, err := f.svc.Dashboard(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := f.svc.Report(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := jsonOf(t, d.Report), jsonOf(t, rep); got != want {
				t.Fatalf("%s: the dashboard's report differs from the rules' report\n got %s\nwant %s", step, got, want)
			}
			return d
		}
		d := check("first read")
		if d.Report.Totals.Published != 5 {
			t.Errorf("%d published, want 5 (the entry withdrawn on 5 July still stood)", d.Report.Totals.Published)
		}
		if got := d.Months[len(d.Months)-1]; got.Label != "2026年6月" || got.Count != 1 {
			t.Errorf("June: %+v", got)
		}
		rows := d.League
		if rows[0].Unit != "fgw" || rows[0].Findings != 1 || rows[1].Findings != -1 {
			t.Errorf("league findings: %+v", rows)
		}

		// New entries in fgw: read again, the same as the report.
		publish(t, st, "fgw", "tzgg", "2026-06-29 09:00")
		publish(t, st, "fgw", "yjgl", "2026-06-30 10:00")
		d = check("after fgw published")
		if d.Report.Totals.Published != 7 {
			t.Errorf("%d published after fgw's two, want 7", d.Report.Totals.Published)
		}

		// An edit behind the change log's back (as with direct database
		// access): jtj's entry moved a year back is not seen while the
		// figures are kept, nor when only gxq changes...
		if err := st.ExecRawForTest(ctx, `UPDATE entries SET published_at = published_at - ? WHERE unit = 'jtj' AND status = 'published'`,
			int64(365*24*time.Hour/time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		jtjLast := func(d *supervise.Dashboard) string {
			u, _ := d.Report.Unit("jtj")
			return supervise.DateCN(*u.LastPublish)
		}
		d, err := f.svc.Dashboard(ctx, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if got := jtjLast(d); got != "2026年5月2日" {
			t.Errorf("kept figures: jtj last published %s, want the kept 2026年5月2日", got)
		}
		publish(t, st, "gxq", "ggfw", "2026-06-30 11:00")
		if d, err = f.svc.Dashboard(ctx, asOf); err != nil {
			t.Fatal(err)
		}
		if got := jtjLast(d); got != "2026年5月2日" {
			t.Errorf("after gxq changed: jtj last published %s, want the kept 2026年5月2日 (only gxq read again)", got)
		}
		if u, _ := d.Report.Unit("gxq"); u.Published != 3 {
			t.Errorf("gxq: %d published, want 3", u.Published)
		}
		// ... until a change of jtj's, or the next full read.
		publish(t, st, "jtj", "ggfw", "2025-01-10 09:00")
		d = check("after jtj changed")
		if got := jtjLast(d); got != "2025年5月2日" {
			t.Errorf("jtj read again: last published %s, want 2025年5月2日", got)
		}
		if err := st.ExecRawForTest(ctx, `UPDATE entries SET published_at = published_at + ? WHERE unit = 'gxq' AND column_code = 'ggfw'`,
			int64(time.Hour/time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(31 * time.Minute)
		check("the full read after half an hour")

		// New settings are read at once.
		set, _ := f.svc.Settings(ctx)
		set.SilentDays = 10
		if err := f.svc.SaveSettings(ctx, caller("reviewer", ""), set); err != nil {
			t.Fatal(err)
		}
		d = check("after the settings changed")
		if u, _ := d.Report.Unit("fgw"); u.Silent {
			t.Error("fgw published today and counts as silent")
		}
		if u, _ := d.Report.Unit("jtj"); !u.Silent {
			t.Error("jtj, silent since May, is not silent at 10 days")
		}
	})
}

// One unit's drill-down: its report, 24 months of volume, its notices and
// its returns with the entries' titles; an unknown unit is not found.
func TestUnitDetail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		publish(t, st, "fgw", "tzgg", "2024-07-01 00:00") // the first instant of the 24 months
		publish(t, st, "fgw", "tzgg", "2024-06-30 23:59") // just before
		publish(t, st, "fgw", "zcwj", "2026-06-30 18:00")
		publish(t, st, "jtj", "tzgg", "2026-05-01 09:00") // silent on 30 June
		returned := fmt.Sprintf("fgw-tzgg-%d", serial-3)
		for _, r := range []struct{ when, reason string }{{"2026-03-01 09:00", "过早：不在近期"}, {"2026-06-10 09:00", "栏目不符"}} {
			if _, err := st.AppendAudit(ctx, audit.Record{At: *at(r.when), Actor: audit.Actor{Login: "rev", Role: "reviewer"}, Action: "entry.return",
				ObjectKind: "entry", ObjectID: returned, ObjectUnit: "fgw", Outcome: audit.OutcomeOK, Summary: audit.Change(nil, map[string]string{"reason": r.reason})}); err != nil {
				t.Fatal(err)
			}
		}
		f.run(t, "2026-06-30")
		d, err := f.svc.UnitDetail(ctx, day("2026-06-30"), "fgw")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Timeline) != 24 || d.Timeline[0].Label != "2024年7月" || d.Timeline[0].Count != 1 || d.Timeline[23].Count != 1 {
			t.Errorf("timeline: %+v", d.Timeline)
		}
		total := 0
		for _, m := range d.Timeline {
			total += m.Count
		}
		if total != 2 || d.Unit.Published != 3 {
			t.Errorf("timeline total %d, published %d; want 2 and 3", total, d.Unit.Published)
		}
		if len(d.Returns) != 1 || d.Returns[0].Reason != "栏目不符" || d.Returns[0].Entry != returned || !strings.HasPrefix(d.Returns[0].Title, "测试信息") {
			t.Errorf("returns in the window: %+v", d.Returns)
		}
		if len(d.Notices) != 0 {
			t.Errorf("fgw has notices: %+v", d.Notices)
		}
		d, err = f.svc.UnitDetail(ctx, day("2026-06-30"), "jtj")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Notices) != 1 || d.Notices[0].Rule != supervise.RuleSilent || d.Notices[0].UnitName != "测试单位jtj" || len(d.Returns) != 0 {
			t.Errorf("jtj: notices %+v, returns %+v", d.Notices, d.Returns)
		}
		if _, err := f.svc.UnitDetail(ctx, day("2026-06-30"), "nosuch"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown unit: %v", err)
		}
	})
}

func TestSortLeague(t *testing.T) {
	t1 := time.Date(2026, 6, 1, 0, 0, 0, 0, catalog.Shanghai)
	t2 := t1.AddDate(0, 0, 10)
	base := []supervise.LeagueRow{
		{Unit: "a", Kind: catalog.KindCommittee, KindRank: 2, Published: 5, DaysSilent: 3, LastPublish: &t1, Findings: -1, Position: 0},
		{Unit: "b", Kind: catalog.KindDepartment, KindRank: 0, Published: 9, DaysSilent: 40, Findings: 2, Position: 1},
		{Unit: "c", Kind: catalog.KindDepartment, KindRank: 0, Published: 5, DaysSilent: 0, LastPublish: &t2, Findings: 0, Position: 2},
	}
	for _, tc := range []struct {
		key, dir         string
		want             string
		wantKey, wantDir string
	}{
		{"", "", "abc", "unit", "asc"},
		{"nonsense", "desc", "cba", "unit", "desc"},
		{"published", "", "bac", "published", "desc"}, // ties in the city's order
		{"published", "asc", "acb", "published", "asc"},
		{"silent", "", "bac", "silent", "desc"},
		{"last", "desc", "cab", "last", "desc"}, // never published last
		{"last", "asc", "bac", "last", "asc"},
		{"findings", "desc", "bca", "findings", "desc"}, // not checked below none found
		{"kind", "", "bca", "kind", "asc"},
	} {
		t.Run(tc.key+"/"+tc.dir, func(t *testing.T) {
			rows := append([]supervise.LeagueRow(nil), base...)
			k, d := supervise.SortLeague(rows, tc.key, tc.dir)
			got := ""
			for _, r := range rows {
				got += r.Unit
			}
			if got != tc.want || k != tc.wantKey || d != tc.wantDir {
				t.Errorf("sorted %s (%s %s), want %s (%s %s)", got, k, d, tc.want, tc.wantKey, tc.wantDir)
			}
		})
	}
}

func TestMonthBounds(t *testing.T) {
	for _, tc := range []struct {
		asOf        string
		n           int
		first, last string
	}{
		{"2026-06-30", 12, "2025-07-01", "2026-07-01"},
		{"2026-01-01", 12, "2025-02-01", "2026-02-01"},
		{"2026-12-31", 24, "2025-01-01", "2027-01-01"},
		{"2026-03-15", 1, "2026-03-01", "2026-04-01"},
	} {
		b := supervise.MonthBounds(day(tc.asOf), tc.n)
		if len(b) != tc.n+1 || b[0].Format(time.DateOnly) != tc.first || b[tc.n].Format(time.DateOnly) != tc.last {
			t.Errorf("%s × %d: %v … %v (%d bounds)", tc.asOf, tc.n, b[0], b[len(b)-1], len(b))
		}
		for _, x := range b {
			if x.Day() != 1 || x.Hour() != 0 || x.Location() != catalog.Shanghai {
				t.Errorf("bound %v is no month's first instant in China", x)
			}
		}
	}
	ms := supervise.Months(supervise.MonthBounds(day("2026-06-30"), 3), []store.BucketCount{
		{Unit: "a", Bucket: 0, Count: 2}, {Unit: "b", Bucket: 0, Count: 3}, {Unit: "a", Bucket: 2, Count: 1}, {Unit: "a", Bucket: 7, Count: 9}})
	if got := fmt.Sprintf("%s %d %d %s %d", ms[0].Label, ms[0].Count, ms[1].Count, ms[2].Label, ms[2].Count); got != "2026年4月 5 0 2026年6月 1" {
		t.Errorf("months: %+v", ms)
	}
}
