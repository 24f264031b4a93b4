package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/extract"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
	"gongkai/internal/workflow"
	"gongkai/portal/console"
)

// noticeFixture is the console with supervision on a fixed clock:
// 30 June 2026, 10:00 in China.
type noticeFixture struct {
	*fixture
	svc *supervise.Service
	now time.Time
}

func newNoticeFixture(t *testing.T, st *store.Store) *noticeFixture {
	t.Helper()
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &noticeFixture{now: time.Date(2026, 6, 30, 10, 0, 0, 0, catalog.Shanghai)}
	f.svc = supervise.New(st, fs, nil)
	f.svc.Now = func() time.Time { return f.now }
	acc := auth.NewAccounts(st, nil)
	c := console.New(console.Deps{Store: st, Files: fs, Workflow: workflow.New(st, fs, nil), Accounts: acc,
		Tokens: auth.NewVerifier(st, nil), Supervise: f.svc,
		Preview: func(w http.ResponseWriter, r *http.Request, d store.EntryDetail) {}})
	ts := httptest.NewServer(mount(c))
	t.Cleanup(ts.Close)
	f.fixture = &fixture{ts: ts, st: st, acc: acc}
	for _, a := range []struct{ login, role, unit string }{
		{"ed", "editor", "fgw"}, {"ap", "approver", "fgw"}, {"other", "editor", "jtj"}, {"rv", "reviewer", ""}, {"adm", "admin", ""}, {"aud", "auditor", ""},
	} {
		f.addUser(t, a.login, a.role, a.unit)
	}
	return f
}

