package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"io"
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
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/workflow"
	"gongkai/portal/console"
)

// officePassword meets the password policy.
const officePassword = "Gongkai-office-2026!"

const officeXSS = `<script>alert(1)</script>`

// officeSite is a console over a fresh store with units fgw and jtj and
// one logged-in account per role.
type officeSite struct {
	st       *store.Store
	acc      *auth.Accounts
	h        http.Handler
	sessions map[string]officeSession // by login
}

type officeSession struct {
	secret, csrf string
}

// The accounts every officeSite has.
var officeAccounts = []struct{ login, role, unit string }{
	{"ed.fgw", "editor", "fgw"},
	{"ed.jtj", "editor", "jtj"},
	{"rev", "reviewer", ""},
	{"aud", "auditor", ""},
	{"adm", "admin", ""},
}

func newOfficeSite(t *testing.T, st *store.Store) *officeSite {
	t.Helper()
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	acc := auth.NewAccounts(st, nil)
	c := console.New(console.Deps{Store: st, Files: fs, Workflow: workflow.New(st, fs, nil), Accounts: acc,
		Tokens: auth.NewVerifier(st, nil)})
	r := mount(c)
	s := &officeSite{st: st, acc: acc, h: r, sessions: map[string]officeSession{}}
	for _, a := range officeAccounts {
		s.login(t, a.login, a.role, a.unit)
	}
	return s
}

