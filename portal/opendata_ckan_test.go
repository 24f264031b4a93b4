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
			tests := []struct {
				action string
				params url.Values
				status int
				kind   string
				text   string
			}{
				{"datastore_search", nil, 400, "Validation Error", "resource_id"},
				{"datastore_search", url.Values{"resource_id": {"nope"}}, 404, "Not Found Error", "nope"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"nope":1}`}}, 400, "Validation Error", "nope"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`{"n":"x"}`}}, 400, "Validation Error", "not an integer"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "limit": {"32001"}}, 400, "Validation Error", "limit"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "sort": {"nope desc"}}, 400, "Validation Error", "nope"},
				{"datastore_search", url.Values{"resource_id": {"ds"}, "filters": {`[1]`}}, 400, "Validation Error", "filters"},
				{"package_show", url.Values{"id": {"nope"}}, 404, "Not Found Error", "nope"},
				{"package_search", url.Values{"fq": {"color:red"}}, 400, "Validation Error", "color"},
				{"package_search", url.Values{"rows": {"-1"}}, 400, "Validation Error", "rows"},
				{"no_such_action", nil, 400, "Bad Request", "no_such_action"},
			}
			for _, tc := range tests {
				t.Run(tc.action+" "+tc.params.Encode(), func(t *testing.T) {
					status, r := c.get(tc.action, tc.params)
					if status != tc.status || r.Success || r.Error["__type"] != tc.kind || !strings.Contains(fmt.Sprint(r.Error["message"]), tc.text) {
						t.Fatalf("status %d, reply %+v", status, r)
					}
				})
			}
		})
	})
}
