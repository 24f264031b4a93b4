package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
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

// fail maps an error to its HTTP answer: the one place that decides
// statuses. Unknown errors are logged with the request id and answered as
// 500 without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe catalog.FieldErrors
	switch {
	case errors.Is(err, store.ErrNotFound):
		httpjson.Error(w, http.StatusNotFound, "not_found", "未找到 (not found)")
	case errors.Is(err, store.ErrConflict):
		httpjson.Error(w, http.StatusConflict, "conflict", err.Error())
	case errors.As(err, &fe):
		httpjson.Write(w, http.StatusBadRequest, httpjson.ErrorBody{Error: httpjson.ErrorDetail{Code: "invalid", Message: fe.Error(), Fields: fe}})
	case errors.Is(err, context.Canceled):
		// The client went away; nobody is listening for an answer.
	case errors.Is(err, context.DeadlineExceeded):
		httpjson.Error(w, http.StatusServiceUnavailable, "timeout", "请求超时，请稍后再试 (timed out)")
	default:
		s.Log.Error("request failed", slog.String("request_id", requestID(r.Context())), slog.String("path", r.URL.Path), slog.Any("err", err))
		httpjson.Error(w, http.StatusInternalServerError, "internal", "服务器内部错误，请稍后再试 (internal error)")
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	httpjson.Error(w, http.StatusNotFound, "not_found", "页面不存在 (no such path)")
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	httpjson.Error(w, http.StatusMethodNotAllowed, "method_not_allowed", "不支持该请求方法 (method not allowed)")
}
