package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/store"
)

// Templates: a file whose name starts with "_" is shared (the layout and
// partials); every other file is a page, parsed over a copy of the shared
// set so that each page fills the layout's blocks ("title", "crumbs",
// "main") its own way. A page is rendered by executing "layout".
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views are the parsed templates and the static files with their content
// hashes. They are built once, when the program starts, and only read
// afterwards.
type views struct {
	pages  map[string]*template.Template
	static map[string]staticFile
}

type staticFile struct {
	data        []byte
	hash        string // hex SHA-256 prefix: the version in URLs and the ETag
	contentType string
}

var siteViews = mustLoadViews()

func mustLoadViews() *views {
	v, err := loadViews(templateFS, staticFS)
	if err != nil {
		panic(fmt.Sprintf("portal: embedded templates: %v", err))
	}
	return v
}

func loadViews(tfs, sfs fs.FS) (*views, error) {
	v := &views{pages: map[string]*template.Template{}, static: map[string]staticFile{}}
	err := fs.WalkDir(sfs, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sfs, p)
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
		return nil, fmt.Errorf("static files: %w", err)
	}
	names, err := fs.Glob(tfs, "templates/*.html")
	if err != nil {
		return nil, err
	}
	base := template.New("").Funcs(v.funcs())
	var pages []string
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			if base, err = base.ParseFS(tfs, n); err != nil {
				return nil, fmt.Errorf("parse %s: %w", n, err)
			}
		} else {
			pages = append(pages, n)
		}
	}
	if base.Lookup("layout") == nil {
		return nil, errors.New(`no template defines "layout"`)
	}
	for _, n := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(tfs, n); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		v.pages[path.Base(n)] = t
	}
	return v, nil
}

func (v *views) funcs() template.FuncMap {
	return template.FuncMap{
		"static":     v.staticURL,
		"date":       peopleDate,
		"isodate":    isoDate,
		"entryURL":   entryPageURL,
		"unitURL":    unitPageURL,
		"columnURL":  columnPageURL,
		"unitFeed":   unitFeedURL,
		"columnFeed": columnFeedURL,
		"navCurrent": navCurrent,
	}
}

// navCurrent marks a main navigation item: "page" on the item's own page,
// "true" anywhere within its section (paths starting with one of within),
// "" elsewhere.
func navCurrent(path, item string, within ...string) string {
	if path == item {
		return "page"
	}
	for _, p := range within {
		if strings.HasPrefix(path, p) {
			return "true"
		}
	}
	return ""
}

