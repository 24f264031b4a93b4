package console

import "net/http"

// spotCheckRoutes lists monthly spot checks (月度抽查) and quarterly
// bulletins (季度通报).
func (c *Console) spotCheckRoutes(page, api func(name, method, path string, h http.HandlerFunc) Route) []Route {
	return nil
}
