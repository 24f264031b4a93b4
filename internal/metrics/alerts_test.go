package metrics

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// The example alert rules shipped for operators, and their promtool tests.
var alertsDir = filepath.Join("..", "..", "docs", "prometheus")

// envRequirePromtool set to 1 (CI) makes a missing promtool a failure.
const envRequirePromtool = "GONGKAI_REQUIRE_PROMTOOL"

func alertTestFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(alertsDir, "alerts*_test.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no alert tests in %s (%v)", alertsDir, err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files
}

// promtool checks the rules and runs their unit tests (Debian's
// prometheus package has it).
func TestAlertRulesWithPromtool(t *testing.T) {
	bin, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv(envRequirePromtool) == "1" {
			t.Fatalf("promtool is not on PATH and %s=1: install Debian's prometheus package", envRequirePromtool)
		}
		t.Skip("promtool is not on PATH (Debian's prometheus package); " + envRequirePromtool + "=1 makes this a failure")
	}
	tests := []struct {
		name string
		args []string
	}{
		{"check rules", []string{"check", "rules", "alerts.yml"}},
		{"test rules", append([]string{"test", "rules"}, alertTestFiles(t)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Dir = alertsDir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("promtool %s: %v\n%s", strings.Join(tc.args, " "), err, out)
			}
			if !strings.Contains(string(out), "SUCCESS") {
				t.Errorf("promtool %s says no SUCCESS:\n%s", strings.Join(tc.args, " "), out)
			}
		})
	}
}

// alertRule is one rule of alerts.yml as the line reader below finds it.
type alertRule struct {
	name, expr string
}

// readAlertRules reads the alert names and expressions of alerts.yml (a
// plain list of rules: "- alert: NAME" then "expr: ONE LINE" or "expr: |"
// and an indented block). promtool reads the same file properly; this
// reader only has to find the expressions, and the count of expressions
// must equal the count of alerts, or the test fails.
func readAlertRules(t *testing.T) []alertRule {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(alertsDir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var rules []alertRule
	exprs := 0
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(l, "- alert:"):
			rules = append(rules, alertRule{name: strings.TrimSpace(strings.TrimPrefix(l, "- alert:"))})
		case strings.HasPrefix(l, "expr:"):
			exprs++
			if len(rules) == 0 {
				t.Fatalf("alerts.yml line %d: an expression before any alert", i+1)
			}
			e := strings.TrimSpace(strings.TrimPrefix(l, "expr:"))
			if strings.HasPrefix(e, "|") || strings.HasPrefix(e, ">") {
				e = ""
				for j := i + 1; j < len(lines) && (strings.TrimSpace(lines[j]) == "" || indent(lines[j]) > indent(lines[i])); j++ {
					e += lines[j] + "\n"
					i = j
				}
			}
			rules[len(rules)-1].expr = strings.TrimSpace(e)
		}
	}
	if len(rules) == 0 || exprs != len(rules) {
		t.Fatalf("alerts.yml: %d alerts and %d expressions", len(rules), exprs)
	}
	for _, r := range rules {
		if r.expr == "" {
			t.Errorf("alert %s: empty expression", r.name)
		}
	}
	return rules
}

// allMetrics builds every metric the service registers on one fresh
// registry, with each vector given one series, as serve builds them.
func allMetrics(t *testing.T) *prometheus.Registry {
	t.Helper()
	m := New()
	m.RegisterDBStats(func() map[string]sql.DBStats { return map[string]sql.DBStats{"write": {}} })
	s := NewSearch(m.Registry)
	od := NewOpenData(m.Registry)
	sv := NewSupervision(m.Registry)

	m.HTTPRequests.WithLabelValues("/", "GET", "200").Inc()
	m.HTTPDuration.WithLabelValues("/", "GET").Observe(0.01)
	s.Requests.WithLabelValues("hits").Inc()
	s.Documents.WithLabelValues("index").Inc()
	s.ExtractFailures.WithLabelValues("pdf").Inc()
	od.Downloads.WithLabelValues("d", "csv").Inc()
	od.BytesServed.WithLabelValues("csv").Add(1)
	od.ExportDuration.WithLabelValues("csv").Observe(1)
	sv.SetUnits([]UnitFigures{{Unit: "fgw", LastPublish: time.Unix(1, 0)}})
	sv.SetNotices(map[string]int{})

	// Every collector of the metric sets now has a series: a vector added
	// later and not given one above fails here, instead of passing for
	// "not registered" below.
	for _, set := range []any{m, s, od, sv} {
		v := reflect.ValueOf(set).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !f.CanInterface() {
				continue
			}
			c, ok := f.Interface().(prometheus.Collector)
			if !ok || f.IsNil() {
				continue
			}
			if testutil.CollectAndCount(c) == 0 {
				t.Errorf("%s.%s has no series: give it one in allMetrics", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
	return m.Registry
}

var metricName = regexp.MustCompile(`\bgongkai_[a-z0-9_]+`)

// Every gongkai_* metric an alert reads is one the service registers
// (a histogram's _bucket, _sum and _count series included).
func TestAlertRulesReadRegisteredMetrics(t *testing.T) {
	families, err := allMetrics(t).Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range families {
		known[f.GetName()] = true
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			for _, sfx := range []string{"_bucket", "_sum", "_count"} {
				known[f.GetName()+sfx] = true
			}
		case dto.MetricType_SUMMARY:
			for _, sfx := range []string{"_sum", "_count"} {
				known[f.GetName()+sfx] = true
			}
		}
	}
	for _, want := range []string{"gongkai_unit_last_publish_timestamp_seconds", "gongkai_search_duration_seconds_bucket"} {
		if !known[want] {
			t.Fatalf("the registry lacks %s: the metric sets were not all built", want)
		}
	}
	used := 0
	for _, r := range readAlertRules(t) {
		names := metricName.FindAllString(r.expr, -1)
		used += len(names)
		for _, n := range names {
			if !known[n] {
				t.Errorf("alert %s reads %s, which the service does not register", r.name, n)
			}
		}
	}
	if used == 0 {
		t.Fatal("no alert reads a gongkai_* metric: the expressions were not found")
	}
}

// Every alert has a promtool case where it fires and one where it must
// not (exp_alerts: []).
func TestEveryAlertHasFiringAndQuietTests(t *testing.T) {
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, name := range alertTestFiles(t) {
		b, err := os.ReadFile(filepath.Join(alertsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "alertname:") {
				continue
			}
			alert := strings.TrimSpace(strings.TrimPrefix(l, "alertname:"))
			next := ""
			for j := i + 1; j < len(lines) && next == ""; j++ {
				next = strings.TrimSpace(lines[j])
			}
			switch {
			case strings.HasPrefix(next, "exp_alerts: []"):
				quiet[alert] = true
			case next == "exp_alerts:":
				fires[alert] = true
			default:
				t.Errorf("%s line %d: alertname %s not followed by exp_alerts", name, i+1, alert)
			}
		}
	}
	var names []string
	for _, r := range readAlertRules(t) {
		names = append(names, r.name)
		if !fires[r.name] {
			t.Errorf("alert %s has no test where it fires", r.name)
		}
		if !quiet[r.name] {
			t.Errorf("alert %s has no test where it must stay quiet", r.name)
		}
	}
	for a := range fires {
		if !slices.Contains(names, a) {
			t.Errorf("the tests name an alert %s that alerts.yml lacks", a)
		}
	}
}
