package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// auditPageSize is the records a page of the audit browser shows.
const auditPageSize = 50

// summaryShown is how much of a summary a row shows before the rest is
// folded away.
const summaryShown = 60

var auditOutcomes = []option{{audit.OutcomeOK, "成功"}, {audit.OutcomeRefused, "拒绝"}, {audit.OutcomeFailed, "失败"}}

// auditActionNames name the actions that are not an entry's workflow step.
var auditActionNames = map[string]string{
	"auth.login": "登录", "auth.refused": "令牌被拒", "console.refused": "后台访问被拒", "api.refused": "接口访问被拒",
	"user.create": "新建账号", "user.lock": "账号锁定", "user.unlock": "账号解锁", "user.password": "修改密码",
	"filing.create": "目录报备", "filing.decide": "处理报备", "delegation.set": "维护权限下放", "unit.filing_setting": "报备规则",
	"dataset.publish": "发布数据集", "file.upload": "上传附件", "audit.export": "导出审计日志",
	"entry.create": "信息·新建", "entry.read": "信息·查看", "entry.update": "信息·修改",
}

var auditGroupNames = map[string]string{
	"auth": "登录与令牌", "console": "后台访问", "api": "接口访问", "user": "账号", "filing": "目录报备", "delegation": "维护权限",
	"unit": "单位设置", "dataset": "数据集", "file": "附件", "entry": "信息", "audit": "审计日志",
}

var auditObjectKinds = map[string]string{
	"entry": "信息", "column": "栏目", "unit": "单位", "user": "账号", "setting": "设置", "dataset": "数据集",
	"filing": "报备", "session": "会话", "file": "附件", "route": "页面",
}

func auditActionLabel(a string) string {
	if l, ok := auditActionNames[a]; ok {
		return l
	}
	if step, ok := strings.CutPrefix(a, "entry."); ok {
		if l := catalog.ActionLabel(step); l != step {
			return "信息·" + l
		}
	}
	return a
}

// auditFilter is the browser's filter form as typed.
type auditFilter struct {
	Login, Unit, Action, Outcome, From, To string
}

// query is the filter as the store reads it, with the problems of what
// was typed by field.
func (f auditFilter) query() (store.AuditQuery, catalog.FieldErrors) {
	var fe catalog.FieldErrors
	q := store.AuditQuery{Login: f.Login, Unit: f.Unit, Action: f.Action, Outcome: f.Outcome}
	if f.Unit != "" && !catalog.ValidUnitCode(f.Unit) {
		fe.Add("unit", "单位代码格式不正确")
	}
	if f.Outcome != "" && optionLabel(auditOutcomes, f.Outcome) == f.Outcome {
		fe.Add("outcome", "未知的结果")
	}
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, s, catalog.Shanghai)
		if err != nil {
			fe.Add(field, "日期格式应为 2018-07-03")
		}
		return t
	}
	q.From = day("from", f.From)
	if to := day("to", f.To); !to.IsZero() {
		q.To = to.AddDate(0, 0, 1) // the end date is included
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		fe.Add("to", "结束日期不能早于开始日期")
	}
	return q, fe
}

