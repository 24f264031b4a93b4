package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

func TestSuperviseSettingsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newSuperviseSite(t, st)
		ctx := context.Background()
		page := html.UnescapeString(s.get(t, "adm", "/console/supervision/settings", http.StatusOK))
		for _, want := range []string{"<h1>监督考核设置</h1>", `value="临政办督"`, `name="silent_days" type="number"`, `value="30"`,
			`<label for="s-volume_min_2">管委会</label>`, `name="auto_rules" value="silent" checked`, `name="auto_rules" value="empty_columns" >`,
			`<label for="s-stale_tzgg">通知公告</label>`, `placeholder="180"`, "每年 01-31 前发布", `name="csrf"`} {
			if !strings.Contains(page, want) {
				t.Errorf("settings page lacks %q", want)
			}
		}
		if strings.Contains(page, `name="stale_gknb"`) {
			t.Error("the annual report's column, which has a due date, offers days")
		}

		form := func() url.Values {
			set := supervise.DefaultSettings()
			return supervise.SettingsValues(set, nil)
		}
		// Problems beside their fields, nothing saved.
		bad := form()
		bad.Set("silent_days", "0")
		bad.Set("stale_tzgg", "abc")
		bad.Set("volume_min_1", "-3")
		bad.Set("issuer", "")
		rec := s.post(t, "rev", "/console/supervision/settings", bad, http.StatusBadRequest)
		body := html.UnescapeString(rec.Body.String())
		for _, want := range []string{`id="s-stale_tzgg-err" class="field-error">请填写整数`, `id="s-volume_min_1-err" class="field-error">须为 0 至 10000`,
			`value="abc"`, "设置未保存"} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		if raw, _ := st.Setting(ctx, "supervise", ""); raw != "" {
			t.Fatalf("a bad form was saved: %s", raw)
		}
		// The settings' own checks, beside their fields too.
		bad = form()
		bad.Set("silent_days", "0")
		bad.Set("issuer", " ")
		body = html.UnescapeString(s.post(t, "rev", "/console/supervision/settings", bad, http.StatusBadRequest).Body.String())
		for _, want := range []string{`id="s-silent_days-err" class="field-error">须为 1 至 366`, `id="s-issuer-err" class="field-error">发文机关须为`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}

		good := form()
		good.Set("silent_days", "45")
		good.Set("stale_tzgg", "90")
		good.Set("stale_zcwj", "180") // the template's own: no override
		good.Del("volume_min_3")
		good["auto_rules"] = []string{"silent", "empty_columns"}
		rec = s.post(t, "rev", "/console/supervision/settings", good, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/supervision/settings?done=supervise_settings_saved" {
			t.Fatalf("redirect to %q", loc)
		}
		set, err := supervise.LoadSettings(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if set.SilentDays != 45 || len(set.StaleDays) != 1 || set.StaleDays["tzgg"] != 90 || strings.Join(set.AutoRules, ",") != "silent,empty_columns" {
			t.Errorf("saved %+v", set)
		}
		if n, ok := set.VolumeMin["其他"]; !ok || n != 0 {
			t.Errorf("a blank minimum reads back as %d, %v; want 0 (no minimum)", n, ok)
		}
		recs, _, _ := st.AuditRecords(ctx, store.AuditQuery{Action: "supervise.settings", Size: 5})
		if len(recs) != 1 || recs[0].Actor.Login != "rev" || !strings.Contains(recs[0].Summary, "45") {
			t.Errorf("the change is not audited: %+v", recs)
		}
		page = html.UnescapeString(s.get(t, "rev", "/console/supervision/settings?done=supervise_settings_saved", http.StatusOK))
		if !strings.Contains(page, "监督考核设置已保存") || !strings.Contains(page, `id="s-stale_tzgg" name="stale_tzgg" type="number" min="0" max="3660" step="1" inputmode="numeric" value="90"`) {
			t.Error("the saved settings are not shown")
		}
		// Only the office.
		for _, login := range []string{"ed.fgw", "ap.fgw", "aud"} {
			s.get(t, login, "/console/supervision/settings", http.StatusForbidden)
			s.post(t, login, "/console/supervision/settings", form(), http.StatusForbidden)
		}
		if set2, _ := supervise.LoadSettings(ctx, st); set2.SilentDays != 45 {
			t.Error("a refused post changed the settings")
		}
	})
}
