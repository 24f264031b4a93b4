package indexer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// facetSize is how many values a facet lists: every unit, column, topic,
// document type, year and validity of a city catalog fits.
const facetSize = 200

// Result is one page of a search.
type Result struct {
	Total      uint64
	Took       time.Duration
	Suggestion string // "did you mean", "" when there is none
	Hits       []Hit
	Facets     []Facet // in FacetFields order
	Next       string  // cursor of the following page, "" after the last
	Sort       string
	Page, Size int
	// When nothing was found: what people often search for, and how many
	// hits dropping one filter would give.
	Popular []store.QueryCount
	Relaxed []Relaxation
}

// Hit is one entry found.
type Hit struct {
	ID, IndexNo, Title        string
	Unit, UnitName            string
	Column, ColumnName, DocNo string
	PublishedAt               *time.Time
	Snippet                   string // HTML: matches in <mark>, the rest escaped
	Score                     float64
}

// Facet counts the hits per value of one field. The counts of a facet
// ignore its own selection (so that more values can be added to it) and
// honour every other one: a count is exactly what selecting that value
// alone would give.
type Facet struct {
	Field  string
	Values []FacetValue
}

// FacetValue is one value of a facet.
type FacetValue struct {
	Value, Label string
	Count        int
	Selected     bool
}

// Relaxation says how many hits the search has without one of its filters
// (Param "title_only" for the title-only switch).
type Relaxation struct {
	Param string
	Count uint64
}

// Search runs a search within the time budget. Invalid requests come back
// as catalog.FieldErrors; ErrNotReady before the first index exists.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	res, err := ix.search(ctx, r)
	elapsed := time.Since(start)
	ix.opt.Metrics.Duration.Observe(elapsed.Seconds())
	var fe catalog.FieldErrors
	switch {
	case err == nil && res.Total == 0:
		ix.opt.Metrics.Requests.WithLabelValues("empty").Inc()
	case err == nil:
		ix.opt.Metrics.Requests.WithLabelValues("hits").Inc()
	case errors.As(err, &fe):
		ix.opt.Metrics.Requests.WithLabelValues("invalid").Inc()
	case errors.Is(err, context.DeadlineExceeded):
		ix.opt.Metrics.Requests.WithLabelValues("timeout").Inc()
	case errors.Is(err, ErrNotReady):
		ix.opt.Metrics.Requests.WithLabelValues("not_ready").Inc()
	default:
		ix.opt.Metrics.Requests.WithLabelValues("error").Inc()
	}
	if res != nil {
		res.Took = elapsed
	}
	return res, err
}

func (ix *Index) search(ctx context.Context, r Request) (*Result, error) {
	var errs catalog.FieldErrors
	if r.Size == 0 {
		r.Size = DefaultSize
	}
	if r.Size < 0 || r.Size > MaxSize {
		errs.Add("size", fmt.Sprintf("每页条数应为 1 到 %d 之间的整数 (size must be 1..%d)", MaxSize, MaxSize))
	}
	r.Page = max(r.Page, 1)
	if r.After == "" && r.Page*r.Size > MaxWindow {
		errs.Add("page", fmt.Sprintf("页码过大，更深请使用 after 游标 (beyond %d results use the after cursor)", MaxWindow))
	}
	sortBy := r.sort()
	var cur *cursor
	if r.After != "" {
		c, err := decodeCursor(r.After, sortBy)
		if err != nil {
			errs.Add("after", err.Error())
		}
		cur = &c
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	filters := map[string][]string{}
	for _, f := range FacetFields {
		if vs := r.Filters[f]; len(vs) > 0 {
			filters[f] = vs
		}
	}

	ctx, cancel := context.WithTimeout(ctx, ix.opt.SearchTimeout)
	defer cancel()
	g, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer ix.release()

	pq := ix.parseQuery(r.Q, ix.synonyms.get())
	text := ix.textQuery(pq, r.TitleOnly)
	from := (r.Page - 1) * r.Size
	req := bleve.NewSearchRequestOptions(withFilters(text, filters, ""), r.Size, from, false)
	req.Fields = []string{fTitle, fIndexNo, fUnit, fColumn, fDocNo, fPublished, fBody, fAtt, fSummary}
	req.IncludeLocations = text != nil
	req.SortByCustom(sortOrder(sortBy))
	if cur != nil {
		req.From = 0
		req.SearchAfter = cur.Values
	}
	for _, f := range FacetFields {
		if len(filters[f]) == 0 {
			req.AddFacet(f, bleve.NewFacetRequest(f, facetSize))
		}
	}
	sr, err := g.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("indexer: search: %w", err)
	}
	facets := map[string]*search.FacetResult{}
	for f, fr := range sr.Facets {
		facets[f] = fr
	}
	// A selected facet is counted with the other filters only.
	for f := range filters {
		fr := bleve.NewSearchRequestOptions(withFilters(text, filters, f), 0, 0, false)
		fr.AddFacet(f, bleve.NewFacetRequest(f, facetSize))
		out, err := g.bi.SearchInContext(ctx, fr)
		if err != nil {
			return nil, fmt.Errorf("indexer: facet %s: %w", f, err)
		}
		facets[f] = out.Facets[f]
	}

	res := &Result{Total: sr.Total, Sort: sortBy, Page: r.Page, Size: r.Size, Hits: make([]Hit, 0, len(sr.Hits))}
	for _, h := range sr.Hits {
		res.Hits = append(res.Hits, ix.hit(h))
	}
	res.Facets = ix.facetList(facets, filters)
	if n := len(sr.Hits); n == r.Size && n > 0 && (cur != nil || uint64(from+n) < sr.Total) {
		res.Next = encodeCursor(cursor{Sort: sortBy, Values: afterValues(sr.Hits[n-1], sortBy)})
	}
	if text != nil {
		res.Suggestion = ix.suggest(ctx, g, pq)
	}
	if res.Total == 0 {
		if res.Popular, err = ix.popular.top(ctx, 8); err != nil {
			res.Popular = nil
		}
		res.Relaxed = ix.relaxations(ctx, g, text, filters, pq, r.TitleOnly)
	} else if r.Page == 1 && r.After == "" && strings.TrimSpace(r.Q) != "" {
		ix.popular.record(r.Q)
	}
	return res, nil
}

