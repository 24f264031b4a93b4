package portal

import (
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongkai/indexer"
	"gongkai/internal/checks"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
	backoffice "gongkai/portal/console"
)

// Deps are what the portal serves from, built once by the caller.
type Deps struct {
	Store   *store.Store
	Files   *files.Store
	Metrics *metrics.Metrics
	Log     *slog.Logger
	Site    config.Site
	Index   *indexer.Index // search; nil answers searches with 503
	// Ready reports whether the service can take traffic (nil: always).
	Ready func() error
	// MetricsApart: /metrics is served by MetricsHandler on an address of
	// its own, and this handler answers it 404.
	MetricsApart bool
	// SecureCookies marks the console's cookies Secure even on plain HTTP
	// (behind a proxy that terminates TLS).
	SecureCookies bool
	// Gate is the quality gate of the back office (nil: the built-in rules).
	Gate *checks.Gate
	// Links checks the links of bodies in the background (nil: not checked).
	Links *checks.LinkChecker
	// ColumnFit retrains the column-fit model on demand and says how the
	// one in force came about (nil: not trained in this process).
	ColumnFit backoffice.FitControl
	// Supervise is the office's supervision (nil: one is made without the
	// metrics' hook, and no run is scheduled).
	Supervise *supervise.Service
	// Limits are the caps, rate limits, trusted proxies and page cache
	// (the zero value: none, and no page kept; cache_*.go, limits.go).
	Limits config.Limits
}

// Server answers HTTP requests.
type Server struct {
	Deps
	router    *mux.Router
	odMetrics *metrics.OpenData // downloads, and rows rejected by publishes
	traffic   *traffic          // caps, rate limits, page cache (limits.go)
	routed    http.Handler      // the router under each request's deadline (deadline.go)
}

// New builds the server and its routes.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = metrics.New()
	}
	s := &Server{Deps: d, router: mux.NewRouter(), odMetrics: metrics.NewOpenData(d.Metrics.Registry)}
	s.setupTraffic()
	s.routes()
	s.routed = s.withDeadline(s.router)
	return s
}

// routes is the one place that names URLs.
func (s *Server) routes() {
	r := s.router
	r.StrictSlash(false)
	// Unmatched requests skip r.Use middleware, so they are wrapped here.
	r.NotFoundHandler = s.recoverer(s.instrument(http.HandlerFunc(s.notFound)))
	r.MethodNotAllowedHandler = s.recoverer(s.instrument(http.HandlerFunc(s.methodNotAllowed)))

	r.HandleFunc("/healthz", s.healthz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", s.readyz).Methods(http.MethodGet, http.MethodHead)
	if !s.MetricsApart {
		r.Handle("/metrics", s.MetricsHandler()).Methods(http.MethodGet)
	}

	// Full paths rather than a subrouter: a subrouter answers a wrong
	// method with 404 instead of 405.
	r.HandleFunc("/api/v1/units", s.apiUnits).Methods(http.MethodGet)
	r.HandleFunc("/api/v1/units/{code}/columns", s.apiUnitColumns).Methods(http.MethodGet)
	r.HandleFunc("/api/v1/entries/{id}", s.apiEntry).Methods(http.MethodGet)

	r.HandleFunc("/files/{entry}/{n:[0-9]+}", s.attachment).Methods(http.MethodGet, http.MethodHead)
	s.pageRoutes(r)
	s.searchRoutes(r)
	s.opendataRoutes(r)
	s.consoleRoutes(r)

	r.Use(s.recoverer, s.instrument, s.trafficGate, s.cachePages)
}

// ServeHTTP makes the server an http.Handler. A public page already in
// the page cache is answered before routing (cache.go: serveHit).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveHit(w, r) {
		return
	}
	s.routed.ServeHTTP(w, r)
}

// MetricsHandler answers Prometheus scrapes of the server's registry.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{})
}

// routeName is the route pattern of the request, a bounded label value.
func routeName(r *http.Request) string {
	if cur := mux.CurrentRoute(r); cur != nil {
		if t, err := cur.GetPathTemplate(); err == nil {
			return t
		}
	}
	return "unmatched"
}

// pathVar reads a path variable of the matched route.
func pathVar(r *http.Request, name string) string { return mux.Vars(r)[name] }
