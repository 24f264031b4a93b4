package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// apiSearchFixture is a portal with a search index over a few entries.
func apiSearchFixture(t *testing.T, st *store.Store) (*portal.Server, *indexer.Index) {
	t.Helper()
	srv, ix, _ := apiSearchFixtureWith(t, st, config.Limits{})
	return srv, ix
}

// apiSearchFixtureWith is apiSearchFixture with the given limits, and the
// metrics it reports to.
func apiSearchFixtureWith(t *testing.T, st *store.Store, lim config.Limits) (*portal.Server, *indexer.Index, *metrics.Metrics) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	fs, err := files.New(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []catalog.Unit{
		{Code: "fgw", Name: "临沂市发展和改革委员会", Kind: catalog.KindDepartment, OrgCode: "11371300004331204K"},
		{Code: "czj", Name: "临沂市财政局", Kind: catalog.KindDepartment, OrgCode: "113713000043312001"},
		{Code: "rsj", Name: "临沂市人力资源和社会保障局", Kind: catalog.KindDepartment, OrgCode: "113713000043312003"},
	} {
		if _, err := st.SaveUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	at := func(s string) *time.Time { x, _ := catalog.ParseTime(s); return &x }
	mk := func(id, unit, col, typ, title, body, published string) store.EntryWrite {
		return store.EntryWrite{Hash: id, Entry: catalog.Entry{ID: id, Unit: unit, Column: col, Title: title,
			BodyText: body, Status: catalog.StatusPublished, PublishedAt: at(published), DocType: typ,
			Validity: "有效", Keywords: []string{}}}
	}
	ws := []store.EntryWrite{
		mk("g1", "czj", "zcwj", "通知", "关于调整住房公积金缴存基数的通知", "住房公积金缴存基数调整，a < b 的情形另行通知。", "2023-07-01T10:00:00+08:00"),
		mk("g2", "fgw", "tzgg", "公告", "住房公积金贷款政策问答", "公积金贷款额度。", "2022-03-01T10:00:00+08:00"),
		mk("g3", "fgw", "zcwj", "通知", "关于开展价格监测工作的通知", "价格监测。", "2021-05-01T10:00:00+08:00"),
		mk("s1", "rsj", "zcwj", "通知", "关于调整社会保险缴费基数的通知", "社会保险缴费基数。", "2020-01-01T10:00:00+08:00"),
	}
	draft := mk("d1", "fgw", "zcwj", "通知", "住房公积金草稿", "草稿。", "2024-01-01T10:00:00+08:00")
	draft.Entry.Status = catalog.StatusDraft
	ws = append(ws, draft)
	if _, err := st.SaveEntries(ctx, ws); err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	ix, err := indexer.Open(ctx, indexer.Options{Dir: filepath.Join(dir, "index"), Store: st, Files: fs,
		Metrics: metrics.NewSearch(m.Registry)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	return portal.New(portal.Deps{Store: st, Files: fs, Metrics: m, Index: ix, Limits: lim,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}), ix, m
}

func apiGet(t *testing.T, srv *portal.Server, u string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
	return rec.Code, rec.Body.String()
}

func shortBody(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func TestSearchAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv, _ := apiSearchFixture(t, st)
		q := url.QueryEscape
		tests := []struct {
			name, url   string
			status      int
			contains    []string
			notContains []string
		}{
			{"query", "/api/v1/search?q=" + q("公积金"), 200,
				[]string{`"total":2`, `"id":"g1"`, `"unit_name":"临沂市财政局"`, `"column_name":"政策文件"`, `"url":"/api/v1/entries/g1"`,
					`"suggestion":null`, `"published_at":"2023-07-01T10:00:00+08:00"`, `<mark>公积金</mark>`, `"facets":{`,
					`{"value":"fgw","label":"临沂市发展和改革委员会","count":1,"selected":false}`, `"year":[{"value":"2023"`},
				[]string{`"d1"`}},
			{"snippet is escaped around marks", "/api/v1/search?q=" + q("缴存基数"), 200, []string{`a &lt; b`}, []string{`a < b`}},
			{"empty query browses newest first", "/api/v1/search", 200, []string{`"total":4`, `"sort":"date"`, `"hits":[{"id":"g1"`}, nil},
			{"sort by date", "/api/v1/search?q=" + q("通知") + "&sort=date", 200, []string{`"sort":"date"`}, nil},
			{"multi-select facet", "/api/v1/search?unit=fgw&unit=czj", 200, []string{`"total":3`, `"value":"rsj"`, `"selected":true`}, nil},
			{"filters AND across facets", "/api/v1/search?unit=fgw&unit=czj&doc_type=" + q("公告"), 200, []string{`"total":1`, `"id":"g2"`}, nil},
			{"title only", "/api/v1/search?title_only=1&q=" + q("额度"), 200, []string{`"total":0`, `"relaxed":[{"param":"title_only","count":1}]`}, nil},
			{"zero results offer relaxing a filter", "/api/v1/search?unit=rsj&q=" + q("公积金"), 200, []string{`"total":0`, `"relaxed":[{"param":"unit","count":2}]`}, nil},
			{"typo suggestion", "/api/v1/search?q=" + q("住房公基金"), 200, []string{`"suggestion":"住房公积金"`}, nil},
			{"pinyin", "/api/v1/search?q=gongjijin", 200, []string{`"id":"g1"`, `"id":"g2"`}, nil},
			{"文号 and synonyms do not break paging", "/api/v1/search?q=" + q("社保") + "&size=1", 200, []string{`"id":"s1"`}, nil},
			{"paging", "/api/v1/search?size=1&page=2", 200, []string{`"page":2`, `"hits":[{"id":"g2"`, `"next":"`}, nil},
			{"page past the end", "/api/v1/search?page=40", 200, []string{`"hits":[]`, `"total":4`, `"next":null`}, nil},
			{"unbalanced quotes", "/api/v1/search?q=" + q(`"公积金`), 200, []string{`"total":2`}, nil},
			{"wildcard flood", "/api/v1/search?q=" + q(strings.Repeat("*?", 400)), 200, []string{`"hits":[`}, nil},
			{"query syntax is text", "/api/v1/search?q=" + q(`+公积金 -(贷款) AND title:x~2 /re.*/`), 200, []string{`"hits":[`}, nil},
			{"unknown parameter named", "/api/v1/search?q=x&colour=red&sortt=1", 400, []string{`"code":"invalid"`, `colour`, `sortt`}, nil},
			{"size over 100", "/api/v1/search?size=101", 400, []string{`"field":"size"`}, nil},
			{"size not a number", "/api/v1/search?size=ten", 400, []string{`"field":"size"`}, nil},
			{"page zero", "/api/v1/search?page=0", 400, []string{`"field":"page"`}, nil},
			{"page beyond the window", "/api/v1/search?page=600&size=20", 400, []string{`"field":"page"`, `after`}, nil},
			{"query too long", "/api/v1/search?q=" + strings.Repeat("公", 2001), 400, []string{`"field":"q"`}, nil},
			{"invalid UTF-8", "/api/v1/search?q=%FF%FE", 400, []string{`"field":"q"`}, nil},
			{"bad sort", "/api/v1/search?sort=random", 400, []string{`"field":"sort"`}, nil},
			{"bad cursor", "/api/v1/search?after=not-a-cursor", 400, []string{`"field":"after"`}, nil},
			{"bad title_only", "/api/v1/search?title_only=yes", 400, []string{`"field":"title_only"`}, nil},
			{"popular: bad n", "/api/v1/search/popular?n=500", 400, []string{`"invalid"`}, nil},
			{"popular: unknown parameter", "/api/v1/search/popular?x=1", 400, []string{`"invalid"`}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, body := apiGet(t, srv, tc.url)
				if code != tc.status {
					t.Fatalf("status %d, want %d: %s", code, tc.status, shortBody(body))
				}
				if !json.Valid([]byte(body)) {
					t.Fatalf("not JSON: %s", shortBody(body))
				}
				for _, s := range tc.contains {
					if !strings.Contains(body, s) {
						t.Errorf("body lacks %s: %s", s, shortBody(body))
					}
				}
				for _, s := range tc.notContains {
					if strings.Contains(body, s) {
						t.Errorf("body has %s: %s", s, shortBody(body))
					}
				}
			})
		}
	})
}

func TestSearchAPIFacetCountsMatchFilters(t *testing.T) {
	srv, _ := apiSearchFixture(t, storetest.SQLite(t))
	type page struct {
		Total  int `json:"total"`
		Facets map[string][]struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"facets"`
	}
	read := func(u string) page {
		code, body := apiGet(t, srv, u)
		var p page
		if code != 200 || json.Unmarshal([]byte(body), &p) != nil {
			t.Fatalf("%s: %d %s", u, code, shortBody(body))
		}
		return p
	}
	base := "/api/v1/search?q=" + url.QueryEscape("通知 基数") + "&unit=czj&unit=rsj"
	p := read(base)
	for field, vals := range p.Facets {
		for _, v := range vals {
			u := base
			if field == "unit" {
				u = "/api/v1/search?q=" + url.QueryEscape("通知 基数")
			}
			if got := read(u + "&" + field + "=" + url.QueryEscape(v.Value)).Total; got != v.Count {
				t.Errorf("%s=%s: facet %d, filter %d", field, v.Value, v.Count, got)
			}
		}
	}
}

func TestSearchPopularQueries(t *testing.T) {
	st := storetest.SQLite(t)
	srv, ix := apiSearchFixture(t, st)
	if err := st.WithTx(context.Background(), func(tx *store.Tx) error {
		return tx.SetPopularSettings(context.Background(), store.PopularSettings{MinClients: 2, Days: 30})
	}); err != nil {
		t.Fatal(err)
	}
	// ask searches q from a client's address, twice.
	ask := func(q, addr string, header ...string) {
		for range 2 {
			req := httptest.NewRequest("GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
			req.RemoteAddr = addr + ":40000"
			if len(header) == 2 {
				req.Header.Set(header[0], header[1])
			}
			srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	for _, a := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		ask("公积金", a)
	}
	ask("社会保险", "203.0.113.1")
	ask("社会保险", "203.0.113.2")
	// One client naming other addresses in a header nobody trusts counts once.
	for i := range 5 {
		ask("价格监测", "198.51.100.9", "X-Forwarded-For", "10.0.0."+string(rune('0'+i)))
	}
	ask("没有这个词语", "203.0.113.1")
	ask("没有这个词语", "203.0.113.2")
	if err := ix.FlushPopular(context.Background()); err != nil {
		t.Fatal(err)
	}
	all, err := st.PopularQueries(context.Background(), store.PopularFilter{Since: "2000-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range all {
		if q.Query == "价格监测" {
			found = q.Clients == 1 && q.Asks == 10
		}
	}
	if !found {
		t.Errorf("stored %+v: 价格监测 must be one client asking 10 times", all)
	}
	code, body := apiGet(t, srv, "/api/v1/search/popular?n=5")
	want := `{"queries":[{"q":"公积金","count":3,"url":"/api/v1/search?q=%E5%85%AC%E7%A7%AF%E9%87%91"},{"q":"社会保险","count":2,`
	if code != 200 || !strings.HasPrefix(body, want) || strings.Contains(body, "没有") || strings.Contains(body, "价格监测") {
		t.Errorf("popular: %d %s", code, body)
	}
	// A search that finds nothing offers them.
	_, body = apiGet(t, srv, "/api/v1/search?q="+url.QueryEscape("没有这个词语"))
	if !strings.Contains(body, `"popular":[{"q":"公积金"`) {
		t.Errorf("zero results without popular queries: %s", shortBody(body))
	}
}

func TestSearchWithoutIndex(t *testing.T) {
	srv := portal.New(portal.Deps{Store: storetest.SQLite(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if code, body := apiGet(t, srv, "/api/v1/search?q=x"); code != 503 || !strings.Contains(body, `"not_ready"`) {
		t.Errorf("%d %s", code, body)
	}
}

// Search answers are kept in the page cache under the index's version:
// asked again they come from memory with the same ETag (and 304 to a
// client holding them), and a publish shows the moment the index has
// applied it, with no wait for the cache.
func TestSearchAnswersKeptUntilTheIndexMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv, ix, m := apiSearchFixtureWith(t, st, config.Limits{PageCacheBytes: 8 << 20})
		hits := func() float64 {
			t.Helper()
			fams, err := m.Registry.Gather()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fams {
				if f.GetName() == "gongkai_page_cache_hits_total" {
					return f.GetMetric()[0].GetCounter().GetValue()
				}
			}
			t.Fatal("no gongkai_page_cache_hits_total")
			return 0
		}
		get := func(u string, header ...string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("GET", u, nil)
			if len(header) == 2 {
				req.Header.Set(header[0], header[1])
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			return rec
		}
		for _, u := range []string{"/search?q=" + url.QueryEscape("价格监测"), "/api/v1/search?q=" + url.QueryEscape("价格监测")} {
			first := get(u)
			etag := first.Header().Get("ETag")
			if first.Code != 200 || etag == "" || first.Header().Get("Cache-Control") != "public, no-cache" {
				t.Fatalf("%s: %d, ETag %q, Cache-Control %q", u, first.Code, etag, first.Header().Get("Cache-Control"))
			}
			before := hits()
			if again := get(u); again.Header().Get("ETag") != etag || again.Body.String() != first.Body.String() || hits() != before+1 {
				t.Errorf("%s asked again: ETag %q, was %q; page cache hits %v, were %v", u, again.Header().Get("ETag"), etag, hits(), before)
			}
			if nm := get(u, "If-None-Match", etag); nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
				t.Errorf("%s with its ETag: %d, %d bytes", u, nm.Code, nm.Body.Len())
			}
		}

		now := time.Now()
		e := catalog.Entry{ID: "g9", Unit: "fgw", Column: "tzgg", Title: "价格监测新规公布", BodyText: "价格监测。",
			Status: catalog.StatusPublished, PublishedAt: &now, Keywords: []string{}}
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: e.ID}}); err != nil {
			t.Fatal(err)
		}
		// The page cache sees the change log move before this index has
		// applied the change: what it renders now is what the index holds.
		for _, u := range []string{"/search?q=" + url.QueryEscape("价格监测"), "/api/v1/search?q=" + url.QueryEscape("价格监测")} {
			if rec := get(u); rec.Code != 200 || strings.Contains(rec.Body.String(), "新规公布") {
				t.Errorf("%s before the index applied the publish: %d, with the new entry", u, rec.Code)
			}
		}
		if _, err := ix.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"/search?q=" + url.QueryEscape("价格监测"), "/api/v1/search?q=" + url.QueryEscape("价格监测")} {
			if rec := get(u); rec.Code != 200 || !strings.Contains(rec.Body.String(), "新规公布") {
				t.Errorf("%s after the index applied a publish: %d, without the new entry: %s", u, rec.Code, shortBody(rec.Body.String()))
			}
		}
	})
}
