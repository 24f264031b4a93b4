package pagecache

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func entry(body string) Fill {
	return func(gen uint64, mod time.Time) (*Entry, bool) {
		return &Entry{Status: 200, Body: []byte(body), Modified: mod}, true
	}
}

func TestDoCachesUntilBump(t *testing.T) {
	c := New(1 << 20)
	ctx := context.Background()
	steps := []struct {
		name string
		bump bool
		body string
		want string
		res  Result
	}{
		{"first render", false, "a", "a", Filled},
		{"then cached", false, "b", "a", Hit},
		{"a change drops it", true, "c", "c", Filled},
		{"cached again", false, "d", "c", Hit},
	}
	for _, s := range steps {
		if s.bump {
			c.Bump(time.Now())
		}
		e, res := c.Do(ctx, "k", 0, entry(s.body))
		if res != s.res || string(e.Body) != s.want {
			t.Errorf("%s: got %q (%v), want %q (%v)", s.name, e.Body, res, s.want, s.res)
		}
	}
}

func TestStaleRenderIsNotStored(t *testing.T) {
	c := New(1 << 20)
	// The data changes while the answer is being rendered: it is served to
	// the one who asked but not kept.
	_, res := c.Do(context.Background(), "k", 0, func(gen uint64, _ time.Time) (*Entry, bool) {
		c.Bump(time.Now())
		return &Entry{Status: 200, Body: []byte("old")}, true
	})
	if res != Filled {
		t.Fatalf("result %v", res)
	}
	if _, ok := c.Get("k", 0); ok {
		t.Error("an answer of an older generation was kept")
	}
}

func TestMaxAge(t *testing.T) {
	c := New(1 << 20)
	c.Do(context.Background(), "k", 0, entry("a"))
	if _, ok := c.Get("k", time.Hour); !ok {
		t.Error("fresh entry missed")
	}
	c.mu.Lock()
	c.items["k"].Value.(*Entry).Stored = time.Now().Add(-time.Minute)
	c.mu.Unlock()
	if _, ok := c.Get("k", time.Second); ok {
		t.Error("entry older than maxAge served")
	}
}

func TestUncachedIsNotShared(t *testing.T) {
	c := New(1 << 20)
	_, res := c.Do(context.Background(), "k", 0, func(uint64, time.Time) (*Entry, bool) { return nil, false })
	if res != Uncached {
		t.Errorf("result %v", res)
	}
	if st := c.Stats(); st.Entries != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestEvictsLeastRecentlyUsedByBytes(t *testing.T) {
	body := strings.Repeat("x", 1000)
	c := New(8 * (1000 + entryOverhead + 2)) // room for about eight entries
	ctx := context.Background()
	for _, k := range []string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"} {
		c.Do(ctx, k, 0, entry(body))
	}
	c.Get("k1", 0) // k1 is now the most recently used; k2 the least
	c.Do(ctx, "k9", 0, entry(body))
	if _, ok := c.Get("k2", 0); ok {
		t.Error("least recently used entry kept")
	}
	if _, ok := c.Get("k1", 0); !ok {
		t.Error("recently used entry evicted")
	}
	if st := c.Stats(); st.Bytes > c.max {
		t.Errorf("holds %d bytes, bound %d", st.Bytes, c.max)
	}
	// An answer bigger than an eighth of the cache is never kept.
	c.Do(ctx, "big", 0, entry(strings.Repeat("y", 5000)))
	if _, ok := c.Get("big", 0); ok {
		t.Error("oversized entry kept")
	}
}

func TestConcurrentMissesRenderOnce(t *testing.T) {
	c := New(1 << 20)
	release := make(chan struct{})
	var mu sync.Mutex
	renders := 0
	fill := func(uint64, time.Time) (*Entry, bool) {
		mu.Lock()
		renders++
		mu.Unlock()
		<-release
		return &Entry{Status: 200, Body: []byte("page")}, true
	}
	const n = 20
	var wg sync.WaitGroup
	results := make(chan Result, n)
	started := make(chan struct{}, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			e, res := c.Do(context.Background(), "k", 0, fill)
			if e == nil || string(e.Body) != "page" {
				t.Errorf("answer %v", e)
			}
			results <- res
		}()
	}
	for range n {
		<-started
	}
	// Wait until the first render is under way, then let it finish.
	for {
		c.mu.Lock()
		_, busy := c.calls["k"]
		c.mu.Unlock()
		if busy {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(results)
	if renders != 1 {
		// Late arrivals may hit the cache; none may render a second time.
		t.Errorf("%d renders for %d concurrent requests", renders, n)
	}
	for r := range results {
		if r == Uncached {
			t.Error("a request got no answer")
		}
	}
}
