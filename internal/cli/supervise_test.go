package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/internal/store"
)

// The leaf columns of the default template, in the tree's order.
var defaultLeaves = []string{"zyzz", "gkzn", "gknb", "gkzd", "ldfg", "jgsz", "tzgg", "zcwj", "gfxwj", "zcjd", "jhzj",
	"ghjh", "tjsj", "czzj", "qlqd", "zdxm", "ggzy", "ggfw", "yjzj", "zwft", "yjgl"}

func leavesExcept(used ...string) []string {
	var out []string
	for _, c := range defaultLeaves {
		if !slices.Contains(used, c) {
			out = append(out, c)
		}
	}
	return out
}

// superviseFixture imports three units and their entries into a SQLite
// store under the returned data directory, and has the daily run raise
// notices for overdue columns too. As of 30 June 2026:
//   - fgw last published on 30 May (31 days: silent); its entry of 10 June
//     was withdrawn on 20 June and its entry of 5 July is not published
//     yet, so neither counts;
//   - jtj publishes, but its 政策文件 is past 180 days and its annual
//     report missed 31 January 2026; its 政策解读 of 1 March, withdrawn only
//     on 10 July, still counts;
//   - sjj breaks nothing but its empty columns.
//
// Every unit has three entries in the 90-day window, so the volume rule
// holds whenever the units were imported.
func superviseFixture(t *testing.T) (env map[string]string, data string) {
	t.Helper()
	dir := t.TempDir()
	data = filepath.Join(dir, "data")
	env = map[string]string{"GONGKAI_DATA": data}
	units := filepath.Join(dir, "units.jsonl")
	entries := filepath.Join(dir, "entries.jsonl")
	write := func(path string, lines ...string) {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(units,
		`{"code": "fgw", "name": "临沂市发展和改革委员会", "kind": "部门", "org_code": "11371300004331204K"}`,
		`{"code": "jtj", "name": "临沂市交通运输局", "kind": "部门", "org_code": "11371300004331300X"}`,
		`{"code": "sjj", "name": "临沂市统计局", "kind": "部门", "org_code": "113713000043314011"}`,
	)
	entry := func(id, unit, column, published string, extra ...string) string {
		l := `{"id": "` + id + `", "unit": "` + unit + `", "column": "` + column + `", "title": "信息 ` + id + `", "published_at": "` + published + `", "body_text": "正文"`
		for _, e := range extra {
			l += ", " + e
		}
		return l + "}"
	}
	write(entries,
		entry("fgw-1", "fgw", "tzgg", "2026-04-10T09:00:00+08:00"),
		entry("fgw-2", "fgw", "tzgg", "2026-05-06T09:00:00+08:00"),
		entry("fgw-3", "fgw", "tzgg", "2026-05-30T10:00:00+08:00"),
		entry("fgw-4", "fgw", "tzgg", "2026-06-10T09:00:00+08:00", `"status": "withdrawn"`, `"withdrawn_at": "2026-06-20"`, `"withdraw_reason": "内容有误"`),
		entry("fgw-5", "fgw", "tzgg", "2026-07-05T09:00:00+08:00"),
		entry("jtj-1", "jtj", "tzgg", "2026-05-01T09:00:00+08:00"),
		entry("jtj-2", "jtj", "tzgg", "2026-06-01T09:00:00+08:00"),
		entry("jtj-3", "jtj", "tzgg", "2026-06-29T09:00:00+08:00"),
		entry("jtj-4", "jtj", "zcwj", "2025-11-01T09:00:00+08:00"),
		entry("jtj-5", "jtj", "gknb", "2025-01-20T09:00:00+08:00"),
		entry("jtj-6", "jtj", "zcjd", "2026-03-01T09:00:00+08:00", `"status": "withdrawn"`, `"withdrawn_at": "2026-07-10"`, `"withdraw_reason": "已失效"`),
		entry("sjj-1", "sjj", "tzgg", "2026-04-15T09:00:00+08:00"),
		entry("sjj-2", "sjj", "tzgg", "2026-05-15T09:00:00+08:00"),
		entry("sjj-3", "sjj", "tzgg", "2026-06-15T09:00:00+08:00"),
		entry("sjj-4", "sjj", "gknb", "2026-01-25T09:00:00+08:00"),
	)
	for _, args := range [][]string{{"import", "units", units}, {"import", "entries", entries, "--quiet"}} {
		if code, out, errOut := run(t, env, args...); code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(data, "gongkai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSetting(context.Background(), "supervise", `{"auto_rules": ["silent", "low_volume", "overdue_columns"]}`); err != nil {
		t.Fatal(err)
	}
	return env, data
}

type runJSON struct {
	AsOf   string `json:"as_of"`
	Raised []struct {
		Unit     string `json:"unit"`
		Rule     string `json:"rule"`
		Number   string `json:"number"`
		ID       int64  `json:"id"`
		RaisedAt string `json:"raised_at"`
	} `json:"notices_raised"`
	Units []struct {
		Unit        string   `json:"unit"`
		Name        string   `json:"unit_name"`
		LastPublish *string  `json:"last_publish"`
		DaysSilent  int      `json:"days_silent"`
		Published   int      `json:"published"`
		Recent      int      `json:"recent"`
		Overdue     []string `json:"overdue_columns"`
		Empty       []string `json:"empty_columns"`
		Rules       []string `json:"rules_broken"`
	} `json:"units"`
	National struct {
		Pass  bool `json:"pass"`
		Items []struct {
			Count int `json:"count"`
		} `json:"items"`
	} `json:"national"`
	Totals struct {
		Units          int `json:"units"`
		Published      int `json:"published"`
		SilentUnits    int `json:"silent_units"`
		LowVolumeUnits int `json:"low_volume_units"`
		OverdueColumns int `json:"overdue_columns"`
		EmptyColumns   int `json:"empty_columns"`
	} `json:"totals"`
}

// supervise run as of 30 June 2026 gives exactly the expected units and
// notices, and the same output byte for byte when run again.
func TestSuperviseRunJSON(t *testing.T) {
	env, _ := superviseFixture(t)
	code, first, errOut := run(t, env, "supervise", "run", "--now", "2026-06-30", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got runJSON
	if err := json.Unmarshal([]byte(first), &got); err != nil {
		t.Fatalf("%v\n%s", err, first)
	}
	const asOf = "2026-06-30T23:59:59.999+08:00"
	if got.AsOf != asOf {
		t.Errorf("as_of %s, want %s", got.AsOf, asOf)
	}
	// Instants are compared as instants: the zone they are written in is
	// the process's.
	instant := func(s string) string {
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Errorf("%q: %v", s, err)
		}
		return at.UTC().Format(time.RFC3339Nano)
	}
	type raised struct{ Unit, Rule, Number, RaisedAt string }
	var notices []raised
	for i, r := range got.Raised {
		notices = append(notices, raised{r.Unit, r.Rule, r.Number, instant(r.RaisedAt)})
		if r.ID != int64(i+1) {
			t.Errorf("notice %d has id %d", i, r.ID)
		}
	}
	wantNotices := []raised{
		{"fgw", "silent", "临政办督〔2026〕1号", "2026-06-30T15:59:59.999Z"},
		{"jtj", "overdue_columns", "临政办督〔2026〕2号", "2026-06-30T15:59:59.999Z"},
	}
	if !reflect.DeepEqual(notices, wantNotices) {
		t.Errorf("notices_raised %+v\nwant %+v", notices, wantNotices)
	}

	type unit struct {
		Unit, Name, LastPublish  string
		DaysSilent, Pub, Recent  int
		Overdue, Empty, Breaches []string
	}
	var units []unit
	for _, u := range got.Units {
		last := "null"
		if u.LastPublish != nil {
			last = instant(*u.LastPublish)
		}
		units = append(units, unit{u.Unit, u.Name, last, u.DaysSilent, u.Published, u.Recent, u.Overdue, u.Empty, u.Rules})
	}
	wantUnits := []unit{
		{"fgw", "临沂市发展和改革委员会", "2026-05-30T02:00:00Z", 31, 3, 3,
			[]string{}, leavesExcept("tzgg"), []string{"silent", "empty_columns"}},
		{"jtj", "临沂市交通运输局", "2026-06-29T01:00:00Z", 1, 6, 3,
			[]string{"gknb", "zcwj"}, leavesExcept("tzgg", "zcwj", "gknb", "zcjd"), []string{"overdue_columns", "empty_columns"}},
		{"sjj", "临沂市统计局", "2026-06-15T01:00:00Z", 15, 4, 3,
			[]string{}, leavesExcept("tzgg", "gknb"), []string{"empty_columns"}},
	}
	if len(units) != len(wantUnits) {
		t.Fatalf("%d units, want %d:\n%s", len(units), len(wantUnits), first)
	}
	for i := range wantUnits {
		if !reflect.DeepEqual(units[i], wantUnits[i]) {
			t.Errorf("unit %d:\n got %+v\nwant %+v", i, units[i], wantUnits[i])
		}
	}
	tot := got.Totals
	if tot.Units != 3 || tot.Published != 13 || tot.SilentUnits != 1 || tot.LowVolumeUnits != 0 || tot.OverdueColumns != 2 || tot.EmptyColumns != 20+17+19 {
		t.Errorf("totals %+v", tot)
	}
	// 56 empty columns fail the national check (at 5), 2 overdue do not.
	if got.National.Pass || len(got.National.Items) != 2 || got.National.Items[0].Count != 56 || got.National.Items[1].Count != 2 {
		t.Errorf("national %+v", got.National)
	}

	code, second, errOut := run(t, env, "supervise", "run", "--now", "2026-06-30", "--format", "json")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errOut)
	}
	if second != first {
		t.Errorf("the second run as of the same date answers differently:\n%s\n---\n%s", first, second)
	}
}

func TestSuperviseRunBadArguments(t *testing.T) {
	env := map[string]string{"GONGKAI_DATA": filepath.Join(t.TempDir(), "data")}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--now", "2026-13-01"}, []string{"--now", `"2026-13-01" is no date (YYYY-MM-DD) or RFC 3339 instant`}},
		{[]string{"--now", "30/06/2026", "--format", "json"}, []string{"--now", `"30/06/2026" is no date`}},
		{[]string{"--now", "yesterday"}, []string{"--now", `"yesterday" is no date`}},
		{[]string{"--format", "xml"}, []string{"--format must be text or json"}},
		{[]string{"extra"}, []string{`unexpected argument "extra"`}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, env, append([]string{"supervise", "run"}, tc.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (%s%s)", code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}
