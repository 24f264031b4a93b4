package opendata

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"gongkai/internal/store"
)

// fqClause is one field:value filter of package_search; any of the
// values matches.
type fqClause struct {
	facet  string
	values []string
}

// parseFQ reads the Solr filter subset CKAN clients send: space-separated
// terms field:value, field:"quoted value" or field:(a OR b), optionally
// prefixed with +, joined by AND.
func parseFQ(fq string) ([]fqClause, error) {
	var out []fqClause
	rest := strings.TrimSpace(fq)
	for rest != "" {
		var term string
		term, rest = nextFQTerm(rest)
		term = strings.TrimPrefix(term, "+")
		if term == "" || term == "AND" || term == "&&" {
			continue
		}
		field, val, ok := strings.Cut(term, ":")
		if !ok {
			return nil, ckanValidation("fq", fmt.Sprintf("无法理解 %q，应为 字段:值 (expected field:value)", term))
		}
		facet, known := ckanFacets[field]
		if !known {
			return nil, ckanValidation("fq", fmt.Sprintf("不支持按 %q 筛选 (unsupported field; use organization, groups, res_format, tags, license_id, update_frequency, open_type, name)", field))
		}
		var vals []string
		if strings.HasPrefix(val, "(") && strings.HasSuffix(val, ")") {
			inner := strings.TrimSpace(val[1 : len(val)-1])
			for inner != "" {
				var v string
				v, inner = nextFQTerm(inner)
				if v != "OR" && v != "||" && v != "" {
					vals = append(vals, unquoteFQ(v))
				}
			}
		} else {
			vals = []string{unquoteFQ(val)}
		}
		for i, v := range vals {
			switch facet {
			case FacetDomain:
				vals[i] = domainOfGroup(v)
			case FacetFormat:
				vals[i] = strings.ToLower(v)
			}
		}
		out = append(out, fqClause{facet: facet, values: vals})
	}
	return out, nil
}

// nextFQTerm cuts the first term off s: up to a space outside quotes and
// parentheses.
func nextFQTerm(s string) (string, string) {
	s = strings.TrimSpace(s)
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
		case c == ')' && !quoted:
			depth--
		case (c == ' ' || c == '\t') && !quoted && depth <= 0:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func unquoteFQ(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

func (c fqClause) match(d *store.DatasetSummary) bool {
	if c.facet == ckanName {
		return slices.Contains(c.values, d.ID)
	}
	return hasAny(d, c.facet, c.values)
}

// splitQuery separates the field:value terms some clients put in q (as
// Solr allows) from the words: the terms filter like fq, the words
// search the text.
func splitQuery(q string) (textMatcher, []fqClause) {
	var words []string
	var clauses []fqClause
	for w := range strings.FieldsSeq(q) {
		if field, _, ok := strings.Cut(w, ":"); ok {
			if _, known := ckanFacets[field]; known {
				if c, err := parseFQ(w); err == nil {
					clauses = append(clauses, c...)
					continue
				}
			}
		}
		words = append(words, w)
	}
	return newTextMatcher(strings.Join(words, " ")), clauses
}

// ckanFacetItem is one value of a search facet.
type ckanFacetItem struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Count       int    `json:"count"`
}

type ckanSearchFacet struct {
	Title string          `json:"title"`
	Items []ckanFacetItem `json:"items"`
}

func (s *Service) ckanPackageSearch(ctx context.Context, base string, p ckanParams) (any, error) {
	q, err := p.str("q")
	if err != nil {
		return nil, err
	}
	fq, err := p.str("fq")
	if err != nil {
		return nil, err
	}
	clauses, err := parseFQ(fq)
	if err != nil {
		return nil, err
	}
	text, more := splitQuery(q)
	clauses = append(clauses, more...)
	rows, err := p.integer("rows", 10, 0, 1000)
	if err != nil {
		return nil, err
	}
	start, err := p.integer("start", 0, 0, 1<<30)
	if err != nil {
		return nil, err
	}
	facetFields, err := p.list("facet.field")
	if err != nil {
		return nil, err
	}
	if _, given := p["facet.field"]; !given {
		if on, err := p.boolean("facet", true); err != nil {
			return nil, err
		} else if on {
			facetFields = ckanDefaultFacets
		}
	}
	for _, f := range facetFields {
		if _, ok := ckanFacets[f]; !ok || f == "name" || f == "id" {
			return nil, ckanValidation("facet.field", fmt.Sprintf("不支持的分面 %q (unsupported facet)", f))
		}
	}
	facetLimit, err := p.integer("facet.limit", 50, -1, 1<<20)
	if err != nil {
		return nil, err
	}
	sortSpec, err := p.str("sort")
	if err != nil {
		return nil, err
	}
	less, err := ckanPackageOrder(sortSpec)
	if err != nil {
		return nil, err
	}

	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	var hits []*store.DatasetSummary
	unitNames := map[string]string{}
	for i := range all {
		d := &all[i]
		unitNames[d.Unit] = d.UnitName
		if !text.match(d) {
			continue
		}
		ok := true
		for _, c := range clauses {
			if !c.match(d) {
				ok = false
				break
			}
		}
		if ok {
			hits = append(hits, d)
		}
	}
	slices.SortStableFunc(hits, less)

	facets := map[string]map[string]int{}
	searchFacets := map[string]ckanSearchFacet{}
	for _, field := range facetFields {
		facet := ckanFacets[field]
		counts := map[string]int{}
		for _, d := range hits {
			for _, v := range uniqueValues(facetValues(d, facet)) {
				counts[ckanFacetName(facet, v)]++
			}
		}
		items := make([]ckanFacetItem, 0, len(counts))
		for name, n := range counts {
			items = append(items, ckanFacetItem{Name: name, DisplayName: ckanFacetDisplay(facet, name, unitNames), Count: n})
		}
		slices.SortFunc(items, func(a, b ckanFacetItem) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return cmp.Compare(a.Name, b.Name)
		})
		if facetLimit >= 0 && len(items) > facetLimit {
			items = items[:facetLimit]
		}
		facets[field] = counts
		searchFacets[field] = ckanSearchFacet{Title: field, Items: items}
	}
	results := []ckanPackage{}
	for _, d := range hits[min(start, len(hits)):min(start+rows, len(hits))] {
		results = append(results, packageOf(base, d))
	}
	if sortSpec == "" {
		sortSpec = "score desc, metadata_modified desc"
	}
	return map[string]any{"count": len(hits), "sort": sortSpec, "facets": facets, "search_facets": searchFacets, "results": results}, nil
}

