package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
	"gongkai/internal/workflow"
)

// maxJSONBody bounds a JSON request: an entry with an 8 MB body and room.
const maxJSONBody = 10 << 20

// entryJSON is an entry as the back-office API returns it.
type entryJSON struct {
	catalog.Entry
	UnitName   string            `json:"unit_name"`
	ColumnName string            `json:"column_name"`
	Revision   int               `json:"revision"`
	StateAt    time.Time         `json:"state_at"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	URL        string            `json:"url"`
	Links      []store.EntryLink `json:"links"`
	Warnings   []string          `json:"warnings,omitempty"`
	Findings   []checks.Finding  `json:"findings,omitempty"`
}

func toJSON(res workflow.Result) entryJSON {
	d := res.Entry
	if d.Links == nil {
		d.Links = []store.EntryLink{}
	}
	return entryJSON{Entry: d.Entry, UnitName: d.UnitName, ColumnName: d.ColumnName, Revision: d.Revision,
		StateAt: d.StateAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, URL: "/entries/" + d.ID, Links: d.Links, Warnings: res.Warnings,
		Findings: res.Findings}
}

// decodeJSON reads a JSON body into v, with a clear 400 for bad JSON.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return catalog.FieldErrors{{Field: "body", Reason: "请求体过大或无法读取 (body too large or unreadable)"}}
	}
	if optional && len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return catalog.FieldErrors{{Field: "body", Reason: fmt.Sprintf("JSON 格式错误，位置 %d (invalid JSON at offset %d)", se.Offset, se.Offset)}}
		case errors.As(err, &te):
			return catalog.FieldErrors{{Field: te.Field, Reason: fmt.Sprintf("类型错误，应为 %s (wrong type)", te.Type)}}
		}
		return catalog.FieldErrors{{Field: "body", Reason: "JSON 无法解析 (invalid JSON)"}}
	}
	return nil
}

type entryBody struct {
	catalog.EntryInput
	// Revision is the revision the caller edited; If-Match may carry it too.
	Revision int    `json:"revision"`
	Reason   string `json:"reason"`
}

func (c *Console) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in entryBody
	if err := decodeJSON(w, r, &in, false); err != nil {
		c.apiFail(w, r, err)
		return
	}
	if in.Status != "" && in.Status != catalog.StatusDraft {
		c.apiFail(w, r, catalog.FieldErrors{{Field: "status", Reason: "新建的信息总是草稿，请用 submit 提交 (a new entry is a draft)"}})
		return
	}
	res, err := c.Workflow.Create(r.Context(), caller(r), in.EntryInput)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/console/entries/"+res.Entry.ID)
	w.Header().Set("ETag", etag(res.Entry.Revision))
	httpjson.Write(w, http.StatusCreated, toJSON(res))
}

func etag(rev int) string { return `"` + strconv.Itoa(rev) + `"` }

// ifMatch reads a revision from If-Match ("3" or 3).
func ifMatch(r *http.Request) int {
	v := strings.Trim(strings.TrimPrefix(strings.TrimSpace(r.Header.Get("If-Match")), "W/"), `"`)
	n, _ := strconv.Atoi(v)
	return n
}

func (c *Console) apiUpdate(w http.ResponseWriter, r *http.Request) {
	var in entryBody
	if err := decodeJSON(w, r, &in, false); err != nil {
		c.apiFail(w, r, err)
		return
	}
	rev := in.Revision
	if m := ifMatch(r); m > 0 {
		rev = m
	}
	res, err := c.Workflow.Update(r.Context(), caller(r), r.PathValue("id"), in.EntryInput, rev, in.Reason)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(res.Entry.Revision))
	httpjson.Write(w, http.StatusOK, toJSON(res))
}

func (c *Console) apiEntry(w http.ResponseWriter, r *http.Request) {
	d, err := c.Workflow.Entry(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(d.Revision))
	httpjson.Write(w, http.StatusOK, toJSON(workflow.Result{Entry: d}))
}

type actionBody struct {
	Reason   string `json:"reason"`
	Revision int    `json:"revision"`
	// Override is the unit approver's reason for submitting despite the
	// quality gate's blocking findings.
	Override string `json:"override"`
}

// apiAction runs a workflow action; the body ({"reason","revision"}) is
// optional except for a return's or withdrawal's reason.
func (c *Console) apiAction(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b actionBody
		if err := decodeJSON(w, r, &b, true); err != nil {
			c.apiFail(w, r, err)
			return
		}
		if m := ifMatch(r); m > 0 {
			b.Revision = m
		}
		id, cl := r.PathValue("id"), caller(r)
		var res workflow.Result
		var err error
		switch action {
		case "submit":
			res, err = c.Workflow.SubmitOverriding(r.Context(), cl, id, b.Revision, b.Override)
		case "approve":
			res, err = c.Workflow.Approve(r.Context(), cl, id, b.Revision)
		case "return":
			res, err = c.Workflow.Return(r.Context(), cl, id, b.Reason, b.Revision)
		case "withdraw":
			res, err = c.Workflow.Withdraw(r.Context(), cl, id, b.Reason, b.Revision)
		case "pin", "unpin":
			res, err = c.Workflow.SetPinned(r.Context(), cl, id, action == "pin")
		case "mask":
			res, _, err = c.Workflow.Mask(r.Context(), cl, id, b.Revision)
		}
		if err != nil {
			c.apiFail(w, r, err)
			return
		}
		w.Header().Set("ETag", etag(res.Entry.Revision))
		httpjson.Write(w, http.StatusOK, toJSON(res))
	}
}

