package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// newODServer serves the portal over a real loopback connection.
func newODServer(t *testing.T, st *store.Store) *httptest.Server {
	t.Helper()
	fs, err := files.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	// Absolute links come from the configured base URL: the server's own.
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = portal.New(portal.Deps{Store: st, Files: fs, Metrics: metrics.New(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Site: config.Site{BaseURL: "http://" + srv.Listener.Addr().String()}})
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// odFields has a field named like a reserved parameter (limit), which
// filters as f.limit.
var odFields = []catalog.Field{
	{Name: "code", Title: "编号", Type: catalog.TypeString},
	{Name: "n", Title: "整数", Type: catalog.TypeInteger},
	{Name: "amount", Title: "金额", Type: catalog.TypeNumber},
	{Name: "day", Title: "日期", Type: catalog.TypeDate},
	{Name: "ok", Title: "是否", Type: catalog.TypeBoolean},
	{Name: "limit", Title: "限额档", Type: catalog.TypeString},
}

const odRows = 2345

func odDataset(id, unit, domain, freq, open string) catalog.Dataset {
	pub := time.Date(2024, 3, 1, 0, 0, 0, 0, catalog.Shanghai)
	return catalog.Dataset{ID: id, Unit: unit, Title: "数据集 " + id, Description: "用于测试的数据集，含公交站点", Domain: domain,
		UpdateFrequency: freq, OpenType: open, License: "署名", Keywords: []string{"测试", "公交"}, PublishedAt: &pub,
		Fields: append([]catalog.Field(nil), odFields...)}
}

// odRowsOf makes n rows; variant marks the version they belong to.
func odRowsOf(t testing.TB, n int, variant string) [][]catalog.Value {
	rows := make([][]catalog.Value, n)
	for i := range rows {
		raw := []string{fmt.Sprintf("%s-%05d", variant, i+1), fmt.Sprint(i % 10), fmt.Sprintf("%d.%02d", i, i%100), "2024-02-29",
			[]string{"true", "false"}[i%2], fmt.Sprintf("L%d", i%3)}
		row := make([]catalog.Value, len(raw))
		for k, r := range raw {
			v, err := odFields[k].Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			row[k] = v
		}
		rows[i] = row
	}
	return rows
}

// odFixture stores three datasets over two units: "ds" (2,345 rows) and
// two small ones.
func odFixture(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	storetest.Unit(t, st, "jtj")
	storetest.Unit(t, st, "hbj")
	for _, d := range []struct {
		meta catalog.Dataset
		rows int
	}{
		{odDataset("ds", "jtj", "道路交通", "每月", "无条件开放"), odRows},
		{odDataset("air", "hbj", "环境环保", "实时", "无条件开放"), 30},
		{odDataset("permits", "hbj", "资格资质", "每季度", "有条件开放"), 12},
	} {
		if _, _, err := st.SaveDatasetVersion(ctx, d.meta, store.RowsOf(odRowsOf(t, d.rows, "v1"))); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenDataHandlers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		odFixture(t, st)
		srv := newODServer(t, st)
		tests := []struct {
			name, url string
			header    []string
			status    int
			contains  []string
			absent    []string
		}{
			{"catalog", "/opendata/api/datasets", nil, 200, []string{`"total":3`, `"facets":{`, `"value":"hbj","label":"测试单位hbj","count":2`, `"downloads":{"csv":"/opendata/datasets/ds.csv"`}, nil},
			{"catalog search", "/opendata/api/datasets?q=公交&domain=道路交通&domain=环境环保", nil, 200, []string{`"total":2`, `"id":"ds"`, `"id":"air"`}, []string{`"id":"permits"`}},
			{"catalog facet counts ignore own selection", "/opendata/api/datasets?domain=道路交通", nil, 200, []string{`"total":1`, `{"value":"环境环保","label":"环境环保","count":1,"selected":false}`, `{"value":"道路交通","label":"道路交通","count":1,"selected":true}`}, nil},
			{"catalog bad size", "/opendata/api/datasets?size=0", nil, 400, []string{`"field":"size"`}, nil},
			{"dataset", "/opendata/api/datasets/ds", nil, 200, []string{`"record_count":2345`, `"name":"limit"`, `"versions":[{"version":1`, `"download_sizes":{"csv":`, `"estimated":true`, `"csv_bom":"/opendata/datasets/ds.csv?bom=1"`}, nil},
			{"dataset unknown", "/opendata/api/datasets/nope", nil, 404, []string{`"not_found"`}, nil},
			{"filter OR within a field", "/opendata/datasets/ds.csv?n=3&n=4&fields=code", nil, 200, []string{"code\r\nv1-00004\r\nv1-00005\r\nv1-00014\r\n"}, []string{"v1-00006"}},
			{"reserved name as f.", "/opendata/datasets/ds.json?f.limit=L2&n=2&limit=2", nil, 200, []string{`"code":"v1-00003"`, `"code":"v1-00033"`}, []string{`"code":"v1-00013"`}},
			{"unknown field named", "/opendata/datasets/ds.csv?nope=1&code=x", nil, 400, []string{`"field":"nope"`, "reserved: limit, offset, fields, after, bom"}, nil},
			{"malformed value named", "/opendata/datasets/ds.csv?n=x", nil, 400, []string{`"field":"n"`, "not an integer"}, nil},
			{"malformed limit", "/opendata/datasets/ds.csv?limit=abc", nil, 400, []string{`"field":"limit"`}, nil},
			{"unknown column", "/opendata/datasets/ds.json?fields=code,nope", nil, 400, []string{`"field":"fields"`, "nope"}, nil},
			{"bad cursor", "/opendata/datasets/ds.json?after=zzz", nil, 400, []string{`"field":"after"`}, nil},
			{"unknown dataset", "/opendata/datasets/nope.csv", nil, 404, []string{`"not_found"`}, nil},
			{"unknown format", "/opendata/datasets/ds.txt", nil, 404, nil, nil},
			{"limit and offset", "/opendata/datasets/ds.csv?fields=code&limit=2&offset=10", nil, 200, []string{"code\r\nv1-00011\r\nv1-00012\r\n"}, []string{"v1-00013"}},
			{"jsonl", "/opendata/datasets/ds.jsonl?limit=2&fields=code,amount,ok", nil, 200, []string{"{\"code\":\"v1-00001\",\"amount\":0.00,\"ok\":true}\n{\"code\":\"v1-00002\",\"amount\":1.01,\"ok\":false}\n"}, nil},
			{"rows page", "/opendata/api/datasets/ds/rows?limit=2&n=5", nil, 200, []string{`"total":234`, `"next":"http://`, `"rows":[{"code":"v1-00006"`}, nil},
			{"rows page too big", "/opendata/api/datasets/ds/rows?limit=10001", nil, 400, []string{`"field":"limit"`}, nil},
			{"dcat", "/opendata/catalog.jsonld", nil, 200, []string{`"@type":"dcat:Catalog"`, "frequency/MONTHLY", "frequency/UPDATE_CONT", "access-right/RESTRICTED"}, nil},
			{"list page", "/opendata/", []string{"Accept", "text/html"}, 200, []string{"<h1>数据开放</h1>", "数据集 ds", "共 3 个数据集", `href="/opendata/?domain=`}, nil},
			{"list page facet", "/opendata/?unit=hbj&domain=资格资质", []string{"Accept", "text/html"}, 200, []string{"共 1 个数据集", "数据集 permits", "已选："}, []string{"数据集 air"}},
			{"dataset page", "/opendata/datasets/ds", []string{"Accept", "text/html"}, 200, []string{"<h1>数据集 ds</h1>", `<script type="application/ld+json">{"@context":"https://schema.org"`, "字段说明", "数据预览", "v1-00010", "约 ", "datastore_search?resource_id=ds", "第 1 版"}, []string{"v1-00011"}},
			{"dataset page unknown", "/opendata/datasets/nope", []string{"Accept", "text/html"}, 404, []string{"页面不存在"}, nil},
			{"list redirect", "/opendata", nil, 301, nil, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.url, nil)
				for i := 0; i+1 < len(tc.header); i += 2 {
					req.Header.Set(tc.header[i], tc.header[i+1])
				}
				client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				body := string(b)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tc.status, body)
				}
				for _, s := range tc.contains {
					if !strings.Contains(body, s) {
						t.Errorf("body lacks %q: %.400s", s, body)
					}
				}
				for _, s := range tc.absent {
					if strings.Contains(body, s) {
						t.Errorf("body has %q", s)
					}
				}
			})
		}

		t.Run("conditional requests", func(t *testing.T) {
			resp, _ := fetch(t, srv.URL+"/opendata/datasets/ds.csv?n=1")
			etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if !strings.HasPrefix(etag, `W/"ds-v1-`) || lm == "" {
				t.Fatalf("ETag %q, Last-Modified %q", etag, lm)
			}
			if r, _ := fetch(t, srv.URL+"/opendata/datasets/ds.csv?n=1", "If-None-Match", etag); r.StatusCode != 304 {
				t.Errorf("If-None-Match: %d", r.StatusCode)
			}
			if r, _ := fetch(t, srv.URL+"/opendata/datasets/ds.csv?n=1", "If-Modified-Since", lm); r.StatusCode != 304 {
				t.Errorf("If-Modified-Since: %d", r.StatusCode)
			}
			if r, _ := fetch(t, srv.URL+"/opendata/datasets/ds.csv?n=2", "If-None-Match", etag); r.StatusCode != 200 {
				t.Errorf("another query, same ETag: %d", r.StatusCode)
			}
		})

		t.Run("head", func(t *testing.T) {
			resp, err := http.Head(srv.URL + "/opendata/datasets/ds.xlsx")
			if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("%v %+v", err, resp)
			}
		})

		t.Run("metrics", func(t *testing.T) {
			fetch(t, srv.URL+"/opendata/datasets/air.csv")
			_, body := fetch(t, srv.URL+"/metrics")
			for _, s := range []string{`gongkai_opendata_downloads_total{dataset="air",format="csv"}`, `gongkai_opendata_served_bytes_total{format="csv"}`, `gongkai_opendata_export_duration_seconds_bucket{format="csv"`} {
				if !strings.Contains(string(body), s) {
					t.Errorf("metrics lack %s", s)
				}
			}
		})
	})
}

