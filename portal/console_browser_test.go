package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai/indexer"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/workflow"
	"gongkai/portal"
)

// The console's browser tests drive the back office in Chromium over a real
// server whose search index follows the store, as `gongkai serve` runs it:
// an entry's whole way from draft to search result, payloads in every field
// people type that must never run, and the console's pages under axe-core,
// at phone width and from the keyboard. The tabs ignore the pages' Content
// Security Policy (to inject axe-core), so the XSS test checks the escaping
// itself, not the policy that would stop an inline script anyway.

// cbPassword is the known password of the test accounts; it meets the
// password policy.
const cbPassword = "Gongkai-browser-2026!"

// cbStep bounds one browser step (a navigation, a click and its page, a
// poll); the whole browser session is bounded by newBrowser.
const cbStep = 30 * time.Second

var cbSiteInfo = config.Site{Name: "临沂市人民政府 政府信息公开", Host: "临沂市人民政府办公室"}

// cbAccounts are the console's people, one of each role.
var cbAccounts = []struct{ login, role, unit, name string }{
	{"ed.fgw", "editor", "fgw", "王晓明"},
	{"ap.fgw", "approver", "fgw", "李建国"},
	{"rv.office", "reviewer", "", "张丽"},
	{"au.office", "auditor", "", "赵审计"},
	{"admin.office", "admin", "", "刘管理"},
}

// cbSite is the portal with its console over a SQLite store, served by
// httptest, with the search index following the store's change log.
type cbSite struct {
	URL string
	st  *store.Store
	fs  *files.Store
	wf  *workflow.Service // the same workflow the console runs, for fixtures
	acc *auth.Accounts
	who map[string]workflow.Caller
}

func newCBSite(t *testing.T) *cbSite {
	t.Helper()
	ctx := context.Background()
	st := storetest.SQLite(t)
	dir := t.TempDir()
	fs, err := files.New(filepath.Join(dir, "files"))
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
	ix, err := indexer.Open(ctx, indexer.Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The follower, as internal/cli/serve.go runs it.
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = ix.Run(runCtx)
	}()
	t.Cleanup(func() { stop(); <-done })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := portal.New(portal.Deps{Store: st, Files: fs, Index: ix, Ready: ix.Ready, Site: cbSiteInfo, Log: log})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	s := &cbSite{URL: ts.URL, st: st, fs: fs, wf: workflow.New(st, fs, log), acc: auth.NewAccounts(st, log), who: map[string]workflow.Caller{}}
	for _, a := range cbAccounts {
		s.addUser(t, a.login, a.role, a.unit, a.name, false)
	}
	return s
}

// addUser makes an account. With forced, it keeps the one-time password
// (returned) that must be changed at the first login; otherwise its
// password is cbPassword.
func (s *cbSite) addUser(t *testing.T, login, role, unit, name string, forced bool) string {
	t.Helper()
	ctx := context.Background()
	once, u, err := s.acc.AddUser(ctx, login, role, unit, name)
	if err != nil {
		t.Fatalf("add user %s: %v", login, err)
	}
	s.who[login] = workflow.Caller{P: auth.Principal{UserID: u.ID, Login: u.Login, Role: auth.Role(u.Role), Unit: u.Unit},
		IP: "127.0.0.1", UserAgent: "fixture"}
	if forced {
		return once
	}
	h, err := auth.HashPassword(cbPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetPassword(ctx, u.ID, h, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	return cbPassword
}

// needEditor skips (fails in CI) when the rich-text editor's build is not
// embedded: without it the body is a plain text area and nothing pastes.
func needEditor(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("console", "static", "vendor", "jodit.min.js")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the console's editor is not built (make editor) (CI=true)")
		}
		t.Skip("skipping: the console's editor is not built (make editor, then rebuild)")
	}
}

// cbPage is one tab of a person at their own desk: a browser context of
// its own (own cookies), ignoring the pages' CSP so axe-core can be
// injected, and answering every JavaScript dialog while recording it.
type cbPage struct {
	ctx  context.Context
	base string

	mu      sync.Mutex
	dialogs []string
}

// cbTab opens a tab in a new browser context.
func cbTab(t *testing.T, browser context.Context, base string) *cbPage {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return cbStart(t, ctx, base)
}

// cbSameDesk opens another tab in the browser context of p (same cookies).
func cbSameDesk(t *testing.T, p *cbPage) *cbPage {
	t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	t.Cleanup(cancel)
	return cbStart(t, ctx, p.base)
}

func cbStart(t *testing.T, ctx context.Context, base string) *cbPage {
	t.Helper()
	p := &cbPage{ctx: ctx, base: base}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.dialogs = append(p.dialogs, fmt.Sprintf("%s %q on %s", ev.Type, ev.Message, ev.URL))
			p.mu.Unlock()
			// Dismiss it, or the page stalls.
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return p
}

// takeDialogs returns the dialogs opened since the last call.
func (p *cbPage) takeDialogs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.dialogs
	p.dialogs = nil
	return d
}

// step is a context for one browser step.
func (p *cbPage) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, cbStep)
}

// open loads a path of the site and returns its HTTP status.
func (p *cbPage) open(t *testing.T, path string) int64 {
	t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return res.Status
}

// submit runs actions that navigate (a click on a submit button, Enter in
// a form) and returns the status of the page they lead to.
func (p *cbPage) submit(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return res.Status
}

// do runs actions that stay on the page.
func (p *cbPage) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// cbEval evaluates a JavaScript expression on p's page.
func cbEval[T any](t *testing.T, p *cbPage, js string) T {
	t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", trim(js), err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it holds, failing after d.
func (p *cbPage) waitFor(t *testing.T, what, js string, d time.Duration) {
	t.Helper()
	for try := 0; ; try++ {
		ctx, cancel := p.step()
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(d)))
		cancel()
		// A poll started as the page swaps its document finds the old
		// one's context gone; start it again on the new one.
		if err != nil && strings.Contains(err.Error(), "Cannot find context") && try < 5 {
			continue
		}
		if err != nil {
			t.Fatalf("waiting for %s on %s (%s): %v", what, p.where(t), js, err)
		}
		return
	}
}

// where is the page's path and query.
func (p *cbPage) where(t *testing.T) string {
	t.Helper()
	return cbEval[string](t, p, `location.pathname + location.search`)
}

