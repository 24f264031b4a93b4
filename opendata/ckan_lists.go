package opendata

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"gongkai/internal/store"
)

// ckanTagDict is a tag as tag_list returns it with all_fields.
type ckanTagDict struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	DisplayName  string  `json:"display_name"`
	VocabularyID *string `json:"vocabulary_id"`
}

// ckanTagList answers tag_list: the keywords of every dataset, by name,
// those containing query (or q) when given. Tags here have no
// vocabularies; vocabulary_id is accepted and changes nothing.
func (s *Service) ckanTagList(ctx context.Context, _ string, p ckanParams) (any, error) {
	q, err := p.str("query")
	if err != nil {
		return nil, err
	}
	if q == "" {
		if q, err = p.str("q"); err != nil {
			return nil, err
		}
	}
	if _, err := p.str("vocabulary_id"); err != nil {
		return nil, err
	}
	allFields, err := p.boolean("all_fields", false)
	if err != nil {
		return nil, err
	}
	limit, offset, err := p.page(0, 1<<20)
	if err != nil {
		return nil, err
	}
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	var names []string
	for _, d := range all {
		for _, k := range d.Keywords {
			if k != "" && (q == "" || strings.Contains(strings.ToLower(k), q)) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	names = pageOf(slices.Compact(names), limit, offset)
	if !allFields {
		return names, nil
	}
	out := make([]ckanTagDict, len(names))
	for i, n := range names {
		out[i] = ckanTagDict{ID: n, Name: n, DisplayName: n}
	}
	return out, nil
}

// ckanCurrentPackages answers current_package_list_with_resources: the
// datasets with their resources, most recently modified first, a page of
// limit (default 10, as CKAN's search) from offset, or from the
// deprecated page.
func (s *Service) ckanCurrentPackages(ctx context.Context, base string, p ckanParams) (any, error) {
	limit, err := p.integer("limit", 10, 0, maxCKANList)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 10
	}
	offset, err := p.integer("offset", 0, 0, 1<<30)
	if err != nil {
		return nil, err
	}
	if _, given := p["offset"]; !given {
		page, err := p.integer("page", 1, 1, 1<<20)
		if err != nil {
			return nil, err
		}
		offset = (page - 1) * limit
	}
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	ds := make([]*store.DatasetSummary, len(all))
	for i := range all {
		ds[i] = &all[i]
	}
	slices.SortStableFunc(ds, newestFirst)
	out := []ckanPackage{}
	for _, d := range pageOf(ds, limit, offset) {
		out = append(out, packageOf(base, d))
	}
	return out, nil
}

// ckanAutocomplete is one answer of package_autocomplete.
type ckanAutocomplete struct {
	Name           string `json:"name"`
	Title          string `json:"title"`
	MatchField     string `json:"match_field"`
	MatchDisplayed string `json:"match_displayed"`
}

// maxAutocomplete caps package_autocomplete's limit.
const maxAutocomplete = 100

// ckanPackageAutocomplete answers package_autocomplete: datasets whose
// name or title contains q (ignoring case), names that start with it
// first, then names containing it, then titles; ties by name.
func (s *Service) ckanPackageAutocomplete(ctx context.Context, _ string, p ckanParams) (any, error) {
	q, err := p.required("q")
	if err != nil {
		return nil, err
	}
	if len(q) > ckanMaxValueBytes {
		return nil, ckanValidation("q", "检索词过长 (q is longer than 500 bytes)")
	}
	limit, err := p.integer("limit", 10, 0, maxAutocomplete)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 10
	}
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	lower := strings.ToLower(q)
	type hit struct {
		rank int
		ckanAutocomplete
	}
	var hits []hit
	for _, d := range all {
		name := strings.ToLower(d.ID)
		switch {
		case strings.HasPrefix(name, lower):
			hits = append(hits, hit{0, ckanAutocomplete{d.ID, d.Title, "name", d.ID}})
		case strings.Contains(name, lower):
			hits = append(hits, hit{1, ckanAutocomplete{d.ID, d.Title, "name", d.ID}})
		case strings.Contains(strings.ToLower(d.Title), lower):
			hits = append(hits, hit{2, ckanAutocomplete{d.ID, d.Title, "title", d.Title + " (" + d.ID + ")"}})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	out := make([]ckanAutocomplete, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, h.ckanAutocomplete)
	}
	return out, nil
}
