package supervise

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/catalog"
)

// The supervision settings as the office's form has them: one field per
// setting, one per unit kind's minimum volume (volume_min_<i>, i its
// place in catalog.UnitKinds) and one per template column's "stale after"
// days (stale_<code>, empty for the template's own value).

// VolumeMinField is the form field of a unit kind's minimum.
func VolumeMinField(kind string) string {
	return fmt.Sprintf("volume_min_%d", slices.Index(catalog.UnitKinds, kind))
}

// StaleField is the form field of a column's "stale after" days.
func StaleField(code string) string { return "stale_" + code }

var settingsNumbers = []struct {
	field string
	get   func(*Settings) *int
}{
	{"silent_days", func(s *Settings) *int { return &s.SilentDays }},
	{"volume_window_days", func(s *Settings) *int { return &s.VolumeWindowDays }},
	{"rectify_days", func(s *Settings) *int { return &s.RectifyDays }},
	{"national_empty_fail_at", func(s *Settings) *int { return &s.NationalEmptyFailAt }},
	{"national_overdue_fail_at", func(s *Settings) *int { return &s.NationalOverdueFailAt }},
	{"spot_check_size", func(s *Settings) *int { return &s.SpotCheckSize }},
}

// SettingsValues are the settings as the form's fields.
func SettingsValues(set Settings, leaves []catalog.Column) url.Values {
	v := url.Values{"notice_prefix": {set.NoticePrefix}, "issuer": {set.Issuer}}
	for _, n := range settingsNumbers {
		v.Set(n.field, strconv.Itoa(*n.get(&set)))
	}
	for _, kind := range catalog.UnitKinds {
		if n, ok := set.VolumeMin[kind]; ok {
			v.Set(VolumeMinField(kind), strconv.Itoa(n))
		}
	}
	v["auto_rules"] = slices.Clone(set.AutoRules)
	for _, c := range leaves {
		if d, ok := set.StaleDays[c.Code]; ok && d != c.StaleDays {
			v.Set(StaleField(c.Code), strconv.Itoa(d))
		}
	}
	return v
}

// ParseSettings reads the form over base (whose overrides of columns not
// in the template are kept) and names every field that does not read or is
// out of range for a kind or a column; a column's days equal to the
// template's are no override. The rest is Settings.Validate's, when saved.
func ParseSettings(v url.Values, base Settings, leaves []catalog.Column) (Settings, error) {
	var fe catalog.FieldErrors
	set := base
	set.NoticePrefix, set.Issuer = v.Get("notice_prefix"), v.Get("issuer")
	number := func(field string, s string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			fe.Add(field, "请填写整数")
			return 0, false
		}
		return n, true
	}
	for _, n := range settingsNumbers {
		if x, ok := number(n.field, v.Get(n.field)); ok {
			*n.get(&set) = x
		}
	}
	set.VolumeMin = map[string]int{}
	for _, kind := range catalog.UnitKinds {
		f := VolumeMinField(kind)
		if strings.TrimSpace(v.Get(f)) == "" {
			// No minimum for the kind: 0, not a missing key, which
			// LoadSettings would fill from the defaults again.
			set.VolumeMin[kind] = 0
			continue
		}
		if x, ok := number(f, v.Get(f)); ok {
			if x < 0 || x > 10000 {
				fe.Add(f, "须为 0 至 10000 之间的整数")
			}
			set.VolumeMin[kind] = x
		}
	}
	set.AutoRules = []string{}
	for _, r := range v["auto_rules"] {
		if !slices.Contains(set.AutoRules, r) {
			set.AutoRules = append(set.AutoRules, r)
		}
	}
	set.StaleDays = map[string]int{}
	inTemplate := map[string]bool{}
	for _, c := range leaves {
		inTemplate[c.Code] = true
		f := StaleField(c.Code)
		s := strings.TrimSpace(v.Get(f))
		if s == "" || c.DueMonthDay != "" {
			continue
		}
		x, ok := number(f, s)
		if ok && (x < 0 || x > 3660) {
			fe.Add(f, "须为 0 至 3660 之间的整数（0 表示不计更新周期）")
		}
		if ok && x != c.StaleDays {
			set.StaleDays[c.Code] = x
		}
	}
	for code, d := range base.StaleDays {
		if !inTemplate[code] {
			set.StaleDays[code] = d
		}
	}
	if len(fe) > 0 {
		return set, fe
	}
	return set, nil
}
