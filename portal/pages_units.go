package portal

import (
	"fmt"
	"net/http"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

type unitsView struct {
	Groups  []unitGroup
	Units   int
	Entries int
	Crumbs  []crumb
}

// unitsPage lists the units by kind with their entry counts and last update.
func (s *Server) unitsPage(w http.ResponseWriter, r *http.Request) {
	units, err := s.unitsWithStats(r.Context())
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	v := unitsView{Groups: groupUnits(units), Units: len(units), Crumbs: []crumb{{"首页", "/"}, {"单位目录", ""}}}
	for _, u := range units {
		v.Entries += u.Entries
	}
	s.render(w, r, http.StatusOK, "units.html", v)
}

// columnNode is a column of a unit's tree as the page nests it: a grouping
// column (信息公开目录) carries its columns and counts what they hold.
type columnNode struct {
	Unit        string
	Code        string
	Name        string
	Description string
	Leaf        bool
	Entries     int
	LastPublish *time.Time
	Children    []*columnNode
}

// nestTree turns the flat tree (display order, parents named) into nodes.
// A column whose parent is missing is shown at the top level rather than
// lost.
func nestTree(cols []store.TreeColumnStats) []*columnNode {
	byCode := make(map[string]*columnNode, len(cols))
	for _, c := range cols {
		byCode[c.Code] = &columnNode{Unit: c.Unit, Code: c.Code, Name: c.Name, Description: c.Description,
			Leaf: c.Leaf, Entries: c.Entries, LastPublish: c.LastPublish}
	}
	var roots []*columnNode
	for _, c := range cols {
		n := byCode[c.Code]
		if p, ok := byCode[c.Parent]; ok && c.Parent != c.Code {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	for _, n := range roots {
		n.sum(0)
	}
	return roots
}

// sum adds a grouping column's descendants into its count and last
// publish time. depth bounds the walk should the data ever hold a cycle.
func (n *columnNode) sum(depth int) {
	if depth > 16 {
		return
	}
	for _, c := range n.Children {
		c.sum(depth + 1)
		if !n.Leaf {
			n.Entries += c.Entries
			n.LastPublish = later(n.LastPublish, c.LastPublish)
		}
	}
}

type unitView struct {
	Unit        catalog.Unit
	Columns     []*columnNode
	Entries     int
	LastPublish *time.Time
	Latest      []store.EntrySummary
	Crumbs      []crumb
}

// unitPage shows a unit's catalog tree with the counts of its columns and
// its latest entries.
func (s *Server) unitPage(w http.ResponseWriter, r *http.Request) {
	code := pathVar(r, "code")
	if !catalog.ValidUnitCode(code) {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	unit, tree, err := s.unitTree(ctx, code)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	latest, err := s.Store.PublishedEntries(ctx, store.EntryList{Unit: code, Limit: unitLatestLen})
	if err != nil {
		s.failPage(w, r, fmt.Errorf("portal: latest of %q: %w", code, err))
		return
	}
	v := unitView{Unit: unit, Columns: nestTree(tree), Latest: latest,
		Crumbs: []crumb{{"首页", "/"}, {"单位目录", "/units"}, {unit.Name, ""}}}
	for _, c := range tree {
		v.Entries += c.Entries
		v.LastPublish = later(v.LastPublish, c.LastPublish)
	}
	s.render(w, r, http.StatusOK, "unit.html", v)
}
