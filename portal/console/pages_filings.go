package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// filingStates name the states of a filing for people, in the order the
// office's filter offers them.
var filingStates = []option{
	{catalog.FilingFiled, "已报备（已生效，待阅）"},
	{catalog.FilingPending, "待审批"},
	{catalog.FilingAcknowledged, "已阅"},
	{catalog.FilingApproved, "已同意"},
	{catalog.FilingRejected, "不同意"},
}

// filingOpen is the filter value for every filing the office still has to
// handle: filed ones not yet read and pending ones.
const filingOpen = "open"

var filingActions = map[string]string{catalog.FilingAdd: "增设栏目", catalog.FilingRemove: "撤销栏目"}

// option is one choice of a select.
type option struct{ Value, Label string }

func optionLabel(opts []option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

type filingRow struct {
	store.Filing
	UnitName    string
	ActionLabel string
	StateLabel  string
	FiledAt     time.Time
	DecidedAt   time.Time
}

// unitRule is a unit's filing setting, for the office.
type unitRule struct {
	Code, Name   string
	NeedApproval bool
}

// filingForm is what a unit typed into one of its two forms.
type filingForm struct {
	Action                          string
	Code, Name, Parent, Description string
	Reason                          string
}

type filingsView struct {
	Office bool
	Rows   []filingRow
	Pager  pager

	// The office's filters and settings.
	Unit, State string
	Units       []catalog.Unit
	States      []option
	Rules       []unitRule

	// The unit's forms.
	NeedApproval bool
	Parents      []catalog.TreeColumn // grouping columns a new column may go under
	Leaves       []catalog.TreeColumn // columns the unit may remove
	Form         filingForm
	Errors       map[string]string
	Message      string
}

// filingsPage shows the filings: a unit's own with its forms to file a
// change, or every unit's to the office with its decisions and settings.
func (c *Console) filingsPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := canSeeFilings(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	form := filingForm{Action: catalog.FilingAdd, Parent: catalog.GroupColumn}
	c.renderFilings(w, r, http.StatusOK, form, nil, "")
}

// canSeeFilings: the office sees every unit's filings, unit roles their
// own unit's; the auditor reads them in the audit log.
func canSeeFilings(p auth.Principal) error {
	if p.Role.NeedsUnit() {
		return auth.CanFileColumns(p, p.Unit)
	}
	return auth.CanDecideFilings(p)
}

func (c *Console) renderFilings(w http.ResponseWriter, r *http.Request, status int, form filingForm, fe catalog.FieldErrors, msg string) {
	p, _ := principalFrom(r.Context())
	ctx := r.Context()
	v := filingsView{Office: auth.IsOffice(p), Form: form, Errors: fieldMap(fe), Message: msg}
	units, err := c.Store.Units(ctx)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	names := make(map[string]string, len(units))
	for _, u := range units {
		names[u.Code] = u.Name
	}
	unit := p.Unit
	if v.Office {
		v.Unit, v.State = filingFilter(r.URL.Query(), names)
		v.States = append([]option{{filingOpen, "待处理（待阅和待审批）"}}, filingStates...)
		unit = v.Unit
	}
	all, err := c.Store.Filings(ctx, unit)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	var rows []filingRow
	for _, f := range all {
		if !filingMatches(f.State, v.State) {
			continue
		}
		row := filingRow{Filing: f, UnitName: names[f.Unit], ActionLabel: filingActions[f.Action],
			StateLabel: optionLabel(filingStates, f.State), FiledAt: store.FromMillis(f.FiledAtMS)}
		if f.DecidedMS != 0 {
			row.DecidedAt = store.FromMillis(f.DecidedMS)
		}
		rows = append(rows, row)
	}
	pg, offset := newPager(r, len(rows))
	v.Pager = pg
	v.Rows = rows[min(offset, len(rows)):min(offset+listSize, len(rows))]
	if v.Office {
		v.Units = units
		for _, u := range units {
			if v.Unit != "" && u.Code != v.Unit {
				continue
			}
			need, err := c.Store.FilingsNeedApproval(ctx, u.Code)
			if err != nil {
				c.pageFail(w, r, err)
				return
			}
			v.Rules = append(v.Rules, unitRule{Code: u.Code, Name: u.Name, NeedApproval: need})
		}
	} else {
		if v.NeedApproval, err = c.Store.FilingsNeedApproval(ctx, p.Unit); err != nil {
			c.pageFail(w, r, err)
			return
		}
		tree, err := c.Store.Tree(ctx, p.Unit)
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		for _, col := range tree {
			switch {
			case col.State == catalog.ColumnRemoved:
			case col.Leaf:
				v.Leaves = append(v.Leaves, col)
			default:
				v.Parents = append(v.Parents, col)
			}
		}
	}
	pgv := c.newPage(r, "目录报备")
	pgv.Data = v
	c.render(w, r, status, "filings.html", pgv)
}

// filingFilter reads the office's filters, dropping values that name no
// unit or state so that nothing a link carries is echoed back.
func filingFilter(q url.Values, names map[string]string) (unit, state string) {
	unit, state = q.Get("unit"), q.Get("state")
	if _, ok := names[unit]; !ok {
		unit = ""
	}
	if state != filingOpen && optionLabel(filingStates, state) == state {
		state = ""
	}
	return unit, state
}

func filingMatches(state, filter string) bool {
	switch filter {
	case "":
		return true
	case filingOpen:
		return state == catalog.FilingFiled || state == catalog.FilingPending
	}
	return state == filter
}

// createFilingPost files a unit's change to its own tree.
func (c *Console) createFilingPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanFileColumns(p, p.Unit); err != nil {
		c.refusePage(w, r, err)
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	form := filingForm{Action: f("action"), Code: f("code"), Name: f("name"), Parent: f("parent"),
		Description: f("description"), Reason: f("reason")}
	ch := catalog.ColumnChange{Unit: p.Unit, Action: form.Action, Reason: form.Reason,
		Column: catalog.Column{Code: form.Code, Name: form.Name, Parent: form.Parent, Description: form.Description}}
	if form.Action == catalog.FilingRemove {
		ch.Column = catalog.Column{Code: form.Code}
		form.Parent = catalog.GroupColumn // the add form starts afresh
	}
	if _, err := c.Workflow.FileColumnChange(r.Context(), caller(r), ch); err != nil {
		status, _, msg, fe := c.classify(r, err)
		if status >= 500 || status == http.StatusForbidden || status == http.StatusNotFound {
			c.pageFail(w, r, err)
			return
		}
		if fe != nil {
			msg = "报备未提交，请按提示修改后重新提交。"
		}
		c.renderFilings(w, r, status, form, fe, msg)
		return
	}
	http.Redirect(w, r, "/console/filings?done=filed", http.StatusSeeOther)
}

// decideFilingPost acknowledges, approves or rejects a filing.
func (c *Console) decideFilingPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanDecideFilings(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.pageFail(w, r, store.ErrNotFound)
		return
	}
	approve := r.PostFormValue("approve") == "1"
	if _, err := c.Workflow.DecideFiling(r.Context(), caller(r), id, approve, r.PostFormValue("note")); err != nil {
		c.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, c.filingsBack(r, "decided"), http.StatusSeeOther)
}