// ckanFacetName is a facet value as CKAN names it: groups by their ASCII
// name, formats in capitals.
func ckanFacetName(facet, v string) string {
	switch facet {
	case FacetDomain:
		return groupName(v)
	case FacetFormat:
		return Format(v).Label()
	}
	return v
}

func ckanFacetDisplay(facet, name string, unitNames map[string]string) string {
	switch facet {
	case FacetDomain:
		return domainOfGroup(name)
	case FacetUnit:
		if n := unitNames[name]; n != "" {
			return n
		}
	}
	return name
}

// ckanPackageOrder reads package_search's sort: comma-separated "field
// dir"; score is accepted and means the default order (newest first).
func ckanPackageOrder(spec string) (func(a, b *store.DatasetSummary) int, error) {
	type key struct {
		field string
		desc  bool
	}
	var keys []key
	for part := range strings.SplitSeq(spec, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		k := key{field: f[0]}
		if len(f) > 1 {
			switch strings.ToLower(f[1]) {
			case "asc":
			case "desc":
				k.desc = true
			default:
				return nil, ckanValidation("sort", fmt.Sprintf("排序方向应为 asc 或 desc (got %q)", f[1]))
			}
		}
		switch k.field {
		case "score", "metadata_modified", "metadata_created", "name", "title_string", "title", "id":
		default:
			return nil, ckanValidation("sort", fmt.Sprintf("不支持按 %q 排序 (unsupported sort field)", k.field))
		}
		keys = append(keys, k)
	}
	keys = append(keys, key{field: "metadata_modified", desc: true}, key{field: "name"})
	return func(a, b *store.DatasetSummary) int {
		for _, k := range keys {
			var c int
			switch k.field {
			case "score":
				continue
			case "metadata_modified":
				c = a.UpdatedAt.Compare(b.UpdatedAt)
			case "metadata_created":
				c = a.CreatedAt.Compare(b.CreatedAt)
			case "name", "id":
				c = cmp.Compare(a.ID, b.ID)
			default:
				c = cmp.Compare(a.Title, b.Title)
			}
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}, nil
}
