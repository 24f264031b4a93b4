package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gongkai/internal/clientip"
	"gongkai/internal/pagecache"
)

// Public pages and JSON are kept in memory as rendered bytes until the
// store's change log moves on (docs/caching-and-limits.md). Each answer
// carries a strong ETag (a hash of its bytes), a Last-Modified (when the
// change that made the data happened) and a Cache-Control a CDN can act
// on; a client that already has the bytes gets 304.

// Cache-Control of each kind of answer. Pages may be reused for a
// minute, and for 30 s more while a cache fetches the new copy: a change
// (a withdrawal above all) reaches every CDN within about a minute and a
// half. An entry's page and files are the ones a withdrawal takes down, so
// a cache must ask again after the minute, never serve them stale. Search
// answers depend on every entry at once: a cache keeps them but asks each
// time, which costs a 304 when nothing changed. The back office and
// anything that sets a cookie is never kept anywhere.
const (
	ccPage    = "public, max-age=60, stale-while-revalidate=30"
	ccEntry   = "public, max-age=60, must-revalidate"
	ccSearch  = "public, no-cache"
	ccPrivate = "private, no-store"
)

// searchMaxAge bounds how long a search answer is reused in memory: what
// people search for (the popular list of an empty search) and the
// office's synonym list change without the change log moving.
const searchMaxAge = 5 * time.Second

// refreshTimeout bounds the look at the change log's sequence.
const refreshTimeout = 2 * time.Second

// maxCachedAnswer is the largest answer kept; a bigger one streams past
// the cache.
const maxCachedAnswer = 2 << 20

// cachePolicy says how the answers of a route are cached.
type cachePolicy struct {
	store   bool          // kept in the page cache
	control string        // Cache-Control
	maxAge  time.Duration // in-memory bound besides the generation (0: none)
	search  bool          // a search: counted for the popular list on a hit
}

// cachedRoutes are the public GET routes whose answers are kept.
var cachedRoutes = map[string]cachePolicy{
	"/":                                   {store: true, control: ccPage},
	"/units":                              {store: true, control: ccPage},
	"/units/{code}":                       {store: true, control: ccPage},
	"/units/{code}/columns/{col}":         {store: true, control: ccPage},
	"/units/{code}/rss.xml":               {store: true, control: ccPage},
	"/units/{code}/columns/{col}/rss.xml": {store: true, control: ccPage},
	"/sitemap.xml":                        {store: true, control: ccPage},
	"/sitemaps/catalog.xml":               {store: true, control: ccPage},
	"/sitemaps/entries-{n:[0-9]+}.xml":    {store: true, control: ccPage},
	"/entries/{id}":                       {store: true, control: ccEntry},
	"/api/v1/entries/{id}":                {store: true, control: ccEntry},
	"/api/v1/units":                       {store: true, control: ccPage},
	"/api/v1/units/{code}/columns":        {store: true, control: ccPage},
	// Search answers come from this replica's index, which may not yet
	// have applied the change that moved the generation: they are kept
	// under the index's version as well (cachePages), so a publish shows
	// the moment this replica's index holds it.
	"/search":                          {store: true, control: ccSearch, maxAge: searchMaxAge, search: true},
	"/api/v1/search":                   {store: true, control: ccSearch, maxAge: searchMaxAge, search: true},
	"/opendata/":                       {store: true, control: ccPage},
	"/opendata/datasets/{id}":          {store: true, control: ccPage},
	"/opendata/api/datasets":           {store: true, control: ccPage},
	"/opendata/api/datasets/{id}":      {store: true, control: ccPage},
	"/opendata/catalog.jsonld":         {store: true, control: ccPage},
	"/api/3/action/{action}":           {store: true, control: ccPage},
	"/api/action/{action}":             {store: true, control: ccPage},
	"/files/{entry}/{n:[0-9]+}":        {control: ccEntry},
	"/opendata/api/datasets/{id}/rows": {},
	"/opendata/datasets/{id:[A-Za-z0-9._-]+}.{format:csv|jsonl|json|xlsx}": {},
}

