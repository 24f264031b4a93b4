package portal

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"gongkai/internal/config"
	"gongkai/internal/store/storetest"
)

func TestInFlightCap(t *testing.T) {
	s := New(Deps{Store: storetest.SQLite(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: config.Limits{MaxInFlight: 2}})
	inside, release := make(chan struct{}), make(chan struct{})
	h := s.trafficGate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside <- struct{}{}
		<-release
	}))
	done := make(chan int, 2)
	for range 2 {
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/units", nil))
			done <- rec.Code
		}()
		<-inside
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/units", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("third request in flight: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	close(release)
	for range 2 {
		if code := <-done; code != 200 {
			t.Errorf("held request: %d", code)
		}
	}
	// Once they are done there is room again.
	go func() { <-inside }()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/units", nil))
	if rec.Code != 200 {
		t.Errorf("after the others finished: %d", rec.Code)
	}
}

func TestClientLimiterStaysBounded(t *testing.T) {
	l := newClientLimiter(config.Rate{PerSecond: 1, Burst: 1}, 100)
	now := time.Now()
	for i := range 1000 {
		l.allow("198.51.100."+strconv.Itoa(i), now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := l.size(); n > 100 {
		t.Errorf("%d clients remembered, bound 100", n)
	}
	// A client just refused is still refused: eviction takes the least
	// recently seen first.
	last := "198.51.100.999"
	if _, ok := l.allow(last, now.Add(time.Second)); ok {
		t.Error("the most recent client's empty bucket was forgotten")
	}
	// Idle long enough, a bucket refills.
	if _, ok := l.allow(last, now.Add(time.Minute)); !ok {
		t.Error("the bucket did not refill")
	}
}
