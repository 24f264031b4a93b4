package opendata

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Catalog page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	MaxQueryRunes   = 100 // longest catalog query
)

// ParseCatalogQuery reads a catalog search from a query string: q, the
// facets (each repeatable, or comma-separated), page, size and sort.
func ParseCatalogQuery(v url.Values) (CatalogQuery, error) {
	q := CatalogQuery{Text: strings.TrimSpace(v.Get("q")), Page: 1, Size: DefaultPageSize, Selected: map[string][]string{}}
	var errs catalog.FieldErrors
	if utf8.RuneCountInString(q.Text) > MaxQueryRunes {
		errs.Add("q", fmt.Sprintf("检索词过长 (longer than %d characters)", MaxQueryRunes))
	}
	for _, facet := range CatalogFacets {
		for _, raw := range v[facet] {
			for val := range strings.SplitSeq(raw, ",") {
				if val = strings.TrimSpace(val); val != "" && !slices.Contains(q.Selected[facet], val) {
					q.Selected[facet] = append(q.Selected[facet], val)
				}
			}
		}
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			errs.Add("page", fmt.Sprintf("页码应为正整数 (must be a positive whole number; got %q)", s))
		}
		q.Page = n
	}
	if s := v.Get("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			errs.Add("size", fmt.Sprintf("每页条数应为 1–%d (must be 1 to %d; got %q)", MaxPageSize, MaxPageSize, s))
		}
		q.Size = n
	}
	if s := v.Get("sort"); s != "" {
		if !slices.Contains(catalogSorts, s) {
			errs.Add("sort", "排序方式应为 "+strings.Join(catalogSorts, "、")+" 之一 (got "+strconv.Quote(s)+")")
		}
		q.Sort = s
	}
	return q, errs.Err()
}

// Downloads are the download links of a dataset.
type Downloads struct {
	CSV    string `json:"csv"`
	CSVBOM string `json:"csv_bom,omitempty"`
	JSON   string `json:"json"`
	JSONL  string `json:"jsonl,omitempty"`
	XLSX   string `json:"xlsx"`
}

func downloadsOf(id string, all bool) Downloads {
	d := Downloads{CSV: downloadPath(id, CSV), JSON: downloadPath(id, JSON), XLSX: downloadPath(id, XLSX)}
	if all {
		d.CSVBOM = d.CSV + "?bom=1"
		d.JSONL = downloadPath(id, JSONL)
	}
	return d
}

// DatasetItem is a dataset as the catalog API lists it.
type DatasetItem struct {
	ID              string     `json:"id"`
	Title           string     `json:"title"`
	Description     string     `json:"description"`
	Unit            string     `json:"unit"`
	UnitName        string     `json:"unit_name"`
	Domain          string     `json:"domain"`
	UpdateFrequency string     `json:"update_frequency"`
	OpenType        string     `json:"open_type"`
	License         string     `json:"license"`
	Keywords        []string   `json:"keywords"`
	RecordCount     int64      `json:"record_count"`
	LastUpdate      time.Time  `json:"last_update"`
	PublishedAt     *time.Time `json:"published_at,omitempty"`
	URL             string     `json:"url"`
	Downloads       Downloads  `json:"downloads"`
}

func itemOf(d *store.DatasetSummary, allDownloads bool) DatasetItem {
	it := DatasetItem{ID: d.ID, Title: d.Title, Description: d.Description, Unit: d.Unit, UnitName: d.UnitName,
		Domain: d.Domain, UpdateFrequency: d.UpdateFrequency, OpenType: d.OpenType, License: d.License,
		Keywords: d.Keywords, RecordCount: d.RowCount, LastUpdate: d.DataUpdatedAt.In(catalog.Shanghai).Truncate(time.Second),
		URL: datasetPagePath(d.ID), Downloads: downloadsOf(d.ID, allDownloads)}
	if d.PublishedAt != nil {
		t := d.PublishedAt.In(catalog.Shanghai)
		it.PublishedAt = &t
	}
	if it.Keywords == nil {
		it.Keywords = []string{}
	}
	return it
}

// CatalogPage is one page of the catalog: what the JSON API returns and
// the list page shows.
type CatalogPage struct {
	Query    CatalogQuery            `json:"-"`
	Total    int                     `json:"total"`
	Page     int                     `json:"page"`
	Size     int                     `json:"size"`
	Datasets []DatasetItem           `json:"datasets"`
	Facets   map[string][]FacetValue `json:"facets"`
}

