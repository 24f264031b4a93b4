package console

import (
	"net/http"

	"gongkai/internal/store"
)

// popularRoutes lists the office's moderation of the public popular
// queries (热门搜索): the list with its counts, hiding, pinning and
// resetting a query, and the list's thresholds.
func (c *Console) popularRoutes(page, api func(name, method, path string, h http.HandlerFunc) Route) []Route {
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		page("console.popular", get, "/console/popular", c.popularPage),
		page("console.popular.hide", post, "/console/popular/hide", c.markQueryPost(store.QueryHidden)),
		page("console.popular.pin", post, "/console/popular/pin", c.markQueryPost(store.QueryPinned)),
		page("console.popular.reset", post, "/console/popular/reset", c.markQueryPost("")),
		page("console.popular.settings", post, "/console/popular/settings", c.popularSettingsPost),
	}
}
