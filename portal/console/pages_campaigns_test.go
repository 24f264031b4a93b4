package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestCampaignPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newSuperviseSite(t, st) // the clock: 30 June 2026
		publishAt(t, st, "fgw", "tzgg", "2026-06-10 09:00")
		publishAt(t, st, "fgw", "zcwj", "2026-06-20 09:00")
		publishAt(t, st, "jtj", "tzgg", "2026-05-31 23:00") // before the start

		page := s.get(t, "rev", "/console/campaigns", http.StatusOK)
		for _, want := range []string{"<h1>专项督查</h1>", "还没有专项督查", `name="columns" value="tzgg"`, `name="columns" value="gfxwj"`, `name="csrf"`, `value="2026-06-30"`} {
			if !strings.Contains(page, want) {
				t.Errorf("campaigns page lacks %q", want)
			}
		}
		if strings.Contains(page, `value="gkml"`) {
			t.Error("the grouping column is offered")
		}

		// A bad form: the problems beside their fields, the typing kept.
		rec := s.post(t, "rev", "/console/campaigns", url.Values{"title": {"6月目录更新"}, "start": {"2026-06-01"}, "deadline": {"2026-05-01"}}, http.StatusBadRequest)
		body := html.UnescapeString(rec.Body.String())
		for _, want := range []string{`id="c-deadline-err"`, "截止日期不能早于开始日期", `id="c-columns-err"`, "请至少选择一个须更新的栏目", `value="6月目录更新"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		if cs, _ := st.Campaigns(t.Context(), 0); len(cs) != 0 {
			t.Fatalf("a bad form stored %d campaigns", len(cs))
		}

		rec = s.post(t, "rev", "/console/campaigns", url.Values{"title": {"6月目录更新"}, "start": {"2026-06-01"}, "deadline": {"2026-06-30"},
			"columns": {"tzgg", "zcwj"}}, http.StatusSeeOther)
		loc := rec.Header().Get("Location")
		if !regexp.MustCompile(`^/console/campaigns/\d+\?done=campaign_created$`).MatchString(loc) {
			t.Fatalf("redirect to %q", loc)
		}
		page = html.UnescapeString(s.get(t, "adm", loc, http.StatusOK))
		for _, want := range []string{"<h1>6月目录更新</h1>", "专项督查已创建", "1 / 2 个单位已完成", "未完成的单位（1 个）",
			"测试单位jtj</a>：尚未更新 <span class=\"missing\">通知公告、政策文件</span>", "进行中", "已更新</span> 1 条"} {
			if !strings.Contains(page, want) {
				t.Errorf("campaign page lacks %q", want)
			}
		}
		// The unit behind comes first in the table.
		if i, j := strings.Index(page, `<th scope="row">测试单位jtj</th>`), strings.Index(page, `<th scope="row">测试单位fgw</th>`); i < 0 || j < 0 || i > j {
			t.Errorf("jtj (behind) at %d, fgw (done) at %d: the unit behind must come first", i, j)
		}
		page = html.UnescapeString(s.get(t, "rev", "/console/campaigns", http.StatusOK))
		if !strings.Contains(page, "1 / 2 个单位已完成") || !strings.Contains(page, "6月目录更新") {
			t.Error("the list does not show the campaign's progress")
		}

		s.get(t, "rev", "/console/campaigns/999999", http.StatusNotFound)
		for _, login := range []string{"ed.fgw", "ap.fgw", "aud"} {
			s.get(t, login, "/console/campaigns", http.StatusForbidden)
			s.get(t, login, loc, http.StatusForbidden)
			s.post(t, login, "/console/campaigns", url.Values{"title": {"越权"}, "start": {"2026-06-01"}, "deadline": {"2026-06-30"}, "columns": {"tzgg"}}, http.StatusForbidden)
		}
		if cs, _ := st.Campaigns(t.Context(), 0); len(cs) != 1 {
			t.Errorf("%d campaigns stored, want 1", len(cs))
		}
	})
}
