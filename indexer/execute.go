package indexer

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// plan is one search to run over the segments of a snapshot.
type plan struct {
	q       compiled
	filters map[int]*expr // facet index → the selected values
	sortBy  string
	after   *ranked // resume strictly after this hit
	want    int     // how many of the best hits to keep
	count   bool    // count the facets
}

// ranked is a hit as the ranking sees it.
type ranked struct {
	view  int
	doc   uint32
	score float64
	pub   int64
	key   string
}

// outcome is what a plan found.
type outcome struct {
	total  uint64
	top    []ranked         // best first
	counts []map[string]int // per facet (FacetFields order): value → hits
}

// before reports whether a ranks before b: higher score (by relevance),
// then newer, then by id, so that the order is total and a cursor never
// skips or repeats a hit.
func before(a, b *ranked, relevance bool) bool {
	if relevance && a.score != b.score {
		return a.score > b.score
	}
	if a.pub != b.pub {
		return a.pub > b.pub
	}
	return a.key < b.key
}

// worstFirst is a heap of the best hits so far with the worst on top.
type worstFirst struct {
	hits      []ranked
	relevance bool
}

func (h *worstFirst) Len() int           { return len(h.hits) }
func (h *worstFirst) Less(i, j int) bool { return before(&h.hits[j], &h.hits[i], h.relevance) }
func (h *worstFirst) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *worstFirst) Push(x any)         { h.hits = append(h.hits, x.(ranked)) }
func (h *worstFirst) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

// offer keeps r if it is among the want best.
func (h *worstFirst) offer(r ranked, want int) {
	if len(h.hits) < want {
		heap.Push(h, r)
		return
	}
	if before(&r, &h.hits[0], h.relevance) {
		h.hits[0] = r
		heap.Fix(h, 0)
	}
}

// scorePool holds the per-document score arrays of searches.
var scorePool sync.Pool

// execute runs a plan over the views of a snapshot: the views of each
// shard side by side, their outcomes merged (totals and facet counts
// added up, the best hits of all kept).
func execute(ctx context.Context, views []*view, p plan) (*outcome, error) {
	var err error
	if p.q, err = affordableChecks(views, p.q); err != nil {
		return nil, err
	}
	// The views come shard by shard: parts[k] is where shard k's begin.
	parts := []int{0}
	for i := 1; i < len(views); i++ {
		if views[i].shard != views[i-1].shard {
			parts = append(parts, i)
		}
	}
	parts = append(parts, len(views))
	if len(parts) <= 2 {
		return executeViews(ctx, views, 0, len(views), p)
	}
	outs := make([]*outcome, len(parts)-1)
	errs := make([]error, len(parts)-1)
	var wg sync.WaitGroup
	for k := range outs {
		wg.Go(func() { outs[k], errs[k] = executeViews(ctx, views, parts[k], parts[k+1], p) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := outs[0]
	for _, o := range outs[1:] {
		out.total += o.total
		for f, counts := range o.counts {
			for v, n := range counts {
				out.counts[f][v] += n
			}
		}
		out.top = append(out.top, o.top...)
	}
	sortRanked(out.top, p.sortBy == SortRelevance && p.q.match != nil)
	if p.want >= 0 && len(out.top) > p.want {
		out.top = out.top[:p.want]
	}
	return out, nil
}

// executeViews runs a plan over views[from:to].
func executeViews(ctx context.Context, views []*view, from, to int, p plan) (*outcome, error) {
	relevance := p.sortBy == SortRelevance && p.q.match != nil
	out := &outcome{counts: make([]map[string]int, len(FacetFields))}
	for f := range out.counts {
		out.counts[f] = map[string]int{}
	}
	best := &worstFirst{relevance: relevance}
	all := &expr{kind: exAll}
	for vi := from; vi < to; vi++ {
		v := views[vi]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if v.c.count == 0 {
			continue
		}
		match := all
		if p.q.match != nil {
			match = p.q.match
		}
		t, err := v.eval(match)
		if err != nil {
			return nil, err
		}
		t = v.live(t)
		if len(p.q.checks) > 0 {
			if t, err = v.checkRuns(t, p.q); err != nil {
				return nil, err
			}
		}
		sel := map[int]*roaring.Bitmap{}
		for f, e := range p.filters {
			if sel[f], err = v.eval(e); err != nil {
				return nil, err
			}
		}
		// without(skip) is t limited by every selected facet but skip.
		without := func(skip int) *roaring.Bitmap {
			bms := []*roaring.Bitmap{t}
			for f, bm := range sel {
				if f != skip {
					bms = append(bms, bm)
				}
			}
			if len(bms) == 1 {
				return t
			}
			return roaring.FastAnd(bms...)
		}
		r := without(-1)
		out.total += r.GetCardinality()

		if p.count {
			// Open facets are counted over the hits; a selected facet over
			// the hits of the other filters, so that its counts say what
			// choosing another of its values would add.
			var open []int
			for f := range FacetFields {
				if _, ok := sel[f]; !ok {
					open = append(open, f)
				}
			}
			countFacets(v.c, r, open, out.counts)
			for f := range sel {
				countFacets(v.c, without(f), []int{f}, out.counts)
			}
		}

		if p.want <= 0 || r.IsEmpty() {
			continue
		}
		var scores []float64
		if relevance {
			if scores, err = scoreHits(v, r, p.q.scorers); err != nil {
				return nil, err
			}
		}
		for d := range r.Iterate {
			h := ranked{view: vi, doc: d, pub: v.c.pub[d], key: v.c.key[d]}
			if relevance {
				h.score = scores[d]
			}
			if p.after != nil && !before(p.after, &h, relevance) {
				continue
			}
			best.offer(h, p.want)
		}
		if scores != nil {
			clear(scores)
			scorePool.Put(&scores)
		}
	}
	out.top = best.hits
	sortRanked(out.top, relevance)
	return out, nil
}

// sortRanked puts hits best first.
func sortRanked(top []ranked, relevance bool) {
	slices.SortFunc(top, func(a, b ranked) int {
		if before(&a, &b, relevance) {
			return -1
		}
		if before(&b, &a, relevance) {
			return 1
		}
		return cmp.Compare(a.view, b.view)
	})
}

// scoreHits adds up, for every hit in r, the weights of the scorers that
// match it. The array is indexed by document number and comes from the
// pool: the caller clears it and gives it back.
func scoreHits(v *view, r *roaring.Bitmap, scorers []scorer) ([]float64, error) {
	n := int(v.c.count)
	var scores []float64
	if p, ok := scorePool.Get().(*[]float64); ok && cap(*p) >= n {
		scores = (*p)[:n]
	} else {
		scores = make([]float64, n)
	}
	for _, s := range scorers {
		bm, err := v.eval(s.e)
		if err != nil {
			clear(scores)
			scorePool.Put(&scores)
			return nil, err
		}
		for d := range roaring.And(bm, r).Iterate {
			scores[d] += s.weight
		}
	}
	return scores, nil
}

// countFacets adds the hits of bm to the counts of the given facets.
func countFacets(c *segCache, bm *roaring.Bitmap, facets []int, counts []map[string]int) {
	if bm.IsEmpty() || len(facets) == 0 {
		return
	}
	per := make([][]int, len(facets))
	for i, f := range facets {
		per[i] = make([]int, len(c.values[f])+1)
	}
	for d := range bm.Iterate {
		for i, f := range facets {
			per[i][c.ords[f][d]]++
		}
	}
	for i, f := range facets {
		for ord, n := range per[i][1:] {
			if n > 0 {
				counts[f][c.values[f][ord]] += n
			}
		}
	}
}
