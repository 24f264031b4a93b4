package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai/internal/catalog"
	"gongkai/opendata"
)

// opendataFacetView is one facet of the list page with its values as
// links that add or remove the value.
type opendataFacetView struct {
	Name, Title string
	Values      []opendataFacetLink
}

type opendataFacetLink struct {
	Value    string
	Label    string
	Count    int
	Selected bool
	URL      string
}

// opendataListView is the data of the dataset list page.
type opendataListView struct {
	Crumbs   []crumb
	Query    string
	Result   opendata.CatalogPage
	Facets   []opendataFacetView
	Selected []opendataFacetLink // the active selections, each a link that removes it
	Sorts    []opendataFacetLink
	Pager    pager
	APIURL   string
	ClearURL string
}

// opendataListPage is the dataset catalog: search, facets, datasets.
func (s *Server) opendataListPage(w http.ResponseWriter, r *http.Request, od *opendata.Service) {
	values := r.URL.Query()
	q, err := opendata.ParseCatalogQuery(values)
	if err != nil {
		// A hand-edited URL: bad paging or sort give the first page, an
		// overlong query is cut.
		values.Del("page")
		values.Del("size")
		values.Del("sort")
		if q := []rune(values.Get("q")); len(q) > opendata.MaxQueryRunes {
			values.Set("q", string(q[:opendata.MaxQueryRunes]))
		}
		if q, err = opendata.ParseCatalogQuery(values); err != nil {
			s.renderError(w, r, http.StatusNotFound)
			return
		}
	}
	res, err := od.SearchPage(r.Context(), q)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	v := opendataListView{Crumbs: []crumb{{Name: "首页", URL: "/"}, {Name: "数据开放"}}, Query: q.Text, Result: res,
		APIURL: strings.TrimSuffix("/opendata/api/datasets?"+values.Encode(), "?"), ClearURL: "/opendata/"}
	for _, facet := range opendata.CatalogFacets {
		fv := opendataFacetView{Name: facet, Title: opendata.FacetTitle(facet)}
		for _, val := range res.Facets[facet] {
			link := opendataFacetLink{Value: val.Value, Label: val.Label, Count: val.Count, Selected: val.Selected, URL: toggleFacet(values, facet, val.Value)}
			fv.Values = append(fv.Values, link)
			if val.Selected {
				v.Selected = append(v.Selected, opendataFacetLink{Label: fv.Title + "：" + val.Label, URL: link.URL, Selected: true})
			}
		}
		v.Facets = append(v.Facets, fv)
	}
	for _, o := range []struct{ value, label string }{{"", "最近更新"}, {"title", "标题"}, {"records", "记录数"}} {
		u := withParam(values, "sort", o.value)
		v.Sorts = append(v.Sorts, opendataFacetLink{Label: o.label, URL: u, Selected: q.Sort == o.value || (o.value == "" && q.Sort == "updated")})
	}
	v.Pager = queryPager(values, q.Page, res.Total, q.Size)
	s.render(w, r, http.StatusOK, "opendata_list.html", v)
}

// toggleFacet is the list URL with value added to or removed from facet's
// selection, back on the first page.
func toggleFacet(values url.Values, facet, value string) string {
	q := cloneValues(values)
	q.Del("page")
	var kept []string
	found := false
	for _, raw := range values[facet] {
		if raw == value {
			found = true
			continue
		}
		kept = append(kept, raw)
	}
	if !found {
		kept = append(kept, value)
	}
	q[facet] = kept
	if len(kept) == 0 {
		q.Del(facet)
	}
	return listURL(q)
}

// withParam is the list URL with one parameter set ("" removes it), back
// on the first page.
func withParam(values url.Values, key, value string) string {
	q := cloneValues(values)
	q.Del("page")
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	return listURL(q)
}

func cloneValues(v url.Values) url.Values {
	q := url.Values{}
	for k, vs := range v {
		q[k] = slices.Clone(vs)
	}
	return q
}

func listURL(q url.Values) string {
	if len(q) == 0 {
		return "/opendata/"
	}
	return "/opendata/?" + q.Encode()
}

// queryPager is newPager for a list whose URL carries a query: every link
// keeps the query and sets page.
func queryPager(values url.Values, page, total, size int) pager {
	p := newPager("/opendata/", page, total, size)
	at := func(n int) string {
		q := cloneValues(values)
		q.Del("page")
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		return listURL(q)
	}
	if p.Prev != "" {
		p.Prev = at(page - 1)
	}
	if p.Next != "" {
		p.Next = at(page + 1)
	}
	for i := range p.Links {
		if !p.Links[i].Gap {
			p.Links[i].URL = at(p.Links[i].N)
		}
	}
	return p
}

// opendataDatasetView is the data of a dataset page.
type opendataDatasetView struct {
	Crumbs    []crumb
	D         opendata.DatasetDetail
	Meta      []metaRow
	Fields    []opendataFieldRow
	Preview   [][]string
	Downloads []opendataDownload
	Examples  []opendataExample
	JSONLD    map[string]any
}

type opendataFieldRow struct {
	Name, Title, Type, Description string
}

type opendataDownload struct {
	Label, URL, Note, Size string
}

type opendataExample struct {
	Title, Code string
}

