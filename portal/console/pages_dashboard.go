package console

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

var _ = addNotices(map[string]string{
	"supervise_ran":  "已按当前情况运行督办检查：新发、办结和逾期的督办通知见“督办通知”。",
	"supervise_busy": "督办检查正在由另一处运行，请稍后刷新查看结果。",
})

// asOfParam reads ?as_of= (a date, 2026-06-30): the end of that day, or
// of today (by the supervision service's clock) when it is absent. A date after today is refused: the
// dashboard reports what happened, not what might.
func (c *Console) asOfParam(r *http.Request) (time.Time, catalog.FieldErrors) {
	today := supervise.EndOfDay(c.Supervise.Now())
	s := strings.TrimSpace(r.URL.Query().Get("as_of"))
	if s == "" {
		return today, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, catalog.Shanghai)
	switch {
	case err != nil:
		return today, catalog.FieldErrors{{Field: "as_of", Reason: "日期格式应为 2026-06-30"}}
	case t.Year() < 2000:
		return today, catalog.FieldErrors{{Field: "as_of", Reason: "日期不能早于 2000 年"}}
	case supervise.EndOfDay(t).After(today):
		return today, catalog.FieldErrors{{Field: "as_of", Reason: "日期不能晚于今天"}}
	}
	return supervise.EndOfDay(t), nil
}

// sortHead is one header of the league table: its label, the link that
// sorts by it (for pages without scripts) and its aria-sort.
type sortHead struct {
	Key, Label, URL string
	AriaSort        string // ascending, descending or ""
	Desc            bool   // sorts the worst first on its first click
}

type dashboardView struct {
	AsOf       time.Time
	AsOfValue  string // 2026-06-30, for the date field
	Link       string // "?as_of=2026-06-30" when a date was asked for, for the links
	Max        string // today, the latest date the field takes
	Window     time.Time
	WindowDays int
	D          *supervise.Dashboard
	Rows       []supervise.LeagueRow
	Heads      []sortHead
	Sort, Dir  string
	Export     string
	Charts     chartData
	Errors     map[string]string
}

// chartData is what the charts draw, read by dashboard.js from a JSON
// block; the same figures are in the tables beside them.
type chartData struct {
	Months  *series `json:"months,omitempty"`
	Columns *series `json:"columns,omitempty"`
}

type series struct {
	Title  string   `json:"title"`
	Labels []string `json:"labels"`
	Values []int    `json:"values"`
}

func monthSeries(title string, ms []supervise.MonthCount) *series {
	s := &series{Title: title, Labels: []string{}, Values: []int{}}
	for _, m := range ms {
		s.Labels = append(s.Labels, m.Label)
		s.Values = append(s.Values, m.Count)
	}
	return s
}