// upload posts a multipart form with one file.
func (u *user) upload(path, field, name string, content []byte, want int) string {
	u.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", u.csrf)
	if name != "" {
		fw, _ := mw.CreateFormFile(field, name)
		_, _ = fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u.f.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return u.do(req, want)
}

// raw sends a request and returns the answer without following redirects.
func (u *user) raw(method, path string, body io.Reader, header http.Header) *http.Response {
	u.t.Helper()
	req, _ := http.NewRequest(method, u.f.ts.URL+path, body)
	for k, v := range header {
		req.Header[k] = v
	}
	c := *u.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	return res
}

var noticeLinkRE = regexp.MustCompile(`/console/notices/([0-9]+)`)

// lastRefusal is the newest refused record of the audit log.
func lastRefusal(t *testing.T, st *store.Store) audit.Record {
	t.Helper()
	recs, _, err := st.AuditRecords(context.Background(), store.AuditQuery{Outcome: audit.OutcomeRefused, Size: 1})
	if err != nil || len(recs) == 0 {
		t.Fatalf("no refusal in the audit log (%v)", err)
	}
	return recs[0]
}

func auditHead(t *testing.T, st *store.Store) int64 {
	head, _, err := st.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return head
}

func stateOf(t *testing.T, st *store.Store, id string) store.Notice {
	t.Helper()
	n, _ := strconv.ParseInt(id, 10, 64)
	got, err := st.Notice(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

const pdfFile = "%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

// The whole life of a notice raised by hand, through the pages: the office
// raises it, the unit answers, the office sends it back, the unit answers
// again and the office closes it; each wrong step on the way is refused
// with the right status and nothing changes.
func TestNoticePagesLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newNoticeFixture(t, st)
		rv := f.browser(t, "rv", testPassword)
		ed := f.browser(t, "ed", testPassword)
		other := f.browser(t, "other", testPassword)

		// The office's list offers the form; the unit's does not.
		list := rv.get("/console/notices", http.StatusOK)
		for _, w := range []string{"专项印发督办通知", `name="facts"`, `value="2026-07-15"`, `min="2026-07-01"`, "测试单位fgw", "没有符合条件的督办通知"} {
			if !strings.Contains(list, w) {
				t.Errorf("the office's list lacks %q", w)
			}
		}
		if page := ed.get("/console/notices", http.StatusOK); strings.Contains(page, `name="facts"`) {
			t.Error("a unit is offered the form to raise notices")
		}

		// Bad input: every field named, nothing raised.
		page := rv.post("/console/notices", url.Values{"unit": {"nosuch"}, "facts": {"  \n "}, "due_at": {"2026-06-30"}}, http.StatusBadRequest)
		for _, w := range []string{"没有代码为", "请写明督办发现的问题", "整改期限须晚于今天", `aria-invalid="true"`} {
			if !strings.Contains(page, w) {
				t.Errorf("the refused form lacks %q", w)
			}
		}
		page = rv.post("/console/notices", url.Values{"unit": {"fgw"}, "facts": {"x"}, "due_at": {"15/07/2026"}}, http.StatusBadRequest)
		if !strings.Contains(page, "整改期限须为日期") || !strings.Contains(page, ">x</textarea>") {
			t.Errorf("a bad date: the form lacks its message or the facts typed")
		}
		// A unit may not raise one; the refusal is audited.
		ed.post("/console/notices", url.Values{"unit": {"fgw"}, "facts": {"自己督办自己"}, "due_at": {"2026-07-15"}}, http.StatusForbidden)
		if rec := lastRefusal(t, st); rec.Action != "notice.raise" || rec.Actor.Login != "ed" {
			t.Errorf("the unit's attempt is audited as %+v", rec)
		}
		if n, _ := st.CountNotices(context.Background(), store.NoticeQuery{}); n != 0 {
			t.Fatalf("%d notices after refused forms", n)
		}

		// Raised: the notice page with its message.
		page = rv.post("/console/notices", url.Values{"unit": {"fgw"}, "facts": {"通知公告栏目自2026年3月起未更新。\n<script>alert(1)</script>信息与栏目不符。"},
			"due_at": {"2026-07-15"}}, http.StatusOK)
		m := noticeLinkRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no notice page after raising:\n%s", page)
		}
		id := m[1]
		for _, w := range []string{"督办通知已印发", "临政办督〔2026〕1号", "关于测试单位fgw政府信息公开工作有关问题的督办通知", "1．通知公告栏目自2026年3月起未更新。",
			"&lt;script&gt;alert(1)&lt;/script&gt;", "2026年7月15日", "待整改", "复核办理", "尚未上传"} {
			if !strings.Contains(page, w) {
				t.Errorf("the new notice's page lacks %q", w)
			}
		}
		if strings.Contains(page, "<script>alert(1)") {
			t.Error("the facts are not escaped")
		}
		if strings.Contains(page, `id="self-exam"`) || strings.Contains(page, `id="send-back"`) {
			t.Error("the office is offered the unit's upload, or a send-back of an open notice")
		}
		base := "/console/notices/" + id

		// The unit sees it, with its badge and its forms; another unit
		// does not learn it exists, and the attempt is audited.
		page = ed.get("/console/notices", http.StatusOK)
		if !strings.Contains(page, "临政办督〔2026〕1号") || !strings.Contains(page, `<span class="badge" aria-label="1 条待办">1</span>`) {
			t.Errorf("the unit's list lacks the notice or the badge:\n%s", page)
		}
		page = ed.get(base, http.StatusOK)
		if !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `<label for="se-file"`) || strings.Contains(page, "复核办理") {
			t.Error("the unit's page lacks the upload form, or offers the office's")
		}
		if strings.Contains(page, `action="`+base+`/rectified"`) {
			t.Error("rectification is offered before the self-examination")
		}
		for _, p := range []string{base, base + "/print", base + "/document.docx", base + "/self-exam"} {
			head := auditHead(t, st)
			other.get(p, http.StatusNotFound)
			if rec := lastRefusal(t, st); rec.Seq <= head || rec.Actor.Login != "other" {
				t.Errorf("GET %s by another unit: not audited (%+v)", p, rec)
			}
		}
		if page := other.get("/console/notices", http.StatusOK); strings.Contains(page, "临政办督") {
			t.Error("another unit's list shows the notice")
		}
		other.upload(base+"/self-exam", "file", "检查.pdf", []byte(pdfFile), http.StatusNotFound)

		// The office cannot answer for the unit, nor send back what was
		// not answered.
		rv.upload(base+"/self-exam", "file", "检查.pdf", []byte(pdfFile), http.StatusForbidden)
		page = rv.post(base+"/send-back", url.Values{"reason": {"重写"}}, http.StatusConflict)
		if !strings.Contains(page, "督办通知 临政办督〔2026〕1号 当前为“待整改”，不能退回") {
			t.Errorf("sending back an open notice:\n%s", page)
		}
		// Reporting before the self-examination: told which field.
		page = ed.post(base+"/rectified", url.Values{"note": {"已整改"}}, http.StatusBadRequest)
		if !strings.Contains(page, "请先上传书面检查") {
			t.Error("reporting without a self-examination is not explained")
		}

		// Uploads: a program named .pdf, an empty form, then the real PDF.
		page = ed.upload(base+"/self-exam", "file", "书面检查.pdf", []byte("MZ\x90\x00 this is no PDF"), http.StatusBadRequest)
		if !strings.Contains(page, "内容与扩展名 .pdf 不符") || !strings.Contains(page, `id="se-err"`) {
			t.Errorf("a disguised file: the page lacks the reason:\n%s", page)
		}
		ed.upload(base+"/self-exam", "file", "", nil, http.StatusBadRequest)
		page = ed.upload(base+"/self-exam", "file", "书面检查（盖章）.pdf", []byte(pdfFile), http.StatusOK)
		if !strings.Contains(page, "书面检查已上传") || !strings.Contains(page, "书面检查（盖章）.pdf") {
			t.Errorf("after the upload:\n%s", page)
		}
		if n := stateOf(t, st, id); n.State != store.NoticeOpen || n.SelfExamName != "书面检查（盖章）.pdf" {
			t.Fatalf("after the upload: %s %q", n.State, n.SelfExamName)
		}
		// The office and the unit download it, by content type, as an attachment.
		for _, u := range []*user{rv, ed} {
			res := u.raw(http.MethodGet, base+"/self-exam", nil, nil)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || string(b) != pdfFile || res.Header.Get("Content-Type") != "application/pdf" ||
				!strings.Contains(res.Header.Get("Content-Disposition"), "filename*=UTF-8''%E4%B9%A6") ||
				!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="self-exam-`) {
				t.Errorf("self-examination download: %d %v %q", res.StatusCode, res.Header, b)
			}
		}

		// A form without its token changes nothing.
		res := ed.raw(http.MethodPost, base+"/rectified", strings.NewReader(url.Values{"note": {"已整改"}}.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden || stateOf(t, st, id).State != store.NoticeOpen {
			t.Errorf("a form without its token: %d, state %s", res.StatusCode, stateOf(t, st, id).State)
		}

		page = ed.post(base+"/rectified", url.Values{"note": {"  "}}, http.StatusBadRequest)
		if !strings.Contains(page, "请写明整改情况") {
			t.Error("an empty rectification note is not explained")
		}
		page = ed.post(base+"/rectified", url.Values{"note": {"已更新通知公告栏目 3 条信息。"}}, http.StatusOK)
		if !strings.Contains(page, "整改情况已报送") || !strings.Contains(page, "待复核") || !strings.Contains(page, "已更新通知公告栏目 3 条信息。") {
			t.Errorf("after reporting:\n%s", page)
		}
		// Now the unit may not upload again, and may not close it itself.
		page = ed.upload(base+"/self-exam", "file", "二稿.pdf", []byte(pdfFile), http.StatusConflict)
		if !strings.Contains(page, "当前为“待复核”，不能上传书面检查") {
			t.Errorf("uploading to a submitted notice:\n%s", page)
		}
		ed.post(base+"/close", url.Values{}, http.StatusForbidden)
		if rec := lastRefusal(t, st); rec.Action != "notice.close" {
			t.Errorf("the unit's close is audited as %q", rec.Action)
		}

		// The office sends it back with a reason (required), the unit
		// sees the reason and answers again, the office closes it.
		page = rv.get(base, http.StatusOK)
		if !strings.Contains(page, `action="`+base+`/send-back"`) || !strings.Contains(page, `<label for="sb-reason" class="req">退回理由</label>`) {
			t.Error("the office is not offered the send-back form")
		}
		if strings.Contains(page, `id="self-exam"`) || strings.Contains(page, `id="rectified"`) {
			t.Error("the office is offered the unit's forms")
		}
		page = rv.post(base+"/send-back", url.Values{"reason": {" "}}, http.StatusBadRequest)
		if !strings.Contains(page, "请写明退回理由") {
			t.Error("a send-back without a reason is not explained")
		}
		rv.post(base+"/send-back", url.Values{"reason": {"书面检查未盖章"}}, http.StatusOK)
		page = ed.get(base, http.StatusOK)
		if !strings.Contains(page, "退回重报") || !strings.Contains(page, "市政府办公室已退回：书面检查未盖章") {
			t.Errorf("the unit's page after the send-back:\n%s", page)
		}
		ed.post(base+"/rectified", url.Values{"note": {"已补盖公章。"}}, http.StatusOK)
		page = rv.post(base+"/close", url.Values{"note": {"整改到位。"}}, http.StatusOK)
		for _, w := range []string{"督办通知已办结", "已办结", "整改到位。", "退回重新整改", "书面检查未盖章", "印发督办通知"} {
			if !strings.Contains(page, w) {
				t.Errorf("the closed notice's page lacks %q", w)
			}
		}
		if strings.Contains(page, `action="`+base+`/close"`) {
			t.Error("a closed notice still offers to close it")
		}
		page = rv.post(base+"/close", url.Values{}, http.StatusConflict)
		if !strings.Contains(page, "当前为“已办结”，不能办结") {
			t.Errorf("closing twice:\n%s", page)
		}

		// Every step is in the audit log, with who took it.
		recs, _, err := st.AuditRecords(context.Background(), store.AuditQuery{Action: "notice.", Outcome: audit.OutcomeOK, Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for i := len(recs) - 1; i >= 0; i-- {
			steps = append(steps, recs[i].Action+":"+recs[i].Actor.Login)
		}
		want := "notice.raise:rv notice.self_exam:ed notice.rectified:ed notice.send_back:rv notice.rectified:ed notice.close:rv"
		if strings.Join(steps, " ") != want {
			t.Errorf("audited steps:\n%s\nwant\n%s", strings.Join(steps, " "), want)
		}
	})
}

// raiseFor raises a notice by hand through the service, as the office.
func (f *noticeFixture) raiseFor(t *testing.T, unit, facts string, due time.Time) supervise.Notice {
	t.Helper()
	n, err := f.svc.Raise(context.Background(), auth.Caller{P: auth.Principal{Login: "office", Role: auth.RoleReviewer}}, supervise.ManualNotice{Unit: unit, Facts: facts, Due: due})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The list filters by state, unit and lateness, flags late and escalated
// notices, and shows each caller only what it may see.
func TestNoticeListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newNoticeFixture(t, st)
		ctx := context.Background()
		a := f.raiseFor(t, "fgw", "甲问题", time.Date(2026, 7, 5, 0, 0, 0, 0, catalog.Shanghai))
		b := f.raiseFor(t, "jtj", "乙问题", time.Date(2026, 7, 20, 0, 0, 0, 0, catalog.Shanghai))
		c := f.raiseFor(t, "fgw", "丙问题", time.Date(2026, 8, 1, 0, 0, 0, 0, catalog.Shanghai))
		if _, err := f.svc.Close(ctx, auth.Caller{P: auth.Principal{Login: "office", Role: auth.RoleReviewer}}, c.ID, "误发"); err != nil {
			t.Fatal(err)
		}
		// 10 July: fgw's first notice is late; the run escalates it.
		f.now = time.Date(2026, 7, 10, 9, 0, 0, 0, catalog.Shanghai)
		if _, err := f.svc.Run(ctx, f.now, supervise.SystemActor); err != nil {
			t.Fatal(err)
		}
		rv := f.browser(t, "rv", testPassword)
		ed := f.browser(t, "ed", testPassword)
		other := f.browser(t, "other", testPassword)
		rows := func(page string) string {
			var got []string
			for _, m := range regexp.MustCompile(`>(临政办督〔2026〕[0-9]+号)</a>`).FindAllStringSubmatch(page, -1) {
				got = append(got, m[1])
			}
			return strings.Join(got, " ")
		}
		for _, c := range []struct {
			who  *user
			path string
			want string
		}{
			{rv, "/console/notices", "临政办督〔2026〕3号 临政办督〔2026〕2号 临政办督〔2026〕1号"},
			{rv, "/console/notices?state=active", "临政办督〔2026〕2号 临政办督〔2026〕1号"},
			{rv, "/console/notices?state=closed", "临政办督〔2026〕3号"},
			{rv, "/console/notices?unit=jtj", "临政办督〔2026〕2号"},
			{rv, "/console/notices?overdue=1", "临政办督〔2026〕1号"},
			{rv, "/console/notices?state=bogus&unit=nosuch", "临政办督〔2026〕3号 临政办督〔2026〕2号 临政办督〔2026〕1号"},
			{ed, "/console/notices", "临政办督〔2026〕3号 临政办督〔2026〕1号"},
			{ed, "/console/notices?unit=jtj", "临政办督〔2026〕3号 临政办督〔2026〕1号"}, // a unit's filter is its own
			{other, "/console/notices", "临政办督〔2026〕2号"},
		} {
			if got := rows(c.who.get(c.path, http.StatusOK)); got != c.want {
				t.Errorf("%s: %q, want %q", c.path, got, c.want)
			}
		}
		page := rv.get("/console/notices?overdue=1", http.StatusOK)
		if !strings.Contains(page, `<span class="flag-late">逾期</span>`) || !strings.Contains(page, `<span class="flag-escalated">已督促升级</span>`) {
			t.Errorf("the late notice is not flagged:\n%s", page)
		}
		if strings.Contains(page, "bogus") || strings.Contains(page, "nosuch") {
			t.Error("a filter value that names nothing is echoed back")
		}
		page = rv.get(noticeLink(a.ID), http.StatusOK)
		if !strings.Contains(page, "逾期：整改期限 2026年7月5日 已过") || !strings.Contains(page, "逾期未整改，已督促升级") {
			t.Errorf("the late notice's page is not flagged:\n%s", page)
		}
		aud := f.browser(t, "aud", testPassword)
		aud.get("/console/notices", http.StatusForbidden)
		if rec := lastRefusal(t, st); rec.Action != "notice.list" || rec.Actor.Login != "aud" {
			t.Errorf("the auditor's refusal is audited as %+v", rec)
		}
		_ = b
	})
}

