package console

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/store"
	"gongkai/internal/workflow"
)

const listSize = 20

// pager is the paging of a list page.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

// pagedEntries lists one page of entries, the page the request asks for:
// one query, and a second only when the page asked for is past the end.
func (c *Console) pagedEntries(r *http.Request, q store.ConsoleList) ([]store.ConsoleEntry, pager, error) {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	q.Offset, q.Limit = (max(n, 1)-1)*listSize, listSize
	list, total, err := c.Store.ConsoleEntries(r.Context(), q)
	if err != nil {
		return nil, pager{}, err
	}
	pg, offset := newPager(r, total)
	if offset != q.Offset {
		q.Offset = offset
		if list, _, err = c.Store.ConsoleEntries(r.Context(), q); err != nil {
			return nil, pager{}, err
		}
	}
	return list, pg, nil
}

func newPager(r *http.Request, total int) (pager, int) {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pages := max(1, (total+listSize-1)/listSize)
	n = min(max(n, 1), pages)
	p := pager{Page: n, Pages: pages, Total: total}
	link := func(k int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(k))
		q.Del("done")
		return r.URL.Path + "?" + q.Encode()
	}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if n < pages {
		p.Next = link(n + 1)
	}
	return p, (n - 1) * listSize
}

type tab struct {
	Label   string
	URL     string
	Current bool
}

type listView struct {
	Heading string
	Tabs    []tab
	Entries []store.ConsoleEntry
	Pager   pager
	Filters *queueFilters
}

// unitTabs are the lists of a unit's entries by state.
var unitTabs = []struct{ status, label string }{
	{"", "全部"}, {catalog.StatusDraft, "草稿"}, {catalog.StatusReturned, "已退回"}, {catalog.StatusPending, "待单位审核"},
	{catalog.StatusSubmitted, "已上报"}, {catalog.StatusPublished, "已发布"}, {catalog.StatusWithdrawn, "已撤回"},
}

// entriesPage lists the caller's unit's entries by state and column.
func (c *Console) entriesPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if !p.Role.NeedsUnit() {
		if auth.IsOffice(p) {
			http.Redirect(w, r, "/console/published", http.StatusSeeOther)
			return
		}
		c.refusePage(w, r, auth.CanWriteEntries(p, ""))
		return
	}
	status, column := r.URL.Query().Get("status"), r.URL.Query().Get("column")
	q := store.ConsoleList{Units: []string{p.Unit}, Column: column}
	if status != "" {
		q.Statuses = []string{status}
	}
	list, pg, err := c.pagedEntries(r, q)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v := listView{Heading: "本单位信息", Entries: list, Pager: pg}
	for _, t := range unitTabs {
		u := url.Values{}
		if t.status != "" {
			u.Set("status", t.status)
		}
		if column != "" {
			u.Set("column", column)
		}
		v.Tabs = append(v.Tabs, tab{Label: t.label, URL: "/console/entries?" + u.Encode(), Current: t.status == status})
	}
	page := c.newPage(r, v.Heading)
	for _, it := range page.Tree {
		if it.Code == column {
			v.Heading = "本单位信息 · " + it.Name
		}
	}
	page.Data = v
	c.render(w, r, http.StatusOK, "entries.html", page)
}

// formView is the editor's data.
type formView struct {
	New         bool
	Entry       catalog.EntryInput
	ID          string
	IndexNo     string
	Revision    int
	Status      string
	ReturnNote  string
	Columns     []catalog.TreeColumn
	Topics      []string
	DocTypes    []string
	Validities  []string
	FivePublics []string
	Forms       []string
	Linkable    []store.ConsoleEntry // policies and interpretations to link
	Attachments []catalog.Attachment
	Errors      catalog.FieldErrors
	Message     string
	HasEditor   bool
	MaxMB       int64
}

func (c *Console) newForm(r *http.Request, unit string) (formView, error) {
	tree, err := c.Store.Tree(r.Context(), unit)
	if err != nil {
		return formView{}, err
	}
	v := formView{Topics: catalog.Topics, DocTypes: catalog.DocTypes, Validities: catalog.Validities,
		FivePublics: catalog.FivePublics, Forms: catalog.InterpretationForms, HasEditor: consoleViews.hasStatic("vendor/jodit.min.js"),
		MaxMB: c.Workflow.MaxAttachment >> 20}
	for _, col := range tree {
		if col.Leaf && col.State == catalog.ColumnActive {
			v.Columns = append(v.Columns, col)
		}
	}
	for _, col := range []string{catalog.PolicyColumn, catalog.InterpretationColumn} {
		list, _, err := c.Store.ConsoleEntries(r.Context(), store.ConsoleList{Units: []string{unit}, Column: col, Limit: 200})
		if err != nil {
			return v, err
		}
		v.Linkable = append(v.Linkable, list...)
	}
	return v, nil
}

