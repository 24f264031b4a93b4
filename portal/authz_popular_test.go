package portal

import (
	"io"
	"net/url"
)

// The authorisation rows of the popular queries' moderation (热门搜索):
// the office only; units, the auditor and tokens are refused.
func init() {
	matrix["console.popular"] = want{ok: office, status: 200}
	matrix["console.popular.hide"] = want{ok: office, status: 303}
	matrix["console.popular.pin"] = want{ok: office, status: 303}
	matrix["console.popular.reset"] = want{ok: office, status: 303}
	matrix["console.popular.settings"] = want{ok: office, status: 303}

	query := func(f *authzFixture, c *caller) (io.Reader, string) {
		return formBody(url.Values{"q": {"矩阵测试 公积金"}}, c)
	}
	routeBodies["console.popular.hide"] = query
	routeBodies["console.popular.pin"] = query
	routeBodies["console.popular.reset"] = query
	routeBodies["console.popular.settings"] = func(f *authzFixture, c *caller) (io.Reader, string) {
		return formBody(url.Values{"min_clients": {"20"}, "days": {"30"}}, c)
	}
}
