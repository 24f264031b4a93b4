package portal

import (
	"context"
	"sync"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// aggregates keeps what the public pages count over the entries — per
// unit, per column, the home page's lists — for one generation of the
// page cache, so no page counts entries per request: a change to the
// store starts a new generation and the next reader loads them once.
type aggregates struct {
	cache *pageCache

	mu    sync.Mutex
	gen   uint64
	items map[string]any
}

// aggregate returns what load gives for key in the current generation,
// loading it once per generation. Errors are not kept. A load that
// overlaps a change is kept under the generation it started in, which
// the change has already made stale.
func aggregate[T any](ctx context.Context, a *aggregates, key string, load func() (T, error)) (T, error) {
	a.cache.refresh(ctx, false)
	gen, _ := a.cache.pages.Generation()
	a.mu.Lock()
	if a.gen == gen {
		if v, ok := a.items[key]; ok {
			a.mu.Unlock()
			return v.(T), nil
		}
	}
	a.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if now, _ := a.cache.pages.Generation(); now != gen {
		return v, nil
	}
	if a.gen != gen || a.items == nil {
		a.gen, a.items = gen, map[string]any{}
	}
	a.items[key] = v
	return v, nil
}

// unitsWithStats is store.UnitsWithStats, counted once per generation.
func (s *Server) unitsWithStats(ctx context.Context) ([]store.UnitStats, error) {
	return aggregate(ctx, &s.traffic.agg, "units", func() ([]store.UnitStats, error) { return s.Store.UnitsWithStats(ctx) })
}

// unitTree loads a unit and its catalog tree with counts, for the tree's
// page, a column's page and the JSON API alike, once per generation. Only
// units that exist are kept, so the map is bounded by the catalog.
func (s *Server) unitTree(ctx context.Context, code string) (catalog.Unit, []store.TreeColumnStats, error) {
	type unitTree struct {
		unit catalog.Unit
		tree []store.TreeColumnStats
	}
	v, err := aggregate(ctx, &s.traffic.agg, "tree\x00"+code, func() (unitTree, error) {
		unit, err := s.Store.Unit(ctx, code)
		if err != nil {
			return unitTree{}, err
		}
		tree, err := s.Store.TreeWithStats(ctx, code)
		return unitTree{unit, tree}, err
	})
	return v.unit, v.tree, err
}

// homeLists are the home page's latest and pinned entries.
type homeLists struct {
	latest, pinned []store.EntrySummary
}

func (s *Server) homeEntryLists(ctx context.Context) (homeLists, error) {
	return aggregate(ctx, &s.traffic.agg, "home", func() (homeLists, error) {
		latest, err := s.Store.PublishedEntries(ctx, store.EntryList{Limit: homeLatest})
		if err != nil {
			return homeLists{}, err
		}
		pinned, err := s.Store.PinnedEntries(ctx, homePinned)
		return homeLists{latest, pinned}, err
	})
}
