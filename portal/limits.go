package portal

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"gongkai/internal/clientip"
	"gongkai/internal/config"
	"gongkai/internal/httpjson"
)

// traffic is what the server does about load: the client address behind
// the trusted proxies, the cap on requests in flight, the per-client rate
// limits, the page cache and the aggregates (docs/caching-and-limits.md).
type traffic struct {
	clients  *clientip.Resolver
	inFlight atomic.Int64
	maxIn    int64 // 0: no cap
	classes  map[limitClass]*clientLimiter
	cache    *pageCache
	agg      aggregates
	refused  atomic.Int64
}

// limitClass names a per-client rate limit.
type limitClass string

const (
	limitSearch    limitClass = "search"
	limitRows      limitClass = "rows"
	limitDownloads limitClass = "downloads"
)

// maxLimitedClients bounds how many clients each limit remembers.
const maxLimitedClients = 16384

func (s *Server) setupTraffic() {
	l := s.Limits
	t := &traffic{clients: clientip.New(l.TrustedProxies), maxIn: int64(max(l.MaxInFlight, 0)), classes: map[limitClass]*clientLimiter{}}
	for class, r := range map[limitClass]config.Rate{limitSearch: l.Search, limitRows: l.Rows, limitDownloads: l.Downloads} {
		if !r.Off() {
			t.classes[class] = newClientLimiter(r, maxLimitedClients)
		}
	}
	t.cache = newPageCache(l.PageCacheBytes, l.CacheRecheck, s.Store.ChangeSeq,
		func(ctx context.Context) (time.Time, error) { _, at, err := s.Store.LastChange(ctx); return at, err }, s.Log)
	t.agg.cache = t.cache
	s.traffic = t
	// Register rather than MustRegister: a second server on the same
	// registry (a test's) keeps the first one's figures.
	for _, c := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongkai_page_cache_hits_total",
			Help: "Public pages and JSON answered from the page cache."}, func() float64 { return float64(t.cache.hits.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongkai_page_cache_misses_total",
			Help: "Cacheable public pages and JSON that had to be rendered."}, func() float64 { return float64(t.cache.misses.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gongkai_page_cache_bytes",
			Help: "Bytes the page cache holds."}, func() float64 { return float64(t.cache.pages.Stats().Bytes) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongkai_http_refused_total",
			Help: "Requests refused by the in-flight cap (503) or a per-client rate limit (429)."}, func() float64 { return float64(t.refused.Load()) }),
	} {
		_ = s.Metrics.Registry.Register(c)
	}
}

