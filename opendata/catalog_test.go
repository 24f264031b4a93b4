package opendata

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

func summary(id, unit, domain, freq, open string, keywords ...string) store.DatasetSummary {
	t := time.Date(2024, 3, 1, 0, 0, 0, 0, catalog.Shanghai)
	return store.DatasetSummary{DatasetRecord: store.DatasetRecord{Dataset: catalog.Dataset{ID: id, Unit: unit, Title: "数据集" + id,
		Description: "描述" + id, Domain: domain, UpdateFrequency: freq, OpenType: open, License: "署名", Keywords: keywords, PublishedAt: &t},
		Version: 1, RowCount: 10, CreatedAt: t, UpdatedAt: t}, UnitName: "单位" + unit, DataUpdatedAt: t}
}

var testCatalog = []store.DatasetSummary{
	summary("a", "jtj", "道路交通", "每月", "无条件开放", "公交"),
	summary("b", "jtj", "道路交通", "每日", "有条件开放", "停车"),
	summary("c", "hbj", "环境环保", "实时", "无条件开放", "空气", "公交"),
	summary("d", "hbj", "环境环保", "每月", "无条件开放"),
	summary("e", "sjj", "经济统计", "每年", "无条件开放"),
	summary("f", "sjj", "道路交通", "每季度", "有条件开放", "道路"),
}

// TestFacetRules checks the multi-select rules on every combination of
// selections: OR within a facet, AND across facets, a facet's counts
// ignore its own selection, and a value's count is exactly what selecting
// it (on top of the rest) returns.
func TestFacetRules(t *testing.T) {
	choices := map[string][][]string{
		FacetDomain:    {nil, {"道路交通"}, {"道路交通", "环境环保"}, {"不存在"}},
		FacetUnit:      {nil, {"jtj"}, {"hbj", "sjj"}},
		FacetOpenType:  {nil, {"无条件开放"}},
		FacetFrequency: {nil, {"每月", "每日"}},
	}
	var combos []map[string][]string
	combos = append(combos, map[string][]string{})
	for _, facet := range []string{FacetDomain, FacetUnit, FacetOpenType, FacetFrequency} {
		var next []map[string][]string
		for _, base := range combos {
			for _, c := range choices[facet] {
				m := map[string][]string{}
				for k, v := range base {
					m[k] = v
				}
				if c != nil {
					m[facet] = c
				}
				next = append(next, m)
			}
		}
		combos = next
	}
	search := func(sel map[string][]string, text string) CatalogResult {
		return SearchCatalog(testCatalog, CatalogQuery{Text: text, Selected: sel, Page: 1, Size: 100})
	}
	for _, text := range []string{"", "公交"} {
		for _, sel := range combos {
			res := search(sel, text)
			// The results: every facet's selection holds (OR within).
			for _, d := range res.Datasets {
				for facet, want := range sel {
					if !hasAny(&d, facet, want) {
						t.Fatalf("%v: %s does not match %s", sel, d.ID, facet)
					}
				}
			}
			for facet, vals := range res.Facets {
				for _, v := range vals {
					// Selecting v instead of the facet's current choice
					// returns exactly v's count.
					alt := map[string][]string{}
					for k, x := range sel {
						alt[k] = x
					}
					alt[facet] = []string{v.Value}
					if got := search(alt, text).Total; got != v.Count {
						t.Fatalf("q=%q %v: %s=%s counts %d, selecting it returns %d", text, sel, facet, v.Value, v.Count, got)
					}
					if v.Selected != slices.Contains(sel[facet], v.Value) {
						t.Fatalf("%v: %s=%s selected %v", sel, facet, v.Value, v.Selected)
					}
				}
				// Several values of one facet return their union.
				if want := sel[facet]; len(want) > 1 {
					sum := 0
					for _, v := range vals {
						if v.Selected {
							sum += v.Count
						}
					}
					if facet != FacetFormat && sum != res.Total {
						t.Fatalf("%v: %s selected counts sum to %d, total %d", sel, facet, sum, res.Total)
					}
				}
			}
		}
	}
	if res := search(map[string][]string{FacetDomain: {"不存在"}}, ""); res.Total != 0 || !res.Facets[FacetDomain][len(res.Facets[FacetDomain])-1].Selected {
		t.Fatalf("a selected value without datasets stays listed: %+v", res.Facets[FacetDomain])
	}
}