// text is an element's visible text ("" when there is none).
func (p *cbPage) text(t *testing.T, css string) string {
	t.Helper()
	return cbEval[string](t, p, fmt.Sprintf(`(e => e ? e.innerText : '')(document.querySelector(%s))`, jsString(css)))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// pick chooses the option of a select whose text starts with label, as a
// person picking from the list does (input and change events fire).
func (p *cbPage) pick(t *testing.T, css, label string) {
	t.Helper()
	ok := cbEval[bool](t, p, fmt.Sprintf(`((sel, label) => {
  const s = document.querySelector(sel);
  const o = s && [...s.options].find(o => o.textContent.trim().startsWith(label));
  if (!o) return false;
  s.focus(); s.value = o.value;
  s.dispatchEvent(new Event('input', {bubbles: true}));
  s.dispatchEvent(new Event('change', {bubbles: true}));
  return true })(%s, %s)`, jsString(css), jsString(label)))
	if !ok {
		t.Fatalf("%s has no option %q", css, label)
	}
}

// keyboardLogin logs in through the login form with the keyboard only
// (see typeLogin) and fails unless it leaves the login page.
func (p *cbPage) keyboardLogin(t *testing.T, login, password string) int64 {
	t.Helper()
	status := p.typeLogin(t, login, password)
	if path := p.where(t); strings.HasPrefix(path, "/console/login") {
		t.Fatalf("still on the login page after logging in as %s (status %d): %s", login, status, p.text(t, "main"))
	}
	return status
}

// typeLogin fills the login form with the keyboard only: the form's
// autofocus, or Tab, reaches the login field; Tab moves on to the
// password; Enter submits. It returns the status of the page it leads to.
func (p *cbPage) typeLogin(t *testing.T, login, password string) int64 {
	t.Helper()
	if st := p.open(t, "/console/login"); st != 200 {
		t.Fatalf("login page: status %d", st)
	}
	for range 10 {
		if cbEval[string](t, p, activeElement) == "#login" {
			break
		}
		p.do(t, chromedp.KeyEvent("\t"))
	}
	if el := cbEval[string](t, p, activeElement); el != "#login" {
		t.Fatalf("the keyboard does not reach the login field (focus on %s)", el)
	}
	p.do(t, chromedp.KeyEvent(login), chromedp.KeyEvent("\t"))
	if el := cbEval[string](t, p, activeElement); el != "#password" {
		t.Fatalf("Tab from the login field reaches %s, want #password", el)
	}
	p.do(t, chromedp.KeyEvent(password))
	return p.submit(t, "log in with Enter", chromedp.KeyEvent("\r"))
}

// waitEditor waits for the rich-text editor over the body's text area.
func (p *cbPage) waitEditor(t *testing.T) {
	t.Helper()
	p.waitFor(t, "the rich-text editor", `!!window.Jodit && !!document.querySelector('.jodit-wysiwyg[contenteditable="true"]')`, 10*time.Second)
}

// wordTable is what Word (and WPS, which copies Word's format) puts on the
// clipboard for a paragraph and a 3×3 table: the mso- styles, MsoNormal
// and MsoTableGrid classes, <o:p> elements, conditional comments and the
// Office namespaces that the sanitiser must drop.
const wordTable = `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Word.Document><meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom></w:WordDocument></xml><![endif]-->
<style><!-- p.MsoNormal, li.MsoNormal {mso-style-unhide:no; mso-style-qformat:yes; margin:0cm; text-align:justify; font-size:10.5pt; font-family:等线;} table.MsoTableGrid {mso-style-name:网格型; border:solid windowtext 1.0pt;} --></style></head>
<body lang=ZH-CN style='tab-interval:21.0pt;word-wrap:break-word;text-justify-trim:punctuation'>
<!--StartFragment--><p class=MsoNormal style='text-indent:21.0pt;mso-char-indent-count:2.0'><span style='font-family:仿宋_GB2312;mso-hansi-font-family:"Times New Roman"'>为方便群众办事，现将春季便民服务事项公告如下。<span lang=EN-US><o:p></o:p></span></span></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>
 <tr style='mso-yfti-irow:0;mso-yfti-firstrow:yes'>
  <td width=138 valign=top style='width:103.7pt;border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal><b><span style='font-family:黑体;mso-ascii-font-family:等线'>事项名称<span lang=EN-US><o:p></o:p></span></span></b></p></td>
  <td width=138 valign=top style='width:103.7pt;border:solid windowtext 1.0pt;border-left:none;mso-border-left-alt:solid windowtext .5pt'><p class=MsoNormal><b><span style='font-family:黑体'>办理地点<span lang=EN-US><o:p></o:p></span></span></b></p></td>
  <td width=138 valign=top style='width:103.7pt;border:solid windowtext 1.0pt;border-left:none'><p class=MsoNormal><b><span style='font-family:黑体'>办理时限<span lang=EN-US><o:p></o:p></span></span></b></p></td>
 </tr>
 <tr style='mso-yfti-irow:1'>
  <td width=138 valign=top style='width:103.7pt;border:solid windowtext 1.0pt;border-top:none'><p class=MsoNormal><span style='font-family:仿宋_GB2312'>价格认定<span lang=EN-US><o:p></o:p></span></span></p></td>
  <td width=138 valign=top style='width:103.7pt;border-top:none;border-left:none'><p class=MsoNormal><span style='font-family:仿宋_GB2312'>市民中心二楼<span lang=EN-US><o:p></o:p></span></span></p></td>
  <td width=138 valign=top style='width:103.7pt;border-top:none;border-left:none'><p class=MsoNormal><span lang=EN-US style='font-family:仿宋_GB2312'>5</span><span style='font-family:仿宋_GB2312'>个工作日<span lang=EN-US><o:p></o:p></span></span></p></td>
 </tr>
 <tr style='mso-yfti-irow:2;mso-yfti-lastrow:yes'>
  <td width=138 valign=top style='width:103.7pt;border:solid windowtext 1.0pt;border-top:none'><p class=MsoNormal><span style='font-family:仿宋_GB2312'>项目备案<span lang=EN-US><o:p></o:p></span></span></p></td>
  <td width=138 valign=top style='width:103.7pt;border-top:none;border-left:none'><p class=MsoNormal><span style='font-family:仿宋_GB2312'>网上办理<span lang=EN-US><o:p></o:p></span></span></p></td>
  <td width=138 valign=top style='width:103.7pt;border-top:none;border-left:none'><p class=MsoNormal><span style='font-family:仿宋_GB2312'>即时办结<span lang=EN-US><o:p></o:p></span></span></p></td>
 </tr>
</table>
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p><!--EndFragment-->
</body></html>`

// wordJunk is what the sanitiser drops from Word's markup.
var wordJunk = []string{"mso-", "Mso", "<o:p", "o:p>", "xmlns", "font-family", "windowtext", "<!--", "StartFragment", "<meta", "<style", "class="}

// pasteFromWord dispatches a real paste event, with Word's text/html on its
// DataTransfer, on the editor's editable area with the caret at its end,
// answers the editor's paste dialog if it asks, and waits until the text
// area the form submits holds the table.
func (p *cbPage) pasteFromWord(t *testing.T, html, plain string) {
	t.Helper()
	prevented := cbEval[bool](t, p, fmt.Sprintf(`((html, plain) => {
  const ed = document.querySelector('.jodit-wysiwyg');
  ed.focus();
  const r = document.createRange(); r.selectNodeContents(ed); r.collapse(false);
  const s = getSelection(); s.removeAllRanges(); s.addRange(r);
  const dt = new DataTransfer();
  dt.setData('text/html', html);
  dt.setData('text/plain', plain);
  const ev = new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true});
  ed.dispatchEvent(ev);
  return ev.defaultPrevented })(%s, %s)`, jsString(html), jsString(plain)))
	if !prevented {
		t.Log("the editor did not take the paste event over (the browser's own paste would do nothing here)")
	}
	// With the console's settings the editor does not ask; if a version of
	// it does, keep the content as a person would and let the sanitiser
	// clean it.
	asked := cbEval[string](t, p, `(() => {
  const d = [...document.querySelectorAll('.jodit-dialog')].find(d => d.offsetParent !== null || d.classList.contains('jodit-dialog_active_true'));
  if (!d) return '';
  const b = [...d.querySelectorAll('button')].find(b => /keep|保留|保持/i.test(b.textContent)) || d.querySelector('.jodit-dialog__footer button');
  if (b) b.click();
  return d.innerText.trim().slice(0, 80) || 'dialog' })()`)
	if asked != "" {
		t.Logf("the editor asked about the paste (%q); answered keep", asked)
	}
	p.waitFor(t, "the pasted table in the form's body field", `(v => v.includes('<table') && v.includes('事项名称'))(document.getElementById('f-body_html').value)`, 5*time.Second)
}

// cbPDF writes a small valid PDF named name.
func cbPDF(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	pdf := "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
	if err := os.WriteFile(path, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// entryIDFrom reads the entry id of a console entry page's path.
func entryIDFrom(t *testing.T, path string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(path, "/console/entries/")
	if !ok {
		t.Fatalf("not on an entry page: %s", path)
	}
	id, _, _ := strings.Cut(rest, "?")
	id, _, _ = strings.Cut(id, "/")
	if id == "" || id == "new" {
		t.Fatalf("not on an entry page: %s", path)
	}
	id, err := url.PathUnescape(id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// openFromQueue opens an entry from a queue or list page by its link.
func (p *cbPage) openFromQueue(t *testing.T, queue, id string) {
	t.Helper()
	if st := p.open(t, queue); st != 200 {
		t.Fatalf("%s: status %d", queue, st)
	}
	link := fmt.Sprintf(`main a[href="/console/entries/%s"]`, id)
	if !cbEval[bool](t, p, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(link))) {
		t.Fatalf("%s does not list entry %s:\n%s", queue, id, p.text(t, "main"))
	}
	if st := p.submit(t, "open the entry from "+queue, chromedp.Click(chromedp.CSS(link))); st != 200 {
		t.Fatalf("entry page from %s: status %d", queue, st)
	}
}

// approve presses 审核通过 on the entry page and checks where it leads.
func (p *cbPage) approve(t *testing.T, wantPath, wantNotice string) {
	t.Helper()
	if st := p.submit(t, "审核通过", chromedp.Click(chromedp.CSS(`form[action$="/approve"] button[type=submit]`))); st != 200 {
		t.Fatalf("approve: status %d: %s", st, p.text(t, "main"))
	}
	if got := p.where(t); got != wantPath {
		t.Errorf("after approving: on %s, want %s", got, wantPath)
	}
	if got := p.text(t, ".flash"); got != wantNotice {
		t.Errorf("after approving the notice says %q, want %q", got, wantNotice)
	}
}

func (s *cbSite) entry(t *testing.T, id string) store.EntryDetail {
	t.Helper()
	d, err := s.st.Entry(context.Background(), id)
	if err != nil {
		t.Fatalf("entry %s: %v", id, err)
	}
	return d
}

// TestBrowserReviewPath walks an entry from draft to search result as the
// people who handle it do: the unit's editor writes it (pasting a table
// from Word, attaching a PDF) and submits it, the unit's approver approves,
// the office returns it with a reason from the templates, the editor fixes
// and resubmits it, both approve, and the public page and search show it.
func TestBrowserReviewPath(t *testing.T) {
	needBrowser(t)
	needEditor(t)
	site := newCBSite(t)
	browser := newBrowser(t)
	ed := cbTab(t, browser, site.URL)
	ap := cbTab(t, browser, site.URL)
	rv := cbTab(t, browser, site.URL)
	const (
		firstTitle = "关于公布2026年春季便民服务事项的公告"
		newTitle   = "关于公布2026年春季惠民服务事项清单的公告"
		newWord    = "惠民"
		addition   = "请改用规范标题，写明“事项清单”。"
	)
	var id string

	t.Run("editor writes and submits", func(t *testing.T) {
		ed.keyboardLogin(t, "ed.fgw", cbPassword)
		if got := ed.where(t); got != "/console/entries" {
			t.Errorf("the editor lands on %s, want its list /console/entries", got)
		}
		if st := ed.submit(t, "新建信息", chromedp.Click(chromedp.CSS(`nav.side a[href="/console/entries/new"]`))); st != 200 {
			t.Fatalf("新建信息: status %d", st)
		}
		if h := ed.text(t, "main h1"); h != "新建信息" {
			t.Fatalf("新建信息 opens %q", h)
		}
		ed.waitEditor(t)
		ed.do(t, chromedp.SendKeys(chromedp.ID("f-title"), firstTitle))
		ed.pick(t, "#f-column", "公共服务")
		if strings.Contains(cbEval[string](t, ed, `document.querySelector('#f-column').selectedOptions[0].textContent`), "已下放") {
			t.Fatal("公共服务 is delegated here: the office would not review it")
		}
		ed.pick(t, "#f-topic", "综合政务")
		ed.pick(t, "#f-doc_type", "公告")
		ed.do(t,
			chromedp.SetValue(chromedp.ID("f-written_at"), "2026-03-02"),
			chromedp.SendKeys(chromedp.ID("f-doc_no"), "临发改公告〔2026〕2号"),
			chromedp.Click(chromedp.CSS(`input[name=validity][value="有效"]`)),
			chromedp.Click(chromedp.CSS(`input[name=five_publics][value="服务"]`)),
			chromedp.SendKeys(chromedp.ID("f-keywords"), "便民服务，事项"),
		)
		ed.pasteFromWord(t, wordTable, "事项名称\t办理地点\t办理时限\n价格认定\t市民中心二楼\t5个工作日")
		ed.do(t, chromedp.SetUploadFiles(chromedp.ID("f-files"), []string{cbPDF(t, "便民服务事项清单.pdf")}))
		if st := ed.submit(t, "保存并提交审核", chromedp.Click(chromedp.CSS(`button[name=then][value=submit]`))); st != 200 {
			t.Fatalf("保存并提交审核: status %d: %s", st, ed.text(t, "main"))
		}
		id = entryIDFrom(t, ed.where(t))
		if got := ed.text(t, ".flash"); got != "已提交。" {
			t.Errorf("after submitting the notice says %q", got)
		}
		d := site.entry(t, id)
		if d.Status != catalog.StatusPending || d.Title != firstTitle || d.Column != "ggfw" || d.Unit != "fgw" {
			t.Errorf("stored: status %s, title %q, column %s, unit %s", d.Status, d.Title, d.Column, d.Unit)
		}
		if d.Topic != "综合政务" || d.DocType != "公告" || d.WrittenAt != "2026-03-02" || d.Validity != "有效" || d.FivePublics != "服务" ||
			d.DocNo != "临发改公告〔2026〕2号" || strings.Join(d.Keywords, ",") != "便民服务,事项" {
			t.Errorf("stored metadata: topic %q, doc type %q, written %q, validity %q, five publics %q, doc no %q, keywords %q",
				d.Topic, d.DocType, d.WrittenAt, d.Validity, d.FivePublics, d.DocNo, d.Keywords)
		}
		for _, want := range []string{"<table", "<td", "事项名称", "市民中心二楼", "即时办结", "为方便群众办事"} {
			if !strings.Contains(d.BodyHTML, want) {
				t.Errorf("stored body lacks %q: %s", want, d.BodyHTML)
			}
		}
		for _, junk := range wordJunk {
			if strings.Contains(d.BodyHTML, junk) {
				t.Errorf("stored body keeps Word's %q: %s", junk, d.BodyHTML)
			}
		}
		if len(d.Attachments) != 1 || d.Attachments[0].Name != "便民服务事项清单.pdf" || d.Attachments[0].MediaType != "application/pdf" {
			t.Errorf("stored attachments: %+v", d.Attachments)
		}
	})
	if id == "" {
		t.Fatal("no entry to review")
	}

	t.Run("approver approves", func(t *testing.T) {
		ap.keyboardLogin(t, "ap.fgw", cbPassword)
		ap.openFromQueue(t, "/console/approvals", id)
		ap.approve(t, "/console/approvals?done=approved", "已审核通过。")
		if d := site.entry(t, id); d.Status != catalog.StatusSubmitted {
			t.Fatalf("after the unit's approval: %s, want submitted (office review)", d.Status)
		}
	})

	reason := catalog.ReturnTemplates[2] + addition
	t.Run("reviewer returns with a reason", func(t *testing.T) {
		rv.keyboardLogin(t, "rv.office", cbPassword)
		if got := rv.where(t); got != "/console/review" {
			t.Errorf("the reviewer lands on %s, want /console/review", got)
		}
		rv.openFromQueue(t, "/console/review", id)
		rv.do(t, chromedp.Click(chromedp.CSS(`details:has(form[action$="/return"]) > summary`)))
		rv.pick(t, "#ret-tpl", catalog.ReturnTemplates[2])
		rv.waitFor(t, "the template in the reason field", fmt.Sprintf(`document.getElementById('ret-reason').value === %s`, jsString(catalog.ReturnTemplates[2])), 2*time.Second)
		if el := cbEval[string](t, rv, activeElement); el != "#ret-reason" {
			t.Errorf("after choosing a template focus is on %s, want the reason field", el)
		}
		rv.do(t, chromedp.SendKeys(chromedp.ID("ret-reason"), addition))
		if got := cbEval[string](t, rv, `document.getElementById('ret-reason').value`); got != reason {
			t.Fatalf("reason field holds %q, want %q", got, reason)
		}
		if st := rv.submit(t, "确认退回", chromedp.Click(chromedp.CSS(`form[action$="/return"] button[type=submit]`))); st != 200 {
			t.Fatalf("return: status %d: %s", st, rv.text(t, "main"))
		}
		if got := rv.where(t); got != "/console/review?done=returned" {
			t.Errorf("after returning: on %s", got)
		}
		if d := site.entry(t, id); d.Status != catalog.StatusReturned || d.ReturnReason != reason {
			t.Fatalf("after the return: %s %q", d.Status, d.ReturnReason)
		}
	})

	t.Run("editor sees the reason, fixes and resubmits", func(t *testing.T) {
		if st := ed.open(t, "/console/entries"); st != 200 {
			t.Fatalf("list: status %d", st)
		}
		if st := ed.submit(t, "已退回", chromedp.Click(chromedp.CSS(`ul.tabs a[href="/console/entries?status=returned"]`))); st != 200 {
			t.Fatalf("已退回: status %d", st)
		}
		if got := ed.text(t, `ul.tabs a[aria-current="page"]`); got != "已退回" {
			t.Errorf("current tab %q, want 已退回", got)
		}
		row := ed.text(t, "table.list tbody")
		if !strings.Contains(row, firstTitle) || !strings.Contains(row, "退回理由："+reason) {
			t.Errorf("已退回 does not show the entry with its reason:\n%s", row)
		}
		ed.openFromQueue(t, "/console/entries?status=returned", id)
		if got := ed.text(t, ".note"); got != "退回理由："+reason {
			t.Errorf("entry page note %q", got)
		}
		if st := ed.submit(t, "编辑", chromedp.Click(chromedp.CSS(`a.button[href$="/edit"]`))); st != 200 {
			t.Fatalf("编辑: status %d", st)
		}
		if got := ed.text(t, ".note"); got != "退回理由："+reason {
			t.Errorf("the editor form does not show the reason: %q", got)
		}
		ed.waitEditor(t)
		if !cbEval[bool](t, ed, `!!document.querySelector('.jodit-wysiwyg table')`) {
			t.Error("the stored table is not in the editor")
		}
		ed.do(t,
			chromedp.Clear(chromedp.ID("f-title")),
			chromedp.SendKeys(chromedp.ID("f-title"), newTitle),
			chromedp.SendKeys(chromedp.ID("f-reason"), "按退回意见修改标题"),
		)
		if st := ed.submit(t, "保存并提交审核", chromedp.Click(chromedp.CSS(`button[name=then][value=submit]`))); st != 200 {
			t.Fatalf("resubmit: status %d: %s", st, ed.text(t, "main"))
		}
		if got := ed.where(t); got != "/console/entries/"+id+"?done=submitted" {
			t.Errorf("after resubmitting: on %s", got)
		}
		d := site.entry(t, id)
		if d.Status != catalog.StatusPending || d.Title != newTitle || len(d.Attachments) != 1 || !strings.Contains(d.BodyHTML, "<table") {
			t.Fatalf("resubmitted: status %s, title %q, %d attachments, body %s", d.Status, d.Title, len(d.Attachments), d.BodyHTML)
		}
	})

	var published time.Time
	t.Run("approver and reviewer approve", func(t *testing.T) {
		ap.openFromQueue(t, "/console/approvals", id)
		ap.approve(t, "/console/approvals?done=approved", "已审核通过。")
		rv.openFromQueue(t, "/console/review", id)
		rv.approve(t, "/console/review?done=published", "已审核通过并发布。")
		d := site.entry(t, id)
		if d.Status != catalog.StatusPublished || d.PublishedAt == nil {
			t.Fatalf("after the office's approval: %s %v", d.Status, d.PublishedAt)
		}
		published = *d.PublishedAt
	})
	if published.IsZero() {
		t.FailNow()
	}

	t.Run("search and public page", func(t *testing.T) {
		pub := cbTab(t, browser, site.URL)
		// Poll the search page from the moment of publication: the index
		// follows the change log on its own, nothing here tells it.
		link := jsString(`a[href="/entries/` + id + `"]`)
		deadline := published.Add(15 * time.Second)
		for {
			if st := pub.open(t, "/search?q="+url.QueryEscape(newWord)); st != 200 {
				t.Fatalf("search: status %d", st)
			}
			if cbEval[bool](t, pub, `!!document.querySelector(`+link+`)`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("/search?q=%s does not list the entry 15 s after publication:\n%s", newWord, pub.text(t, "main"))
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("publish → searchable: %v (the search index polls the change log every second)", time.Since(published).Round(time.Millisecond))
		if got := cbEval[string](t, pub, `document.querySelector(`+link+`).textContent`); got != newTitle {
			t.Errorf("search hit reads %q, want %q", got, newTitle)
		}
		if st := pub.open(t, "/entries/"+url.PathEscape(id)); st != 200 {
			t.Fatalf("public page: status %d", st)
		}
		if h := pub.text(t, "main h1"); h != newTitle {
			t.Errorf("public page title %q, want %q", h, newTitle)
		}
		if cell := pub.text(t, "main table"); !strings.Contains(cell, "事项名称") || !strings.Contains(cell, "即时办结") {
			t.Errorf("public page table: %q", cell)
		}
		if strings.Contains(pub.text(t, "main"), firstTitle) {
			t.Error("the public page still shows the old title")
		}
	})

	t.Run("renamed executable is refused", func(t *testing.T) {
		if st := ed.open(t, "/console/entries/new"); st != 200 {
			t.Fatalf("new: status %d", st)
		}
		ed.waitEditor(t)
		exe := filepath.Join(t.TempDir(), "会议通知.pdf")
		// A Windows executable's header (MZ … PE) under a .pdf name.
		head := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 44)...)
		head = append(head, []byte("\x80\x00\x00\x00This program cannot be run in DOS mode.\r\r\n$PE\x00\x00")...)
		if err := os.WriteFile(exe, head, 0o644); err != nil {
			t.Fatal(err)
		}
		ed.do(t, chromedp.SendKeys(chromedp.ID("f-title"), "关于召开春季安全生产会议的通知"))
		ed.pick(t, "#f-column", "公共服务")
		ed.do(t, chromedp.SetUploadFiles(chromedp.ID("f-files"), []string{exe}))
		st := ed.submit(t, "保存", chromedp.Click(chromedp.CSS(`.actions button.primary[type=submit]`)))
		if st != 400 {
			t.Errorf("saving with a renamed executable: status %d, want 400", st)
		}
		alert := ed.text(t, `[role=alert]`)
		if !strings.Contains(alert, "附件内容与扩展名 .pdf 不符") {
			t.Errorf("the page does not say why in Chinese; alert: %q", alert)
		}
		t.Logf("the editor says: %q", alert)
		if msg := ed.text(t, `[role=alert] > p`); strings.HasPrefix(msg, "file:") {
			t.Errorf("the message leads with the internal field key: %q", msg)
		}
		if got := cbEval[string](t, ed, `document.getElementById('f-title').value`); got != "关于召开春季安全生产会议的通知" {
			t.Errorf("the typed title is lost: %q", got)
		}
		// The error summary's links lead to the field in question.
		broken := cbEval[[]string](t, ed, `[...document.querySelectorAll('[role=alert] a[href^="#"]')]
  .filter(a => !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))
  .map(a => a.getAttribute('href') + ' "' + a.textContent + '"')`)
		if len(broken) > 0 {
			t.Errorf("the error summary links to fields that are not on the page: %v (the file input is #f-files)", broken)
		}
		labels := cbEval[[]string](t, ed, `[...document.querySelectorAll('[role=alert] li a')].map(a => a.textContent)`)
		for _, l := range labels {
			if strings.Trim(l, "abcdefghijklmnopqrstuvwxyz_[]0123456789") == "" {
				t.Errorf("the error summary names the field by its internal key %q, not its label (附件)", l)
			}
		}
		list, _, err := site.st.ConsoleEntries(context.Background(), store.ConsoleList{Units: []string{"fgw"}, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if e.Title == "关于召开春季安全生产会议的通知" {
				t.Errorf("an entry was saved with the executable: %s", e.ID)
			}
		}
	})
	for _, p := range []*cbPage{ed, ap, rv} {
		if d := p.takeDialogs(); len(d) > 0 {
			t.Errorf("dialogs opened: %v", d)
		}
	}
}

// The payloads of the XSS test: each sets window.__xss if it ever runs.
const (
	cbXSSImg    = `<img src=x onerror="window.__xss=1">`
	cbXSSSvg    = `"><svg onload=window.__xss=1>`
	cbXSSScript = `<script>window.__xss=1</script>`
	cbXSSQuote  = `'><img src=x onerror=window.__xss=1>`
	cbXSSJS     = `javascript:window.__xss=1`
)

// cbXSS is a line of text that carries every payload after a label.
func cbXSS(label string) string {
	return label + cbXSSImg + cbXSSSvg + cbXSSScript + cbXSSQuote + " " + cbXSSJS
}

// cbXSSBody is a body a careless paste or a hostile API client sends:
// scripts, handlers, javascript: and data: links, frames, objects, styles,
// and the same markup as plain text, which must stay text.
const cbXSSBody = `<p>安全检查通知正文` + cbXSSImg + cbXSSScript + `</p>` +
	`<p><a href="javascript:window.__xss=1">点此查看</a> <a href=" JaVaScRiPt:window.__xss=1">二</a> ` +
	`<a href="data:text/html,&lt;script&gt;window.__xss=1&lt;/script&gt;">三</a></p>` +
	`<p onclick="window.__xss=1" onmouseover="window.__xss=1">字样 &lt;img src=x onerror=window.__xss=1&gt; 与 &lt;script&gt;window.__xss=1&lt;/script&gt; 安全检查</p>` +
	`<svg><script>window.__xss=1</script><a xlink:href="javascript:window.__xss=1"><text>x</text></a></svg>` +
	`<iframe src="javascript:window.__xss=1"></iframe><object data="javascript:window.__xss=1"></object>` +
	`<style>*{background:url(javascript:window.__xss=1)}</style><math><mtext><img src=x onerror="window.__xss=1"></mtext></math>` +
	`<table><tr><td onmouseover="window.__xss=1">安全检查</td><td><img src="x" onerror="window.__xss=1" alt="x"></td></tr></table>`

// xssEntry writes a draft whose every typed field carries the payloads,
// with two attachments whose names do.
func (s *cbSite) xssEntry(t *testing.T, column, label string) string {
	t.Helper()
	ctx := context.Background()
	ed := s.who["ed.fgw"]
	var refs []catalog.AttachmentRef
	for i, name := range []string{`"><img src=x onerror=window.__xss=1>附件.pdf`, `<svg onload=window.__xss=1>'<script>x.pdf`} {
		pdf := fmt.Sprintf("%%PDF-1.4\n%% %s %d\ntrailer <<>>\n%%%%EOF\n", label, i)
		a, err := s.wf.Upload(ctx, ed, "fgw", name, strings.NewReader(pdf))
		if err != nil {
			t.Fatalf("upload %q: %v", name, err)
		}
		refs = append(refs, catalog.AttachmentRef{Name: a.Name, SHA256: a.SHA256})
	}
	in := catalog.EntryInput{Column: column, Title: cbXSS(label), Publisher: cbXSSSvg + "发布机构", DocNo: `临发改〔2026〕1号` + cbXSSQuote,
		Summary: cbXSS("摘要"), Keywords: []string{cbXSSImg, cbXSSSvg, "安全检查"}, BodyHTML: cbXSSBody, Validity: "有效", Attachments: refs}
	res, err := s.wf.Create(ctx, ed, in)
	if err != nil {
		t.Fatalf("create %s: %v", label, err)
	}
	return res.Entry.ID
}

// cbXSSState is what a page shows of the payloads.
type cbXSSState struct {
	Ran     bool     `json:"ran"`     // window.__xss was set, in the page or a frame
	Bad     []string `json:"bad"`     // payload markup that became live elements or attributes
	Present bool     `json:"present"` // the payloads reached the page (as text or attribute values)
}

const cbXSSProbe = `(() => {
  const bad = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      const n = a.name.toLowerCase(), v = a.value;
      if (n.startsWith('on') && v.includes('__xss')) bad.push(e.tagName.toLowerCase() + '[' + n + ']');
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'srcdoc'].includes(n) && (/^\s*(javascript|vbscript):/i.test(v) || /^\s*data:text\/html/i.test(v) || (n === 'srcdoc' && v.includes('__xss'))))
        bad.push(e.tagName.toLowerCase() + '[' + n + '=' + v.slice(0, 40) + ']');
    }
  }
  for (const s of document.querySelectorAll('script')) if (s.textContent.includes('__xss')) bad.push('script ' + s.textContent.slice(0, 40));
  let ran = typeof window.__xss !== 'undefined';
  for (let i = 0; i < window.frames.length; i++) { try { ran = ran || typeof window.frames[i].__xss !== 'undefined' } catch (e) {} }
  return {ran, bad, present: document.documentElement.outerHTML.includes('__xss')};
})()`

// checkNoXSS loads a page, lets its images fail and its scripts (the
// editor among them) run, and checks that no payload ran or became markup.
func (p *cbPage) checkNoXSS(t *testing.T, path string) {
	t.Helper()
	if st := p.open(t, path); st != 200 {
		t.Errorf("%s: status %d: %s", path, st, trim(p.text(t, "main")))
	}
	p.waitFor(t, "the page and its images to settle", `document.readyState === 'complete' && [...document.images].every(i => i.complete)`, 10*time.Second)
	if strings.Contains(path, "/edit") || strings.HasSuffix(path, "/new") {
		p.waitEditor(t)
	}
	got := cbEval[cbXSSState](t, p, cbXSSProbe)
	if got.Ran {
		t.Errorf("%s: a payload ran (window.__xss is set)", path)
	}
	if len(got.Bad) > 0 {
		t.Errorf("%s: payload markup is live: %v", path, got.Bad)
	}
	if !got.Present {
		t.Errorf("%s: the payloads are not on the page, so it tests nothing", path)
	}
	if d := p.takeDialogs(); len(d) > 0 {
		t.Errorf("%s: dialogs opened: %v", path, d)
	}
}

// TestBrowserXSSNeverRuns stores payloads in every field people type —
// titles, bodies, attachment names, summaries, keywords, return, revision
// and withdraw reasons, a filed column's name, an account's name — through
// the workflow, and visits every console and portal page that shows them,
// as the roles that see them.
func TestBrowserXSSNeverRuns(t *testing.T) {
	needBrowser(t)
	needEditor(t)
	site := newCBSite(t)
	ctx := context.Background()
	ed, ap, rv := site.who["ed.fgw"], site.who["ap.fgw"], site.who["rv.office"]
	must := func(r workflow.Result, err error) workflow.Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	site.addUser(t, "xss.user", "editor", "fgw", cbXSSImg+cbXSSSvg, false)
	if _, err := site.wf.FileColumnChange(ctx, ed, catalog.ColumnChange{Unit: "fgw", Action: catalog.FilingAdd,
		Column: catalog.Column{Code: "xssjc", Name: `<img src=x onerror=window.__xss=1>专栏`, Parent: catalog.GroupColumn, Description: cbXSSSvg},
		Reason: cbXSS("报备理由")}); err != nil {
		t.Fatal(err)
	}

	draft := site.xssEntry(t, catalog.PolicyColumn, "政策文件草稿")
	returned := site.xssEntry(t, "ggfw", "退回的信息")
	must(site.wf.Submit(ctx, ed, returned, 0))
	must(site.wf.Approve(ctx, ap, returned, 0))
	r := must(site.wf.Return(ctx, rv, returned, cbXSS("退回理由"), 0))
	in := catalog.EntryInput{Column: "ggfw", Title: r.Entry.Title + "（修改）", BodyHTML: r.Entry.BodyHTML, Validity: "有效"}
	must(site.wf.Update(ctx, ed, returned, in, r.Entry.Revision, cbXSS("修改说明")))
	pending := site.xssEntry(t, "ggfw", "待单位审核")
	must(site.wf.Submit(ctx, ed, pending, 0))
	submitted := site.xssEntry(t, "ggfw", "已上报")
	must(site.wf.Submit(ctx, ed, submitted, 0))
	must(site.wf.Approve(ctx, ap, submitted, 0))
	published := site.xssEntry(t, catalog.EmergencyColumn, "应急安全检查")
	must(site.wf.Submit(ctx, ed, published, 0))
	must(site.wf.Approve(ctx, ap, published, 0))
	must(site.wf.Approve(ctx, rv, published, 0))
	must(site.wf.SetPinned(ctx, rv, published, true))
	withdrawn := site.xssEntry(t, "ggfw", "撤回的信息")
	must(site.wf.Submit(ctx, ed, withdrawn, 0))
	must(site.wf.Approve(ctx, ap, withdrawn, 0))
	must(site.wf.Approve(ctx, rv, withdrawn, 0))
	must(site.wf.Withdraw(ctx, rv, withdrawn, cbXSS("撤回理由"), 0))

	browser := newBrowser(t)
	q := url.QueryEscape(cbXSS(""))
	e := func(id, suffix string) string { return "/console/entries/" + url.PathEscape(id) + suffix }
	visits := []struct {
		login string // "" for the public
		paths []string
	}{
		{"ed.fgw", []string{"/console/entries", "/console/entries?status=returned", "/console/entries?status=draft", "/console/entries?column=xssjc",
			"/console/entries/new", e(draft, ""), e(draft, "/edit"), e(draft, "/preview"), e(returned, ""), e(returned, "/edit"),
			e(withdrawn, ""), e(published, "/preview"), "/console/filings"}},
		{"ap.fgw", []string{"/console/approvals", e(pending, ""), e(pending, "/preview")}},
		{"rv.office", []string{"/console/review", "/console/published", e(submitted, ""),
			e(submitted, "/preview"), e(published, ""), e(withdrawn, ""), "/console/filings", "/console/delegation?unit=fgw"}},
		{"au.office", []string{"/console/audit", "/console/audit?login=" + q, "/console/audit?action=entry.return"}},
		{"admin.office", []string{"/console/users", "/console/audit"}},
		{"", []string{"/", "/entries/" + url.PathEscape(published), "/entries/" + url.PathEscape(withdrawn), "/units/fgw",
			"/units/fgw/columns/" + catalog.EmergencyColumn, "/units/fgw/columns/xssjc", "/search?q=" + url.QueryEscape("安全检查"), "/search?q=" + q}},
	}
	t.Run("paste into the editor", func(t *testing.T) {
		// What a hostile page can put on the clipboard, marked as Word's so
		// that the editor takes its Word path, and as plain HTML.
		p := cbTab(t, browser, site.URL)
		p.keyboardLogin(t, "ed.fgw", cbPassword)
		for _, paste := range []struct{ name, html string }{
			{"Word", strings.Replace(wordTable, "<!--StartFragment-->", "<!--StartFragment-->"+cbXSSImg+cbXSSSvg+`<a href="javascript:window.__xss=1">链接</a>`, 1)},
			{"HTML", `<table><tr><td>事项名称</td><td>` + cbXSSImg + `</td></tr></table>` + cbXSSSvg + `<iframe src="javascript:window.__xss=1"></iframe>`},
		} {
			t.Run(paste.name, func(t *testing.T) {
				if st := p.open(t, "/console/entries/new"); st != 200 {
					t.Fatalf("new: status %d", st)
				}
				p.waitEditor(t)
				p.pasteFromWord(t, paste.html, "事项名称")
				p.waitFor(t, "the pasted images to settle", `[...document.images].every(i => i.complete)`, 5*time.Second)
				got := cbEval[cbXSSState](t, p, cbXSSProbe)
				if got.Ran {
					t.Errorf("pasting %s HTML into the editor ran a payload (window.__xss is set)", paste.name)
				}
				if len(got.Bad) > 0 {
					t.Errorf("pasting %s HTML into the editor left live payload markup in the page: %v", paste.name, got.Bad)
				}
				if d := p.takeDialogs(); len(d) > 0 {
					t.Errorf("dialogs opened: %v", d)
				}
			})
		}
	})
	for _, v := range visits {
		who := v.login
		if who == "" {
			who = "public"
		}
		t.Run(who, func(t *testing.T) {
			p := cbTab(t, browser, site.URL)
			if v.login != "" {
				p.keyboardLogin(t, v.login, cbPassword)
			} else {
				// The follower indexes the published entry on its own.
				p.waitForSearch(t, "安全检查", published)
			}
			for _, path := range v.paths {
				p.checkNoXSS(t, path)
			}
		})
	}
}

// waitForSearch polls the search page until it lists the entry.
func (p *cbPage) waitForSearch(t *testing.T, q, id string) {
	t.Helper()
	link := jsString(`a[href="/entries/` + id + `"]`)
	deadline := time.Now().Add(15 * time.Second)
	for {
		p.open(t, "/search?q="+url.QueryEscape(q))
		if cbEval[bool](t, p, `!!document.querySelector(`+link+`)`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/search?q=%s does not list %s after 15 s", q, id)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cbA11yPage is a console page the accessibility test checks.
type cbA11yPage struct {
	name, path string
	editor     bool // wait for the rich-text editor
}

// checkConsolePage runs axe-core on a page (its folded parts opened), and
// checks from the keyboard that the first Tab reaches the skip link and
// that the skip link moves focus to the main content; phone loads the
// same page at 375 px and checks that it does not scroll sideways.
func checkConsolePage(t *testing.T, desk, phone *cbPage, axe string, pg cbA11yPage) {
	t.Helper()
	settle := func(p *cbPage) {
		if st := p.open(t, pg.path); st >= 400 && pg.name != "error page" {
			t.Errorf("%s: status %d", pg.path, st)
		}
		p.waitFor(t, "the page to load", `document.readyState === 'complete'`, 10*time.Second)
		if pg.editor {
			p.waitEditor(t)
		}
	}
	settle(desk)
	// The keyboard, from the top of the freshly loaded page.
	first := cbEval[string](t, desk, activeElement)
	desk.do(t, chromedp.KeyEvent("\t"))
	if el := cbEval[string](t, desk, activeElement); el != "a.skip-link" {
		if first != "body" {
			t.Errorf("%s: the page puts focus on %s when it loads (autofocus), past the skip link and the heading, so the first Tab reaches %s, not the skip link", pg.path, first, el)
		} else {
			t.Errorf("%s: the first Tab reaches %s, want the skip link", pg.path, el)
		}
	} else {
		top := cbEval[float64](t, desk, `document.activeElement.getBoundingClientRect().top`)
		if top < 0 {
			t.Errorf("%s: the focused skip link is off screen (top %v)", pg.path, top)
		}
		desk.do(t, chromedp.KeyEvent("\r"))
		if el := cbEval[string](t, desk, activeElement); el != "#main" {
			t.Errorf("%s: after the skip link focus is on %s, want #main", pg.path, el)
		}
	}
	desk.do(t, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
	actx, cancel := context.WithTimeout(desk.ctx, time.Minute)
	defer cancel()
	checkAxe(t, actx, axe)

	settle(phone)
	phone.do(t, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
	w := cbEval[[]int](t, phone, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if w[0] > w[1] {
		wide := cbEval[[]string](t, phone, `[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right))`)
		t.Errorf("%s at 375 px: the page is %d px wide in a %d px window; sticking out: %v", pg.path, w[0], w[1], wide)
	}
	if shots := os.Getenv(envScreenshots); shots != "" {
		ctx, cancel := phone.step()
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(shots, "gongkai-console-phone-"+strings.ReplaceAll(pg.name, " ", "-")+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", file)
	}
}

// cbPhone opens a tab beside p (same cookies) at a 375 px phone width.
func cbPhone(t *testing.T, p *cbPage) *cbPage {
	t.Helper()
	phone := cbSameDesk(t, p)
	phone.do(t, chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	return phone
}

// TestBrowserConsoleAccessibility checks the console's pages, as the role
// that uses each, with axe-core (WCAG 2.1 A and AA, the portal's rules and
// assertion), at phone width, and from the keyboard, including logging in
// and the forced first password change with the keyboard only.
func TestBrowserConsoleAccessibility(t *testing.T) {
	axe := needBrowser(t)
	needEditor(t)
	site := newCBSite(t)
	ctx := context.Background()
	once := site.addUser(t, "new.fgw", "editor", "fgw", "陈新", true)
	ed, ap, rv := site.who["ed.fgw"], site.who["ap.fgw"], site.who["rv.office"]
	mk := func(column, title string) string {
		t.Helper()
		body := `<p style="text-indent: 2em">现将有关事项通知如下。</p><table><thead><tr><th scope="col">事项</th><th scope="col">地点</th></tr></thead>` +
			`<tbody><tr><td>价格认定</td><td>市民中心二楼</td></tr></tbody></table>`
		a, err := site.wf.Upload(ctx, ed, "fgw", "附件1：事项清单.pdf", strings.NewReader("%PDF-1.4\n% "+title+"\n%%EOF\n"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := site.wf.Create(ctx, ed, catalog.EntryInput{Column: column, Title: title, DocNo: "临发改发〔2026〕5号", WrittenAt: "2026-03-01",
			Topic: "综合政务", DocType: "通知", Validity: "有效", FivePublics: "服务", Keywords: []string{"便民"}, Summary: "便民服务事项。",
			BodyHTML: body, Attachments: []catalog.AttachmentRef{{Name: a.Name, SHA256: a.SHA256}}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Entry.ID
	}
	step := func(_ workflow.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	draft := mk("ggfw", "关于做好春季便民服务工作的通知")
	returned := mk("ggfw", "关于调整便民服务窗口时间的通知")
	step(site.wf.Submit(ctx, ed, returned, 0))
	step(site.wf.Approve(ctx, ap, returned, 0))
	step(site.wf.Return(ctx, rv, returned, catalog.ReturnTemplates[1], 0))
	pending := mk("ggfw", "关于公布2026年便民服务事项的公告")
	step(site.wf.Submit(ctx, ed, pending, 0))
	submitted := mk("ggfw", "关于开展价格认定服务的通知")
	step(site.wf.Submit(ctx, ed, submitted, 0))
	step(site.wf.Approve(ctx, ap, submitted, 0))
	published := mk(catalog.EmergencyColumn, "关于做好春季森林防火工作的通知")
	step(site.wf.Submit(ctx, ed, published, 0))
	step(site.wf.Approve(ctx, ap, published, 0))
	step(site.wf.Approve(ctx, rv, published, 0))
	if _, err := site.wf.FileColumnChange(ctx, ed, catalog.ColumnChange{Unit: "fgw", Action: catalog.FilingAdd,
		Column: catalog.Column{Code: "ysgk", Name: "预算公开", Parent: catalog.GroupColumn}, Reason: "按要求公开部门预算"}); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	e := func(id, suffix string) string { return "/console/entries/" + url.PathEscape(id) + suffix }

	t.Run("login", func(t *testing.T) {
		p := cbTab(t, browser, site.URL)
		checkConsolePage(t, p, cbPhone(t, p), axe, cbA11yPage{name: "login", path: "/console/login"})
		// A wrong password is announced, and the form works again from the
		// keyboard, with the login kept.
		if st := p.typeLogin(t, "ed.fgw", "wrong-password-1"); st != 401 {
			t.Errorf("wrong password: status %d, want 401", st)
		}
		if msg := p.text(t, "[role=alert]"); msg != "账号或密码错误。" {
			t.Errorf("wrong password: alert %q", msg)
		}
		if got := cbEval[string](t, p, `document.getElementById('login').value`); got != "ed.fgw" {
			t.Errorf("the login typed is not kept: %q", got)
		}
		actx, cancel := context.WithTimeout(p.ctx, time.Minute)
		defer cancel()
		checkAxe(t, actx, axe)
		p.keyboardLogin(t, "ed.fgw", cbPassword)
		if got := p.where(t); got != "/console/entries" {
			t.Errorf("logged in from the keyboard, the editor lands on %s", got)
		}
	})

	t.Run("forced password change", func(t *testing.T) {
		p := cbTab(t, browser, site.URL)
		p.keyboardLogin(t, "new.fgw", once)
		if got := p.where(t); got != "/console/password" {
			t.Fatalf("with a one-time password the login leads to %s, want /console/password", got)
		}
		if note := p.text(t, ".note"); !strings.Contains(note, "须先设置新密码") {
			t.Errorf("the forced change is not explained: %q", note)
		}
		checkConsolePage(t, p, cbPhone(t, p), axe, cbA11yPage{name: "password", path: "/console/password"})
		// Any other page sends the account back here.
		p.open(t, "/console/entries")
		if got := p.where(t); got != "/console/password" {
			t.Errorf("before the change /console/entries leads to %s", got)
		}
		// The keyboard only: Tab to the form, type, Tab, type, Enter.
		for range 100 { // past the menu and the unit's catalog tree
			if cbEval[string](t, p, activeElement) == "#old" {
				break
			}
			p.do(t, chromedp.KeyEvent("\t"))
		}
		if el := cbEval[string](t, p, activeElement); el != "#old" {
			t.Fatalf("Tab does not reach the current password field (focus on %s)", el)
		}
		const newPassword = "Chun-Feng-2026!"
		p.do(t, chromedp.KeyEvent(once), chromedp.KeyEvent("\t"), chromedp.KeyEvent(newPassword), chromedp.KeyEvent("\t"))
		if el := cbEval[string](t, p, activeElement); el != "#again" {
			t.Fatalf("Tab from the new password reaches %s, want #again", el)
		}
		p.do(t, chromedp.KeyEvent(newPassword))
		if st := p.submit(t, "save the new password with Enter", chromedp.KeyEvent("\r")); st != 200 {
			t.Fatalf("password change: status %d: %s", st, p.text(t, "main"))
		}
		if got := p.where(t); got != "/console/entries?done=password" {
			t.Errorf("after the change: on %s: %s", got, p.text(t, "[role=alert]"))
		}
		if got := p.text(t, ".flash"); got != "密码已修改。" {
			t.Errorf("after the change the notice says %q", got)
		}
		again := cbTab(t, browser, site.URL)
		again.keyboardLogin(t, "new.fgw", newPassword)
		if got := again.where(t); got != "/console/entries" {
			t.Errorf("with the new password the login leads to %s", got)
		}
	})

	t.Run("keyboard through the editor", func(t *testing.T) {
		// Tab from the summary must enter the rich-text editor, where typing
		// writes the body, and leave it again for the fields after it: the
		// editor must be no keyboard trap (WCAG 2.1.2).
		p := cbTab(t, browser, site.URL)
		p.keyboardLogin(t, "ed.fgw", cbPassword)
		if st := p.open(t, "/console/entries/new"); st != 200 {
			t.Fatalf("new: status %d", st)
		}
		p.waitEditor(t)
		p.do(t, chromedp.Focus(chromedp.ID("f-summary")))
		const where = `(e => !e ? '' : e.classList.contains('jodit-wysiwyg') ? 'editable' : e.closest('.jodit-container') ? 'toolbar' : e.id ? '#' + e.id : e.tagName.toLowerCase())(document.activeElement)`
		var order []string
		typed := false
		for range 60 {
			p.do(t, chromedp.KeyEvent("\t"))
			el := cbEval[string](t, p, where)
			order = append(order, el)
			if el == "editable" && !typed {
				p.do(t, chromedp.KeyEvent("键盘输入的正文"))
				p.waitFor(t, "typed text in the body field", `document.getElementById('f-body_html').value.includes('键盘输入的正文')`, 5*time.Second)
				typed = true
			}
			if el == "#f-related" || el == "#f-files" {
				break
			}
		}
		if !typed {
			ti := cbEval[string](t, p, `String(document.querySelector('.jodit-wysiwyg').getAttribute('tabindex'))`)
			t.Errorf("Tab from the summary never reaches the editable area (it has tabindex=%s), so the body cannot be written from the keyboard: Tab order %v", ti, order)
		}
		if last := order[len(order)-1]; last != "#f-related" && last != "#f-files" {
			t.Errorf("Tab does not get out of the editor to the fields after it (a keyboard trap): %v", order)
		}
		t.Logf("Tab order from the summary: %v", order)
		// The editable area is a text box with a name, as the field it
		// replaces was (WCAG 4.1.2).
		name := cbEval[string](t, p, `(e => [e.getAttribute('role') || '(no role)', e.getAttribute('aria-label') ||
  (e.getAttribute('aria-labelledby') || '').split(/\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()].join(' '))(document.querySelector('.jodit-wysiwyg'))`)
		if !strings.HasPrefix(name, "textbox ") || !strings.Contains(name, "正文") {
			t.Errorf("the editable area has role and name %q, want role textbox named 正文 (its label)", name)
		}
		// From the editable area, Alt+F10 reaches the toolbar, the arrows walk
		// it, and Escape goes back to the text.
		p.do(t, chromedp.Click(chromedp.CSS(".jodit-wysiwyg")), chromedp.KeyEvent(kb.F10, chromedp.KeyModifiers(chromedp.ModifierAlt)))
		first := cbEval[string](t, p, `document.activeElement.getAttribute('aria-label') || ''`)
		p.do(t, chromedp.KeyEvent(kb.ArrowRight))
		second := cbEval[string](t, p, `document.activeElement.getAttribute('aria-label') || ''`)
		p.do(t, chromedp.KeyEvent(kb.Escape))
		back := cbEval[string](t, p, where)
		if first == "" || second == "" || first == second || back != "editable" {
			t.Errorf("toolbar from the keyboard: Alt+F10 → %q, → %q, Escape → %s", first, second, back)
		}
	})

	roles := []struct {
		login string
		pages []cbA11yPage
	}{
		{"ed.fgw", []cbA11yPage{
			{name: "entries", path: "/console/entries"},
			{name: "entries returned", path: "/console/entries?status=returned"},
			{name: "editor", path: "/console/entries/new", editor: true},
			{name: "editor of a returned entry", path: e(returned, "/edit"), editor: true},
			{name: "entry", path: e(draft, "")},
			{name: "preview", path: e(draft, "/preview")},
			{name: "filings unit", path: "/console/filings"},
			{name: "error page", path: "/console/entries/no-such-entry"},
		}},
		{"ap.fgw", []cbA11yPage{
			{name: "approvals", path: "/console/approvals"},
			{name: "entry to approve", path: e(pending, "")},
		}},
		{"rv.office", []cbA11yPage{
			{name: "review queue", path: "/console/review"},
			{name: "entry to review", path: e(submitted, "")},
			{name: "published", path: "/console/published"},
			{name: "published entry", path: e(published, "")},
			{name: "filings office", path: "/console/filings"},
			{name: "delegation", path: "/console/delegation"},
			{name: "delegation of a unit", path: "/console/delegation?unit=fgw"},
		}},
		{"au.office", []cbA11yPage{{name: "audit", path: "/console/audit"}}},
		{"admin.office", []cbA11yPage{{name: "users", path: "/console/users"}, {name: "audit admin", path: "/console/audit?action=entry.return"}}},
	}
	for _, r := range roles {
		t.Run(r.login, func(t *testing.T) {
			desk := cbTab(t, browser, site.URL)
			desk.keyboardLogin(t, r.login, cbPassword)
			phone := cbPhone(t, desk)
			for _, pg := range r.pages {
				t.Run(pg.name, func(t *testing.T) { checkConsolePage(t, desk, phone, axe, pg) })
			}
		})
	}
}