func noticeLink(id int64) string { return "/console/notices/" + strconv.FormatInt(id, 10) }

// The printable page is the official document alone; the Word file holds
// the same text and names itself in UTF-8.
func TestNoticeDocumentDownloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newNoticeFixture(t, st)
		n := f.raiseFor(t, "fgw", "领导分工栏目未随人事调整更新。\n部分附件无法打开。", time.Date(2026, 7, 15, 0, 0, 0, 0, catalog.Shanghai))
		ed := f.browser(t, "ed", testPassword)
		base := noticeLink(n.ID)

		page := ed.get(base+"/print", http.StatusOK)
		for _, w := range []string{`class="doc-issuer" style="--issuer: 42pt"`, ">临沂市人民政府办公室</p>", ">临政办督〔2026〕1号</p>",
			`<h1 class="doc-title">关于测试单位fgw政府信息公开工作有关问题的督办通知</h1>`, "测试单位fgw：", "1．领导分工栏目未随人事调整更新。",
			"2．部分附件无法打开。", "于2026年7月15日前", "特此通知。", "2026年6月30日", `<main id="main" class="official"`} {
			if !strings.Contains(page, w) {
				t.Errorf("the printable page lacks %q", w)
			}
		}
		for _, w := range []string{"后台导航", "退出登录", "本单位目录"} {
			if strings.Contains(page, w) {
				t.Errorf("the printable page has the console's %q", w)
			}
		}

		res := ed.raw(http.MethodGet, base+"/document.docx", nil, nil)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
			t.Fatalf("document: %d %v", res.StatusCode, res.Header)
		}
		cd := res.Header.Get("Content-Disposition")
		if cd != `attachment; filename="notice-2026-1.docx"; filename*=UTF-8''`+pathEscapeAll("临政办督〔2026〕1号督办通知.docx") {
			t.Errorf("Content-Disposition %q", cd)
		}
		text, err := extract.Text(context.Background(), "docx", b, extract.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"临沂市人民政府办公室", "临政办督〔2026〕1号", "1．领导分工栏目未随人事调整更新。", "2．部分附件无法打开。", "2026年7月15日", "书面检查", "限时整改"} {
			if !strings.Contains(text, w) {
				t.Errorf("the Word file lacks %q", w)
			}
		}
	})
}

