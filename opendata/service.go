package opendata

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gongkai/internal/metrics"
	"gongkai/internal/store"
)

// DefaultExportsPerClient is how many downloads one client address may run
// at once.
const DefaultExportsPerClient = 4

// defaultWriteTimeout is how long one write of a download may take; the
// deadline moves forward as the download progresses.
const defaultWriteTimeout = 60 * time.Second

// Deps are what the open-data service is built from.
type Deps struct {
	Store   *store.Store
	Metrics *metrics.OpenData
	Log     *slog.Logger
	// Fail (required) answers a request that failed before any of its
	// body was written: the server's one mapping from errors to statuses.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// SiteName and Publisher name the catalog and its publisher (DCAT).
	SiteName, Publisher string
	// ExportsPerClient caps concurrent downloads per client address
	// (0: DefaultExportsPerClient).
	ExportsPerClient int
	// WriteTimeout bounds each write of a download (0: 60 s).
	WriteTimeout time.Duration
}

// Service answers the open-data requests. The portal routes to its
// methods; path variables arrive as arguments.
type Service struct {
	Deps
	limits *ExportLimiter
	sizes  sizeCache
}

// New builds the service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = metrics.NewOpenData(prometheus.NewRegistry())
	}
	if d.ExportsPerClient <= 0 {
		d.ExportsPerClient = DefaultExportsPerClient
	}
	if d.WriteTimeout <= 0 {
		d.WriteTimeout = defaultWriteTimeout
	}
	return &Service{Deps: d, limits: NewExportLimiter(d.ExportsPerClient)}
}

// Paths of the open-data pages and files.
const (
	pathDatasets = "/opendata/datasets/"
	pathAPI      = "/opendata/api/datasets"
)

func datasetPagePath(id string) string { return pathDatasets + url.PathEscape(id) }

func downloadPath(id string, f Format) string { return datasetPagePath(id) + "." + string(f) }

func apiDatasetPath(id string) string { return pathAPI + "/" + url.PathEscape(id) }

// baseURL is the absolute URL of the site as the client reached it, for
// documents that need absolute identifiers (DCAT, CKAN). A proxy in front
// tells the scheme with X-Forwarded-Proto.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// clientKey identifies a client for the export cap: its address without
// the port.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
