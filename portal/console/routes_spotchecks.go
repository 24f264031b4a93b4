package console

import "net/http"

// spotCheckRoutes lists monthly spot checks (月度抽查) and quarterly
// bulletins (季度通报).
func (c *Console) spotCheckRoutes(page, api func(name, method, path string, h http.HandlerFunc) Route) []Route {
	get, post := http.MethodGet, http.MethodPost
	const quarter = "/console/bulletins/{quarter:[0-9][0-9][0-9][0-9]Q[1-4]}"
	return []Route{
		page("console.spotchecks", get, "/console/spotchecks", c.spotChecksPage),
		page("console.spotchecks.draw", post, "/console/spotchecks/draw", c.drawSpotChecksPost),
		page("console.spotchecks.grade", post, "/console/spotchecks/grade", c.gradeSpotCheckPost),

		page("console.bulletins", get, "/console/bulletins", c.bulletinsPage),
		page("console.bulletins.generate", post, "/console/bulletins", c.generateBulletinPost),
		page("console.bulletin", get, quarter, c.bulletinPage),
		page("console.bulletin.docx", get, quarter+"/bulletin.docx", c.bulletinDOCX),
		page("console.bulletin.xlsx", get, quarter+"/bulletin.xlsx", c.bulletinXLSX),

		api("api.spotchecks", get, "/api/v1/console/spotchecks", c.apiSpotChecks),
		api("api.bulletin", get, "/api/v1/console/bulletins/{quarter:[0-9][0-9][0-9][0-9]Q[1-4]}", c.apiBulletin),
	}
}
