package portal

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/workflow"
)

// The authorisation matrix: every back-office route of the router, for
// every kind of caller, against the status it must answer. The routes come
// from the router itself, so a new route without a row here fails the test.
//
// Callers: anonymous; editor and approver of unit fgw (own) and of jtj
// (foreign); the office's reviewer and administrator; the auditor; API
// tokens of an fgw editor and of a reviewer. Objects belong to fgw.

type callerKind string

const (
	anon  callerKind = "anonymous"
	ed    callerKind = "editor/own"
	edX   callerKind = "editor/foreign"
	ap    callerKind = "approver/own"
	apX   callerKind = "approver/foreign"
	rv    callerKind = "reviewer"
	adm   callerKind = "admin"
	aud   callerKind = "auditor"
	tokEd callerKind = "token editor/own"
	tokRv callerKind = "token reviewer"
)

var sessionKinds = []callerKind{ed, edX, ap, apX, rv, adm, aud}
var allKinds = append([]callerKind{anon}, append(sessionKinds, tokEd, tokRv)...)

// want lists the callers a route serves and how; every other logged-in
// caller must be refused with 403, and the anonymous one asked to log in.
type want struct {
	ok     []callerKind // answered with the route's success status
	status int          // that status
	hidden []callerKind // answered 404: the object is not theirs to know of
	other  map[callerKind]int
}

var (
	unitRoles = []callerKind{ed, edX, ap, apX}
	ownUnit   = []callerKind{ed, ap}
	foreign   = []callerKind{edX, apX, aud}
	office    = []callerKind{rv, adm}
)