// values is the filter as a query string, for the pages and the exports.
func (f auditFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"login": f.Login, "unit": f.Unit, "action": f.Action, "outcome": f.Outcome, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

func auditFilterOf(r *http.Request) auditFilter {
	q := r.URL.Query()
	get := func(k string, n int) string {
		s := strings.TrimSpace(q.Get(k))
		if len(s) > n {
			s = s[:n]
		}
		return s
	}
	return auditFilter{Login: strings.ToLower(get("login", 64)), Unit: get("unit", 64), Action: get("action", 64),
		Outcome: get("outcome", 16), From: get("from", 10), To: get("to", 10)}
}

type auditRow struct {
	audit.Record
	Who          string
	UnitName     string // the actor's unit
	ObjUnitName  string // the object's unit, when another
	RoleLabel    string
	ActionLabel  string
	ObjectLabel  string
	OutcomeLabel string
	Short        string // the summary cut short, when it is long
}

type auditView struct {
	Filter    auditFilter
	Units     []catalog.Unit
	Actions   []option
	Outcomes  []option
	Rows      []auditRow
	Pager     pager
	Errors    map[string]string
	CSV, XLSX string
}

// auditPage browses the audit log, newest first, filtered by account,
// unit, action, outcome and dates.
func (c *Console) auditPage(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanReadAudit(p); err != nil {
		c.refusePage(w, r, err)
		return
	}
	ctx := r.Context()
	f := auditFilterOf(r)
	v := auditView{Filter: f, Outcomes: auditOutcomes}
	var err error
	if v.Units, err = c.Store.Units(ctx); err != nil {
		c.pageFail(w, r, err)
		return
	}
	actions, err := c.Store.AuditActions(ctx)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v.Actions = auditActionOptions(actions)
	q, fe := f.query()
	status := http.StatusOK
	if len(fe) > 0 {
		v.Errors, status = fieldMap(fe), http.StatusBadRequest
	} else {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		q.Page, q.Size = max(n, 1), auditPageSize
		recs, total, err := c.Store.AuditRecords(ctx, q)
		if err == nil && len(recs) == 0 && total > 0 && q.Page > 1 {
			q.Page = (total + auditPageSize - 1) / auditPageSize
			recs, total, err = c.Store.AuditRecords(ctx, q)
		}
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		v.Pager = auditPager(r, total, q.Page)
		names := make(map[string]string, len(v.Units))
		for _, u := range v.Units {
			names[u.Code] = u.Name
		}
		for _, rec := range recs {
			v.Rows = append(v.Rows, auditRowOf(rec, names))
		}
		exp := f.values().Encode()
		if exp != "" {
			exp = "?" + exp
		}
		v.CSV, v.XLSX = "/console/audit/export.csv"+exp, "/console/audit/export.xlsx"+exp
	}
	pg := c.newPage(r, "审计日志")
	pg.Data = v
	c.render(w, r, status, "audit.html", pg)
}

func auditRowOf(rec audit.Record, units map[string]string) auditRow {
	row := auditRow{Record: rec, RoleLabel: auth.Role(rec.Actor.Role).Label(), ActionLabel: auditActionLabel(rec.Action),
		OutcomeLabel: optionLabel(auditOutcomes, rec.Outcome), ObjectLabel: auditObjectKinds[rec.ObjectKind]}
	if row.ObjectLabel == "" {
		row.ObjectLabel = rec.ObjectKind
	}
	unitName := func(code string) string {
		if n := units[code]; n != "" {
			return n
		}
		return code
	}
	row.UnitName = unitName(rec.Actor.Unit)
	if rec.ObjectUnit != "" && rec.ObjectUnit != rec.Actor.Unit {
		row.ObjUnitName = unitName(rec.ObjectUnit)
	}
	switch {
	case rec.Actor.Login != "":
		row.Who = rec.Actor.Login
	case rec.Actor.TokenID != 0:
		row.Who = "令牌 #" + strconv.FormatInt(rec.Actor.TokenID, 10)
	default:
		row.Who = "—"
	}
	if utf8.RuneCountInString(rec.Summary) > summaryShown {
		row.Short = string([]rune(rec.Summary)[:summaryShown]) + "…"
	}
	return row
}

// auditActionOptions are the actions the log holds, each group ("entry.")
// first as a choice of its own.
func auditActionOptions(actions []string) []option {
	groups := map[string]bool{}
	for _, a := range actions {
		if g, _, ok := strings.Cut(a, "."); ok {
			groups[g] = true
		}
	}
	var names []string
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	var out []option
	for _, g := range names {
		label := auditGroupNames[g]
		if label == "" {
			label = g
		}
		out = append(out, option{g + ".", "全部" + label + "操作"})
		for _, a := range actions {
			if strings.HasPrefix(a, g+".") {
				out = append(out, option{a, "　" + auditActionLabel(a) + "（" + a + "）"})
			}
		}
	}
	for _, a := range actions {
		if !strings.Contains(a, ".") {
			out = append(out, option{a, auditActionLabel(a)})
		}
	}
	return out
}

func auditPager(r *http.Request, total, n int) pager {
	pages := max(1, (total+auditPageSize-1)/auditPageSize)
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
	return p
}

// auditExport writes the filtered log as CSV or XLSX, oldest first. It
// streams: the store's walk reads a page of records at a time and the
// filter is applied as they pass, so the log never sits in memory. The
// walk stops at the head the log had when the export began.
func (c *Console) auditExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := principalFrom(r.Context())
		if err := auth.CanReadAudit(p); err != nil {
			c.refusePage(w, r, err)
			return
		}
		ctx := r.Context()
		f := auditFilterOf(r)
		q, fe := f.query()
		if len(fe) > 0 {
			c.pageFail(w, r, fe)
			return
		}
		head, _, err := c.Store.AuditHead(ctx)
		if err != nil {
			c.pageFail(w, r, err)
			return
		}
		// Who took a copy of the log is itself in the log.
		if err := c.auditRecord(r, "audit.export", "audit", format, "", fmt.Sprintf("%s up to seq %d; filter %s", format, head, f.values().Encode())); err != nil {
			c.pageFail(w, r, err)
			return
		}
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{}) // a long log outlasts the server's WriteTimeout
		ct, write := "text/csv; charset=utf-8", audit.WriteCSV
		if format == "xlsx" {
			ct, write = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", audit.WriteXLSX
		}
		day := c.Now().In(catalog.Shanghai).Format("20060102")
		out := &lazyHeaders{w: w, set: func(h http.Header) {
			h.Set("Content-Type", ct)
			h.Set("Content-Disposition", attachment("audit-"+day+"."+format, "审计日志-"+day+"."+format))
		}}
		if err := write(out, c.auditRecords(ctx, q, head)); err != nil {
			if !out.wrote {
				c.pageFail(w, r, err)
				return
			}
			// The answer has begun: all that is left is to cut it short.
			c.Log.Error("audit export cut short", slog.String("format", format), slog.Any("err", err))
		}
	}
}

