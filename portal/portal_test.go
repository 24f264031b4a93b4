package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// fixture is a store with two units and a handful of entries in every state.
func fixture(t *testing.T, st *store.Store) *portal.Server {
	t.Helper()
	ctx := context.Background()
	fs, err := files.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "gxq")
	sum, size, err := fs.Put(strings.NewReader("%PDF-1.4 test"))
	if err != nil {
		t.Fatal(err)
	}
	pub := func(s string) *time.Time { x, _ := catalog.ParseTime(s); return &x }
	mk := func(id, unit, col, status string) catalog.Entry {
		return catalog.Entry{ID: id, Unit: unit, Column: col, Title: "标题" + id, Status: status,
			PublishedAt: pub("2024-03-01T10:00:00+08:00"), BodyHTML: "<p>正文" + id + "</p>", Keywords: []string{}}
	}
	pol := mk("pol", "fgw", "zcwj", catalog.StatusPublished)
	pol.Attachments = []catalog.Attachment{{Name: "附件1：方案.pdf", SHA256: sum, Size: size, MediaType: "application/pdf"}}
	interp := mk("interp", "fgw", "zcjd", catalog.StatusPublished)
	interp.Related = []string{"pol"}
	ws := []store.EntryWrite{
		{Entry: pol, Hash: "1"}, {Entry: interp, Hash: "2"},
		{Entry: mk("gone", "gxq", "tzgg", catalog.StatusWithdrawn), Hash: "3"},
		{Entry: mk("draft", "gxq", "tzgg", catalog.StatusDraft), Hash: "4"},
		{Entry: mk("n1", "gxq", "tjsj", catalog.StatusPublished), Hash: "5"},
	}
	if _, err := st.SaveEntries(ctx, ws); err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	m.RegisterDBStats(st.Stats)
	return portal.New(portal.Deps{Store: st, Files: fs, Metrics: m, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func TestHandlers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := fixture(t, st)
		tests := []struct {
			name, method, url string
			status            int
			contains          []string
			notContains       []string
		}{
			{"health", "GET", "/healthz", 200, []string{`"ok"`}, nil},
			{"ready", "GET", "/readyz", 200, []string{`"ready"`}, nil},
			{"units", "GET", "/api/v1/units", 200, []string{`"code":"fgw"`, `"entry_count":2`, `"entry_count":1`, `"last_publish":"2024-03-01T10:00:00+08:00"`}, nil},
			{"unit tree", "GET", "/api/v1/units/fgw/columns", 200, []string{`"code":"zcwj"`, `"code":"gkml"`, `"name":"信息公开目录"`}, nil},
			{"unknown unit tree", "GET", "/api/v1/units/nope/columns", 404, []string{`"code":"not_found"`}, nil},
			{"malformed unit code", "GET", "/api/v1/units/%E4%B8%AD/columns", 404, []string{`"error"`}, nil},
			{"entry", "GET", "/api/v1/entries/pol", 200, []string{`"index_no":"FGW000000000000000/2024-00001"`, `"body_html":"<p>正文pol`, `"url":"/files/pol/1"`, `"id":"interp"`, `"publisher":"测试单位fgw"`}, nil},
			{"interpretation links back", "GET", "/api/v1/entries/interp", 200, []string{`"id":"pol"`}, nil},
			{"withdrawn entry says so", "GET", "/api/v1/entries/gone", 200, []string{`"status":"withdrawn"`, `"withdrawn":{"at":`}, []string{"正文gone"}},
			{"draft is hidden", "GET", "/api/v1/entries/draft", 404, []string{`"not_found"`}, []string{"标题draft"}},
			{"unknown entry", "GET", "/api/v1/entries/nope", 404, []string{`"not_found"`}, nil},
			{"bad entry id", "GET", "/api/v1/entries/a%20b", 404, []string{`"not_found"`}, nil},
			{"wrong method", "POST", "/api/v1/units", 405, []string{`"method_not_allowed"`}, nil},
			{"unknown path", "GET", "/no/such/path", 404, []string{`"not_found"`}, nil},
			{"attachment", "GET", "/files/pol/1", 200, []string{"%PDF-1.4 test"}, nil},
			{"attachment out of range", "GET", "/files/pol/2", 404, nil, nil},
			{"attachment of withdrawn", "GET", "/files/gone/1", 404, nil, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.url, nil))
				body := rec.Body.String()
				if rec.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, body)
				}
				for _, s := range tc.contains {
					if !strings.Contains(body, s) {
						t.Errorf("body lacks %q: %s", s, trim(body))
					}
				}
				for _, s := range tc.notContains {
					if strings.Contains(body, s) {
						t.Errorf("body has %q: %s", s, trim(body))
					}
				}
				if rec.Code >= 400 && !json.Valid(rec.Body.Bytes()) {
					t.Errorf("error is not JSON: %s", body)
				}
			})
		}
	})
}

func TestTreeCountsAddUp(t *testing.T) {
	srv := fixture(t, storetest.SQLite(t))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/units/gxq/columns", nil))
	var got struct {
		Columns []struct {
			Code       string `json:"code"`
			Parent     string `json:"parent"`
			EntryCount int    `json:"entry_count"`
		} `json:"columns"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Columns) != 22 {
		t.Fatalf("%d columns, want 22", len(got.Columns))
	}
	counts := map[string]int{}
	for _, c := range got.Columns {
		counts[c.Code] = c.EntryCount
	}
	// Only published entries count; the group sums its children.
	if counts["tjsj"] != 1 || counts["tzgg"] != 0 || counts["gkml"] != 1 {
		t.Errorf("counts = %v", counts)
	}
}

func TestAttachmentNameAndMetrics(t *testing.T) {
	srv := fixture(t, storetest.SQLite(t))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/files/pol/1", nil))
	cd := rec.Header().Get("Content-Disposition")
	if !strings.Contains(cd, "filename*=UTF-8''%E9%99%84%E4%BB%B61%EF%BC%9A%E6%96%B9%E6%A1%88.pdf") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/entries/some-random-id-123", nil))
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	m := string(b)
	for _, s := range []string{
		`gongkai_http_requests_total{code="200",method="GET",route="/files/{entry}/{n:[0-9]+}"} 1`,
		`route="/api/v1/entries/{id}"`,
		"go_goroutines", "process_resident_memory_bytes", "gongkai_db_connections_open",
	} {
		if !strings.Contains(m, s) {
			t.Errorf("metrics lack %q", s)
		}
	}
	if strings.Contains(m, "some-random-id-123") {
		t.Error("a raw path leaked into a metric label")
	}
}

func trim(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
