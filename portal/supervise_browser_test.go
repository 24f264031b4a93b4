package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
	"gongkai/internal/workflow"
	"gongkai/portal"
)

// newNoticeSite is the portal with its console, as newCBSite makes it but
// without a search index, and with supervision on a fixed clock: 30 June
// 2026, 10:00 in China.
func newNoticeSite(t *testing.T) (*cbSite, *supervise.Service) {
	t.Helper()
	ctx := context.Background()
	st := storetest.SQLite(t)
	fs, err := files.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []catalog.Unit{
		{Code: "fgw", Name: "临沂市发展和改革委员会", Kind: catalog.KindDepartment, OrgCode: "11371300004331204K"},
		{Code: "jtj", Name: "临沂市交通运输局", Kind: catalog.KindDepartment, OrgCode: "113713000043312052"},
	} {
		if _, err := st.SaveUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := supervise.New(st, fs, log)
	svc.Now = func() time.Time { return time.Date(2026, 6, 30, 10, 0, 0, 0, catalog.Shanghai) }
	ts := httptest.NewServer(portal.New(portal.Deps{Store: st, Files: fs, Site: cbSiteInfo, Log: log, Supervise: svc}))
	t.Cleanup(ts.Close)
	s := &cbSite{URL: ts.URL, st: st, fs: fs, wf: workflow.New(st, fs, log), acc: auth.NewAccounts(st, log), who: map[string]workflow.Caller{}}
	for _, a := range cbAccounts {
		s.addUser(t, a.login, a.role, a.unit, a.name, false)
	}
	return s, svc
}

// TestBrowserSupervisionNotice walks a supervision notice through the
// console as the people who handle it: the office opens the supervision
// dashboard, goes to the notices and raises one for 市发改委 by hand; the
// unit's editor logs in, sees the menu's badge and the notice, uploads the
// written self-examination (a PDF) and reports the rectification; the
// office opens it again and closes it, and it stands 已办结. The notice
// pages pass axe-core at desk and phone width on the way.
func TestBrowserSupervisionNotice(t *testing.T) {
	axe := needBrowser(t)
	s, _ := newNoticeSite(t)
	browser := newBrowser(t)

	// The office: dashboard → notices → raise one by hand.
	rv := cbTab(t, browser, s.URL)
	rv.keyboardLogin(t, "rv.office", cbPassword)
	if st := rv.open(t, "/console/supervision"); st != 200 {
		t.Fatalf("the supervision dashboard: status %d", st)
	}
	if st := rv.submit(t, "the dashboard's link to the notices", chromedp.Click(chromedp.CSS(`main a[href="/console/notices"]`))); st != 200 {
		t.Fatalf("notices from the dashboard: status %d", st)
	}
	if got := rv.where(t); got != "/console/notices" {
		t.Fatalf("the dashboard's link leads to %s", got)
	}
	rv.pick(t, "#r-unit", "临沂市发展和改革委员会")
	rv.do(t, chromedp.SendKeys(chromedp.ID("r-facts"), "通知公告栏目自2026年3月1日起未更新。\n政策文件栏目未关联政策解读。"))
	rv.do(t, chromedp.SetValue(chromedp.ID("r-due"), "2026-07-15"))
	if st := rv.submit(t, "印发督办通知", chromedp.Click(chromedp.CSS(`#raise button[type=submit]`))); st != 200 {
		t.Fatalf("raising the notice: status %d: %s", st, rv.text(t, "main"))
	}
	path := rv.where(t)
	id, ok := strings.CutPrefix(strings.SplitN(path, "?", 2)[0], "/console/notices/")
	if !ok {
		t.Fatalf("after raising: on %s", path)
	}
	if got := rv.text(t, ".flash"); !strings.Contains(got, "督办通知已印发") {
		t.Errorf("after raising the page says %q", got)
	}
	page := rv.text(t, "main")
	for _, w := range []string{"临政办督〔2026〕1号", "关于临沂市发展和改革委员会政府信息公开工作有关问题的督办通知", "1．通知公告栏目自2026年3月1日起未更新。",
		"2．政策文件栏目未关联政策解读。", "2026年7月15日", "待整改"} {
		if !strings.Contains(page, w) {
			t.Errorf("the new notice's page lacks %q:\n%s", w, page)
		}
	}
	rvPhone := cbPhone(t, rv)
	checkConsolePage(t, rv, rvPhone, axe, cbA11yPage{name: "notices list (office)", path: "/console/notices"})

	// The printable document: the official layout alone, under axe too.
	if st := rv.open(t, "/console/notices/"+id+"/print"); st != 200 {
		t.Fatalf("print page: %d", st)
	}
	doc := rv.text(t, "main.official")
	for _, w := range []string{"临沂市人民政府办公室", "临政办督〔2026〕1号", "临沂市发展和改革委员会：", "特此通知。", "2026年6月30日"} {
		if !strings.Contains(doc, w) {
			t.Errorf("the printable document lacks %q", w)
		}
	}
	if red := cbEval[string](t, rv, `getComputedStyle(document.querySelector('.doc-issuer')).color`); red != "rgb(255, 0, 0)" {
		t.Errorf("the issuer's mark is %s, want red", red)
	}
	if rule := cbEval[string](t, rv, `(s => s.borderBottomStyle + ' ' + s.borderBottomColor)(getComputedStyle(document.querySelector('.doc-head')))`); rule != "solid rgb(255, 0, 0)" {
		t.Errorf("the 版头's rule is %q, want a red line", rule)
	}
	func() {
		ctx, cancel := context.WithTimeout(rv.ctx, time.Minute)
		defer cancel()
		checkAxe(t, ctx, axe)
	}()
	// Printed, the page is the document alone.
	media := func(m string) {
		ctx, cancel := rv.step()
		defer cancel()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatal(err)
		}
	}
	media("print")
	if shown := cbEval[string](t, rv, `getComputedStyle(document.querySelector('.print-tools')).display`); shown != "none" {
		t.Errorf("printed, the page still shows its tools (display %s)", shown)
	}
	media("")

	// The unit: the badge, the list, the notice; self-examination and
	// rectification.
	ed := cbTab(t, browser, s.URL)
	ed.keyboardLogin(t, "ed.fgw", cbPassword)
	if badge := ed.text(t, `nav.side a[href="/console/notices"] .badge`); badge != "1" {
		t.Errorf("the unit's menu badge for notices is %q, want 1", badge)
	}
	if st := ed.submit(t, "the menu's 督办通知", chromedp.Click(chromedp.CSS(`nav.side a[href="/console/notices"]`))); st != 200 {
		t.Fatalf("the unit's notices: status %d", st)
	}
	link := fmt.Sprintf(`main a[href="/console/notices/%s"]`, id)
	if st := ed.submit(t, "open the notice from the list", chromedp.Click(chromedp.CSS(link))); st != 200 {
		t.Fatalf("the unit opens the notice: status %d", st)
	}
	edPhone := cbPhone(t, ed)
	checkConsolePage(t, ed, edPhone, axe, cbA11yPage{name: "notice (unit, answering)", path: "/console/notices/" + id})
	ed.do(t, chromedp.SetUploadFiles(chromedp.ID("se-file"), []string{cbPDF(t, "关于政务公开工作的书面检查.pdf")}))
	if st := ed.submit(t, "上传书面检查", chromedp.Click(chromedp.CSS(`#self-exam button[type=submit]`))); st != 200 {
		t.Fatalf("uploading the self-examination: status %d: %s", st, ed.text(t, "main"))
	}
	if got := ed.text(t, ".flash"); !strings.Contains(got, "书面检查已上传") {
		t.Errorf("after the upload the page says %q", got)
	}
	if !strings.Contains(ed.text(t, "dl.meta"), "关于政务公开工作的书面检查.pdf") {
		t.Errorf("the uploaded self-examination is not listed: %s", ed.text(t, "dl.meta"))
	}
	ed.do(t, chromedp.SendKeys(chromedp.ID("rf-note"), "已在通知公告栏目发布 3 条信息，政策文件均已关联解读。"))
	if st := ed.submit(t, "报送整改情况", chromedp.Click(chromedp.CSS(`#rectified button[type=submit]`))); st != 200 {
		t.Fatalf("reporting the rectification: status %d: %s", st, ed.text(t, "main"))
	}
	if got := ed.text(t, ".notice-state"); !strings.Contains(got, "待复核") {
		t.Errorf("after reporting the notice stands %q, want 待复核", got)
	}
	if badge := ed.text(t, `nav.side a[href="/console/notices"] .badge`); badge != "" {
		t.Errorf("the unit's badge still shows %q after answering", badge)
	}

	// The office: the badge counts the answer; open it and close it.
	rv.open(t, "/console/notices")
	if badge := rv.text(t, `nav.side a[href="/console/notices"] .badge`); badge != "1" {
		t.Errorf("the office's menu badge for notices is %q, want 1", badge)
	}
	if st := rv.submit(t, "the office opens the answered notice", chromedp.Click(chromedp.CSS(link))); st != 200 {
		t.Fatalf("the office opens the notice: status %d", st)
	}
	checkConsolePage(t, rv, rvPhone, axe, cbA11yPage{name: "notice (office, deciding)", path: "/console/notices/" + id})
	if !strings.Contains(rv.text(t, "ol.history"), "已在通知公告栏目发布 3 条信息") {
		t.Errorf("the office does not see the unit's report: %s", rv.text(t, "ol.history"))
	}
	rv.do(t, chromedp.SendKeys(chromedp.ID("cl-note"), "经复核，整改到位。"))
	// The form asks before closing; answer yes, and keep the question.
	rv.do(t, chromedp.Evaluate[chromedp.Void](`window.confirm = m => { sessionStorage.setItem('asked', m); return true }`))
	if st := rv.submit(t, "办结", chromedp.Click(chromedp.CSS(`#close button[type=submit]`))); st != 200 {
		t.Fatalf("closing: status %d: %s", st, rv.text(t, "main"))
	}
	if asked := cbEval[string](t, rv, `sessionStorage.getItem('asked') || ''`); asked != "确定办结该督办通知吗？" {
		t.Errorf("closing asked %q", asked)
	}
	if got := rv.text(t, ".notice-state"); !strings.Contains(got, "已办结") {
		t.Errorf("after closing the notice stands %q, want 已办结", got)
	}
	var nid int64
	fmt.Sscan(id, &nid)
	n, err := s.st.Notice(context.Background(), nid)
	if err != nil || n.State != store.NoticeClosed || n.CloseNote != "经复核，整改到位。" || n.SelfExamName != "关于政务公开工作的书面检查.pdf" {
		t.Errorf("stored: %+v (%v)", n, err)
	}
	if d := rv.takeDialogs(); len(d) > 0 {
		t.Errorf("dialogs opened on the way: %v", d)
	}
}
