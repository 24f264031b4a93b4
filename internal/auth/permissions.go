package auth

// Principal is the caller a request acts for, once authenticated.
type Principal struct {
	TokenID int64 // the API token used; 0 for other kinds of login
	Role    Role
	Unit    string // the unit of a unit role; empty otherwise
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
