// Package httpjson writes JSON answers and the error body the contract
// fixes, {"error": {"code", "message"}}, for every HTTP package alike.
package httpjson

import (
	"bytes"
	"encoding/json"
	"net/http"

	"gongkai/internal/catalog"
)

// ErrorBody is the JSON error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Fields names each bad input field.
type ErrorDetail struct {
	Code    string               `json:"code"`
	Message string               `json:"message"`
	Fields  []catalog.FieldError `json:"fields,omitempty"`
}

// Error answers with the contract's error body.
func Error(w http.ResponseWriter, status int, code, message string) {
	Write(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: message}})
}

// Write answers with v as application/json.
func Write(w http.ResponseWriter, status int, v any) {
	WriteType(w, status, "application/json; charset=utf-8", v)
}

// WriteType encodes v into a buffer first, so that an encoding failure is
// still a clean 500 rather than half a body, then writes it with the given
// content type.
func WriteType(w http.ResponseWriter, status int, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
