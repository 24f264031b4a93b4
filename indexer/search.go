package indexer

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	// Degraded is set when the search did not fit its time budget and was
	// answered leaner: facet counts missing (facets list only the selected
	// values), bodies and attachments not searched, no suggestion.
	Degraded bool
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
	case err == nil && res.Degraded:
		ix.opt.Metrics.Requests.WithLabelValues("degraded").Inc()
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

	budget := ix.opt.SearchTimeout
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	g, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer ix.release()

	syn := ix.synonyms.get()
	state := cacheState{generation: g.name, checkpoint: g.checkpoint.Load(), synonyms: syn}
	key := cacheKey(r)
	if res, ok := ix.cache.get(key, state); ok {
		switch {
		case res.Total == 0:
			// What people search for changes without the index changing.
			if res.Popular, err = ix.popular.top(ctx, 8); err != nil {
				res.Popular = nil
			}
		case r.Page == 1 && r.After == "" && strings.TrimSpace(r.Q) != "":
			ix.popular.record(r.Q)
		}
		return res, nil
	}

	pq := ix.parseQuery(r.Q, syn)
	text := ix.textQuery(pq, ix.boundAdjacency(ctx, g, pq, fieldsFor(r.TitleOnly, false), maxBodyAdjacency))
	from := (r.Page - 1) * r.Size
	var open []string // facets without a selection: counted by the page's own search
	for _, f := range FacetFields {
		if len(filters[f]) == 0 {
			open = append(open, f)
		}
	}
	page := func(q query.Query, withFacets bool) *bleve.SearchRequest {
		req := bleve.NewSearchRequestOptions(q, r.Size, from, false)
		req.Fields = []string{fTitle, fIndexNo, fUnit, fColumn, fDocNo, fPublished, fBody, fAtt, fSummary}
		req.SortByCustom(sortOrder(sortBy))
		if sortBy == SortDate {
			req.Score = bleve.ScoreNone // newest first: scores would be computed for nothing
		}
		if cur != nil {
			req.From = 0
			req.SearchAfter = cur.Values
		}
		if withFacets {
			addFacets(req, open)
		}
		return req
	}

	// The time budget: the full search gets most of it. One that does not
	// fit is run again leaner, without facet counts and without the
	// n-grams of bodies and attachments, so that a slow query degrades
	// instead of failing.
	degraded := false
	used := text // the text query the hits were found with
	mainCtx, mainCancel := context.WithTimeout(ctx, budget*6/10)
	sr, err := g.bi.SearchInContext(mainCtx, page(withFilters(text, filters, ""), true))
	mainCancel()
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		degraded = true
		used = ix.textQuery(pq, fieldsFor(r.TitleOnly, true))
		sr, err = g.bi.SearchInContext(ctx, page(withFilters(used, filters, ""), false))
	}
	if err != nil {
		return nil, fmt.Errorf("indexer: search: %w", err)
	}
	ix.matchLocations(ctx, g, used, sr.Hits)
	facets := facetResults(sr, open)
	// A selected facet is counted with the other filters only; when the
	// budget runs out first, its values are listed without counts.
	for _, f := range FacetFields {
		if len(filters[f]) == 0 || degraded {
			continue
		}
		fr := bleve.NewSearchRequestOptions(withFilters(text, filters, f), 0, 0, false)
		fr.Score = bleve.ScoreNone // counts only
		addFacets(fr, []string{f})
		out, err := g.bi.SearchInContext(ctx, fr)
		if err != nil {
			if ctx.Err() != nil {
				degraded = true
				continue
			}
			return nil, fmt.Errorf("indexer: facet %s: %w", f, err)
		}
		facets[f] = facetResults(out, []string{f})[f]
	}

	res := &Result{Total: sr.Total, Sort: sortBy, Page: r.Page, Size: r.Size, Hits: make([]Hit, 0, len(sr.Hits))}
	for _, h := range sr.Hits {
		res.Hits = append(res.Hits, ix.hit(h))
	}
	res.Facets = ix.facetList(facets, filters)
	if n := len(sr.Hits); n == r.Size && n > 0 && (cur != nil || uint64(from+n) < sr.Total) {
		res.Next = encodeCursor(cursor{Sort: sortBy, Values: afterValues(sr.Hits[n-1], sortBy)})
	}
	res.Degraded = degraded
	if text != nil && !degraded {
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
	if !res.Degraded {
		ix.cache.put(key, state, res)
	}
	return res, nil
}

