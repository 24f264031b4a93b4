package portal

import (
	"gongkai/internal/httpjson"
	"net/http"
)

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the store answers and the service is ready.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.Ping(r.Context()); err != nil {
		httpjson.Error(w, http.StatusServiceUnavailable, "not_ready", "数据库不可用 (store unavailable)")
		return
	}
	if s.Ready != nil {
		if err := s.Ready(); err != nil {
			httpjson.Error(w, http.StatusServiceUnavailable, "not_ready", err.Error())
			return
		}
	}
	httpjson.Write(w, http.StatusOK, map[string]string{"status": "ready"})
}
