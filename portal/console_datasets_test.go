package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// busMeta is the metadata part of a publish of dataset id for unit.
func busMeta(id, unit string) map[string]any {
	return map[string]any{"id": id, "unit": unit, "title": "公交站点", "description": "全市公交站点", "domain": "道路交通",
		"update_frequency": "每月", "open_type": "无条件开放", "license": "署名", "keywords": []string{"公交"},
		"published_at": "2024-03-01",
		"fields": []map[string]string{
			{"name": "stop_id", "title": "站点编号", "type": "string"},
			{"name": "name", "title": "站点名称", "type": "string"},
			{"name": "lines", "title": "线路数", "type": "integer"},
		}}
}

const (
	busCSV     = "stop_id,name,lines\r\n001,人民广场,3\r\n002,火车站,5\r\n"
	busCSVv2   = "\xef\xbb\xbfname,stop_id,lines\n人民广场,001,4\n火车站,002,5\n新汽车站,003,2\n"
	busCSVBad  = "stop_id,name,lines\n001,人民广场,3\n002,火车站,五\n003,\"新\n汽车站\",2\n004,北城,x\n"
	busCSVHead = "stop_id,title,lines\n001,人民广场,3\n"
)

// publishBody builds a multipart body; a nil meta or an empty csv leaves
// that part out.
func publishBody(t *testing.T, meta map[string]any, csv string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if meta != nil {
		b, _ := json.Marshal(meta)
		if err := mw.WriteField("metadata", string(b)); err != nil {
			t.Fatal(err)
		}
	}
	if csv != "" {
		fw, err := mw.CreateFormFile("csv", "站点.csv")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, csv)
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

func TestConsolePublishDataset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		storetest.Unit(t, st, "fgw")
		fs, err := files.New(filepath.Join(t.TempDir(), "files"))
		if err != nil {
			t.Fatal(err)
		}
		srv := portal.New(portal.Deps{Store: st, Files: fs, Metrics: metrics.New(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		token := func(role, unit string) string {
			secret, _, err := auth.IssueToken(ctx, st, role, unit, "测试")
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		admin, jtj, fgw := token("admin", ""), token("editor", "jtj"), token("approver", "fgw")
		reviewer, auditor := token("reviewer", ""), token("auditor", "")
		revoked := token("editor", "jtj")
		toks, _ := st.Tokens(ctx)
		if _, err := st.RevokeToken(ctx, toks[len(toks)-1].ID); err != nil {
			t.Fatal(err)
		}
		unknown, _, _ := auth.NewSecret()
		seq, _, _ := st.LastChange(ctx)

		withUnit := func(id, unit string, edit func(m map[string]any)) map[string]any {
			m := busMeta(id, unit)
			if edit != nil {
				edit(m)
			}
			return m
		}
		// Steps run in order: each builds on the state the one before left.
		steps := []struct {
			name        string
			auth        string // the Authorization header
			id          string
			contentType string // overrides the multipart type
			meta        map[string]any
			csv         string
			status      int
			contains    []string
			challenge   bool // expects WWW-Authenticate
		}{
			{"no token", "", "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 401, []string{`"code":"unauthorized"`}, true},
			{"not a bearer token", "Basic " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 401, []string{`"unauthorized"`}, true},
			{"bad token", "Bearer gk_nonsense", "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 401, []string{`"unauthorized"`, "无效"}, true},
			{"unknown token", "Bearer " + unknown, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 401, []string{`"unauthorized"`}, true},
			{"revoked token", "Bearer " + revoked, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 401, []string{`"unauthorized"`}, true},
			{"reviewer", "Bearer " + reviewer, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 403, []string{`"code":"forbidden"`}, false},
			{"auditor", "Bearer " + auditor, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 403, []string{`"forbidden"`}, false},
			{"other unit's new dataset", "bearer " + fgw, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 403, []string{`"forbidden"`}, false},
			{"editor publishes a new dataset", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 201,
				[]string{`"dataset":"jtj-bus"`, `"result":"added"`, `"version":1`, `"rows":2`}, false},
			{"other unit's existing dataset", "Bearer " + fgw, "jtj-bus", "", busMeta("jtj-bus", "fgw"), busCSV, 403, []string{`"forbidden"`}, false},
			{"moving to another unit", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "fgw"), busCSV, 403, []string{`"forbidden"`}, false},
			{"same content again", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSV, 200,
				[]string{`"result":"unchanged"`, `"version":1`, `"rows":2`}, false},
			{"new rows, columns in another order, BOM", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSVv2, 200,
				[]string{`"result":"updated"`, `"version":2`, `"rows":3`}, false},
			{"bad rows", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSVBad, 422,
				[]string{`"code":"bad_rows"`, `"bad_row_count":2`, `{"row":2,"line":3,"field":"lines","value":"五","reason":"not an integer"}`,
					`{"row":4,"line":6,"field":"lines","value":"x"`}, false},
			{"header does not match the fields", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSVHead, 400,
				[]string{`"code":"invalid"`, `"field":"csv"`, "title"}, false},
			{"bad metadata names its fields", "Bearer " + jtj, "jtj-bus", "", withUnit("jtj-bus", "jtj", func(m map[string]any) {
				delete(m, "title")
				m["domain"] = "天气"
				m["fields"] = []map[string]string{{"name": "stop id", "type": "text"}}
			}), busCSV, 400, []string{`"field":"title"`, `"field":"domain"`, `"field":"fields[0].name"`, `"field":"fields[0].type"`}, false},
			{"id differs from the URL", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-other", "jtj"), busCSV, 400, []string{`"field":"id"`}, false},
			{"no csv", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), "", 400, []string{`"field":"csv"`}, false},
			{"no metadata", "Bearer " + jtj, "jtj-bus", "", nil, busCSV, 400, []string{`"field":"metadata"`}, false},
			{"JSON body", "Bearer " + jtj, "jtj-bus", "application/json", nil, "", 415, []string{`"unsupported_media_type"`}, false},
			{"bad id", "Bearer " + jtj, "a%20b", "", busMeta("a b", "jtj"), busCSV, 400, []string{`"field":"id"`}, false},
			{"only the metadata changed", "Bearer " + jtj, "jtj-bus", "", withUnit("jtj-bus", "jtj", func(m map[string]any) { m["title"] = "公交站点（新）" }), busCSVv2, 200,
				[]string{`"result":"updated"`, `"version":2`}, false},
			{"admin moves it to another unit", "Bearer " + admin, "jtj-bus", "", busMeta("jtj-bus", "fgw"), busCSVv2, 200,
				[]string{`"result":"updated"`}, false},
			{"the old unit's editor no longer may", "Bearer " + jtj, "jtj-bus", "", busMeta("jtj-bus", "jtj"), busCSVv2, 403, []string{`"forbidden"`}, false},
			{"unknown unit", "Bearer " + admin, "x-new", "", busMeta("x-new", "nope"), busCSV, 400, []string{`"field":"unit"`}, false},
		}
		for _, s := range steps {
			ok := t.Run(s.name, func(t *testing.T) {
				ct, body := publishBody(t, s.meta, s.csv)
				if s.contentType != "" {
					ct, body = s.contentType, bytes.NewBufferString(`{}`)
				}
				req := httptest.NewRequest(http.MethodPut, "/api/v1/console/datasets/"+s.id, body)
				req.Header.Set("Content-Type", ct)
				if s.auth != "" {
					req.Header.Set("Authorization", s.auth)
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				got := rec.Body.String()
				if rec.Code != s.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, s.status, got)
				}
				if !json.Valid(rec.Body.Bytes()) {
					t.Errorf("not JSON: %s", got)
				}
				for _, c := range s.contains {
					if !strings.Contains(got, c) {
						t.Errorf("body lacks %s: %s", c, got)
					}
				}
				if wa := rec.Header().Get("WWW-Authenticate"); s.challenge != strings.HasPrefix(wa, "Bearer") {
					t.Errorf("WWW-Authenticate %q", wa)
				}
				if rec.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
				}
			})
			if !ok {
				t.FailNow() // later steps depend on this one
			}
			// What the public sees after the steps that decide it.
			switch s.name {
			case "editor publishes a new dataset":
				wantCSV(t, srv, "jtj-bus", "stop_id,name,lines\r\n001,人民广场,3\r\n002,火车站,5\r\n")
			case "new rows, columns in another order, BOM", "bad rows":
				wantCSV(t, srv, "jtj-bus", "stop_id,name,lines\r\n001,人民广场,4\r\n002,火车站,5\r\n003,新汽车站,2\r\n")
			}
		}

		t.Run("rejected rows are counted", func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			if !regexp.MustCompile(`(?m)^gongkai_opendata_import_rejected_rows_total [1-9]`).MatchString(rec.Body.String()) {
				t.Errorf("no rejected rows in /metrics:\n%s", grepLines(rec.Body.String(), "rejected"))
			}
		})

		t.Run("the change log has the publishes", func(t *testing.T) {
			changes, err := st.ChangesAfter(ctx, seq, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, c := range changes {
				if c.Kind == store.ChangeDataset && c.Ref == "jtj-bus" {
					n++
				}
			}
			// added, new rows, new title, new unit; nothing for the unchanged
			// or refused ones.
			if n != 4 {
				t.Errorf("%d dataset changes for jtj-bus, want 4: %+v", n, changes)
			}
		})
		t.Run("the audit log has the publishes and the refusals", func(t *testing.T) {
			pubs, total, err := st.AuditRecords(ctx, store.AuditQuery{Action: "dataset.publish"})
			if err != nil {
				t.Fatal(err)
			}
			// added, unchanged, new rows, new title, new unit: newest first.
			wantPubs := []struct{ role, unit, summary string }{
				{"admin", "fgw", "单位 jtj → fgw"},
				{"editor", "jtj", "更新：第 2 版，3 行"},
				{"editor", "jtj", "更新：第 2 版，3 行"},
				{"editor", "jtj", "无变化：第 1 版，2 行"},
				{"editor", "jtj", "新增：第 1 版，2 行"},
			}
			if total != len(wantPubs) || len(pubs) != len(wantPubs) {
				t.Fatalf("%d publish records (%d in all), want %d: %+v", len(pubs), total, len(wantPubs), pubs)
			}
			for i, w := range wantPubs {
				r := pubs[i]
				if r.Actor.Role != w.role || r.Actor.TokenID == 0 || r.Actor.IP != "192.0.2.1" || r.ObjectKind != "dataset" || r.ObjectID != "jtj-bus" ||
					r.ObjectUnit != w.unit || r.Outcome != audit.OutcomeOK || !strings.Contains(r.Summary, w.summary) {
					t.Errorf("publish record %d: %+v, want %+v", i, r, w)
				}
			}
			refused, total, err := st.AuditRecords(ctx, store.AuditQuery{Action: "auth.", Outcome: audit.OutcomeRefused})
			if err != nil {
				t.Fatal(err)
			}
			// reviewer, auditor, the fgw approver twice, the move, the old
			// unit's editor; the 401s have no one to record.
			if total != 6 {
				t.Errorf("%d refusals recorded, want 6: %+v", total, refused)
			}
			for _, r := range refused {
				if r.Action != "auth.refused" || r.ObjectID != "jtj-bus" || r.Actor.IP != "192.0.2.1" ||
					!strings.HasPrefix(r.Summary, "PUT /api/v1/console/datasets/{id}：") {
					t.Errorf("refusal %+v", r)
				}
			}
			if len(refused) == 6 && (refused[5].Actor.Role != "reviewer" || refused[0].Actor.Unit != "jtj" || refused[0].ObjectUnit != "fgw") {
				t.Errorf("first refusal by %+v, last by %+v", refused[5].Actor, refused[0].Actor)
			}
			// Refusals by fgw's approver, and of requests on fgw's datasets.
			if _, n, err := st.AuditRecords(ctx, store.AuditQuery{Action: "auth.refused", Unit: "fgw"}); err != nil || n != 4 {
				t.Errorf("%d refusals about fgw, want 4 (%v)", n, err)
			}
			if res, err := st.VerifyAudit(ctx); err != nil || !res.OK() || res.Count != 11 {
				t.Errorf("VerifyAudit = %+v, %v", res, err)
			}
		})
		t.Run("token use is recorded", func(t *testing.T) {
			toks, _ := st.Tokens(ctx)
			// Every live token made a request that got past authentication;
			// the revoked one never did.
			for _, tok := range toks {
				if used := tok.LastUsedAt != nil; used == tok.Revoked() {
					t.Errorf("token %d (%s, revoked %v): last used %v", tok.ID, tok.Role, tok.Revoked(), tok.LastUsedAt)
				}
			}
		})
	})
}

// wantCSV checks the public download of a dataset.
func wantCSV(t *testing.T, srv http.Handler, id, want string) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/opendata/datasets/"+id+".csv", nil))
	if rec.Code != 200 || rec.Body.String() != want {
		t.Errorf("%s.csv: %d\n%q\nwant\n%q", id, rec.Code, rec.Body.String(), want)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
