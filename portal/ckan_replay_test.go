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
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gongkai/internal/config"
	"gongkai/internal/files"
	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/portal"
)

// The replays below make the calls that ckanapi (4.x, ckanapi/cli/dump.py
// and remoteckan.py) and CKAN's harvester (ckanext-harvest,
// harvesters/ckanharvester.py) make, in their order and with their
// parameters, and read the answers the way those clients do. docs/ckan.md
// lists the sequences.

// replayBase is the configured public address. Requests go to the
// loopback listener; every absolute link must still be under this
// address, whatever Host the request carried.
const replayBase = "https://gk.linyi.gov.cn/gongkai"

// ckanapiClient plays ckanapi's RemoteCKAN: POST of a JSON body to
// /api/action/NAME, or with --get-request a GET whose parameters Python's
// requests encodes (True/False for booleans).
type ckanapiClient struct {
	t      *testing.T
	srv    string
	get    bool
	host   string // a forged Host header, when set
	calls  []string
	prefix string // "/api/action/" for ckanapi, "/api/3/action/" for the harvester
}

func (c *ckanapiClient) call(action string, params map[string]any) json.RawMessage {
	c.t.Helper()
	res, err := c.try(action, params)
	if err != nil {
		c.t.Fatalf("%s %v: %v", action, params, err)
	}
	return res
}