// policyOf is the caching of a matched request.
func policyOf(r *http.Request, route string) cachePolicy {
	if isBackOffice(r.URL.Path) {
		return cachePolicy{control: ccPrivate}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return cachePolicy{}
	}
	p := cachedRoutes[route]
	if p.store && strings.HasPrefix(route, "/api/") && strings.Contains(route, "{action}") {
		// CKAN: the catalog's reads are kept; row reads are not.
		if strings.HasPrefix(pathVar(r, "action"), "datastore") {
			return cachePolicy{}
		}
	}
	return p
}

func isBackOffice(path string) bool {
	return path == "/console" || strings.HasPrefix(path, "/console/") ||
		path == "/api/v1/console" || strings.HasPrefix(path, "/api/v1/console/")
}

// pageCache is the page cache and what keeps it in step with the store.
type pageCache struct {
	pages   *pagecache.Cache
	seq     func(context.Context) (int64, error)
	lastMod func(context.Context) (time.Time, error)
	recheck time.Duration
	log     *slog.Logger

	checked atomic.Int64 // unix nanoseconds of the last look at the change log
	lastSeq atomic.Int64 // the sequence the current generation belongs to (-1: none yet)
	hits    atomic.Int64
	misses  atomic.Int64
}

func newPageCache(maxBytes int64, recheck time.Duration, seq func(context.Context) (int64, error),
	lastMod func(context.Context) (time.Time, error), log *slog.Logger) *pageCache {
	pc := &pageCache{pages: pagecache.New(maxBytes), seq: seq, lastMod: lastMod, recheck: recheck, log: log}
	pc.lastSeq.Store(-1)
	return pc
}

// refresh reads the change log's sequence — one primary-key lookup — and
// starts a new generation if it moved. Unforced, it looks at most once
// per recheck interval (several replicas on one database each look at the
// shared sequence, so a change made anywhere reaches them all); forced,
// it looks now, after a write through this process. It reports whether
// it started a new generation.
func (pc *pageCache) refresh(ctx context.Context, force bool) (moved bool) {
	now := time.Now().UnixNano()
	if !force && pc.recheck > 0 {
		last := pc.checked.Load()
		if now-last < int64(pc.recheck) || !pc.checked.CompareAndSwap(last, now) {
			return false
		}
	} else {
		pc.checked.Store(now)
	}
	// Not the request's context: a client that goes away must not leave
	// the cache unrefreshed. Bounded, though: a slow database delays the
	// answer by at most refreshTimeout, and the cached answers stand.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	seq, err := pc.seq(ctx)
	if err != nil {
		// The cached answers stand until the store answers again.
		pc.log.Warn("page cache: change log not read", slog.Any("err", err))
		return false
	}
	if old := pc.lastSeq.Load(); old != seq && pc.lastSeq.CompareAndSwap(old, seq) {
		at := time.Now()
		if t, err := pc.lastMod(ctx); err == nil && !t.IsZero() {
			at = t
		}
		pc.pages.Bump(at)
		return true
	}
	return false
}

// cachePages serves the public pages and JSON from the page cache, sets
// every answer's Cache-Control, and after a write through this process
// starts a new generation before the writer sees its answer.
func (s *Server) cachePages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pc := s.traffic.cache
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			// The write has committed when the handler returns; its answer
			// is still in the server's buffer, so the next page anyone
			// asks for already shows it.
			defer pc.refresh(r.Context(), true)
		}
		route := routeName(r)
		pol := policyOf(r, route)
		if !pol.store {
			next.ServeHTTP(&controlWriter{ResponseWriter: w, control: pol.control}, r)
			return
		}
		pc.refresh(r.Context(), false)
		key := cacheKey(r)
		if pol.search {
			v := s.indexVersion()
			if v == "" {
				next.ServeHTTP(&controlWriter{ResponseWriter: w, control: pol.control}, r)
				return
			}
			key += "\x00index " + v
		}
		var rec *recorder
		e, res := pc.pages.Do(r.Context(), key, pol.maxAge, func(gen uint64, modified time.Time) (*pagecache.Entry, bool) {
			rec = &recorder{w: w, header: http.Header{}, control: pol.control}
			get := r
			if r.Method == http.MethodHead {
				get = r.Clone(r.Context())
				get.Method = http.MethodGet
			}
			next.ServeHTTP(rec, get)
			e, ok := rec.entry(pol.control, modified)
			if ok && !pol.search && pol.maxAge == 0 {
				// Nothing but the generation bounds it: a later GET may
				// take it before routing.
				e.Label = route
			}
			return e, ok
		})
		switch res {
		case pagecache.Hit:
			pc.hits.Add(1)
			if pol.search {
				s.countCachedSearch(r, e)
			}
			serveCached(w, r, e)
		case pagecache.Filled, pagecache.Shared:
			pc.misses.Add(1)
			if res == pagecache.Shared && pol.search {
				// Another request's search made the answer: this one was
				// not counted by the index.
				s.countCachedSearch(r, e)
			}
			serveCached(w, r, e)
		default:
			pc.misses.Add(1)
			if rec != nil {
				rec.finish(r)
				return
			}
			next.ServeHTTP(&controlWriter{ResponseWriter: w}, r)
		}
	})
}

