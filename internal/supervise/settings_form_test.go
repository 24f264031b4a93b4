package supervise_test

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/supervise"
)

// The form's fields read back as the settings they came from, and what
// the office types over them becomes the new settings.
func TestSettingsForm(t *testing.T) {
	leaves := templateLeaves()
	base := supervise.DefaultSettings()
	base.StaleDays = map[string]int{"tzgg": 30, "nyjs": 90} // nyjs: a unit's own column, not in the template
	v := supervise.SettingsValues(base, leaves)
	if v.Get("stale_tzgg") != "30" || v.Get("stale_zcwj") != "" || v.Get("volume_min_0") != "3" || v.Get("silent_days") != "30" {
		t.Errorf("fields: %v", v)
	}
	same, err := supervise.ParseSettings(v, base, leaves)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(same, base) {
		t.Errorf("read back\n got %+v\nwant %+v", same, base)
	}

	for _, tc := range []struct {
		name   string
		edit   func(url.Values)
		check  func(supervise.Settings) bool
		fields []string // the fields with problems
	}{
		{"override a column", func(v url.Values) { v.Set("stale_zcwj", "90") },
			func(s supervise.Settings) bool { return s.StaleDays["zcwj"] == 90 && s.StaleDays["nyjs"] == 90 }, nil},
		{"back to the template's value", func(v url.Values) { v.Set("stale_tzgg", "180") },
			func(s supervise.Settings) bool { _, ok := s.StaleDays["tzgg"]; return !ok }, nil},
		{"blank: the template's value", func(v url.Values) { v.Set("stale_tzgg", " ") },
			func(s supervise.Settings) bool { _, ok := s.StaleDays["tzgg"]; return !ok }, nil},
		{"the annual report keeps its date", func(v url.Values) { v.Set("stale_gknb", "10") },
			func(s supervise.Settings) bool { _, ok := s.StaleDays["gknb"]; return !ok }, nil},
		{"no minimum for a kind", func(v url.Values) { v.Del("volume_min_3") },
			func(s supervise.Settings) bool {
				n, ok := s.VolumeMin[catalog.KindOther]
				return ok && n == 0 && s.VolumeMin[catalog.KindDepartment] == 3
			}, nil},
		{"rules", func(v url.Values) { v["auto_rules"] = []string{"empty_columns", "silent", "silent"} },
			func(s supervise.Settings) bool {
				return reflect.DeepEqual(s.AutoRules, []string{"empty_columns", "silent"})
			}, nil},
		{"no rules", func(v url.Values) { v.Del("auto_rules") },
			func(s supervise.Settings) bool { return len(s.AutoRules) == 0 && s.AutoRules != nil }, nil},
		{"not numbers", func(v url.Values) {
			v.Set("silent_days", "三十")
			v.Set("volume_min_1", "x")
			v.Set("stale_ggfw", "1.5")
		}, nil,
			[]string{"silent_days", "volume_min_1", "stale_ggfw"}},
		{"out of range", func(v url.Values) { v.Set("volume_min_2", "-1"); v.Set("stale_yjgl", "4000") }, nil,
			[]string{"volume_min_2", "stale_yjgl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := supervise.SettingsValues(base, leaves)
			tc.edit(v)
			got, err := supervise.ParseSettings(v, base, leaves)
			var fe catalog.FieldErrors
			if tc.fields != nil {
				if !errors.As(err, &fe) {
					t.Fatalf("no problems named: %v", err)
				}
				var fields []string
				for _, e := range fe {
					fields = append(fields, e.Field)
				}
				if !reflect.DeepEqual(fields, tc.fields) {
					t.Errorf("problems with %v, want %v", fields, tc.fields)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(got) {
				t.Errorf("settings %+v", got)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("does not validate: %v", err)
			}
		})
	}
}
