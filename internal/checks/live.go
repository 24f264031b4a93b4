package checks

import (
	"sync/atomic"
	"time"
)

// LiveRule is a whole-entry rule that can be replaced while the gate runs:
// the column-fit model, retrained on a schedule, takes its new form here
// without the gate being built again. Until a rule is set it finds nothing.
type LiveRule struct {
	id string
	p  atomic.Pointer[MetaRule]
}

// NewLiveRule returns an empty live rule with the given id.
func NewLiveRule(id string) *LiveRule { return &LiveRule{id: id} }

// ID is the rule's id.
func (l *LiveRule) ID() string { return l.id }

// Set puts r in force (nil: none).
func (l *LiveRule) Set(r MetaRule) {
	if r == nil {
		l.p.Store(nil)
		return
	}
	l.p.Store(&r)
}

// CheckDocument runs the rule in force, if any.
func (l *LiveRule) CheckDocument(d Document) []Finding {
	if r := l.p.Load(); r != nil {
		return (*r).CheckDocument(d)
	}
	return nil
}

// FitStatus says how the column-fit model in force came about.
type FitStatus struct {
	TrainedAt time.Time  `json:"trained_at"`
	Info      *FitInfo   `json:"info,omitempty"`
	HeldOut   *FitReport `json:"held_out,omitempty"`
	Training  bool       `json:"training"`
	Error     string     `json:"error,omitempty"`
	Note      string     `json:"note,omitempty"`
}
