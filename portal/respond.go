package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

type ctxKey int

const requestIDKey ctxKey = 1

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// apiError is the JSON error body the contract fixes.
type apiError struct {
	Error struct {
		Code    string               `json:"code"`
		Message string               `json:"message"`
		Fields  []catalog.FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, message
	writeJSON(w, status, e)
}

// writeJSON encodes into a buffer first, so an encoding failure can still
// become a clean error instead of half a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail maps an error to its HTTP answer: the one place that decides
// statuses. Unknown errors are logged with the request id and answered as
// 500 without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe catalog.FieldErrors
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "未找到 (not found)")
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", err.Error())
	case errors.As(err, &fe):
		var e apiError
		e.Error.Code, e.Error.Message, e.Error.Fields = "invalid", fe.Error(), fe
		writeJSON(w, http.StatusBadRequest, e)
	case errors.Is(err, context.Canceled):
		// The client went away; nobody is listening for an answer.
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, "timeout", "请求超时，请稍后再试 (timed out)")
	default:
		s.Log.Error("request failed", slog.String("request_id", requestID(r.Context())), slog.String("path", r.URL.Path), slog.Any("err", err))
		writeError(w, http.StatusInternalServerError, "internal", "服务器内部错误，请稍后再试 (internal error)")
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "not_found", "页面不存在 (no such path)")
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "不支持该请求方法 (method not allowed)")
}