type listJSON struct {
	Total   int                  `json:"total"`
	Page    int                  `json:"page"`
	Size    int                  `json:"size"`
	Entries []store.ConsoleEntry `json:"entries"`
}

// apiList lists the entries the caller may see: its unit's, or for the
// office every unit's (?unit= narrows), by ?status= and ?column=.
func (c *Console) apiList(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	q := r.URL.Query()
	l := store.ConsoleList{Column: q.Get("column")}
	unit := q.Get("unit")
	switch {
	case p.Role.NeedsUnit():
		if unit != "" && unit != p.Unit {
			c.refuseAPI(w, r, &auth.Refusal{Err: auth.ErrForbidden, Reason: "只能查看本单位的信息 (own unit only)"})
			return
		}
		l.Units = []string{p.Unit}
	case auth.IsOffice(p):
		if unit != "" {
			l.Units = []string{unit}
		}
	default:
		c.refuseAPI(w, r, auth.CanReview(p))
		return
	}
	if s := q.Get("status"); s != "" {
		for _, st := range strings.Split(s, ",") {
			if catalog.StatusLabel(st) == st {
				c.apiFail(w, r, catalog.FieldErrors{{Field: "status", Reason: fmt.Sprintf("未知状态 %q (draft, pending, submitted, returned, published, withdrawn)", st)}})
				return
			}
			l.Statuses = append(l.Statuses, st)
		}
	}
	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("size"))
	page, size = max(page, 1), min(max(size, 1), 100)
	if q.Get("size") == "" {
		size = 20
	}
	l.Offset, l.Limit, l.OldestFirst = (page-1)*size, size, q.Get("sort") == "oldest"
	list, total, err := c.Store.ConsoleEntries(r.Context(), l)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []store.ConsoleEntry{}
	}
	httpjson.Write(w, http.StatusOK, listJSON{Total: total, Page: page, Size: size, Entries: list})
}

func (c *Console) apiRevisions(w http.ResponseWriter, r *http.Request) {
	d, err := c.Workflow.Entry(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	revs, err := c.Store.EntryRevisions(r.Context(), d.ID)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"id": d.ID, "revisions": revs})
}

// apiUpload stores an attachment (multipart field "file", or the raw body
// with ?name=) and returns it, for a draft to name by sha256.
func (c *Console) apiUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, c.Workflow.MaxAttachment+1<<20)
	unit := r.URL.Query().Get("unit")
	var name string
	var body io.Reader
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, fh, err := r.FormFile("file")
		if err != nil {
			c.apiFail(w, r, catalog.FieldErrors{{Field: "file", Reason: "缺少文件字段 file，或文件过大 (multipart field file required)"}})
			return
		}
		defer f.Close()
		name, body = fh.Filename, f
		if u := r.FormValue("unit"); u != "" {
			unit = u
		}
	} else {
		name, body = r.URL.Query().Get("name"), r.Body
	}
	att, err := c.Workflow.Upload(r.Context(), caller(r), unit, name, body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = fmt.Errorf("%w: 附件超过 %d MB", workflow.ErrTooLarge, c.Workflow.MaxAttachment>>20)
		}
		c.apiFail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, att)
}

type findingsJSON struct {
	ID       string           `json:"id,omitempty"`
	Findings []checks.Finding `json:"findings"`
}

// apiFindings runs the quality gate over an entry the caller may see.
func (c *Console) apiFindings(w http.ResponseWriter, r *http.Request) {
	fs, err := c.Workflow.Findings(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, findingsJSON{ID: r.PathValue("id"), Findings: fs})
}

type checkBody struct {
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	BodyHTML string `json:"body_html"`
	Column   string `json:"column"`
}

// apiCheck runs the quality gate over text not yet saved.
func (c *Console) apiCheck(w http.ResponseWriter, r *http.Request) {
	var b checkBody
	if err := decodeJSON(w, r, &b, false); err != nil {
		c.apiFail(w, r, err)
		return
	}
	fs, err := c.Workflow.CheckDraft(r.Context(), caller(r), workflow.Draft{Title: b.Title, Summary: b.Summary, BodyHTML: b.BodyHTML, Column: b.Column})
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, findingsJSON{Findings: fs})
}
