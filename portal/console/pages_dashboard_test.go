package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
	"gongkai/internal/workflow"
	"gongkai/portal/console"
)

// superviseNow is the clock of the supervision pages' tests: 30 June 2026,
// afternoon, in China.
var superviseNow = time.Date(2026, 6, 30, 15, 0, 0, 0, catalog.Shanghai)

// newSuperviseSite is an officeSite whose console, workflow and
// supervision all read the fixed clock.
func newSuperviseSite(t *testing.T, st *store.Store) (*officeSite, *workflow.Service) {
	t.Helper()
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return superviseNow }
	acc := auth.NewAccounts(st, nil)
	wf := workflow.New(st, fs, nil)
	wf.Now = now
	sv := supervise.New(st, fs, nil)
	sv.Now = now
	c := console.New(console.Deps{Store: st, Files: fs, Workflow: wf, Accounts: acc, Tokens: auth.NewVerifier(st, nil),
		Supervise: sv, Now: now})
	s := &officeSite{st: st, acc: acc, h: mount(c), sessions: map[string]officeSession{}}
	for _, a := range officeAccounts {
		s.login(t, a.login, a.role, a.unit)
	}
	s.login(t, "ap.fgw", "approver", "fgw")
	return s, wf
}

var publishSerial int

// publishAt stores a published entry of unit in column at a time
// (2026-06-29 10:00, China).
func publishAt(t *testing.T, st *store.Store, unit, column, when string, edit ...func(*catalog.Entry)) string {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", when, catalog.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	publishSerial++
	e := catalog.Entry{ID: fmt.Sprintf("%s-%s-%d", unit, column, publishSerial), Unit: unit, Column: column,
		Title: "测试信息 " + when, Status: catalog.StatusPublished, PublishedAt: &at, BodyHTML: "<p>正文</p>"}
	for _, f := range edit {
		f(&e)
	}
	if _, err := st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// dashboardData: fgw publishes steadily up to 29 June; jtj last published
// on 10 May (silent as of 30 June: 51 days); the zone committee gxq,
// named like a formula, published in March only.
func dashboardData(t *testing.T, s *officeSite) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.st.SaveUnit(ctx, catalog.Unit{Code: "gxq", Name: "=1+1 高新区管委会", Kind: catalog.KindCommittee, OrgCode: "GXQ000000000000000"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2026-04-02 09:00", "2026-05-06 09:00", "2026-06-01 09:00", "2026-06-29 10:00"} {
		publishAt(t, s.st, "fgw", "tzgg", d)
	}
	publishAt(t, s.st, "fgw", "zcwj", "2025-07-01 09:00")
	for _, d := range []string{"2026-03-03 09:00", "2026-05-10 09:00"} {
		publishAt(t, s.st, "jtj", "tzgg", d)
	}
	publishAt(t, s.st, "gxq", "ggfw", "2026-03-15 09:00")
}

func TestDashboardPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newSuperviseSite(t, st)
		dashboardData(t, s)

		page := html.UnescapeString(s.get(t, "rev", "/console/supervision", http.StatusOK))
		for _, want := range []string{
			"<h1>监督考核</h1>",
			`<span class="card-n">3</span><span class="card-l">单位</span>`,    // three units
			`<span class="card-n">8</span><span class="card-l">已发布信息</span>`, // eight entries
			"长期未更新单位", "全国政务公开检查自查", "未通过", // 20 columns × 3 units, most empty
			`href="/console/supervision/units/jtj"`,
			`<time datetime="2026-06-29T10:00:00+08:00">2026年6月29日</time>`,
			`<time datetime="2026-05-10T09:00:00+08:00">2026年5月10日</time>`,
			"=1+1 高新区管委会",
			`<script type="application/json" id="chart-data">`,
			"/console/static/dashboard.js",
			`name="csrf"`, `action="/console/supervision/run"`,
			"/console/supervision/export.xlsx?dir=asc&sort=unit",
			"2026年6月", "2025年7月", // the months' table spans the last 12 months
		} {
			if !strings.Contains(page, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if strings.Contains(page, "2025年6月") {
			t.Error("the months' table goes back more than 12 months")
		}
		// The chart data is JSON that names the months and counts.
		m := regexp.MustCompile(`(?s)id="chart-data">(.*?)</script>`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(m[1], `"labels":["2025年7月"`) || !strings.Contains(m[1], `"values":[1,0,0,0,0,0,0,0,2,1,2,2]`) {
			t.Errorf("chart data: %v", m)
		}

		// Silent units first, with aria-sort on the header sorted by.
		page = s.get(t, "adm", "/console/supervision?sort=silent&dir=desc", http.StatusOK)
		if !regexp.MustCompile(`<th scope="col" data-key="silent" data-desc aria-sort="descending">`).MatchString(page) {
			t.Error("sorted by days silent, but its header has no aria-sort=descending")
		}
		if order := unitOrder(page); strings.Join(order, ",") != "gxq,jtj,fgw" {
			t.Errorf("sorted by days silent: %v, want gxq,jtj,fgw", order)
		}
		if strings.Count(page, "aria-sort=") != 1 {
			t.Error("more than one header claims the sort")
		}
		page = s.get(t, "adm", "/console/supervision?sort=published&dir=asc", http.StatusOK)
		if order := unitOrder(page); strings.Join(order, ",") != "gxq,jtj,fgw" {
			t.Errorf("sorted by published, ascending: %v", order)
		}
		page = s.get(t, "adm", "/console/supervision?sort=nonsense", http.StatusOK)
		if order := unitOrder(page); strings.Join(order, ",") != "fgw,jtj,gxq" {
			t.Errorf("an unknown sort keeps the city's order (departments first): %v", order)
		}

		// As of 31 May, June's entries are not there.
		page = s.get(t, "rev", "/console/supervision?as_of=2026-05-31", http.StatusOK)
		if !strings.Contains(page, `<span class="card-n">6</span><span class="card-l">已发布信息</span>`) {
			t.Error("as of 31 May: want six entries published")
		}
		if !strings.Contains(page, `href="/console/supervision/units/fgw?as_of=2026-05-31"`) {
			t.Error("the drill-down links keep the date")
		}

		for _, bad := range []string{"2026-13-01", "yesterday", "2026-07-01"} {
			page = s.get(t, "rev", "/console/supervision?as_of="+bad, http.StatusBadRequest)
			if !strings.Contains(page, `id="f-as_of-err"`) {
				t.Errorf("as_of=%s: no message beside the date field", bad)
			}
		}

		// Only the office supervises.
		for _, login := range []string{"ed.fgw", "ap.fgw", "aud"} {
			s.get(t, login, "/console/supervision", http.StatusForbidden)
			s.get(t, login, "/console/supervision/export.xlsx", http.StatusForbidden)
			s.get(t, login, "/console/supervision/units/fgw", http.StatusForbidden)
		}
	})
}

var leagueRowRE = regexp.MustCompile(`<th scope="row" data-v="\d+"><a href="/console/supervision/units/([a-z0-9_-]+)`)

func unitOrder(page string) []string {
	var out []string
	for _, m := range leagueRowRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestDashboardExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newSuperviseSite(t, st)
		dashboardData(t, s)
		rec := s.do(t, "rev", http.MethodGet, "/console/supervision/export.xlsx?as_of=2026-06-30&sort=published&dir=desc", nil, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Fatalf("content type %q", ct)
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "supervision-20260630.xlsx") || !strings.Contains(cd, "filename*=UTF-8''") {
			t.Errorf("content disposition %q", cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 {
			t.Fatalf("%d rows, want a title, the headers and 3 units: %q", len(rows), rows)
		}
		if !strings.Contains(rows[0][0], "截至2026年6月30日") {
			t.Errorf("title %q", rows[0][0])
		}
		if strings.Join(rows[1][:4], "|") != "单位代码|单位名称|单位类型|已发布信息" {
			t.Errorf("headers %q", rows[1])
		}
		// Sorted as asked: fgw (5), jtj (2), gxq (1).
		if rows[2][0] != "fgw" || rows[3][0] != "jtj" || rows[4][0] != "gxq" {
			t.Errorf("order %q %q %q", rows[2][0], rows[3][0], rows[4][0])
		}
		if rows[2][5] != "2026年6月29日" {
			t.Errorf("fgw's last publish %q", rows[2][5])
		}
		// Counts are numbers; the name that looks like a formula is text.
		for _, cell := range []string{"D3", "E3", "G3", "J3", "K3", "N3"} {
			if typ, err := f.GetCellType(sheet, cell); err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
				t.Errorf("%s: type %v (%v), want a number", cell, typ, err)
			}
		}
		if v, _ := f.GetCellValue(sheet, "D3"); v != "5" {
			t.Errorf("fgw published %q, want 5", v)
		}
		if v, _ := f.GetCellValue(sheet, "B5"); v != "=1+1 高新区管委会" {
			t.Errorf("gxq's name %q", v)
		}
		if formula, _ := f.GetCellFormula(sheet, "B5"); formula != "" {
			t.Errorf("a unit's name became the formula %q", formula)
		}
		if typ, _ := f.GetCellType(sheet, "B5"); typ == excelize.CellTypeFormula {
			t.Error("a unit's name is a formula cell")
		}
		s.get(t, "rev", "/console/supervision/export.xlsx?as_of=nope", http.StatusBadRequest)
	})
}

func TestDashboardUnitPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, wf := newSuperviseSite(t, st)
		dashboardData(t, s)
		ctx := context.Background()
		// One entry returned by the office with a reason, in June.
		ed := workflow.Caller{P: auth.Principal{Login: "ed.fgw", Role: auth.RoleEditor, Unit: "fgw"}}
		ap := workflow.Caller{P: auth.Principal{Login: "ap.fgw", Role: auth.RoleApprover, Unit: "fgw"}}
		rv := workflow.Caller{P: auth.Principal{Login: "rev", Role: auth.RoleReviewer}}
		res, err := wf.Create(ctx, ed, catalog.EntryInput{Column: "zcwj", Title: "关于退回测试的通知", BodyHTML: "<p>正文</p>"})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Entry.ID
		if _, err := wf.Submit(ctx, ed, id, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.Approve(ctx, ap, id, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.Return(ctx, rv, id, "栏目不符：请调整到通知公告栏目", 0); err != nil {
			t.Fatal(err)
		}
		// A notice for the unit.
		s.post(t, "rev", "/console/supervision/run", url.Values{}, http.StatusSeeOther)

		page := html.UnescapeString(s.get(t, "rev", "/console/supervision/units/jtj", http.StatusOK))
		for _, want := range []string{
			"<h1>测试单位jtj</h1>",
			"长期未更新", "已连续 51 天未在政府信息公开目录发布信息",
			"<th scope=\"row\">通知公告</th><td class=\"num\">2</td>",
			"<time datetime=\"2026-05-10T09:00:00+08:00\">2026年5月10日</time>",
			"空白", "每年1月31日前", "180 天",
			"更新时间线", "2024年7月", "2026年6月",
			`href="/console/notices/`, "临政办督〔2026〕", "待整改",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("jtj's page lacks %q", want)
			}
		}
		if strings.Contains(page, "2024年6月") {
			t.Error("the timeline spans more than 24 months")
		}

		page = html.UnescapeString(s.get(t, "rev", "/console/supervision/units/fgw", http.StatusOK))
		for _, want := range []string{"近期退回（1 次）", "超期未更新", "<time datetime=\"2025-12-29T00:00:00+08:00\">2025年12月29日</time>", "栏目不符：请调整到通知公告栏目（1 次）", "关于退回测试的通知", "/console/entries/" + id} {
			if !strings.Contains(page, want) {
				t.Errorf("fgw's page lacks %q", want)
			}
		}
		s.get(t, "rev", "/console/supervision/units/nosuch", http.StatusNotFound)
		s.get(t, "rev", "/console/supervision/units/fgw?as_of=2026-02-30", http.StatusBadRequest)
	})
}

func TestDashboardRunNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newSuperviseSite(t, st)
		dashboardData(t, s)
		ctx := context.Background()
		rec := s.post(t, "rev", "/console/supervision/run", url.Values{}, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/supervision?done=supervise_ran" {
			t.Fatalf("redirect to %q", loc)
		}
		ns, err := st.Notices(ctx, store.NoticeQuery{Units: []string{"jtj"}})
		if err != nil || len(ns) != 1 || ns[0].Rule != supervise.RuleSilent || ns[0].RaisedBy != "rev" {
			t.Fatalf("jtj's notices after the run: %+v, %v", ns, err)
		}
		recs, _, err := st.AuditRecords(ctx, store.AuditQuery{Action: "supervise.run", Size: 10})
		if err != nil || len(recs) != 1 || recs[0].Actor.Login != "rev" || !strings.Contains(recs[0].Summary, "2 notices raised") {
			t.Fatalf("the run's audit record: %+v, %v", recs, err)
		}
		// The same day again raises nothing new.
		s.post(t, "adm", "/console/supervision/run", url.Values{}, http.StatusSeeOther)
		if n, _ := st.CountNotices(ctx, store.NoticeQuery{}); n != 2 {
			t.Errorf("%d notices after a second run, want 2 (jtj's and gxq's)", n)
		}
		page := s.get(t, "rev", "/console/supervision?done=supervise_ran", http.StatusOK)
		if !strings.Contains(page, "已按当前情况运行督办检查") || !strings.Contains(page, `<span class="card-n">2</span><span class="card-l">未办结督办通知</span>`) {
			t.Error("after the run the dashboard shows no message or no open notice")
		}
		// Without the form's token, or as a unit, nothing runs.
		s.post(t, "rev", "/console/supervision/run", url.Values{"csrf": {"wrong"}}, http.StatusForbidden)
		s.post(t, "ed.fgw", "/console/supervision/run", url.Values{}, http.StatusForbidden)
	})
}

func TestDashboardAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newSuperviseSite(t, st)
		dashboardData(t, s)
		rec := s.do(t, "rev", http.MethodGet, "/api/v1/console/supervision?as_of=2026-06-30&sort=silent", nil, http.StatusOK)
		var got struct {
			AsOf    string         `json:"as_of"`
			Totals  map[string]int `json:"totals"`
			Notices map[string]int `json:"notices"`
			Units   []struct {
				Unit        string  `json:"unit"`
				LastPublish *string `json:"last_publish"`
				DaysSilent  int     `json:"days_silent"`
				Findings    *int    `json:"findings"`
			} `json:"units"`
			National struct {
				Pass bool `json:"pass"`
			} `json:"national"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%v\n%s", err, rec.Body.String())
		}
		if got.AsOf != "2026-06-30T23:59:59.999+08:00" || got.Totals["published"] != 8 || got.Notices["open"] != 0 || got.National.Pass {
			t.Errorf("figures: %+v", got)
		}
		if len(got.Units) != 3 || got.Units[0].Unit != "gxq" || got.Units[0].DaysSilent != 107 || got.Units[0].Findings != nil ||
			got.Units[0].LastPublish == nil || *got.Units[0].LastPublish != "2026-03-15T09:00:00+08:00" {
			t.Errorf("units, the most silent first: %+v", got.Units)
		}
		rec = s.do(t, "rev", http.MethodGet, "/api/v1/console/supervision?as_of=2026-99-01", nil, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), `"as_of"`) {
			t.Errorf("a bad date: %s", rec.Body.String())
		}
		s.do(t, "ed.fgw", http.MethodGet, "/api/v1/console/supervision", nil, http.StatusForbidden)
	})
}
