package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
	"gongkai/internal/workflow"
)

// classify is the one place that maps an error to a status, a code and a
// message for people. Unknown errors are logged and told as 500 without
// detail.
func (c *Console) classify(r *http.Request, err error) (int, string, string, catalog.FieldErrors) {
	var fe catalog.FieldErrors
	var te *catalog.TransitionError
	var ref *auth.Refusal
	var be *workflow.BlockedError
	switch {
	case errors.As(err, &be):
		return http.StatusUnprocessableEntity, "blocked", be.Error(), nil
	case errors.Is(err, auth.ErrHidden), errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not_found", "未找到 (not found)", nil
	case errors.As(err, &ref):
		return http.StatusForbidden, "forbidden", ref.Reason, nil
	case errors.Is(err, auth.ErrForbidden), errors.Is(err, auth.ErrNotAdmin):
		return http.StatusForbidden, "forbidden", "无权执行该操作 (forbidden)", nil
	case errors.As(err, &te):
		return http.StatusConflict, "illegal_transition", te.Reason, nil
	case errors.Is(err, store.ErrStale):
		return http.StatusConflict, "stale", err.Error(), nil
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "conflict", err.Error(), nil
	case errors.As(err, &fe):
		return http.StatusBadRequest, "invalid", fe.Error(), fe
	case errors.Is(err, workflow.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large", err.Error(), nil
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "timeout", "请求超时，请稍后再试 (timed out)", nil
	}
	c.Log.Error("console request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	return http.StatusInternalServerError, "internal", "服务器内部错误，请稍后再试 (internal error)", nil
}

// apiFail answers an API call's error as the contract's JSON error.
func (c *Console) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	status, code, msg, fe := c.classify(r, err)
	var be *workflow.BlockedError
	if errors.As(err, &be) {
		httpjson.Write(w, status, blockedBody{Error: httpjson.ErrorDetail{Code: code, Message: msg}, Findings: be.Findings})
		return
	}
	httpjson.Write(w, status, httpjson.ErrorBody{Error: httpjson.ErrorDetail{Code: code, Message: msg, Fields: fe}})
}

// pageFail answers a page's error with the console's error page.
func (c *Console) pageFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	status, _, msg, _ := c.classify(r, err)
	c.renderError(w, r, status, msg)
}

type errorView struct {
	Status  int
	Heading string
	Message string
}

func (c *Console) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	heading := map[int]string{400: "填写有误", 401: "需要登录", 403: "无权访问", 404: "未找到", 409: "操作冲突", 413: "文件过大", 422: "未通过质量检查"}[status]
	if heading == "" {
		heading = "出错了"
	}
	pg := c.newPage(r, heading)
	pg.Data = errorView{Status: status, Heading: heading, Message: msg}
	c.render(w, r, status, "error.html", pg)
}

// refuse records a page refusal in the audit log and answers it.
func (c *Console) refusePage(w http.ResponseWriter, r *http.Request, err error) {
	c.Workflow.RecordRefusal(r.Context(), caller(r), "console.refused", "route", r.Method+" "+r.URL.Path, "", err)
	c.pageFail(w, r, err)
}

func (c *Console) refuseAPI(w http.ResponseWriter, r *http.Request, err error) {
	c.Workflow.RecordRefusal(r.Context(), caller(r), "api.refused", "route", r.Method+" "+r.URL.Path, "", err)
	c.apiFail(w, r, err)
}

// blockedBody is the error answer of a submission the quality gate stopped:
// the contract's error, and the findings that stopped it.
type blockedBody struct {
	Error    httpjson.ErrorDetail `json:"error"`
	Findings []checks.Finding     `json:"findings"`
}
