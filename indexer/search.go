package indexer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

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
	// Corrected: the typed query found nothing, and the hits are those of
	// Suggestion, which did.
	Corrected bool
	// Split: no entry holds a run of the query as typed, and the hits
	// hold its words apart.
	Split      bool
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
	// Boundary: found only where the query's characters meet across a
	// word boundary (理事 in 管理事关); such hits come only when no entry
	// holds the words themselves.
	Boundary bool
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
			if res.Popular, err = ix.popular.top(ctx, 8, state.checkpoint); err != nil {
				res.Popular = nil
			}
		case r.Page == 1 && r.After == "" && strings.TrimSpace(r.Q) != "":
			ix.popular.recordFrom(r.Q, r.Client)
		}
		return res, nil
	}

	pq := ix.parseQuery(r.Q, syn)
	snap, err := g.shards.snapshot()
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	views, err := g.segs.snapshotViews(snap)
	if err != nil {
		return nil, err
	}
	comp := &compiler{ctx: ctx, ix: ix, snap: snap}
	filterSet := filterExprs(filters, "")
	m, err := ix.matchLevels(ctx, comp, views, pq, r.TitleOnly, !r.NoCorrect, filterSet)
	if err != nil {
		return nil, err
	}
	text := m.text
	from := (r.Page - 1) * r.Size
	p := plan{q: text, filters: filterSet, sortBy: sortBy, want: from + r.Size, count: true}
	if cur != nil {
		from = 0
		p.want = r.Size
		p.after = &cur.at
	}
	o, err := execute(ctx, views, p)
	if err != nil {
		return nil, fmt.Errorf("indexer: search: %w", err)
	}

	res := &Result{Total: o.total, Sort: sortBy, Page: r.Page, Size: r.Size, Hits: []Hit{},
		Corrected: m.corrected, Split: m.level.split() && o.total > 0}
	marks := [][]string{m.pq.marks(m.level.split()), m.pq.marks(true)}
	var page []ranked
	if from < len(o.top) {
		page = o.top[from:]
	}
	for _, h := range page {
		hit, err := ix.hit(views[h.view], h, marks)
		if err != nil {
			return nil, err
		}
		hit.Boundary = m.level.boundary()
		res.Hits = append(res.Hits, hit)
	}
	res.Facets = ix.facetList(o.counts, filters)
	if n := len(page); n == r.Size && n > 0 && (cur != nil || uint64(from+n) < o.total) {
		res.Next = encodeCursor(cursorAt(page[n-1], sortBy))
	}
	res.Suggestion = m.suggestion
	if res.Total == 0 {
		if res.Popular, err = ix.popular.top(ctx, 8, state.checkpoint); err != nil {
			res.Popular = nil
		}
		res.Relaxed = ix.relaxations(ctx, comp, views, text, filters, pq, r.TitleOnly)
	} else if r.Page == 1 && r.After == "" && strings.TrimSpace(r.Q) != "" {
		ix.popular.recordFrom(r.Q, r.Client)
	}
	ix.cache.put(key, state, res)
	return res, nil
}

// matched is the text query a search runs: the first level that finds
// anything, possibly of the corrected query.
type matched struct {
	text       compiled
	pq         parsedQuery // the query searched: the typed one, or its correction
	level      level
	corrected  bool
	suggestion string
}

// matchLevels picks how strictly to match: the runs of the query as words
// (levelExact); if nothing, where the characters meet across a word
// boundary; if nothing, the corrected query ("did you mean") when it finds
// something; if not, the words of the runs apart. Each step asks only
// whether the filtered search finds anything, a few bitmap operations.
func (ix *Index) matchLevels(ctx context.Context, comp *compiler, views []*view, pq parsedQuery, titleOnly, correct bool, filters map[int]*expr) (matched, error) {
	fs := fieldsFor(titleOnly)
	found := func(q compiled) (bool, error) {
		o, err := execute(ctx, views, plan{q: q, filters: filters})
		if err != nil {
			return false, err
		}
		return o.total > 0, nil
	}
	m := matched{pq: pq}
	for _, lv := range []level{levelExact, levelBoundary} {
		m.level, m.text = lv, comp.textQuery(pq, fs, lv)
		if m.text.match == nil {
			return m, comp.err // nothing to search for: browse
		}
		if ok, err := found(m.text); err != nil || ok {
			return m, errors.Join(err, comp.err)
		}
	}
	if s := ix.suggest(ctx, comp, views, pq); s != "" {
		m.suggestion = s
		if correct {
			spq := ix.parseQuery(s, ix.synonyms.get())
			for _, lv := range []level{levelExact, levelBoundary} {
				t := comp.textQuery(spq, fs, lv)
				if ok, err := found(t); err != nil || ok {
					return matched{text: t, pq: spq, level: lv, corrected: true, suggestion: s}, errors.Join(err, comp.err)
				}
			}
		}
	}
	if pq.splits() {
		for _, lv := range []level{levelSplit, levelSplitBoundary} {
			t := comp.textQuery(pq, fs, lv)
			if ok, err := found(t); err != nil || ok {
				m.text, m.level = t, lv
				return m, errors.Join(err, comp.err)
			}
		}
	}
	return m, comp.err
}