// auditRecords walks the log in sequence order up to head, yielding the
// records q selects (the same selection as AuditRecords makes).
func (c *Console) auditRecords(ctx context.Context, q store.AuditQuery, head int64) iter.Seq2[audit.Record, error] {
	return func(yield func(audit.Record, error) bool) {
		errStop := errors.New("stop")
		err := c.Store.EachAudit(ctx, func(rec audit.Record) error {
			if rec.Seq > head {
				return errStop
			}
			if !auditSelects(q, rec) {
				return nil
			}
			if !yield(rec, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(audit.Record{}, err)
		}
	}
}

func auditSelects(q store.AuditQuery, rec audit.Record) bool {
	switch {
	case q.Login != "" && rec.Actor.Login != q.Login,
		q.Unit != "" && rec.Actor.Unit != q.Unit && rec.ObjectUnit != q.Unit,
		q.Action != "" && !strings.HasPrefix(rec.Action, q.Action),
		q.Outcome != "" && rec.Outcome != q.Outcome,
		!q.From.IsZero() && rec.At.Before(q.From),
		!q.To.IsZero() && !rec.At.Before(q.To):
		return false
	}
	return true
}

// auditRecord appends a record of an action the console itself carries
// out (an export, a new account).
func (c *Console) auditRecord(r *http.Request, action, kind, id, unit, summary string) error {
	cl := caller(r)
	_, err := c.Store.AppendAudit(r.Context(), audit.Record{At: c.Now(), Actor: cl.P.Actor(cl.IP, cl.UserAgent), Action: action,
		ObjectKind: kind, ObjectID: id, ObjectUnit: unit, Outcome: audit.OutcomeOK, Summary: summary})
	return err
}

// lazyHeaders sets a download's headers at its first byte, so that a
// failure before then can still be answered with an error page.
type lazyHeaders struct {
	w     http.ResponseWriter
	set   func(http.Header)
	wrote bool
}

func (l *lazyHeaders) Write(b []byte) (int, error) {
	if !l.wrote {
		l.wrote = true
		l.set(l.w.Header())
	}
	return l.w.Write(b)
}

var _ io.Writer = (*lazyHeaders)(nil)

// attachment is a Content-Disposition naming the saved file: an ASCII
// name, and the Chinese one in filename* (RFC 6266, RFC 5987).
func attachment(ascii, name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}
