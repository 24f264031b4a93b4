package auth

import (
	"errors"

	"gongkai/internal/audit"
	"gongkai/internal/catalog"
)

// Principal is the caller a request acts for, once authenticated.
type Principal struct {
	TokenID int64  // the API token used; 0 for other kinds of login
	UserID  int64  // the console account logged in; 0 for a token
	Login   string // that account's login name
	Role    Role
	Unit    string // the unit of a unit role; empty otherwise
}

// Actor is the principal as the audit log records it, with where the
// request came from.
func (p Principal) Actor(ip, userAgent string) audit.Actor {
	return audit.Actor{UserID: p.UserID, Login: p.Login, TokenID: p.TokenID, Role: string(p.Role), Unit: p.Unit, IP: ip, UserAgent: userAgent}
}

// MayPublishDatasets reports whether the caller's role publishes open
// data at all: unit staff and approvers for their own unit, and the
// administrator for any. Reviewers and auditors do not.
func MayPublishDatasets(p Principal) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleEditor, RoleApprover:
		return p.Unit != ""
	}
	return false
}

// CanPublishDataset reports whether the caller may publish a version of a
// dataset that belongs (or is to belong) to datasetUnit. A dataset moving
// from one unit to another needs this for both units.
func CanPublishDataset(p Principal, datasetUnit string) bool {
	if !MayPublishDatasets(p) || datasetUnit == "" {
		return false
	}
	return p.Role == RoleAdmin || p.Unit == datasetUnit
}

// ErrHidden refuses access to something the caller must not learn exists:
// another unit's entries. It is answered as 404.
var ErrHidden = errors.New("auth: not visible to the caller")

// ErrForbidden refuses an action the caller's role does not allow on
// something it may see. It is answered as 403.
var ErrForbidden = errors.New("auth: forbidden")

// Refusal carries a refusal's reason for people alongside ErrHidden or
// ErrForbidden.
type Refusal struct {
	Err    error // ErrHidden or ErrForbidden
	Reason string
}

func (r *Refusal) Error() string { return r.Reason }
func (r *Refusal) Unwrap() error { return r.Err }

func forbid(reason string) error { return &Refusal{Err: ErrForbidden, Reason: reason} }

// Part is the role's part in the review chain (catalog.PartStaff, …), or
// "" for a role that takes no part (the auditor).
func Part(r Role) string {
	switch r {
	case RoleEditor:
		return catalog.PartStaff
	case RoleApprover:
		return catalog.PartApprover
	case RoleReviewer, RoleAdmin:
		return catalog.PartOffice
	}
	return ""
}

// IsOffice reports whether the caller is the city office (a reviewer or
// the administrator), who sees every unit.
func IsOffice(p Principal) bool { return p.Role == RoleReviewer || p.Role == RoleAdmin }

// SeesUnit reports whether the caller may see a unit's back-office data:
// its drafts, queues, filings. Unit roles see their own unit only; the
// office sees all; the auditor sees the audit log, not entries.
func SeesUnit(p Principal, unit string) bool {
	switch {
	case unit == "":
		return false
	case IsOffice(p):
		return true
	case p.Role.NeedsUnit():
		return p.Unit == unit
	}
	return false
}

// CheckEntryAction says whether the caller may take a workflow action on
// an entry of unit: ErrHidden when the entry is not the caller's to see,
// ErrForbidden when its role may never take the action. Whether the
// entry's state allows it is catalog.Next's question.
func CheckEntryAction(p Principal, action, unit string) error {
	if !SeesUnit(p, unit) {
		return &Refusal{Err: ErrHidden, Reason: "未找到该信息 (not found)"}
	}
	part := Part(p.Role)
	if _, err := catalog.Next(action, part, catalog.StatusPublished, catalog.Route{}); err != nil {
		var re *catalog.RoleError
		if errors.As(err, &re) {
			return forbid(re.Error())
		}
	}
	return nil
}

// CanReadEntry reports whether the caller may read an entry of unit in
// the back office, whatever its state.
func CanReadEntry(p Principal, unit string) error {
	if !SeesUnit(p, unit) {
		return &Refusal{Err: ErrHidden, Reason: "未找到该信息 (not found)"}
	}
	return nil
}

// CanWriteEntries reports whether the caller writes entries for unit:
// unit staff and approvers of that unit.
func CanWriteEntries(p Principal, unit string) error {
	if !SeesUnit(p, unit) {
		if p.Role.NeedsUnit() {
			return forbid("只能为本单位填报信息 (only for your own unit)")
		}
		return forbid("只有单位信息员和审核人可以填报信息 (unit staff only)")
	}
	if !p.Role.NeedsUnit() {
		return forbid("只有单位信息员和审核人可以填报信息 (unit staff only)")
	}
	return nil
}

// CanReview reports whether the caller works the office's review queue.
func CanReview(p Principal) error {
	if !IsOffice(p) {
		return forbid("只有市政府办公室审核员可以审核上报的信息 (office reviewers only)")
	}
	return nil
}

// CanApproveForUnit reports whether the caller approves its unit's staff
// submissions (the unit approval queue).
func CanApproveForUnit(p Principal) error {
	if p.Role != RoleApprover || p.Unit == "" {
		return forbid("只有单位审核人可以审核本单位的信息 (unit approvers only)")
	}
	return nil
}

// CanFileColumns reports whether the caller may propose changes to unit's
// catalog tree (报备).
func CanFileColumns(p Principal, unit string) error {
	if !p.Role.NeedsUnit() || p.Unit != unit {
		return forbid("只有本单位人员可以报备目录调整 (unit staff of that unit only)")
	}
	return nil
}

// CanDecideFilings reports whether the caller acknowledges or approves the
// units' filings.
func CanDecideFilings(p Principal) error {
	if !IsOffice(p) {
		return forbid("只有市政府办公室可以处理目录报备 (office only)")
	}
	return nil
}

// CanSetDelegation reports whether the caller delegates columns to units
// or takes delegation back.
func CanSetDelegation(p Principal) error {
	if !IsOffice(p) {
		return forbid("只有市政府办公室可以设置维护权限下放 (office only)")
	}
	return nil
}

// CanReadAudit reports whether the caller browses and exports the audit log.
func CanReadAudit(p Principal) error {
	if p.Role != RoleAuditor && p.Role != RoleAdmin {
		return forbid("只有审计员和系统管理员可以查看审计日志 (auditors only)")
	}
	return nil
}

// CanManageUsers reports whether the caller manages console accounts.
func CanManageUsers(p Principal) error {
	if p.Role != RoleAdmin {
		return forbid("只有系统管理员可以管理账号 (administrators only)")
	}
	return nil
}

// CanUseConsole reports whether the caller has any console role at all.
func CanUseConsole(p Principal) error {
	if _, err := ParseRole(string(p.Role)); err != nil {
		return forbid("没有后台权限 (no console role)")
	}
	if p.Role.NeedsUnit() && p.Unit == "" {
		return forbid("账号未绑定单位 (no unit)")
	}
	return nil
}

// CanSupervise reports whether the caller works supervision: the
// dashboard, raising and closing notices, spot checks, bulletins,
// campaigns and the supervision settings. The office only.
func CanSupervise(p Principal) error {
	if !IsOffice(p) {
		return forbid("只有市政府办公室可以开展监督考核 (office only)")
	}
	return nil
}

// CanReadNotice reports whether the caller may see a supervision notice
// addressed to unit: the office, and that unit's staff and approvers.
// Anyone else must not learn that it exists.
func CanReadNotice(p Principal, unit string) error {
	if !SeesUnit(p, unit) {
		return &Refusal{Err: ErrHidden, Reason: "未找到该督办通知 (not found)"}
	}
	return nil
}

// CanAnswerNotice reports whether the caller answers a notice addressed to
// unit: uploads the written self-examination and reports the
// rectification. That unit's approver (its leader's part) and staff.
func CanAnswerNotice(p Principal, unit string) error {
	if err := CanReadNotice(p, unit); err != nil {
		return err
	}
	if !p.Role.NeedsUnit() {
		return forbid("书面检查和整改情况由被督办单位报送 (the addressed unit only)")
	}
	return nil
}

// Caller is a principal acting through one request, with where the
// request came from: what the services record in the audit log.
type Caller struct {
	P         Principal
	IP        string
	UserAgent string
}

// Actor is the caller as the audit log records it.
func (c Caller) Actor() audit.Actor { return c.P.Actor(c.IP, c.UserAgent) }

// CanModerateQueries reports whether the caller moderates the public
// popular queries (大家都在搜): hides, pins and their settings. The office
// only.
func CanModerateQueries(p Principal) error {
	if !IsOffice(p) {
		return forbid("只有市政府办公室可以管理热门搜索 (office only)")
	}
	return nil
}