func (c *Console) newEntryPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanWriteEntries(p, p.Unit); err != nil {
		c.refusePage(w, r, err)
		return
	}
	v, err := c.newForm(r, p.Unit)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v.New = true
	v.Entry = catalog.EntryInput{Column: r.URL.Query().Get("column"), Validity: "有效"}
	c.renderForm(w, r, http.StatusOK, v)
}

func (c *Console) renderForm(w http.ResponseWriter, r *http.Request, status int, v formView) {
	title := "新建信息"
	if !v.New {
		title = "编辑信息"
	}
	pg := c.newPage(r, title)
	pg.Data = v
	c.render(w, r, status, "edit.html", pg)
}

// formInput reads the editor's form; new uploads are stored first and
// named by their hash, beside the kept attachments.
func (c *Console) formInput(r *http.Request, unit string) (catalog.EntryInput, error) {
	f := r.PostFormValue
	in := catalog.EntryInput{Unit: unit, Column: f("column"), Title: f("title"), Publisher: f("publisher"), DocNo: f("doc_no"),
		WrittenAt: f("written_at"), Topic: f("topic"), DocType: f("doc_type"), Validity: f("validity"), Summary: f("summary"),
		BodyHTML: f("body_html"), FivePublics: f("five_publics"), Form: f("form")}
	for _, k := range strings.FieldsFunc(f("keywords"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }) {
		if k = strings.TrimSpace(k); k != "" {
			in.Keywords = append(in.Keywords, k)
		}
	}
	if r.PostForm != nil {
		in.Related = append(in.Related, r.PostForm["related"]...)
	}
	if r.MultipartForm != nil {
		in.Related = append(in.Related, r.MultipartForm.Value["related"]...)
		for _, kept := range r.MultipartForm.Value["keep"] {
			sum, name, ok := strings.Cut(kept, ":")
			if ok {
				in.Attachments = append(in.Attachments, catalog.AttachmentRef{Name: name, SHA256: sum})
			}
		}
		for _, fh := range r.MultipartForm.File["files"] {
			if fh.Filename == "" {
				continue
			}
			fr, err := fh.Open()
			if err != nil {
				return in, err
			}
			att, err := c.Workflow.Upload(r.Context(), caller(r), unit, fh.Filename, fr)
			fr.Close()
			if err != nil {
				return in, err
			}
			in.Attachments = append(in.Attachments, catalog.AttachmentRef{Name: att.Name, SHA256: att.SHA256})
		}
	}
	return in, nil
}

// parseForm reads a form with its uploads, bounded in size.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if r.MultipartForm != nil {
			return nil
		}
		if err := r.ParseMultipartForm(maxFormMemory); err != nil {
			return fmt.Errorf("%w: 表单或附件过大 (%v)", workflow.ErrTooLarge, err)
		}
		return nil
	}
	return r.ParseForm()
}

func (c *Console) createEntryPost(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanWriteEntries(p, p.Unit); err != nil {
		c.refusePage(w, r, err)
		return
	}
	if err := c.parseForm(w, r); err != nil {
		c.pageFail(w, r, err)
		return
	}
	in, err := c.formInput(r, p.Unit)
	var res workflow.Result
	if err == nil {
		res, err = c.Workflow.Create(r.Context(), caller(r), in)
	}
	if err != nil {
		c.formError(w, r, p.Unit, true, in, nil, err)
		return
	}
	c.afterSave(w, r, res.Entry.ID, "created")
}

