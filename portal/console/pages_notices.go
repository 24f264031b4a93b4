package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

// Supervision notices (督办通知): the list with the office's form to raise
// one by hand, one notice with its answer and decision, its printable
// official document and Word file, the unit's self-examination, and the
// API. The service decides who may do what, in which state, and audits it.

var _ = addNotices(map[string]string{
	"notice_raised":    "督办通知已印发，被督办单位登录后台即可看到。",
	"self_exam_saved":  "书面检查已上传。整改完成后，请报送整改情况。",
	"rectified":        "整改情况已报送，等待市政府办公室复核。",
	"notice_closed":    "督办通知已办结。",
	"notice_sent_back": "已退回被督办单位重新整改，退回理由已告知该单位。",
})

// noticeFilterOf reads the list's filters; values that name no state or
// unit are dropped, so nothing a link carries is echoed back.
func noticeFilterOf(q url.Values, office bool, names map[string]string) (supervise.NoticeFilter, string) {
	var f supervise.NoticeFilter
	state := q.Get("state")
	switch {
	case state == "active":
		f.States = []string{store.NoticeOpen, store.NoticeSentBack, store.NoticeSubmitted}
	case state != "" && supervise.StateLabel(state) != state:
		f.States = []string{state}
	default:
		state = ""
	}
	if office {
		if _, ok := names[q.Get("unit")]; ok {
			f.Unit = q.Get("unit")
		}
	}
	f.Overdue = q.Get("overdue") == "1"
	return f, state
}

// noticeItem is one notice in the list.
type noticeItem struct {
	supervise.Notice
	RuleLabel  string
	StateLabel string
}

func noticeItemOf(n supervise.Notice) noticeItem {
	return noticeItem{Notice: n, RuleLabel: supervise.RuleLabel(n.Rule), StateLabel: supervise.StateLabel(n.State)}
}

// raiseForm is what the office typed to raise a notice by hand.
type raiseForm struct {
	Unit, Facts, Due string
}

type noticesView struct {
	Office bool
	Rows   []noticeItem
	Pager  pager

	// Filters.
	State, Unit string
	Overdue     bool
	States      []option
	Units       []catalog.Unit

	// The office's form to raise a notice.
	Form    raiseForm
	MinDue  string
	Errors  map[string]string
	Message string
}

// noticesPage lists the notices the caller may see: every unit's to the
// office, with its filters and the form to raise one; a unit its own.
func (c *Console) noticesPage(w http.ResponseWriter, r *http.Request) {
	c.renderNotices(w, r, http.StatusOK, raiseForm{}, nil, "")
}

func (c *Console) renderNotices(w http.ResponseWriter, r *http.Request, status int, form raiseForm, fe catalog.FieldErrors, msg string) {
	p, _ := principalFrom(r.Context())
	ctx := r.Context()
	v := noticesView{Office: auth.IsOffice(p), Form: form, Errors: fieldMap(fe), Message: msg}
	units, err := c.Store.Units(ctx)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	f, state := noticeFilterOf(r.URL.Query(), v.Office, names)
	v.State, v.Unit, v.Overdue = state, f.Unit, f.Overdue
	ns, err := c.Supervise.Notices(ctx, caller(r), f)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	pg, offset := newPager(r, len(ns))
	v.Pager = pg
	for _, n := range ns[min(offset, len(ns)):min(offset+listSize, len(ns))] {
		v.Rows = append(v.Rows, noticeItemOf(n))
	}
	v.States = []option{{"active", "未办结（全部）"}}
	for _, s := range supervise.NoticeStates {
		v.States = append(v.States, option{s, supervise.StateLabel(s)})
	}
	if v.Office {
		v.Units = units
		today := supervise.Day(c.Supervise.Now())
		v.MinDue = today.AddDate(0, 0, 1).Format("2006-01-02")
		if v.Form.Due == "" {
			days := supervise.DefaultSettings().RectifyDays
			if set, err := c.Supervise.Settings(ctx); err == nil {
				days = set.RectifyDays
			}
			v.Form.Due = today.AddDate(0, 0, days).Format("2006-01-02")
		}
	}
	pgv := c.newPage(r, "督办通知")
	pgv.Data = v
	c.render(w, r, status, "notices.html", pgv)
}