// filingSettingPost sets whether a unit's filings wait for approval.
func (c *Console) filingSettingPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanDecideFilings(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	need := r.PostFormValue("need") == "1"
	if err := c.Workflow.SetFilingsNeedApproval(r.Context(), caller(r), r.PathValue("code"), need); err != nil {
		c.pageFail(w, r, err)
		return
	}
	http.Redirect(w, r, c.filingsBack(r, "saved"), http.StatusSeeOther)
}

// filingsBack is the office's list with the filters it came from (the
// forms carry them as back_unit and back_state).
func (c *Console) filingsBack(r *http.Request, done string) string {
	q := url.Values{}
	if u := r.PostFormValue("back_unit"); u != "" && catalog.ValidUnitCode(u) {
		q.Set("unit", u)
	}
	if s := r.PostFormValue("back_state"); s == filingOpen || optionLabel(filingStates, s) != s {
		q.Set("state", s)
	}
	q.Set("done", done)
	return "/console/filings?" + q.Encode()
}

// fieldMap is a form's problems by field, for the messages beside the
// fields.
func fieldMap(fe catalog.FieldErrors) map[string]string {
	if len(fe) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, e := range fe {
		if m[e.Field] != "" {
			m[e.Field] += "；"
		}
		m[e.Field] += e.Reason
	}
	return m
}
