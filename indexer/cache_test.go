package indexer

import "testing"

func TestResultCacheFollowsIndexState(t *testing.T) {
	c := newResultCache(2)
	st := cacheState{generation: "gen-1", checkpoint: 10}
	a := Request{Q: "公积金", Filters: map[string][]string{"unit": {"b", "a"}}, Page: 1, Size: 20}
	same := Request{Q: "公积金", Filters: map[string][]string{"unit": {"a", "b"}}, Page: 1, Size: 20}
	if _, ok := c.get(cacheKey(a), st); ok {
		t.Fatal("empty cache answered")
	}
	c.put(cacheKey(a), st, &Result{Total: 3})
	if res, ok := c.get(cacheKey(same), st); !ok || res.Total != 3 {
		t.Fatalf("same request in another order: %v %v", res, ok)
	}
	for _, tc := range []struct {
		name string
		req  Request
		st   cacheState
	}{
		{"other page", Request{Q: "公积金", Filters: a.Filters, Page: 2, Size: 20}, st},
		{"title only", Request{Q: "公积金", Filters: a.Filters, Page: 1, Size: 20, TitleOnly: true}, st},
		{"index changed", a, cacheState{generation: "gen-1", checkpoint: 11}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := c.get(cacheKey(tc.req), tc.st); ok {
				t.Error("answered from the cache")
			}
		})
	}
	// The change emptied the cache; an answer computed before it is not kept.
	c.put(cacheKey(a), st, &Result{Total: 3})
	if _, ok := c.get(cacheKey(a), cacheState{generation: "gen-1", checkpoint: 11}); ok {
		t.Error("stale answer kept")
	}
	// Least recently used answers go first.
	now := cacheState{generation: "gen-1", checkpoint: 11}
	for _, q := range []string{"一", "二", "三"} {
		c.put(cacheKey(Request{Q: q}), now, &Result{Total: 1})
	}
	if _, ok := c.get(cacheKey(Request{Q: "一"}), now); ok {
		t.Error("cache grew beyond its size")
	}
}