var linkNext = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

// TestOpenDataKeysetPaging walks a dataset by its Link headers and by the
// row API's next, while a new version is published half-way: the walk
// stays on the version it started with and sees every row once.
func TestOpenDataKeysetPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		odFixture(t, st)
		srv := newODServer(t, st)

		walk := func(t *testing.T, first string, next func(resp *http.Response, body []byte) string, rows func(body []byte) []string, midway func()) map[string]int {
			seen := map[string]int{}
			url := first
			for page := 0; url != ""; page++ {
				resp, body := fetch(t, url)
				if resp.StatusCode != 200 {
					t.Fatalf("page %d: %d %s", page, resp.StatusCode, body)
				}
				if v := resp.Header.Get("X-Dataset-Version"); v != "" && v != "1" {
					t.Fatalf("page %d read version %s", page, v)
				}
				for _, c := range rows(body) {
					seen[c]++
				}
				if page == 1 && midway != nil {
					midway()
				}
				url = next(resp, body)
				if page > 100 {
					t.Fatal("too many pages")
				}
			}
			return seen
		}
		check := func(t *testing.T, seen map[string]int, want int) {
			if len(seen) != want {
				t.Fatalf("saw %d distinct rows, want %d", len(seen), want)
			}
			for c, n := range seen {
				if n != 1 || !strings.HasPrefix(c, "v1-") {
					t.Fatalf("row %s seen %d times", c, n)
				}
			}
		}
		codes := func(body []byte) []string {
			var rows []struct{ Code string }
			if err := json.Unmarshal(body, &rows); err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(rows))
			for i, r := range rows {
				out[i] = r.Code
			}
			return out
		}

		t.Run("link header", func(t *testing.T) {
			seen := walk(t, srv.URL+"/opendata/datasets/ds.json?fields=code&limit=500",
				func(resp *http.Response, _ []byte) string {
					m := linkNext.FindStringSubmatch(resp.Header.Get("Link"))
					if m == nil {
						return ""
					}
					return m[1]
				}, codes, func() {
					if _, _, err := st.SaveDatasetVersion(ctx, odDataset("ds", "jtj", "道路交通", "每月", "无条件开放"), store.RowsOf(odRowsOf(t, 10, "v2"))); err != nil {
						t.Fatal(err)
					}
				})
			check(t, seen, odRows)
		})

		t.Run("row api next", func(t *testing.T) {
			seen := walk(t, srv.URL+"/opendata/api/datasets/air/rows?limit=7&fields=code",
				func(_ *http.Response, body []byte) string {
					var page struct{ Next *string }
					if err := json.Unmarshal(body, &page); err != nil {
						t.Fatal(err)
					}
					if page.Next == nil {
						return ""
					}
					return *page.Next
				}, func(body []byte) []string {
					var page struct {
						Version, Total int
						Rows           []struct{ Code string }
					}
					if err := json.Unmarshal(body, &page); err != nil {
						t.Fatal(err)
					}
					if page.Version != 1 || page.Total != 30 {
						t.Fatalf("version %d, total %d", page.Version, page.Total)
					}
					var out []string
					for _, r := range page.Rows {
						out = append(out, r.Code)
					}
					return out
				}, func() {
					if _, _, err := st.SaveDatasetVersion(ctx, odDataset("air", "hbj", "环境环保", "实时", "无条件开放"), store.RowsOf(odRowsOf(t, 20, "w2"))); err != nil {
						t.Fatal(err)
					}
				})
			check(t, seen, 30)
		})

		t.Run("cursor of a dropped version", func(t *testing.T) {
			resp, _ := fetch(t, srv.URL+"/opendata/datasets/air.json?limit=5")
			m := linkNext.FindStringSubmatch(resp.Header.Get("Link"))
			if m == nil {
				t.Fatal("no Link")
			}
			for i := range store.KeepVersions {
				if _, _, err := st.SaveDatasetVersion(ctx, odDataset("air", "hbj", "环境环保", "实时", "无条件开放"), store.RowsOf(odRowsOf(t, 20+i, fmt.Sprintf("x%d", i)))); err != nil {
					t.Fatal(err)
				}
			}
			if r, body := fetch(t, m[1]); r.StatusCode != http.StatusGone || !strings.Contains(string(body), `"gone"`) {
				t.Fatalf("status %d: %s", r.StatusCode, body)
			}
		})
	})
}

