package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/workflow"
	"gongkai/portal/console"
)

// testPassword meets the password policy.
const testPassword = "Gongkai-test-2026!"

type fixture struct {
	ts  *httptest.Server
	st  *store.Store
	acc *auth.Accounts
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	acc := auth.NewAccounts(st, nil)
	c := console.New(console.Deps{Store: st, Files: fs, Workflow: workflow.New(st, fs, nil), Accounts: acc,
		Tokens: auth.NewVerifier(st, nil),
		Preview: func(w http.ResponseWriter, r *http.Request, d store.EntryDetail) {
			_, _ = io.WriteString(w, "PREVIEW "+d.Title)
		}})
	r := mount(c)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	return &fixture{ts: ts, st: st, acc: acc}
}

// user is a browser logged in as one account.
type user struct {
	t    *testing.T
	f    *fixture
	c    *http.Client
	csrf string
}

// addUser makes an account with a known password that needs no change.
func (f *fixture) addUser(t *testing.T, login, role, unit string) {
	t.Helper()
	_, u, err := f.acc.AddUser(context.Background(), login, role, unit, "")
	if err != nil {
		t.Fatal(err)
	}
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetPassword(context.Background(), u.ID, h, false, u.CreatedAt); err != nil {
		t.Fatal(err)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// browser logs in through the login form, as a person would.
func (f *fixture) browser(t *testing.T, login, password string) *user {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &user{t: t, f: f, c: &http.Client{Jar: jar}}
	body := u.get("/console/login", http.StatusOK)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("login page without a form token:\n%s", body)
	}
	page := u.post("/console/login", url.Values{"csrf": {m[1]}, "login": {login}, "password": {password}}, 0)
	if m := csrfRE.FindStringSubmatch(page); m != nil {
		u.csrf = m[1]
	}
	return u
}

func (u *user) do(req *http.Request, want int) string {
	u.t.Helper()
	res, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if want != 0 && res.StatusCode != want {
		u.t.Fatalf("%s %s: status %d, want %d\n%s", req.Method, req.URL.Path, res.StatusCode, want, b)
	}
	if m := csrfRE.FindSubmatch(b); m != nil {
		u.csrf = string(m[1])
	}
	return string(b)
}

func (u *user) get(path string, want int) string {
	req, _ := http.NewRequest(http.MethodGet, u.f.ts.URL+path, nil)
	return u.do(req, want)
}

func (u *user) post(path string, form url.Values, want int) string {
	if form.Get("csrf") == "" && u.csrf != "" {
		form.Set("csrf", u.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, u.f.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(req, want)
}

// postEntry sends the editor's multipart form with one attachment.
func (u *user) postEntry(path string, form url.Values, fileName string, file []byte, want int) string {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	form.Set("csrf", u.csrf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("files", fileName)
		_, _ = fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u.f.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return u.do(req, want)
}

var entryLinkRE = regexp.MustCompile(`/console/entries/(fgw-[0-9]+-[0-9a-f]+)`)

func TestConsoleReviewPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		for _, a := range []struct{ login, role, unit string }{
			{"ed", "editor", "fgw"}, {"ap", "approver", "fgw"}, {"rv", "reviewer", ""}, {"other", "editor", "jtj"},
		} {
			f.addUser(t, a.login, a.role, a.unit)
		}
		ed := f.browser(t, "ed", testPassword)
		if page := ed.get("/console/entries", http.StatusOK); !strings.Contains(page, "本单位目录") || !strings.Contains(page, "政策文件") {
			t.Fatalf("unit staff's list has no tree:\n%s", page)
		}
		form := url.Values{"column": {"ggfw"}, "title": {"关于<script>alert(1)</script>开展春季植树活动的通知"}, "doc_no": {"临发改〔2026〕5号"},
			"written_at": {"2026-03-01"}, "topic": {"综合政务"}, "doc_type": {"通知"}, "validity": {"有效"}, "five_publics": {"服务"},
			"keywords": {"植树，绿化"}, "body_html": {`<p>各单位：</p><table><tr><td>地点</td><td>时间</td></tr></table><img src=x onerror=alert(1)>`},
			"then": {"submit"}}
		page := ed.postEntry("/console/entries", form, "方案<b>.pdf", []byte("%PDF-1.7\n%%EOF\n"), http.StatusOK)
		m := entryLinkRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no entry page after create:\n%s", page)
		}
		id := m[1]
		if !strings.Contains(page, "待单位审核") || strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "方案&lt;b&gt;.pdf") ||
			!strings.Contains(page, "<table>") || strings.Contains(page, "onerror") {
			t.Fatalf("entry page after save and submit:\n%s", page)
		}
		d, err := st.Entry(context.Background(), id)
		if err != nil || !strings.Contains(d.BodyHTML, "<table>") || strings.Contains(d.BodyHTML, "onerror") || len(d.Attachments) != 1 {
			t.Fatalf("stored entry: %+v, %v", d, err)
		}
		// A renamed executable is refused by its content.
		ed.postEntry("/console/entries", url.Values{"column": {"ggfw"}, "title": {"x"}, "body_html": {"<p>x</p>"}}, "a.pdf", []byte("MZ\x90\x00rest"), http.StatusBadRequest)

		// The attachment downloads, in any state, as a file with its name
		// (an ASCII fallback and the UTF-8 original), sandboxed.
		res, err := ed.c.Get(f.ts.URL + "/console/entries/" + id + "/files/1")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(body) != "%PDF-1.7\n%%EOF\n" || res.Header.Get("Content-Type") != "application/pdf" ||
			res.Header.Get("Content-Disposition") != `attachment; filename="attachment-1.pdf"; filename*=UTF-8''%E6%96%B9%E6%A1%88%3Cb%3E.pdf` ||
			res.Header.Get("Content-Security-Policy") != "sandbox" {
			t.Errorf("attachment: %d %q %v", res.StatusCode, body, res.Header)
		}
		ed.get("/console/entries/"+id+"/files/2", http.StatusNotFound)

		// Another unit does not learn the entry exists.
		other := f.browser(t, "other", testPassword)
		other.get("/console/entries/"+id+"/files/1", http.StatusNotFound)
		other.get("/console/entries/"+id, http.StatusNotFound)
		other.post("/console/entries/"+id+"/approve", url.Values{}, http.StatusNotFound)

		ap := f.browser(t, "ap", testPassword)
		if q := ap.get("/console/approvals", http.StatusOK); !strings.Contains(q, id) {
			t.Fatalf("approver's queue lacks the entry:\n%s", q)
		}
		ap.post("/console/entries/"+id+"/approve", url.Values{"revision": {"2"}}, http.StatusOK)

		rv := f.browser(t, "rv", testPassword)
		if q := rv.get("/console/review?unit=fgw", http.StatusOK); !strings.Contains(q, id) {
			t.Fatalf("review queue lacks the entry:\n%s", q)
		}
		if q := rv.get("/console/review?unit=jtj", http.StatusOK); strings.Contains(q, id) {
			t.Error("review queue filtered by another unit shows the entry")
		}
		if p := rv.get("/console/entries/"+id+"/preview", http.StatusOK); !strings.Contains(p, "PREVIEW") {
			t.Errorf("preview: %s", p)
		}
		rv.post("/console/entries/"+id+"/return", url.Values{"reason": {"栏目不符：<img src=x onerror=alert(2)>"}}, http.StatusOK)
		if past := ed.get("/console/entries?page=99", http.StatusOK); !strings.Contains(past, id) {
			t.Errorf("a page past the end does not show the last page")
		}
		page = ed.get("/console/entries?status=returned", http.StatusOK)
		if !strings.Contains(page, "栏目不符") || strings.Contains(page, "<img src=x") {
			t.Fatalf("returned list:\n%s", page)
		}
		// The editor fixes it on the revision it read; an older revision is a conflict.
		d, _ = st.Entry(context.Background(), id)
		form.Set("column", "tzgg")
		form.Set("revision", "1")
		form.Del("then")
		ed.postEntry("/console/entries/"+id, form, "", nil, http.StatusConflict)
		form.Set("revision", strconv.Itoa(d.Revision))
		form.Set("keep", d.Attachments[0].SHA256+":"+d.Attachments[0].Name)
		form.Set("then", "submit")
		ed.postEntry("/console/entries/"+id, form, "", nil, http.StatusOK)
		d, _ = st.Entry(context.Background(), id)
		if d.Status != catalog.StatusPending || d.Column != "tzgg" || len(d.Attachments) != 1 {
			t.Fatalf("after fix: %s %s %d", d.Status, d.Column, len(d.Attachments))
		}
		// 通知公告 is delegated: the unit's approval publishes it.
		ap.post("/console/entries/"+id+"/approve", url.Values{}, http.StatusOK)
		if d, _ = st.Entry(context.Background(), id); d.Status != catalog.StatusPublished {
			t.Fatalf("after approval in a delegated column: %s", d.Status)
		}
		revs, _ := st.EntryRevisions(context.Background(), id)
		if page := ed.get("/console/entries/"+id, http.StatusOK); len(revs) < 6 || !strings.Contains(page, "修订记录") || !strings.Contains(page, "rv") {
			t.Errorf("revisions %d; page:\n%s", len(revs), page)
		}
		rv.post("/console/entries/"+id+"/withdraw", url.Values{"reason": {"内容已过时"}}, http.StatusOK)
		if d, _ = st.Entry(context.Background(), id); d.Status != catalog.StatusWithdrawn || d.WithdrawReason != "内容已过时" {
			t.Fatalf("withdrawn: %s %q", d.Status, d.WithdrawReason)
		}
	})
}

