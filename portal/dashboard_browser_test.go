package portal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

// TestBrowserSupervisionDashboard: the office's dashboard in Chromium. The
// league table sorts in place by its headers (aria-sort follows, the
// export link and the address keep the order), the charts are drawn from
// the page's data, and the dashboard, a unit's drill-down, the campaigns,
// the annual report tables and the settings pass axe-core at desk and
// phone width and from the keyboard.
func TestBrowserSupervisionDashboard(t *testing.T) {
	axe := needBrowser(t)
	s, svc := newNoticeSite(t) // the supervision clock: 30 June 2026
	ctx := context.Background()
	n := 0
	publish := func(unit, column, when string) {
		t.Helper()
		at, err := time.ParseInLocation("2006-01-02 15:04", when, catalog.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		n++
		e := catalog.Entry{ID: fmt.Sprintf("dash-%d", n), Unit: unit, Column: column, Title: "测试信息", Status: catalog.StatusPublished,
			PublishedAt: &at, BodyHTML: "<p>正文</p>", WrittenAt: at.Format(time.DateOnly), Validity: "有效"}
		if _, err := s.st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "test"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"2025-09-01 09:00", "2026-03-02 09:00", "2026-05-06 09:00", "2026-06-20 09:00", "2026-06-29 10:00"} {
		publish("fgw", "tzgg", d)
	}
	publish("fgw", "gfxwj", "2025-04-01 09:00")
	publish("jtj", "tzgg", "2026-04-10 09:00") // silent on 30 June
	camp, err := svc.CreateCampaign(ctx, auth.Caller{P: auth.Principal{Login: "rv.office", Role: auth.RoleReviewer}},
		supervise.CampaignForm{Title: "6月目录更新", Start: "2026-06-01", Deadline: "2026-06-30", Columns: []string{"tzgg", "zcwj"}})
	if err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	rv := cbTab(t, browser, s.URL)
	rv.keyboardLogin(t, "rv.office", cbPassword)
	if st := rv.open(t, "/console/supervision"); st != 200 {
		t.Fatalf("the dashboard: status %d", st)
	}
	order := func() string {
		return strings.Join(cbEval[[]string](t, rv, `[...document.querySelectorAll('table.league tbody th[scope=row] a')].map(a => a.textContent)`), ",")
	}
	sorted := func() string {
		return strings.Join(cbEval[[]string](t, rv, `[...document.querySelectorAll('table.league thead th[aria-sort]')].map(th => th.dataset.key + ' ' + th.getAttribute('aria-sort'))`), ",")
	}
	if got := order(); got != "临沂市发展和改革委员会,临沂市交通运输局" {
		t.Fatalf("league order %s", got)
	}
	if got := sorted(); got != "unit ascending" {
		t.Errorf("sorted %q at first", got)
	}
	// The days silent, worst first, in place: no new page.
	rv.do(t, chromedp.Evaluate[chromedp.Void](`window.stayed = true`))
	rv.do(t, chromedp.Click(chromedp.CSS(`table.league th[data-key=silent] a`)))
	if got := order(); got != "临沂市交通运输局,临沂市发展和改革委员会" {
		t.Errorf("after sorting by days silent: %s", got)
	}
	if got := sorted(); got != "silent descending" {
		t.Errorf("aria-sort after the click: %q", got)
	}
	if !cbEval[bool](t, rv, `window.stayed === true`) {
		t.Error("sorting loaded a new page")
	}
	if got := rv.text(t, "#league-status"); !strings.Contains(got, "未更新天数") {
		t.Errorf("the sort is not announced: %q", got)
	}
	if href := cbEval[string](t, rv, `document.querySelector('a[href^="/console/supervision/export.xlsx"]').getAttribute('href')`); !strings.Contains(href, "sort=silent") || !strings.Contains(href, "dir=desc") {
		t.Errorf("the export link does not keep the order: %s", href)
	}
	if loc := cbEval[string](t, rv, `location.search`); !strings.Contains(loc, "sort=silent") {
		t.Errorf("the address does not keep the order: %s", loc)
	}
	// From the keyboard, the same header again: the other way round.
	rv.do(t, chromedp.Focus(chromedp.CSS(`table.league th[data-key=silent] a`)), chromedp.KeyEvent("\r"))
	if got := sorted(); got != "silent ascending" {
		t.Errorf("aria-sort after Enter: %q", got)
	}
	if got := order(); got != "临沂市发展和改革委员会,临沂市交通运输局" {
		t.Errorf("after sorting by days silent, ascending: %s", got)
	}
	// The charts, when ECharts is there.
	if cbEval[bool](t, rv, `!!window.echarts`) {
		if got := cbEval[int](t, rv, `document.querySelectorAll('.chart.drawn svg').length`); got != 2 {
			t.Errorf("%d charts drawn, want 2", got)
		}
	} else {
		t.Log("ECharts is not installed (make editor): the charts are left to their tables")
	}

	// The drill-down from the table.
	if st := rv.submit(t, "a unit's drill-down", chromedp.Click(chromedp.CSS(`table.league a[href^="/console/supervision/units/jtj"]`))); st != 200 {
		t.Fatalf("drill-down: status %d", st)
	}
	if got := rv.text(t, "main"); !strings.Contains(got, "长期未更新") || !strings.Contains(got, "2026年4月10日") {
		t.Errorf("jtj's drill-down: %s", got)
	}

	phone := cbPhone(t, rv)
	for _, pg := range []cbA11yPage{
		{name: "supervision dashboard", path: "/console/supervision"},
		{name: "supervision unit", path: "/console/supervision/units/fgw"},
		{name: "campaigns", path: "/console/campaigns"},
		{name: "campaign", path: fmt.Sprintf("/console/campaigns/%d", camp.ID)},
		{name: "annual report tables", path: "/console/annual?unit=fgw&year=2025"},
		{name: "supervision settings", path: "/console/supervision/settings"},
	} {
		t.Run(pg.name, func(t *testing.T) { checkConsolePage(t, rv, phone, axe, pg) })
	}
}
