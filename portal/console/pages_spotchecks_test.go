package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
	"gongkai/internal/workflow"
	"gongkai/portal/console"
)

// spotSite is a console over a fresh store whose supervision runs on a
// clock the test sets, with a reviewer and a unit editor logged in.
type spotSite struct {
	st       *store.Store
	svc      *supervise.Service
	h        http.Handler
	now      time.Time
	sessions map[string][2]string // login → session secret, form token
}

func newSpotSite(t *testing.T, st *store.Store, now string) *spotSite {
	t.Helper()
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &spotSite{st: st, sessions: map[string][2]string{}}
	s.setNow(t, now)
	s.svc = supervise.New(st, fs, nil)
	s.svc.Now = func() time.Time { return s.now }
	acc := auth.NewAccounts(st, nil)
	c := console.New(console.Deps{Store: st, Files: fs, Workflow: workflow.New(st, fs, nil), Accounts: acc,
		Tokens: auth.NewVerifier(st, nil), Supervise: s.svc, Now: func() time.Time { return s.now }})
	s.h = mount(c)
	for _, a := range [][3]string{{"rev", "reviewer", ""}, {"ed", "editor", "fgw"}} {
		_, u, err := acc.AddUser(context.Background(), a[0], a[1], a[2], "")
		if err != nil {
			t.Fatal(err)
		}
		hash, _ := auth.HashPassword(officePassword)
		if err := st.SetPassword(context.Background(), u.ID, hash, false, time.Now()); err != nil {
			t.Fatal(err)
		}
		secret, _, sess, err := acc.Login(context.Background(), a[0], officePassword, audit.Actor{IP: "10.0.0.1"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s.sessions[a[0]] = [2]string{secret, sess.CSRFToken}
	}
	return s
}

func (s *spotSite) setNow(t *testing.T, date string) {
	t.Helper()
	d, err := supervise.ParseAsOf(date)
	if err != nil {
		t.Fatal(err)
	}
	s.now = d
}

func (s *spotSite) do(t *testing.T, login, method, target string, form url.Values, want int) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if form != nil {
		form.Set("csrf", s.sessions[login][1])
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.AddCookie(&http.Cookie{Name: "gk_session", Value: s.sessions[login][0]})
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if want != 0 && rec.Code != want {
		t.Fatalf("%s %s as %s: %d, want %d\n%.2000s", method, target, login, rec.Code, want, rec.Body.String())
	}
	return rec
}

func (s *spotSite) page(t *testing.T, login, target string, want int) string {
	t.Helper()
	return html.UnescapeString(s.do(t, login, http.MethodGet, target, nil, want).Body.String())
}

func (s *spotSite) publish(t *testing.T, id, unit, title, when string) {
	t.Helper()
	pub, err := time.ParseInLocation("2006-01-02 15:04", when, catalog.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	e := catalog.Entry{ID: id, Unit: unit, Column: "tzgg", Title: title, Status: catalog.StatusPublished, PublishedAt: &pub, BodyHTML: "<p>正文</p>"}
	if _, err := s.st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: id, Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestSpotCheckPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newSpotSite(t, st, "2026-07-02")
		s.publish(t, "fgw-0601", "fgw", "关于开展安全生产检查的通知", "2026-06-01 09:00")
		s.publish(t, "fgw-0615", "fgw", officeXSS, "2026-06-15 09:00")
		s.publish(t, "fgw-0630", "fgw", "六月工作简报", "2026-06-30 18:00")
		s.publish(t, "fgw-0701", "fgw", "七月的信息", "2026-07-01 09:00")
		s.publish(t, "jtj-0520", "jtj", "五月的信息", "2026-05-20 09:00") // jtj publishes nothing in June
		seed := supervise.SpotSeed(supervise.Month{Year: 2026, Mon: 6}, "fgw")

		// By default, last month; the unit's staff may not look.
		body := s.page(t, "rev", "/console/spotchecks", http.StatusOK)
		contains(t, "the page before the draw", body, "月度抽查 · 2026年6月", "尚未抽取", "抽取2026年6月样本", seed[:12], "gongkai-spot-check:2026-06:fgw")
		s.do(t, "ed", http.MethodGet, "/console/spotchecks", nil, http.StatusForbidden)
		s.do(t, "ed", http.MethodPost, "/console/spotchecks/draw", url.Values{"month": {"2026-06"}}, http.StatusForbidden)
		s.do(t, "rev", http.MethodGet, "/console/spotchecks?month=2026-13", nil, http.StatusBadRequest)
		if body := s.page(t, "rev", "/console/spotchecks?month=2026-07", http.StatusOK); !strings.Contains(body, "尚未结束") || strings.Contains(body, "抽取2026年7月样本") {
			t.Error("July is offered for drawing before it ended")
		}
		s.do(t, "rev", http.MethodPost, "/console/spotchecks/draw", url.Values{"month": {"2026-07"}}, http.StatusBadRequest)

		rec := s.do(t, "rev", http.MethodPost, "/console/spotchecks/draw", url.Values{"month": {"2026-06"}}, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/spotchecks?done=spot_drawn&month=2026-06" {
			t.Errorf("after the draw: %s", loc)
		}
		body = s.page(t, "rev", "/console/spotchecks?month=2026-06&done=spot_drawn", http.StatusOK)
		contains(t, "the drawn page", body, "已抽取该月样本", "/console/entries/fgw-0601", "/console/entries/fgw-0630", "从 3 条中抽取 3 条", seed,
			"保存评定", "以下单位2026年6月没有发布信息", "测试单位jtj")
		if strings.Contains(body, "fgw-0701") || strings.Contains(s.do(t, "rev", http.MethodGet, "/console/spotchecks?month=2026-06", nil, 200).Body.String(), officeXSS) {
			t.Error("July's entry drawn, or a title not escaped")
		}

		// A grade refused keeps what was typed; a good one is saved.
		form := url.Values{"month": {"2026-06"}, "entry": {"fgw-0601"}, "grade": {"problems"}, "note": {"附件缺失说明"}, "seen": {"0"}}
		body = html.UnescapeString(s.do(t, "rev", http.MethodPost, "/console/spotchecks/grade", form, http.StatusBadRequest).Body.String())
		contains(t, "the refused grade", body, "评定未保存", "请至少勾选一个问题类别", "附件缺失说明")
		form["categories"] = []string{"incomplete", "other"}
		rec = s.do(t, "rev", http.MethodPost, "/console/spotchecks/grade", form, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); !strings.HasSuffix(loc, "done=spot_graded&month=2026-06#e-fgw-0601") {
			t.Errorf("after the grade: %s", loc)
		}
		pass := url.Values{"month": {"2026-06"}, "entry": {"fgw-0630"}, "grade": {"pass"}, "seen": {"0"}}
		s.do(t, "rev", http.MethodPost, "/console/spotchecks/grade", pass, http.StatusSeeOther)
		s.do(t, "rev", http.MethodPost, "/console/spotchecks/grade", pass, http.StatusConflict) // graded since: seen is stale
		s.do(t, "ed", http.MethodPost, "/console/spotchecks/grade", pass, http.StatusForbidden)
		s.do(t, "rev", http.MethodPost, "/console/spotchecks/grade", url.Values{"month": {"2026-06"}, "entry": {"fgw-0701"}, "grade": {"pass"}}, http.StatusNotFound)
		body = s.page(t, "rev", "/console/spotchecks?month=2026-06", http.StatusOK)
		contains(t, "the graded page", body, "要素不全、其他", "附件缺失说明", "50.0%", "要素不全 1", "修改评定")
		if strings.Contains(body, "重新抽取") {
			t.Error("a graded month offers a redraw")
		}
		s.do(t, "rev", http.MethodPost, "/console/spotchecks/draw", url.Values{"month": {"2026-06"}}, http.StatusConflict)

		// The same month as JSON.
		var out struct {
			Month string `json:"month"`
			Units []struct {
				Unit    string `json:"unit"`
				Seed    string `json:"seed"`
				Entries []struct {
					Entry      string   `json:"entry"`
					Grade      string   `json:"grade"`
					Categories []string `json:"categories"`
				} `json:"entries"`
				Rollup supervise.Rollup `json:"rollup"`
			} `json:"units"`
		}
		rec = s.do(t, "rev", http.MethodGet, "/api/v1/console/spotchecks?month=2026-06", nil, http.StatusOK)
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		if out.Month != "2026-06" || len(out.Units) != 2 || out.Units[0].Seed != seed || len(out.Units[0].Entries) != 3 ||
			out.Units[0].Rollup.Graded != 2 || fmt.Sprint(out.Units[0].Entries[0].Categories) == "" {
			t.Errorf("API answer %+v", out)
		}
		s.do(t, "ed", http.MethodGet, "/api/v1/console/spotchecks?month=2026-06", nil, http.StatusForbidden)
	})
}