// try returns the result, or the error as ckanapi would raise it.
func (c *ckanapiClient) try(action string, params map[string]any) (json.RawMessage, error) {
	c.t.Helper()
	var req *http.Request
	var err error
	u := c.srv + c.prefix + action
	if c.get {
		q := url.Values{}
		for k, v := range params {
			q.Set(k, pythonParam(v))
		}
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		req, err = http.NewRequest(http.MethodGet, u, nil)
	} else {
		if params == nil {
			params = map[string]any{}
		}
		b, _ := json.Marshal(params)
		req, err = http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("User-Agent", "ckanapi/4.11 (+https://github.com/ckan/ckanapi)")
	if c.host != "" {
		req.Host = c.host
		req.Header.Set("X-Forwarded-Host", c.host)
		req.Header.Set("X-Forwarded-Proto", "http")
	}
	c.calls = append(c.calls, action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(body), "127.0.0.1") || (c.host != "" && strings.Contains(string(body), c.host)) {
		c.t.Fatalf("%s: an absolute link not under the base URL: %.300s", action, body)
	}
	// reverse_apicontroller_action: success → result, else by __type.
	var env struct {
		Help    string          `json:"help"`
		Success bool            `json:"success"`
		Result  json.RawMessage `json:"result"`
		Error   map[string]any  `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("ServerIncompatibleError: %d %.200s", resp.StatusCode, body)
	}
	if env.Success {
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(env.Help, replayBase+"/api/3/action/help_show?name=") {
			c.t.Fatalf("%s: status %d, help %q", action, resp.StatusCode, env.Help)
		}
		return env.Result, nil
	}
	return nil, fmt.Errorf("%v (%d): %v", env.Error["__type"], resp.StatusCode, env.Error["message"])
}

// pythonParam is how requests puts a Python value in a query string.
func pythonParam(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %.300s", err, raw)
	}
	return v
}

// What the clients read of a package, an organization and a group.
type replayResource struct {
	ID, Name, Format, URL string
	PackageID             string `json:"package_id"`
	DatastoreActive       bool   `json:"datastore_active"`
}

type replayPackage struct {
	ID, Name, Title, Notes string
	OwnerOrg               string `json:"owner_org"`
	MetadataModified       string `json:"metadata_modified"`
	Organization           struct{ ID, Name, Title string }
	Groups                 []struct{ ID, Name, Title string }
	Tags                   []struct{ Name string }
	Resources              []replayResource
	NumResources           int `json:"num_resources"`
}

type replayGroup struct {
	ID, Name, Title string
	DisplayName     string          `json:"display_name"`
	IsOrganization  bool            `json:"is_organization"`
	PackageCount    *int            `json:"package_count"`
	Packages        []replayPackage `json:"packages"`
	Users           *[]any          `json:"users"`
	Extras          []struct{ Key, Value string }
}

// replayFixture: eight datasets of four units over five domains, and a
// unit without datasets.
type replayWant struct {
	datasets map[string]string // name → unit
	domains  map[string]string // name → domain
}

func replayFixture(t *testing.T, st *store.Store) replayWant {
	t.Helper()
	odFixture(t, st) // ds (jtj, 道路交通, 2,345 rows), air (hbj, 环境环保), permits (hbj, 资格资质)
	ctx := context.Background()
	storetest.Unit(t, st, "tjj")
	storetest.Unit(t, st, "zrzyj")
	storetest.Unit(t, st, "sjj") // no datasets
	w := replayWant{datasets: map[string]string{"ds": "jtj", "air": "hbj", "permits": "hbj"},
		domains: map[string]string{"ds": "道路交通", "air": "环境环保", "permits": "资格资质"}}
	for _, d := range []struct{ id, unit, domain string }{
		{"gdp-quarterly", "tjj", "经济统计"}, {"cpi-monthly", "tjj", "经济统计"}, {"bus-lines", "jtj", "道路交通"},
		{"land-parcels", "zrzyj", "地理信息"}, {"water-quality", "hbj", "环境环保"},
	} {
		if _, _, err := st.SaveDatasetVersion(ctx, odDataset(d.id, d.unit, d.domain, "每月", "无条件开放"), store.RowsOf(odRowsOf(t, 5, "v1"))); err != nil {
			t.Fatal(err)
		}
		w.datasets[d.id], w.domains[d.id] = d.unit, d.domain
	}
	return w
}

func newReplayServer(t *testing.T, st *store.Store) *httptest.Server {
	t.Helper()
	fs, err := files.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(portal.New(portal.Deps{Store: st, Files: fs, Metrics: metrics.New(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Site: config.Site{Name: "临沂市人民政府", BaseURL: replayBase}}))
	t.Cleanup(srv.Close)
	return srv
}

// checkPackage checks what the clients read of a package: its
// organization and groups, and resources whose URLs are absolute, under
// the base URL and fetchable there.
func checkPackage(t *testing.T, p replayPackage, w replayWant) {
	t.Helper()
	if w.datasets[p.Name] == "" || p.ID != p.Name || p.Title == "" || p.OwnerOrg != w.datasets[p.Name] || p.Organization.Name != p.OwnerOrg ||
		p.Organization.Title == "" || len(p.Groups) != 1 || p.Groups[0].Title != w.domains[p.Name] || p.MetadataModified == "" {
		t.Fatalf("package %+v", p)
	}
	if len(p.Resources) != 3 || p.NumResources != 3 {
		t.Fatalf("%s: %d resources", p.Name, len(p.Resources))
	}
	for i, r := range p.Resources {
		want := replayBase + "/opendata/datasets/" + p.Name + "." + []string{"csv", "json", "xlsx"}[i]
		if r.URL != want || r.PackageID != p.Name || r.ID == "" || !r.DatastoreActive || r.Format == "" {
			t.Fatalf("%s: resource %+v, want url %s", p.Name, r, want)
		}
	}
}

func TestCKANReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := replayFixture(t, st)
		srv := newReplayServer(t, st)
		var names []string
		for n := range w.datasets {
			names = append(names, n)
		}
		sort.Strings(names)

		for _, mode := range []struct {
			name string
			get  bool
			host string
		}{{"POST JSON", false, ""}, {"GET", true, ""}, {"POST JSON with a forged Host", false, "evil.example"}} {
			newClient := func(prefix string) *ckanapiClient {
				return &ckanapiClient{t: t, srv: srv.URL, get: mode.get, host: mode.host, prefix: prefix}
			}

			t.Run(mode.name+"/ckanapi dump datasets --all --datastore-fields", func(t *testing.T) {
				c := newClient("/api/action/")
				list := decode[[]string](t, c.call("package_list", map[string]any{
					"include_private": false, "include_drafts": false, "include_deleted": false}))
				if !slices.Equal(list, names) {
					t.Fatalf("package_list %v, want %v", list, names)
				}
				seen := map[string]int{}
				for _, name := range list {
					p := decode[replayPackage](t, c.call("package_show", map[string]any{
						"id": name, "include_datasets": false, "include_password_hash": true, "include_users": false}))
					checkPackage(t, p, w)
					seen[p.Name]++
					// --datastore-fields: datastore_search limit 0 per
					// resource, reading fields.
					for _, r := range p.Resources {
						ds := decode[struct {
							Fields []struct {
								ID, Type string
								Info     struct{ Label string }
							}
							Records []any
						}](t, c.call("datastore_search", map[string]any{"resource_id": r.ID, "limit": 0}))
						if len(ds.Fields) != 7 || ds.Fields[0].ID != "_id" || ds.Fields[1].ID != "code" || ds.Fields[1].Info.Label != "编号" || len(ds.Records) != 0 {
							t.Fatalf("%s: datastore fields %+v", r.ID, ds)
						}
					}
				}
				for _, n := range names {
					if seen[n] != 1 {
						t.Fatalf("%s dumped %d times", n, seen[n])
					}
				}
				// --datapackages fetches each resource's url: it serves the
				// file at the base URL (here reached on loopback).
				p := decode[replayPackage](t, c.call("package_show", map[string]any{"id": "air"}))
				resp, err := http.Get(strings.Replace(p.Resources[0].URL, replayBase, srv.URL, 1))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || strings.Count(string(body), "\n") != 31 {
					t.Fatalf("resource download: %d, %d lines", resp.StatusCode, strings.Count(string(body), "\n"))
				}
			})

			for _, thing := range []struct{ what, list, show string }{
				{"organizations", "organization_list", "organization_show"}, {"groups", "group_list", "group_show"},
			} {
				t.Run(mode.name+"/ckanapi dump "+thing.what+" --all --include-users", func(t *testing.T) {
					c := newClient("/api/action/")
					list := decode[[]string](t, c.call(thing.list, nil))
					wantNames := map[string]bool{}
					counts := map[string]int{}
					for n, unit := range w.datasets {
						key := unit
						if thing.what == "groups" {
							key = groupNames[w.domains[n]]
						}
						counts[key]++
						wantNames[key] = true
					}
					if thing.what == "organizations" {
						wantNames["sjj"] = true // a unit without datasets is an organization too
					} else {
						for _, g := range groupNames {
							wantNames[g] = true // every domain is a group
						}
					}
					if len(list) != len(wantNames) || !sort.StringsAreSorted(list) {
						t.Fatalf("%s %v, want %d names in order", thing.list, list, len(wantNames))
					}
					total := 0
					for _, name := range list {
						if !wantNames[name] {
							t.Fatalf("%s lists %q", thing.list, name)
						}
						g := decode[replayGroup](t, c.call(thing.show, map[string]any{"id": name,
							"include_datasets": false, "include_password_hash": true, "include_users": true}))
						if g.Name != name || g.ID != name || g.Title == "" || g.DisplayName != g.Title || g.IsOrganization != (thing.what == "organizations") ||
							g.PackageCount == nil || *g.PackageCount != counts[name] || g.Packages != nil || g.Users == nil || len(*g.Users) != 0 {
							t.Fatalf("%s %s: %+v", thing.show, name, g)
						}
						total += *g.PackageCount
						// include_datasets lists exactly its datasets, as
						// packages of the package_show shape.
						g = decode[replayGroup](t, c.call(thing.show, map[string]any{"id": name, "include_datasets": true}))
						var got, want []string
						for _, p := range g.Packages {
							checkPackage(t, p, w)
							got = append(got, p.Name)
						}
						for n, unit := range w.datasets {
							if unit == name || groupNames[w.domains[n]] == name {
								want = append(want, n)
							}
						}
						sort.Strings(got)
						sort.Strings(want)
						if !slices.Equal(got, want) {
							t.Fatalf("%s %s packages %v, want %v", thing.show, name, got, want)
						}
					}
					if total != len(w.datasets) {
						t.Fatalf("package counts add up to %d, want %d", total, len(w.datasets))
					}
					if _, err := c.try(thing.show, map[string]any{"id": "nope"}); err == nil || !strings.HasPrefix(err.Error(), "Not Found Error (404)") {
						t.Fatalf("%s of a missing one: %v", thing.show, err)
					}
				})
			}

			t.Run(mode.name+"/ckanapi search datasets", func(t *testing.T) {
				// search.py: rows=1000 pages from start=0 until a page is empty.
				c := newClient("/api/action/")
				seen := map[string]int{}
				for start := 0; ; {
					res := decode[struct {
						Count   int
						Results []replayPackage
					}](t, c.call("package_search", map[string]any{"start": start, "rows": 1000}))
					if len(res.Results) == 0 {
						break
					}
					for _, p := range res.Results {
						checkPackage(t, p, w)
						seen[p.Name]++
					}
					start += len(res.Results)
				}
				if len(seen) != len(w.datasets) {
					t.Fatalf("search found %d datasets, want %d", len(seen), len(w.datasets))
				}
			})

			// The harvester pages package_search by GET whatever the mode.
			for _, h := range []struct {
				name  string
				rows  int
				fq    string
				want  func(name string) bool
				since bool
			}{
				{"everything, pages of 100", 100, "", func(string) bool { return true }, false},
				{"everything, pages of 3", 3, "", func(string) bool { return true }, false},
				{"organizations included", 2, "organization:jtj OR organization:tjj", func(n string) bool { return w.datasets[n] == "jtj" || w.datasets[n] == "tjj" }, false},
				{"organizations excluded", 2, "-organization:hbj -organization:tjj", func(n string) bool { return w.datasets[n] != "hbj" && w.datasets[n] != "tjj" }, false},
				{"groups included", 4, "groups:transport OR groups:economy", func(n string) bool { return w.domains[n] == "道路交通" || w.domains[n] == "经济统计" }, false},
				{"changed since the last run", 3, "-groups:geography", func(n string) bool { return w.domains[n] != "地理信息" }, true},
			} {
				t.Run(mode.name+"/harvester "+h.name, func(t *testing.T) {
					c := newClient("/api/3/action/")
					c.get = true
					fq := h.fq
					if h.since {
						// gather_stage: since the last error-free job minus an
						// hour, Python's isoformat with microseconds, then Z.
						since := time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04:05.000000")
						fq = strings.TrimSpace(fq + " metadata_modified:[" + since + "Z TO *]")
						later := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05.000000")
						none := decode[struct{ Results []replayPackage }](t, c.call("package_search",
							map[string]any{"rows": "100", "start": "0", "sort": "id asc", "fq": "metadata_modified:[" + later + "Z TO *]"}))
						if len(none.Results) != 0 {
							t.Fatalf("%d datasets changed in the future", len(none.Results))
						}
					}
					params := map[string]any{"rows": fmt.Sprint(h.rows), "start": "0", "sort": "id asc"}
					if fq != "" {
						params["fq"] = fq
					}
					var pkgs []replayPackage
					ids := map[string]bool{}
					var previous json.RawMessage
					for pages := 0; ; pages++ {
						res := c.call("package_search", params)
						if previous != nil && bytes.Equal(res, previous) {
							t.Fatal("The paging doesn't seem to work")
						}
						previous = res
						page := decode[struct{ Results []replayPackage }](t, res).Results
						if len(page) == 0 {
							break
						}
						for _, p := range page {
							if ids[p.ID] {
								t.Fatalf("%s on two pages", p.ID)
							}
							ids[p.ID] = true
							pkgs = append(pkgs, p)
						}
						var start int
						fmt.Sscan(params["start"].(string), &start)
						params["start"] = fmt.Sprint(start + h.rows)
						if pages > 20 {
							t.Fatal("paging does not end")
						}
					}
					var got, want []string
					for _, p := range pkgs {
						got = append(got, p.Name)
					}
					for _, n := range names {
						if h.want(n) {
							want = append(want, n)
						}
					}
					if !slices.Equal(got, want) { // sort=id asc: in name order
						t.Fatalf("harvested %v, want %v", got, want)
					}
					// import_stage: the remote organization and groups, then
					// the dataset itself.
					for _, p := range pkgs {
						checkPackage(t, p, w)
						org := decode[replayGroup](t, c.call("organization_show", map[string]any{"id": p.OwnerOrg}))
						if org.Name != p.OwnerOrg || !org.IsOrganization || org.Title != p.Organization.Title {
							t.Fatalf("organization_show %s: %+v", p.OwnerOrg, org)
						}
						for _, g := range p.Groups {
							grp := decode[replayGroup](t, c.call("group_show", map[string]any{"id": g.ID}))
							if grp.Name != g.Name || grp.IsOrganization || grp.Title != g.Title {
								t.Fatalf("group_show %s: %+v", g.ID, grp)
							}
						}
						again := decode[replayPackage](t, c.call("package_show", map[string]any{"id": p.ID}))
						checkPackage(t, again, w)
					}
				})
			}

			t.Run(mode.name+"/current_package_list_with_resources, newest first", func(t *testing.T) {
				c := newClient("/api/3/action/")
				seen := map[string]int{}
				last := "9999"
				for offset := 0; ; offset += 3 {
					page := decode[[]replayPackage](t, c.call("current_package_list_with_resources", map[string]any{"limit": 3, "offset": offset}))
					if len(page) == 0 {
						break
					}
					for _, p := range page {
						checkPackage(t, p, w)
						if p.MetadataModified > last {
							t.Fatalf("%s modified %s after %s", p.Name, p.MetadataModified, last)
						}
						last = p.MetadataModified
						seen[p.Name]++
					}
				}
				if len(seen) != len(w.datasets) {
					t.Fatalf("listed %d datasets, want %d", len(seen), len(w.datasets))
				}
				for n, k := range seen {
					if k != 1 {
						t.Fatalf("%s listed %d times", n, k)
					}
				}
				def := decode[[]replayPackage](t, c.call("current_package_list_with_resources", nil))
				if len(def) != len(w.datasets) { // the default page of 10 holds all eight
					t.Fatalf("default page: %d", len(def))
				}
			})

			t.Run(mode.name+"/tag_list, package_autocomplete, datastore_info", func(t *testing.T) {
				c := newClient("/api/3/action/")
				tags := decode[[]string](t, c.call("tag_list", nil))
				if !slices.Equal(tags, []string{"公交", "测试"}) {
					t.Fatalf("tag_list %v", tags)
				}
				tags = decode[[]string](t, c.call("tag_list", map[string]any{"query": "测", "vocabulary_id": "ignored"}))
				if !slices.Equal(tags, []string{"测试"}) {
					t.Fatalf("tag_list query %v", tags)
				}
				full := decode[[]struct{ ID, Name, DisplayName string }](t, c.call("tag_list", map[string]any{"all_fields": true}))
				if len(full) != 2 || full[0].Name != "公交" {
					t.Fatalf("tag_list all_fields %+v", full)
				}
				type suggestion struct {
					Name, Title    string
					MatchField     string `json:"match_field"`
					MatchDisplayed string `json:"match_displayed"`
				}
				// Names starting with q first, then names containing it, by
				// name; then titles.
				ac := decode[[]suggestion](t, c.call("package_autocomplete", map[string]any{"q": "A", "limit": 3}))
				if len(ac) != 3 || ac[0].Name != "air" || ac[1].Name != "gdp-quarterly" || ac[2].Name != "land-parcels" ||
					ac[0].MatchField != "name" || ac[0].MatchDisplayed != "air" || ac[0].Title != "数据集 air" {
					t.Fatalf("package_autocomplete %+v", ac)
				}
				ac = decode[[]suggestion](t, c.call("package_autocomplete", map[string]any{"q": "数据集 air"}))
				if len(ac) != 1 || ac[0].Name != "air" || ac[0].MatchField != "title" || ac[0].MatchDisplayed != "数据集 air (air)" {
					t.Fatalf("package_autocomplete by title %+v", ac)
				}
				p := decode[replayPackage](t, c.call("package_show", map[string]any{"id": "ds"}))
				info := decode[struct {
					Meta struct {
						ID    string
						Count int64
					}
					Fields []struct {
						ID, Type string
						Info     struct{ Label, Notes string }
						Schema   struct {
							NativeType string `json:"native_type"`
						}
					}
					Schema map[string]string
				}](t, c.call("datastore_info", map[string]any{"id": p.Resources[1].ID}))
				if info.Meta.ID != p.Resources[1].ID || info.Meta.Count != odRows || len(info.Fields) != 6 || info.Fields[0].ID != "code" ||
					info.Fields[0].Info.Label != "编号" || info.Fields[1].Type != "int" || info.Fields[1].Schema.NativeType != "bigint" || info.Schema["amount"] != "numeric" {
					t.Fatalf("datastore_info %+v", info)
				}
			})
		}
	})
}

// groupNames are the CKAN group names of the domains.
var groupNames = map[string]string{"地理信息": "geography", "道路交通": "transport", "公共服务": "public-services", "经济统计": "economy",
	"资格资质": "qualifications", "环境环保": "environment", "行政管理": "administration"}