// afterSave goes back to the entry, or straight on to submitting it when
// the person pressed 保存并提交.
func (c *Console) afterSave(w http.ResponseWriter, r *http.Request, id, done string) {
	if r.PostFormValue("then") == "submit" || (r.MultipartForm != nil && first(r.MultipartForm.Value["then"]) == "submit") {
		res, err := c.Workflow.Submit(r.Context(), caller(r), id, 0)
		var be *workflow.BlockedError
		if errors.As(err, &be) {
			http.Redirect(w, r, "/console/entries/"+url.PathEscape(id)+"?done=blocked", http.StatusSeeOther)
			return
		}
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		done = "submitted"
		if len(res.Warnings) > 0 {
			done = "submitted_remind"
		}
	}
	http.Redirect(w, r, "/console/entries/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// formError shows the editor again with what was typed and what is wrong.
func (c *Console) formError(w http.ResponseWriter, r *http.Request, unit string, isNew bool, in catalog.EntryInput, old *store.EntryDetail, err error) {
	status, _, msg, fe := c.classify(r, err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		c.pageFail(w, r, err)
		return
	}
	v, ferr := c.newForm(r, unit)
	if ferr != nil {
		c.pageFail(w, r, ferr)
		return
	}
	if len(fe) > 0 {
		msg = "信息未保存，请按以下提示修改后重新保存："
	}
	v.New, v.Entry, v.Errors, v.Message = isNew, in, fe, msg
	if old != nil {
		v.ID, v.IndexNo, v.Status, v.ReturnNote = old.ID, old.IndexNo, old.Status, old.ReturnReason
		v.Revision = old.Revision
		if status == http.StatusConflict {
			v.Message = msg + " 您的修改尚未保存：请复制需要保留的内容，刷新后重新编辑。"
		}
	}
	for _, a := range in.Attachments {
		v.Attachments = append(v.Attachments, catalog.Attachment{Name: a.Name, SHA256: a.SHA256})
	}
	c.renderForm(w, r, status, v)
}

type entryPageView struct {
	E         store.EntryDetail
	Body      template.HTML // the sanitised body with the findings marked
	Findings  []checks.Finding
	Blocking  bool
	CanMask   bool
	Override  bool // the caller may submit despite blocking findings
	Revisions []store.Revision
	Pinned    bool
	Can       map[string]bool
	Templates []string
	Warnings  []string
	PublicURL string
}

// entryPage shows an entry in the back office with what the caller may do.
func (c *Console) entryPage(w http.ResponseWriter, r *http.Request) {
	d, err := c.Workflow.Entry(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	p, _ := principalFrom(r.Context())
	v := entryPageView{E: d, Can: map[string]bool{}, Templates: catalog.ReturnTemplates, PublicURL: "/entries/" + url.PathEscape(d.ID)}
	if v.Revisions, err = c.Store.EntryRevisions(r.Context(), d.ID); err != nil {
		c.pageFail(w, r, err)
		return
	}
	if v.Pinned, err = c.Store.IsPinned(r.Context(), d.ID); err != nil {
		c.pageFail(w, r, err)
		return
	}
	part := auth.Part(p.Role)
	for _, a := range []string{catalog.ActionSave, catalog.ActionSubmit, catalog.ActionApprove, catalog.ActionReturn, catalog.ActionWithdraw} {
		if _, err := catalog.Next(a, part, d.Status, catalog.Route{UnitApproval: true}); err == nil {
			v.Can[a] = true
		}
	}
	if v.Can[catalog.ActionSave] && auth.CanWriteEntries(p, d.Unit) != nil {
		v.Can[catalog.ActionSave] = false
	}
	if auth.IsOffice(p) && d.Status == catalog.StatusPublished && d.Column == catalog.EmergencyColumn {
		v.Can["pin"], v.Can["unpin"] = !v.Pinned, v.Pinned
	}
	if d.Column == catalog.PolicyColumn && v.Can[catalog.ActionSubmit] {
		linked := false
		for _, l := range d.Links {
			linked = linked || l.Column == catalog.InterpretationColumn
		}
		if !linked {
			v.Warnings = append(v.Warnings, "该政策文件尚未关联政策解读。提交前请起草政策解读，并在解读中关联本文件。")
		}
	}
	v.Findings = c.Workflow.Inspect(r.Context(), d) // d is the caller's to see
	v.Blocking = checks.HasBlocking(v.Findings)
	v.Body = template.HTML(highlight(d.BodyHTML, v.Findings)) // sanitised on its way into the store
	if _, err := catalog.Next(catalog.ActionMask, part, d.Status, catalog.Route{}); err == nil && auth.CanReadEntry(p, d.Unit) == nil {
		for _, f := range v.Findings {
			v.CanMask = v.CanMask || strings.HasPrefix(f.Rule, "pii_")
		}
	}
	v.Override = v.Blocking && v.Can[catalog.ActionSubmit] && p.Role == auth.RoleApprover
	pg := c.newPage(r, d.Title)
	pg.Data = v
	c.render(w, r, http.StatusOK, "entry.html", pg)
}

func (c *Console) editEntryPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	d, err := c.Workflow.Entry(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	if err := auth.CanWriteEntries(p, d.Unit); err != nil {
		c.refusePage(w, r, err)
		return
	}
	if _, err := catalog.Next(catalog.ActionSave, auth.Part(p.Role), d.Status, catalog.Route{}); err != nil {
		c.pageFail(w, r, err)
		return
	}
	v, err := c.newForm(r, d.Unit)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v.ID, v.IndexNo, v.Revision, v.Status, v.ReturnNote = d.ID, d.IndexNo, d.Revision, d.Status, d.ReturnReason
	v.Entry = catalog.EntryInput{ID: d.ID, Column: d.Column, Title: d.Title, Publisher: d.Publisher, DocNo: d.DocNo, WrittenAt: d.WrittenAt,
		Topic: d.Topic, DocType: d.DocType, Validity: d.Validity, Keywords: d.Keywords, Summary: d.Summary, BodyHTML: d.BodyHTML,
		FivePublics: d.FivePublics, Form: d.Form, Related: d.Related}
	if d.BodyHTML == "" && d.BodyText != "" {
		v.Entry.BodyHTML = textToHTML(d.BodyText)
	}
	v.Attachments = d.Attachments
	c.renderForm(w, r, http.StatusOK, v)
}

// textToHTML turns a plain-text body into paragraphs for the editor.
func textToHTML(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.WriteString("<p>")
			b.WriteString(htmlEscaper.Replace(line))
			b.WriteString("</p>")
		}
	}
	return b.String()
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func (c *Console) saveEntryPost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := c.Workflow.Entry(r.Context(), caller(r), id)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	if err := c.parseForm(w, r); err != nil {
		c.pageFail(w, r, err)
		return
	}
	rev, _ := strconv.Atoi(formValue(r, "revision"))
	in, err := c.formInput(r, d.Unit)
	if err == nil {
		_, err = c.Workflow.Update(r.Context(), caller(r), id, in, max(rev, 1), formValue(r, "reason"))
	}
	if err != nil {
		c.formError(w, r, d.Unit, false, in, &d, err)
		return
	}
	c.afterSave(w, r, id, "saved")
}

// formValue reads a field of a urlencoded or multipart form.
func formValue(r *http.Request, name string) string {
	if r.MultipartForm != nil {
		if v := r.MultipartForm.Value[name]; len(v) > 0 {
			return v[0]
		}
	}
	return r.PostFormValue(name)
}

// actionPost runs a workflow action from an entry page's button.
func (c *Console) actionPost(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		rev, _ := strconv.Atoi(r.PostFormValue("revision"))
		reason := r.PostFormValue("reason")
		cl := caller(r)
		var res workflow.Result
		var err error
		masked := 0
		switch action {
		case "submit":
			res, err = c.Workflow.SubmitOverriding(r.Context(), cl, id, rev, r.PostFormValue("override"))
		case "mask":
			res, masked, err = c.Workflow.Mask(r.Context(), cl, id, rev)
		case "approve":
			res, err = c.Workflow.Approve(r.Context(), cl, id, rev)
		case "return":
			res, err = c.Workflow.Return(r.Context(), cl, id, reason, rev)
		case "withdraw":
			res, err = c.Workflow.Withdraw(r.Context(), cl, id, reason, rev)
		case "pin", "unpin":
			res, err = c.Workflow.SetPinned(r.Context(), cl, id, action == "pin")
		}
		var be *workflow.BlockedError
		if errors.As(err, &be) {
			http.Redirect(w, r, "/console/entries/"+url.PathEscape(id)+"?done=blocked", http.StatusSeeOther)
			return
		}
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		done := map[string]string{"submit": "submitted", "approve": "approved", "return": "returned", "withdraw": "withdrawn",
			"pin": "pinned", "unpin": "unpinned", "mask": "masked"}[action]
		if action == "mask" && masked == 0 {
			done = "masked_none"
		}
		if action == "approve" && res.Entry.Status == catalog.StatusPublished {
			done = "published"
		}
		if action == "submit" && len(res.Warnings) > 0 {
			done = "submitted_remind"
		}
		dest := "/console/entries/" + url.PathEscape(id)
		p, _ := principalFrom(r.Context())
		if action == "approve" || action == "return" {
			switch {
			case auth.IsOffice(p):
				dest = "/console/review"
			case p.Role == auth.RoleApprover:
				dest = "/console/approvals"
			}
		}
		http.Redirect(w, r, dest+"?done="+done, http.StatusSeeOther)
	}
}