// staticURL names a static file with its content hash, so that it can be
// cached for a long time and still change the moment the file does.
func (v *views) staticURL(name string) string {
	f, ok := v.static[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + f.hash
}

// Page is what every page template sees: the site's footer details, where
// the reader is, the display mode, and the page's own data in Data.
type Page struct {
	Site  config.Site
	Path  string // the request path, for marking the current navigation item
	Back  string // path and query, where the display toggle returns to
	Large bool   // the large-text, high-contrast display (适老化模式)
	Data  any
}

// displayCookie holds the reader's display choice; the script keeps it in
// step with localStorage, and the page is rendered with it, so the choice
// also works without JavaScript.
const displayCookie = "gk_display"

func (s *Server) page(r *http.Request, data any) Page {
	p := Page{Site: s.Site, Path: r.URL.Path, Back: r.URL.RequestURI(), Data: data}
	if c, err := r.Cookie(displayCookie); err == nil && c.Value == "large" {
		p.Large = true
	}
	return p
}

// contentSecurityPolicy lets pages load only their own scripts and styles.
// Entry bodies may show images from elsewhere and carry the inline
// alignment that the sanitiser keeps.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; style-src-attr 'unsafe-inline'; " +
	"script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// render executes a page template into a buffer and only then writes, so a
// template error becomes a clean error page instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	t, ok := siteViews.pages[name]
	if !ok {
		s.Log.Error("render: no such template", slog.String("template", name), slog.String("request_id", requestID(r.Context())))
		s.plainError(w, http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", s.page(r, data)); err != nil {
		s.Log.Error("render failed", slog.String("template", name), slog.String("request_id", requestID(r.Context())), slog.Any("err", err))
		s.plainError(w, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Cookie")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

func (s *Server) plainError(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("服务器内部错误，请稍后再试。\n"))
}

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Heading string
	Message string
}

// renderError answers with the Chinese error page for people.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int) {
	v := errorView{Status: status}
	switch status {
	case http.StatusNotFound:
		v.Heading, v.Message = "页面不存在", "您访问的页面不存在，或者链接地址有误。可以返回首页，或通过单位目录和信息检索查找所需信息。"
	case http.StatusMethodNotAllowed:
		v.Heading, v.Message = "不支持该访问方式", "该页面只能直接打开浏览。"
	case http.StatusServiceUnavailable:
		v.Heading, v.Message = "服务繁忙", "系统暂时繁忙，请稍后刷新重试。"
	default:
		v.Heading, v.Message = "服务器内部错误", "页面暂时无法显示，请稍后再试。"
	}
	s.render(w, r, status, "error.html", v)
}

// failPage maps an error to the error page people see: the page twin of
// fail, which answers the JSON API.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound)
	case errors.Is(err, context.Canceled):
		// The reader went away.
	case errors.Is(err, context.DeadlineExceeded):
		s.renderError(w, r, http.StatusServiceUnavailable)
	default:
		s.Log.Error("page failed", slog.String("request_id", requestID(r.Context())), slog.String("path", r.URL.Path), slog.Any("err", err))
		s.renderError(w, r, http.StatusInternalServerError)
	}
}

// machinePrefixes are paths that programs call; they keep JSON errors
// whatever the client accepts.
var machinePrefixes = []string{"/api/", "/opendata/api/", "/metrics", "/healthz", "/readyz", "/files/", "/static/"}

// wantsPage reports whether an error answer should be a page for a person:
// not for the API and other machine paths, and only for clients that
// accept HTML (every browser says so; curl and API clients do not).
func wantsPage(r *http.Request) bool {
	for _, p := range machinePrefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			return false
		}
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/html") || strings.Contains(accept, "application/xhtml+xml")
}

// pageNotFound answers unknown paths: a page for people, JSON for programs.
func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	if wantsPage(r) {
		s.renderError(w, r, http.StatusNotFound)
		return
	}
	s.notFound(w, r)
}

// pageMethodNotAllowed is pageNotFound's twin for a wrong method.
func (s *Server) pageMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	if wantsPage(r) {
		w.Header().Set("Allow", "GET, HEAD")
		s.renderError(w, r, http.StatusMethodNotAllowed)
		return
	}
	s.methodNotAllowed(w, r)
}

// peopleDate writes a date the way people read it: 2018年7月3日. It takes
// an instant (shown in Shanghai) or a YYYY-MM-DD date; a string of another
// shape is shown as it is, anything else (or no date) yields "".
func peopleDate(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	case string:
		d, err := time.ParseInLocation(time.DateOnly, x, catalog.Shanghai)
		if err != nil {
			return x
		}
		t = d
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	t = t.In(catalog.Shanghai)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// isoDate is the machine-readable twin of peopleDate, for <time datetime>.
func isoDate(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.In(catalog.Shanghai).Format(time.DateOnly)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.In(catalog.Shanghai).Format(time.DateOnly)
	case string:
		return x
	}
	return ""
}

func entryPageURL(id string) string  { return "/entries/" + url.PathEscape(id) }
func unitPageURL(code string) string { return "/units/" + url.PathEscape(code) }
func columnPageURL(unit, col string) string {
	return "/units/" + url.PathEscape(unit) + "/columns/" + url.PathEscape(col)
}
func unitFeedURL(code string) string        { return unitPageURL(code) + "/rss.xml" }
func columnFeedURL(unit, col string) string { return columnPageURL(unit, col) + "/rss.xml" }
