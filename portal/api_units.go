package portal

import (
	"net/http"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
)

type unitJSON struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	OrgCode     string     `json:"org_code"`
	Parent      string     `json:"parent,omitempty"`
	EntryCount  int        `json:"entry_count"`
	LastPublish *time.Time `json:"last_publish"`
	URL         string     `json:"url"`
}

// apiUnits lists units with their published entry counts.
func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	units, err := s.unitsWithStats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]unitJSON, len(units))
	total := 0
	for i, u := range units {
		out[i] = unitJSON{Code: u.Code, Name: u.Name, Kind: u.Kind, OrgCode: u.OrgCode, Parent: u.Parent,
			EntryCount: u.Entries, LastPublish: inShanghai(u.LastPublish), URL: "/api/v1/units/" + u.Code + "/columns"}
		total += u.Entries
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"units": out, "total": len(out), "entry_count": total})
}

type columnJSON struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Parent      string     `json:"parent"`
	Description string     `json:"description"`
	Leaf        bool       `json:"leaf"`
	Delegated   bool       `json:"delegated"`
	StaleDays   int        `json:"stale_days"`
	DueMonthDay string     `json:"due_month_day,omitempty"`
	Origin      string     `json:"origin"`
	State       string     `json:"state"`
	EntryCount  int        `json:"entry_count"`
	LastPublish *time.Time `json:"last_publish"`
	Children    []string   `json:"children,omitempty"`
}

// apiUnitColumns returns a unit's catalog tree, flat in display order with
// parents named, and the counts of published entries.
func (s *Server) apiUnitColumns(w http.ResponseWriter, r *http.Request) {
	code := pathVar(r, "code")
	if !catalog.ValidUnitCode(code) {
		httpjson.Error(w, http.StatusNotFound, "not_found", "单位不存在 (no such unit)")
		return
	}
	unit, tree, err := s.unitTree(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]columnJSON, len(tree))
	index := map[string]int{}
	total := 0
	for i, c := range tree {
		out[i] = columnJSON{Code: c.Code, Name: c.Name, Parent: c.Parent, Description: c.Description, Leaf: c.Leaf,
			Delegated: c.Delegated, StaleDays: c.StaleDays, DueMonthDay: c.DueMonthDay, Origin: c.Origin, State: c.State,
			EntryCount: c.Entries, LastPublish: inShanghai(c.LastPublish)}
		index[c.Code] = i
		total += c.Entries
	}
	// A grouping column counts the entries of the columns under it.
	for i := len(out) - 1; i >= 0; i-- {
		if p, ok := index[out[i].Parent]; ok {
			out[p].Children = append([]string{out[i].Code}, out[p].Children...)
			if !out[p].Leaf {
				out[p].EntryCount += out[i].EntryCount
				out[p].LastPublish = later(out[p].LastPublish, out[i].LastPublish)
			}
		}
	}
	httpjson.Write(w, http.StatusOK, map[string]any{
		"unit":        map[string]string{"code": unit.Code, "name": unit.Name, "kind": unit.Kind},
		"columns":     out,
		"entry_count": total,
	})
}

func inShanghai(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	x := t.In(catalog.Shanghai)
	return &x
}

func later(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}
