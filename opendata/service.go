package opendata

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gongkai/internal/clientip"
	"gongkai/internal/metrics"
	"gongkai/internal/pagecache"
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
	// BaseURL is the site's public address, which every absolute link is
	// built on (never the request's Host; "": DefaultBaseURL).
	BaseURL string
	// ExportsPerClient caps concurrent downloads per client address
	// (0: DefaultExportsPerClient).
	ExportsPerClient int
	// WriteTimeout bounds each write of a download (0: 60 s).
	WriteTimeout time.Duration
	// ExportCacheBytes bounds the memory that keeps small downloads as
	// they were sent (0: DefaultExportCacheBytes; less than 0: none kept).
	ExportCacheBytes int64
}

// DefaultExportCacheBytes is the memory kept for small downloads.
const DefaultExportCacheBytes = 64 << 20

// Downloads of at most maxKeptExport bytes, of a version of at most
// maxKeptExportRows rows, are kept in memory once sent: the next ask for
// the same version, format and parameters is answered from memory. A
// download names its version, so what is kept never goes stale: a new
// version is a new key, and an unpublished dataset is refused before the
// kept bytes are looked at.
const (
	maxKeptExport     = 4 << 20
	maxKeptExportRows = 100000
	keptWriteChunk    = 64 << 10 // a kept download is written in pieces this large
	maxKeeping        = 8        // downloads gathering their bytes to be kept at once
)

// Service answers the open-data requests. The portal routes to its
// methods; path variables arrive as arguments.
type Service struct {
	Deps
	limits  *ExportLimiter
	sizes   sizeCache
	exports *pagecache.Cache // small downloads as sent (nil: none kept)
	keeping atomic.Int64     // downloads gathering their bytes to be kept
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
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	if d.BaseURL == "" {
		d.BaseURL = DefaultBaseURL
	}
	s := &Service{Deps: d, limits: NewExportLimiter(d.ExportsPerClient)}
	if d.ExportCacheBytes == 0 {
		d.ExportCacheBytes = DefaultExportCacheBytes
	}
	if d.ExportCacheBytes > 0 {
		s.exports = pagecache.New(d.ExportCacheBytes)
	}
	return s
}

// Paths of the open-data pages and files.
const (
	pathDatasets = "/opendata/datasets/"
	pathAPI      = "/opendata/api/datasets"
)

func datasetPagePath(id string) string { return pathDatasets + url.PathEscape(id) }

func downloadPath(id string, f Format) string { return datasetPagePath(id) + "." + string(f) }

func apiDatasetPath(id string) string { return pathAPI + "/" + url.PathEscape(id) }

// DefaultBaseURL is the base URL of a service built without one: the
// loopback address of the default listen address.
const DefaultBaseURL = "http://127.0.0.1:8080"

// BaseURL is the site's public address (scheme, host, optional path),
// which CKAN, DCAT, JSON-LD and next-page links are built on. It is
// configured, never taken from a request, so a forged Host header cannot
// put another site's address into a page or a cached answer.
func (s *Service) BaseURL() string { return s.Deps.BaseURL }

// clientKey identifies a client for the export cap: its address, behind a
// trusted proxy the one it forwarded (see package clientip).
func clientKey(r *http.Request) string { return clientip.From(r) }
