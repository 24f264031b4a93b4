package portal

import (
	"context"
	"net/http"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// emergencyColumn is 应急管理: its entries answer pressing public questions
// and are pinned to the home page.
const emergencyColumn = "yjgl"

// How many entries the home page lists.
const (
	homeLatest    = 10
	homePinned    = 5
	unitLatestLen = 8
)

// unitGroup is the units of one kind (部门, 直属机构, 管委会, 其他).
type unitGroup struct {
	Kind    string
	Units   []store.UnitStats
	Entries int
}

// groupUnits sorts units under their kinds, in the city office's order of
// kinds; a kind not in that list comes last.
func groupUnits(units []store.UnitStats) []unitGroup {
	var groups []unitGroup
	at := map[string]int{}
	for _, k := range catalog.UnitKinds {
		at[k] = len(groups)
		groups = append(groups, unitGroup{Kind: k})
	}
	for _, u := range units {
		i, ok := at[u.Kind]
		if !ok {
			i = len(groups)
			at[u.Kind] = i
			groups = append(groups, unitGroup{Kind: u.Kind})
		}
		groups[i].Units = append(groups[i].Units, u)
		groups[i].Entries += u.Entries
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Units) > 0 {
			out = append(out, g)
		}
	}
	return out
}

type homeView struct {
	Latest  []store.EntrySummary
	Pinned  []store.EntrySummary
	Groups  []unitGroup
	Units   int
	Entries int
}

func (s *Server) loadHome(ctx context.Context) (homeView, error) {
	var v homeView
	lists, err := s.homeEntryLists(ctx)
	if err != nil {
		return v, err
	}
	v.Latest, v.Pinned = lists.latest, lists.pinned
	units, err := s.unitsWithStats(ctx)
	if err != nil {
		return v, err
	}
	v.Groups, v.Units = groupUnits(units), len(units)
	for _, u := range units {
		v.Entries += u.Entries
	}
	return v, nil
}

// homePage shows pinned emergency responses, the latest entries and the
// units by kind.
func (s *Server) homePage(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadHome(r.Context())
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home.html", v)
}
