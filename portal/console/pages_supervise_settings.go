package console

import (
	"net/http"
	"net/url"

	"gongkai/internal/catalog"
	"gongkai/internal/supervise"
)

var _ = addNotices(map[string]string{
	"supervise_settings_saved": "监督考核设置已保存，自下一次统计起生效。",
})

type superviseSettingsView struct {
	V        url.Values // the fields as shown: the settings, or what was typed
	Notice   []numField
	Update   []numField
	National []numField
	Spot     []numField
	Kinds    []kindField
	Rules    []ruleField
	Columns  []staleField
	Errors   map[string]string
	Message  string
}

// numField is one number of the form, with its label, hint, range, value
// as shown and problem.
type numField struct {
	F, L, H    string
	Min, Max   int
	Value, Err string
}

type kindField struct{ Kind, Field, Value, Err string }

type ruleField struct {
	Rule, Label string
	On          bool
}

type staleField struct {
	catalog.Column
	Field, Value, Err string
}

// superviseSettingsPage shows the supervision settings for the office to
// edit.
func (c *Console) superviseSettingsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	sv := c.Supervise
	set, err := sv.Settings(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	leaves, err := sv.TemplateLeaves(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	c.renderSuperviseSettings(w, r, http.StatusOK, supervise.SettingsValues(set, leaves), leaves, nil, "")
}

func (c *Console) renderSuperviseSettings(w http.ResponseWriter, r *http.Request, status int, v url.Values, leaves []catalog.Column,
	fe catalog.FieldErrors, msg string) {
	view := superviseSettingsView{V: v, Errors: fieldMap(fe), Message: msg}
	num := func(f, label, hint string, lo, hi int) numField {
		return numField{F: f, L: label, H: hint, Min: lo, Max: hi, Value: v.Get(f), Err: view.Errors[f]}
	}
	view.Notice = []numField{num("rectify_days", "整改期限（天）", "发出督办通知后，单位报送书面检查并整改的期限", 1, 180)}
	view.Update = []numField{
		num("silent_days", "长期未更新（天）", "超过这么多天未发布任何信息的单位为长期未更新", 1, 366),
		num("volume_window_days", "发布数量统计周期（天）", "“近期发布”统计最近这么多天", 1, 366),
	}
	view.National = []numField{
		num("national_empty_fail_at", "空白栏目不通过线（个）", "全市空白栏目达到这个数即为不通过", 1, 10000),
		num("national_overdue_fail_at", "超期未更新栏目不通过线（个）", "全市超期未更新栏目达到这个数即为不通过", 1, 10000),
	}
	view.Spot = []numField{num("spot_check_size", "每单位每月抽查条数", "每月从各单位已发布的信息中随机抽取的条数", 1, 100)}
	for _, k := range catalog.UnitKinds {
		f := supervise.VolumeMinField(k)
		view.Kinds = append(view.Kinds, kindField{Kind: k, Field: f, Value: v.Get(f), Err: view.Errors[f]})
	}
	for _, rule := range supervise.Rules {
		on := false
		for _, x := range v["auto_rules"] {
			on = on || x == rule
		}
		view.Rules = append(view.Rules, ruleField{Rule: rule, Label: supervise.RuleLabel(rule), On: on})
	}
	for _, col := range leaves {
		f := supervise.StaleField(col.Code)
		view.Columns = append(view.Columns, staleField{Column: col, Field: f, Value: v.Get(f), Err: view.Errors[f]})
	}
	pg := c.newPage(r, "监督考核设置")
	pg.Data = view
	c.render(w, r, status, "supervise_settings.html", pg)
}

// superviseSettingsPost saves the office's settings (audited by the
// service), or shows the form again with each problem beside its field.
func (c *Console) superviseSettingsPost(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		c.pageFail(w, r, catalog.FieldErrors{{Field: "body", Reason: "表单无法读取"}})
		return
	}
	sv := c.Supervise
	base, err := sv.Settings(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	leaves, err := sv.TemplateLeaves(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	set, err := supervise.ParseSettings(r.PostForm, base, leaves)
	if err == nil {
		err = sv.SaveSettings(r.Context(), caller(r), set)
	}
	if err != nil {
		status, _, _, fe := c.classify(r, err)
		if fe == nil {
			c.pageFail(w, r, err)
			return
		}
		c.renderSuperviseSettings(w, r, status, r.PostForm, leaves, fe, "设置未保存，请按提示修改后重新提交。")
		return
	}
	http.Redirect(w, r, "/console/supervision/settings?done=supervise_settings_saved", http.StatusSeeOther)
}
