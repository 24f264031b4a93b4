package console

import "net/http"

// officeRoutes lists the pages and calls of filings, delegation, the audit
// browser and account management.
func (c *Console) officeRoutes(page, api func(name, method, path string, h http.HandlerFunc) Route) []Route {
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		page("console.filings", get, "/console/filings", c.filingsPage),
		page("console.filings.create", post, "/console/filings", c.createFilingPost),
		page("console.filings.decide", post, "/console/filings/{id:[0-9]+}/decide", c.decideFilingPost),
		page("console.units.filing_setting", post, "/console/units/{code}/filing-setting", c.filingSettingPost),

		page("console.delegation", get, "/console/delegation", c.delegationPage),
		page("console.delegation.save", post, "/console/delegation", c.saveDelegationPost),

		page("console.audit", get, "/console/audit", c.auditPage),
		page("console.audit.csv", get, "/console/audit/export.csv", c.auditExport("csv")),
		page("console.audit.xlsx", get, "/console/audit/export.xlsx", c.auditExport("xlsx")),

		page("console.users", get, "/console/users", c.usersPage),
		page("console.users.create", post, "/console/users", c.createUserPost),
		page("console.users.unlock", post, "/console/users/{login}/unlock", c.unlockUserPost),
	}
}