// previewCellRunes is how much of a long cell the preview shows.
const previewCellRunes = 80

// opendataDatasetPage shows a dataset: metadata, field dictionary, the
// first rows, downloads with sizes, and API examples.
func (s *Server) opendataDatasetPage(w http.ResponseWriter, r *http.Request, od *opendata.Service, id string) {
	d, err := od.Detail(r.Context(), id)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	base := od.BaseURL()
	v := opendataDatasetView{D: d, JSONLD: opendata.SchemaOrgDataset(base, d),
		Crumbs: []crumb{{Name: "首页", URL: "/"}, {Name: "数据开放", URL: "/opendata/"}, {Name: d.Title}}}
	published := ""
	if d.PublishedAt != nil {
		published = peopleDate(d.PublishedAt)
	}
	v.Meta = []metaRow{
		{Label: "提供单位", Value: d.UnitName}, {Label: "数据领域", Value: d.Domain},
		{Label: "更新频率", Value: d.UpdateFrequency}, {Label: "开放类型", Value: d.OpenType},
		{Label: "记录数", Value: strconv.FormatInt(d.RecordCount, 10) + " 条"}, {Label: "最后更新", Value: peopleDate(d.LastUpdate)},
		{Label: "发布日期", Value: published}, {Label: "数据版本", Value: fmt.Sprintf("第 %d 版", d.Version)},
		{Label: "许可协议", Value: d.License, Wide: true},
		{Label: "关键词", Value: strings.Join(d.Keywords, "、"), Wide: true},
		{Label: "数据集标识", Value: d.ID, Wide: true},
	}
	for _, f := range d.Fields {
		v.Fields = append(v.Fields, opendataFieldRow{Name: f.Name, Title: f.Title, Type: opendata.TypeLabel(f.Type), Description: f.Description})
	}
	for _, row := range d.Preview {
		cells := make([]string, len(row))
		for i, c := range row {
			if utf8.RuneCountInString(c) > previewCellRunes {
				c = string([]rune(c)[:previewCellRunes]) + "…"
			}
			cells[i] = c
		}
		v.Preview = append(v.Preview, cells)
	}
	approx := func(n int64) string {
		if d.Sizes.Estimated {
			return "约 " + humanSize(n)
		}
		return humanSize(n)
	}
	v.Downloads = []opendataDownload{
		{Label: "CSV", URL: d.Downloads.CSV, Note: "原始数据，逐字节一致：UTF-8，RFC 4180，适合程序读取", Size: approx(d.Sizes.CSV)},
		{Label: "CSV（Excel/WPS 专用）", URL: d.Downloads.CSVBOM, Note: "适合用 Excel 打开：以 = + - @ 开头的文本前加 '，防止公式注入；带 BOM 的 UTF-8，Excel 和 WPS 直接打开不乱码", Size: approx(d.Sizes.CSV + 3)},
		{Label: "XLSX", URL: d.Downloads.XLSX, Note: "Excel 工作簿，文本一律存为文本单元格、不作公式，保留前导零，附字段说明表", Size: approx(d.Sizes.XLSX)},
		{Label: "JSON", URL: d.Downloads.JSON, Note: "对象数组，数值保持原有精度", Size: approx(d.Sizes.JSON)},
		{Label: "JSON Lines", URL: d.Downloads.JSONL, Note: "每行一个对象，适合流式处理", Size: approx(d.Sizes.JSON)},
	}
	v.Examples = datasetExamples(base, d)
	s.render(w, r, http.StatusOK, "opendata_dataset.html", v)
}

// datasetExamples are the copy-paste API calls shown on a dataset page.
func datasetExamples(base string, d opendata.DatasetDetail) []opendataExample {
	quoted := func(u string) string { return "'" + u + "'" }
	filter, columns := "", ""
	if len(d.Fields) > 1 {
		columns = "&fields=" + d.Fields[0].Name + "," + d.Fields[1].Name
	}
	if len(d.Fields) > 0 && len(d.Preview) > 0 {
		for i, f := range d.Fields {
			if val := d.Preview[0][i]; val != "" && f.Type != catalog.TypeBoolean && utf8.RuneCountInString(val) <= 40 {
				filter = "&" + url.Values{f.Name: {val}}.Encode()
				break
			}
		}
	}
	return []opendataExample{
		{Title: "下载全部数据（CSV，支持 gzip 压缩传输）", Code: "curl --compressed -o " + quoted(d.ID+".csv") + " " + quoted(base+d.Downloads.CSV)},
		{Title: "按字段筛选，只取部分列（JSON）", Code: "curl " + quoted(base+d.Downloads.JSON+"?limit=100"+columns+filter)},
		{Title: "分页读取（每页带 next 链接，直到 next 为 null）", Code: "curl " + quoted(base+d.API.Rows+"?limit=1000")},
		{Title: "CKAN 接口（datastore_search）", Code: "curl " + quoted(base+d.API.CKANDatastore+"&limit=100&offset=0")},
		{Title: "Python（pandas，文本列保留前导零）", Code: "import pandas as pd\ndf = pd.read_csv(" + strconv.Quote(base+d.Downloads.CSV) + ", dtype=str, keep_default_na=False)"},
	}
}