// previewPage shows the entry exactly as its public page will look.
func (c *Console) previewPage(w http.ResponseWriter, r *http.Request) {
	d, err := c.Workflow.Entry(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	if c.Preview == nil {
		c.pageFail(w, r, fmt.Errorf("console: no preview renderer"))
		return
	}
	d.BodyHTML = highlight(d.BodyHTML, c.Workflow.Inspect(r.Context(), d)) // d is the caller's to see
	secureHeaders(w)
	c.Preview(w, r, d)
}

// entryFile serves an attachment of an entry in any state to a caller who
// may see the entry.
func (c *Console) entryFile(w http.ResponseWriter, r *http.Request) {
	d, err := c.Workflow.Entry(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	if n < 1 || n > len(d.Attachments) {
		c.pageFail(w, r, store.ErrNotFound)
		return
	}
	a := d.Attachments[n-1]
	f, err := c.Files.Open(a.SHA256)
	if err != nil {
		c.pageFail(w, r, store.ErrNotFound)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", a.MediaType)
	h.Set("Content-Disposition", attachment(fmt.Sprintf("attachment-%d%s", n, safeExt(a.Name)), a.Name))
	h.Set("Content-Security-Policy", "sandbox")
	http.ServeContent(w, r, "", d.UpdatedAt, f)
}