func kinds(groups ...[]callerKind) []callerKind {
	var out []callerKind
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// matrix holds the expected answers by route name.
var matrix = map[string]want{
	"console.static":         {ok: allKinds, status: 200},
	"console.login":          {ok: []callerKind{anon, tokEd, tokRv}, status: 200, other: everySession(303)},
	"console.login.post":     {ok: allKinds, status: 403}, // no login form token: refused whoever asks
	"console.logout":         {ok: sessionKinds, status: 303},
	"console.password":       {ok: sessionKinds, status: 200},
	"console.password.post":  {ok: sessionKinds, status: 400}, // the current password given is wrong
	"console.home":           {ok: sessionKinds, status: 303},
	"console.entries":        {ok: unitRoles, status: 200, other: map[callerKind]int{rv: 303, adm: 303}},
	"console.entries.new":    {ok: unitRoles, status: 200},
	"console.entries.create": {ok: unitRoles, status: 303},
	"console.entry":          {ok: kinds(ownUnit, office), status: 200, hidden: foreign},
	"console.entry.edit":     {ok: ownUnit, status: 200, hidden: foreign},
	"console.entry.save":     {ok: ownUnit, status: 303, hidden: foreign},
	"console.entry.preview":  {ok: kinds(ownUnit, office), status: 200, hidden: foreign},
	"console.entry.file":     {ok: kinds(ownUnit, office), status: 200, hidden: foreign},
	"console.entry.submit":   {ok: ownUnit, status: 303, hidden: foreign},
	"console.entry.approve":  {ok: []callerKind{ap, rv, adm}, status: 303, hidden: foreign},
	"console.entry.return":   {ok: []callerKind{ap, rv, adm}, status: 303, hidden: foreign},
	"console.entry.withdraw": {ok: []callerKind{ap, rv, adm}, status: 303, hidden: foreign},
	"console.entry.pin":      {ok: office, status: 303, hidden: foreign},
	"console.entry.unpin":    {ok: office, status: 303, hidden: foreign},
	"console.entry.mask":     {ok: kinds(ownUnit, office), status: 303, hidden: foreign},
	"console.approvals":      {ok: []callerKind{ap, apX}, status: 200},
	"console.review":         {ok: office, status: 200},
	"console.published":      {ok: office, status: 200},
	"console.checks":         {ok: office, status: 200},
	"console.checks.retrain": {ok: office, status: 303},

	"console.filings":              {ok: kinds(unitRoles, office), status: 200},
	"console.filings.create":       {ok: unitRoles, status: 303},
	"console.filings.decide":       {ok: office, status: 303},
	"console.units.filing_setting": {ok: office, status: 303},
	"console.delegation":           {ok: office, status: 200},
	"console.delegation.save":      {ok: office, status: 303},
	"console.audit":                {ok: []callerKind{aud, adm}, status: 200},
	"console.audit.csv":            {ok: []callerKind{aud, adm}, status: 200},
	"console.audit.xlsx":           {ok: []callerKind{aud, adm}, status: 200},
	"console.users":                {ok: []callerKind{adm}, status: 200},
	"console.users.create":         {ok: []callerKind{adm}, status: 200},
	"console.users.unlock":         {ok: []callerKind{adm}, status: 303},

	"api.entries.create":  {ok: kinds(unitRoles, []callerKind{tokEd}), status: 201},
	"api.entries.list":    {ok: kinds(unitRoles, office, []callerKind{tokEd, tokRv}), status: 200},
	"api.entry":           {ok: kinds(ownUnit, office, []callerKind{tokEd, tokRv}), status: 200, hidden: foreign},
	"api.entry.update":    {ok: kinds(ownUnit, []callerKind{tokEd}), status: 200, hidden: foreign},
	"api.entry.submit":    {ok: kinds(ownUnit, []callerKind{tokEd}), status: 200, hidden: foreign},
	"api.entry.approve":   {ok: []callerKind{ap, rv, adm, tokRv}, status: 200, hidden: foreign},
	"api.entry.return":    {ok: []callerKind{ap, rv, adm, tokRv}, status: 200, hidden: foreign},
	"api.entry.withdraw":  {ok: []callerKind{ap, rv, adm, tokRv}, status: 200, hidden: foreign},
	"api.entry.pin":       {ok: []callerKind{rv, adm, tokRv}, status: 200, hidden: foreign},
	"api.entry.unpin":     {ok: []callerKind{rv, adm, tokRv}, status: 200, hidden: foreign},
	"api.entry.revisions": {ok: kinds(ownUnit, office, []callerKind{tokEd, tokRv}), status: 200, hidden: foreign},
	"api.files.upload":    {ok: kinds(unitRoles, []callerKind{tokEd}), status: 201},
	"api.entry.findings":  {ok: kinds(ownUnit, office, []callerKind{tokEd, tokRv}), status: 200, hidden: foreign},
	"api.entry.mask":      {ok: kinds(ownUnit, office, []callerKind{tokEd, tokRv}), status: 200, hidden: foreign},
	"api.check":           {ok: kinds(unitRoles, office, []callerKind{tokEd, tokRv}), status: 200},
}

func everySession(status int) map[callerKind]int {
	m := map[callerKind]int{}
	for _, k := range sessionKinds {
		m[k] = status
	}
	return m
}

// expected is the status a caller must get from a route.
func (w want) expected(route string, k callerKind) int {
	if s, ok := w.other[k]; ok {
		return s
	}
	for _, o := range w.ok {
		if o == k {
			return w.status
		}
	}
	for _, h := range w.hidden {
		if h == k {
			return http.StatusNotFound
		}
	}
	isAPI := strings.HasPrefix(route, "api.")
	switch {
	case k == anon && isAPI:
		return http.StatusUnauthorized
	case k == anon:
		return 0 // a GET is sent to the login page, a POST refused: checked apart
	case !isAPI && (k == tokEd || k == tokRv):
		return 0 // a token is no login on the console's pages: as anonymous
	}
	return http.StatusForbidden
}

// caller is one logged-in (or token) caller.
type caller struct {
	kind   callerKind
	cookie *http.Cookie
	csrf   string
	token  string
}

type authzFixture struct {
	t         *testing.T
	st        *store.Store
	wf        *workflow.Service
	ts        *httptest.Server
	callers   map[callerKind]*caller
	acc       *auth.Accounts
	fs        *files.Store
	n         atomic.Int64
	srvRouter *mux.Router
}

const matrixPassword = "Matrix-Password-2026!"

func newAuthzFixture(t *testing.T, st *store.Store) *authzFixture {
	t.Helper()
	ctx := context.Background()
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Deps{Store: st, Files: fs})
	f := &authzFixture{t: t, st: st, wf: workflow.New(st, fs, nil), ts: httptest.NewServer(srv), callers: map[callerKind]*caller{},
		acc: auth.NewAccounts(st, nil), fs: fs}
	t.Cleanup(f.ts.Close)
	accounts := map[callerKind][2]string{ed: {"editor", "fgw"}, edX: {"editor", "jtj"}, ap: {"approver", "fgw"}, apX: {"approver", "jtj"},
		rv: {"reviewer", ""}, adm: {"admin", ""}, aud: {"auditor", ""}}
	for k, a := range accounts {
		f.callers[k] = f.login(strings.NewReplacer("/", "-", " ", "-").Replace(string(k)), a[0], a[1])
	}
	for k, a := range map[callerKind][2]string{tokEd: {"editor", "fgw"}, tokRv: {"reviewer", ""}} {
		secret, _, err := auth.IssueToken(ctx, st, a[0], a[1], "")
		if err != nil {
			t.Fatal(err)
		}
		f.callers[k] = &caller{kind: k, token: secret}
	}
	f.callers[anon] = &caller{kind: anon}
	f.srvRouter = srv.router
	return f
}

