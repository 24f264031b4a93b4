package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/checks"
)

// Templates: files starting with "_" are shared (layout, partials); each
// other file is a page over a copy of the shared set.
//
//go:embed templates/*.html
var templateFS embed.FS

// Static files; static/vendor holds the rich-text editor's build, copied
// from node_modules by `make` (it is not kept in the repository).
//
//go:embed static
var staticFS embed.FS

type staticFile struct {
	data        []byte
	hash        string
	contentType string
}

type views struct {
	pages  map[string]*template.Template
	static map[string]staticFile
}

var consoleViews = mustLoadViews()

func mustLoadViews() *views {
	v := &views{pages: map[string]*template.Template{}, static: map[string]staticFile{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		v.static[strings.TrimPrefix(p, "static/")] = staticFile{data: b, hash: hex.EncodeToString(sum[:6]), contentType: ct}
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("console: static files: %v", err))
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	base := template.New("").Funcs(v.funcs())
	var pages []string
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			base = template.Must(base.ParseFS(templateFS, n))
		} else {
			pages = append(pages, n)
		}
	}
	for _, n := range pages {
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
		v.pages[path.Base(n)] = t
	}
	return v
}

// hasStatic reports whether a static file is there (the editor's build is
// only there when npm has run).
func (v *views) hasStatic(name string) bool { _, ok := v.static[name]; return ok }

func (v *views) staticURL(name string) string {
	f, ok := v.static[name]
	if !ok {
		return "/console/static/" + name
	}
	return "/console/static/" + name + "?v=" + f.hash
}

func (v *views) funcs() template.FuncMap {
	return template.FuncMap{
		"static":      v.staticURL,
		"hasStatic":   v.hasStatic,
		"date":        peopleDate,
		"datetime":    peopleDateTime,
		"isodate":     isoTime,
		"statusLabel": catalog.StatusLabel,
		"roleLabel":   func(r auth.Role) string { return r.Label() },
		"age":         age,
		"add":         func(a, b int) int { return a + b },
		"fieldLabel":  fieldLabel,
		"ruleLabel":   ruleLabel,
		"pct":         func(f float64) float64 { return 100 * f },
		"whereLabel":  whereLabel,
		"fieldAnchor": fieldAnchor,
		"has": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
		"selected": func(a, b string) template.HTMLAttr {
			if a == b {
				return "selected"
			}
			return ""
		},
		"checked": func(b bool) template.HTMLAttr {
			if b {
				return "checked"
			}
			return ""
		},
	}
}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	}
	return time.Time{}, false
}

// peopleDate writes a date as people read it: 2018年7月3日.
func peopleDate(v any) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	t = t.In(catalog.Shanghai)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// peopleDateTime adds the time of day: 2018年7月3日 10:05.
func peopleDateTime(v any) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	return peopleDate(t) + " " + t.In(catalog.Shanghai).Format("15:04")
}

func isoTime(v any) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	return t.In(catalog.Shanghai).Format(time.RFC3339)
}

// age says how long ago t was, for queues: 3天, 5小时, 12分钟.
func age(v any) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	d := time.Since(t)
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d天", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%d小时", int(d.Hours()))
	case d >= time.Minute:
		return fmt.Sprintf("%d分钟", int(d.Minutes()))
	}
	return "刚刚"
}

// render executes a page into a buffer, then writes it.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	t, ok := consoleViews.pages[name]
	if !ok {
		c.Log.Error("console: no such template", slog.String("template", name))
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	pg.Site = c.Site.Name
	pg.Path = r.URL.Path
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		c.Log.Error("console: render failed", slog.String("template", name), slog.Any("err", err))
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	secureHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// staticHandler serves the console's static files, versioned by hash.
func (c *Console) staticHandler(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/console/static/")
	f, ok := consoleViews.static[name]
	if !ok || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+f.hash+`"`)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == `"`+f.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(f.data)
}

// fieldLabels name the editor's fields for people, keyed as the workflow
// names them in its errors.
var fieldLabels = map[string]string{
	"id": "信息编号", "unit": "单位", "column": "所属栏目", "title": "标题", "publisher": "发布机构", "doc_no": "文号",
	"written_at": "成文日期", "topic": "主题分类", "doc_type": "文种", "validity": "有效性", "keywords": "关键词",
	"summary": "摘要", "body_html": "正文", "body_text": "正文", "five_publics": "五公开类别", "form": "解读形式",
	"related": "关联信息", "attachments": "附件", "file": "附件", "index_no": "索引号", "reason": "理由", "body": "请求",
}

// fieldKey is a field's name without an index: attachments[2] → attachments.
func fieldKey(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		return field[:i]
	}
	return field
}

func fieldLabel(field string) string {
	if l, ok := fieldLabels[fieldKey(field)]; ok {
		return l
	}
	return "填写内容"
}

// fieldAnchor is the id of the control to fix a field in the editor.
func fieldAnchor(field string) string {
	switch k := fieldKey(field); k {
	case "attachments", "file":
		return "f-files"
	case "body_text", "body":
		return "f-body_html"
	case "id", "unit", "index_no":
		return "f-title"
	default:
		if _, ok := fieldLabels[k]; ok {
			return "f-" + k
		}
	}
	return "f-title"
}

// ruleLabels name the quality gate's rules for people.
var ruleLabels = map[string]string{
	"pii_id": "身份证号", "pii_phone": "手机号码", "pii_bank": "银行卡号", "secret_mark": "密级标志", "typo": "易错字词",
	"name_title": "姓名职务", "expression": "规范表述", "dead_link": "无效链接", "column_fit": "栏目归属",
	"required_fields": "必填要素",
}

func ruleLabel(rule string) string {
	if l, ok := ruleLabels[rule]; ok {
		return l
	}
	return rule
}

// whereLabel says where a finding is: 标题, 正文, 附件“通知.docx”第3段, 元数据（文号）.
func whereLabel(f checks.Finding) string {
	switch f.Field {
	case checks.FieldTitle:
		return "标题"
	case checks.FieldSummary:
		return "摘要"
	case checks.FieldBody:
		return "正文"
	case checks.FieldAttachment:
		return "附件“" + f.File + "”" + f.Part
	case checks.FieldMetadata:
		return "元数据（" + fieldLabel(f.Part) + "）"
	}
	return f.Field
}