// raiseNoticePost raises a notice by hand (the office).
func (c *Console) raiseNoticePost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	form := raiseForm{Unit: strings.TrimSpace(r.PostFormValue("unit")), Facts: r.PostFormValue("facts"), Due: strings.TrimSpace(r.PostFormValue("due_at"))}
	m := supervise.ManualNotice{Unit: form.Unit, Facts: form.Facts}
	var fe catalog.FieldErrors
	if auth.IsOffice(p) {
		if d, err := time.ParseInLocation("2006-01-02", form.Due, catalog.Shanghai); err == nil {
			m.Due = d
		} else if form.Due != "" {
			fe.Add("due_at", "整改期限须为日期，如 2026-07-15 (a date)")
		}
	}
	n, err := c.Supervise.Raise(r.Context(), caller(r), m)
	if err != nil {
		var got catalog.FieldErrors
		if errors.As(err, &got) {
			fe = mergeFieldErrors(fe, got)
		} else {
			c.noticeFail(w, r, err)
			return
		}
	}
	if len(fe) > 0 {
		c.renderNotices(w, r, http.StatusBadRequest, form, fe, "督办通知未印发，请按提示修改。")
		return
	}
	http.Redirect(w, r, noticeURL(n.ID)+"?done=notice_raised", http.StatusSeeOther)
}

// mergeFieldErrors keeps one message per field: the form's own reading of
// a field goes before the service's.
func mergeFieldErrors(first, then catalog.FieldErrors) catalog.FieldErrors {
	seen := map[string]bool{}
	for _, e := range first {
		seen[e.Field] = true
	}
	for _, e := range then {
		if !seen[e.Field] {
			first = append(first, e)
		}
	}
	return first
}

func noticeURL(id int64) string { return "/console/notices/" + strconv.FormatInt(id, 10) }

// noticeID reads the notice's id from the path (a bad one names none).
func noticeID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// noticeFail answers an error of a notice's page: a step the notice's
// state does not allow is a conflict, told in Chinese; the rest as every
// page's errors.
func (c *Console) noticeFail(w http.ResponseWriter, r *http.Request, err error) {
	var se *supervise.StateError
	if errors.As(err, &se) {
		c.renderError(w, r, http.StatusConflict, se.Error())
		return
	}
	c.pageFail(w, r, err)
}

// historyItem is one step of a notice's life.
type historyItem struct {
	At    *time.Time
	What  string
	Who   string
	Note  string
	Alert bool
}

// noticeHistory tells a notice's life from its fields, oldest first.
func noticeHistory(n supervise.Notice) []historyItem {
	raised := n.RaisedAt()
	h := []historyItem{{At: &raised, What: "印发督办通知", Who: n.RaisedBy}}
	if t := n.SelfExamAt(); t != nil {
		h = append(h, historyItem{At: t, What: "上传书面检查", Note: n.SelfExamName})
	}
	if t := n.RectifiedAt(); t != nil {
		h = append(h, historyItem{At: t, What: "报送整改情况", Note: n.RectifyNote})
	}
	if n.BackReason != "" {
		// Only the latest return is kept on the notice; its time is the
		// notice's last change while it stands returned.
		it := historyItem{What: "退回重新整改", Note: n.BackReason, Alert: true}
		if n.State == store.NoticeSentBack {
			t := store.FromMillis(n.UpdatedMS)
			it.At = &t
		}
		h = append(h, it)
	}
	if t := n.EscalatedAt(); t != nil {
		h = append(h, historyItem{At: t, What: "逾期未整改，已督促升级", Alert: true})
	}
	if t := n.ClosedAt(); t != nil {
		h = append(h, historyItem{At: t, What: "办结", Who: n.ClosedBy, Note: n.CloseNote})
	}
	sort.SliceStable(h, func(i, j int) bool {
		if h[i].At == nil || h[j].At == nil {
			return false
		}
		return h[i].At.Before(*h[j].At)
	})
	return h
}

type noticeView struct {
	N          noticeItem
	Doc        supervise.NoticeDocument
	History    []historyItem
	Office     bool
	CanAnswer  bool // upload the self-examination
	CanReport  bool // report the rectification
	CanClose   bool
	CanSendBac bool
	Errors     map[string]string
	Message    string
	Note       string // what was typed, shown again after a problem
	Reason     string
}

// noticePage shows one notice with what the caller may do with it.
func (c *Console) noticePage(w http.ResponseWriter, r *http.Request) {
	c.renderNotice(w, r, http.StatusOK, nil, "")
}