// withFilters adds the facet filters (except the one named skip) to the
// text query; they restrict the hits without touching their scores.
func withFilters(text query.Query, filters map[string][]string, skip string) query.Query {
	var conds []query.Query
	for _, f := range FacetFields {
		vs := filters[f]
		if f == skip || len(vs) == 0 {
			continue
		}
		var any []query.Query
		for _, v := range vs {
			tq := query.NewTermQuery(v)
			tq.SetField(f)
			any = append(any, tq)
		}
		conds = append(conds, disjunction(any))
	}
	if len(conds) == 0 {
		if text == nil {
			return query.NewMatchAllQuery()
		}
		return text
	}
	var must []query.Query
	if text != nil {
		must = []query.Query{text}
	}
	b := query.NewBooleanQuery(must, nil, nil)
	b.AddFilter(conjunction(conds))
	return b
}

// sortOrder is relevance (then newest, then id) or newest first (then id):
// always a total order, so that cursors never skip or repeat a hit.
func sortOrder(by string) search.SortOrder {
	date := &search.SortField{Field: fPublished, Type: search.SortFieldAsDate, Desc: true, Missing: search.SortFieldMissingLast}
	if by == SortDate {
		return search.SortOrder{date, &search.SortDocID{}}
	}
	return search.SortOrder{&search.SortScore{Desc: true}, date, &search.SortDocID{}}
}

// afterValues are the sort values of a hit, as a cursor resumes after it.
func afterValues(h *search.DocumentMatch, by string) []string {
	vals := append([]string{}, h.DecodedSort...)
	if by == SortRelevance && len(vals) > 0 {
		vals[0] = strconv.FormatFloat(h.Score, 'g', -1, 64)
	}
	return vals
}

func (ix *Index) hit(h *search.DocumentMatch) Hit {
	str := func(f string) string { s, _ := h.Fields[f].(string); return s }
	out := Hit{ID: h.ID, Title: str(fTitle), IndexNo: str(fIndexNo), Unit: str(fUnit), Column: str(fColumn),
		DocNo: str(fDocNo), Score: h.Score}
	out.UnitName = ix.labels.unit(out.Unit)
	out.ColumnName = ix.labels.column(out.Column)
	if t, err := time.Parse(time.RFC3339Nano, str(fPublished)); err == nil {
		t = t.In(catalog.Shanghai)
		out.PublishedAt = &t
	}
	out.Snippet = snippetOf(h, str)
	return out
}

// facetList orders the facets and their values: years newest first,
// everything else by count. Selected values are always listed.
func (ix *Index) facetList(facets map[string]*search.FacetResult, filters map[string][]string) []Facet {
	out := make([]Facet, 0, len(FacetFields))
	for _, f := range FacetFields {
		fc := Facet{Field: f, Values: []FacetValue{}}
		seen := map[string]bool{}
		if fr := facets[f]; fr != nil {
			for _, t := range fr.Terms.Terms() {
				seen[t.Term] = true
				fc.Values = append(fc.Values, FacetValue{Value: t.Term, Count: t.Count})
			}
		}
		for _, v := range filters[f] {
			if !seen[v] {
				fc.Values = append(fc.Values, FacetValue{Value: v})
			}
		}
		for i := range fc.Values {
			v := &fc.Values[i]
			v.Selected = contains(filters[f], v.Value)
			switch f {
			case "unit":
				v.Label = ix.labels.unit(v.Value)
			case "column":
				v.Label = ix.labels.column(v.Value)
			default:
				v.Label = v.Value
			}
		}
		sort.SliceStable(fc.Values, func(i, j int) bool {
			a, b := fc.Values[i], fc.Values[j]
			if f == "year" {
				return a.Value > b.Value
			}
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			return a.Value < b.Value
		})
		out = append(out, fc)
	}
	return out
}

// relaxations tell, for a search that found nothing, what dropping each
// filter (or the title-only switch) would find.
func (ix *Index) relaxations(ctx context.Context, g *generation, text query.Query, filters map[string][]string, pq parsedQuery, titleOnly bool) []Relaxation {
	var out []Relaxation
	count := func(q query.Query) uint64 {
		sr, err := g.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 0, 0, false))
		if err != nil {
			return 0
		}
		return sr.Total
	}
	for _, f := range FacetFields {
		if len(filters[f]) == 0 {
			continue
		}
		if n := count(withFilters(text, filters, f)); n > 0 {
			out = append(out, Relaxation{Param: f, Count: n})
		}
	}
	if titleOnly && text != nil {
		if n := count(withFilters(ix.textQuery(pq, false), filters, "")); n > 0 {
			out = append(out, Relaxation{Param: "title_only", Count: n})
		}
	}
	return out
}
