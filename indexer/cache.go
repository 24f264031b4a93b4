package indexer

import (
	"container/list"
	"encoding/json"
	"slices"
	"sync"
)

// defaultCacheSize is how many answers the result cache keeps.
const defaultCacheSize = 512

// resultCache keeps the answers of recent searches until the index
// changes: a catalog changes a few times a day and people ask the same
// questions, so most searches are repeats (Groonga keeps such a cache by
// default, too). Every answer belongs to one state of the index — the
// generation, the last change applied and the synonym list — and the
// first search that sees another state empties the cache.
type resultCache struct {
	mu    sync.Mutex
	max   int
	state cacheState
	items map[string]*list.Element
	order *list.List // most recently used first
}

// cacheState is what a cached answer depends on besides the request.
type cacheState struct {
	generation string
	checkpoint int64
	synonyms   *synonyms
}

type cached struct {
	key string
	res Result
}

func newResultCache(max int) *resultCache {
	return &resultCache{max: max, items: map[string]*list.Element{}, order: list.New()}
}

// cacheKey is the request in a canonical form.
func cacheKey(r Request) string {
	filters := make([][]string, 0, len(FacetFields))
	for _, f := range FacetFields {
		vs := slices.Clone(r.Filters[f])
		slices.Sort(vs)
		filters = append(filters, vs)
	}
	b, _ := json.Marshal([]any{r.Q, filters, r.sort(), r.Page, r.Size, r.After, r.TitleOnly, r.NoCorrect})
	return string(b)
}

// get returns a copy of the cached answer, if there is one for this state.
func (c *resultCache) get(key string, st cacheState) (*Result, bool) {
	if c == nil || c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != st {
		c.state = st
		clear(c.items)
		c.order.Init()
		return nil, false
	}
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	res := el.Value.(*cached).res
	return &res, true
}

// put keeps an answer computed on state st.
func (c *resultCache) put(key string, st cacheState, res *Result) {
	if c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != st {
		return // the index moved on while this answer was computed
	}
	if el, ok := c.items[key]; ok {
		el.Value.(*cached).res = *res
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&cached{key: key, res: *res})
	for c.order.Len() > c.max {
		last := c.order.Back()
		delete(c.items, last.Value.(*cached).key)
		c.order.Remove(last)
	}
}
