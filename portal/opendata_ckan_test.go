package portal_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// ckanClient speaks the CKAN Action API the way client libraries do:
// GET with query parameters, or POST with a JSON body (ckanapi), and
// reads the {"success", "result", "error"} envelope.
type ckanClient struct {
	t    *testing.T
	base string
}

type ckanReply struct {
	Help    string          `json:"help"`
	Success bool            `json:"success"`
	Result  json.RawMessage `json:"result"`
	Error   map[string]any  `json:"error"`
}

func (c ckanClient) get(action string, params url.Values) (int, ckanReply) {
	c.t.Helper()
	resp, err := http.Get(c.base + "/api/3/action/" + action + "?" + params.Encode())
	if err != nil {
		c.t.Fatal(err)
	}
	return c.read(resp)
}

func (c ckanClient) post(action string, body map[string]any) (int, ckanReply) {
	c.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(c.base+"/api/action/"+action, "application/json", bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	return c.read(resp)
}

func (c ckanClient) read(resp *http.Response) (int, ckanReply) {
	c.t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r ckanReply
	if err := json.Unmarshal(b, &r); err != nil {
		c.t.Fatalf("not a CKAN reply (%d): %v: %.300s", resp.StatusCode, err, b)
	}
	return resp.StatusCode, r
}

func (c ckanClient) ok(status int, r ckanReply, into any) {
	c.t.Helper()
	if status != 200 || !r.Success {
		c.t.Fatalf("status %d, error %v", status, r.Error)
	}
	if err := json.Unmarshal(r.Result, into); err != nil {
		c.t.Fatalf("result: %v: %.300s", err, r.Result)
	}
}

type ckanRecords struct {
	Total   int64
	Limit   int
	Fields  []struct{ ID, Type string }
	Records []map[string]any
	Links   map[string]string `json:"_links"`
}

// TestCKANClientSession plays a client: find the dataset with
// package_search, read its resources with package_show, then page through
// datastore_search with offset and limit to the end; every row comes back
// exactly once.
func TestCKANClientSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		odFixture(t, st)
		srv := newODServer(t, st)
		c := ckanClient{t: t, base: srv.URL}

		var search struct {
			Count        int
			Results      []struct{ Name string }
			Facets       map[string]map[string]int
			SearchFacets map[string]struct {
				Items []struct {
					Name        string
					DisplayName string `json:"display_name"`
					Count       int
				}
			} `json:"search_facets"`
		}
		status, r := c.get("package_search", url.Values{"q": {"公交"}, "fq": {"organization:jtj res_format:CSV"},
			"facet.field": {`["organization","groups","res_format"]`}, "rows": {"10"}})
		c.ok(status, r, &search)
		if search.Count != 1 || len(search.Results) != 1 || search.Results[0].Name != "ds" {
			t.Fatalf("package_search: %+v", search)
		}
		if search.Facets["groups"]["transport"] != 1 || search.Facets["res_format"]["CSV"] != 1 {
			t.Errorf("facets %v", search.Facets)
		}
		status, r = c.get("package_search", url.Values{"fq": {`groups:(transport OR "环境环保")`}, "sort": {"name asc"}})
		c.ok(status, r, &search)
		if search.Count != 2 || search.Results[0].Name != "air" || search.Results[1].Name != "ds" {
			t.Fatalf("package_search with alternatives: %+v", search)
		}

		var pkg struct {
			Name         string
			Organization struct{ Name, Title string }
			Resources    []struct {
				ID, Format, URL string
				DatastoreActive bool `json:"datastore_active"`
			}
		}
		status, r = c.get("package_show", url.Values{"id": {search.Results[1].Name}})
		c.ok(status, r, &pkg)
		if pkg.Organization.Name != "jtj" || len(pkg.Resources) != 3 || pkg.Resources[0].Format != "CSV" || !pkg.Resources[0].DatastoreActive ||
			!strings.HasSuffix(pkg.Resources[0].URL, "/opendata/datasets/ds.csv") {
			t.Fatalf("package_show: %+v", pkg)
		}
		rid := pkg.Resources[0].ID

		t.Run("datastore_search offset paging", func(t *testing.T) {
			seen := map[string]int{}
			var total int64
			for offset := 0; ; offset += 400 {
				var page ckanRecords
				status, r := c.get("datastore_search", url.Values{"resource_id": {rid}, "limit": {"400"}, "offset": {fmt.Sprint(offset)}})
				c.ok(status, r, &page)
				if offset == 0 {
					total = page.Total
					if page.Fields[0].ID != "_id" || page.Fields[2].Type != "int" || page.Fields[3].Type != "numeric" || page.Fields[5].Type != "bool" {
						t.Errorf("fields %+v", page.Fields)
					}
					if _, isNum := page.Records[1]["n"].(float64); !isNum || page.Records[1]["ok"] != false {
						t.Errorf("record types %+v", page.Records[1])
					}
				}
				for _, rec := range page.Records {
					seen[rec["code"].(string)]++
				}
				if len(page.Records) < 400 {
					if page.Links["next"] != "" {
						t.Errorf("last page has a next link")
					}
					break
				}
			}
			if total != odRows || len(seen) != odRows {
				t.Fatalf("total %d, distinct rows %d, want %d", total, len(seen), odRows)
			}
			for code, n := range seen {
				if n != 1 {
					t.Fatalf("%s seen %d times", code, n)
				}
			}
		})

		t.Run("datastore_search sorted, following _links.next, by POST", func(t *testing.T) {
			seen := map[float64]int{}
			params := map[string]any{"resource_id": "ds", "limit": 333, "sort": "amount desc", "filters": map[string]any{"n": []any{1, 2}}, "fields": []string{"_id", "amount"}}
			var last float64 = 1e18
			for pages := 0; ; pages++ {
				var page ckanRecords
				status, r := c.post("datastore_search", params)
				c.ok(status, r, &page)
				for _, rec := range page.Records {
					id, amount := rec["_id"].(float64), rec["amount"].(float64)
					if amount > last {
						t.Fatalf("not sorted: %v after %v", amount, last)
					}
					last = amount
					seen[id]++
				}
				next := page.Links["next"]
				if next == "" {
					if page.Total != int64(len(seen)) {
						t.Fatalf("total %d, seen %d", page.Total, len(seen))
					}
					break
				}
				u, err := url.Parse(next)
				if err != nil {
					t.Fatal(err)
				}
				params["offset"] = u.Query().Get("offset")
				if pages > 20 {
					t.Fatal("too many pages")
				}
			}
			if len(seen) != 470 {
				t.Fatalf("rows with n in (1, 2): %d, want 470", len(seen))
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("row %v seen %d times", id, n)
				}
			}
		})

		// In _id order pages continue by row number: _links.next carries
		// filters {"_id": {"gt": last}} and no offset, and so does
		// next_page; a client that follows either reads every row once.
		t.Run("datastore_search in _id order, following _links.next", func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				params url.Values
				want   int
				desc   bool
			}{
				{"filtered", url.Values{"resource_id": {"ds"}, "filters": {`{"n": [1, 2]}`}, "limit": {"100"}, "fields": {"_id,code"}}, 470, false},
				{"everything", url.Values{"resource_id": {rid}, "limit": {"1000"}}, odRows, false},
				{"downwards", url.Values{"resource_id": {"ds"}, "sort": {"_id desc"}, "limit": {"400"}, "q": {"v1-0"}}, odRows, true},
				{"from an offset", url.Values{"resource_id": {"ds"}, "offset": {"1000"}, "limit": {"100"}, "filters": {`{"ok": true}`}}, 173, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					seen := map[int64]int{}
					var prev int64 = -1
					link := "/api/3/action/datastore_search?" + tc.params.Encode()
					for pages := 0; link != ""; pages++ {
						resp, err := http.Get(c.base + link)
						if err != nil {
							t.Fatal(err)
						}
						status, r := c.read(resp)
						var page ckanRecords
						c.ok(status, r, &page)
						for _, rec := range page.Records {
							id := int64(rec["_id"].(float64))
							if prev >= 0 && (tc.desc && id >= prev || !tc.desc && id <= prev) {
								t.Fatalf("_id %d after %d", id, prev)
							}
							prev = id
							seen[id]++
						}
						link = page.Links["next"]
						if link != "" {
							u, _ := url.Parse(link)
							var f map[string]any
							if err := json.Unmarshal([]byte(u.Query().Get("filters")), &f); err != nil || u.Query().Has("offset") || u.IsAbs() {
								t.Fatalf("next link %s", link)
							}
							op := map[bool]string{false: "gt", true: "lt"}[tc.desc]
							if bound, _ := f["_id"].(map[string]any); bound[op] != float64(prev) {
								t.Fatalf("next link %s does not continue after %d", link, prev)
							}
						}
						if pages > 40 {
							t.Fatal("too many pages")
						}
					}
					if len(seen) != tc.want {
						t.Fatalf("read %d rows, want %d", len(seen), tc.want)
					}
					for id, n := range seen {
						if n != 1 {
							t.Fatalf("row %d read %d times", id, n)
						}
					}
				})
			}
		})

		t.Run("datastore_search next_page, by POST", func(t *testing.T) {
			// CKAN 2.11's keyset: add next_page to the filters until a page
			// comes back empty.
			filters := map[string]any{"n": 3}
			seen := 0
			for pages := 0; ; pages++ {
				var page struct {
					ckanRecords
					NextPage map[string]map[string]float64 `json:"next_page"`
				}
				status, r := c.post("datastore_search", map[string]any{"resource_id": "ds", "filters": filters, "limit": 50, "include_next_page": true, "include_total": false})
				c.ok(status, r, &page)
				if len(page.Records) == 0 {
					break
				}
				seen += len(page.Records)
				last := page.Records[len(page.Records)-1]["_id"].(float64)
				if page.NextPage["_id"]["gt"] != last {
					t.Fatalf("next_page %v after _id %v", page.NextPage, last)
				}
				filters["_id"] = map[string]any{"gt": page.NextPage["_id"]["gt"]}
				if pages > 20 {
					t.Fatal("too many pages")
				}
			}
			if seen != 235 {
				t.Fatalf("read %d rows with n = 3, want 235", seen)
			}
		})

		t.Run("datastore_search _id filters", func(t *testing.T) {
			for _, tc := range []struct {
				filters string
				total   int64
				first   float64
			}{
				{`{"_id": [7, 3, 2400]}`, 2, 3},
				{`{"_id": {"gte": 2340}}`, 6, 2340},
				{`{"_id": {"gt": 10, "lte": 20}}`, 10, 11},
				{`{"_id": {"lt": 1}}`, 0, 0},
				{`{"_id": {"in": [5, 6, 7], "gt": 5}, "n": 6}`, 1, 7},
			} {
				var page ckanRecords
				status, r := c.get("datastore_search", url.Values{"resource_id": {"ds"}, "filters": {tc.filters}})
				c.ok(status, r, &page)
				if page.Total != tc.total || int64(len(page.Records)) != tc.total || tc.total > 0 && page.Records[0]["_id"] != tc.first {
					t.Errorf("%s: total %d, records %d, first %v", tc.filters, page.Total, len(page.Records), page.Records)
				}
			}
		})

		t.Run("datastore_search sorted at the depth cap", func(t *testing.T) {
			var page ckanRecords
			status, r := c.get("datastore_search", url.Values{"resource_id": {"ds"}, "sort": {"amount desc"}, "offset": {"99990"}, "limit": {"10"}})
			c.ok(status, r, &page)
			if page.Total != odRows || len(page.Records) != 0 || page.Links["next"] != "" {
				t.Fatalf("total %d, %d records, links %v", page.Total, len(page.Records), page.Links)
			}
		})

		t.Run("organization_list", func(t *testing.T) {
			var names []string
			status, r := c.get("organization_list", nil)
			c.ok(status, r, &names)
			if strings.Join(names, ",") != "hbj,jtj" {
				t.Fatalf("names %v", names)
			}
			var orgs []struct {
				Name         string
				Title        string
				PackageCount int `json:"package_count"`
			}
			status, r = c.get("organization_list", url.Values{"all_fields": {"true"}})
			c.ok(status, r, &orgs)
			if len(orgs) != 2 || orgs[0].Name != "hbj" || orgs[0].PackageCount != 2 || orgs[0].Title != "测试单位hbj" {
				t.Fatalf("orgs %+v", orgs)
			}
		})

		t.Run("errors", func(t *testing.T) {
			long := strings.Repeat("长", 200) // 600 bytes
			many := make([]string, 51)
			for i := range many {
				many[i] = fmt.Sprint(i)
			}
			manyJSON, _ := json.Marshal(map[string]any{"n": many})
			// 50 values for each of four fields and one more: 201 in all.
			spread := map[string]any{"ok": true}
			for _, f := range []string{"code", "n", "amount", "limit"} {
				spread[f] = many[:50]
			}
			spreadJSON, _ := json.Marshal(spread)
			tests := []struct {
				action string
				params url.Values
				status int
				kind   string
				text   string
			}{
				{"datastore_search", nil, 409, "Validation Error", "resource_id"},
				{"datastore_search", url.Values{"resource_id": {"nope"}}, 404, "Not Found Error", "nope"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"nope":1}`}}, 409, "Validation Error", "nope"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"n":"x"}`}}, 409, "Validation Error", "not an integer"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "limit": {"32001"}}, 409, "Validation Error", "limit"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "sort": {"nope desc"}}, 409, "Validation Error", "nope"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "sort": {"amount desc nulls first"}}, 409, "Validation Error", "nulls first"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`[1]`}}, 409, "Validation Error", "filters"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {string(manyJSON)}}, 409, "Validation Error", "at most 50 values a field"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {string(spreadJSON)}}, 409, "Validation Error", "at most 200 values in all"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"code":"` + long + `"}`}}, 409, "Validation Error", "at most 500 bytes"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"n":{"gt":3}}`}}, 409, "Validation Error", "on _id only"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"_id":{"after":3}}`}}, 409, "Validation Error", "supported: eq, in"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"_id":"x"}`}}, 409, "Validation Error", "whole number"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "q": {long}}, 409, "Validation Error", "q is at most 500 bytes"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "q": {`{"code":"x"}`}}, 409, "Validation Error", "q"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "distinct": {"true"}}, 409, "Validation Error", "distinct"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "sort": {"amount desc"}, "offset": {"99990"}, "limit": {"11"}}, 409, "Validation Error", "use the bulk download at " + c.base + "/opendata/datasets/ds.csv"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "records_format": {"csv"}}, 409, "Validation Error", "records_format"},
				{"datastore_info", url.Values{"id": {"nope"}}, 404, "Not Found Error", "nope"},
				{"datastore_info", nil, 409, "Validation Error", "resource_id"},
				{"package_show", url.Values{"id": {"nope"}}, 404, "Not Found Error", "nope"},
				{"package_show", nil, 409, "Validation Error", "id"},
				{"package_search", url.Values{"fq": {"color:red"}}, 409, "Validation Error", "color"},
				{"package_search", url.Values{"fq": {"metadata_modified:[yesterday TO *]"}}, 409, "Validation Error", "not an instant"},
				{"package_search", url.Values{"rows": {"-1"}}, 409, "Validation Error", "rows"},
				{"package_list", url.Values{"limit": {"x"}}, 409, "Validation Error", "limit"},
				{"organization_show", url.Values{"id": {"nope"}}, 404, "Not Found Error", "nope"},
				{"organization_show", url.Values{"id": {"jtj"}, "include_datasets": {"maybe"}}, 409, "Validation Error", "include_datasets"},
				{"organization_list", url.Values{"sort": {"founded desc"}}, 409, "Validation Error", "sort"},
				{"group_show", url.Values{"id": {"jtj"}}, 404, "Not Found Error", "jtj"},
				{"group_list", url.Values{"limit": {"1001"}}, 409, "Validation Error", "limit"},
				{"package_autocomplete", nil, 409, "Validation Error", "q"},
				{"current_package_list_with_resources", url.Values{"page": {"0"}}, 409, "Validation Error", "page"},
				{"tag_list", url.Values{"all_fields": {"sometimes"}}, 409, "Validation Error", "all_fields"},
				{"no_such_action", nil, 400, "Bad Request", "no_such_action"},
			}
			for _, tc := range tests {
				t.Run(tc.action+" "+tc.params.Encode()[:min(len(tc.params.Encode()), 80)], func(t *testing.T) {
					status, r := c.get(tc.action, tc.params)
					if status != tc.status || r.Success || r.Error["__type"] != tc.kind || !strings.Contains(fmt.Sprint(r.Error["message"]), tc.text) {
						t.Fatalf("status %d, error %v, result %.300s", status, r.Error, r.Result)
					}
				})
			}
			// A body that is not a JSON object is a bad request (400), as
			// CKAN answers it; a JSON object with a bad value is a
			// validation error (409).
			for _, tc := range []struct {
				body   string
				status int
				kind   string
			}{
				{`{"resource_id": "ds",`, 400, "Bad Request"},
				{`[1, 2]`, 400, "Bad Request"},
				{`{"resource_id": "ds"} {"x": 1}`, 400, "Bad Request"},
				{`{"resource_id": "ds", "limit": "many"}`, 409, "Validation Error"},
				{`{"resource_id": "ds", "filters": {"n": [[1]]}}`, 409, "Validation Error"},
				{`{"resource_id": "ds", "filters": "{not json"}`, 409, "Validation Error"},
			} {
				resp, err := http.Post(c.base+"/api/action/datastore_search", "application/json", strings.NewReader(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				status, r := c.read(resp)
				if status != tc.status || r.Success || r.Error["__type"] != tc.kind {
					t.Errorf("POST %s: status %d, reply %+v", tc.body, status, r)
				}
			}
		})
	})
}

