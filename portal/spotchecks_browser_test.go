package portal_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

// The office's spot-check and bulletin pages in Chromium: axe-core, phone
// width and the keyboard as for every console page, a grade given in the
// browser, and the bulletin's charts drawn by ECharts from the page's data
// (the tables beside them stay).
func TestBrowserSpotChecksAndBulletins(t *testing.T) {
	axe := needBrowser(t)
	if _, err := os.Stat(filepath.Join("console", "static", "vendor", "echarts.min.js")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ECharts is not built into the console (make editor) (CI=true)")
		}
		t.Skip("skipping: ECharts is not built into the console (make editor, then rebuild)")
	}
	site := newCBSite(t)
	ctx := context.Background()
	// June 2026 has ended by the clock the served console reads.
	for i, title := range []string{"关于开展安全生产大检查的通知", "2026年上半年重点项目建设情况", "关于公布价格认定事项的公告"} {
		pub := time.Date(2026, 6, 3+9*i, 10, 0, 0, 0, catalog.Shanghai)
		e := catalog.Entry{ID: fmt.Sprintf("fgw-2026-06-%d", i), Unit: "fgw", Column: "tzgg", Title: title, Status: catalog.StatusPublished,
			PublishedAt: &pub, BodyHTML: "<p>正文</p>"}
		if i == 2 {
			e.Unit, e.ID = "jtj", "jtj-2026-06-2"
		}
		if _, err := site.st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "fixture"}}); err != nil {
			t.Fatal(err)
		}
	}
	sv := supervise.New(site.st, site.fs, nil)
	rv := auth.Caller(site.who["rv.office"])
	june := supervise.Month{Year: 2026, Mon: 6}
	if _, err := sv.DrawMonth(ctx, rv, june); err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: "jtj-2026-06-2", Grade: store.GradeProblems,
		Categories: []string{"incomplete", "other"}, Note: "未注明发布机构"}); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	p := cbTab(t, browser, site.URL)
	p.keyboardLogin(t, "rv.office", cbPassword)

	// A grade in the browser: pass, saved, and back at its row.
	p.open(t, "/console/spotchecks?month=2026-06")
	row := "#e-fgw-2026-06-0"
	p.do(t, chromedp.Click(chromedp.CSS(row+` input[name=grade][value=pass]`)))
	if st := p.submit(t, "save the grade", chromedp.Click(chromedp.CSS(row+` button[type=submit]`))); st != 200 {
		t.Fatalf("grade: status %d: %s", st, p.text(t, "main"))
	}
	if got := p.text(t, ".flash"); got != "评定已保存。" {
		t.Errorf("after the grade the notice says %q", got)
	}
	if got := p.text(t, row+" .status"); got != "合格" {
		t.Errorf("the graded row says %q", got)
	}
	if got := cbEval[string](t, p, `location.hash`); got != row {
		t.Errorf("after the grade the page is at %q, want the row", got)
	}

	if _, err := sv.GenerateBulletin(ctx, rv, supervise.Quarter{Year: 2026, Q: 2}); err != nil {
		t.Fatal(err)
	}
	for _, pg := range []cbA11yPage{
		{name: "spot checks", path: "/console/spotchecks?month=2026-06"},
		{name: "bulletins", path: "/console/bulletins"},
		{name: "bulletin", path: "/console/bulletins/2026Q2"},
	} {
		t.Run(pg.name, func(t *testing.T) {
			checkConsolePage(t, p, cbPhone(t, p), axe, pg)
		})
	}

	// The charts are drawn; the tables carry the same figures.
	p.open(t, "/console/bulletins/2026Q2")
	p.waitFor(t, "the score chart", `document.querySelector('#chart-score canvas') !== null`, 10*time.Second)
	p.waitFor(t, "the volume chart", `document.querySelector('#chart-volume canvas') !== null`, 10*time.Second)
	if h := cbEval[float64](t, p, `document.querySelector('#chart-score').getBoundingClientRect().height`); h < 200 {
		t.Errorf("the score chart is %v px high: %s", h, cbEval[string](t, p, `(e => e.style.cssText + ' | ' + getComputedStyle(e).display + ' ' + getComputedStyle(e).height + ' | ' + e.outerHTML.slice(0, 300))(document.querySelector('#chart-score'))`))
	}
	if got := p.text(t, "table.league tbody"); !strings.Contains(got, "临沂市发展和改革委员会") || !strings.Contains(got, "临沂市交通运输局") {
		t.Errorf("the league table reads %q", got)
	}
	if hidden := cbEval[string](t, p, `document.querySelector('#chart-score').getAttribute('aria-hidden')`); hidden != "true" {
		t.Error("the chart is not hidden from screen readers, who read the table")
	}
	if shots := os.Getenv(envScreenshots); shots != "" {
		for name, path := range map[string]string{"bulletin": "/console/bulletins/2026Q2", "spotchecks": "/console/spotchecks?month=2026-06"} {
			p.open(t, path)
			if name == "bulletin" {
				p.waitFor(t, "the charts", `document.querySelectorAll('.bulletin-figure.drawn canvas').length >= 2`, 10*time.Second)
			}
			sctx, cancel := p.step()
			png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(shots, "gongkai-console-desk-"+name+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot %s", file)
		}
	}
	if d := p.takeDialogs(); len(d) > 0 {
		t.Errorf("dialogs: %v", d)
	}
}
