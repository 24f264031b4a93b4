package portal_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/indexer"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// testSite is the footer the page tests expect.
var testSite = config.Site{Name: "临沂市人民政府 政府信息公开", Host: "临沂市人民政府办公室", Contact: "0539-8311000",
	SiteCode: "3713000001", ICP: "鲁ICP备05008877号", PSB: "鲁公网安备 37130202000001号", BaseURL: "http://gk.example"}

// xssTitle is a title that must come out escaped on every page.
const xssTitle = `<script>alert("x")</script>关于开展检查的通知`

// pageFixture fills a store for the page tests: two units of different
// kinds, a policy with attachments and its interpretation, a hostile
// title, a withdrawn entry, a draft, an emergency response, a text-only
// entry and 45 notices to page through. fgw has 48 published entries,
// gxq 2.
func pageFixture(t testing.TB, st *store.Store) *portal.Server {
	t.Helper()
	return newPortal(st, fillPageFixture(t, st), nil)
}

// newPortal is the portal over st with the test site's footer.
func newPortal(st *store.Store, fs *files.Store, ix *indexer.Index) *portal.Server {
	return portal.New(portal.Deps{Store: st, Files: fs, Index: ix, Metrics: metrics.New(), Site: testSite,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// fillPageFixture writes pageFixture's units and entries.
func fillPageFixture(t testing.TB, st *store.Store) *files.Store {
	t.Helper()
	ctx := context.Background()
	fs, err := files.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Unit(t, st, "fgw")
	if _, err := st.SaveUnit(ctx, catalog.Unit{Code: "gxq", Name: "临沂高新技术产业开发区管委会", Kind: catalog.KindCommittee, OrgCode: "GXQ000000000000000"}); err != nil {
		t.Fatal(err)
	}
	sum, _, err := fs.Put(strings.NewReader("%PDF-1.4 test"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) *time.Time { x, _ := catalog.ParseTime(s); return &x }
	mk := func(id, unit, col, status string) catalog.Entry {
		return catalog.Entry{ID: id, Unit: unit, Column: col, Title: "标题" + id, Status: status,
			PublishedAt: at("2024-03-01T10:00:00+08:00"), BodyHTML: "<p>正文" + id + "</p>", Keywords: []string{}}
	}
	pol := mk("pol", "fgw", "zcwj", catalog.StatusPublished)
	pol.DocNo, pol.WrittenAt, pol.Topic, pol.DocType, pol.Validity, pol.FivePublics = "临发改发〔2024〕1号", "2024-02-28", "国民经济管理、国有资产监管", "通知", "有效", "决策"
	pol.Keywords = []string{"价格", "监测"}
	pol.PublishedAt = at("2024-03-02T09:00:00+08:00")
	pol.Attachments = []catalog.Attachment{
		{Name: "附件1：实施方案.pdf", SHA256: sum, Size: 12595, MediaType: "application/pdf"},
		{Name: "附件2：申报表.docx", SHA256: sum, Size: 3 << 20, MediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	}
	interp := mk("interp", "fgw", "zcjd", catalog.StatusPublished)
	interp.Form, interp.Related = "图解", []string{"pol"}
	xss := mk("xss", "fgw", "tzgg", catalog.StatusPublished)
	xss.Title, xss.PublishedAt = xssTitle, at("2024-02-01T08:00:00+08:00")
	txt := mk("txt", "gxq", "tjsj", catalog.StatusPublished)
	txt.BodyHTML, txt.BodyText = "", "第一段文字\n\n第二段文字"
	ws := []store.EntryWrite{
		{Entry: pol, Hash: "1"}, {Entry: interp, Hash: "2"}, {Entry: xss, Hash: "3"},
		{Entry: mk("gone", "gxq", "tzgg", catalog.StatusWithdrawn), Hash: "4"},
		{Entry: mk("draft", "gxq", "tzgg", catalog.StatusDraft), Hash: "5"},
		{Entry: mk("yj1", "gxq", "yjgl", catalog.StatusPublished), Hash: "6"},
		{Entry: txt, Hash: "7"},
	}
	for i := 1; i <= 45; i++ {
		e := mk(fmt.Sprintf("p%02d", i), "fgw", "tzgg", catalog.StatusPublished)
		e.PublishedAt = at(fmt.Sprintf("2023-01-%02dT10:00:00+08:00", i%28+1))
		e.PublishedAt = ptr(e.PublishedAt.Add(time.Duration(i) * time.Minute))
		ws = append(ws, store.EntryWrite{Entry: e, Hash: e.ID})
	}
	if _, err := st.SaveEntries(ctx, ws); err != nil {
		t.Fatal(err)
	}
	// The office pinned the emergency response to the home page.
	if err := st.WithTx(ctx, func(tx *store.Tx) error { return tx.SetPinned(ctx, "yj1", true, "rv", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	return fs
}

func ptr[T any](v T) *T { return &v }

type scenario struct {
	name, method, url string
	header            http.Header
	status            int
	contains          []string
	notContains       []string
}

var htmlAccept = http.Header{"Accept": {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}}

func run(t *testing.T, srv http.Handler, tc scenario) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(tc.method, tc.url, nil)
	for k, v := range tc.header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != tc.status {
		t.Fatalf("%s %s: status %d, want %d: %s", tc.method, tc.url, rec.Code, tc.status, trim(body))
	}
	for _, s := range tc.contains {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q: %s", s, trim(body))
		}
	}
	for _, s := range tc.notContains {
		if strings.Contains(body, s) {
			t.Errorf("body has %q", s)
		}
	}
	return rec
}

func TestPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := pageFixture(t, st)
		today := time.Now().In(catalog.Shanghai)
		withdrawnOn := fmt.Sprintf("本信息已于%d年%d月%d日撤回", today.Year(), int(today.Month()), today.Day())
		escaped := `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;关于开展检查的通知`
		layout := []string{`<html lang="zh-CN">`, `<a class="skip-link" href="#main">跳到主要内容</a>`, `<main id="main"`,
			`<nav class="site-nav" aria-label="主导航">`, "主办单位：临沂市人民政府办公室", "网站标识码：3713000001",
			"鲁ICP备05008877号", "鲁公网安备 37130202000001号", "联系方式：0539-8311000", `/static/site.css?v=`}
		tests := []scenario{
			{name: "home", method: "GET", url: "/", status: 200,
				contains: append([]string{"<h1>政府信息公开</h1>", "应急管理 · 回应关切", `href="/entries/yj1"`, "最新公开",
					`href="/entries/pol"`, "2024年3月2日", `<time datetime="2024-03-02">`, "部门", "管委会",
					`href="/units/gxq"`, "临沂高新技术产业开发区管委会", `<strong>2</strong> 个单位`, `<strong>50</strong> 条`,
					`id="site-q"`, `aria-current="page">首页`, escaped}, layout...),
				notContains: []string{"<script>alert", "标题draft", "标题gone"}},
			{name: "home HEAD", method: "HEAD", url: "/", status: 200, notContains: []string{"<html"}},
			{name: "units by kind", method: "GET", url: "/units", status: 200,
				contains: append([]string{"<h1>单位目录</h1>", `<h2 id="kind-部门">部门`, `<h2 id="kind-管委会">管委会`,
					"测试单位fgw", "48 条", "最近更新 <time datetime=\"2024-03-02\">2024年3月2日</time>", "共 2 个单位，公开政府信息 50 条"}, layout...),
				notContains: []string{"直属机构"}},
			{name: "unit tree", method: "GET", url: "/units/fgw", status: 200,
				contains: []string{"<h1>测试单位fgw</h1>", `<span class="column-name">信息公开目录</span>`,
					`href="/units/fgw/columns/zcwj">政策文件</a>`, `<span class="badge">46 条</span>`, `<span class="badge">48 条</span>`,
					`href="/units/fgw/rss.xml"`, "统一社会信用代码：FGW000000000000000", `<ul>`, escaped},
				notContains: []string{`href="/units/fgw/columns/gkml"`, "<script>alert"}},
			{name: "unit tree of a committee", method: "GET", url: "/units/gxq", status: 200,
				contains: []string{"单位类型：管委会", `href="/entries/yj1"`}, notContains: []string{"标题gone", "标题draft"}},
			{name: "unknown unit", method: "GET", url: "/units/nope", status: 404, contains: []string{"页面不存在", `<html lang="zh-CN">`}},
			{name: "malformed unit code", method: "GET", url: "/units/%E4%B8%AD", status: 404, contains: []string{"页面不存在"}},
			{name: "column first page", method: "GET", url: "/units/fgw/columns/tzgg", status: 200,
				contains: []string{"<h1>通知公告</h1>", "共 46 条", "第 1 页，共 3 页", `href="/units/fgw/columns/tzgg?page=2" rel="next"`,
					`aria-current="page" aria-label="第 1 页，当前页"`, `href="/units/fgw/columns/tzgg/rss.xml"`, escaped,
					`<a href="/units/fgw">测试单位fgw</a>`, `<span aria-current="page">通知公告</span>`},
				notContains: []string{`rel="prev"`, "<script>alert", `href="/entries/p01"`}},
			{name: "column last page", method: "GET", url: "/units/fgw/columns/tzgg?page=3", status: 200,
				contains:    []string{"第 3 页，共 3 页", `rel="prev"`, `href="/entries/p01"`},
				notContains: []string{`rel="next"`}},
			{name: "column past the last page", method: "GET", url: "/units/fgw/columns/tzgg?page=4", status: 404, contains: []string{"页面不存在"}},
			{name: "column page zero", method: "GET", url: "/units/fgw/columns/tzgg?page=0", status: 404},
			{name: "column page not a number", method: "GET", url: "/units/fgw/columns/tzgg?page=x", status: 404},
			{name: "empty column", method: "GET", url: "/units/gxq/columns/ldfg", status: 200, contains: []string{"本栏目暂无公开信息", "共 0 条"},
				notContains: []string{`class="pager"`}},
			{name: "grouping column has no list", method: "GET", url: "/units/fgw/columns/gkml", status: 404},
			{name: "unknown column", method: "GET", url: "/units/fgw/columns/nope", status: 404},
			{name: "policy entry", method: "GET", url: "/entries/pol", status: 200,
				contains: []string{"<h1>标题pol</h1>", "<dt>索引号</dt><dd>FGW000000000000000/2024-", "<dt>发布机构</dt><dd>测试单位fgw</dd>",
					"<dt>成文日期</dt><dd>2024年2月28日</dd>", "<dt>发布日期</dt><dd>2024年3月2日</dd>", "<dt>文号</dt><dd>临发改发〔2024〕1号</dd>",
					"<dt>主题分类</dt><dd>国民经济管理、国有资产监管</dd>", "<dt>文种</dt><dd>通知</dd>", "<dt>有效性</dt><dd>有效</dd>",
					"<dt>五公开</dt><dd>决策</dd>", "<dt>关键词</dt><dd>价格、监测</dd>", "<p>正文pol</p>",
					`href="/files/pol/1"`, "附件1：实施方案.pdf", "PDF 文档，12.3 KB", `href="/files/pol/2"`, "Word 文档，3.0 MB",
					"<h2>相关解读</h2>", `href="/entries/interp">标题interp</a> <span class="tag">图解</span>`,
					`<a href="/units/fgw/columns/zcwj">政策文件</a>`},
				notContains: []string{"解读形式", "撤回"}},
			{name: "interpretation names its policy", method: "GET", url: "/entries/interp", status: 200,
				contains:    []string{"<h2>解读的政策文件</h2>", `href="/entries/pol">标题pol</a>`, "<dt>解读形式</dt><dd>图解</dd>"},
				notContains: []string{"相关解读"}},
			{name: "hostile title is escaped", method: "GET", url: "/entries/xss", status: 200,
				contains: []string{"<h1>" + escaped + "</h1>", "<title>" + escaped}, notContains: []string{"<script>alert"}},
			{name: "withdrawn entry says so", method: "GET", url: "/entries/gone", status: 200,
				contains:    []string{withdrawnOn, "正文和附件不再提供", "<h1>标题gone</h1>", "<dt>索引号</dt>"},
				notContains: []string{"正文gone", "/files/gone"}},
			{name: "draft is not found", method: "GET", url: "/entries/draft", status: 404, contains: []string{"页面不存在"},
				notContains: []string{"标题draft", "正文draft"}},
			{name: "unknown entry", method: "GET", url: "/entries/nope", status: 404, contains: []string{"页面不存在"}},
			{name: "text-only entry", method: "GET", url: "/entries/txt", status: 200, contains: []string{"<p>第一段文字</p>", "<p>第二段文字</p>"}},
			{name: "search form", method: "GET", url: "/search?q=%E4%BB%B7%E6%A0%BC", status: 200,
				contains:    []string{"<h1>信息检索</h1>", `<label for="q">`, `value="价格"`, `aria-current="page">信息检索`},
				notContains: []string{`id="site-q"`}},
			{name: "search query is escaped", method: "GET", url: "/search?q=%3Cscript%3Ex", status: 200,
				contains: []string{`value="&lt;script&gt;x"`}, notContains: []string{"<script>x"}},
			{name: "unknown page for people", method: "GET", url: "/no/such/page", header: htmlAccept, status: 404,
				contains: append([]string{"<h1>页面不存在</h1>", `<p class="error-code">404</p>`}, layout...)},
			{name: "unknown page for programs", method: "GET", url: "/no/such/page", status: 404, contains: []string{`"not_found"`}},
			{name: "API stays JSON for browsers", method: "GET", url: "/api/v1/nope", header: htmlAccept, status: 404,
				contains: []string{`"not_found"`}, notContains: []string{"<html"}},
			{name: "API entry stays JSON", method: "GET", url: "/api/v1/entries/draft", header: htmlAccept, status: 404, contains: []string{`"not_found"`}},
			{name: "wrong method on a page", method: "POST", url: "/units", header: htmlAccept, status: 405, contains: []string{"不支持该访问方式"}},
			{name: "stylesheet", method: "GET", url: "/static/site.css", status: 200, contains: []string{":root"}},
			{name: "script", method: "GET", url: "/static/site.js", status: 200, contains: []string{"localStorage"}},
			{name: "unknown static file", method: "GET", url: "/static/nope.css", status: 404},
			{name: "large display from the cookie", method: "GET", url: "/units", header: http.Header{"Cookie": {"gk_display=large"}}, status: 200,
				contains: []string{`<html lang="zh-CN" class="large">`, `aria-pressed="true"`, `name="large" value="0"`}},
			{name: "normal display chosen", method: "GET", url: "/units", header: http.Header{"Cookie": {"gk_display=normal"}}, status: 200,
				contains: []string{`<html lang="zh-CN">`, `aria-pressed="false"`}},
			{name: "normal display", method: "GET", url: "/units?x=1", status: 200,
				contains: []string{`aria-pressed="false"`, `name="large" value="1"`, `name="back" value="/units?x=1"`}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rec := run(t, srv, tc)
				ct := rec.Header().Get("Content-Type")
				if strings.HasPrefix(tc.url, "/static/") || strings.HasPrefix(tc.url, "/api/") || tc.header == nil && rec.Code == 404 && strings.HasPrefix(tc.url, "/no/") {
					return
				}
				if ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				if rec.Code == 200 && tc.method == "GET" && strings.Count(rec.Body.String(), "<h1") != 1 {
					t.Errorf("want exactly one h1")
				}
			})
		}
	})
}

func TestDisplayToggle(t *testing.T) {
	srv := pageFixture(t, storetest.SQLite(t))
	tests := []struct {
		url, location, cookie string
	}{
		{"/display?large=1&back=%2Funits%3Fpage%3D2", "/units?page=2", "gk_display=large"},
		{"/display?large=0&back=%2Fentries%2Fpol", "/entries/pol", "gk_display=normal"},
		{"/display?large=1&back=%2F%2Fevil.example", "/", "gk_display=large"},
		{"/display?large=1&back=https%3A%2F%2Fevil.example%2F", "/", "gk_display=large"},
		{"/display?large=1&back=%2F%5Cevil.example", "/", "gk_display=large"},
		{"/display?large=1", "/", "gk_display=large"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", tc.url, nil))
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tc.location {
				t.Errorf("%d to %q, want 303 to %q", rec.Code, rec.Header().Get("Location"), tc.location)
			}
			if c := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(c, tc.cookie) || !strings.Contains(c, "Path=/") {
				t.Errorf("Set-Cookie = %q", c)
			}
		})
	}
}

func TestStaticCaching(t *testing.T) {
	srv := pageFixture(t, storetest.SQLite(t))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	i := strings.Index(rec.Body.String(), "/static/site.css?v=")
	if i < 0 {
		t.Fatal("home page does not link the stylesheet")
	}
	href := rec.Body.String()[i:]
	href = href[:strings.IndexByte(href, '"')]

	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", href, nil))
	etag := rec.Header().Get("ETag")
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || etag == "" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("hashed URL: %d %v", rec.Code, rec.Header())
	}
	if !strings.Contains(href, strings.Trim(etag, `"`)) {
		t.Errorf("ETag %s is not the URL's version %s", etag, href)
	}
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/static/site.css?v=old", nil))
	if strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Error("a stale version is cached for a year")
	}
	req := httptest.NewRequest("GET", "/static/site.css", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", rec.Code)
	}
}