// TestAbsoluteLinksIgnoreHost sends requests with a forged Host (and the
// forwarding headers a proxy would add) to every answer that holds an
// absolute link: the links are under the configured base URL only, so a
// forged Host cannot poison a cached page, a feed or a harvester.
func TestAbsoluteLinksIgnoreHost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		odFixture(t, st)
		srv := newReplayServer(t, st)
		for _, tc := range []struct {
			path, want string
		}{
			{"/api/3/action/package_show?id=ds", `"url":"` + replayBase + `/opendata/datasets/ds.csv"`},
			{"/api/3/action/package_search?q=ds", `"url":"` + replayBase + `/opendata/datasets/ds.xlsx"`},
			{"/api/3/action/resource_show?id=ds", `"url":"` + replayBase + `/opendata/datasets/ds.csv"`},
			{"/api/3/action/status_show", `"site_url":"` + replayBase + `"`},
			{"/api/3/action/organization_show?id=jtj&include_datasets=true", `"url":"` + replayBase + `/opendata/datasets/ds.json"`},
			{"/api/3/action/current_package_list_with_resources", `"url":"` + replayBase + `/opendata/datasets/air.csv"`},
			{"/api/3/action/datastore_search?resource_id=ds&sort=amount+desc&limit=5", `"help":"` + replayBase + `/api/3/action/help_show?name=datastore_search"`},
			{"/opendata/catalog.jsonld", `"dcat:downloadURL":{"@id":"` + replayBase + `/opendata/datasets/ds.csv"}`},
			{"/opendata/datasets/ds", `"contentUrl":"` + replayBase + `/opendata/datasets/ds.csv"`},
			{"/opendata/api/datasets/ds/rows?limit=10", `"next":"` + replayBase + `/opendata/api/datasets/ds/rows?after=`},
			{"/opendata/datasets/ds.csv?limit=10", "<" + replayBase + "/opendata/datasets/ds.csv?after="},
			{"/units/jtj/rss.xml", "<link>" + replayBase + "/units/jtj</link>"},
			{"/sitemap.xml", "<loc>" + replayBase + "/sitemaps/catalog.xml</loc>"},
			{"/sitemaps/catalog.xml", "<loc>" + replayBase + "/units/jtj</loc>"},
		} {
			t.Run(tc.path, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
				req.Host = "evil.example"
				req.Header.Set("X-Forwarded-Host", "evil.example")
				req.Header.Set("X-Forwarded-Proto", "http")
				req.Header.Set("Forwarded", "host=evil.example;proto=http")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				all := fmt.Sprint(resp.Header) + string(b)
				if resp.StatusCode != 200 || !strings.Contains(all, tc.want) {
					t.Fatalf("%d, want %s in %.600s", resp.StatusCode, tc.want, all)
				}
				for _, bad := range []string{"evil.example", "127.0.0.1", "http://gk.linyi"} {
					if strings.Contains(all, bad) {
						t.Fatalf("%q in the answer: %.600s", bad, all)
					}
				}
			})
		}
	})
}