// serveHit answers a GET of a public page or JSON from the page cache
// before the router runs, when the answer is there: matching the route
// and setting the request's deadline cost more than serving the bytes.
// The request is still given its id, counted and timed under the route
// the answer was made for, logged, and held to the cap on requests in
// flight. Searches (rate-limited, counted for the popular list, kept 5 s
// at most), HEAD (whose routes differ) and the back office take the
// routed path, as does anything not in the cache; it reports whether it
// answered.
func (s *Server) serveHit(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || s.traffic == nil || isBackOffice(r.URL.Path) {
		return false
	}
	t := s.traffic
	pc := t.cache
	key := cacheKey(r)
	// Look first, so that what is never kept (probes, files, downloads)
	// costs no look at the change log; an answer the look makes stale
	// (the generation moved) is left to the routed path to render.
	e, ok := pc.pages.Get(key, 0)
	if !ok || e.Label == "" || pc.refresh(r.Context(), false) {
		return false
	}
	s.observe(w, r, e.Label, func(w http.ResponseWriter, r *http.Request) {
		if !t.enter() {
			s.turnAway(w, r, http.StatusServiceUnavailable, time.Second)
			return
		}
		defer t.leave()
		pc.hits.Add(1)
		serveCached(w, r, e)
	})
	return true
}

// cacheKey names an answer by what it shows: the path, the query in a
// canonical order and the display mode (the only cookie a public page
// reads). HEAD shares GET's answer.
func cacheKey(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.URL.EscapedPath())
	if r.URL.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(r.URL.Query().Encode())
	}
	if c, err := r.Cookie(displayCookie); err == nil && c.Value == "large" {
		b.WriteString("\x00large")
	}
	return b.String()
}

// indexVersion is the version of the index searches are answered from,
// "" when there is none (searches then answer 503 and are not kept).
func (s *Server) indexVersion() string {
	if s.Index == nil {
		return ""
	}
	return s.Index.Version()
}

// countCachedSearch tells the index about a search answered from the
// page cache, as it counts the ones it answers itself: a first page with
// a query and hits.
func (s *Server) countCachedSearch(r *http.Request, e *pagecache.Entry) {
	if s.Index == nil || e.Header.Get(searchZeroHeader) != "" {
		return
	}
	q := r.URL.Query()
	if p := q.Get("page"); (p != "" && p != "1") || q.Get("after") != "" || strings.TrimSpace(q.Get("q")) == "" {
		return
	}
	s.Index.CountQueryFrom(q.Get("q"), clientip.From(r))
}

// searchZeroHeader marks, inside the cache only, a search answer that
// found nothing: the index does not count such queries as popular.
const searchZeroHeader = "X-Gongkai-No-Hits"

// zeroHits recognises a search answer that found nothing, from its bytes:
// the API's JSON starts with its total, the page states it.
func zeroHits(body []byte) bool {
	return bytes.HasPrefix(body, []byte(`{"total":0,`)) || bytes.Contains(body, []byte("找到 0 条相关信息"))
}

// serveCached writes a cached answer, or 304 when the client holds it.
func serveCached(w http.ResponseWriter, r *http.Request, e *pagecache.Entry) {
	h := w.Header()
	for k, v := range e.Header {
		if k != searchZeroHeader {
			h[k] = v
		}
	}
	if notModified(r, e) {
		h.Del("Content-Length")
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.Body)
	}
}

