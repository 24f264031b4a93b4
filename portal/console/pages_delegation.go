package console

import (
	"net/http"
	"net/url"
	"strings"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// delegationRow is one leaf column of a unit with its delegation and the
// template's default for it.
type delegationRow struct {
	Column, Name string
	Delegated    bool
	Default      bool
	FromTemplate bool // false for a column the unit added itself
}

type delegationView struct {
	Units    []catalog.Unit
	Unit     string
	UnitName string
	Rows     []delegationRow
}

// delegationPage lets the office pick a unit and see, per leaf column,
// whether the unit's approved entries are published without office review.
func (c *Console) delegationPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanSetDelegation(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	ctx := r.Context()
	v := delegationView{Unit: r.URL.Query().Get("unit")}
	var err error
	if v.Units, err = c.Store.Units(ctx); err != nil {
		c.pageFail(w, r, err)
		return
	}
	if v.Unit != "" {
		unit, err := c.Store.Unit(ctx, v.Unit)
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		v.UnitName = unit.Name
		ds, err := c.Store.Delegations(ctx, v.Unit)
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		tmpl, err := c.Store.Template(ctx)
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		defaults := map[string]bool{}
		for _, col := range tmpl.Columns {
			defaults[col.Code] = col.Delegated
		}
		for _, d := range ds {
			def, ok := defaults[d.Column]
			v.Rows = append(v.Rows, delegationRow{Column: d.Column, Name: d.ColumnName, Delegated: d.Delegated, Default: def, FromTemplate: ok})
		}
	}
	pg := c.newPage(r, "维护权限下放")
	pg.Data = v
	c.render(w, r, http.StatusOK, "delegation.html", pg)
}

// saveDelegationPost applies the boxes the office changed. The form
// carries each column with the state it showed ("code:1"), so that only
// what this person changed is written, not a colleague's change made
// since the page was loaded.
func (c *Console) saveDelegationPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanSetDelegation(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		c.pageFail(w, r, err)
		return
	}
	unit := r.PostForm.Get("unit")
	if !catalog.ValidUnitCode(unit) {
		c.pageFail(w, r, store.ErrNotFound)
		return
	}
	checked := map[string]bool{}
	for _, code := range r.PostForm["delegated"] {
		checked[code] = true
	}
	for _, shown := range r.PostForm["shown"] {
		code, was, ok := strings.Cut(shown, ":")
		if !ok || (was == "1") == checked[code] {
			continue
		}
		if err := c.Workflow.SetDelegation(r.Context(), caller(r), unit, code, checked[code]); err != nil {
			c.pageFail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/console/delegation?"+url.Values{"unit": {unit}, "done": {"delegated"}}.Encode(), http.StatusSeeOther)
}
