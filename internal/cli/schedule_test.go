package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

// A report's units and the notice counts become the supervision metrics:
// a unit that never published shows 0, closed notices are left out, and
// counts that could not be read leave the notice figures as they were.
func TestReportFigures(t *testing.T) {
	last := time.Date(2026, 5, 30, 2, 0, 0, 0, time.UTC) // 1780106400
	rep := &supervise.Report{Units: []supervise.UnitReport{
		{Unit: "fgw", LastPublish: &last, Overdue: []string{"zcwj", "gknb"}, Empty: []string{"zwft"}},
		{Unit: "xin", Overdue: []string{}, Empty: []string{"tzgg", "zcwj", "zcjd"}},
	}}
	tests := []struct {
		name   string
		counts [][]store.NoticeStateCount // one report per element
		want   string
	}{
		{"counts read", [][]store.NoticeStateCount{{{State: "open", Count: 2}, {State: "closed", Count: 9}, {State: "submitted", Count: 1}, {State: "overdue", Count: 1}}},
			`open 2|sent_back 0|submitted 1|overdue 1`},
		{"counts unreadable the second time", [][]store.NoticeStateCount{{{State: "sent_back", Count: 3}, {State: "overdue", Count: 0}}, nil},
			`open 0|sent_back 3|submitted 0|overdue 0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			feed := reportFigures(metrics.NewSupervision(reg))
			for _, c := range tc.counts {
				feed(rep, c)
			}
			var want strings.Builder
			want.WriteString(`# HELP gongkai_unit_empty_columns The unit's columns in force that hold no entry.
# TYPE gongkai_unit_empty_columns gauge
gongkai_unit_empty_columns{unit="fgw"} 1
gongkai_unit_empty_columns{unit="xin"} 3
# HELP gongkai_unit_last_publish_timestamp_seconds When the unit's newest entry still standing published was published (Unix seconds; 0: never published).
# TYPE gongkai_unit_last_publish_timestamp_seconds gauge
gongkai_unit_last_publish_timestamp_seconds{unit="fgw"} 1.7801064e+09
gongkai_unit_last_publish_timestamp_seconds{unit="xin"} 0
# HELP gongkai_unit_overdue_columns The unit's columns past their update rule (days without a new entry, or a yearly due date).
# TYPE gongkai_unit_overdue_columns gauge
gongkai_unit_overdue_columns{unit="fgw"} 2
gongkai_unit_overdue_columns{unit="xin"} 0
# HELP gongkai_supervision_notices_open Supervision notices not closed, by state (open, sent_back, submitted); state overdue counts those past their deadline again.
# TYPE gongkai_supervision_notices_open gauge
`)
			for _, sn := range strings.Split(tc.want, "|") {
				state, n, _ := strings.Cut(sn, " ")
				want.WriteString(`gongkai_supervision_notices_open{state="` + state + `"} ` + n + "\n")
			}
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want.String())); err != nil {
				t.Error(err)
			}
		})
	}
}