type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		Links []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
			Href    string `xml:"href,attr"`
			Rel     string `xml:"rel,attr"`
		} `xml:"link"`
		Description string `xml:"description"`
		Language    string `xml:"language"`
		Items       []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			GUID        string `xml:"guid"`
			PubDate     string `xml:"pubDate"`
			Description string `xml:"description"`
			Category    string `xml:"category"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := pageFixture(t, st)
		tests := []struct {
			url, title, first string
			items             int
		}{
			{"/units/fgw/rss.xml", "测试单位fgw - 临沂市人民政府 政府信息公开", "http://gk.example/entries/pol", 48},
			{"/units/fgw/columns/tzgg/rss.xml", "测试单位fgw · 通知公告 - 临沂市人民政府 政府信息公开", "http://gk.example/entries/xss", 46},
			{"/units/gxq/rss.xml", "临沂高新技术产业开发区管委会 - 临沂市人民政府 政府信息公开", "http://gk.example/entries/yj1", 2},
			{"/units/gxq/columns/ldfg/rss.xml", "临沂高新技术产业开发区管委会 · 领导分工 - 临沂市人民政府 政府信息公开", "", 0},
		}
		for _, tc := range tests {
			t.Run(tc.url, func(t *testing.T) {
				req := httptest.NewRequest("GET", "http://gk.example"+tc.url, nil)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/rss+xml; charset=utf-8" {
					t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
				}
				var doc rssDoc
				if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
					t.Fatalf("not XML: %v\n%s", err, trim(rec.Body.String()))
				}
				ch := doc.Channel
				if doc.Version != "2.0" || ch.Title != tc.title || ch.Language != "zh-cn" || ch.Description == "" || len(ch.Links) != 2 {
					t.Fatalf("channel = %+v", ch)
				}
				// The channel's own <link> comes first and has no namespace;
				// the self link is Atom's.
				if l := ch.Links[0]; l.XMLName.Space != "" || !strings.HasPrefix(l.Value, "http://gk.example/units/") {
					t.Errorf("channel link = %+v", l)
				}
				if l := ch.Links[1]; l.XMLName.Space != "http://www.w3.org/2005/Atom" || l.Href != "http://gk.example"+tc.url || l.Rel != "self" {
					t.Errorf("self link = %+v", l)
				}
				if len(ch.Items) != tc.items {
					t.Fatalf("%d items, want %d", len(ch.Items), tc.items)
				}
				var prev time.Time
				for i, it := range ch.Items {
					when, err := time.Parse(time.RFC1123Z, it.PubDate)
					if err != nil || it.Title == "" || it.Link == "" || it.GUID != it.Link || it.Category == "" {
						t.Errorf("item %d = %+v (%v)", i, it, err)
					}
					if i > 0 && when.After(prev) {
						t.Errorf("item %d is newer than the one before", i)
					}
					prev = when
				}
				if tc.items > 0 && ch.Items[0].Link != tc.first {
					t.Errorf("first item %s, want %s", ch.Items[0].Link, tc.first)
				}
				if strings.Contains(rec.Body.String(), "<script>") {
					t.Error("a title is not escaped")
				}
			})
		}
		for _, url := range []string{"/units/nope/rss.xml", "/units/fgw/columns/gkml/rss.xml", "/units/fgw/columns/nope/rss.xml"} {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
			if rec.Code != 404 {
				t.Errorf("%s: %d, want 404", url, rec.Code)
			}
		}
	})
}

type sitemapDoc struct {
	XMLName  xml.Name
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

func getSitemap(t *testing.T, srv http.Handler, url string) sitemapDoc {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Fatalf("%s: %d %s", url, rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc sitemapDoc
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%s is not XML: %v", url, err)
	}
	if doc.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" {
		t.Errorf("%s: namespace %q", url, doc.XMLName.Space)
	}
	return doc
}

func TestSitemap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := pageFixture(t, st)
		index := getSitemap(t, srv, "http://gk.example/sitemap.xml")
		if index.XMLName.Local != "sitemapindex" || len(index.Sitemaps) != 2 ||
			index.Sitemaps[0].Loc != "http://gk.example/sitemaps/catalog.xml" || index.Sitemaps[1].Loc != "http://gk.example/sitemaps/entries-1.xml" {
			t.Fatalf("index = %+v", index)
		}
		cat := getSitemap(t, srv, "http://gk.example/sitemaps/catalog.xml")
		locs := map[string]string{}
		for _, u := range cat.URLs {
			locs[u.Loc] = u.LastMod
		}
		for _, want := range []string{"/", "/units", "/units/fgw", "/units/gxq", "/units/fgw/columns/tzgg", "/units/gxq/columns/yjgl"} {
			if _, ok := locs["http://gk.example"+want]; !ok {
				t.Errorf("catalog sitemap lacks %s", want)
			}
		}
		if locs["http://gk.example/units/fgw/columns/zcwj"] != "2024-03-02" {
			t.Errorf("lastmod of zcwj = %q", locs["http://gk.example/units/fgw/columns/zcwj"])
		}
		if _, ok := locs["http://gk.example/units/gxq/columns/ldfg"]; ok {
			t.Error("an empty column is listed")
		}
		entries := getSitemap(t, srv, "http://gk.example/sitemaps/entries-1.xml")
		if len(entries.URLs) != 50 {
			t.Errorf("%d entry URLs, want 50", len(entries.URLs))
		}
		for _, u := range entries.URLs {
			if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil || strings.Contains(u.Loc, "draft") || strings.Contains(u.Loc, "gone") {
				t.Errorf("url %+v", u)
			}
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/sitemaps/entries-2.xml", nil))
		if rec.Code != 404 {
			t.Errorf("entries-2: %d, want 404", rec.Code)
		}
	})
}

// searchFixture is the page fixture with an index built over it, and the
// search page answering from that index. One entry's text holds markup
// characters that the snippet must escape.
func searchFixture(t testing.TB, st *store.Store) *portal.Server {
	t.Helper()
	fs := fillPageFixture(t, st)
	ctx := context.Background()
	at, _ := catalog.ParseTime("2024-03-05T10:00:00+08:00")
	markup := catalog.Entry{ID: "markup", Unit: "gxq", Column: "tzgg", Title: "关于标签写法的说明", Status: catalog.StatusPublished,
		PublishedAt: &at, BodyHTML: "<p>网页中的 &lt;b&gt;加粗&lt;/b&gt; 标签写法说明</p>", Keywords: []string{}}
	if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: markup, Hash: "markup"}}); err != nil {
		t.Fatal(err)
	}
	ix, err := indexer.Open(ctx, indexer.Options{Dir: filepath.Join(t.TempDir(), "index"), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return newPortal(st, fs, ix)
}

func TestSearchPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		search := searchFixture(t, st)
		q := func(s string) string { return "/search?" + s }
		tests := []scenario{
			{name: "a query finds its entry", url: q("q=%E6%A0%87%E9%A2%98pol"), status: 200,
				contains: []string{"找到 1 条相关信息", `<h3><a href="/entries/pol">标题pol</a></h3>`, `<p class="snippet">正文<mark>pol</mark></p>`,
					"<span>测试单位fgw</span><span>政策文件</span><span>临发改发〔2024〕1号</span>", `value="标题pol"`,
					`<legend>发布单位</legend>`, `name="unit" value="fgw"`, `name="year" value="2024"`, "2024年", `value="relevance" checked`}},
			{name: "browsing without a query lists everything by date", url: q(""), status: 200,
				contains: []string{"全部公开信息 51 条", `value="date" checked`, `<ol class="hits" start="1">`, `href="/search?page=2"`}},
			{name: "facets filter, several values of one facet", url: q("q=%E6%A0%87%E9%A2%98&unit=gxq&column=yjgl&column=tjsj"), status: 200,
				contains: []string{"找到 2 条相关信息", `name="unit" value="gxq" checked`, `name="column" value="yjgl" checked`,
					`name="column" value="tjsj" checked`, "清除筛选", `href="/search?q=%E6%A0%87%E9%A2%98"`},
				notContains: []string{`href="/entries/pol"`}},
			{name: "sort by date", url: q("q=%E6%A0%87%E9%A2%98&sort=date"), status: 200,
				contains: []string{`value="date" checked`, `<ol class="hits" start="1">`}},
			{name: "second page", url: q("q=%E6%A0%87%E9%A2%98&page=2"), status: 200,
				contains: []string{`<ol class="hits" start="21">`, `rel="prev"`, `aria-label="第 2 页，当前页"`, `href="/search?page=3&amp;q=%E6%A0%87%E9%A2%98"`}},
			{name: "a query that finds nothing shows its correction's hits", url: q("q=%E6%A0%87%E7%AD%BE%E5%86%99%E5%8F%91"), status: 200,
				contains: []string{"已显示“<a href=\"/search?q=%E6%A0%87%E7%AD%BE%E5%86%99%E6%B3%95\">标签写法</a>”的搜索结果，仍搜索“<a href=\"/search?nocorrect=1&amp;q=%E6%A0%87%E7%AD%BE%E5%86%99%E5%8F%91\">标签写发</a>”",
					`<h3><a href="/entries/markup">关于标签写法的说明</a></h3>`},
				notContains: []string{"您是不是要找：", "未找到与"}},
			{name: "words found apart say so", url: q("q=%E8%AF%B4%E6%98%8E%E6%A0%87%E7%AD%BE"), status: 200,
				contains: []string{"没有信息完整包含“说明标签”，以下结果分别包含其中的词语。", `<h3><a href="/entries/markup">关于标签写法的说明</a></h3>`}},
			{name: "did you mean, searching as typed", url: q("q=%E6%A0%87%E7%AD%BE%E5%86%99%E5%8F%91&nocorrect=1"), status: 200,
				contains: []string{"您是不是要找：<a href=\"/search?q=%E6%A0%87%E7%AD%BE%E5%86%99%E6%B3%95\">标签写法</a>", "未找到与“<strong>标签写发</strong>”相关的信息", "建议："}},
			{name: "no result names the filter to drop", url: q("q=%E6%A0%87%E9%A2%98pol&unit=gxq"), status: 200,
				contains: []string{"放宽条件可以找到", `<a href="/search?q=%E6%A0%87%E9%A2%98pol">不限发布单位</a>（1 条）`}},
			{name: "query is escaped", url: q("q=%3Cscript%3Ealert(1)%3C/script%3E"), status: 200,
				contains: []string{`value="&lt;script&gt;alert(1)&lt;/script&gt;"`}, notContains: []string{"<script>alert"}},
			{name: "snippet escapes the entry's text", url: q("q=%E6%A0%87%E7%AD%BE%E5%86%99%E6%B3%95"), status: 200,
				contains: []string{`href="/entries/markup"`, "&lt;b&gt;"}, notContains: []string{"<b>加粗"}},
			{name: "unknown parameters are ignored", url: q("q=%E6%A0%87%E9%A2%98pol&utm_source=x"), status: 200, contains: []string{"找到 1 条相关信息"}},
			{name: "a bad page number is explained", url: q("q=x&page=0"), status: 400, contains: []string{"检索条件有误", "页码应为正整数"}},
			{name: "an overlong query is explained", url: q("q=" + strings.Repeat("%E5%AD%97", 2001)), status: 400, contains: []string{"检索词过长"}},
		}
		for _, tc := range tests {
			tc.method = "GET"
			t.Run(tc.name, func(t *testing.T) {
				rec := run(t, search, tc)
				if n := strings.Count(rec.Body.String(), "<h1"); n != 1 {
					t.Errorf("%d h1", n)
				}
			})
		}
	})
}

func TestSearchPageWithoutIndex(t *testing.T) {
	srv := pageFixture(t, storetest.SQLite(t))
	run(t, srv, scenario{method: "GET", url: "/search?q=x", status: 200, contains: []string{"全文检索功能正在准备中", `href="/units"`}})
}
