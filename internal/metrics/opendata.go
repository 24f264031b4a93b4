package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// OpenData are the open-data metrics: downloads, bytes served and export
// times by format, exports refused for too many at once, and rows
// rejected by dataset imports. Dataset ids are a bounded label: datasets
// are few and only an operator's import adds one, and a download is
// counted only after its dataset was found.
type OpenData struct {
	Downloads      *prometheus.CounterVec   // by dataset, format (csv, json, jsonl, xlsx)
	BytesServed    *prometheus.CounterVec   // by format
	ExportDuration *prometheus.HistogramVec // by format
	ExportsActive  prometheus.Gauge
	ExportsRefused prometheus.Counter // answered 429: too many exports from one client
	ImportRejected prometheus.Counter // rows rejected by dataset imports
}

// NewOpenData registers the open-data metrics on reg. Registering twice on
// one registry (two servers over the same Metrics) reuses the collectors
// already there instead of panicking.
func NewOpenData(reg prometheus.Registerer) *OpenData {
	return &OpenData{
		Downloads: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongkai_opendata_downloads_total",
			Help: "Dataset downloads started, by dataset id and format.",
		}, []string{"dataset", "format"})),
		BytesServed: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongkai_opendata_served_bytes_total",
			Help: "Bytes of dataset downloads written to clients (after compression), by format.",
		}, []string{"format"})),
		ExportDuration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gongkai_opendata_export_duration_seconds",
			Help:    "Time to stream a dataset download, by format.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"format"})),
		ExportsActive: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongkai_opendata_exports_active",
			Help: "Dataset downloads being streamed now.",
		})),
		ExportsRefused: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongkai_opendata_exports_refused_total",
			Help: "Dataset downloads refused with 429 because one client had too many running.",
		})),
		ImportRejected: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongkai_opendata_import_rejected_rows_total",
			Help: "Dataset rows rejected by imports for not fitting their field types.",
		})),
	}
}

// register adds c to reg, or returns the equal collector already there.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}
