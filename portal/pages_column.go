package portal

import (
	"net/http"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// columnPageSize is how many entries one page of a column lists.
const columnPageSize = 20

type columnView struct {
	Unit    catalog.Unit
	Column  store.TreeColumnStats
	Parent  string // the grouping column's name, if any
	Entries []store.EntrySummary
	Pager   pager
	Crumbs  []crumb
}

// findColumn looks up a column that holds entries and is in force in the
// unit's tree; ok is false for anything else.
func findColumn(tree []store.TreeColumnStats, code string) (col store.TreeColumnStats, parent string, ok bool) {
	for _, c := range tree {
		if c.Code == code {
			col, ok = c, c.Leaf && c.State == catalog.ColumnActive
		}
	}
	for _, c := range tree {
		if ok && c.Code == col.Parent {
			parent = c.Name
		}
	}
	return col, parent, ok
}

// columnPage lists a column's entries, newest first, 20 a page.
func (s *Server) columnPage(w http.ResponseWriter, r *http.Request) {
	code, colCode := pathVar(r, "code"), pathVar(r, "col")
	page, ok := pageNumber(r.URL.Query())
	if !ok || !catalog.ValidUnitCode(code) || !catalog.ValidUnitCode(colCode) {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	unit, tree, err := s.unitTree(ctx, code)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	col, parent, ok := findColumn(tree, colCode)
	if !ok {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	q := store.EntryList{Unit: code, Column: colCode, Offset: (page - 1) * columnPageSize, Limit: columnPageSize}
	// The tree's count of the column: counted once per change, not per page.
	total := col.Entries
	if page > 1 && q.Offset >= total {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	entries, err := s.Store.PublishedEntries(ctx, q)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	v := columnView{Unit: unit, Column: col, Parent: parent, Entries: entries,
		Pager:  newPager(columnPageURL(code, colCode), page, total, columnPageSize),
		Crumbs: []crumb{{"首页", "/"}, {"单位目录", "/units"}, {unit.Name, unitPageURL(code)}, {col.Name, ""}}}
	s.render(w, r, http.StatusOK, "column.html", v)
}
