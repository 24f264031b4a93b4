package opendata

import (
	"cmp"
	"slices"
	"strings"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// The catalog's facets, in the order pages show them.
const (
	FacetDomain    = "domain"
	FacetUnit      = "unit"
	FacetFormat    = "format"
	FacetFrequency = "update_frequency"
	FacetOpenType  = "open_type"
)

// CatalogFacets lists the facets of the dataset catalog.
var CatalogFacets = []string{FacetDomain, FacetUnit, FacetFormat, FacetFrequency, FacetOpenType}

// FacetTitle names a facet for people.
func FacetTitle(facet string) string {
	switch facet {
	case FacetDomain:
		return "领域"
	case FacetUnit:
		return "提供单位"
	case FacetFormat:
		return "格式"
	case FacetFrequency:
		return "更新频率"
	case FacetOpenType:
		return "开放类型"
	}
	return facet
}

// FacetValue is one value of a facet with the number of datasets the
// search would return if it were selected on top of the other facets'
// selections.
type FacetValue struct {
	Value    string `json:"value"`
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected"`
}

// CatalogQuery is a catalog search: words that must all occur, and facet
// selections (several values per facet: OR within a facet, AND across).
type CatalogQuery struct {
	Text     string
	Selected map[string][]string
	Page     int // from 1
	Size     int
	Sort     string // "updated" (default), "title", "records"
}

// Catalog sort orders.
var catalogSorts = []string{"updated", "title", "records"}

// CatalogResult is one page of a catalog search with its facets.
type CatalogResult struct {
	Total    int
	Datasets []store.DatasetSummary
	Facets   map[string][]FacetValue
}

// facetValues returns the values a dataset has for a facet; formats are
// the same for every dataset, keywords may be many.
func facetValues(d *store.DatasetSummary, facet string) []string {
	switch facet {
	case FacetDomain:
		return []string{d.Domain}
	case FacetUnit:
		return []string{d.Unit}
	case FacetFormat:
		return []string{string(CSV), string(JSON), string(XLSX)}
	case FacetFrequency:
		return []string{d.UpdateFrequency}
	case FacetOpenType:
		return []string{d.OpenType}
	case ckanTags:
		return d.Keywords
	case ckanLicense:
		return []string{d.License}
	}
	return nil
}

// facetLabel names a facet value for people.
func facetLabel(facet, value string, unitNames map[string]string) string {
	switch facet {
	case FacetUnit:
		if n := unitNames[value]; n != "" {
			return n
		}
	case FacetFormat:
		return Format(value).Label()
	}
	if value == "" {
		return "未注明"
	}
	return value
}

// textMatcher tells whether a dataset contains every word of a query in
// its title, description, keywords, unit name or id. Matching is by
// substring, which suits Chinese (no word boundaries to rely on), and
// ignores case for Latin letters.
type textMatcher []string

func newTextMatcher(q string) textMatcher {
	var words textMatcher
	for w := range strings.FieldsSeq(strings.ToLower(q)) {
		if w != "*:*" && w != "*" {
			words = append(words, w)
		}
	}
	return words
}

func (m textMatcher) match(d *store.DatasetSummary) bool {
	if len(m) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join([]string{d.ID, d.Title, d.Description, strings.Join(d.Keywords, " "), d.UnitName, d.Unit}, "\n"))
	for _, w := range m {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// hasAny reports whether the dataset has one of the wanted values of a
// facet (no values wanted: true).
func hasAny(d *store.DatasetSummary, facet string, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, v := range facetValues(d, facet) {
		if slices.Contains(want, v) {
			return true
		}
	}
	return false
}

// SearchCatalog filters the datasets and counts the facets. A facet's
// counts ignore that facet's own selection (so that other values can be
// added to it) but apply every other one; therefore selecting a value
// returns exactly as many datasets as its count said, and selecting
// several values of one facet returns their union.
func SearchCatalog(all []store.DatasetSummary, q CatalogQuery) CatalogResult {
	text := newTextMatcher(q.Text)
	unitNames := map[string]string{}
	var base []*store.DatasetSummary
	for i := range all {
		d := &all[i]
		unitNames[d.Unit] = d.UnitName
		if text.match(d) {
			base = append(base, d)
		}
	}
	res := CatalogResult{Facets: map[string][]FacetValue{}}
	var hits []store.DatasetSummary
	for _, d := range base {
		if matchesExcept(d, q.Selected, "") {
			hits = append(hits, *d)
		}
	}
	for _, facet := range CatalogFacets {
		counts := map[string]int{}
		for _, d := range base {
			if !matchesExcept(d, q.Selected, facet) {
				continue
			}
			for _, v := range uniqueValues(facetValues(d, facet)) {
				counts[v]++
			}
		}
		var vals []FacetValue
		for v, n := range counts {
			vals = append(vals, FacetValue{Value: v, Label: facetLabel(facet, v, unitNames), Count: n, Selected: slices.Contains(q.Selected[facet], v)})
		}
		for _, v := range q.Selected[facet] {
			if _, ok := counts[v]; !ok {
				// A selected value that matches nothing is still listed, so
				// that it can be seen and unselected.
				vals = append(vals, FacetValue{Value: v, Label: facetLabel(facet, v, unitNames), Selected: true})
			}
		}
		sortFacet(facet, vals)
		res.Facets[facet] = vals
	}
	sortDatasets(hits, q.Sort)
	res.Total = len(hits)
	size := max(q.Size, 1)
	from := min(max(q.Page-1, 0)*size, len(hits))
	res.Datasets = hits[from:min(from+size, len(hits))]
	return res
}

// matchesExcept applies every facet selection but skip's.
func matchesExcept(d *store.DatasetSummary, selected map[string][]string, skip string) bool {
	for facet, want := range selected {
		if facet != skip && !hasAny(d, facet, want) {
			return false
		}
	}
	return true
}

func uniqueValues(vals []string) []string {
	if len(vals) < 2 {
		return vals
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// sortFacet orders values by count, most first; domains keep the order of
// the notice when counts tie, other facets their label order.
func sortFacet(facet string, vals []FacetValue) {
	slices.SortFunc(vals, func(a, b FacetValue) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if facet == FacetDomain {
			if c := cmp.Compare(domainRank(a.Value), domainRank(b.Value)); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Label, b.Label)
	})
}

func domainRank(d string) int {
	if i := slices.Index(catalog.Domains, d); i >= 0 {
		return i
	}
	return len(catalog.Domains)
}

// sortDatasets orders search hits: by last data update (newest first),
// title or record count (largest first); ties by id.
func sortDatasets(ds []store.DatasetSummary, by string) {
	slices.SortStableFunc(ds, func(a, b store.DatasetSummary) int {
		var c int
		switch by {
		case "title":
			c = cmp.Compare(a.Title, b.Title)
		case "records":
			c = cmp.Compare(b.RowCount, a.RowCount)
		default:
			c = b.DataUpdatedAt.Compare(a.DataUpdatedAt)
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
