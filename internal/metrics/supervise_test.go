package metrics

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const supervisionHeader = `# HELP gongkai_supervision_notices_open Supervision notices not closed, by state (open, sent_back, submitted); state overdue counts those past their deadline again.
# TYPE gongkai_supervision_notices_open gauge
`

func unitsText(lines ...string) string {
	return `# HELP gongkai_unit_empty_columns The unit's columns in force that hold no entry.
# TYPE gongkai_unit_empty_columns gauge
` + pick(lines, "gongkai_unit_empty_columns") + `# HELP gongkai_unit_last_publish_timestamp_seconds When the unit's newest entry still standing published was published (Unix seconds; 0: never published).
# TYPE gongkai_unit_last_publish_timestamp_seconds gauge
` + pick(lines, "gongkai_unit_last_publish_timestamp_seconds") + `# HELP gongkai_unit_overdue_columns The unit's columns past their update rule (days without a new entry, or a yearly due date).
# TYPE gongkai_unit_overdue_columns gauge
` + pick(lines, "gongkai_unit_overdue_columns")
}

func pick(lines []string, name string) string {
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(l, name+"{") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

var unitNames = []string{"gongkai_unit_last_publish_timestamp_seconds", "gongkai_unit_overdue_columns", "gongkai_unit_empty_columns"}

func TestSupervisionUnits(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	last := time.Date(2026, 5, 30, 10, 0, 0, 500e6, shanghai) // 1780106400.5
	tests := []struct {
		name  string
		steps [][]UnitFigures // applied in order; the last one is compared
		want  []string
	}{
		{"a unit that published and one that never did (0)", [][]UnitFigures{{
			{Unit: "fgw", LastPublish: last, Overdue: 2, Empty: 5},
			{Unit: "jtj", Overdue: 0, Empty: 21},
		}}, []string{
			`gongkai_unit_last_publish_timestamp_seconds{unit="fgw"} 1.7801064005e+09`,
			`gongkai_unit_last_publish_timestamp_seconds{unit="jtj"} 0`,
			`gongkai_unit_overdue_columns{unit="fgw"} 2`,
			`gongkai_unit_overdue_columns{unit="jtj"} 0`,
			`gongkai_unit_empty_columns{unit="fgw"} 5`,
			`gongkai_unit_empty_columns{unit="jtj"} 21`,
		}},
		{"a unit deleted since the last evaluation loses its series", [][]UnitFigures{
			{{Unit: "fgw", LastPublish: last, Overdue: 2, Empty: 5}, {Unit: "jtj", Empty: 21}},
			{{Unit: "jtj", LastPublish: last, Overdue: 1, Empty: 20}},
		}, []string{
			`gongkai_unit_last_publish_timestamp_seconds{unit="jtj"} 1.7801064005e+09`,
			`gongkai_unit_overdue_columns{unit="jtj"} 1`,
			`gongkai_unit_empty_columns{unit="jtj"} 20`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			s := NewSupervision(reg)
			for _, step := range tc.steps {
				s.SetUnits(step)
			}
			if err := testutil.GatherAndCompare(reg, strings.NewReader(unitsText(tc.want...)), unitNames...); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("no units: no series", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		s := NewSupervision(reg)
		s.SetUnits([]UnitFigures{{Unit: "fgw", Empty: 1}})
		s.SetUnits(nil)
		if n, err := testutil.GatherAndCount(reg, unitNames...); err != nil || n != 0 {
			t.Errorf("%d series (%v), want none", n, err)
		}
	})
}

func TestSupervisionNotices(t *testing.T) {
	tests := []struct {
		name   string
		counts []map[string]int // applied in order
		want   string
	}{
		{"every state reported, closed left out", []map[string]int{{"open": 3, "sent_back": 1, "submitted": 2, "closed": 40, "overdue": 2}},
			"open 3\nsent_back 1\nsubmitted 2\noverdue 2\n"},
		{"states missing from the counts show 0", []map[string]int{{"submitted": 1}},
			"open 0\nsent_back 0\nsubmitted 1\noverdue 0\n"},
		{"the newest counts replace the older", []map[string]int{{"open": 9, "overdue": 9}, {"open": 1}},
			"open 1\nsent_back 0\nsubmitted 0\noverdue 0\n"},
		{"unknown states get no series", []map[string]int{{"open": 1, "lost": 7}},
			"open 1\nsent_back 0\nsubmitted 0\noverdue 0\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			s := NewSupervision(reg)
			for _, c := range tc.counts {
				s.SetNotices(c)
			}
			var want strings.Builder
			want.WriteString(supervisionHeader)
			for _, l := range strings.Split(strings.TrimSpace(tc.want), "\n") {
				state, n, _ := strings.Cut(l, " ")
				fmt.Fprintf(&want, "gongkai_supervision_notices_open{state=%q} %s\n", state, n)
			}
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want.String()), "gongkai_supervision_notices_open"); err != nil {
				t.Error(err)
			}
		})
	}
}

// Registering twice on one registry (two servers over one Metrics) reuses
// the first metrics instead of panicking.
func TestSupervisionRegisteredTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := NewSupervision(reg)
	b := NewSupervision(reg)
	if a != b {
		t.Fatal("a second NewSupervision on the same registry made new metrics")
	}
	b.SetNotices(map[string]int{"open": 4})
	if got := testutil.ToFloat64(a.Notices.WithLabelValues("open")); got != 4 {
		t.Errorf("open = %v, want 4", got)
	}
}

// A scrape during SetUnits sees the old figures or the new ones, never the
// vectors half reset: every gather has all of the units' series.
func TestSupervisionScrapeSeesWholeSets(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := NewSupervision(reg)
	units := make([]UnitFigures, 50)
	for i := range units {
		units[i] = UnitFigures{Unit: fmt.Sprintf("u%03d", i), Overdue: i % 3, Empty: i % 5}
	}
	s.SetUnits(units)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				s.SetUnits(units)
			}
		}
	}()
	for i := 0; i < 100; i++ {
		n, err := testutil.GatherAndCount(reg, unitNames...)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3*len(units) {
			t.Errorf("gather %d saw %d unit series, want %d", i, n, 3*len(units))
			break
		}
	}
	close(stop)
	wg.Wait()
}
