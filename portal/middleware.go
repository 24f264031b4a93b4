package portal

import (
	"crypto/rand"
	"encoding/hex"
	"gongkai/internal/httpjson"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush,
// deadlines) through this wrapper.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument gives every request an id, counts and times it by route
// pattern (never the raw path), and logs it once.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.observe(w, r, routeName(r), next.ServeHTTP)
	})
}

// observe is instrument's work for a request of the given route: the
// router's, or for an answer taken from the page cache before routing,
// the route it was made for.
func (s *Server) observe(w http.ResponseWriter, r *http.Request, route string, serve func(http.ResponseWriter, *http.Request)) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-Id", id)
	sw := &statusWriter{ResponseWriter: w}
	s.Metrics.HTTPInFlight.Inc()
	defer s.Metrics.HTTPInFlight.Dec()
	serve(sw, r.WithContext(withRequestID(r.Context(), id)))
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	elapsed := time.Since(start)
	s.Metrics.HTTPRequests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
	s.Metrics.HTTPDuration.WithLabelValues(route, r.Method).Observe(elapsed.Seconds())
	level := slog.LevelInfo
	if sw.status >= 500 {
		level = slog.LevelError
	}
	s.Log.LogAttrs(r.Context(), level, "http request",
		slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", route),
		slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes),
		slog.Float64("duration_seconds", elapsed.Seconds()))
}

// recoverer turns a panic into a plain 500 answer: the stack goes to the
// log, never to the client.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic in handler", slog.Any("panic", v), slog.String("path", r.URL.Path), slog.String("request_id", requestID(r.Context())))
				httpjson.Error(w, http.StatusInternalServerError, "internal", "服务器内部错误，请稍后再试 (internal error)")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
