package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Supervision are the figures of the supervision rules: per unit, when it
// last published, how many of its columns are overdue and how many empty;
// and how many supervision notices stand in each state. They are set from
// the newest evaluation (the daily run, or the refresh every few minutes
// between runs), never counted up by hand.
//
// Cardinality: unit codes are bounded (the city's bodies, added only by
// an import or an administrator), so each unit carries three series, and
// the notices four (one per state in NoticeStates): 100 units give
// 3 × 100 + 4 = 304 series. Every replica reports the same figures, read
// from the shared store.
type Supervision struct {
	LastPublish *prometheus.GaugeVec // by unit: Unix seconds of the newest entry standing published; 0: never published
	Overdue     *prometheus.GaugeVec // by unit: columns past their update clock or yearly due date
	Empty       *prometheus.GaugeVec // by unit: leaf columns without an entry
	Notices     *prometheus.GaugeVec // by state, see NoticeStates

	// mu makes each Set atomic for a scrape: a scrape never sees the
	// vectors between their reset and their new values (a unit missing
	// from one scrape would end its series and restart its alerts).
	mu sync.RWMutex
}

// NoticeStates are the values of gongkai_supervision_notices_open's state
// label. "overdue" is not a state of its own: it counts the notices not
// closed whose deadline has passed, which are also counted under their
// state (open, sent_back or submitted), so the four do not add up.
var NoticeStates = []string{"open", "sent_back", "submitted", "overdue"}

// UnitFigures are one unit's supervision figures as of an evaluation.
type UnitFigures struct {
	Unit string
	// LastPublish is when the unit's newest standing entry was published;
	// the zero time means it never published, and the gauge then shows 0
	// (so that "time() - gauge" reads as silent since 1970, and alert
	// rules tell the two cases apart with "> 0" or "== 0").
	LastPublish time.Time
	Overdue     int
	Empty       int
}

// NewSupervision registers the supervision metrics on reg. Registering
// twice on one registry reuses the metrics already there.
func NewSupervision(reg prometheus.Registerer) *Supervision {
	s := &Supervision{
		LastPublish: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gongkai_unit_last_publish_timestamp_seconds",
			Help: "When the unit's newest entry still standing published was published (Unix seconds; 0: never published).",
		}, []string{"unit"}),
		Overdue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gongkai_unit_overdue_columns",
			Help: "The unit's columns past their update rule (days without a new entry, or a yearly due date).",
		}, []string{"unit"}),
		Empty: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gongkai_unit_empty_columns",
			Help: "The unit's columns in force that hold no entry.",
		}, []string{"unit"}),
		Notices: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gongkai_supervision_notices_open",
			Help: "Supervision notices not closed, by state (open, sent_back, submitted); state overdue counts those past their deadline again.",
		}, []string{"state"}),
	}
	return register(reg, s)
}

// Describe implements prometheus.Collector.
func (s *Supervision) Describe(ch chan<- *prometheus.Desc) {
	s.LastPublish.Describe(ch)
	s.Overdue.Describe(ch)
	s.Empty.Describe(ch)
	s.Notices.Describe(ch)
}

// Collect implements prometheus.Collector.
func (s *Supervision) Collect(ch chan<- prometheus.Metric) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.LastPublish.Collect(ch)
	s.Overdue.Collect(ch)
	s.Empty.Collect(ch)
	s.Notices.Collect(ch)
}

// SetUnits replaces the per-unit figures: a unit not in units (deleted
// since) no longer has series.
func (s *Supervision) SetUnits(units []UnitFigures) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.LastPublish.Reset()
	s.Overdue.Reset()
	s.Empty.Reset()
	for _, u := range units {
		last := 0.0
		if !u.LastPublish.IsZero() {
			last = float64(u.LastPublish.UnixMilli()) / 1000
		}
		s.LastPublish.WithLabelValues(u.Unit).Set(last)
		s.Overdue.WithLabelValues(u.Unit).Set(float64(u.Overdue))
		s.Empty.WithLabelValues(u.Unit).Set(float64(u.Empty))
	}
}

// SetNotices replaces the notice counts by state. Every state of
// NoticeStates gets a series (0 when absent from counts); other states
// (closed) are left out.
func (s *Supervision) SetNotices(counts map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Notices.Reset()
	for _, st := range NoticeStates {
		s.Notices.WithLabelValues(st).Set(float64(counts[st]))
	}
}
