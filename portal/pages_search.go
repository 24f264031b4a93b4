package portal

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/indexer"
	"gongkai/internal/catalog"
)

// facetLegends name the search facets for people, in indexer.FacetFields
// order.
var facetLegends = map[string]string{
	"unit": "发布单位", "column": "栏目", "topic": "主题分类", "doc_type": "文种", "year": "发布年份", "validity": "有效性",
}

// searchParams are the query parameters the search page passes on to the
// index; anything else in the URL is ignored rather than refused.
var searchParams = append([]string{"q", "sort", "page", "title_only", "nocorrect"}, indexer.FacetFields...)

type searchHit struct {
	indexer.Hit
	// Snippet is the indexer's excerpt: matches in <mark>, everything else
	// escaped by the indexer, so it is output as it is.
	Snippet template.HTML
}

type facetView struct {
	Field  string
	Legend string
	Values []facetValueView
}

type facetValueView struct {
	ID, Value, Label string
	Count            int
	Selected         bool
}

type linkView struct {
	Text  string
	URL   string
	Count int
}

type searchView struct {
	Query      string
	Sort       string // the order in force: relevance or date
	TitleOnly  bool
	Searched   bool // a query or a filter was given
	Filtered   bool // a filter was given
	Ready      bool // the index answered
	Total      uint64
	Took       string
	First      int // the number of the first hit on this page
	Hits       []searchHit
	Facets     []facetView
	Pager      pager
	Suggestion *linkView
	Corrected  bool      // the hits are the suggestion's: the typed query found nothing
	Original   *linkView // the typed query, searched as typed
	Split      bool      // the words of the query were found apart
	Boundary   bool      // the hits hold the query's characters only across word boundaries
	Relaxed    []linkView
	Popular    []linkView
	ClearURL   string // the query without filters
	Problems   []string
	Notice     string // why there are no results to show, if not for want of hits
}

// searchForm reads the search page's parameters, keeping only those the
// index understands.
func searchForm(q url.Values) url.Values {
	v := url.Values{}
	for _, p := range searchParams {
		for _, s := range q[p] {
			if s = strings.TrimSpace(s); s != "" {
				v.Add(p, s)
			}
		}
	}
	return v
}

// searchURL is the search page for the given parameters.
func searchURL(v url.Values) string {
	if len(v) == 0 {
		return "/search"
	}
	return "/search?" + v.Encode()
}

// without returns a copy of v without the named parameters.
func without(v url.Values, names ...string) url.Values {
	out := url.Values{}
	for k, vals := range v {
		if !slices.Contains(names, k) {
			out[k] = append([]string(nil), vals...)
		}
	}
	return out
}

