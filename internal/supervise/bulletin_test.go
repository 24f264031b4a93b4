package supervise_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

// The score of docs/supervision-score.md, worked by hand.
func TestScoreByHand(t *testing.T) {
	set := supervise.DefaultSettings() // silent after 30 days; the national fail marks at 5 and 5
	tests := []struct {
		name  string
		f     supervise.ScoreFacts
		parts supervise.ScoreParts
		total float64
	}{
		{
			// volume 25×2/3 = 16.67 → 16.7; freshness 25×(30−12)/(30−7) = 19.57 → 19.6;
			// overdue 15×(5−1)/5 = 12; empty 10×(5−2)/5 = 6; returns 10×8/(8+2) = 8;
			// spot checks 10×3/4 = 7.5; notices 5×(2−1)/2 = 2.5. Sum of the parts: 72.3.
			"the worked example",
			supervise.ScoreFacts{Recent: 2, VolumeMin: 3, DaysSilent: 12, OverdueColumns: 1, EmptyColumns: 2, Published: 8, Returns: 2,
				SpotGraded: 4, SpotPassed: 3, NoticesOpen: 1},
			supervise.ScoreParts{Volume: 16.7, Freshness: 19.6, Overdue: 12, Empty: 6, Returns: 8, SpotCheck: 7.5, Notices: 2.5}, 72.3,
		},
		{
			"everything in order",
			supervise.ScoreFacts{Recent: 9, VolumeMin: 3, DaysSilent: 7, Published: 9},
			supervise.ScoreParts{Volume: 25, Freshness: 25, Overdue: 15, Empty: 10, Returns: 10, SpotCheck: 10, Notices: 5}, 100,
		},
		{
			// Never published: no volume and no freshness; nothing sampled,
			// returned or noticed loses nothing there. Six empty columns
			// are past the mark of five.
			"never published",
			supervise.ScoreFacts{VolumeMin: 3, NeverPublished: true, EmptyColumns: 6},
			supervise.ScoreParts{Volume: 0, Freshness: 0, Overdue: 15, Empty: 0, Returns: 10, SpotCheck: 10, Notices: 5}, 40,
		},
		{
			// Silent 30 days: the last freshness point is gone; an overdue
			// notice counts twice and takes the notices' 5.
			"silent and overdue",
			supervise.ScoreFacts{Recent: 1, VolumeMin: 0, DaysSilent: 30, OverdueColumns: 7, Returns: 3, SpotGraded: 2, NoticesOpen: 1, NoticesOverdue: 1},
			supervise.ScoreParts{Volume: 25, Freshness: 0, Overdue: 0, Empty: 10, Returns: 0, SpotCheck: 0, Notices: 0}, 35,
		},
		{
			// 25×(30−20)/23 = 10.87 → 10.9; 10×1/3 = 3.33 → 3.3; 10×2/3 = 6.67 → 6.7.
			"rounding half up per part",
			supervise.ScoreFacts{Recent: 3, VolumeMin: 3, DaysSilent: 20, Published: 1, Returns: 2, SpotGraded: 3, SpotPassed: 2},
			supervise.ScoreParts{Volume: 25, Freshness: 10.9, Overdue: 15, Empty: 10, Returns: 3.3, SpotCheck: 6.7, Notices: 5}, 75.9,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, total := supervise.Score(tc.f, set)
			if parts != tc.parts || total != tc.total {
				t.Errorf("score %+v = %v, want %+v = %v", parts, total, tc.parts, tc.total)
			}
		})
	}
}