func (c *Console) renderNotice(w http.ResponseWriter, r *http.Request, status int, fe catalog.FieldErrors, msg string) {
	id, err := noticeID(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	n, doc, err := c.Supervise.Document(r.Context(), caller(r), id)
	if err != nil {
		c.noticeFail(w, r, err)
		return
	}
	p, _ := principalFrom(r.Context())
	answering := n.State == store.NoticeOpen || n.State == store.NoticeSentBack
	v := noticeView{N: noticeItemOf(n), Doc: doc, History: noticeHistory(n), Office: auth.IsOffice(p), Errors: fieldMap(fe), Message: msg,
		Note: strings.TrimSpace(r.PostFormValue("note")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if auth.CanAnswerNotice(p, n.Unit) == nil && answering {
		v.CanAnswer = true
		v.CanReport = n.SelfExamSHA != ""
	}
	if auth.CanSupervise(p) == nil {
		v.CanClose = n.State != store.NoticeClosed
		v.CanSendBac = n.State == store.NoticeSubmitted
	}
	pg := c.newPage(r, n.Number+" 督办通知")
	pg.Data = v
	c.render(w, r, status, "notice.html", pg)
}

// noticeStep runs one step of a notice from a form and goes back to the
// notice with its message; bad input shows the notice again with it.
func (c *Console) noticeStep(done string, step func(r *http.Request, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := noticeID(r)
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		if err := step(r, id); err != nil {
			var fe catalog.FieldErrors
			if errors.As(err, &fe) {
				c.renderNotice(w, r, http.StatusBadRequest, fe, "未提交，请按提示修改。")
				return
			}
			c.noticeFail(w, r, err)
			return
		}
		http.Redirect(w, r, noticeURL(id)+"?done="+done, http.StatusSeeOther)
	}
}

// selfExamPost stores the unit's written self-examination.
func (c *Console) selfExamPost(w http.ResponseWriter, r *http.Request) {
	c.noticeStep("self_exam_saved", func(r *http.Request, id int64) error {
		var name string
		var body io.Reader = strings.NewReader("")
		if r.MultipartForm != nil {
			if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 {
				f, err := fhs[0].Open()
				if err != nil {
					return catalog.FieldErrors{{Field: "file", Reason: "文件无法读取，请重新选择 (unreadable)"}}
				}
				defer f.Close()
				name, body = fhs[0].Filename, f
			}
		}
		_, err := c.Supervise.UploadSelfExam(r.Context(), caller(r), id, name, body)
		return err
	})(w, r)
}

func (c *Console) rectifiedPost(w http.ResponseWriter, r *http.Request) {
	c.noticeStep("rectified", func(r *http.Request, id int64) error {
		_, err := c.Supervise.ReportRectified(r.Context(), caller(r), id, r.PostFormValue("note"))
		return err
	})(w, r)
}

func (c *Console) closeNoticePost(w http.ResponseWriter, r *http.Request) {
	c.noticeStep("notice_closed", func(r *http.Request, id int64) error {
		_, err := c.Supervise.Close(r.Context(), caller(r), id, r.PostFormValue("note"))
		return err
	})(w, r)
}

func (c *Console) sendBackNoticePost(w http.ResponseWriter, r *http.Request) {
	c.noticeStep("notice_sent_back", func(r *http.Request, id int64) error {
		_, err := c.Supervise.SendBack(r.Context(), caller(r), id, r.PostFormValue("reason"))
		return err
	})(w, r)
}

type noticePrintView struct {
	N          noticeItem
	Doc        supervise.NoticeDocument
	IssuerSize string // CSS length of the issuer's mark
	Sections   []supervise.DocumentSection
}

// noticePrintPage is the notice as a printable official document: A4,
// 仿宋 body, the red 版头, and none of the console around it.
func (c *Console) noticePrintPage(w http.ResponseWriter, r *http.Request) {
	id, err := noticeID(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	n, doc, err := c.Supervise.Document(r.Context(), caller(r), id)
	if err != nil {
		c.noticeFail(w, r, err)
		return
	}
	pg := c.newPage(r, doc.Title)
	pg.Data = noticePrintView{N: noticeItemOf(n), Doc: doc, IssuerSize: strconv.FormatFloat(doc.IssuerSize(), 'f', -1, 64) + "pt"}
	c.render(w, r, http.StatusOK, "notice_print.html", pg)
}

// noticeDOCX downloads the notice as a Word file.
func (c *Console) noticeDOCX(w http.ResponseWriter, r *http.Request) {
	id, err := noticeID(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	n, doc, err := c.Supervise.Document(r.Context(), caller(r), id)
	if err != nil {
		c.noticeFail(w, r, err)
		return
	}
	b, err := doc.DOCX()
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	h.Set("Content-Disposition", attachment(fmt.Sprintf("notice-%d-%d.docx", n.Year, n.Seq), doc.FileName()))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// selfExamFile downloads the unit's written self-examination (the office
// and that unit).
func (c *Console) selfExamFile(w http.ResponseWriter, r *http.Request) {
	id, err := noticeID(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	f, n, err := c.Supervise.SelfExam(r.Context(), caller(r), id)
	if err != nil {
		c.noticeFail(w, r, err)
		return
	}
	defer f.Close()
	head := make([]byte, 512)
	k, _ := io.ReadFull(f, head)
	mt, err := files.Sniff(n.SelfExamName, head[:k])
	if err != nil {
		mt = "application/octet-stream"
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		c.pageFail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mt)
	h.Set("Content-Disposition", attachment(fmt.Sprintf("self-exam-%d%s", n.ID, safeExt(n.SelfExamName)), n.SelfExamName))
	h.Set("Content-Security-Policy", "sandbox")
	var mod time.Time
	if t := n.SelfExamAt(); t != nil {
		mod = *t
	}
	http.ServeContent(w, r, "", mod, f)
}

// safeExt is a file name's extension when it is plain ASCII letters and
// digits, for the ASCII name of a download.
func safeExt(name string) string {
	ext := strings.ToLower(path.Ext(name))
	for _, c := range strings.TrimPrefix(ext, ".") {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return ""
		}
	}
	return ext
}

// ---- API

// apiNotices lists the notices the caller may see: ?state=open,sent_back
// (comma-separated or repeated), ?unit= (the office), ?overdue=1.
func (c *Console) apiNotices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f supervise.NoticeFilter
	for _, v := range q["state"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				f.States = append(f.States, s)
			}
		}
	}
	f.Unit = strings.TrimSpace(q.Get("unit"))
	switch q.Get("overdue") {
	case "", "0", "false":
	case "1", "true":
		f.Overdue = true
	default:
		c.apiFail(w, r, catalog.FieldErrors{{Field: "overdue", Reason: "overdue 须为 1 或 0 (1 or 0)"}})
		return
	}
	ns, err := c.Supervise.Notices(r.Context(), caller(r), f)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	out := make([]supervise.APINotice, len(ns))
	for i, n := range ns {
		out[i] = n.API()
	}
	httpjson.Write(w, http.StatusOK, out)
}

// noticeJSON is one notice as the API returns it: the list's shape and the
// answer and decision.
type noticeJSON struct {
	supervise.APINotice
	RuleLabel    string     `json:"rule_label"`
	StateLabel   string     `json:"state_label"`
	Title        string     `json:"title"`
	Requirement  string     `json:"requirement"`
	RaisedBy     string     `json:"raised_by"`
	SelfExamName string     `json:"self_exam_name,omitempty"`
	SelfExamAt   *time.Time `json:"self_exam_at"`
	RectifyNote  string     `json:"rectify_note,omitempty"`
	RectifiedAt  *time.Time `json:"rectified_at"`
	BackReason   string     `json:"back_reason,omitempty"`
	ClosedBy     string     `json:"closed_by,omitempty"`
	CloseNote    string     `json:"close_note,omitempty"`
	Document     string     `json:"document_url"`
}

func (c *Console) apiNotice(w http.ResponseWriter, r *http.Request) {
	id, err := noticeID(r)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	n, doc, err := c.Supervise.Document(r.Context(), caller(r), id)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, noticeJSON{APINotice: n.API(), RuleLabel: supervise.RuleLabel(n.Rule), StateLabel: supervise.StateLabel(n.State),
		Title: doc.Title, Requirement: n.Requirement, RaisedBy: n.RaisedBy, SelfExamName: n.SelfExamName, SelfExamAt: supervise.InChina(n.SelfExamAt()),
		RectifyNote: n.RectifyNote, RectifiedAt: supervise.InChina(n.RectifiedAt()), BackReason: n.BackReason, ClosedBy: n.ClosedBy, CloseNote: n.CloseNote,
		Document: noticeURL(n.ID) + "/document.docx"})
}
