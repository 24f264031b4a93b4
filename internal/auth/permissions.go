package auth

import "gongkai/internal/audit"

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
