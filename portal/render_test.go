package portal

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

func TestPeopleDate(t *testing.T) {
	utc := time.Date(2018, 7, 2, 16, 30, 0, 0, time.UTC) // 00:30 on 3 July in Shanghai
	var none *time.Time
	tests := []struct {
		in   any
		want string
	}{
		{utc, "2018年7月3日"},
		{&utc, "2018年7月3日"},
		{"2018-07-03", "2018年7月3日"},
		{"2024-12-31", "2024年12月31日"},
		{none, ""},
		{"", ""},
		{time.Time{}, ""},
		{42, ""},
		{"2018年", "2018年"},
	}
	for _, tc := range tests {
		if got := peopleDate(tc.in); got != tc.want {
			t.Errorf("peopleDate(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := isoDate(&utc); got != "2018-07-03" {
		t.Errorf("isoDate = %q", got)
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KB"}, {12595, "12.3 KB"},
		{5 << 20, "5.0 MB"}, {3 << 30, "3.0 GB"}, {5000 << 30, "5000.0 GB"},
	}
	for _, tc := range tests {
		if got := humanSize(tc.n); got != tc.want {
			t.Errorf("humanSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestFileTypeLabel(t *testing.T) {
	tests := []struct{ name, mediaType, want string }{
		{"方案.PDF", "", "PDF 文档"},
		{"通知.doc", "", "Word 文档"},
		{"申报表.docx", "application/octet-stream", "Word 文档"},
		{"统计表.xlsx", "", "Excel 表格"},
		{"文件.wps", "", "WPS 文档"},
		{"公文.ofd", "", "OFD 版式文档"},
		{"图解.png", "", "图片"},
		{"无扩展名", "application/pdf", "PDF 文档"},
		{"无扩展名", "application/vnd.ms-excel", "Excel 表格"},
		{"无扩展名", "image/jpeg", "图片"},
		{"数据.bin", "application/octet-stream", "文件"},
	}
	for _, tc := range tests {
		if got := fileTypeLabel(tc.name, tc.mediaType); got != tc.want {
			t.Errorf("fileTypeLabel(%q, %q) = %q, want %q", tc.name, tc.mediaType, got, tc.want)
		}
	}
}

func TestPager(t *testing.T) {
	render := func(p pager) string {
		var b []string
		for _, l := range p.Links {
			switch {
			case l.Gap:
				b = append(b, "…")
			case l.Current:
				b = append(b, fmt.Sprintf("[%d]", l.N))
			default:
				b = append(b, fmt.Sprint(l.N))
			}
		}
		return strings.Join(b, " ")
	}
	tests := []struct {
		page, total    int
		want           string
		prev, next     string
		pages, entries int
	}{
		{1, 0, "[1]", "", "", 1, 0},
		{1, 20, "[1]", "", "", 1, 20},
		{1, 21, "[1] 2", "", "/c?page=2", 2, 21},
		{2, 21, "1 [2]", "/c", "", 2, 21},
		{1, 200, "[1] 2 3 … 10", "", "/c?page=2", 10, 200},
		{6, 200, "1 … 4 5 [6] 7 8 9 10", "/c?page=5", "/c?page=7", 10, 200},
		{4, 200, "1 2 3 [4] 5 6 … 10", "/c?page=3", "/c?page=5", 10, 200},
		{10, 200, "1 … 8 9 [10]", "/c?page=9", "", 10, 200},
	}
	for _, tc := range tests {
		p := newPager("/c", tc.page, tc.total, 20)
		if got := render(p); got != tc.want || p.Prev != tc.prev || p.Next != tc.next || p.Pages != tc.pages || p.Total != tc.entries {
			t.Errorf("page %d of %d entries: %s prev %q next %q pages %d; want %s %q %q %d", tc.page, tc.total, got, p.Prev, p.Next, p.Pages, tc.want, tc.prev, tc.next, tc.pages)
		}
	}
}

func TestPageNumber(t *testing.T) {
	for q, want := range map[string]int{"": 1, "page=1": 1, "page=7": 7, "page=0": 0, "page=-1": 0, "page=x": 0, "page=99999999": 0} {
		r := httptest.NewRequest("GET", "/?"+q, nil)
		n, ok := pageNumber(r.URL.Query())
		if ok != (want > 0) || n != want {
			t.Errorf("%q: %d %v, want %d", q, n, ok, want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := map[string]string{
		"/units":                        "/units",
		"/units?page=2":                 "/units?page=2",
		"/search?q=%E4%BB%B7":           "/search?q=%E4%BB%B7",
		"":                              "/",
		"units":                         "/",
		"//evil.example/":               "/",
		"/\\evil.example":               "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"/a\r\nSet-Cookie: x=1":         "/",
		"/" + strings.Repeat("a", 3000): "/",
	}
	for in, want := range tests {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWantsPage(t *testing.T) {
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		path, accept string
		want         bool
	}{
		{"/no/such", browser, true},
		{"/units/x/y/z", "text/html", true},
		{"/no/such", "", false},
		{"/no/such", "application/json", false},
		{"/no/such", "*/*", false},
		{"/api/v1/nope", browser, false},
		{"/opendata/api/nope", browser, false},
		{"/metrics/x", browser, false},
		{"/files/a/9", browser, false},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", tc.path, nil)
		r.Header.Set("Accept", tc.accept)
		if got := wantsPage(r); got != tc.want {
			t.Errorf("wantsPage(%s, %q) = %v", tc.path, tc.accept, got)
		}
	}
}

func TestNestTree(t *testing.T) {
	day := func(d int) *time.Time { x := time.Date(2024, 1, d, 0, 0, 0, 0, catalog.Shanghai); return &x }
	col := func(code, parent string, leaf bool, n int, last *time.Time) store.TreeColumnStats {
		c := store.TreeColumnStats{Entries: n, LastPublish: last}
		c.Code, c.Name, c.Parent, c.Leaf, c.Unit = code, code, parent, leaf, "u"
		return c
	}
	roots := nestTree([]store.TreeColumnStats{
		col("zyzz", "", true, 1, day(1)),
		col("gkml", "", false, 0, nil),
		col("tzgg", "gkml", true, 3, day(5)),
		col("zcwj", "gkml", true, 2, day(9)),
		col("orphan", "gone", true, 4, nil),
	})
	if len(roots) != 3 || roots[0].Code != "zyzz" || roots[1].Code != "gkml" || roots[2].Code != "orphan" {
		t.Fatalf("roots = %+v", roots)
	}
	g := roots[1]
	if len(g.Children) != 2 || g.Entries != 5 || !g.LastPublish.Equal(*day(9)) {
		t.Errorf("group = %+v", g)
	}
	if roots[0].Entries != 1 {
		t.Errorf("leaf count changed: %d", roots[0].Entries)
	}
}

func TestGroupUnits(t *testing.T) {
	u := func(code, kind string, n int) store.UnitStats {
		return store.UnitStats{Unit: catalog.Unit{Code: code, Kind: kind}, Entries: n}
	}
	groups := groupUnits([]store.UnitStats{u("a", "管委会", 2), u("b", "部门", 3), u("c", "部门", 1), u("d", "特别", 0)})
	var got []string
	for _, g := range groups {
		got = append(got, fmt.Sprintf("%s:%d:%d", g.Kind, len(g.Units), g.Entries))
	}
	if strings.Join(got, " ") != "部门:2:4 管委会:1:2 特别:1:0" {
		t.Errorf("groups = %v", got)
	}
}

func TestViewsLoaded(t *testing.T) {
	for _, name := range []string{"home.html", "units.html", "unit.html", "column.html", "entry.html", "search.html", "error.html"} {
		if siteViews.pages[name] == nil {
			t.Errorf("no page %s", name)
		}
	}
	for _, name := range []string{"site.css", "site.js", "favicon.svg"} {
		f, ok := siteViews.static[name]
		if !ok || len(f.hash) != 12 || f.contentType == "" {
			t.Errorf("static %s = %v", name, ok)
		}
	}
	if got := siteViews.staticURL("site.css"); !strings.HasPrefix(got, "/static/site.css?v=") {
		t.Errorf("staticURL = %q", got)
	}
}

func TestNavCurrent(t *testing.T) {
	tests := []struct {
		path, item string
		within     []string
		want       string
	}{
		{"/", "/", nil, "page"},
		{"/units", "/", nil, ""},
		{"/units", "/units", []string{"/units/", "/entries/"}, "page"},
		{"/units/fgw", "/units", []string{"/units/", "/entries/"}, "true"},
		{"/entries/x", "/units", []string{"/units/", "/entries/"}, "true"},
		{"/opendata/datasets/x", "/opendata/", []string{"/opendata/"}, "true"},
	}
	for _, tc := range tests {
		if got := navCurrent(tc.path, tc.item, tc.within...); got != tc.want {
			t.Errorf("navCurrent(%q, %q) = %q, want %q", tc.path, tc.item, got, tc.want)
		}
	}
}
