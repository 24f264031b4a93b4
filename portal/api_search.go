package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"gongkai/indexer"
	"gongkai/internal/httpjson"
)

// searchRoutes names the search API's URLs.
func (s *Server) searchRoutes(r *mux.Router) {
	r.HandleFunc("/api/v1/search", s.apiSearch).Methods(http.MethodGet)
	r.HandleFunc("/api/v1/search/popular", s.apiSearchPopular).Methods(http.MethodGet)
}

type searchHitJSON struct {
	ID          string     `json:"id"`
	IndexNo     string     `json:"index_no"`
	Title       string     `json:"title"`
	Unit        string     `json:"unit"`
	UnitName    string     `json:"unit_name"`
	Column      string     `json:"column"`
	ColumnName  string     `json:"column_name"`
	DocNo       string     `json:"doc_no"`
	PublishedAt *time.Time `json:"published_at"`
	URL         string     `json:"url"`
	PageURL     string     `json:"page_url"`
	Snippet     string     `json:"snippet"`
	Boundary    bool       `json:"boundary,omitempty"`
}

type facetValueJSON struct {
	Value    string `json:"value"`
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected"`
}

type popularJSON struct {
	Q     string `json:"q"`
	Count int64  `json:"count"`
	URL   string `json:"url"`
}

type relaxedJSON struct {
	Param string `json:"param"`
	Count uint64 `json:"count"`
}

type searchJSON struct {
	Total      uint64                      `json:"total"`
	TookMS     int64                       `json:"took_ms"`
	Suggestion *string                     `json:"suggestion"`
	Corrected  bool                        `json:"corrected"`
	Hits       []searchHitJSON             `json:"hits"`
	Facets     map[string][]facetValueJSON `json:"facets"`
	Page       int                         `json:"page"`
	Size       int                         `json:"size"`
	Sort       string                      `json:"sort"`
	Next       *string                     `json:"next"`
	Popular    []popularJSON               `json:"popular,omitempty"`
	Relaxed    []relaxedJSON               `json:"relaxed,omitempty"`
}

// apiSearch answers GET /api/v1/search: full-text search over published
// entries with facets, snippets and suggestions.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	req, err := indexer.ParseRequest(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.Index == nil {
		httpjson.Error(w, http.StatusServiceUnavailable, "not_ready", "搜索暂不可用 (search is not available)")
		return
	}
	req.Client = remoteIP(r) // tells clients apart for the popular queries
	res, err := s.Index.Search(r.Context(), req)
	if errors.Is(err, indexer.ErrNotReady) {
		w.Header().Set("Retry-After", "30")
		httpjson.Error(w, http.StatusServiceUnavailable, "not_ready", "搜索索引正在建立，请稍后再试 (search index is being built)")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, searchResultJSON(res))
}

func searchResultJSON(res *indexer.Result) searchJSON {
	out := searchJSON{Total: res.Total, TookMS: res.Took.Milliseconds(), Hits: make([]searchHitJSON, len(res.Hits)),
		Facets: map[string][]facetValueJSON{}, Page: res.Page, Size: res.Size, Sort: res.Sort, Corrected: res.Corrected}
	if res.Suggestion != "" {
		out.Suggestion = &res.Suggestion
	}
	if res.Next != "" {
		out.Next = &res.Next
	}
	for i, h := range res.Hits {
		out.Hits[i] = searchHitJSON{ID: h.ID, IndexNo: h.IndexNo, Title: h.Title, Unit: h.Unit, UnitName: h.UnitName,
			Column: h.Column, ColumnName: h.ColumnName, DocNo: h.DocNo, PublishedAt: h.PublishedAt,
			URL: entryURL(h.ID), PageURL: "/entries/" + url.PathEscape(h.ID), Snippet: h.Snippet, Boundary: h.Boundary}
	}
	for _, f := range res.Facets {
		vals := make([]facetValueJSON, len(f.Values))
		for i, v := range f.Values {
			vals[i] = facetValueJSON{Value: v.Value, Label: v.Label, Count: v.Count, Selected: v.Selected}
		}
		out.Facets[f.Field] = vals
	}
	for _, p := range res.Popular {
		out.Popular = append(out.Popular, popularJSON{Q: p.Query, Count: p.Count, URL: "/api/v1/search?q=" + url.QueryEscape(p.Query)})
	}
	if res.Split {
		// The words of the query were found apart, not as typed.
		out.Relaxed = append(out.Relaxed, relaxedJSON{Param: "q", Count: res.Total})
	}
	for _, rx := range res.Relaxed {
		out.Relaxed = append(out.Relaxed, relaxedJSON{Param: rx.Param, Count: rx.Count})
	}
	return out
}

// apiSearchPopular answers GET /api/v1/search/popular?n=: the most asked
// queries, counts only.
func (s *Server) apiSearchPopular(w http.ResponseWriter, r *http.Request) {
	n := 10
	for k, vs := range r.URL.Query() {
		if k != "n" {
			httpjson.Error(w, http.StatusBadRequest, "invalid", "未知参数 "+strconv.Quote(k)+" (unknown parameter; known: n)")
			return
		}
		v, err := strconv.Atoi(vs[0])
		if err != nil || v < 1 || v > 50 {
			httpjson.Error(w, http.StatusBadRequest, "invalid", "n 应为 1 到 50 之间的整数 (n must be 1..50)")
			return
		}
		n = v
	}
	if s.Index == nil {
		httpjson.Error(w, http.StatusServiceUnavailable, "not_ready", "搜索暂不可用 (search is not available)")
		return
	}
	list, err := s.Index.Popular(r.Context(), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]popularJSON, len(list))
	for i, p := range list {
		out[i] = popularJSON{Q: p.Query, Count: p.Count, URL: "/api/v1/search?q=" + url.QueryEscape(p.Query)}
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"queries": out})
}