// newSearchView shapes a search result for the page.
func newSearchView(form url.Values, req indexer.Request, res *indexer.Result) searchView {
	v := searchView{Query: req.Q, TitleOnly: req.TitleOnly, Ready: true, Total: res.Total, Sort: res.Sort,
		Took: tookText(res.Took), First: (res.Page-1)*res.Size + 1}
	v.Filtered = len(req.Filters) > 0
	v.Searched = req.Q != "" || v.Filtered
	v.ClearURL = searchURL(without(form, append([]string{"page"}, indexer.FacetFields...)...))
	for _, h := range res.Hits {
		v.Hits = append(v.Hits, searchHit{Hit: h, Snippet: template.HTML(h.Snippet)})
	}
	for _, f := range res.Facets {
		fv := facetView{Field: f.Field, Legend: facetLegends[f.Field]}
		for i, val := range f.Values {
			label := val.Label
			if f.Field == "year" {
				label += "年"
			}
			fv.Values = append(fv.Values, facetValueView{ID: fmt.Sprintf("f-%s-%d", f.Field, i), Value: val.Value,
				Label: label, Count: val.Count, Selected: val.Selected})
		}
		if len(fv.Values) > 0 {
			v.Facets = append(v.Facets, fv)
		}
	}
	pageless := without(form, "page")
	v.Pager = newPagerAt(func(n int) string {
		u := without(pageless)
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		return searchURL(u)
	}, res.Page, int(min(res.Total, uint64(indexer.MaxWindow))), res.Size, indexer.MaxWindow/max(res.Size, 1))
	if res.Suggestion != "" && res.Suggestion != req.Q {
		u := without(pageless, "q", "nocorrect")
		u.Set("q", res.Suggestion)
		v.Suggestion = &linkView{Text: res.Suggestion, URL: searchURL(u)}
	}
	if res.Corrected {
		v.Corrected = true
		u := without(pageless, "nocorrect")
		u.Set("nocorrect", "1")
		v.Original = &linkView{Text: req.Q, URL: searchURL(u)}
	}
	v.Split = res.Split
	v.Boundary = len(res.Hits) > 0 && res.Hits[0].Boundary
	for _, r := range res.Relaxed {
		text := "不限" + facetLegends[r.Param]
		if r.Param == "title_only" {
			text = "搜索全文而不只是标题"
		}
		v.Relaxed = append(v.Relaxed, linkView{Text: text, URL: searchURL(without(pageless, r.Param)), Count: int(r.Count)})
	}
	for _, p := range res.Popular {
		v.Popular = append(v.Popular, linkView{Text: p.Query, URL: searchURL(url.Values{"q": {p.Query}})})
	}
	return v
}

// searchHandler answers the search page from the index ix. Without an
// index the page still offers the form and points to browsing.
func (s *Server) searchHandler(ix *indexer.Index) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form := searchForm(r.URL.Query())
		q := form.Get("q")
		if ix == nil {
			s.render(w, r, http.StatusOK, "search.html", searchView{Query: truncate(q, 100),
				Notice: "全文检索功能正在准备中，暂时无法检索。"})
			return
		}
		req, err := indexer.ParseRequest(form)
		var res *indexer.Result
		if err == nil {
			req.Client = remoteIP(r) // tells clients apart for the popular queries
			res, err = ix.Search(r.Context(), req)
		}
		var fe catalog.FieldErrors
		switch {
		case err == nil:
			v := newSearchView(form, req, res)
			if !v.Searched && len(v.Popular) == 0 {
				// Before a search, what others look for is a good start.
				if top, err := ix.Popular(r.Context(), 8); err == nil {
					for _, p := range top {
						v.Popular = append(v.Popular, linkView{Text: p.Query, URL: searchURL(url.Values{"q": {p.Query}})})
					}
				}
			}
			s.render(w, r, http.StatusOK, "search.html", v)
		case errors.As(err, &fe):
			v := searchView{Query: truncate(q, 100)}
			for _, e := range fe {
				v.Problems = append(v.Problems, e.Reason)
			}
			s.render(w, r, http.StatusBadRequest, "search.html", v)
		case errors.Is(err, indexer.ErrNotReady):
			s.render(w, r, http.StatusServiceUnavailable, "search.html", searchView{Query: truncate(q, 100),
				Notice: "检索服务正在建立索引，请稍后再试。"})
		case errors.Is(err, context.DeadlineExceeded):
			s.render(w, r, http.StatusServiceUnavailable, "search.html", searchView{Query: truncate(q, 100),
				Notice: "检索超时，请减少检索词或筛选条件后再试。"})
		case errors.Is(err, context.Canceled):
		default:
			s.Log.Error("search failed", slog.String("request_id", requestID(r.Context())), slog.Any("err", err))
			s.render(w, r, http.StatusInternalServerError, "search.html", searchView{Query: truncate(q, 100),
				Notice: "检索服务暂时不可用，请稍后再试。"})
		}
	}
}

// tookText says how long a search took, for people.
func tookText(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d 毫秒", max(d.Milliseconds(), 1))
	}
	return fmt.Sprintf("%.1f 秒", d.Seconds())
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
