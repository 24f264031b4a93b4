package indexer

import (
	"fmt"
	"log/slog"
	"math"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Searches are answered from the index's posting lists as bitmaps, one
// segment of the Bleve index at a time: which entries match is a few
// intersections and unions of posting bitmaps; the total and the facet
// counts are counted over the result; only the ranking visits each hit,
// adding up the weights of the fields it matched in. Bleve's own search
// walks every hit through a tree of searchers and reads its doc values
// for sorting and facets, which at 200,000 entries cost tens of
// milliseconds for a common word.

// exprKind is the kind of a node of a compiled query.
type exprKind int

const (
	exNone exprKind = iota // matches nothing
	exAll                  // every live entry
	exTerm                 // one term of one field
	exAnd
	exOr
)

// expr is a compiled query: terms combined with AND and OR.
type expr struct {
	kind        exprKind
	field, term string
	kids        []*expr
}

func termExpr(field, term string) *expr { return &expr{kind: exTerm, field: field, term: term} }

// andExpr and orExpr simplify as they build: no kids is nothing (AND of
// nothing never comes up), one kid is itself.
func andExpr(kids ...*expr) *expr { return combine(exAnd, kids) }
func orExpr(kids ...*expr) *expr  { return combine(exOr, kids) }

func combine(kind exprKind, kids []*expr) *expr {
	var keep []*expr
	for _, k := range kids {
		if k == nil {
			continue
		}
		if k.kind == exNone {
			if kind == exAnd {
				return &expr{kind: exNone}
			}
			continue
		}
		keep = append(keep, k)
	}
	switch len(keep) {
	case 0:
		return &expr{kind: exNone}
	case 1:
		return keep[0]
	}
	return &expr{kind: kind, kids: keep}
}

// scorer adds weight to the score of every hit that e matches.
type scorer struct {
	e      *expr
	weight float64
}

// compiled is a text query ready to run: what must match, and what
// ranks the hits. A nil match browses everything.
type compiled struct {
	match   *expr
	scorers []scorer
	// checks are long runs whose overlapping trigrams may stand apart:
	// their few candidates are read and kept only if they hold the run.
	checks []runCheck
	holds  func(v *view, doc uint32, texts []string) (bool, error)
}

// runCheck is a run of the query (in each of its spellings, folded) and
// the expression that finds its candidates.
type runCheck struct {
	e     *expr
	texts []string
}

// Bounds of checking runs against the stored text.
const (
	minCheckedRunes = 5   // shorter runs are held by their overlapping trigrams
	maxChecked      = 200 // candidates read in all; beyond it the trigrams are trusted
)

// affordableChecks keeps the checks of q whose candidates, over all
// views, are few enough to read (at most maxChecked).
func affordableChecks(views []*view, q compiled) (compiled, error) {
	if len(q.checks) == 0 {
		return q, nil
	}
	var keep []runCheck
	for _, ck := range q.checks {
		var n uint64
		for _, v := range views {
			cand, err := v.eval(ck.e)
			if err != nil {
				return q, err
			}
			n += v.live(cand).GetCardinality()
			if n > maxChecked {
				break
			}
		}
		if n <= maxChecked {
			keep = append(keep, ck)
		}
	}
	q.checks = keep
	return q, nil
}

// checkRuns removes from t the candidates of each long run that do not
// hold it. What a check drops is kept with the view, so that the
// several passes of one search read each candidate once.
func (v *view) checkRuns(t *roaring.Bitmap, q compiled) (*roaring.Bitmap, error) {
	for _, ck := range q.checks {
		drop, ok := v.dropped[ck.e]
		if !ok {
			cand, err := v.eval(ck.e)
			if err != nil {
				return nil, err
			}
			drop = roaring.New()
			for d := range v.live(cand).Iterate {
				ok, err := q.holds(v, d, ck.texts)
				if err != nil {
					return nil, err
				}
				if !ok {
					drop.Add(d)
				}
			}
			v.dropped[ck.e] = drop
		}
		if !drop.IsEmpty() {
			t = roaring.AndNot(t, drop)
		}
	}
	return t, nil
}

// segCache is what searching needs of one segment besides its posting
// lists, read once: segments never change, and a merge makes a new one.
type segCache struct {
	count uint64
	pub   []int64  // publication time (Unix ns) of each document; math.MinInt64 if none
	key   []string // entry id of each document
	// ords[f][doc] is 1 + the index in values[f] of the document's value
	// of facet f, 0 when it has none.
	ords   [][]uint16
	values [][]string
}

// segCaches keeps the caches of one generation's segments.
type segCaches struct {
	mu   sync.Mutex
	segs map[segment.Segment]*segEntry
}

// segEntry is one segment's cache, built once by whichever search (or
// the follower's warm-up) needs it first.
type segEntry struct {
	once sync.Once
	c    *segCache
	err  error
}

// view is one segment as a search sees it.
type view struct {
	shard   int // of the generation's shards, the one the segment is in
	seg     segment.Segment
	deleted *roaring.Bitmap // may be nil
	c       *segCache
	dicts   map[string]segment.TermDictionary
	memo    map[*expr]*roaring.Bitmap
	dropped map[*expr]*roaring.Bitmap // per run check: candidates that do not hold the run
}

// snapshotViews opens the views of the segments of a snapshot, building
// the caches of segments not seen before and forgetting those gone.
func (sc *segCaches) snapshotViews(snap *snapshot) ([]*view, error) {
	var segs []*scorch.SegmentSnapshot
	var shardOf []int
	for k, p := range snap.parts {
		for _, ss := range p.Segments() {
			segs = append(segs, ss)
			shardOf = append(shardOf, k)
		}
	}
	entries := make([]*segEntry, len(segs))
	sc.mu.Lock()
	if sc.segs == nil {
		sc.segs = map[segment.Segment]*segEntry{}
	}
	live := make(map[segment.Segment]bool, len(segs))
	for i, ss := range segs {
		seg := ss.Segment()
		live[seg] = true
		if sc.segs[seg] == nil {
			sc.segs[seg] = &segEntry{}
		}
		entries[i] = sc.segs[seg]
	}
	if len(sc.segs) > 2*len(segs)+8 {
		// Segments merged away; a search still holding one keeps its view.
		for seg := range sc.segs {
			if !live[seg] {
				delete(sc.segs, seg)
			}
		}
	}
	sc.mu.Unlock()

	out := make([]*view, len(segs))
	for i, ss := range segs {
		e := entries[i]
		e.once.Do(func() { e.c, e.err = buildSegCache(ss.Segment()) })
		if e.err != nil {
			return nil, e.err
		}
		out[i] = &view{shard: shardOf[i], seg: ss.Segment(), deleted: ss.Deleted(), c: e.c,
			dicts: map[string]segment.TermDictionary{}, memo: map[*expr]*roaring.Bitmap{}, dropped: map[*expr]*roaring.Bitmap{}}
	}
	return out, nil
}

// warm builds the caches of the live generation's new segments, so that
// the search that first meets a merged segment does not pay for it.
func (ix *Index) warm() {
	g, err := ix.acquire()
	if err != nil {
		return
	}
	defer ix.release()
	snap, err := g.shards.snapshot()
	if err != nil {
		return
	}
	defer snap.Close()
	if _, err := g.segs.snapshotViews(snap); err != nil {
		ix.opt.Log.Warn("search segment cache", slog.Any("err", err))
	}
}

// buildSegCache reads a segment's publication times and ids (doc
// values) and the postings of its facet terms.
func buildSegCache(seg segment.Segment) (*segCache, error) {
	n := seg.Count()
	c := &segCache{count: n, pub: make([]int64, n), key: make([]string, n),
		ords: make([][]uint16, len(FacetFields)), values: make([][]string, len(FacetFields))}
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("indexer: segment %T has no doc values", seg)
	}
	var state segment.DocVisitState
	fields := []string{fPublished, fKey}
	for d := range n {
		c.pub[d] = math.MinInt64
		var err error
		state, err = dv.VisitDocValues(d, fields, func(field string, term []byte) {
			switch field {
			case fKey:
				c.key[d] = string(term)
			case fPublished:
				if ok, shift := numeric.ValidPrefixCodedTermBytes(term); ok && shift == 0 {
					if v, err := numeric.PrefixCoded(term).Int64(); err == nil {
						c.pub[d] = v
					}
				}
			}
		}, state)
		if err != nil {
			return nil, fmt.Errorf("indexer: doc values: %w", err)
		}
	}
	for f := range FacetFields {
		c.ords[f] = make([]uint16, n)
	}
	dict, err := seg.Dictionary(fFacet)
	if err != nil {
		return nil, fmt.Errorf("indexer: facet dictionary: %w", err)
	}
	it := dict.AutomatonIterator(nil, nil, nil)
	for {
		de, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("indexer: facet terms: %w", err)
		}
		if de == nil {
			break
		}
		name, value, ok := cutFacetTerm(de.Term)
		f := facetIndex(name)
		if !ok || f < 0 || len(c.values[f]) >= math.MaxUint16-1 {
			continue
		}
		c.values[f] = append(c.values[f], value)
		ord := uint16(len(c.values[f]))
		bm, err := postings(dict, de.Term)
		if err != nil {
			return nil, err
		}
		for d := range bm.Iterate {
			c.ords[f][d] = ord
		}
	}
	return c, nil
}

