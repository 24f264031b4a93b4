// Package ingest imports JSON Lines files of units, entries and datasets
// into the store, as the contract fixes: idempotent by id or code, every
// bad line reported with its number and reason while good lines go in (or
// nothing at all with Strict), and a summary of what changed.
package ingest

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"gongkai/internal/catalog"
)

// Options control one import.
type Options struct {
	// Strict imports nothing when any line is bad.
	Strict bool
	// Actor is recorded as the author of the revisions made.
	Actor string
	// Progress, when set, receives a running count now and then.
	Progress func(lines int, elapsed time.Duration)
}

// LineError is one bad line: its 1-based number and what is wrong.
type LineError struct {
	Line   int                  `json:"line"`
	ID     string               `json:"id,omitempty"`
	Reason string               `json:"reason"`
	Fields []catalog.FieldError `json:"fields,omitempty"`
}

func (e LineError) String() string {
	id := ""
	if e.ID != "" {
		id = " (" + e.ID + ")"
	}
	return fmt.Sprintf("line %d%s: %s", e.Line, id, e.Reason)
}

// Report is the outcome of an import.
type Report struct {
	Lines     int           `json:"lines"`
	Added     int           `json:"added"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Rejected  int           `json:"rejected"`
	Errors    []LineError   `json:"errors"`
	Strict    bool          `json:"strict"`
	Elapsed   time.Duration `json:"-"`
	// Rows counts dataset rows (datasets import only).
	RowsImported int        `json:"rows_imported,omitempty"`
	RowsRejected int        `json:"rows_rejected,omitempty"`
	BadRows      []RowError `json:"bad_rows,omitempty"`
	mu           sync.Mutex
}

// OK reports whether every line was good.
func (r *Report) OK() bool { return r.Rejected == 0 }

func (r *Report) reject(line int, id string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	le := LineError{Line: line, ID: id, Reason: err.Error()}
	if fe, ok := catalog.AsFieldErrors(err); ok {
		le.Fields = fe
	}
	r.Errors = append(r.Errors, le)
	r.Rejected++
}

// Summary writes the human summary: the counts, then each bad line.
func (r *Report) Summary(w io.Writer, what string) {
	for _, e := range r.Errors {
		fmt.Fprintln(w, e.String())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d lines: %d added, %d updated, %d unchanged, %d rejected", what, r.Lines, r.Added, r.Updated, r.Unchanged, r.Rejected)
	if r.RowsImported > 0 || r.RowsRejected > 0 {
		fmt.Fprintf(&b, "; rows: %d imported, %d rejected", r.RowsImported, r.RowsRejected)
	}
	if r.Strict && r.Rejected > 0 {
		b.WriteString(" (strict: nothing imported)")
	}
	if r.Elapsed > 0 {
		fmt.Fprintf(&b, " in %.2fs", r.Elapsed.Seconds())
	}
	fmt.Fprintln(w, b.String())
}

// sortErrors orders the bad lines by line number.
func (r *Report) sortErrors() {
	slices.SortStableFunc(r.Errors, func(a, b LineError) int { return a.Line - b.Line })
}
