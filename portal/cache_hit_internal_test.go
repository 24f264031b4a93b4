package portal

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"gongkai/internal/config"
	"gongkai/internal/metrics"
	"gongkai/internal/store/storetest"
)

// A public answer already in the page cache is served before routing, as
// the routed path would serve it: same bytes and validators, counted and
// logged under its route, held to the cap on requests in flight. What
// must pass the router's middleware is left to it.
func TestCachedAnswersBeforeRouting(t *testing.T) {
	st := storetest.SQLite(t)
	storetest.Unit(t, st, "fgw")
	var logs bytes.Buffer
	m := metrics.New()
	s := New(Deps{Store: st, Metrics: m, Log: slog.New(slog.NewJSONHandler(&logs, nil)),
		Limits: config.Limits{PageCacheBytes: 8 << 20, MaxInFlight: 1}})
	get := func(method, url string) (*httptest.ResponseRecorder, bool) {
		rec := httptest.NewRecorder()
		return rec, s.serveHit(rec, httptest.NewRequest(method, url, nil))
	}
	if _, hit := get("GET", "/api/v1/units"); hit {
		t.Fatal("answered before anything was cached")
	}
	routed := httptest.NewRecorder()
	s.ServeHTTP(routed, httptest.NewRequest("GET", "/api/v1/units", nil))
	if routed.Code != 200 || !strings.Contains(routed.Body.String(), `"fgw"`) {
		t.Fatalf("routed: %d %s", routed.Code, routed.Body.String())
	}
	logs.Reset()
	rec, hit := get("GET", "/api/v1/units")
	if !hit || rec.Code != 200 || rec.Body.String() != routed.Body.String() || rec.Header().Get("ETag") != routed.Header().Get("ETag") ||
		rec.Header().Get("Cache-Control") != routed.Header().Get("Cache-Control") || rec.Header().Get("X-Request-Id") == "" {
		t.Fatalf("hit %v: %d %v", hit, rec.Code, rec.Header())
	}
	if n := testutil.ToFloat64(m.HTTPRequests.WithLabelValues("/api/v1/units", "GET", "200")); n != 2 {
		t.Errorf("requests counted under the route: %v, want 2", n)
	}
	if !strings.Contains(logs.String(), `"route":"/api/v1/units"`) || !strings.Contains(logs.String(), `"status":200`) {
		t.Errorf("the hit's log line: %s", logs.String())
	}
	req := httptest.NewRequest("GET", "/api/v1/units", nil)
	req.Header.Set("If-None-Match", routed.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	if !s.serveHit(rec, req) || rec.Code != http.StatusNotModified {
		t.Errorf("revalidation before routing: %d", rec.Code)
	}

	// The cap on requests in flight holds for hits too.
	s.traffic.inFlight.Add(1)
	rec, hit = get("GET", "/api/v1/units")
	s.traffic.inFlight.Add(-1)
	if !hit || rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("a hit over the cap: %v %d", hit, rec.Code)
	}

	// A change makes the kept answer stale: the routed path renders anew.
	storetest.Unit(t, st, "jtj")
	if rec, hit := get("GET", "/api/v1/units"); hit {
		t.Errorf("a stale answer was served before routing: %d", rec.Code)
	}
	routed = httptest.NewRecorder()
	s.ServeHTTP(routed, httptest.NewRequest("GET", "/api/v1/units", nil))
	if !strings.Contains(routed.Body.String(), `"jtj"`) {
		t.Errorf("after the change: %s", routed.Body.String())
	}

	// What the router's middleware must see is not answered here.
	for _, c := range []struct{ method, url string }{
		{"HEAD", "/api/v1/units"},
		{"POST", "/api/v1/units"},
		{"GET", "/api/v1/search?q=x"},
		{"GET", "/console/"},
		{"GET", "/api/v1/units?x=1"},
	} {
		if _, hit := get(c.method, c.url); hit {
			t.Errorf("%s %s answered before routing", c.method, c.url)
		}
	}
}

// BenchmarkCachedPage is the server's own work for a page in the page
// cache, without the network: go test -run '^$' -bench CachedPage ./portal
func BenchmarkCachedPage(b *testing.B) {
	st := storetest.SQLite(b)
	storetest.Unit(b, st, "fgw")
	s := New(Deps{Store: st, Log: slog.New(slog.NewJSONHandler(discard{}, nil)),
		Limits: config.Limits{PageCacheBytes: 8 << 20, MaxInFlight: 512, CacheRecheck: 200 * 1e6}})
	for _, u := range []string{"/", "/units/fgw", "/api/v1/units"} {
		b.Run(u, func(b *testing.B) {
			req := httptest.NewRequest("GET", u, nil)
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
