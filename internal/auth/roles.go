package auth

import (
	"fmt"
	"strings"

	"gongkai/internal/catalog"
)

// Role is what a caller is in the back office.
type Role string

// The roles the contract fixes.
const (
	RoleEditor   Role = "editor"   // unit staff (信息员)
	RoleApprover Role = "approver" // unit approver (单位审核人)
	RoleReviewer Role = "reviewer" // city office reviewer (信息公开办)
	RoleAdmin    Role = "admin"    // city office administrator
	RoleAuditor  Role = "auditor"  // reads the audit log only
)

// Roles lists every role, unit roles first.
var Roles = []Role{RoleEditor, RoleApprover, RoleReviewer, RoleAdmin, RoleAuditor}

// ParseRole reads a role name as given on a command line or in a request.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Roles {
		if r == known {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, k := range Roles {
		names[i] = string(k)
	}
	return "", fmt.Errorf("未知角色 %q，应为 %s 之一 (unknown role)", s, strings.Join(names, "、"))
}

// NeedsUnit reports whether the role acts for one unit: unit staff and
// unit approvers belong to a unit; the city office's roles do not.
func (r Role) NeedsUnit() bool { return r == RoleEditor || r == RoleApprover }

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleEditor:
		return "信息员"
	case RoleApprover:
		return "单位审核人"
	case RoleReviewer:
		return "信息公开办审核员"
	case RoleAdmin:
		return "系统管理员"
	case RoleAuditor:
		return "审计员"
	}
	return string(r)
}

// roleAndUnit checks a role and the unit it is given, as accounts and
// tokens both take them: unit roles need a unit, the office's have none.
// Problems are added to fe.
func roleAndUnit(fe *catalog.FieldErrors, role, unit string) (Role, string) {
	r, err := ParseRole(role)
	if err != nil {
		fe.Add("role", err.Error())
	}
	unit = strings.TrimSpace(unit)
	switch {
	case r.NeedsUnit() && unit == "":
		fe.Add("unit", fmt.Sprintf("角色 %s 需要指定单位 (role %s needs a unit)", r, r))
	case r != "" && !r.NeedsUnit() && unit != "":
		fe.Add("unit", fmt.Sprintf("角色 %s 不属于某个单位，不能指定单位 (role %s has no unit)", r, r))
	case unit != "" && !catalog.ValidUnitCode(unit):
		fe.Add("unit", fmt.Sprintf("单位代码格式不正确 (got %q)", unit))
	}
	return r, unit
}
