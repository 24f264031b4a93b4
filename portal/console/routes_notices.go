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
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		page("console.notices", get, "/console/notices", c.noticesPage),
		page("console.notices.raise", post, "/console/notices", c.raiseNoticePost),
		page("console.notice", get, "/console/notices/{id:[0-9]+}", c.noticePage),
		page("console.notice.print", get, "/console/notices/{id:[0-9]+}/print", c.noticePrintPage),
		page("console.notice.docx", get, "/console/notices/{id:[0-9]+}/document.docx", c.noticeDOCX),
		page("console.notice.self_exam", get, "/console/notices/{id:[0-9]+}/self-exam", c.selfExamFile),
		page("console.notice.self_exam.upload", post, "/console/notices/{id:[0-9]+}/self-exam", c.selfExamPost),
		page("console.notice.rectified", post, "/console/notices/{id:[0-9]+}/rectified", c.rectifiedPost),
		page("console.notice.close", post, "/console/notices/{id:[0-9]+}/close", c.closeNoticePost),
		page("console.notice.send_back", post, "/console/notices/{id:[0-9]+}/send-back", c.sendBackNoticePost),

		api("api.notices", get, "/api/v1/console/notices", c.apiNotices),
		api("api.notice", get, "/api/v1/console/notices/{id:[0-9]+}", c.apiNotice),
	}
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
