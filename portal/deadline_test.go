package portal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestRequestDeadlineByKind(t *testing.T) {
	tests := []struct {
		method, path, contentType string
		want                      time.Duration
	}{
		{"GET", "/", "", pageDeadline},
		{"GET", "/api/v1/search?q=社保", "", pageDeadline},
		{"GET", "/api/v1/entries/fgw-2018-0012", "", pageDeadline},
		{"GET", "/opendata/datasets/jtj-bus-stops", "", pageDeadline}, // the dataset's page
		{"GET", "/opendata/api/datasets", "", pageDeadline},
		{"GET", "/api/3/action/package_search", "", pageDeadline},
		{"POST", "/api/v1/console/entries", "application/json", pageDeadline},
		{"POST", "/api/v1/console/entries/x/approve", "", pageDeadline},
		{"GET", "/sitemaps/entries-1.xml", "", pageDeadline},
		{"GET", "/nowhere.csv", "", pageDeadline},
		{"GET", "/opendata/datasets/jtj-bus-stops.csv", "", downloadDeadline},
		{"HEAD", "/opendata/datasets/jtj-bus-stops.xlsx", "", downloadDeadline},
		{"GET", "/opendata/datasets/jtj-bus-stops.jsonl", "", downloadDeadline},
		{"GET", "/opendata/datasets/jtj-bus-stops.json?limit=10", "", downloadDeadline},
		{"GET", "/opendata/api/datasets/jtj-bus-stops/rows", "", downloadDeadline},
		{"GET", "/api/3/action/datastore_search", "", downloadDeadline},
		{"GET", "/api/action/datastore_search", "", downloadDeadline},
		{"GET", "/console/audit/export.csv", "", downloadDeadline},
		{"GET", "/files/fgw-2018-0012/1", "", downloadDeadline},
		{"GET", "/console/entries/fgw-2018-0012/files/2", "", downloadDeadline},
		{"POST", "/api/v1/console/files?name=a.pdf", "application/pdf", uploadDeadline},
		{"PUT", "/api/v1/console/datasets/jtj-bus-stops", "multipart/form-data; boundary=x", uploadDeadline},
		{"POST", "/console/entries/x", "multipart/form-data; boundary=x", uploadDeadline},
		{"POST", "/console/notices/3/self-exam", "multipart/form-data; boundary=x", uploadDeadline},
		{"POST", "/console/entries/x", "application/x-www-form-urlencoded", pageDeadline},
		{"GET", "/console/notices/3/document.docx", "", documentDeadline},
		{"GET", "/console/notices/3/print", "", documentDeadline},
		{"GET", "/console/annual/export.xlsx", "", documentDeadline},
		{"GET", "/api/v1/console/bulletins/2026Q1/bulletin.docx", "", documentDeadline},
		{"POST", "/console/supervision/run", "application/x-www-form-urlencoded", documentDeadline},
		{"POST", "/console/spotchecks/draw", "application/x-www-form-urlencoded", documentDeadline},
		{"POST", "/opendata/datasets/jtj-bus-stops.csv", "", pageDeadline}, // not a download
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			if got := requestDeadline(r); got != tc.want {
				t.Fatalf("deadline %v, want %v", got, tc.want)
			}
		})
	}
}

// The deadline is on every request's context, through the whole server
// (matched routes and unmatched paths alike).
func TestEveryRequestHasADeadline(t *testing.T) {
	s := &Server{Deps: Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	for _, path := range []string{"/", "/opendata/datasets/x.csv", "/no/such/page"} {
		t.Run(path, func(t *testing.T) {
			var dl time.Time
			var ok bool
			h := s.withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				dl, ok = r.Context().Deadline()
			}))
			r := httptest.NewRequest(http.MethodGet, path, nil)
			want := requestDeadline(r)
			before := time.Now()
			h.ServeHTTP(httptest.NewRecorder(), r)
			after := time.Now()
			if !ok {
				t.Fatal("the request's context has no deadline")
			}
			if dl.Before(before.Add(want)) || dl.After(after.Add(want)) {
				t.Fatalf("deadline %v from now, want %v", dl.Sub(before), want)
			}
		})
	}
	// A caller's sooner deadline is kept.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	outer, _ := ctx.Deadline()
	h := s.withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dl, _ := r.Context().Deadline(); !dl.Equal(outer) {
			t.Errorf("deadline %v, want the caller's %v", dl, outer)
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil))
}

// A request whose deadline passes while its SQL runs has the statement
// cancelled: the store call returns context.DeadlineExceeded on both
// databases (lib/pq reports the server's "canceling statement" error,
// which the store names as the deadline), a write's transaction is
// rolled back, and the client gets a 503 timeout in the API's JSON shape,
// not a 500.
func TestExpiredRequestCancelsItsSQL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		// A statement that runs far longer than the test's deadline.
		slow := "SELECT pg_sleep(30)"
		if st.Dialect() == store.SQLite {
			slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000000) SELECT count(*) FROM c"
		}
		s := &Server{Deps: Deps{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
		ctx := context.Background()
		headBefore, _, err := st.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		record := func(what string) audit.Record {
			return audit.Record{At: time.Now(), Actor: audit.Actor{Login: "deadline-test"}, Action: "test." + what, ObjectKind: "setting", ObjectID: what, Outcome: "ok"}
		}
		tests := []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"a long statement", func(ctx context.Context) error { return st.ExecRawForTest(ctx, slow) }},
			{"a read after the deadline", func(ctx context.Context) error {
				<-ctx.Done()
				_, err := st.Units(ctx)
				return err
			}},
			{"a transaction cut in the middle", func(ctx context.Context) error {
				return st.WithTx(ctx, func(tx *store.Tx) error {
					if _, err := tx.AppendAudit(ctx, record("first")); err != nil {
						return err
					}
					<-ctx.Done()
					_, err := tx.AppendAudit(ctx, record("second"))
					return err
				})
			}},
			{"a write after the deadline", func(ctx context.Context) error {
				<-ctx.Done()
				_, err := st.AppendAudit(ctx, record("late"))
				return err
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var got error
				h := s.withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if got = tc.call(r.Context()); got != nil {
						s.fail(w, r, got)
					}
				}))
				// The caller's deadline is sooner than the page deadline,
				// so that the test need not wait 10 s.
				reqCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, httptest.NewRequestWithContext(reqCtx, http.MethodGet, "/api/v1/units", nil))
				if !errors.Is(got, context.DeadlineExceeded) {
					t.Fatalf("store error %v, want context.DeadlineExceeded", got)
				}
				// Not a timing assertion: an uncancelled statement would
				// have run for 30 s or more.
				if d := time.Since(start); d > 20*time.Second {
					t.Fatalf("the statement ran for %v after its deadline", d)
				}
				if rec.Code != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503: %s", rec.Code, rec.Body)
				}
				var body struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != "timeout" || strings.Contains(rec.Body.String(), "goroutine") {
					t.Fatalf("body %s (%v), want a JSON timeout error", rec.Body, err)
				}
			})
		}
		// Nothing of the cut transaction nor of the late write was kept.
		headAfter, _, err := st.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if headAfter != headBefore {
			t.Fatalf("audit head moved from %d to %d: a cancelled write was kept", headBefore, headAfter)
		}
		// The store still answers once the deadlines are past.
		if _, err := st.Units(ctx); err != nil {
			t.Fatalf("store after the cancellations: %v", err)
		}
	})
}