// trafficGate resolves the client's address, holds the cap on requests in
// flight and the per-client rate limits, in that order.
func (s *Server) trafficGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := s.traffic
		client := t.clients.Client(r)
		r = r.WithContext(clientip.WithClient(r.Context(), client))
		route := routeName(r)
		if !exemptFromCap(route) {
			if !t.enter() {
				s.turnAway(w, r, http.StatusServiceUnavailable, time.Second)
				return
			}
			defer t.leave()
		}
		if class, ok := limitClassOf(r, route); ok {
			if l := t.classes[class]; l != nil {
				if wait, ok := l.allow(client, time.Now()); !ok {
					s.Log.LogAttrs(r.Context(), slog.LevelInfo, "rate limited", slog.String("request_id", requestID(r.Context())),
						slog.String("limit", string(class)), slog.String("route", route))
					s.turnAway(w, r, http.StatusTooManyRequests, wait)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// enter counts a request in flight, or reports false when the cap is
// reached (the caller answers 503); leave must follow a true enter.
func (t *traffic) enter() bool {
	if t.maxIn <= 0 {
		return true
	}
	if t.inFlight.Add(1) > t.maxIn {
		t.inFlight.Add(-1)
		return false
	}
	return true
}

func (t *traffic) leave() {
	if t.maxIn > 0 {
		t.inFlight.Add(-1)
	}
}

// exemptFromCap are the probes: a load balancer must still learn that
// the process lives while it is busy.
func exemptFromCap(route string) bool {
	return route == "/healthz" || route == "/readyz" || route == "/metrics"
}

// limitClassOf says which per-client limit a request counts against.
func limitClassOf(r *http.Request, route string) (limitClass, bool) {
	switch route {
	case "/search", "/api/v1/search":
		return limitSearch, true
	case "/opendata/api/datasets/{id}/rows":
		return limitRows, true
	case "/api/3/action/{action}", "/api/action/{action}":
		if strings.HasPrefix(pathVar(r, "action"), "datastore") {
			return limitRows, true
		}
	case "/opendata/datasets/{id:[A-Za-z0-9._-]+}.{format:csv|jsonl|json|xlsx}", "/files/{entry}/{n:[0-9]+}":
		return limitDownloads, true
	}
	return "", false
}

// turnAway answers 429 or 503 with Retry-After: JSON for programs, a short
// page for people.
func (s *Server) turnAway(w http.ResponseWriter, r *http.Request, status int, wait time.Duration) {
	s.traffic.refused.Add(1)
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("Cache-Control", ccPrivate)
	code, msg := "rate_limited", "请求过于频繁，请 "+strconv.Itoa(secs)+" 秒后再试 (too many requests)"
	if status == http.StatusServiceUnavailable {
		code, msg = "busy", "服务繁忙，请稍后再试 (server busy)"
	}
	if status == http.StatusTooManyRequests && wantsPage(r) && !strings.HasPrefix(r.URL.Path, "/opendata/datasets/") {
		s.render(w, r, status, "error.html", errorView{Status: status, Heading: "访问过于频繁", Message: msg})
		return
	}
	if status == http.StatusServiceUnavailable && wantsPage(r) {
		// No template under overload: a few fixed bytes.
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<!doctype html><meta charset=utf-8><title>服务繁忙</title><p>系统暂时繁忙，请稍后刷新重试。</p>\n"))
		return
	}
	httpjson.Error(w, status, code, msg)
}

// clientLimiter is a token bucket per client address, for at most max
// clients: when full, clients whose bucket has refilled (idle long enough
// to be indistinguishable from a new one) are forgotten first.
type clientLimiter struct {
	rate  config.Rate
	idle  time.Duration // after this long unused a bucket is full again
	max   int
	mu    sync.Mutex
	items map[string]*clientBucket
}

type clientBucket struct {
	lim  *rate.Limiter
	used time.Time
}

func newClientLimiter(r config.Rate, maxClients int) *clientLimiter {
	idle := time.Duration(float64(r.Burst) / r.PerSecond * float64(time.Second))
	return &clientLimiter{rate: r, idle: max(idle, time.Second), max: maxClients, items: map[string]*clientBucket{}}
}

// allow takes a token for client at now; when there is none it says how
// long until there is.
func (l *clientLimiter) allow(client string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.items[client]
	if !ok {
		if len(l.items) >= l.max {
			l.evict(now)
		}
		b = &clientBucket{lim: rate.NewLimiter(rate.Limit(l.rate.PerSecond), l.rate.Burst)}
		l.items[client] = b
	}
	b.used = now
	res := b.lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, false
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// evict forgets idle clients; if none is idle, the least recently seen
// half, so the map stays bounded whatever the traffic.
func (l *clientLimiter) evict(now time.Time) {
	for k, b := range l.items {
		if now.Sub(b.used) > l.idle {
			delete(l.items, k)
		}
	}
	if len(l.items) < l.max {
		return
	}
	times := make([]time.Time, 0, len(l.items))
	for _, b := range l.items {
		times = append(times, b.used)
	}
	slices.SortFunc(times, time.Time.Compare)
	cut := times[len(times)/2]
	for k, b := range l.items {
		if !b.used.After(cut) {
			delete(l.items, k)
		}
	}
}

// size is how many clients are remembered.
func (l *clientLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.items)
}
