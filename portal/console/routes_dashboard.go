package console

import "net/http"

// dashboardRoutes lists the office's supervision dashboard: overview, the
// unit league table and its export, a unit's drill-down, deadline
// campaigns, the annual report's tables and the supervision settings.
func (c *Console) dashboardRoutes(page, api func(name, method, path string, h http.HandlerFunc) Route) []Route {
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		page("console.supervision", get, "/console/supervision", c.dashboardPage),
		page("console.supervision.xlsx", get, "/console/supervision/export.xlsx", c.dashboardExport),
		page("console.supervision.unit", get, "/console/supervision/units/{code}", c.dashboardUnitPage),
		page("console.supervision.run", post, "/console/supervision/run", c.superviseRunPost),
		api("api.supervision", get, "/api/v1/console/supervision", c.apiSupervision),
		page("console.supervision.settings", get, "/console/supervision/settings", c.superviseSettingsPage),
		page("console.supervision.settings.save", post, "/console/supervision/settings", c.superviseSettingsPost),

		page("console.campaigns", get, "/console/campaigns", c.campaignsPage),
		page("console.campaigns.create", post, "/console/campaigns", c.createCampaignPost),
		page("console.campaign", get, "/console/campaigns/{id:[0-9]+}", c.campaignPage),

		page("console.annual", get, "/console/annual", c.annualPage),
		page("console.annual.xlsx", get, "/console/annual/export.xlsx", c.annualExport),
	}
}
