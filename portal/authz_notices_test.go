package portal

import (
	"context"
	"io"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/supervise"
)

// The authorisation rows of supervision notices (督办通知): the office
// raises and decides, the addressed unit reads and answers, another unit
// and the auditor do not learn that a notice exists.
func init() {
	matrix["console.notices"] = want{ok: kinds(unitRoles, office), status: 200}
	matrix["console.notices.raise"] = want{ok: office, status: 303}
	matrix["console.notice"] = want{ok: kinds(ownUnit, office), status: 200, hidden: foreign}
	matrix["console.notice.print"] = want{ok: kinds(ownUnit, office), status: 200, hidden: foreign}
	matrix["console.notice.docx"] = want{ok: kinds(ownUnit, office), status: 200, hidden: foreign}
	matrix["console.notice.self_exam"] = want{ok: kinds(ownUnit, office), status: 200, hidden: foreign}
	matrix["console.notice.self_exam.upload"] = want{ok: ownUnit, status: 303, hidden: foreign}
	matrix["console.notice.rectified"] = want{ok: ownUnit, status: 303, hidden: foreign}
	matrix["console.notice.close"] = want{ok: office, status: 303, hidden: foreign}
	matrix["console.notice.send_back"] = want{ok: office, status: 303, hidden: foreign}
	matrix["api.notices"] = want{ok: kinds(unitRoles, office, []callerKind{tokEd, tokRv}), status: 200}
	matrix["api.notice"] = want{ok: kinds(ownUnit, office, []callerKind{tokEd, tokRv}), status: 200, hidden: foreign}

	routeObjects["/notices/"] = (*authzFixture).noticeIn
	routeBodies["console.notices.raise"] = func(f *authzFixture, c *caller) (io.Reader, string) {
		form := url.Values{"unit": {"fgw"}, "facts": {"矩阵测试：栏目未更新。"}, "due_at": {"2099-12-31"}}
		return formBody(form, c)
	}
	routeBodies["console.notice.rectified"] = func(f *authzFixture, c *caller) (io.Reader, string) {
		return formBody(url.Values{"note": {"矩阵测试：已整改。"}}, c)
	}
	routeBodies["console.notice.send_back"] = func(f *authzFixture, c *caller) (io.Reader, string) {
		return formBody(url.Values{"reason": {"矩阵测试：请补充。"}}, c)
	}
	routeBodies["console.notice.self_exam.upload"] = func(f *authzFixture, c *caller) (io.Reader, string) {
		var buf strings.Builder
		mw := multipart.NewWriter(&buf)
		if c.csrf != "" {
			_ = mw.WriteField("csrf", c.csrf)
		}
		fw, _ := mw.CreateFormFile("file", "书面检查.pdf")
		_, _ = io.WriteString(fw, "%PDF-1.7\n%%EOF\n")
		mw.Close()
		return strings.NewReader(buf.String()), mw.FormDataContentType()
	}
}

func formBody(form url.Values, c *caller) (io.Reader, string) {
	if c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	return strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
}

// noticeIn raises a fresh notice for fgw in the state in which the route's
// action may be taken: answered with a self-examination for its download
// and for reporting the rectification, reported for a send-back.
func (f *authzFixture) noticeIn(route string, _ callerKind) string {
	f.t.Helper()
	ctx := context.Background()
	svc := supervise.New(f.st, f.fs, nil)
	svc.Now = func() time.Time { return time.Date(2026, 6, 30, 10, 0, 0, 0, catalog.Shanghai) }
	office := auth.Caller{P: auth.Principal{Login: "setup-rv", Role: auth.RoleReviewer}}
	unit := auth.Caller{P: auth.Principal{Login: "setup-ed", Role: auth.RoleEditor, Unit: "fgw"}}
	n, err := svc.Raise(ctx, office, supervise.ManualNotice{Unit: "fgw", Facts: "矩阵测试：通知公告栏目未更新。",
		Due: time.Date(2026, 7, 15, 0, 0, 0, 0, catalog.Shanghai)})
	if err != nil {
		f.t.Fatal(err)
	}
	switch route {
	case "console.notice.self_exam", "console.notice.rectified", "console.notice.send_back":
		if _, err := svc.UploadSelfExam(ctx, unit, n.ID, "书面检查.pdf", strings.NewReader("%PDF-1.7\n%%EOF\n")); err != nil {
			f.t.Fatal(err)
		}
	}
	if route == "console.notice.send_back" {
		if _, err := svc.ReportRectified(ctx, unit, n.ID, "已整改。"); err != nil {
			f.t.Fatal(err)
		}
	}
	return strconv.FormatInt(n.ID, 10)
}
