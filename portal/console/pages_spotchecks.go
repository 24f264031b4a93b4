package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

var _ = addNotices(map[string]string{
	"spot_drawn":   "已抽取该月样本，请逐条评定。",
	"spot_redrawn": "已重新抽取。同一月份的样本由种子决定，除非该月的信息或每单位抽取条数有变，样本与此前相同。",
	"spot_graded":  "评定已保存。",
})

// spotRow is one drawn entry with its grade and, when a grade was just
// refused, what was typed and why.
type spotRow struct {
	store.SpotCheck
	GradeLabel string
	Categories []string
	CatLabels  []string
	Form       gradeForm
	Errors     map[string]string
}

type gradeForm struct {
	Grade      string
	Categories []string
	Note       string
}

type spotUnitView struct {
	supervise.SpotUnit
	Rows []spotRow
}

type spotChecksView struct {
	*supervise.SpotMonthView
	Units      []spotUnitView
	Empty      []string // units without an entry to draw, by name
	Unit       string   // the one unit shown, "" for all
	UnitNames  []catalog.Unit
	Categories []supervise.Category
	Prev, Next string
	Months     []store.SpotMonth
	Max        string // the latest month that may be drawn
	Message    string
}

// spotMonthOf reads ?month=, the month before this one when absent.
func (c *Console) spotMonthOf(r *http.Request) (supervise.Month, error) {
	if s := r.FormValue("month"); s != "" {
		return supervise.ParseMonth(s)
	}
	return supervise.MonthOf(c.Supervise.Now()).Prev(), nil
}

// spotChecksPage shows a month's spot check: the draw, the samples of
// every unit with their grade forms, and the roll-up per unit.
func (c *Console) spotChecksPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	m, err := c.spotMonthOf(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	c.renderSpotChecks(w, r, http.StatusOK, m, nil)
}

// refusedGrade is a grade just refused: its entry, what was typed and the
// problems by field.
type refusedGrade struct {
	Entry  string
	Form   gradeForm
	Errors map[string]string
}

func (c *Console) renderSpotChecks(w http.ResponseWriter, r *http.Request, status int, m supervise.Month, refused *refusedGrade) {
	ctx := r.Context()
	sv := c.Supervise
	mv, err := sv.SpotMonth(ctx, m)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v := spotChecksView{SpotMonthView: mv, Categories: supervise.Categories, Prev: m.Prev().String(),
		Max: supervise.MonthOf(sv.Now()).Prev().String()}
	if refused != nil {
		v.Message = "评定未保存，请按提示修改后重新提交。"
	}
	if next := m.Next(); next.String() <= v.Max {
		v.Next = next.String()
	}
	if v.Months, err = sv.SpotMonths(ctx); err != nil {
		c.pageFail(w, r, err)
		return
	}
	unit := r.FormValue("unit")
	for _, u := range mv.Units {
		v.UnitNames = append(v.UnitNames, catalog.Unit{Code: u.Unit, Name: u.Name})
		if u.Unit == unit {
			v.Unit = unit
		}
	}
	for _, u := range mv.Units {
		if len(u.Rows) == 0 {
			if mv.Drawn {
				v.Empty = append(v.Empty, u.Name)
			}
			continue
		}
		if v.Unit != "" && u.Unit != v.Unit {
			continue
		}
		uv := spotUnitView{SpotUnit: u}
		for _, row := range u.Rows {
			sr := spotRow{SpotCheck: row, GradeLabel: supervise.GradeLabel(row.Grade), Categories: supervise.RowCategories(row)}
			for _, code := range sr.Categories {
				sr.CatLabels = append(sr.CatLabels, supervise.CategoryLabel(code))
			}
			sr.Form = gradeForm{Grade: row.Grade, Categories: sr.Categories, Note: row.Note}
			if refused != nil && row.EntryID == refused.Entry {
				sr.Form, sr.Errors = refused.Form, refused.Errors
			}
			uv.Rows = append(uv.Rows, sr)
		}
		v.Units = append(v.Units, uv)
	}
	pg := c.newPage(r, "月度抽查")
	pg.Data = v
	c.render(w, r, status, "spotchecks.html", pg)
}

