package console

import "net/http"

// dashboardRoutes lists the office's supervision dashboard: overview, the
// unit league table and its export, a unit's drill-down, deadline
// campaigns, the annual report's tables and the supervision settings.
func (c *Console) dashboardRoutes(page, api func(name, method, path string, h http.HandlerFunc) Route) []Route {
	return nil
}