// Ranks follow the score, ties by unit code; the commended are the top
// three at 90 or more that published and are not criticised.
func TestBuildBulletinRanks(t *testing.T) {
	set := supervise.DefaultSettings()
	last := func(s string) *time.Time { return at(s) }
	unit := func(code string, recent int, lastPub string, silent bool) supervise.UnitReport {
		u := supervise.UnitReport{Unit: code, Name: "单位" + code, Kind: catalog.KindDepartment, Recent: recent, VolumeMin: 3, Published: recent}
		if lastPub != "" {
			u.LastPublish = last(lastPub)
			u.DaysSilent = int(day("2026-06-30").Sub(*u.LastPublish).Hours() / 24)
		}
		if silent {
			u.Silent = true
			u.Breaches = []supervise.Breach{{Rule: supervise.RuleSilent, Facts: []string{"长期未更新。"}}}
		}
		return u
	}
	rep := &supervise.Report{Units: []supervise.UnitReport{
		unit("zz", 5, "2026-06-29 10:00", false), // 100
		unit("aa", 5, "2026-06-29 10:00", false), // 100, before zz by code
		unit("mm", 2, "2026-06-28 10:00", false), // 16.7 + 25 + … = 91.7
		unit("kk", 5, "2026-06-29 10:00", false), // 100, but an overdue notice
		unit("qq", 0, "2026-04-01 10:00", true),  // silent: no volume, no freshness: 50
	}}
	in := supervise.BulletinInput{Report: rep,
		ByMonth: map[string][]int{"zz": {1, 2, 2}, "aa": {0, 0, 5}, "mm": {0, 0, 2}, "kk": {5, 0, 0}},
		Notices: []store.NoticeTally{{Unit: "kk", Raised: 1, Open: 1, Overdue: 1}},
		Overdue: []store.Notice{{Unit: "kk", Number: "临政办督〔2026〕3号", Rule: supervise.RuleVolume, DueAtMS: store.Millis(day("2026-06-10"))}},
	}
	d := supervise.BuildBulletin(supervise.Quarter{Year: 2026, Q: 2}, in, set)
	var order []string
	for _, u := range d.Units {
		order = append(order, u.Unit+":"+supervise.ScoreLabel(u.Score))
	}
	if want := []string{"aa:100.0", "zz:100.0", "kk:95.0", "mm:91.7", "qq:50.0"}; !slices.Equal(order, want) {
		t.Errorf("league %v, want %v", order, want)
	}
	var commended, criticised []string
	for _, c := range d.Commended {
		commended = append(commended, c.Unit)
	}
	for _, c := range d.Criticised {
		criticised = append(criticised, c.Unit)
	}
	if !slices.Equal(commended, []string{"aa", "zz", "mm"}) || !slices.Equal(criticised, []string{"kk", "qq"}) {
		t.Errorf("commended %v, criticised %v", commended, criticised)
	}
	if r := d.Criticised[0].Reasons; len(r) != 1 || !strings.Contains(r[0], "临政办督〔2026〕3号") || !strings.Contains(r[0], "2026年6月10日") {
		t.Errorf("kk criticised for %q", r)
	}
	if d.Overview.AverageScore != 87.3 || d.Overview.Published != 17 || d.Overview.SilentUnits != 1 {
		t.Errorf("overview %+v", d.Overview)
	}
}

func returnAt(t *testing.T, st *store.Store, unit, entry, when, reason string) {
	t.Helper()
	if _, err := st.AppendAudit(context.Background(), audit.Record{At: *at(when), Actor: audit.Actor{Login: "rev", Role: "reviewer"},
		Action: "entry.return", ObjectKind: "entry", ObjectID: entry, ObjectUnit: unit,
		Summary: audit.Change(nil, map[string]string{"reason": reason})}); err != nil {
		t.Fatal(err)
	}
}