// dashboardPage is the office's overview: cards, the national self-check,
// the league table and the charts, as of a day.
func (c *Console) dashboardPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	asOf, fe := c.asOfParam(r)
	status := http.StatusOK
	if fe != nil {
		status = http.StatusBadRequest
	}
	sv := c.Supervise
	d, err := sv.Dashboard(r.Context(), asOf)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	set, err := sv.Settings(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v := dashboardView{AsOf: asOf, AsOfValue: asOf.In(catalog.Shanghai).Format(time.DateOnly),
		Max: sv.Now().In(catalog.Shanghai).Format(time.DateOnly), Window: d.Report.Window, WindowDays: set.VolumeWindowDays,
		D: d, Errors: fieldMap(fe)}
	if fe != nil {
		v.AsOfValue = ""
	}
	v.Rows = slices.Clone(d.League)
	q := r.URL.Query()
	v.Sort, v.Dir = supervise.SortLeague(v.Rows, q.Get("sort"), q.Get("dir"))
	base := url.Values{}
	if q.Get("as_of") != "" && fe == nil {
		base.Set("as_of", v.AsOfValue)
		v.Link = "?" + base.Encode()
	}
	for _, s := range supervise.LeagueSorts {
		h := sortHead{Key: s.Key, Label: s.Label, Desc: s.Desc}
		dir := "asc"
		if s.Desc {
			dir = "desc"
		}
		if s.Key == v.Sort {
			h.AriaSort = map[string]string{"asc": "ascending", "desc": "descending"}[v.Dir]
			dir = map[string]string{"asc": "desc", "desc": "asc"}[v.Dir]
		}
		u := cloneValues(base)
		u.Set("sort", s.Key)
		u.Set("dir", dir)
		h.URL = "/console/supervision?" + u.Encode() + "#league-h"
		v.Heads = append(v.Heads, h)
	}
	exp := cloneValues(base)
	exp.Set("sort", v.Sort)
	exp.Set("dir", v.Dir)
	v.Export = "/console/supervision/export.xlsx?" + exp.Encode()
	v.Charts.Months = monthSeries("近 12 个月各单位发布信息数", d.Months)
	cols := &series{Title: "各栏目信息数（全部单位合计）", Labels: []string{}, Values: []int{}}
	for _, col := range d.Columns {
		cols.Labels = append(cols.Labels, col.Name)
		cols.Values = append(cols.Values, col.Count)
	}
	v.Charts.Columns = cols
	pg := c.newPage(r, "监督考核")
	pg.Data = v
	c.render(w, r, status, "dashboard.html", pg)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// dashboardExport writes the league table, sorted as on the page, as a
// workbook.
func (c *Console) dashboardExport(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	asOf, fe := c.asOfParam(r)
	if fe != nil {
		c.pageFail(w, r, fe)
		return
	}
	d, err := c.Supervise.Dashboard(r.Context(), asOf)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	rows := slices.Clone(d.League)
	supervise.SortLeague(rows, r.URL.Query().Get("sort"), r.URL.Query().Get("dir"))
	var buf bytes.Buffer
	if err := supervise.WriteLeagueXLSX(&buf, rows, asOf, d.Report.Window); err != nil {
		c.pageFail(w, r, err)
		return
	}
	day := asOf.In(catalog.Shanghai).Format("20060102")
	writeDownload(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"supervision-"+day+".xlsx", "监督考核单位排行-"+day+".xlsx", buf.Bytes())
}

// writeDownload answers a file made in memory.
func writeDownload(w http.ResponseWriter, r *http.Request, contentType, ascii, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", attachment(ascii, name))
	h.Set("Content-Length", fmt.Sprint(len(b)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

type unitDetailView struct {
	AsOf      time.Time
	AsOfValue string
	Back      string
	D         *supervise.UnitDetail
	Breaches  []breachView
	Columns   []columnView
	Notices   []noticeRow
	Findings  []findingCount
	Charts    chartData
	Window    time.Time
}

type breachView struct {
	Label string
	supervise.Breach
}

type columnView struct {
	supervise.ColumnReport
	Rule   string // how often it must be updated, for people
	Status string
	Class  string
}

type noticeRow struct {
	supervise.Notice
	StateLabel string
	RuleLabel  string
}

type findingCount struct {
	Rule, Label string
	Count       int
}

// dashboardUnitPage is one unit's drill-down: its columns, its freshness
// over 24 months, notices, returns, findings and breaches.
func (c *Console) dashboardUnitPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	asOf, fe := c.asOfParam(r)
	if fe != nil {
		c.pageFail(w, r, fe)
		return
	}
	code := r.PathValue("code")
	if !catalog.ValidUnitCode(code) {
		c.pageFail(w, r, store.ErrNotFound)
		return
	}
	d, err := c.Supervise.UnitDetail(r.Context(), asOf, code)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v := unitDetailView{AsOf: asOf, AsOfValue: asOf.In(catalog.Shanghai).Format(time.DateOnly), D: d, Window: d.Window}
	v.Back = "/console/supervision"
	if r.URL.Query().Get("as_of") != "" {
		v.Back += "?as_of=" + v.AsOfValue
	}
	for _, b := range d.Unit.Breaches {
		v.Breaches = append(v.Breaches, breachView{Label: supervise.RuleLabel(b.Rule), Breach: b})
	}
	for _, col := range d.Unit.Columns {
		cv := columnView{ColumnReport: col, Status: "正常", Class: "ok"}
		switch {
		case col.DueMonthDay != "":
			m, dd, _ := strings.Cut(col.DueMonthDay, "-")
			cv.Rule = fmt.Sprintf("每年%s月%s日前", strings.TrimLeft(m, "0"), strings.TrimLeft(dd, "0"))
		case col.StaleDays > 0:
			cv.Rule = fmt.Sprintf("%d 天", col.StaleDays)
		default:
			cv.Rule = "有变化时更新"
		}
		switch {
		case col.Empty:
			cv.Status, cv.Class = "空白", "bad"
		case col.Overdue:
			cv.Status, cv.Class = "超期未更新", "bad"
		}
		v.Columns = append(v.Columns, cv)
	}
	for _, n := range d.Notices {
		v.Notices = append(v.Notices, noticeRow{Notice: n, StateLabel: supervise.StateLabel(n.State), RuleLabel: supervise.RuleLabel(n.Rule)})
	}
	if f := d.Unit.Findings; f != nil {
		for rule, n := range f.ByRule {
			v.Findings = append(v.Findings, findingCount{Rule: rule, Label: ruleLabel(rule), Count: n})
		}
		slices.SortFunc(v.Findings, func(a, b findingCount) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Rule, b.Rule)
		})
	}
	v.Charts.Months = monthSeries(fmt.Sprintf("%s近 %d 个月发布信息数", d.Unit.Name, supervise.TimelineMonths), d.Timeline)
	pg := c.newPage(r, d.Unit.Name+" - 监督考核")
	pg.Data = v
	c.render(w, r, http.StatusOK, "dashboard_unit.html", pg)
}

// superviseRunPost runs the supervision rules as of now, raising, closing
// and escalating notices, under the job's lock so that the daily run and
// another office member never run it twice at once.
func (c *Console) superviseRunPost(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	sv := c.Supervise
	cl := caller(r)
	var res *supervise.RunResult
	ran, err := c.Store.WithJobLock(r.Context(), supervise.JobName, func(ctx context.Context) error {
		var err error
		res, err = sv.Run(ctx, sv.Now(), cl.Actor())
		return err
	})
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	if !ran {
		http.Redirect(w, r, "/console/supervision?done=supervise_busy", http.StatusSeeOther)
		return
	}
	summary := fmt.Sprintf("run as of %s by hand: %d notices raised, %d closed, %d escalated",
		sv.Now().In(catalog.Shanghai).Format(time.RFC3339), res.New, len(res.Closed), len(res.Escalated))
	if err := c.auditRecord(r, "supervise.run", "job", supervise.JobName, "", summary); err != nil {
		c.Log.Error("supervise: audit of a run", slog.Any("err", err))
	}
	http.Redirect(w, r, "/console/supervision?done=supervise_ran", http.StatusSeeOther)
}

// apiLeagueRow is a league table row in the API: findings null when no
// quality-gate report covers the unit.
type apiLeagueRow struct {
	supervise.LeagueRow
	Findings    *int       `json:"findings"`
	LastPublish *time.Time `json:"last_publish"` // in China's zone, as the contract's times are
}

// apiSupervision answers the dashboard's figures as JSON:
// GET /api/v1/console/supervision?as_of=2026-06-30.
func (c *Console) apiSupervision(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanSupervise(p); err != nil {
		c.refuseAPI(w, r, err)
		return
	}
	asOf, fe := c.asOfParam(r)
	if fe != nil {
		c.apiFail(w, r, fe)
		return
	}
	d, err := c.Supervise.Dashboard(r.Context(), asOf)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	rows := slices.Clone(d.League)
	supervise.SortLeague(rows, r.URL.Query().Get("sort"), r.URL.Query().Get("dir"))
	units := make([]apiLeagueRow, len(rows))
	for i, row := range rows {
		units[i] = apiLeagueRow{LeagueRow: row}
		if row.LastPublish != nil {
			t := row.LastPublish.In(catalog.Shanghai)
			units[i].LastPublish = &t
		}
		if row.Findings >= 0 {
			n := row.Findings
			units[i].Findings = &n
		}
	}
	httpjson.Write(w, http.StatusOK, map[string]any{
		"as_of": d.Report.AsOf, "window_start": d.Report.Window, "totals": d.Report.Totals, "national": d.Report.National,
		"notices": map[string]int{"open": d.Notices.Open, "overdue": d.Notices.Overdue}, "months": d.Months, "columns": d.Columns,
		"units": units,
	})
}

// supervisorOnly lets the office's supervisors through to a supervision
// page and refuses anyone else (refusePage answers and audits the
// refusal); it returns the caller and whether to go on.
func (c *Console) supervisorOnly(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanSupervise(p); err != nil {
		c.refusePage(w, r, err)
		return p, false
	}
	return p, true
}
