package metrics

import "github.com/prometheus/client_golang/prometheus"

// Search holds the metrics of the search index and its queries.
type Search struct {
	Requests        *prometheus.CounterVec // by result: hits, empty, invalid, timeout, error
	Duration        prometheus.Histogram
	LagChanges      prometheus.Gauge       // change-log rows not yet applied to the index
	LagSeconds      prometheus.Gauge       // age of the oldest change not yet applied
	Checkpoint      prometheus.Gauge       // last change-log sequence applied
	Documents       *prometheus.CounterVec // by op: index, delete
	ExtractFailures *prometheus.CounterVec // by format: pdf, docx, xlsx, ofd, …
	Rebuilds        prometheus.Counter
	RebuildSeconds  prometheus.Gauge // duration of the last full rebuild
}

// NewSearch registers the search metrics on reg.
func NewSearch(reg prometheus.Registerer) *Search {
	m := &Search{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongkai_search_requests_total",
			Help: "Search queries answered, by result (hits, empty, invalid, timeout, error).",
		}, []string{"result"}),
		Duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gongkai_search_duration_seconds",
			Help:    "Time to run a search query against the index, facets and snippets included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2},
		}),
		LagChanges: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongkai_index_lag_changes",
			Help: "Change-log rows the search index has not applied yet.",
		}),
		LagSeconds: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongkai_index_lag_seconds",
			Help: "Age of the oldest change the search index has not applied yet (0 when caught up).",
		}),
		Checkpoint: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongkai_index_checkpoint_seq",
			Help: "Last change-log sequence number applied to the search index.",
		}),
		Documents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongkai_index_documents_total",
			Help: "Documents written to the search index, by operation (index, delete).",
		}, []string{"op"}),
		ExtractFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongkai_index_extract_failures_total",
			Help: "Attachments whose text could not be extracted for the index, by format.",
		}, []string{"format"}),
		Rebuilds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongkai_index_rebuilds_total",
			Help: "Full rebuilds of the search index.",
		}),
		RebuildSeconds: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongkai_index_rebuild_duration_seconds",
			Help: "Duration of the last full rebuild of the search index.",
		}),
	}
	reg.MustRegister(m.Requests, m.Duration, m.LagChanges, m.LagSeconds, m.Checkpoint,
		m.Documents, m.ExtractFailures, m.Rebuilds, m.RebuildSeconds)
	return m
}