// pathEscapeAll percent-encodes every byte outside RFC 5987's attr-char.
func pathEscapeAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// The API: the caller's notices in the contract's shape, states
// comma-separated or repeated, an unknown state a 400 naming the field,
// the auditor refused, another unit's notice hidden.
func TestNoticeAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newNoticeFixture(t, st)
		ctx := context.Background()
		a := f.raiseFor(t, "fgw", "甲问题", time.Date(2026, 7, 15, 0, 0, 0, 0, catalog.Shanghai))
		f.raiseFor(t, "jtj", "乙问题", time.Date(2026, 7, 15, 0, 0, 0, 0, catalog.Shanghai))
		c := f.raiseFor(t, "fgw", "丙问题", time.Date(2026, 7, 15, 0, 0, 0, 0, catalog.Shanghai))
		if _, err := f.svc.Close(ctx, auth.Caller{P: auth.Principal{Login: "office", Role: auth.RoleReviewer}}, c.ID, ""); err != nil {
			t.Fatal(err)
		}
		token := func(role, unit string) string {
			s, _, err := auth.IssueToken(ctx, st, role, unit, "")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		tokFgw, tokJtj, tokRv := token("editor", "fgw"), token("editor", "jtj"), token("reviewer", "")
		get := func(tok, path string) (int, []byte) {
			req, _ := http.NewRequest(http.MethodGet, f.ts.URL+path, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: content type %q", path, ct)
			}
			return res.StatusCode, b
		}
		list := func(tok, path string) string {
			status, b := get(tok, path)
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, b)
			}
			var ns []map[string]any
			if err := json.Unmarshal(b, &ns); err != nil {
				t.Fatalf("%s: %v %s", path, err, b)
			}
			var got []string
			for _, n := range ns {
				for _, k := range []string{"id", "unit", "rule", "state", "raised_at", "due_at", "number", "unit_name", "overdue", "facts", "escalated_at", "closed_at"} {
					if _, ok := n[k]; !ok {
						t.Errorf("%s: a notice lacks %q: %v", path, k, n)
					}
				}
				got = append(got, n["unit"].(string)+"/"+n["state"].(string))
			}
			return strings.Join(got, " ")
		}
		for _, c := range []struct{ tok, path, want string }{
			{tokRv, "/api/v1/console/notices?state=open", "jtj/open fgw/open"},
			{tokRv, "/api/v1/console/notices", "fgw/closed jtj/open fgw/open"},
			{tokRv, "/api/v1/console/notices?state=open,closed", "fgw/closed jtj/open fgw/open"},
			{tokRv, "/api/v1/console/notices?state=closed&state=sent_back", "fgw/closed"},
			{tokRv, "/api/v1/console/notices?unit=fgw&state=open", "fgw/open"},
			{tokFgw, "/api/v1/console/notices?state=open", "fgw/open"},
			{tokFgw, "/api/v1/console/notices?unit=jtj", "fgw/closed fgw/open"},
			{tokJtj, "/api/v1/console/notices?state=open", "jtj/open"},
		} {
			if got := list(c.tok, c.path); got != c.want {
				t.Errorf("%s: %q, want %q", c.path, got, c.want)
			}
		}
		// The contract's times are ISO 8601.
		_, b := get(tokFgw, "/api/v1/console/notices?state=open")
		var one []supervise.APINotice
		if err := json.Unmarshal(b, &one); err != nil || len(one) != 1 || !one[0].DueAt.Equal(supervise.EndOfDay(time.Date(2026, 7, 15, 0, 0, 0, 0, catalog.Shanghai))) ||
			!strings.Contains(string(b), `"raised_at":"2026-06-30T10:00:00+08:00"`) || !strings.Contains(string(b), `"due_at":"2026-07-15T23:59:59.999+08:00"`) ||
			one[0].Facts[0] != "甲问题" {
			t.Errorf("the notice in JSON: %s", b)
		}

		status, b := get(tokRv, "/api/v1/console/notices?state=open,bogus")
		if status != http.StatusBadRequest || !strings.Contains(string(b), `"field":"state"`) || !strings.Contains(string(b), "未知的督办状态") {
			t.Errorf("an unknown state: %d %s", status, b)
		}
		status, _ = get(tokRv, "/api/v1/console/notices?overdue=maybe")
		if status != http.StatusBadRequest {
			t.Errorf("a bad overdue flag: %d", status)
		}
		status, b = get(token("auditor", ""), "/api/v1/console/notices?state=open")
		if status != http.StatusForbidden {
			t.Errorf("the auditor: %d %s", status, b)
		}
		if rec := lastRefusal(t, st); rec.Action != "notice.list" {
			t.Errorf("the auditor's refusal is audited as %q", rec.Action)
		}

		status, b = get(tokFgw, "/api/v1/console/notices/"+strconv.FormatInt(a.ID, 10))
		var d map[string]any
		if status != 200 || json.Unmarshal(b, &d) != nil || d["number"] != "临政办督〔2026〕1号" || d["state_label"] != "待整改" ||
			d["document_url"] != noticeLink(a.ID)+"/document.docx" || !strings.Contains(d["requirement"].(string), "2026年7月15日") {
			t.Errorf("one notice: %d %s", status, b)
		}
		head := auditHead(t, st)
		status, b = get(tokJtj, "/api/v1/console/notices/"+strconv.FormatInt(a.ID, 10))
		if status != http.StatusNotFound || !strings.Contains(string(b), `"code":"not_found"`) {
			t.Errorf("another unit's notice: %d %s", status, b)
		}
		if rec := lastRefusal(t, st); rec.Seq <= head || rec.Action != "notice.read" {
			t.Errorf("another unit's read is not audited: %+v", rec)
		}
		if status, _ = get(tokFgw, "/api/v1/console/notices/999999"); status != http.StatusNotFound {
			t.Errorf("no such notice: %d", status)
		}
		if status, _ = get("", "/api/v1/console/notices"); status != http.StatusUnauthorized {
			t.Errorf("no token: %d", status)
		}
	})
}
