package catalog

import (
	"errors"
	"strconv"
	"strings"
)

// FieldError is one problem with one field of an input record.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// FieldErrors collects the problems of one record so that a caller can
// report all of them at once instead of one per attempt.
type FieldErrors []FieldError

// Add records a problem with field.
func (fe *FieldErrors) Add(field, reason string) {
	*fe = append(*fe, FieldError{Field: field, Reason: reason})
}

// Err returns nil when there were no problems, so that a nil FieldErrors
// never turns into a non-nil error interface.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// AsFieldErrors extracts field errors from err, if it carries any.
func AsFieldErrors(err error) (FieldErrors, bool) {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func quote(s string) string {
	if len([]rune(s)) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}
