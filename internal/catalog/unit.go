package catalog

import (
	"regexp"
	"strings"
)

// Unit kinds as the city office classifies its bodies.
const (
	KindDepartment = "部门"
	KindAffiliated = "直属机构"
	KindCommittee  = "管委会"
	KindOther      = "其他"
)

// UnitKinds lists the accepted unit kinds in display order.
var UnitKinds = []string{KindDepartment, KindAffiliated, KindCommittee, KindOther}

// Unit is a city department, directly affiliated body or zone committee.
type Unit struct {
	Code    string `json:"code" db:"code"`
	Name    string `json:"name" db:"name"`
	Kind    string `json:"kind" db:"kind"`
	OrgCode string `json:"org_code" db:"org_code"`
	Parent  string `json:"parent,omitempty" db:"parent"`
}

var (
	unitCodeRE = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	orgCodeRE  = regexp.MustCompile(`^[0-9A-HJ-NP-RTUW-Y]{18}$`)
)

// ValidUnitCode reports whether code has the form units are keyed by.
func ValidUnitCode(code string) bool { return unitCodeRE.MatchString(code) }

// Validate checks a unit's fields and returns every problem found.
func (u *Unit) Validate() error {
	var errs FieldErrors
	switch {
	case u.Code == "":
		errs.Add("code", "缺少单位代码 (required)")
	case !ValidUnitCode(u.Code):
		errs.Add("code", "单位代码只能由小写字母、数字、_ 和 - 组成，最长 32 个字符 (must match [a-z0-9_-]{1,32})")
	}
	if strings.TrimSpace(u.Name) == "" {
		errs.Add("name", "缺少单位名称 (required)")
	}
	if u.Kind == "" {
		u.Kind = KindDepartment
	} else if !contains(UnitKinds, u.Kind) {
		errs.Add("kind", "单位类型必须是 部门、直属机构、管委会 或 其他 (got "+quote(u.Kind)+")")
	}
	if u.OrgCode != "" {
		u.OrgCode = strings.ToUpper(strings.TrimSpace(u.OrgCode))
		if !orgCodeRE.MatchString(u.OrgCode) {
			errs.Add("org_code", "统一社会信用代码应为 18 位数字或大写字母 (got "+quote(u.OrgCode)+")")
		}
	}
	if u.Parent != "" {
		if !ValidUnitCode(u.Parent) {
			errs.Add("parent", "上级单位代码格式不正确 (got "+quote(u.Parent)+")")
		} else if u.Parent == u.Code {
			errs.Add("parent", "单位不能以自己为上级 (a unit cannot be its own parent)")
		}
	}
	return errs.Err()
}