// login makes an account with a known password and starts a session.
func (s *officeSite) login(t *testing.T, login, role, unit string) {
	t.Helper()
	ctx := context.Background()
	_, u, err := s.acc.AddUser(ctx, login, role, unit, "测试"+login)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(officePassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetPassword(ctx, u.ID, hash, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	secret, _, sess, err := s.acc.Login(ctx, login, officePassword, audit.Actor{IP: "10.1.2.3", UserAgent: "office-test"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.sessions[login] = officeSession{secret: secret, csrf: sess.CSRFToken}
}

// do sends a request as login ("" for nobody) and checks the status.
func (s *officeSite) do(t *testing.T, login, method, target string, form url.Values, want int) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if form != nil {
		if form.Get("csrf") == "" {
			form.Set("csrf", s.sessions[login].csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if sess, ok := s.sessions[login]; ok {
		req.AddCookie(&http.Cookie{Name: "gk_session", Value: sess.secret})
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if want != 0 && rec.Code != want {
		t.Fatalf("%s %s as %q: status %d, want %d\n%s", method, target, login, rec.Code, want, rec.Body.String())
	}
	return rec
}

func (s *officeSite) get(t *testing.T, login, target string, want int) string {
	t.Helper()
	return s.do(t, login, http.MethodGet, target, nil, want).Body.String()
}

func (s *officeSite) post(t *testing.T, login, target string, form url.Values, want int) *httptest.ResponseRecorder {
	t.Helper()
	return s.do(t, login, http.MethodPost, target, form, want)
}

func TestOfficePagesByRole(t *testing.T) {
	s := newOfficeSite(t, storetest.SQLite(t))
	ctx := context.Background()
	// A filing with a hostile reason, and audit records with hostile text.
	s.post(t, "ed.fgw", "/console/filings", url.Values{"action": {"add"}, "code": {"nyjs"}, "name": {"农业技术推广"},
		"parent": {"gkml"}, "reason": {"发改委新增职能 " + officeXSS}}, http.StatusSeeOther)
	if _, err := s.st.AppendAudit(ctx, audit.Record{At: time.Now(), Actor: audit.Actor{Login: "ed.jtj", Role: "editor", Unit: "jtj"},
		Action: "entry.save", ObjectKind: "entry", ObjectID: "jtj-1", ObjectUnit: "jtj", Outcome: audit.OutcomeOK,
		Summary: "标题改为 " + officeXSS}); err != nil {
		t.Fatal(err)
	}
	escaped := "&lt;script&gt;alert(1)&lt;/script&gt;"

	type check struct {
		login  string
		status int
		has    []string
		hasNot []string
	}
	for _, tc := range []struct {
		path   string
		checks []check
	}{
		{"/console/filings", []check{
			{"ed.fgw", 200, []string{"增设栏目", "撤销栏目", "农业技术推广", "待阅", escaped, `name="csrf"`, "报备后即生效"}, []string{officeXSS, "确认已阅"}},
			{"ed.jtj", 200, []string{"增设栏目", "本单位尚无报备"}, []string{"农业技术推广", "测试单位fgw"}},
			{"rev", 200, []string{"确认已阅", "测试单位fgw", "该单位的目录调整须经审批", escaped}, []string{officeXSS, "报备增设"}},
			{"aud", 403, []string{"只有市政府办公室可以处理目录报备"}, nil},
			{"adm", 200, []string{"确认已阅"}, nil},
		}},
		{"/console/filings?state=pending", []check{
			{"rev", 200, []string{"没有符合条件的报备"}, []string{"农业技术推广"}},
		}},
		{"/console/filings?unit=jtj", []check{
			{"rev", 200, []string{"没有符合条件的报备", "测试单位jtj"}, []string{"农业技术推广"}},
		}},
		{"/console/delegation", []check{
			{"ed.fgw", 403, []string{"只有市政府办公室可以设置维护权限下放"}, nil},
			{"ed.jtj", 403, nil, nil},
			{"rev", 200, []string{"请选择单位", "测试单位jtj"}, []string{"模板默认"}},
			{"aud", 403, nil, nil},
			{"adm", 200, []string{"请选择单位"}, nil},
		}},
		{"/console/delegation?unit=fgw", []check{
			{"rev", 200, []string{"本单位审核后直接发布（无需市政府办公室审核）", "通知公告", "模板默认", `value="tzgg" checked`}, []string{"信息公开目录"}},
			{"ed.fgw", 403, nil, []string{"本单位审核后直接发布"}},
		}},
		{"/console/delegation?unit=nosuch", []check{{"rev", 404, nil, nil}}},
		{"/console/audit", []check{
			{"ed.fgw", 403, []string{"只有审计员和系统管理员可以查看审计日志"}, nil},
			{"ed.jtj", 403, nil, nil},
			{"rev", 403, nil, nil},
			{"aud", 200, []string{"<h1>审计日志</h1>", "登录", "目录报备", "export.csv", "export.xlsx", escaped, `scope="col">摘要`}, []string{officeXSS}},
			{"adm", 200, []string{"ed.fgw"}, nil},
		}},
		{"/console/audit?action=filing.&unit=fgw", []check{
			{"aud", 200, []string{"目录报备", "export.csv?action=filing.&amp;unit=fgw"}, []string{"标题改为"}},
		}},
		{"/console/audit?from=2018-13-01", []check{{"aud", 400, []string{"日期格式应为"}, nil}}},
		{"/console/audit/export.csv", []check{
			{"ed.fgw", 403, nil, nil},
			{"rev", 403, nil, nil},
			{"aud", 200, []string{"\ufeff序号", "filing.create"}, nil},
		}},
		{"/console/users", []check{
			{"ed.fgw", 403, []string{"只有系统管理员可以管理账号"}, []string{"ed.jtj"}},
			{"ed.jtj", 403, nil, nil},
			{"rev", 403, nil, nil},
			{"aud", 403, nil, nil},
			{"adm", 200, []string{"新建账号", "ed.jtj", "信息员", "审计员", "测试单位fgw", `scope="row">aud`}, []string{"解锁"}},
		}},
	} {
		for _, ck := range tc.checks {
			t.Run(tc.path+" as "+ck.login, func(t *testing.T) {
				body := s.get(t, ck.login, tc.path, ck.status)
				for _, want := range ck.has {
					if !strings.Contains(body, want) {
						t.Errorf("missing %q in\n%s", want, body)
					}
				}
				for _, bad := range ck.hasNot {
					if strings.Contains(body, bad) {
						t.Errorf("unexpected %q in\n%s", bad, body)
					}
				}
			})
		}
	}

	t.Run("refusals are audited", func(t *testing.T) {
		recs, _, err := s.st.AuditRecords(ctx, store.AuditQuery{Login: "aud", Action: "console.refused"})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 || recs[0].Outcome != audit.OutcomeRefused {
			t.Errorf("refused page not audited: %+v", recs)
		}
	})
	t.Run("no login redirects, no form token is refused", func(t *testing.T) {
		if rec := s.do(t, "", http.MethodGet, "/console/filings", nil, http.StatusSeeOther); !strings.HasPrefix(rec.Header().Get("Location"), "/console/login") {
			t.Errorf("redirect to %q", rec.Header().Get("Location"))
		}
		s.post(t, "rev", "/console/units/fgw/filing-setting", url.Values{"need": {"1"}, "csrf": {"wrong"}}, http.StatusForbidden)
		if need, _ := s.st.FilingsNeedApproval(ctx, "fgw"); need {
			t.Error("setting changed without a form token")
		}
	})
	t.Run("unit roles cannot decide", func(t *testing.T) {
		fs, _ := s.st.Filings(ctx, "fgw")
		s.post(t, "ed.fgw", "/console/filings/"+itoa(fs[0].ID)+"/decide", url.Values{"approve": {"1"}}, http.StatusForbidden)
		s.post(t, "ed.fgw", "/console/units/fgw/filing-setting", url.Values{"need": {"1"}}, http.StatusForbidden)
		s.post(t, "rev", "/console/filings", url.Values{"action": {"add"}, "code": {"x1"}, "name": {"某栏目"}, "reason": {"理由充分"}}, http.StatusForbidden)
		if f, _ := s.st.Filing(ctx, fs[0].ID); f.State != catalog.FilingFiled {
			t.Errorf("filing state %q", f.State)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestOfficeFilingRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newOfficeSite(t, st)
		ctx := context.Background()
		column := func(code string) catalog.TreeColumn {
			t.Helper()
			tree, err := st.Tree(ctx, "fgw")
			if err != nil {
				t.Fatal(err)
			}
			c, _ := tree.Find(code)
			return c
		}

		// The office asks approval of fgw's changes.
		s.post(t, "rev", "/console/units/fgw/filing-setting", url.Values{"need": {"1"}, "back_unit": {"fgw"}}, http.StatusSeeOther)
		if need, err := st.FilingsNeedApproval(ctx, "fgw"); err != nil || !need {
			t.Fatalf("need approval = %v, %v", need, err)
		}
		if body := s.get(t, "ed.fgw", "/console/filings", 200); !strings.Contains(body, "须经市政府办公室审批后生效") {
			t.Errorf("the unit is not told its changes need approval:\n%s", body)
		}

		// A filing without a reason is refused with the typed values kept.
		body := s.post(t, "ed.fgw", "/console/filings", url.Values{"action": {"add"}, "code": {"nyjs"}, "name": {"农业技术推广"}, "parent": {"gkml"}}, http.StatusBadRequest).Body.String()
		if !strings.Contains(body, "调整目录须说明理由") || !strings.Contains(body, `value="农业技术推广"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("form error not shown:\n%s", body)
		}

		// The unit files a new column: it waits for the office.
		rec := s.post(t, "ed.fgw", "/console/filings", url.Values{"action": {"add"}, "code": {"nyjs"}, "name": {"农业技术推广"},
			"parent": {"gkml"}, "description": {"农业技术推广项目和成果"}, "reason": {"承接市农业农村局划转的职能"}}, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/filings?done=filed" {
			t.Errorf("redirect to %q", loc)
		}
		if c := column("nyjs"); c.State != catalog.ColumnPending || c.Parent != "gkml" || !c.Leaf {
			t.Fatalf("column before approval: %+v", c)
		}
		fs, err := st.Filings(ctx, "fgw")
		if err != nil || len(fs) != 1 || fs[0].State != catalog.FilingPending {
			t.Fatalf("filings %+v, %v", fs, err)
		}
		id := itoa(fs[0].ID)
		body = s.get(t, "rev", "/console/filings?state=open", 200)
		for _, want := range []string{"农业技术推广", "承接市农业农村局划转的职能", `action="/console/filings/` + id + `/decide"`, ">同意<span class=\"visually-hidden\">：测试单位fgw增设栏目“农业技术推广”</span></button>", ">不同意<span"} {
			if !strings.Contains(body, want) {
				t.Errorf("office page lacks %q", want)
			}
		}

		// The office approves: the column is in force in the unit's tree.
		rec = s.post(t, "rev", "/console/filings/"+id+"/decide", url.Values{"approve": {"1"}, "note": {"同意增设"}, "back_state": {"open"}}, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/filings?done=decided&state=open" {
			t.Errorf("redirect to %q", loc)
		}
		if c := column("nyjs"); c.State != catalog.ColumnActive {
			t.Fatalf("column after approval: %+v", c)
		}
		if f, _ := st.Filing(ctx, fs[0].ID); f.State != catalog.FilingApproved || f.Decision != "同意增设" || f.DecidedBy != "rev" {
			t.Errorf("filing after approval: %+v", f)
		}
		body = s.get(t, "ed.fgw", "/console/filings?done=filed", 200)
		for _, want := range []string{"已同意", "同意增设", "目录调整已报备。", "农业技术推广"} {
			if !strings.Contains(body, want) {
				t.Errorf("unit page lacks %q", want)
			}
		}
		// Deciding twice is a conflict.
		s.post(t, "rev", "/console/filings/"+id+"/decide", url.Values{"approve": {"0"}}, http.StatusConflict)
		s.post(t, "rev", "/console/filings/999999/decide", url.Values{"approve": {"1"}}, http.StatusNotFound)

		// A removal the office rejects is restored.
		s.post(t, "ed.fgw", "/console/filings", url.Values{"action": {"remove"}, "code": {"ldfg"}, "reason": {"领导分工并入机构设置"}}, http.StatusSeeOther)
		if c := column("ldfg"); c.State != catalog.ColumnRemoved {
			t.Fatalf("removed column: %+v", c)
		}
		fs, _ = st.Filings(ctx, "fgw")
		s.post(t, "rev", "/console/filings/"+itoa(fs[0].ID)+"/decide", url.Values{"approve": {"0"}, "note": {"领导分工须单独公开"}}, http.StatusSeeOther)
		if c := column("ldfg"); c.State != catalog.ColumnActive {
			t.Fatalf("column after rejection: %+v", c)
		}

		// Without the approval rule a filing is in force at once and the
		// office acknowledges it.
		s.post(t, "rev", "/console/units/fgw/filing-setting", url.Values{}, http.StatusSeeOther)
		s.post(t, "ed.fgw", "/console/filings", url.Values{"action": {"add"}, "code": {"xczx"}, "name": {"乡村振兴"}, "parent": {"gkml"}, "reason": {"新增乡村振兴职能"}}, http.StatusSeeOther)
		if c := column("xczx"); c.State != catalog.ColumnActive {
			t.Fatalf("filed column: %+v", c)
		}
		fs, _ = st.Filings(ctx, "fgw")
		if fs[0].State != catalog.FilingFiled {
			t.Fatalf("filing %+v", fs[0])
		}
		body = s.get(t, "rev", "/console/filings?unit=fgw", 200)
		if !strings.Contains(body, ">确认已阅<span") {
			t.Errorf("no acknowledge button:\n%s", body)
		}
		s.post(t, "rev", "/console/filings/"+itoa(fs[0].ID)+"/decide", url.Values{"approve": {"1"}}, http.StatusSeeOther)
		if f, _ := st.Filing(ctx, fs[0].ID); f.State != catalog.FilingAcknowledged {
			t.Errorf("filing after acknowledging: %+v", f)
		}

		// Each step is in the audit log.
		for _, action := range []string{"filing.create", "filing.decide", "unit.filing_setting"} {
			recs, _, err := st.AuditRecords(ctx, store.AuditQuery{Action: action, Outcome: audit.OutcomeOK})
			if err != nil || len(recs) == 0 {
				t.Errorf("%s not audited: %v", action, err)
			}
		}
	})
}

func TestOfficeDelegationSave(t *testing.T) {
	s := newOfficeSite(t, storetest.SQLite(t))
	ctx := context.Background()
	delegated := func(unit string) map[string]bool {
		t.Helper()
		ds, err := s.st.Delegations(ctx, unit)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, d := range ds {
			m[d.Column] = d.Delegated
		}
		return m
	}
	before := delegated("fgw")
	if before["zcwj"] || !before["tzgg"] || !before["zcjd"] {
		t.Fatalf("template defaults: %v", before)
	}
	// zcwj delegated, tzgg taken back; zcjd unchanged on the page but
	// taken back by a colleague meanwhile: this save leaves it alone.
	if err := s.st.WithTx(ctx, func(tx *store.Tx) error { _, err := tx.SetDelegated(ctx, "fgw", "zcjd", false); return err }); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"unit": {"fgw"}, "shown": {"zcwj:0", "tzgg:1", "zcjd:1"}, "delegated": {"zcwj", "zcjd"}}
	rec := s.post(t, "rev", "/console/delegation", form, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/console/delegation?done=delegated&unit=fgw" {
		t.Errorf("redirect to %q", loc)
	}
	after := delegated("fgw")
	if !after["zcwj"] || after["tzgg"] || after["zcjd"] {
		t.Errorf("after save: %v", after)
	}
	if other := delegated("jtj"); other["zcwj"] || !other["tzgg"] {
		t.Errorf("another unit changed: %v", other)
	}
	recs, _, err := s.st.AuditRecords(ctx, store.AuditQuery{Login: "rev", Action: "delegation.set"})
	if err != nil || len(recs) != 2 {
		t.Errorf("delegation changes audited: %d, %v", len(recs), err)
	}
	body := s.get(t, "rev", "/console/delegation?unit=fgw&done=delegated", 200)
	for _, want := range []string{"维护权限设置已保存。", `value="zcwj" checked`, `value="zcwj:1"`, `value="tzgg:0"`, "已调整"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Unit staff cannot delegate to themselves.
	s.post(t, "ed.fgw", "/console/delegation", url.Values{"unit": {"fgw"}, "shown": {"ggfw:0"}, "delegated": {"ggfw"}}, http.StatusForbidden)
	if delegated("fgw")["ggfw"] {
		t.Error("editor delegated a column")
	}
	// An unknown column is not found.
	s.post(t, "rev", "/console/delegation", url.Values{"unit": {"fgw"}, "shown": {"nosuch:0"}, "delegated": {"nosuch"}}, http.StatusNotFound)
}

func TestOfficeAuditExport(t *testing.T) {
	s := newOfficeSite(t, storetest.SQLite(t))
	ctx := context.Background()
	for _, sum := range []string{`=HYPERLINK("http://evil.example","点此")`, "备注 " + officeXSS} {
		if _, err := s.st.AppendAudit(ctx, audit.Record{At: time.Now(), Actor: audit.Actor{Login: "ed.fgw", Role: "editor", Unit: "fgw", IP: "10.0.0.9"},
			Action: "entry.save", ObjectKind: "entry", ObjectID: "fgw-1", ObjectUnit: "fgw", Outcome: audit.OutcomeOK, Summary: sum}); err != nil {
			t.Fatal(err)
		}
	}

	rec := s.do(t, "aud", http.MethodGet, "/console/audit/export.csv?action=entry.", nil, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="audit-`) ||
		!strings.Contains(cd, "filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97-") || !strings.HasSuffix(cd, ".csv") {
		t.Errorf("content disposition %q", cd)
	}
	b := rec.Body.Bytes()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no BOM: %q", b[:min(len(b), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "序号" {
		t.Fatalf("rows (want header + 2 entry records): %q", rows)
	}
	summary := rows[1][len(audit.Columns)-2]
	if summary != `'=HYPERLINK("http://evil.example","点此")` {
		t.Errorf("formula not defused: %q", summary)
	}
	if rows[2][len(audit.Columns)-2] != "备注 "+officeXSS {
		t.Errorf("second summary %q", rows[2][len(audit.Columns)-2])
	}

	// The export is recorded; the filter selects.
	recs, _, _ := s.st.AuditRecords(ctx, store.AuditQuery{Action: "audit.export", Login: "aud"})
	if len(recs) != 1 || recs[0].ObjectID != "csv" {
		t.Errorf("export audit records: %+v", recs)
	}
	rec = s.do(t, "aud", http.MethodGet, "/console/audit/export.csv?login=nobody", nil, http.StatusOK)
	if rows, _ := csv.NewReader(bytes.NewReader(rec.Body.Bytes()[3:])).ReadAll(); len(rows) != 1 {
		t.Errorf("filtered export: %q", rows)
	}

	rec = s.do(t, "adm", http.MethodGet, "/console/audit/export.xlsx?unit=fgw", nil, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
		t.Errorf("xlsx: %q, %q", ct, rec.Body.Bytes()[:min(4, rec.Body.Len())])
	}
	s.do(t, "rev", http.MethodGet, "/console/audit/export.xlsx", nil, http.StatusForbidden)
	s.do(t, "aud", http.MethodGet, "/console/audit/export.csv?to=yesterday", nil, http.StatusBadRequest)

	// The browser shows the same text escaped, folded when long.
	body := s.get(t, "aud", "/console/audit?login=ed.fgw&action=entry.", 200)
	if strings.Contains(body, officeXSS) || !strings.Contains(body, "备注 &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("summary not escaped:\n%s", body)
	}
	if !strings.Contains(body, "信息·保存") || !strings.Contains(body, "10.0.0.9") || !strings.Contains(body, "共 2 条") && !strings.Contains(body, "（2 条）") {
		t.Errorf("rows not shown as expected:\n%s", body)
	}
	// Dates are read in Shanghai: today's records are within today.
	today := time.Now().In(catalog.Shanghai).Format(time.DateOnly)
	body = s.get(t, "aud", "/console/audit?action=entry.&from="+today+"&to="+today, 200)
	if !strings.Contains(body, "10.0.0.9") {
		t.Errorf("today's records missing:\n%s", body)
	}
	body = s.get(t, "aud", "/console/audit?action=entry.&to=2018-07-03", 200)
	if strings.Contains(body, "10.0.0.9") || !strings.Contains(body, "没有符合条件的审计记录") {
		t.Error("records of today shown before 2018")
	}
}

var oneTimePasswordRE = regexp.MustCompile(`<code class="one-time-password">([^<]+)</code>`)

func TestOfficeUsers(t *testing.T) {
	s := newOfficeSite(t, storetest.SQLite(t))
	ctx := context.Background()

	body := s.post(t, "adm", "/console/users", url.Values{"login": {"Zhang.Wei"}, "name": {"张伟"}, "role": {"editor"}, "unit": {"fgw"}}, http.StatusOK).Body.String()
	m := oneTimePasswordRE.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "账号 zhang.wei 已创建") || !strings.Contains(body, "只显示这一次") || !strings.Contains(body, "<dd>测试单位fgw</dd>") {
		t.Fatalf("no one-time password shown:\n%s", body)
	}
	password := html.UnescapeString(m[1])
	if _, _, sess, err := s.acc.Login(ctx, "zhang.wei", password, audit.Actor{}, time.Now()); err != nil || !sess.MustChange {
		t.Errorf("login with the one-time password: %v, must change %v", err, sess.MustChange)
	}
	if recs, _, _ := s.st.AuditRecords(ctx, store.AuditQuery{Action: "user.create", Login: "adm"}); len(recs) != 1 || recs[0].ObjectID != "zhang.wei" {
		t.Errorf("account creation audited: %+v", recs)
	}
	// The list shows the account but never the password again.
	body = s.get(t, "adm", "/console/users", 200)
	if !strings.Contains(body, "zhang.wei") || strings.Contains(body, html.EscapeString(password)) {
		t.Errorf("list after creation:\n%s", body)
	}

	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		has    string
	}{
		{"login taken", url.Values{"login": {"zhang.wei"}, "role": {"reviewer"}}, http.StatusConflict, "登录名已被使用"},
		{"unit role without unit", url.Values{"login": {"li.na"}, "role": {"editor"}}, http.StatusBadRequest, "需要指定单位"},
		{"office role with unit", url.Values{"login": {"li.na"}, "role": {"reviewer"}, "unit": {"fgw"}}, http.StatusBadRequest, "不能指定单位"},
		{"unknown unit", url.Values{"login": {"li.na"}, "role": {"editor"}, "unit": {"nosuch"}}, http.StatusBadRequest, "不存在"},
		{"bad login", url.Values{"login": {"李娜"}, "role": {"auditor"}}, http.StatusBadRequest, "登录名应为"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := s.post(t, "adm", "/console/users", tc.form, tc.status).Body.String()
			if !strings.Contains(body, tc.has) || oneTimePasswordRE.MatchString(body) {
				t.Errorf("answer lacks %q or shows a password:\n%s", tc.has, body)
			}
		})
	}
	s.post(t, "rev", "/console/users", url.Values{"login": {"sneaky"}, "role": {"admin"}}, http.StatusForbidden)
	if _, err := s.st.UserByLogin(ctx, "sneaky"); err == nil {
		t.Error("a reviewer made an account")
	}

	// Unlock.
	u, _ := s.st.UserByLogin(ctx, "ed.jtj")
	if _, _, err := s.st.RecordLoginFailure(ctx, u.ID, time.Now(), 1); err != nil {
		t.Fatal(err)
	}
	body = s.get(t, "adm", "/console/users", 200)
	if !strings.Contains(body, "已锁定") || !strings.Contains(body, `action="/console/users/ed.jtj/unlock"`) {
		t.Errorf("locked account not shown with its button:\n%s", body)
	}
	s.post(t, "rev", "/console/users/ed.jtj/unlock", url.Values{}, http.StatusForbidden)
	if u, _ := s.st.UserByLogin(ctx, "ed.jtj"); !u.Locked() {
		t.Error("a reviewer unlocked an account")
	}
	rec := s.post(t, "adm", "/console/users/ed.jtj/unlock", url.Values{}, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/console/users?done=unlocked" {
		t.Errorf("redirect to %q", loc)
	}
	if u, _ := s.st.UserByLogin(ctx, "ed.jtj"); u.Locked() {
		t.Error("still locked")
	}
	s.post(t, "adm", "/console/users/nobody/unlock", url.Values{}, http.StatusNotFound)
}