// A small download is kept as it was sent: asked again, the same bytes
// come from memory (with their length), the plain and the gzip copies
// apart; another query or a new version is another download at once.
func TestOpenDataDownloadsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		odFixture(t, st)
		srv := newODServer(t, st)
		for _, enc := range []string{"", "gzip"} {
			first, body := fetch(t, srv.URL+"/opendata/datasets/air.csv", "Accept-Encoding", enc)
			again, kept := fetch(t, srv.URL+"/opendata/datasets/air.csv", "Accept-Encoding", enc)
			if first.StatusCode != 200 || again.StatusCode != 200 || string(kept) != string(body) || len(body) == 0 {
				t.Fatalf("%q: %d then %d, bodies equal %v", enc, first.StatusCode, again.StatusCode, string(kept) == string(body))
			}
			if first.Header.Get("Content-Length") != "" || again.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("%q: Content-Length %q then %q (a streamed download has none; a kept one its %d bytes)",
					enc, first.Header.Get("Content-Length"), again.Header.Get("Content-Length"), len(body))
			}
			if again.Header.Get("ETag") != first.Header.Get("ETag") || again.Header.Get("Content-Encoding") != first.Header.Get("Content-Encoding") ||
				again.Header.Get("Content-Disposition") != first.Header.Get("Content-Disposition") {
				t.Errorf("%q: headers differ: %v against %v", enc, again.Header, first.Header)
			}
			if (enc == "gzip") != (again.Header.Get("Content-Encoding") == "gzip") || (enc == "gzip") != bytes.HasPrefix(kept, []byte{0x1f, 0x8b}) {
				t.Errorf("%q: served with Content-Encoding %q, gzip bytes %v", enc, again.Header.Get("Content-Encoding"), bytes.HasPrefix(kept, []byte{0x1f, 0x8b}))
			}
		}
		// A republish of the metadata alone keeps the version, and changes
		// the workbook's header: the kept workbook is not served.
		_, book := fetch(t, srv.URL+"/opendata/datasets/air.xlsx")
		if _, again := fetch(t, srv.URL+"/opendata/datasets/air.xlsx"); string(again) != string(book) {
			t.Fatal("the workbook changed between two asks")
		}
		retitled := odDataset("air", "hbj", "环境环保", "实时", "无条件开放")
		retitled.Fields[0].Title = "站点编号"
		if _, _, err := st.SaveDatasetVersion(ctx, retitled, store.RowsOf(odRowsOf(t, 30, "v1"))); err != nil {
			t.Fatal(err)
		}
		if d, err := st.Dataset(ctx, "air"); err != nil || d.Version != 1 {
			t.Fatalf("after a metadata-only republish: version %d, %v (want 1)", d.Version, err)
		}
		if _, now := fetch(t, srv.URL+"/opendata/datasets/air.xlsx"); string(now) == string(book) {
			t.Error("the workbook kept from before the new field titles was served")
		}

		// A kept download larger than one write goes out whole.
		_, big := fetch(t, srv.URL+"/opendata/datasets/ds.csv", "Accept-Encoding", "identity")
		if again, kept := fetch(t, srv.URL+"/opendata/datasets/ds.csv", "Accept-Encoding", "identity"); len(big) < 64<<10 || string(kept) != string(big) || again.Header.Get("Content-Length") != strconv.Itoa(len(big)) {
			t.Errorf("ds.csv: %d bytes, then %d bytes (Content-Length %q)", len(big), len(kept), again.Header.Get("Content-Length"))
		}
		// Another query is another download.
		if _, b := fetch(t, srv.URL+"/opendata/datasets/air.csv?n=3"); strings.Count(string(b), "\n") >= 30 {
			t.Errorf("a filtered download got the whole kept file: %d lines", strings.Count(string(b), "\n"))
		}

		if _, _, err := st.SaveDatasetVersion(ctx, odDataset("air", "hbj", "环境环保", "实时", "无条件开放"), store.RowsOf(odRowsOf(t, 30, "v2"))); err != nil {
			t.Fatal(err)
		}
		if _, b := fetch(t, srv.URL+"/opendata/datasets/air.csv"); !strings.Contains(string(b), "v2-00001") || strings.Contains(string(b), "v1-00001") {
			t.Errorf("after a new version: %.200s", b)
		}
	})
}