// login makes an account and a session for it, as the login form does.
func (f *authzFixture) login(login, role, unit string) *caller {
	f.t.Helper()
	ctx := context.Background()
	_, u, err := f.acc.AddUser(ctx, login, role, unit, "")
	if err != nil {
		f.t.Fatal(err)
	}
	h, _ := auth.HashPassword(matrixPassword)
	if err := f.st.SetPassword(ctx, u.ID, h, false, time.Now()); err != nil {
		f.t.Fatal(err)
	}
	secret, _, sess, err := f.acc.Login(ctx, login, matrixPassword, audit.Actor{}, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return &caller{cookie: &http.Cookie{Name: "gk_session", Value: secret}, csrf: sess.CSRFToken}
}

// principal of the workflow's own steps, to put objects in a state.
var (
	sysEditor   = workflow.Caller{P: auth.Principal{Login: "setup-ed", Role: auth.RoleEditor, Unit: "fgw"}}
	sysApprover = workflow.Caller{P: auth.Principal{Login: "setup-ap", Role: auth.RoleApprover, Unit: "fgw"}}
	sysReviewer = workflow.Caller{P: auth.Principal{Login: "setup-rv", Role: auth.RoleReviewer}}
)

// entryIn makes a fresh entry of fgw in the state a route acts on: the
// state in which k may take the route's action (so that an allowed caller
// succeeds and a refused one is refused for who it is, not for the state).
func (f *authzFixture) entryIn(route string, k callerKind) string {
	f.t.Helper()
	ctx := context.Background()
	column := "ggfw"
	if strings.HasSuffix(route, ".pin") || strings.HasSuffix(route, ".unpin") {
		column = catalog.EmergencyColumn
	}
	att, err := f.wf.Upload(ctx, sysEditor, "fgw", "附件.pdf", strings.NewReader("%PDF-1.7\n%%EOF\n"))
	if err != nil {
		f.t.Fatal(err)
	}
	in := catalog.EntryInput{Column: column, Title: fmt.Sprintf("矩阵测试信息%d", f.n.Add(1)), BodyHTML: "<p>正文</p>",
		Attachments: []catalog.AttachmentRef{{Name: att.Name, SHA256: att.SHA256}}}
	res, err := f.wf.Create(ctx, sysEditor, in)
	if err != nil {
		f.t.Fatal(err)
	}
	id := res.Entry.ID
	step := func(fn func() (workflow.Result, error)) {
		if _, err := fn(); err != nil {
			f.t.Fatalf("setting up %s: %v", route, err)
		}
	}
	isOffice := k == rv || k == adm || k == tokRv
	action := route[strings.LastIndex(route, ".")+1:]
	switch action {
	case "approve", "return":
		step(func() (workflow.Result, error) { return f.wf.Submit(ctx, sysEditor, id, 0) })
		if isOffice {
			step(func() (workflow.Result, error) { return f.wf.Approve(ctx, sysApprover, id, 0) })
		}
	case "mask":
		if isOffice {
			step(func() (workflow.Result, error) { return f.wf.Submit(ctx, sysEditor, id, 0) })
			step(func() (workflow.Result, error) { return f.wf.Approve(ctx, sysApprover, id, 0) })
		}
	case "withdraw", "pin", "unpin":
		step(func() (workflow.Result, error) { return f.wf.Submit(ctx, sysEditor, id, 0) })
		step(func() (workflow.Result, error) { return f.wf.Approve(ctx, sysApprover, id, 0) })
		step(func() (workflow.Result, error) { return f.wf.Approve(ctx, sysReviewer, id, 0) })
		if action == "unpin" {
			step(func() (workflow.Result, error) { return f.wf.SetPinned(ctx, sysReviewer, id, true) })
		}
	}
	return id
}

var routeVar = regexp.MustCompile(`\{(\w+)(:[^}]*)?\}`)

// requestFills let a part's own matrix file (authz_*_test.go) put in place
// what one of its routes needs, by route name: objects in the right state,
// route variables and form fields.
var requestFills = map[string]func(f *authzFixture, c *caller, vars map[string]string, form url.Values){}

// routeObjects let a part of the console make the object its routes act
// on, by a segment of the route's path ("/notices/"): the id of a fresh
// object in the state in which caller k may take the route's action.
var routeObjects = map[string]func(f *authzFixture, route string, k callerKind) string{}

// routeBodies give a route's request body and its content type, for
// routes whose body the form below does not make.
var routeBodies = map[string]func(f *authzFixture, c *caller) (io.Reader, string){}

func (f *authzFixture) madeObject(route, tmpl string, k callerKind) (string, bool) {
	for seg, mk := range routeObjects {
		if strings.Contains(tmpl, seg) {
			return mk(f, route, k), true
		}
	}
	return "", false
}

// request builds the request a caller sends to a route, with a body that
// succeeds when the caller is allowed.
func (f *authzFixture) request(name, method, tmpl string, c *caller) *http.Request {
	f.t.Helper()
	ctx := context.Background()
	vars := map[string]string{"name": "console.css", "n": "1", "code": "fgw"}
	if strings.Contains(tmpl, "{id") {
		if id, ok := f.madeObject(name, tmpl, c.kind); ok {
			vars["id"] = id
		} else if strings.Contains(tmpl, "/filings/") {
			ch := catalog.ColumnChange{Unit: "fgw", Action: catalog.FilingAdd, Reason: "矩阵测试",
				Column: catalog.Column{Code: fmt.Sprintf("mx%d", f.n.Add(1)), Name: "矩阵栏目", Parent: catalog.GroupColumn}}
			fl, err := f.wf.FileColumnChange(ctx, sysEditor, ch)
			if err != nil {
				f.t.Fatal(err)
			}
			vars["id"] = fmt.Sprint(fl.ID)
		} else {
			vars["id"] = f.entryIn(name, c.kind)
		}
	}
	if strings.Contains(tmpl, "{login}") {
		login := fmt.Sprintf("locked%d", f.n.Add(1))
		_, u, err := f.acc.AddUser(ctx, login, "editor", "fgw", "")
		if err != nil {
			f.t.Fatal(err)
		}
		if _, _, err := f.st.RecordLoginFailure(ctx, u.ID, time.Now(), 1); err != nil {
			f.t.Fatal(err)
		}
		vars["login"] = login
	}
	form := url.Values{}
	if fill := requestFills[name]; fill != nil {
		fill(f, c, vars, form)
	}
	path := routeVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		return url.PathEscape(vars[routeVar.FindStringSubmatch(m)[1]])
	})
	var body io.Reader
	contentType := ""
	switch name {
	case "console.password.post":
		form = url.Values{"old": {"not-the-password"}, "new": {"Another-Password-1!"}, "again": {"Another-Password-1!"}}
	case "console.entries.create", "console.entry.save":
		form = url.Values{"column": {"ggfw"}, "title": {"矩阵测试保存"}, "body_html": {"<p>正文</p>"}}
	case "console.entry.return", "console.entry.withdraw":
		form.Set("reason", "矩阵测试理由")
	case "console.filings.create":
		form = url.Values{"action": {"add"}, "code": {fmt.Sprintf("mf%d", f.n.Add(1))}, "name": {"矩阵栏目"}, "parent": {catalog.GroupColumn}, "reason": {"矩阵测试"}}
	case "console.filings.decide":
		form.Set("approve", "1")
	case "console.units.filing_setting":
		form.Set("need", "0")
	case "console.delegation.save":
		form = url.Values{"unit": {"fgw"}, "shown": {"ggfw:0"}, "delegated": {"ggfw"}}
	case "console.users.create":
		form = url.Values{"login": {fmt.Sprintf("made%d", f.n.Add(1))}, "role": {"reviewer"}}
	case "api.entries.create":
		body, contentType = strings.NewReader(`{"column":"ggfw","title":"矩阵接口","body_html":"<p>x</p>"}`), "application/json"
	case "api.entry.update":
		body, contentType = strings.NewReader(`{"column":"ggfw","title":"矩阵接口修改","body_html":"<p>y</p>"}`), "application/json"
	case "api.entry.return", "api.entry.withdraw":
		body, contentType = strings.NewReader(`{"reason":"矩阵测试理由"}`), "application/json"
	case "api.check":
		body, contentType = strings.NewReader(`{"title":"关于截止2026年底的通知","body_html":"<p>联系人手机 13805391234</p>","column":"tzgg"}`), "application/json"
	case "api.files.upload":
		var buf strings.Builder
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "附件.pdf")
		_, _ = io.WriteString(fw, "%PDF-1.7\n%%EOF\n")
		mw.Close()
		body, contentType = strings.NewReader(buf.String()), mw.FormDataContentType()
	}
	if mk, ok := routeBodies[name]; ok {
		body, contentType = mk(f, c)
	}
	if body == nil && method != http.MethodGet {
		if c.csrf != "" && !strings.HasPrefix(name, "api.") {
			form.Set("csrf", c.csrf)
		}
		body, contentType = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, f.ts.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
		if strings.HasPrefix(name, "api.") && method != http.MethodGet {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req
}

func TestAuthorisationMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newAuthzFixture(t, st)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		type route struct{ name, method, path string }
		var routes []route
		err := f.srvRouter.Walk(func(r *mux.Route, _ *mux.Router, _ []*mux.Route) error {
			tmpl, _ := r.GetPathTemplate()
			if !strings.HasPrefix(tmpl, "/console/") && !strings.HasPrefix(tmpl, "/api/v1/console/") {
				return nil
			}
			methods, _ := r.GetMethods()
			if strings.HasPrefix(tmpl, "/api/v1/console/datasets/") {
				return nil // the dataset publishing API has its own matrix in console_datasets_test.go
			}
			for _, m := range methods {
				routes = append(routes, route{r.GetName(), m, tmpl})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(routes) < 40 {
			t.Fatalf("only %d console routes found", len(routes))
		}
		seen := map[string]bool{}
		for _, rt := range routes {
			seen[rt.name] = true
			w, ok := matrix[rt.name]
			if !ok {
				t.Errorf("route %s %s (%q) has no row in the authorisation matrix", rt.method, rt.path, rt.name)
				continue
			}
			for _, k := range allKinds {
				c := f.callers[k]
				if rt.name == "console.logout" && c.cookie != nil {
					c = f.login(fmt.Sprintf("out%d", f.n.Add(1)), map[callerKind]string{ed: "editor", edX: "editor", ap: "approver", apX: "approver", rv: "reviewer", adm: "admin", aud: "auditor"}[k],
						map[callerKind]string{ed: "fgw", ap: "fgw", edX: "jtj", apX: "jtj"}[k])
					c.kind = k
				}
				c.kind = k
				headBefore, _, _ := st.AuditHead(context.Background())
				res, err := client.Do(f.request(rt.name, rt.method, rt.path, c))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				want := w.expected(rt.name, k)
				got := res.StatusCode
				switch {
				case want == 0 && rt.method == http.MethodGet:
					if got != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/login") {
						t.Errorf("%s %s as %s: %d %s, want a redirect to the login page", rt.method, rt.path, k, got, res.Header.Get("Location"))
					}
				case want == 0:
					if got != http.StatusUnauthorized {
						t.Errorf("%s %s as %s: %d, want 401", rt.method, rt.path, k, got)
					}
				case got != want:
					t.Errorf("%s %s as %s: %d, want %d\n%.300s", rt.method, rt.path, k, got, want, b)
				}
				// Every refusal of a known caller is in the audit log.
				if (got == http.StatusForbidden || got == http.StatusNotFound) && k != anon && rt.name != "console.login.post" &&
					!(!strings.HasPrefix(rt.name, "api.") && (k == tokEd || k == tokRv)) {
					recs, _, err := st.AuditRecords(context.Background(), store.AuditQuery{Outcome: audit.OutcomeRefused, Size: 1})
					if err != nil || len(recs) == 0 || recs[0].Seq <= headBefore {
						t.Errorf("%s %s as %s: refused with %d but not audited", rt.method, rt.path, k, got)
					}
				}
			}
		}
		t.Logf("%d routes × %d callers checked", len(routes), len(allKinds))
		for name := range matrix {
			if !seen[name] {
				t.Errorf("matrix row %q names no route", name)
			}
		}
	})
}
