package console

import (
	"context"
	"net/http"

	"gongkai/internal/auth"
	"gongkai/internal/store"
)

// noticeRoutes lists the pages and calls of supervision notices (督办通知):
// the list, one notice with its printable document, the unit's answer and
// the office's decision.
func (c *Console) noticeRoutes(page, api func(name, method, path string, h http.HandlerFunc) Route) []Route {
	return nil
}

// openNotices counts the notices waiting on the caller, for the menu's
// badge: for a unit, those it must answer; for the office, those it must
// check.
func (c *Console) openNotices(ctx context.Context, p auth.Principal) int {
	q := store.NoticeQuery{States: []string{store.NoticeSubmitted}}
	if !auth.IsOffice(p) {
		q = store.NoticeQuery{Units: []string{p.Unit}, States: []string{store.NoticeOpen, store.NoticeSentBack}}
	}
	n, err := c.Store.CountNotices(ctx, q)
	if err != nil {
		return 0
	}
	return n
}