// postings is the bitmap of the documents holding term. It may be the
// segment's own: never change it.
func postings(dict segment.TermDictionary, term string) (*roaring.Bitmap, error) {
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("indexer: postings of %q: %w", term, err)
	}
	it := pl.Iterator(false, false, false, nil)
	if o, ok := it.(segment.OptimizablePostingsIterator); ok {
		if bm := o.ActualBitmap(); bm != nil {
			return bm, nil
		}
		if d, ok := o.DocNum1Hit(); ok {
			return roaring.BitmapOf(uint32(d)), nil
		}
		return roaring.New(), nil
	}
	bm := roaring.New()
	for p, err := it.Next(); p != nil; p, err = it.Next() {
		if err != nil {
			return nil, err
		}
		bm.Add(uint32(p.Number()))
	}
	return bm, nil
}

// eval is the set of documents of the segment that e matches, deleted
// ones included. The result may be shared: never change it.
func (v *view) eval(e *expr) (*roaring.Bitmap, error) {
	if bm, ok := v.memo[e]; ok {
		return bm, nil
	}
	var bm *roaring.Bitmap
	switch e.kind {
	case exNone:
		bm = roaring.New()
	case exAll:
		bm = roaring.New()
		bm.AddRange(0, v.c.count)
	case exTerm:
		d, ok := v.dicts[e.field]
		if !ok {
			var err error
			if d, err = v.seg.Dictionary(e.field); err != nil {
				return nil, fmt.Errorf("indexer: dictionary %s: %w", e.field, err)
			}
			v.dicts[e.field] = d
		}
		var err error
		if bm, err = postings(d, e.term); err != nil {
			return nil, err
		}
	case exAnd, exOr:
		kids := make([]*roaring.Bitmap, 0, len(e.kids))
		for _, k := range e.kids {
			kb, err := v.eval(k)
			if err != nil {
				return nil, err
			}
			if e.kind == exAnd && kb.IsEmpty() {
				bm = roaring.New()
				break
			}
			kids = append(kids, kb)
		}
		switch {
		case bm != nil:
		case len(kids) == 1:
			bm = kids[0]
		case e.kind == exAnd:
			bm = roaring.FastAnd(kids...)
		default:
			bm = roaring.FastOr(kids...)
		}
	}
	v.memo[e] = bm
	return bm, nil
}

// live removes the deleted documents from bm (a new bitmap, or bm
// itself when nothing is deleted).
func (v *view) live(bm *roaring.Bitmap) *roaring.Bitmap {
	if v.deleted == nil || v.deleted.IsEmpty() {
		return bm
	}
	return roaring.AndNot(bm, v.deleted)
}