// spotBack is the page a spot-check form returns to.
func spotBack(m supervise.Month, unit, done, anchor string) string {
	q := url.Values{"month": {m.String()}}
	if unit != "" && catalog.ValidUnitCode(unit) {
		q.Set("unit", unit)
	}
	q.Set("done", done)
	u := "/console/spotchecks?" + q.Encode()
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

// drawSpotChecksPost draws (or draws again) a month's samples.
func (c *Console) drawSpotChecksPost(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	m, err := supervise.ParseMonth(r.PostFormValue("month"))
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	res, err := c.Supervise.DrawMonth(r.Context(), caller(r), m)
	if err != nil {
		c.spotFail(w, r, err)
		return
	}
	done := "spot_drawn"
	if res.Redrawn {
		done = "spot_redrawn"
	}
	http.Redirect(w, r, spotBack(m, r.PostFormValue("unit"), done, ""), http.StatusSeeOther)
}

// gradeSpotCheckPost records a reviewer's grade of one drawn entry.
func (c *Console) gradeSpotCheckPost(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	m, err := supervise.ParseMonth(r.PostFormValue("month"))
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		c.pageFail(w, r, catalog.FieldErrors{{Field: "body", Reason: "表单无法读取 (bad form)"}})
		return
	}
	seen, _ := strconv.ParseInt(r.PostFormValue("seen"), 10, 64)
	in := supervise.GradeInput{Month: m, Entry: r.PostFormValue("entry"), Grade: r.PostFormValue("grade"),
		Categories: r.PostForm["categories"], Note: r.PostFormValue("note"), Seen: seen}
	if _, err := c.Supervise.Grade(r.Context(), caller(r), in); err != nil {
		var fe catalog.FieldErrors
		if errors.As(err, &fe) {
			typed := gradeForm{Grade: in.Grade, Categories: in.Categories, Note: in.Note}
			c.renderGradeErrors(w, r, m, in.Entry, typed, fe)
			return
		}
		c.spotFail(w, r, err)
		return
	}
	http.Redirect(w, r, spotBack(m, r.PostFormValue("unit"), "spot_graded", "e-"+in.Entry), http.StatusSeeOther)
}

// renderGradeErrors shows the page again with a refused grade's problems
// beside its form and what was typed kept.
func (c *Console) renderGradeErrors(w http.ResponseWriter, r *http.Request, m supervise.Month, entry string, typed gradeForm, fe catalog.FieldErrors) {
	ctx := r.Context()
	if _, err := c.Store.SpotCheck(ctx, m.String(), entry); err != nil {
		c.pageFail(w, r, err)
		return
	}
	c.renderSpotChecks(w, r, http.StatusBadRequest, m, &refusedGrade{Entry: entry, Form: typed, Errors: fieldMap(fe)})
}

// spotFail answers a refused draw or grade: a conflict with the state
// (409) in the store's own words for people, anything else as usual.
func (c *Console) spotFail(w http.ResponseWriter, r *http.Request, err error) {
	for _, sentinel := range []error{store.ErrConflict, store.ErrStale} {
		if errors.Is(err, sentinel) {
			msg := err.Error()
			if i := strings.LastIndex(msg, sentinel.Error()+": "); i >= 0 {
				msg = msg[i+len(sentinel.Error())+2:]
			}
			c.renderError(w, r, http.StatusConflict, msg)
			return
		}
	}
	c.pageFail(w, r, err)
}

// apiSpotChecks answers a month's samples, grades and roll-ups as JSON.
func (c *Console) apiSpotChecks(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanSupervise(p); err != nil {
		c.refuseAPI(w, r, err)
		return
	}
	m, err := c.spotMonthOf(r)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	mv, err := c.Supervise.SpotMonth(r.Context(), m)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	type row struct {
		Position    int        `json:"position"`
		Entry       string     `json:"entry"`
		Title       string     `json:"title"`
		Column      string     `json:"column"`
		PublishedAt *time.Time `json:"published_at"`
		Grade       string     `json:"grade"`
		Categories  []string   `json:"categories"`
		Note        string     `json:"note"`
		GradedBy    string     `json:"graded_by"`
		GradedAt    *time.Time `json:"graded_at"`
	}
	type unit struct {
		supervise.SpotUnit
		Entries []row `json:"entries"`
	}
	out := struct {
		Month   string           `json:"month"`
		Drawn   bool             `json:"drawn"`
		DrawnAt *time.Time       `json:"drawn_at"`
		Size    int              `json:"size"`
		Units   []unit           `json:"units"`
		Total   supervise.Rollup `json:"total"`
	}{Month: m.String(), Drawn: mv.Drawn, Size: mv.Size, Units: []unit{}, Total: mv.Total}
	if mv.Drawn {
		out.DrawnAt = inShanghai(&mv.DrawnAt)
	}
	for _, u := range mv.Units {
		uv := unit{SpotUnit: u, Entries: []row{}}
		for _, sc := range u.Rows {
			cats := supervise.RowCategories(sc)
			if cats == nil {
				cats = []string{}
			}
			uv.Entries = append(uv.Entries, row{Position: sc.Position, Entry: sc.EntryID, Title: sc.Title, Column: sc.Column,
				PublishedAt: inShanghai(sc.PublishedAt()), Grade: sc.Grade, Categories: cats, Note: sc.Note, GradedBy: sc.GradedBy,
				GradedAt: inShanghai(sc.GradedAt())})
		}
		out.Units = append(out.Units, uv)
	}
	httpjson.Write(w, http.StatusOK, out)
}

// inShanghai is an instant in China's zone, for the API's ISO 8601 times.
func inShanghai(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	s := t.In(catalog.Shanghai)
	return &s
}
