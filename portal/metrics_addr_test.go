package portal_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// With a metrics address of its own, the main handler does not answer
// /metrics; without, it does.
func TestMetricsApart(t *testing.T) {
	st := storetest.SQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name       string
		apart      bool
		mainStatus int
	}{
		{"on the main address", false, 200},
		{"on its own address", true, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := portal.New(portal.Deps{Store: st, Log: log, MetricsApart: tc.apart})
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if rec.Code != tc.mainStatus {
				t.Errorf("main handler: /metrics %d, want %d", rec.Code, tc.mainStatus)
			}
			if tc.mainStatus == 404 && strings.Contains(rec.Body.String(), "# TYPE") {
				t.Error("the main handler still gives the metrics")
			}
			rec = httptest.NewRecorder()
			srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), "# TYPE") {
				t.Errorf("metrics handler: %d %.200s", rec.Code, rec.Body.String())
			}
			// The rest of the main address is unaffected.
			rec = httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != 200 {
				t.Errorf("/healthz %d", rec.Code)
			}
		})
	}
}
