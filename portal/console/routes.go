package console

import "net/http"

// Routes lists every URL of the console and the back-office API. The
// portal's router mounts them; the authorisation test walks them.
func (c *Console) Routes() []Route {
	page := func(name, method, path string, h http.HandlerFunc) Route {
		return Route{Name: name, Method: method, Path: path, Access: Session, Handler: c.pageHandler(h)}
	}
	api := func(name, method, path string, h http.HandlerFunc) Route {
		return Route{Name: name, Method: method, Path: path, Access: API, Handler: c.apiHandler(h)}
	}
	pub := func(name, method, path string, h http.HandlerFunc) Route {
		return Route{Name: name, Method: method, Path: path, Access: Public, Handler: c.publicHandler(h)}
	}
	get, post, put := http.MethodGet, http.MethodPost, http.MethodPut
	rs := []Route{
		pub("console.static", get, "/console/static/{name:.+}", c.staticHandler),
		pub("console.login", get, "/console/login", c.loginPage),
		pub("console.login.post", post, "/console/login", c.loginPost),
		page("console.logout", post, "/console/logout", c.logoutPost),
		page("console.password", get, "/console/password", c.passwordPage),
		page("console.password.post", post, "/console/password", c.passwordPost),
		page("console.home", get, "/console/", c.homePage),

		page("console.entries", get, "/console/entries", c.entriesPage),
		page("console.entries.new", get, "/console/entries/new", c.newEntryPage),
		page("console.entries.create", post, "/console/entries", c.createEntryPost),
		page("console.entry", get, "/console/entries/{id}", c.entryPage),
		page("console.entry.edit", get, "/console/entries/{id}/edit", c.editEntryPage),
		page("console.entry.save", post, "/console/entries/{id}", c.saveEntryPost),
		page("console.entry.preview", get, "/console/entries/{id}/preview", c.previewPage),
		page("console.entry.file", get, "/console/entries/{id}/files/{n:[0-9]+}", c.entryFile),
		page("console.entry.submit", post, "/console/entries/{id}/submit", c.actionPost("submit")),
		page("console.entry.approve", post, "/console/entries/{id}/approve", c.actionPost("approve")),
		page("console.entry.return", post, "/console/entries/{id}/return", c.actionPost("return")),
		page("console.entry.withdraw", post, "/console/entries/{id}/withdraw", c.actionPost("withdraw")),
		page("console.entry.pin", post, "/console/entries/{id}/pin", c.actionPost("pin")),
		page("console.entry.unpin", post, "/console/entries/{id}/unpin", c.actionPost("unpin")),
		page("console.entry.mask", post, "/console/entries/{id}/mask", c.actionPost("mask")),
		page("console.approvals", get, "/console/approvals", c.approvalsPage),
		page("console.review", get, "/console/review", c.reviewPage),
		page("console.published", get, "/console/published", c.publishedPage),
		page("console.checks", get, "/console/checks", c.checksPage),
		page("console.checks.retrain", post, "/console/checks/retrain", c.retrainPost),

		api("api.entries.create", post, "/api/v1/console/entries", c.apiCreate),
		api("api.entries.list", get, "/api/v1/console/entries", c.apiList),
		api("api.entry", get, "/api/v1/console/entries/{id}", c.apiEntry),
		api("api.entry.update", put, "/api/v1/console/entries/{id}", c.apiUpdate),
		api("api.entry.submit", post, "/api/v1/console/entries/{id}/submit", c.apiAction("submit")),
		api("api.entry.approve", post, "/api/v1/console/entries/{id}/approve", c.apiAction("approve")),
		api("api.entry.return", post, "/api/v1/console/entries/{id}/return", c.apiAction("return")),
		api("api.entry.withdraw", post, "/api/v1/console/entries/{id}/withdraw", c.apiAction("withdraw")),
		api("api.entry.pin", post, "/api/v1/console/entries/{id}/pin", c.apiAction("pin")),
		api("api.entry.unpin", post, "/api/v1/console/entries/{id}/unpin", c.apiAction("unpin")),
		api("api.entry.revisions", get, "/api/v1/console/entries/{id}/revisions", c.apiRevisions),
		api("api.entry.findings", get, "/api/v1/console/entries/{id}/findings", c.apiFindings),
		api("api.entry.mask", post, "/api/v1/console/entries/{id}/mask", c.apiAction("mask")),
		api("api.check", post, "/api/v1/console/check", c.apiCheck),
		api("api.files.upload", post, "/api/v1/console/files", c.apiUpload),
	}
	rs = append(rs, c.officeRoutes(page, api)...)
	rs = append(rs, c.noticeRoutes(page, api)...)
	rs = append(rs, c.dashboardRoutes(page, api)...)
	rs = append(rs, c.popularRoutes(page, api)...)
	return append(rs, c.spotCheckRoutes(page, api)...)
}
