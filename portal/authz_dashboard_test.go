package portal

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"gongkai/internal/auth"
	"gongkai/internal/supervise"
)

// The authorisation rows of the office's supervision dashboard, deadline
// campaigns, annual report tables and supervision settings.
func init() {
	matrix["console.supervision"] = want{ok: office, status: 200}
	matrix["console.supervision.xlsx"] = want{ok: office, status: 200}
	matrix["console.supervision.unit"] = want{ok: office, status: 200}
	matrix["console.supervision.run"] = want{ok: office, status: 303}
	matrix["api.supervision"] = want{ok: kinds(office, []callerKind{tokRv}), status: 200}
	matrix["console.supervision.settings"] = want{ok: office, status: 200}
	matrix["console.supervision.settings.save"] = want{ok: office, status: 303}
	routeBodies["console.supervision.settings.save"] = func(f *authzFixture, c *caller) (io.Reader, string) {
		return formBody(supervise.SettingsValues(supervise.DefaultSettings(), nil), c)
	}

	matrix["console.campaigns"] = want{ok: office, status: 200}
	matrix["console.campaigns.create"] = want{ok: office, status: 303}
	matrix["console.campaign"] = want{ok: office, status: 200}
	routeObjects["/campaigns/"] = (*authzFixture).campaignIn

	// Without ?unit= a unit's staff get their own unit's tables; asking for
	// another unit's is 404 (pages_annual_test.go).
	matrix["console.annual"] = want{ok: kinds(unitRoles, office), status: 200}
	matrix["console.annual.xlsx"] = want{ok: kinds(unitRoles, office), status: 200}
	routeBodies["console.campaigns.create"] = func(f *authzFixture, c *caller) (io.Reader, string) {
		return formBody(url.Values{"title": {"矩阵测试专项"}, "start": {"2026-07-01"}, "deadline": {"2026-07-15"}, "columns": {"tzgg"}}, c)
	}
}

// campaignIn makes a campaign for a campaign's page.
func (f *authzFixture) campaignIn(route string, k callerKind) string {
	f.t.Helper()
	sv := supervise.New(f.st, nil, nil)
	c, err := sv.CreateCampaign(context.Background(), auth.Caller{P: auth.Principal{Login: "setup-rv", Role: auth.RoleReviewer}},
		supervise.CampaignForm{Title: "矩阵测试专项", Start: "2026-07-01", Deadline: "2026-07-15", Columns: []string{"tzgg", "zcwj"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return fmt.Sprint(c.ID)
}