// matchLocations finds where the query matched in the hits of a page,
// for their snippets. The search itself leaves match positions out: it
// would gather them for every document it finds, and only a page's worth
// is shown. On failure the snippets show the beginning of the text.
func (ix *Index) matchLocations(ctx context.Context, g *generation, text query.Query, hits search.DocumentMatchCollection) {
	if text == nil || len(hits) == 0 {
		return
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), text}), len(ids), 0, false)
	req.IncludeLocations = true
	sr, err := g.bi.SearchInContext(ctx, req)
	if err != nil {
		return
	}
	locs := make(map[string]search.FieldTermLocationMap, len(sr.Hits))
	for _, h := range sr.Hits {
		locs[h.ID] = h.Locations
	}
	for _, h := range hits {
		h.Locations = locs[h.ID]
	}
}

// addFacets asks for the counts of the facet field; facetResults picks
// the named facets out of them.
func addFacets(req *bleve.SearchRequest, fields []string) {
	if len(fields) > 0 {
		// Every value comes back: the cut to facetSize is per facet.
		req.AddFacet(fFacet, bleve.NewFacetRequest(fFacet, 1<<16))
	}
}

// facetResults are the counts of the named facets, by facet name.
func facetResults(sr *bleve.SearchResult, fields []string) map[string][]*search.TermFacet {
	out := map[string][]*search.TermFacet{}
	fr := sr.Facets[fFacet]
	if fr == nil || fr.Terms == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		name, value, ok := strings.Cut(t.Term, ":")
		if ok && slices.Contains(fields, name) && len(out[name]) < facetSize {
			out[name] = append(out[name], &search.TermFacet{Term: value, Count: t.Count})
		}
	}
	return out
}

// withFilters adds the facet filters (except the one named skip) to the
// text query. They are members of one conjunction with it, weighted zero
// so that they restrict the hits without touching their scores: a
// conjunction walks its rarest member and skips the others ahead to it, so
// a selective filter spares the text query most of the index (Bleve's
// boolean filter would instead run the text query over every document and
// drop the hits afterwards).
func withFilters(text query.Query, filters map[string][]string, skip string) query.Query {
	var conds []query.Query
	for _, f := range FacetFields {
		vs := filters[f]
		if f == skip || len(vs) == 0 {
			continue
		}
		var any []query.Query
		for _, v := range vs {
			tq := query.NewTermQuery(facetTerm(f, v))
			tq.SetField(fFacet)
			tq.SetBoost(0)
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
	if text != nil {
		conds = append([]query.Query{text}, conds...)
	}
	return conjunction(conds)
}

// sortOrder is relevance (then newest, then id) or newest first (then id):
// always a total order, so that cursors never skip or repeat a hit.
func sortOrder(by string) search.SortOrder {
	date := &search.SortField{Field: fPublished, Type: search.SortFieldAsDate, Desc: true, Missing: search.SortFieldMissingLast}
	// The id comes from doc values: sorting by Bleve's own document id
	// would read every hit's stored id.
	id := &search.SortField{Field: fKey, Type: search.SortFieldAsString, Missing: search.SortFieldMissingLast}
	if by == SortDate {
		return search.SortOrder{date, id}
	}
	return search.SortOrder{&search.SortScore{Desc: true}, date, id}
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
func (ix *Index) facetList(facets map[string][]*search.TermFacet, filters map[string][]string) []Facet {
	out := make([]Facet, 0, len(FacetFields))
	for _, f := range FacetFields {
		fc := Facet{Field: f, Values: []FacetValue{}}
		seen := map[string]bool{}
		for _, t := range facets[f] {
			seen[t.Term] = true
			fc.Values = append(fc.Values, FacetValue{Value: t.Term, Count: t.Count})
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
		req := bleve.NewSearchRequestOptions(q, 0, 0, false)
		req.Score = bleve.ScoreNone
		sr, err := g.bi.SearchInContext(ctx, req)
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
		if n := count(withFilters(ix.textQuery(pq, fieldsFor(false, false)), filters, "")); n > 0 {
			out = append(out, Relaxation{Param: "title_only", Count: n})
		}
	}
	return out
}