func TestSearchCatalogPagingAndText(t *testing.T) {
	res := SearchCatalog(testCatalog, CatalogQuery{Text: "单位HBJ 描述", Page: 1, Size: 1, Sort: "title"})
	if res.Total != 2 || len(res.Datasets) != 1 || res.Datasets[0].ID != "c" {
		t.Fatalf("%+v", res)
	}
	res = SearchCatalog(testCatalog, CatalogQuery{Page: 9, Size: 5})
	if res.Total != 6 || len(res.Datasets) != 0 {
		t.Fatalf("beyond the last page: %+v", res)
	}
}

func TestResourceID(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := resourceID("ds", CSV), resourceID("ds", JSON)
	if !uuid.MatchString(a) || a == b || a != resourceID("ds", CSV) {
		t.Fatalf("%s %s", a, b)
	}
}

// TestDCATCatalog checks the JSON-LD structure: the @context prefixes,
// the catalog, and each dataset's mapped vocabularies and distributions.
func TestDCATCatalog(t *testing.T) {
	b, err := json.Marshal(DCATCatalog("https://data.example.gov.cn", "临沂", "临沂市人民政府办公室", testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	ctx, _ := doc["@context"].(map[string]any)
	for prefix, iri := range map[string]string{"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
		"foaf": "http://xmlns.com/foaf/0.1/", "vcard": "http://www.w3.org/2006/vcard/ns#"} {
		if ctx[prefix] != iri {
			t.Errorf("@context %s = %v", prefix, ctx[prefix])
		}
	}
	if doc["@type"] != "dcat:Catalog" || doc["@id"] != "https://data.example.gov.cn/opendata/catalog.jsonld" {
		t.Fatalf("catalog %v %v", doc["@type"], doc["@id"])
	}
	ds, _ := doc["dcat:dataset"].([]any)
	if len(ds) != len(testCatalog) {
		t.Fatalf("%d datasets", len(ds))
	}
	ref := func(m map[string]any, key string) string {
		x, _ := m[key].(map[string]any)
		s, _ := x["@id"].(string)
		return s
	}
	wantFreq := map[string]string{"a": "MONTHLY", "b": "DAILY", "c": "UPDATE_CONT", "e": "ANNUAL", "f": "QUARTERLY"}
	for _, x := range ds {
		d := x.(map[string]any)
		id := d["dct:identifier"].(string)
		if d["@type"] != "dcat:Dataset" || d["@id"] != "https://data.example.gov.cn/opendata/datasets/"+id {
			t.Errorf("%s: %v %v", id, d["@type"], d["@id"])
		}
		if f, ok := wantFreq[id]; ok && ref(d, "dct:accrualPeriodicity") != euFrequency+f {
			t.Errorf("%s: frequency %s", id, ref(d, "dct:accrualPeriodicity"))
		}
		rights := map[string]string{"无条件开放": "PUBLIC", "有条件开放": "RESTRICTED"}[testCatalog[slices.IndexFunc(testCatalog, func(s store.DatasetSummary) bool { return s.ID == id })].OpenType]
		if ref(d, "dct:accessRights") != euAccessRight+rights {
			t.Errorf("%s: access rights %s", id, ref(d, "dct:accessRights"))
		}
		if theme := ref(d, "dcat:theme"); theme == "" {
			t.Errorf("%s: no theme", id)
		}
		pub, _ := d["dct:publisher"].(map[string]any)
		if pub["@type"] != "foaf:Organization" {
			t.Errorf("%s: publisher %v", id, pub)
		}
		dist, _ := d["dcat:distribution"].([]any)
		if len(dist) != 3 {
			t.Fatalf("%s: %d distributions", id, len(dist))
		}
		for i, y := range dist {
			dd := y.(map[string]any)
			want := fmt.Sprintf("https://data.example.gov.cn/opendata/datasets/%s.%s", id, resourceFormats[i])
			if dd["@type"] != "dcat:Distribution" || ref(dd, "dcat:downloadURL") != want || ref(dd, "dcat:mediaType") != ianaMedia+resourceFormats[i].ianaType() {
				t.Errorf("%s: distribution %v", id, dd)
			}
		}
	}
}
