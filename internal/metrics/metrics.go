// Package metrics owns the service's Prometheus registry and the metrics
// every part reports to. The registry is created once and injected; no
// metric is registered on the global default registry.
package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds the registry and the application's metrics.
type Metrics struct {
	Registry *prometheus.Registry

	HTTPRequests *prometheus.CounterVec   // by route pattern, method, code
	HTTPDuration *prometheus.HistogramVec // by route pattern, method
	HTTPInFlight prometheus.Gauge
}

// New builds the registry with the Go and process collectors and the
// application's metrics.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongkai_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gongkai_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		HTTPInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gongkai_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPRequests, m.HTTPDuration, m.HTTPInFlight,
	)
	return m
}

// DBStatsFunc returns the connection pools to report, by pool name.
type DBStatsFunc func() map[string]sql.DBStats

// RegisterDBStats reports database connection pool statistics.
func (m *Metrics) RegisterDBStats(stats DBStatsFunc) {
	m.Registry.MustRegister(&dbCollector{stats: stats})
}

type dbCollector struct{ stats DBStatsFunc }

var (
	dbOpen    = prometheus.NewDesc("gongkai_db_connections_open", "Open database connections, by pool.", []string{"pool"}, nil)
	dbInUse   = prometheus.NewDesc("gongkai_db_connections_in_use", "Database connections in use, by pool.", []string{"pool"}, nil)
	dbIdle    = prometheus.NewDesc("gongkai_db_connections_idle", "Idle database connections, by pool.", []string{"pool"}, nil)
	dbWait    = prometheus.NewDesc("gongkai_db_wait_total", "Times a query waited for a free connection, by pool.", []string{"pool"}, nil)
	dbWaitSec = prometheus.NewDesc("gongkai_db_wait_seconds_total", "Time spent waiting for a free connection, by pool.", []string{"pool"}, nil)
	dbMaxOpen = prometheus.NewDesc("gongkai_db_connections_max", "Maximum open connections allowed, by pool.", []string{"pool"}, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbOpen, dbInUse, dbIdle, dbWait, dbWaitSec, dbMaxOpen} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(dbOpen, prometheus.GaugeValue, float64(s.OpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(dbInUse, prometheus.GaugeValue, float64(s.InUse), pool)
		ch <- prometheus.MustNewConstMetric(dbIdle, prometheus.GaugeValue, float64(s.Idle), pool)
		ch <- prometheus.MustNewConstMetric(dbWait, prometheus.CounterValue, float64(s.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(dbWaitSec, prometheus.CounterValue, s.WaitDuration.Seconds(), pool)
		ch <- prometheus.MustNewConstMetric(dbMaxOpen, prometheus.GaugeValue, float64(s.MaxOpenConnections), pool)
	}
}
