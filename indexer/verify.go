package indexer

import (
	"context"
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// VerifyReport compares the index with the store.
type VerifyReport struct {
	Published  int      // published entries in the store
	Indexed    int      // documents in the index
	Missing    []string // published, not in the index
	Stale      []string // in the index with an older (or other) version
	Extra      []string // in the index, not published in the store
	Checkpoint int64    // last change applied to the index
	LastChange int64    // last change logged in the store
}

// OK reports whether index and store agree.
func (r VerifyReport) OK() bool {
	return len(r.Missing) == 0 && len(r.Stale) == 0 && len(r.Extra) == 0
}

// Verify compares every document of the live generation with the store:
// entries missing from the index, documents whose content stamp differs
// from the stored revision, and documents of entries that are no longer
// published.
func (ix *Index) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	last, _, err := ix.opt.Store.LastChange(ctx)
	if err != nil {
		return rep, err
	}
	rep.LastChange = last
	g, err := ix.acquire()
	if err != nil {
		return rep, err
	}
	defer ix.release()
	rep.Checkpoint = g.checkpoint.Load()

	indexed := map[string]string{}
	for _, bi := range g.shards {
		var after []string
		for {
			req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 2000, 0, false)
			req.Fields = []string{fStamp}
			req.SortByCustom(search.SortOrder{&search.SortDocID{}})
			req.SearchAfter = after
			sr, err := bi.SearchInContext(ctx, req)
			if err != nil {
				return rep, fmt.Errorf("indexer: verify: %w", err)
			}
			for _, h := range sr.Hits {
				s, _ := h.Fields[fStamp].(string)
				indexed[h.ID] = s
			}
			if len(sr.Hits) < 2000 {
				break
			}
			after = []string{sr.Hits[len(sr.Hits)-1].ID}
		}
	}
	rep.Indexed = len(indexed)

	from := ""
	for {
		page, err := ix.opt.Store.PublishedStamps(ctx, from, 5000)
		if err != nil {
			return rep, err
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			rep.Published++
			s, ok := indexed[e.ID]
			switch {
			case !ok:
				rep.Missing = append(rep.Missing, e.ID)
			case s != e.Stamp:
				rep.Stale = append(rep.Stale, e.ID)
			}
			delete(indexed, e.ID)
		}
		from = page[len(page)-1].ID
	}
	for id := range indexed {
		rep.Extra = append(rep.Extra, id)
	}
	sort.Strings(rep.Extra)
	return rep, nil
}