// filterExprs are the selected values of each facet (but skip), by
// facet index: OR within a facet.
func filterExprs(filters map[string][]string, skip string) map[int]*expr {
	out := map[int]*expr{}
	for f, name := range FacetFields {
		vs := filters[name]
		if name == skip || len(vs) == 0 {
			continue
		}
		var any []*expr
		for _, v := range vs {
			any = append(any, termExpr(fFacet, facetTerm(name, v)))
		}
		out[f] = orExpr(any...)
	}
	return out
}

// facetIndex is the index of a facet in FacetFields, -1 for none.
func facetIndex(name string) int { return slices.Index(FacetFields, name) }

// cutFacetTerm splits a term of the facet field into facet and value.
func cutFacetTerm(term string) (facet, value string, ok bool) { return strings.Cut(term, ":") }

// hit reads the stored fields of a hit for its page.
func (ix *Index) hit(v *view, h ranked, marks [][]string) (Hit, error) {
	fields := map[string]string{}
	err := v.seg.VisitStoredFields(uint64(h.doc), func(field string, _ byte, value []byte, _ []uint64) bool {
		switch field {
		case "_id", fTitle, fIndexNo, fUnit, fColumn, fDocNo, fBody, fAtt, fSummary:
			fields[field] = string(value)
		}
		return true
	})
	if err != nil {
		return Hit{}, fmt.Errorf("indexer: stored fields: %w", err)
	}
	out := Hit{ID: fields["_id"], Title: fields[fTitle], IndexNo: fields[fIndexNo], Unit: fields[fUnit],
		Column: fields[fColumn], DocNo: fields[fDocNo], Score: h.score}
	out.UnitName = ix.labels.unit(out.Unit)
	out.ColumnName = ix.labels.column(out.Column)
	if h.pub != math.MinInt64 {
		t := time.Unix(0, h.pub).In(catalog.Shanghai)
		out.PublishedAt = &t
	}
	out.Snippet = ix.an.snippetOf(func(f string) string { return fields[f] }, marks...)
	return out, nil
}

// holds reports whether a document holds one of texts (bare, see
// bareText) in a text the search looks at: title, body, attachments,
// summary, keywords, 文号 or the unit's name.
func (ix *Index) holds(v *view, doc uint32, texts []string) (bool, error) {
	found := false
	check := func(s string) {
		if !found && s != "" {
			b := ix.an.bareText(s)
			for _, t := range texts {
				if strings.Contains(b, t) {
					found = true
					return
				}
			}
		}
	}
	err := v.seg.VisitStoredFields(uint64(doc), func(field string, _ byte, value []byte, _ []uint64) bool {
		switch field {
		case fTitle, fBody, fAtt, fSummary, fKeywords, fDocNo:
			check(string(value))
		case fUnit:
			check(ix.labels.unit(string(value)))
		}
		return !found
	})
	if err != nil {
		return false, fmt.Errorf("indexer: stored fields: %w", err)
	}
	return found, nil
}

// facetList orders the facets and their values: years newest first,
// everything else by count. Selected values are always listed.
func (ix *Index) facetList(counts []map[string]int, filters map[string][]string) []Facet {
	out := make([]Facet, 0, len(FacetFields))
	for i, f := range FacetFields {
		fc := Facet{Field: f, Values: []FacetValue{}}
		seen := map[string]bool{}
		for v, n := range counts[i] {
			seen[v] = true
			fc.Values = append(fc.Values, FacetValue{Value: v, Count: n})
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
		// The most frequent values, and the selected ones wherever they are.
		kept := fc.Values[:0]
		for i, v := range fc.Values {
			if i < facetSize || v.Selected {
				kept = append(kept, v)
			}
		}
		fc.Values = kept
		out = append(out, fc)
	}
	return out
}

// relaxations tell, for a search that found nothing, what dropping each
// filter (or the title-only switch) would find.
func (ix *Index) relaxations(ctx context.Context, comp *compiler, views []*view, text compiled, filters map[string][]string, pq parsedQuery, titleOnly bool) []Relaxation {
	var out []Relaxation
	count := func(q compiled, skip string) uint64 {
		o, err := execute(ctx, views, plan{q: q, filters: filterExprs(filters, skip)})
		if err != nil {
			return 0
		}
		return o.total
	}
	for _, f := range FacetFields {
		if len(filters[f]) == 0 {
			continue
		}
		if n := count(text, f); n > 0 {
			out = append(out, Relaxation{Param: f, Count: n})
		}
	}
	if titleOnly && text.match != nil {
		if n := count(comp.textQuery(pq, fieldsFor(false), levelSplitBoundary), ""); n > 0 {
			out = append(out, Relaxation{Param: "title_only", Count: n})
		}
	}
	return out
}