// A past quarter's bulletin regenerates byte for byte, whatever happened
// after the quarter: new entries, returns, units, columns, notices raised
// and closed, samples drawn and graded, changed settings. A change within
// the quarter (an entry imported with a date in it) shows as a difference.
func TestBulletinRegeneratesIdentically(t *testing.T) {
	shas := map[string]string{}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		for _, u := range []string{"fgw", "jtj", "yjj"} {
			storetest.Unit(t, st, u)
		}
		for id, when := range map[string]string{
			"fgw-04-10": "2026-04-10 09:00", "fgw-05-06": "2026-05-06 09:00", "fgw-05-16": "2026-05-16 09:00", "fgw-05-26": "2026-05-26 09:00",
			"fgw-06-01": "2026-06-01 09:00", "fgw-06-25": "2026-06-25 09:00",
			"jtj-04-15": "2026-04-15 09:00",
			"yjj-05-20": "2026-05-20 09:00", "yjj-06-28": "2026-06-28 09:00",
		} {
			column := "tzgg"
			if strings.HasSuffix(id, "6") {
				column = "zcwj"
			}
			publishID(t, st, id, id[:3], column, when)
		}
		returnAt(t, st, "fgw", "fgw-x", "2026-05-12 10:00", "栏目错放")
		returnAt(t, st, "yjj", "yjj-x", "2026-06-10 10:00", "要素不全")
		returnAt(t, st, "yjj", "yjj-y", "2026-03-31 23:00", "上季度的退回")
		f.run(t, "2026-05-20") // jtj has been silent since 15 April: a notice due 4 June
		rv := caller(auth.RoleReviewer, "")
		may := supervise.Month{Year: 2026, Mon: 5}
		f.now = day("2026-06-02")
		if _, err := f.svc.DrawMonth(ctx, rv, may); err != nil {
			t.Fatal(err)
		}
		f.now = day("2026-06-05")
		grade := func(entry, g string, cats ...string) {
			t.Helper()
			if _, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: may, Entry: entry, Grade: g, Categories: cats}); err != nil {
				t.Fatal(err)
			}
		}
		grade("fgw-05-06", store.GradePass)
		grade("fgw-05-16", store.GradeProblems, "late", "deadlink")
		grade("yjj-05-20", store.GradeProblems, "incomplete")

		q2 := supervise.Quarter{Year: 2026, Q: 2}
		f.now = day("2026-07-01")
		var fe catalog.FieldErrors
		if _, err := f.svc.GenerateBulletin(ctx, rv, supervise.Quarter{Year: 2026, Q: 3}); !errors.As(err, &fe) {
			t.Errorf("generated a quarter not ended: %v", err)
		}
		if _, err := f.svc.GenerateBulletin(ctx, caller(auth.RoleEditor, "fgw"), q2); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a unit generated the bulletin: %v", err)
		}
		f.now = day("2026-07-05")
		g, err := f.svc.GenerateBulletin(ctx, rv, q2)
		if err != nil {
			t.Fatal(err)
		}
		if !g.New || g.Archived.SHA256 == "" || g.Archived.GeneratedBy == "" {
			t.Fatalf("first generation %+v", g)
		}
		_, d, err := f.svc.ArchivedBulletin(ctx, q2)
		if err != nil {
			t.Fatal(err)
		}
		shas[string(st.Dialect())] = g.Archived.SHA256

		// What the quarter held.
		byUnit := map[string]supervise.BulletinUnit{}
		for _, u := range d.Units {
			byUnit[u.Unit] = u
		}
		fgw, jtj := byUnit["fgw"], byUnit["jtj"]
		if len(d.Units) != 3 || !slices.Equal(fgw.ByMonth, []int{1, 3, 2}) || fgw.Returns != 1 || fgw.Spot.Graded != 2 || fgw.Spot.Passed != 1 ||
			fgw.Spot.ByCategory["deadlink"] != 1 || fgw.LastPublish != "2026-06-25" {
			t.Errorf("fgw in Q2: %+v", fgw)
		}
		if !jtj.Silent || jtj.Notices.Overdue != 1 || jtj.Notices.Raised != 1 || len(d.Criticised) != 1 || d.Criticised[0].Unit != "jtj" ||
			len(d.Criticised[0].Reasons) != 2 {
			t.Errorf("jtj in Q2: %+v; criticised %+v", jtj, d.Criticised)
		}
		if d.Overview.Returns != 2 || d.Overview.Published != 9 || d.Spot.Total.Sampled != 4 || d.Spot.Total.Graded != 3 ||
			len(d.Spot.Months) != 1 || d.Spot.Months[0].Month != "2026-05" || d.From != "2026-04-01" || d.To != "2026-06-30" {
			t.Errorf("overview %+v, spot %+v", d.Overview, d.Spot)
		}
		if d.Units[len(d.Units)-1].Unit != "jtj" {
			t.Errorf("jtj ranks %d of %d", jtj.Rank, len(d.Units))
		}

		// Life after the quarter.
		f.now = day("2026-07-06")
		publishID(t, st, "fgw-07-02", "fgw", "tzgg", "2026-07-02 09:00")
		publishID(t, st, "jtj-07-03", "jtj", "tzgg", "2026-07-03 09:00")
		storetest.Unit(t, st, "new")
		publishID(t, st, "new-07-04", "new", "tzgg", "2026-07-04 09:00")
		returnAt(t, st, "fgw", "fgw-z", "2026-07-01 00:00", "标题有误")
		grade("fgw-05-26", store.GradePass) // a late grade of May's sample
		june := supervise.Month{Year: 2026, Mon: 6}
		if _, err := f.svc.DrawMonth(ctx, rv, june); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: "fgw-06-01", Grade: store.GradeProblems, Categories: []string{"misplaced"}}); err != nil {
			t.Fatal(err)
		}
		for _, n := range f.notices(t, "jtj") {
			if _, err := f.svc.Close(ctx, rv, n.ID, "已整改"); err != nil {
				t.Fatal(err)
			}
		}
		f.run(t, "2026-07-10")
		if _, err := st.ChangeTree(ctx, catalog.ColumnChange{Unit: "fgw", Action: catalog.FilingAdd, Reason: "新增职能", By: "ed",
			Column: catalog.Column{Code: "nyjs", Name: "农业技术", Parent: catalog.GroupColumn}}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ChangeTree(ctx, catalog.ColumnChange{Unit: "yjj", Action: catalog.FilingRemove, Reason: "职能划转", By: "ed",
			Column: catalog.Column{Code: "zwft"}}, false); err != nil {
			t.Fatal(err)
		}
		set, _ := f.svc.Settings(ctx)
		set.SilentDays, set.SpotCheckSize = 20, 3
		if err := f.svc.SaveSettings(ctx, caller(auth.RoleAdmin, ""), set); err != nil {
			t.Fatal(err)
		}

		f.now = day("2026-07-20")
		again, err := f.svc.GenerateBulletin(ctx, rv, q2)
		if err != nil {
			t.Fatal(err)
		}
		if again.New || !again.Identical || again.FreshSHA != g.Archived.SHA256 || again.Archived.Data != g.Archived.Data {
			t.Fatalf("regenerated Q2: identical %v, %s vs %s; differences %v", again.Identical, again.FreshSHA, g.Archived.SHA256, again.Differences)
		}
		// With today's settings the quarter reads differently: the
		// archive's settings are what make it regenerate.
		if other, err := f.svc.Bulletin(ctx, q2, set); err != nil {
			t.Fatal(err)
		} else if b, sum, _ := supervise.EncodeBulletin(other); sum == g.Archived.SHA256 || !json.Valid(b) {
			t.Error("today's settings gave the archived bulletin: the settings are not what it reads")
		}

		// A change inside the quarter is told apart.
		publishID(t, st, "fgw-06-15", "fgw", "tzgg", "2026-06-15 10:00")
		cmp, err := f.svc.CompareBulletin(ctx, q2)
		if err != nil {
			t.Fatal(err)
		}
		if cmp.Identical || !slices.Contains(cmp.Differences, "概况数据") || !slices.Contains(cmp.Differences, "单位“测试单位fgw”的得分、排名或数据") {
			t.Errorf("a back-dated entry went unnoticed: %+v", cmp.Differences)
		}
		recs, _, err := st.AuditRecords(ctx, store.AuditQuery{Action: "bulletin.", Outcome: "ok", Size: 10})
		if err != nil || len(recs) != 2 || recs[0].Action != "bulletin.verify" || !strings.Contains(recs[0].Summary, `"identical":true`) ||
			recs[1].Action != "bulletin.generate" || !strings.Contains(recs[1].Summary, g.Archived.SHA256) {
			t.Errorf("audit %+v, %v", recs, err)
		}
		list, err := f.svc.Bulletins(ctx)
		if err != nil || len(list) != 1 || list[0].Quarter != "2026Q2" || list[0].Data != "" {
			t.Errorf("archive list %+v, %v", list, err)
		}
	})
	if len(shas) == 2 && shas["sqlite"] != shas["postgres"] {
		t.Errorf("SQLite and PostgreSQL archived different bulletins: %v", shas)
	}
}