// notModified applies If-None-Match, or failing that If-Modified-Since.
func notModified(r *http.Request, e *pagecache.Entry) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == e.ETag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !e.Modified.Truncate(time.Second).After(t)
	}
	return false
}

// recorder takes a page's answer in memory; an answer larger than
// maxCachedAnswer spills to the client as it comes and is not kept.
type recorder struct {
	w       http.ResponseWriter
	header  http.Header
	control string
	status  int
	buf     bytes.Buffer
	spilled bool
}

func (rc *recorder) Header() http.Header { return rc.header }

func (rc *recorder) WriteHeader(code int) {
	if rc.status == 0 {
		rc.status = code
	}
}

func (rc *recorder) Write(b []byte) (int, error) {
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	if rc.spilled {
		return rc.w.Write(b)
	}
	if rc.buf.Len()+len(b) > maxCachedAnswer {
		rc.spill()
		return rc.w.Write(b)
	}
	return rc.buf.Write(b)
}

// spill sends what was taken so far and lets the rest through.
func (rc *recorder) spill() {
	rc.spilled = true
	rc.copyHeader()
	rc.w.WriteHeader(rc.status)
	_, _ = rc.w.Write(rc.buf.Bytes())
	rc.buf = bytes.Buffer{}
}

func (rc *recorder) copyHeader() {
	h := rc.w.Header()
	for k, v := range rc.header {
		h[k] = v
	}
	setControl(h, rc.control)
}

// entry makes the cached answer: only a plain 200 that sets no cookie and
// that its handler did not mark as private.
func (rc *recorder) entry(control string, modified time.Time) (*pagecache.Entry, bool) {
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	cc := rc.header.Get("Cache-Control")
	if rc.spilled || rc.status != http.StatusOK || rc.header.Get("Set-Cookie") != "" ||
		strings.Contains(cc, "no-store") || strings.Contains(cc, "private") {
		return nil, false
	}
	body := bytes.Clone(rc.buf.Bytes())
	sum := sha256.Sum256(body)
	h := make(http.Header, len(rc.header)+4)
	for k, v := range rc.header {
		h[k] = slices.Clip(slices.Clone(v))
	}
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h["Etag"] = []string{etag}
	h["Last-Modified"] = []string{modified.UTC().Format(http.TimeFormat)}
	h["Cache-Control"] = []string{control}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	if control == ccSearch && zeroHits(body) {
		h[searchZeroHeader] = []string{"1"}
	}
	return &pagecache.Entry{Status: rc.status, Header: h, Body: body, ETag: etag, Modified: modified}, true
}

// finish sends an answer that is not kept, as it was made.
func (rc *recorder) finish(r *http.Request) {
	if rc.spilled {
		return
	}
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	rc.control = ""
	rc.copyHeader()
	rc.w.WriteHeader(rc.status)
	if r.Method != http.MethodHead {
		_, _ = rc.w.Write(rc.buf.Bytes())
	}
}

// setControl sets Cache-Control: the route's, if it has one, and private,
// no-store whatever the route when the answer sets a cookie.
// An answer its handler already marked no-store keeps that (stricter
// than any route's).
func setControl(h http.Header, control string) {
	if control == ccPrivate || h.Get("Set-Cookie") != "" {
		if !strings.Contains(h.Get("Cache-Control"), "no-store") {
			h.Set("Cache-Control", ccPrivate)
		}
		return
	}
	if control != "" {
		h.Set("Cache-Control", control)
	}
}

// controlWriter sets an answer's Cache-Control as its headers go out.
type controlWriter struct {
	http.ResponseWriter
	control string
	done    bool
}

func (cw *controlWriter) WriteHeader(code int) {
	if !cw.done {
		cw.done = true
		setControl(cw.Header(), cw.control)
	}
	cw.ResponseWriter.WriteHeader(code)
}

func (cw *controlWriter) Write(b []byte) (int, error) {
	if !cw.done {
		cw.WriteHeader(http.StatusOK)
	}
	return cw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (flushes and
// write deadlines of long downloads).
func (cw *controlWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }
