package portal_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// cachedSite is a store with a published entry (with an attachment) and
// a server with the page cache and the given limits.
func cachedSite(t *testing.T, st *store.Store, lim config.Limits) *portal.Server {
	t.Helper()
	ctx := context.Background()
	fs, err := files.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Unit(t, st, "fgw")
	sum, size, err := fs.Put(strings.NewReader("%PDF-1.4 test"))
	if err != nil {
		t.Fatal(err)
	}
	at, _ := catalog.ParseTime("2024-03-01T10:00:00+08:00")
	e := catalog.Entry{ID: "pol", Unit: "fgw", Column: "zcwj", Title: "标题pol", Status: catalog.StatusPublished,
		PublishedAt: &at, BodyHTML: "<p>正文pol</p>", Keywords: []string{},
		Attachments: []catalog.Attachment{{Name: "附件.pdf", SHA256: sum, Size: size, MediaType: "application/pdf"}}}
	if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	if lim.PageCacheBytes == 0 {
		lim.PageCacheBytes = 8 << 20
	}
	return portal.New(portal.Deps{Store: st, Files: fs, Metrics: metrics.New(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: lim})
}

func do(srv http.Handler, method, url string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func TestCacheHeadersAndRevalidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := cachedSite(t, st, config.Limits{})
		cases := []struct {
			name, url    string
			status       int
			cacheControl string
			validators   bool // ETag and Last-Modified, and 304 on both
		}{
			{"home", "/", 200, "public, max-age=60, stale-while-revalidate=30", true},
			{"units", "/units", 200, "public, max-age=60, stale-while-revalidate=30", true},
			{"unit", "/units/fgw", 200, "public, max-age=60, stale-while-revalidate=30", true},
			{"column", "/units/fgw/columns/zcwj", 200, "public, max-age=60, stale-while-revalidate=30", true},
			{"units API", "/api/v1/units", 200, "public, max-age=60, stale-while-revalidate=30", true},
			{"entry page", "/entries/pol", 200, "public, max-age=60, must-revalidate", true},
			{"entry API", "/api/v1/entries/pol", 200, "public, max-age=60, must-revalidate", true},
			{"search page without an index, not kept", "/search?q=x", 200, "public, no-cache", false},
			{"dataset list", "/opendata/", 200, "public, max-age=60, stale-while-revalidate=30", true},
			{"attachment", "/files/pol/1", 200, "public, max-age=60, must-revalidate", false},
			{"console login", "/console/login", 200, "no-store", false},
			{"display toggle sets a cookie", "/display?mode=large&back=/", 303, "no-store", false},
			{"unknown entry is not kept", "/entries/nope", 404, "no-cache", false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				first := do(srv, "GET", c.url, "Accept", "text/html")
				if first.Code != c.status {
					t.Fatalf("status %d, want %d", first.Code, c.status)
				}
				// "no-store" stands for any value that forbids keeping the answer.
				if got := first.Header().Get("Cache-Control"); got != c.cacheControl && (c.cacheControl != "no-store" || !strings.Contains(got, "no-store")) {
					t.Errorf("Cache-Control %q, want %q", got, c.cacheControl)
				}
				etag, mod := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
				if !c.validators {
					return
				}
				if !strings.HasPrefix(etag, `"`) || len(etag) < 10 || mod == "" {
					t.Fatalf("validators: ETag %q, Last-Modified %q", etag, mod)
				}
				again := do(srv, "GET", c.url, "Accept", "text/html")
				if again.Header().Get("ETag") != etag || again.Body.String() != first.Body.String() {
					t.Errorf("second answer differs: ETag %q, was %q", again.Header().Get("ETag"), etag)
				}
				for _, h := range [][2]string{{"If-None-Match", etag}, {"If-None-Match", `"other", W/` + etag}, {"If-Modified-Since", mod}} {
					nm := do(srv, "GET", c.url, "Accept", "text/html", h[0], h[1])
					if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get("ETag") != etag {
						t.Errorf("%s: %d, %d bytes, ETag %q", h[0], nm.Code, nm.Body.Len(), nm.Header().Get("ETag"))
					}
				}
				if stale := do(srv, "GET", c.url, "If-None-Match", `"stale"`); stale.Code != 200 || stale.Body.Len() == 0 {
					t.Errorf("a stale ETag got %d with %d bytes", stale.Code, stale.Body.Len())
				}
				head := do(srv, "HEAD", c.url, "Accept", "text/html")
				if !strings.HasPrefix(c.url, "/api/") && (head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("ETag") != etag) {
					t.Errorf("HEAD: %d, %d bytes, ETag %q", head.Code, head.Body.Len(), head.Header().Get("ETag"))
				}
			})
		}
	})
}

func TestDisplayModeIsItsOwnCopy(t *testing.T) {
	srv := cachedSite(t, storetest.SQLite(t), config.Limits{})
	plain := do(srv, "GET", "/")
	large := do(srv, "GET", "/", "Cookie", "gk_display=large")
	if plain.Header().Get("ETag") == large.Header().Get("ETag") || plain.Body.String() == large.Body.String() {
		t.Error("the large-text page was served the plain page's bytes")
	}
	if again := do(srv, "GET", "/"); again.Body.String() != plain.Body.String() {
		t.Error("the plain page changed after a large-text reader")
	}
}

// A withdrawal through the back office takes the entry's cached page
// down at once, even though the change log is otherwise re-read only
// every hour here.
func TestWithdrawalReplacesCachedPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := cachedSite(t, st, config.Limits{CacheRecheck: time.Hour})
		ctx := context.Background()
		first := do(srv, "GET", "/entries/pol")
		if first.Code != 200 || !strings.Contains(first.Body.String(), "正文pol") {
			t.Fatalf("entry page: %d", first.Code)
		}
		units := do(srv, "GET", "/api/v1/units")
		if !strings.Contains(units.Body.String(), `"entry_count":1`) {
			t.Fatalf("units: %s", units.Body.String())
		}
		// A change the process does not see yet (another replica's) leaves
		// the cached page in place until the next look at the change log.
		at, _ := catalog.ParseTime("2024-03-02T10:00:00+08:00")
		other := catalog.Entry{ID: "n2", Unit: "fgw", Column: "zcwj", Title: "另一条", Status: catalog.StatusPublished,
			PublishedAt: &at, BodyHTML: "<p>x</p>", Keywords: []string{}}
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: other, Hash: "2"}}); err != nil {
			t.Fatal(err)
		}
		if got := do(srv, "GET", "/api/v1/units"); got.Body.String() != units.Body.String() {
			t.Fatal("the page was not served from the cache")
		}

		secret, _, err := auth.IssueToken(ctx, st, "reviewer", "", "测试")
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/api/v1/console/entries/pol/withdraw", strings.NewReader(`{"reason":"内容已过时"}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("withdraw: %d %s", rec.Code, rec.Body.String())
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("console API Cache-Control %q", cc)
		}
		after := do(srv, "GET", "/entries/pol")
		body := after.Body.String()
		if after.Code != 200 || strings.Contains(body, "正文pol") || !strings.Contains(body, "内容已过时") {
			t.Errorf("after the withdrawal the page still shows the body, or not the notice (%d)", after.Code)
		}
		if after.Header().Get("ETag") == first.Header().Get("ETag") {
			t.Error("ETag unchanged after the withdrawal")
		}
		if nm := do(srv, "GET", "/entries/pol", "If-None-Match", first.Header().Get("ETag")); nm.Code != 200 {
			t.Errorf("the old ETag still gets %d", nm.Code)
		}
		if f := do(srv, "GET", "/files/pol/1"); f.Code != 404 {
			t.Errorf("withdrawn attachment: %d", f.Code)
		}
		// The counts follow too: both the withdrawal and the other replica's entry.
		if got := do(srv, "GET", "/api/v1/units").Body.String(); !strings.Contains(got, `"entry_count":1`) || got == units.Body.String() {
			t.Errorf("units after the change: %s", got)
		}
	})
}

// With a re-read on every request, a change written by another process
// shows on the next request.
func TestChangeFromElsewhereWithoutRecheckInterval(t *testing.T) {
	st := storetest.SQLite(t)
	srv := cachedSite(t, st, config.Limits{})
	before := do(srv, "GET", "/units/fgw/columns/zcwj")
	at, _ := catalog.ParseTime("2024-03-02T10:00:00+08:00")
	e := catalog.Entry{ID: "n2", Unit: "fgw", Column: "zcwj", Title: "新发布的通知", Status: catalog.StatusPublished,
		PublishedAt: &at, BodyHTML: "<p>x</p>", Keywords: []string{}}
	if _, err := st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: "2"}}); err != nil {
		t.Fatal(err)
	}
	after := do(srv, "GET", "/units/fgw/columns/zcwj")
	if !strings.Contains(after.Body.String(), "新发布的通知") || after.Header().Get("ETag") == before.Header().Get("ETag") {
		t.Error("the column page did not follow the change")
	}
}
