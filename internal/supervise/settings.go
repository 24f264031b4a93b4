package supervise

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Rules a unit can break. Each open notice names one.
const (
	RuleSilent  = "silent"          // nothing published for more than SilentDays
	RuleVolume  = "low_volume"      // fewer entries in the window than its kind's minimum
	RuleOverdue = "overdue_columns" // columns past their update clock or due date
	RuleEmpty   = "empty_columns"   // columns without a single entry
	RuleManual  = store.RuleManual  // raised by hand by the office
)

// RuleLabel names a rule for people.
func RuleLabel(rule string) string {
	switch rule {
	case RuleSilent:
		return "长期未更新"
	case RuleVolume:
		return "发布数量不足"
	case RuleOverdue:
		return "栏目超期未更新"
	case RuleEmpty:
		return "空白栏目"
	case RuleManual:
		return "专项督办"
	}
	return rule
}

// Rules lists the rules a daily run can raise notices for.
var Rules = []string{RuleSilent, RuleVolume, RuleOverdue, RuleEmpty}

// Settings are the office's supervision settings, kept in the store.
type Settings struct {
	// NoticePrefix starts each notice's number: 临政办督〔2026〕7号.
	NoticePrefix string `json:"notice_prefix"`
	// Issuer is the body that issues notices and bulletins.
	Issuer string `json:"issuer"`
	// SilentDays: a unit that has published nothing for more than this
	// many days is silent.
	SilentDays int `json:"silent_days"`
	// VolumeWindowDays and VolumeMin: a unit that published fewer than
	// VolumeMin[its kind] entries in the last VolumeWindowDays days
	// publishes too little. A kind missing from the map has no minimum.
	VolumeWindowDays int            `json:"volume_window_days"`
	VolumeMin        map[string]int `json:"volume_min"`
	// StaleDays overrides a column's own "stale after" days by column
	// code (0: the column has no clock).
	StaleDays map[string]int `json:"stale_days"`
	// RectifyDays is the time a unit is given to answer a notice.
	RectifyDays int `json:"rectify_days"`
	// AutoRules are the rules the daily run raises notices for.
	AutoRules []string `json:"auto_rules"`
	// The national inspection's thresholds for the whole site: it fails
	// at this many empty, or overdue, columns.
	NationalEmptyFailAt   int `json:"national_empty_fail_at"`
	NationalOverdueFailAt int `json:"national_overdue_fail_at"`
	// SpotCheckSize is the entries drawn per unit each month.
	SpotCheckSize int `json:"spot_check_size"`
}

// DefaultSettings are the settings before the office changes any.
func DefaultSettings() Settings {
	return Settings{
		NoticePrefix:     "临政办督",
		Issuer:           "临沂市人民政府办公室",
		SilentDays:       30,
		VolumeWindowDays: 90,
		VolumeMin: map[string]int{
			catalog.KindDepartment: 3,
			catalog.KindAffiliated: 2,
			catalog.KindCommittee:  2,
			catalog.KindOther:      1,
		},
		StaleDays:             map[string]int{},
		RectifyDays:           15,
		AutoRules:             []string{RuleSilent, RuleVolume},
		NationalEmptyFailAt:   5,
		NationalOverdueFailAt: 5,
		SpotCheckSize:         5,
	}
}

// Validate checks the settings and names every bad field.
func (s *Settings) Validate() error {
	var fe catalog.FieldErrors
	s.NoticePrefix = strings.TrimSpace(s.NoticePrefix)
	s.Issuer = strings.TrimSpace(s.Issuer)
	if s.NoticePrefix == "" || len([]rune(s.NoticePrefix)) > 20 {
		fe.Add("notice_prefix", "文号前缀须为 1 至 20 个字 (1 to 20 characters)")
	}
	if s.Issuer == "" || len([]rune(s.Issuer)) > 60 {
		fe.Add("issuer", "发文机关须为 1 至 60 个字 (1 to 60 characters)")
	}
	positive := func(field string, v, max int) {
		if v < 1 || v > max {
			fe.Add(field, fmt.Sprintf("须为 1 至 %d 之间的整数 (1 to %d)", max, max))
		}
	}
	positive("silent_days", s.SilentDays, 366)
	positive("volume_window_days", s.VolumeWindowDays, 366)
	positive("rectify_days", s.RectifyDays, 180)
	positive("national_empty_fail_at", s.NationalEmptyFailAt, 10000)
	positive("national_overdue_fail_at", s.NationalOverdueFailAt, 10000)
	positive("spot_check_size", s.SpotCheckSize, 100)
	for kind, n := range s.VolumeMin {
		if !slices.Contains(catalog.UnitKinds, kind) {
			fe.Add("volume_min", fmt.Sprintf("未知的单位类型 %q (unknown unit kind)", kind))
		} else if n < 0 || n > 10000 {
			fe.Add("volume_min", fmt.Sprintf("%s 的最低发布数须为 0 至 10000 (0 to 10000)", kind))
		}
	}
	for code, n := range s.StaleDays {
		if !catalog.ValidUnitCode(code) {
			fe.Add("stale_days", fmt.Sprintf("栏目代码 %q 不合法 (bad column code)", code))
		} else if n < 0 || n > 3660 {
			fe.Add("stale_days", fmt.Sprintf("栏目 %s 的更新周期须为 0 至 3660 天 (0 to 3660)", code))
		}
	}
	for _, r := range s.AutoRules {
		if !slices.Contains(Rules, r) {
			fe.Add("auto_rules", fmt.Sprintf("未知的督办规则 %q (unknown rule)", r))
		}
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

const settingKey = "supervise"

// LoadSettings reads the office's settings, over the defaults.
func LoadSettings(ctx context.Context, st *store.Store) (Settings, error) {
	s := DefaultSettings()
	raw, err := st.Setting(ctx, settingKey, "")
	if err != nil || raw == "" {
		return s, err
	}
	// The stored maps replace the defaults' (a kind the office removed
	// stays removed), rather than being merged into them.
	s.VolumeMin, s.StaleDays = nil, nil
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return DefaultSettings(), fmt.Errorf("supervise: stored settings: %w", err)
	}
	if s.StaleDays == nil {
		s.StaleDays = map[string]int{}
	}
	if s.VolumeMin == nil {
		s.VolumeMin = map[string]int{}
	}
	return s, nil
}

func (s Settings) staleDays(c catalog.TreeColumn) int {
	if d, ok := s.StaleDays[c.Code]; ok {
		return d
	}
	return c.StaleDays
}