func TestConsoleLoginRules(t *testing.T) {
	st := storetest.SQLite(t)
	f := newFixture(t, st)
	pw, _, err := f.acc.AddUser(context.Background(), "newbie", "editor", "fgw", "")
	if err != nil {
		t.Fatal(err)
	}
	// The first login asks for a new password before anything else.
	u := f.browser(t, "newbie", pw)
	if page := u.get("/console/entries", http.StatusOK); !strings.Contains(page, "须先设置新密码") {
		t.Fatalf("first login did not ask for a new password:\n%s", page)
	}
	u.post("/console/password", url.Values{"old": {pw}, "new": {"short"}, "again": {"short"}}, http.StatusBadRequest)
	u.post("/console/password", url.Values{"old": {pw}, "new": {testPassword}, "again": {testPassword}}, http.StatusOK)
	if page := u.get("/console/entries", http.StatusOK); !strings.Contains(page, "本单位信息") {
		t.Fatalf("after the change:\n%s", page)
	}
	// A form without its token is refused, and so is a cross-site post.
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/console/entries", strings.NewReader("title=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u.do(req, http.StatusForbidden)
	req, _ = http.NewRequest(http.MethodPost, f.ts.URL+"/console/logout", strings.NewReader("csrf="+u.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	u.do(req, http.StatusForbidden)
	// Logout ends the session on the server: the old cookie no longer works.
	cookies := u.c.Jar.Cookies(mustURL(f.ts.URL + "/console/entries"))
	if len(cookies) == 0 {
		t.Fatal("no session cookie for the console")
	}
	u.post("/console/logout", url.Values{}, http.StatusOK)
	replay := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ = http.NewRequest(http.MethodGet, f.ts.URL+"/console/entries", nil)
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	res, err := replay.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/login") {
		t.Errorf("old session after logout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Five wrong passwords lock the account.
	for range 5 {
		f.browser(t, "newbie", "wrong-Password-1!")
	}
	if page := f.browser(t, "newbie", testPassword).get("/console/login", http.StatusOK); !strings.Contains(page, "登录后台") {
		t.Errorf("a locked account logged in")
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestConsoleAPIWithToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ctx := context.Background()
		edTok, _, err := auth.IssueToken(ctx, st, "editor", "fgw", "")
		if err != nil {
			t.Fatal(err)
		}
		otherTok, _, _ := auth.IssueToken(ctx, st, "editor", "jtj", "")
		rvTok, _, _ := auth.IssueToken(ctx, st, "reviewer", "", "")
		call := func(tok, method, path, body string, want int) map[string]any {
			t.Helper()
			req, _ := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != want {
				t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
			}
			var v map[string]any
			_ = json.Unmarshal(b, &v)
			return v
		}
		e := call(edTok, "POST", "/api/v1/console/entries", `{"column":"ggfw","title":"公交线路调整公告","body_html":"<p>自3月1日起调整。</p>"}`, http.StatusCreated)
		id, _ := e["id"].(string)
		if id == "" || e["status"] != "draft" || e["index_no"] == "" {
			t.Fatalf("created: %v", e)
		}
		call("", "POST", "/api/v1/console/entries/"+id+"/submit", "", http.StatusUnauthorized)
		call("gk_bad", "POST", "/api/v1/console/entries/"+id+"/submit", "", http.StatusUnauthorized)
		call(otherTok, "GET", "/api/v1/console/entries/"+id, "", http.StatusNotFound)
		call(otherTok, "PUT", "/api/v1/console/entries/"+id, `{"title":"x","column":"ggfw","body_html":"<p>x</p>"}`, http.StatusNotFound)
		call(edTok, "PUT", "/api/v1/console/entries/"+id, `{"title":"公交线路调整公告（更新）","column":"ggfw","body_html":"<p>x</p>","revision":1}`, http.StatusOK)
		call(edTok, "PUT", "/api/v1/console/entries/"+id, `{"title":"另一版","column":"ggfw","body_html":"<p>y</p>","revision":1}`, http.StatusConflict)
		call(edTok, "POST", "/api/v1/console/entries", `{"column":"ggfw","title":"x"`, http.StatusBadRequest)
		call(edTok, "POST", "/api/v1/console/entries", `{"column":"nope","title":"x","body_html":"<p>x</p>"}`, http.StatusBadRequest)
		call(edTok, "POST", "/api/v1/console/entries/"+id+"/approve", "", http.StatusForbidden)
		call(rvTok, "POST", "/api/v1/console/entries/"+id+"/approve", "", http.StatusConflict)
		call(edTok, "POST", "/api/v1/console/entries/"+id+"/submit", "", http.StatusOK)
		call(edTok, "POST", "/api/v1/console/entries/"+id+"/submit", "", http.StatusConflict)
		list := call(edTok, "GET", "/api/v1/console/entries?status=pending", "", http.StatusOK)
		if list["total"] != float64(1) {
			t.Errorf("list: %v", list)
		}
		call(otherTok, "GET", "/api/v1/console/entries?unit=fgw", "", http.StatusForbidden)
		call(rvTok, "POST", "/api/v1/console/entries/"+id+"/return", `{"reason":""}`, http.StatusConflict)
	})
}