// SearchPage runs a catalog search over the store's datasets.
func (s *Service) SearchPage(ctx context.Context, q CatalogQuery) (CatalogPage, error) {
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return CatalogPage{}, err
	}
	res := SearchCatalog(all, q)
	out := CatalogPage{Query: q, Total: res.Total, Page: q.Page, Size: q.Size, Facets: res.Facets,
		Datasets: make([]DatasetItem, len(res.Datasets))}
	for i := range res.Datasets {
		out.Datasets[i] = itemOf(&res.Datasets[i], false)
	}
	return out, nil
}

// VersionItem is one version in a dataset's history.
type VersionItem struct {
	Version     int       `json:"version"`
	RecordCount int64     `json:"record_count"`
	CreatedAt   time.Time `json:"created_at"`
	State       string    `json:"state"`
	// Downloadable: the version's rows are still kept, so a cursor on it
	// still works.
	Downloadable bool `json:"downloadable"`
}

// APILinks are the machine entry points of a dataset.
type APILinks struct {
	Self            string            `json:"self"`
	Rows            string            `json:"rows"`
	CKANPackageShow string            `json:"ckan_package_show"`
	CKANDatastore   string            `json:"ckan_datastore_search"`
	DCAT            string            `json:"dcat"`
	ResourceIDs     map[string]string `json:"ckan_resource_ids"`
}

// SizeEstimate are the expected sizes in bytes of the full downloads,
// extrapolated from the first rows (uncompressed; XLSX is compressed by
// nature).
type SizeEstimate struct {
	CSV       int64 `json:"csv"`
	JSON      int64 `json:"json"`
	XLSX      int64 `json:"xlsx"`
	Estimated bool  `json:"estimated"`
}

// DatasetDetail is a dataset's full metadata: what the dataset API returns
// and the dataset page shows (the page adds the preview).
type DatasetDetail struct {
	DatasetItem
	Version  int             `json:"version"`
	Fields   []catalog.Field `json:"fields"`
	Versions []VersionItem   `json:"versions"`
	Sizes    SizeEstimate    `json:"download_sizes"`
	API      APILinks        `json:"api"`
	// Preview holds the first rows, as text, for the page.
	Preview [][]string `json:"-"`
}

// previewRows is how many rows the dataset page shows; sampleRows how many
// the size estimate looks at.
const (
	previewRows = 10
	sampleRows  = 200
)

// Detail gathers a dataset's metadata, history, first rows and estimated
// download sizes.
func (s *Service) Detail(ctx context.Context, id string) (DatasetDetail, error) {
	p, err := s.pin(ctx, id, nil)
	if err != nil {
		return DatasetDetail{}, err
	}
	versions, err := s.Store.DatasetVersions(ctx, id)
	if err != nil {
		return DatasetDetail{}, err
	}
	sum := store.DatasetSummary{DatasetRecord: p.meta, DataUpdatedAt: p.version.CreatedAt}
	if u, err := s.Store.Unit(ctx, p.meta.Unit); err == nil {
		sum.UnitName = u.Name
	}
	out := DatasetDetail{DatasetItem: itemOf(&sum, true), Version: p.version.Version, Fields: p.version.Fields}
	for _, v := range versions {
		out.Versions = append(out.Versions, VersionItem{Version: v.Version, RecordCount: v.RowCount,
			CreatedAt: v.CreatedAt.In(catalog.Shanghai).Truncate(time.Second), State: v.State, Downloadable: v.State != store.VersionDropped})
	}
	out.API = APILinks{Self: apiDatasetPath(id), Rows: apiDatasetPath(id) + "/rows",
		CKANPackageShow: "/api/3/action/package_show?id=" + url.QueryEscape(id),
		CKANDatastore:   "/api/3/action/datastore_search?resource_id=" + url.QueryEscape(id),
		DCAT:            "/opendata/catalog.jsonld", ResourceIDs: map[string]string{}}
	for _, f := range resourceFormats {
		out.API.ResourceIDs[string(f)] = resourceID(id, f)
	}
	var sample [][]catalog.Value
	err = s.Store.SelectDatasetRows(ctx, id, p.version.Version, store.RowSelect{Limit: sampleRows}, func(_ int64, row []catalog.Value) error {
		sample = append(sample, row)
		return nil
	})
	if err != nil {
		return DatasetDetail{}, err
	}
	for _, row := range sample[:min(previewRows, len(sample))] {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = v.Text
		}
		out.Preview = append(out.Preview, cells)
	}
	out.Sizes = s.sizes.estimate(id, p.version, sample)
	return out, nil
}
