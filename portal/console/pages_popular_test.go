package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestPopularModerationPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newOfficeSite(t, st)
		today := time.Now().In(catalog.Shanghai).Format(time.DateOnly)
		if err := st.AddPopularCounts(ctx, []store.QueryDayCount{
			{Query: "公积金", Day: today, Clients: 30, Asks: 41},
			{Query: "不雅词", Day: today, Clients: 50, Asks: 60},
			{Query: "冷门", Day: today, Clients: 3, Asks: 3},
		}); err != nil {
			t.Fatal(err)
		}
		page := html.UnescapeString(s.get(t, "rev", "/console/popular", http.StatusOK))
		for _, want := range []string{"<h1>热门搜索</h1>", "至少 20 个不同客户端", "<th scope=\"row\">公积金</th>", "按人数显示", "未达门槛，不显示",
			`action="/console/popular/hide"`, `name="csrf"`, `aria-label="隐藏“不雅词”"`, `href="/console/popular"`, "热门搜索</a>"} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}

		steps := []struct {
			name     string
			path     string
			form     url.Values
			status   int
			location string
			contains []string
		}{
			{"hide", "/console/popular/hide", url.Values{"q": {"不雅词"}}, 303, "/console/popular?done=popular_hidden", nil},
			{"pin, normalised", "/console/popular/pin", url.Values{"q": {"  新政策　解读 "}}, 303, "/console/popular?done=popular_pinned", nil},
			{"pin again changes nothing", "/console/popular/pin", url.Values{"q": {"新政策 解读"}}, 303, "/console/popular?done=popular_pinned", nil},
			{"personal data refused and not shown back", "/console/popular/pin", url.Values{"q": {"13805391234"}}, 400, "", []string{"疑似包含个人信息"}},
			{"empty refused", "/console/popular/hide", url.Values{"q": {"  "}}, 400, "", []string{"查询词为空"}},
			{"too long refused", "/console/popular/pin", url.Values{"q": {strings.Repeat("长", 65)}}, 400, "", []string{"查询词过长"}},
			{"settings", "/console/popular/settings", url.Values{"min_clients": {"3"}, "days": {"7"}}, 303, "/console/popular?done=popular_settings", nil},
			{"bad settings", "/console/popular/settings", url.Values{"min_clients": {"0"}, "days": {"x"}}, 400, "", []string{"未保存", `value="0"`}},
			{"settings out of range", "/console/popular/settings", url.Values{"min_clients": {"5"}, "days": {"366"}}, 400, "", []string{"统计天数应为 1 到 365"}},
		}
		for _, step := range steps {
			rec := s.post(t, "rev", step.path, step.form, step.status)
			if loc := rec.Header().Get("Location"); loc != step.location {
				t.Errorf("%s: redirect to %q, want %q", step.name, loc, step.location)
			}
			body := html.UnescapeString(rec.Body.String())
			for _, want := range step.contains {
				if !strings.Contains(body, want) {
					t.Errorf("%s: answer lacks %q", step.name, want)
				}
			}
			if strings.Contains(body, "13805391234") {
				t.Errorf("%s: the personal number is shown back", step.name)
			}
		}

		page = html.UnescapeString(s.get(t, "adm", "/console/popular?done=popular_hidden", http.StatusOK))
		for _, want := range []string{"已隐藏，该查询词不再", "已隐藏，不显示", "置顶显示", "<th scope=\"row\">新政策 解读</th>", "已置顶 1 个，最多 5 个",
			"至少 3 个不同客户端", "冷门</th>"} {
			if !strings.Contains(page, want) {
				t.Errorf("page after moderation lacks %q", want)
			}
		}
		if !strings.Contains(page, "冷门</th>\n  <td class=\"num\">3</td>\n  <td class=\"num\">3</td>\n  <td><span class=\"state \">按人数显示") {
			t.Error("with the threshold at 3, 冷门 is not shown as listed")
		}

		// Pins are bounded: four more fill them, the sixth is refused.
		for i := range store.MaxPinnedQueries - 1 {
			s.post(t, "rev", "/console/popular/pin", url.Values{"q": {fmt.Sprintf("置顶%d", i)}}, 303)
		}
		rec := s.post(t, "rev", "/console/popular/pin", url.Values{"q": {"公积金"}}, http.StatusConflict)
		if !strings.Contains(html.UnescapeString(rec.Body.String()), "最多置顶 5 个查询词") {
			t.Error("the refused pin does not say why")
		}
		s.post(t, "rev", "/console/popular/reset", url.Values{"q": {"不雅词"}}, 303)
		s.post(t, "rev", "/console/popular/reset", url.Values{"q": {"新政策 解读"}}, 303)

		marks, err := st.QueryMarks(ctx, today)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range marks {
			if m.Query == "不雅词" || m.Query == "新政策 解读" || m.Query == "公积金" {
				t.Errorf("mark %+v left after reset or refusal", m)
			}
		}

		// Each change is audited once, with its action.
		recs, _, err := st.AuditRecords(ctx, store.AuditQuery{Action: "popular.", Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, r := range recs {
			count[r.Action]++
			if r.Actor.Login != "rev" || r.ObjectID == "13805391234" {
				t.Errorf("audit record %+v", r)
			}
		}
		want := map[string]int{"popular.hide": 1, "popular.pin": 5, "popular.settings": 1, "popular.unhide": 1, "popular.unpin": 1}
		if fmt.Sprint(count) != fmt.Sprint(want) {
			t.Errorf("audited %v, want %v", count, want)
		}

		// Only the office.
		for _, login := range []string{"ed.fgw", "aud"} {
			s.get(t, login, "/console/popular", http.StatusForbidden)
			s.post(t, login, "/console/popular/hide", url.Values{"q": {"公积金"}}, http.StatusForbidden)
			s.post(t, login, "/console/popular/settings", url.Values{"min_clients": {"1"}, "days": {"1"}}, http.StatusForbidden)
		}
		// Without the form token nothing changes.
		s.post(t, "rev", "/console/popular/hide", url.Values{"q": {"公积金"}, "csrf": {"wrong"}}, http.StatusForbidden)
		if set, _ := st.PopularSettings(ctx); set != (store.PopularSettings{MinClients: 3, Days: 7}) {
			t.Errorf("settings %+v after refused forms", set)
		}
		for _, m := range mustMarks(t, st, today) {
			if m.Query == "公积金" {
				t.Error("a refused hide was stored")
			}
		}
	})
}

func mustMarks(t *testing.T, st *store.Store, since string) []store.QueryMark {
	t.Helper()
	marks, err := st.QueryMarks(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	return marks
}
