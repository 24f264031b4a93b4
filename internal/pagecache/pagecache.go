// Package pagecache keeps rendered answers (pages and JSON) in memory,
// bounded in bytes and evicted least recently used first. Every answer
// belongs to a generation of the data it was made from; a new generation
// (the store's change log moved on) makes every older answer stale at
// once. Concurrent misses of one key are filled once: the first request
// renders, the others wait for its answer, so a spike after a change costs
// one render per page rather than one per reader.
package pagecache

import (
	"container/list"
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Entry is one cached answer.
type Entry struct {
	Status   int
	Header   http.Header // the answer's own headers, without the caching ones
	Body     []byte
	ETag     string    // strong, quoted
	Modified time.Time // Last-Modified: when the generation began
	Stored   time.Time
	// Label is the caller's note on the answer (the portal: the route it
	// was made for, when a later request may take it before routing).
	Label string

	gen  uint64
	key  string
	size int64
}

// entryOverhead is what an entry costs besides its body and key: the
// header map, the list element, the map slot.
const entryOverhead = 512

// Cache is safe for concurrent use.
type Cache struct {
	max int64

	mu    sync.Mutex
	size  int64
	items map[string]*list.Element
	order *list.List // most recently used first
	calls map[string]*call

	gen     atomic.Uint64
	genTime atomic.Int64 // unix nanoseconds
}

type call struct {
	done  chan struct{}
	entry *Entry // nil: the answer could not be shared
}

// New makes a cache of at most maxBytes; zero or less keeps nothing (every
// lookup misses, concurrent misses are still filled once).
func New(maxBytes int64) *Cache {
	c := &Cache{max: maxBytes, items: map[string]*list.Element{}, order: list.New(), calls: map[string]*call{}}
	c.gen.Store(1)
	c.genTime.Store(time.Now().UnixNano())
	return c
}

// Generation is the current generation and when it began.
func (c *Cache) Generation() (uint64, time.Time) {
	return c.gen.Load(), time.Unix(0, c.genTime.Load())
}

// Bump starts a new generation that began at at: everything cached is
// dropped.
func (c *Cache) Bump(at time.Time) {
	c.mu.Lock()
	c.genTime.Store(at.UnixNano())
	c.gen.Add(1)
	clear(c.items)
	c.order.Init()
	c.size = 0
	c.mu.Unlock()
}

// SetModified sets when the current generation began, without dropping
// anything (the time of the last change, once known).
func (c *Cache) SetModified(at time.Time) { c.genTime.Store(at.UnixNano()) }

// Stats is the cache's occupancy.
type Stats struct {
	Entries int
	Bytes   int64
}

// Stats reports how many answers and bytes are held.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Entries: len(c.items), Bytes: c.size}
}

// Get returns the answer cached under key, if it belongs to the current
// generation and, with maxAge > 0, is younger than maxAge.
func (c *Cache) Get(key string, maxAge time.Duration) (*Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(key, maxAge)
}

func (c *Cache) getLocked(key string, maxAge time.Duration) (*Entry, bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*Entry)
	if e.gen != c.gen.Load() || (maxAge > 0 && time.Since(e.Stored) > maxAge) {
		c.removeLocked(el)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e, true
}

func (c *Cache) removeLocked(el *list.Element) {
	e := el.Value.(*Entry)
	c.order.Remove(el)
	delete(c.items, e.key)
	c.size -= e.size
}

// put stores e under key if it still belongs to the current generation
// and is no larger than an eighth of the cache.
func (c *Cache) put(key string, e *Entry) {
	size := int64(len(e.Body)+len(key)) + entryOverhead
	for k, vs := range e.Header {
		size += int64(len(k))
		for _, v := range vs {
			size += int64(len(v))
		}
	}
	if c.max <= 0 || size > c.max/8 {
		return
	}
	e.key, e.size = key, size
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen.Load() {
		return
	}
	if old, ok := c.items[key]; ok {
		c.removeLocked(old)
	}
	c.items[key] = c.order.PushFront(e)
	c.size += size
	for c.size > c.max {
		c.removeLocked(c.order.Back())
	}
}

// Put stores an answer made outside Do (a download kept as it streamed)
// under key, in the current generation; Get finds it until the next
// generation. An answer larger than an eighth of the cache is not kept.
func (c *Cache) Put(key string, e *Entry) {
	e.gen = c.gen.Load()
	if e.Stored.IsZero() {
		e.Stored = time.Now()
	}
	c.put(key, e)
}

// Result says how Do came by its answer.
type Result int

const (
	// Hit: the answer was in the cache.
	Hit Result = iota
	// Filled: this call rendered the answer and it is now cached.
	Filled
	// Shared: another call was rendering the same key; its answer is used.
	Shared
	// Uncached: there is no shareable answer. If this call rendered it
	// (fill ran), the renderer has it; otherwise the caller renders alone.
	Uncached
)

// Fill renders an answer for the given generation. ok false means the
// answer must not be cached or shared (an error, a cookie, too large).
type Fill func(gen uint64, modified time.Time) (e *Entry, ok bool)

// Do returns the answer for key: from the cache, from a render already
// under way for the same key (waiting for it, at most until ctx ends), or
// by calling fill and caching what it returns.
func (c *Cache) Do(ctx context.Context, key string, maxAge time.Duration, fill Fill) (*Entry, Result) {
	c.mu.Lock()
	if e, ok := c.getLocked(key, maxAge); ok {
		c.mu.Unlock()
		return e, Hit
	}
	if cl, ok := c.calls[key]; ok {
		c.mu.Unlock()
		select {
		case <-cl.done:
			if cl.entry != nil {
				return cl.entry, Shared
			}
		case <-ctx.Done():
		}
		return nil, Uncached
	}
	cl := &call{done: make(chan struct{})}
	c.calls[key] = cl
	c.mu.Unlock()

	gen, modified := c.Generation()
	var e *Entry
	ok := false
	defer func() {
		// A panicking fill still releases the waiters, with nothing to share.
		if ok {
			cl.entry = e
		}
		c.mu.Lock()
		delete(c.calls, key)
		c.mu.Unlock()
		close(cl.done)
	}()
	e, ok = fill(gen, modified)
	if !ok || e == nil {
		ok = false
		return nil, Uncached
	}
	e.gen = gen
	if e.Stored.IsZero() {
		e.Stored = time.Now()
	}
	c.put(key, e)
	return e, Filled
}
