package indexer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// TestSearchAgreesWithStore indexes entries over several batches (so
// several segments), then changes and withdraws some (so older segments
// hold deleted documents), and checks totals, facet counts and cursor
// paging against what the store says is published.
func TestSearchAgreesWithStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFix(t, st)
		units := []string{"fgw", "czj", "zfb", "rsj"}
		live := map[string]catalog.Entry{}
		var all []catalog.Entry
		for batch := range 6 {
			var es []catalog.Entry
			for i := range 20 {
				n := batch*20 + i
				e := f.entry(fmt.Sprintf("e%03d", n), units[n%4], fmt.Sprintf("关于第%d批政务公开事项的通知", n), "政务公开工作安排。")
				es = append(es, e)
			}
			f.save(t, es...)
			f.sync(t)
			all = append(all, es...)
		}
		for i := range 30 { // changed: the old documents are deleted, the new indexed
			e := all[i*3]
			e.Title = fmt.Sprintf("关于第%d批政务公开事项的补充通知", i*3)
			all[i*3] = e
			f.save(t, e)
		}
		f.sync(t)
		for i := range 10 { // withdrawn
			e := all[i*7+1]
			e.Status = catalog.StatusWithdrawn
			all[i*7+1] = e
			f.save(t, e)
		}
		f.sync(t)
		if n := deletedDocs(t, f.ix); n == 0 {
			t.Log("no deleted documents left in the index's segments")
		} else {
			t.Logf("%d deleted documents in the index's segments", n)
		}
		perUnit, perYear := map[string]int{}, map[string]int{}
		for _, e := range all {
			if e.Status == catalog.StatusPublished {
				live[e.ID] = e
				perUnit[e.Unit]++
				perYear[strconv.Itoa(e.PublishedAt.In(catalog.Shanghai).Year())]++
			}
		}

		res := f.search(t, Request{})
		if int(res.Total) != len(live) {
			t.Fatalf("browsing finds %d entries, the store has %d published", res.Total, len(live))
		}
		for _, fc := range res.Facets {
			want := map[string]map[string]int{"unit": perUnit, "year": perYear}[fc.Field]
			if want == nil {
				continue
			}
			got := map[string]int{}
			for _, v := range fc.Values {
				got[v.Value] = v.Count
			}
			for k, n := range want {
				if got[k] != n {
					t.Errorf("facet %s=%s: %d, want %d", fc.Field, k, got[k], n)
				}
			}
		}

		// Newest first, then by id, every published entry exactly once.
		wantOrder := make([]catalog.Entry, 0, len(live))
		for _, e := range live {
			wantOrder = append(wantOrder, e)
		}
		slices.SortFunc(wantOrder, func(a, b catalog.Entry) int {
			if c := b.PublishedAt.Compare(*a.PublishedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		paged := hitIDs(f.pageAll(t, Request{Sort: SortDate, Size: 7}))
		if len(paged) != len(wantOrder) {
			t.Fatalf("paging by date gave %d hits, want %d", len(paged), len(wantOrder))
		}
		for i, e := range wantOrder {
			if paged[i] != e.ID {
				t.Fatalf("hit %d is %s, want %s", i, paged[i], e.ID)
			}
		}

		// The changed titles are found as changed, never as they were.
		r := f.search(t, Request{Q: "补充通知", Size: 100})
		want := 0
		for _, e := range live {
			if slices.Contains([]rune(e.Title), '补') {
				want++
			}
		}
		if int(r.Total) != want || len(r.Hits) != want {
			t.Errorf("补充通知: %d hits (%d listed), want %d", r.Total, len(r.Hits), want)
		}
		for _, h := range r.Hits {
			if h.Title != live[h.ID].Title {
				t.Errorf("%s shows title %q, the store has %q", h.ID, h.Title, live[h.ID].Title)
			}
		}

		// Relevance paging: every match once, scores never rising.
		var seen []string
		last := 1e300
		for _, h := range f.pageAll(t, Request{Q: "补充 政务公开", Size: 4}) {
			if h.Score > last {
				t.Errorf("score rose from %v to %v at %s", last, h.Score, h.ID)
			}
			last = h.Score
			seen = append(seen, h.ID)
		}
		slices.Sort(seen)
		if len(seen) != want || len(slices.Compact(seen)) != want {
			t.Errorf("relevance paging gave %d hits (%d distinct), want %d", len(seen), len(slices.Compact(seen)), want)
		}
	})
}

// TestPhrasesAcrossRuns: where a number meets Chinese or punctuation
// stands between characters, a phrase is not found from its parts
// scattered over the text.
func TestPhrasesAcrossRuns(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	f.save(t,
		f.entry("y1", "czj", "2019年度部门预算公开", "2019年度部门预算。"),
		f.entry("y2", "czj", "2019年部门预算执行情况", "2019年执行情况良好，年度目标完成。"),
		f.entry("p1", "zfb", "关于印发《临沂市政务公开工作要点》的通知", "现印发《临沂市政务公开工作要点》。"),
		f.entry("p2", "zfb", "临沂市政务公开工作情况", "市政府印发了通知。临沂市各部门认真落实。"),
	)
	f.sync(t)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{`"2019年度"`, []string{"y1"}},
		{`"2019年"`, []string{"y1", "y2"}},
		{`"印发《临沂市"`, []string{"p1"}},
		{`"印发临沂市"`, []string{"p1"}}, // punctuation between characters does not part them
	} {
		got := ids(f.search(t, Request{Q: tc.q}))
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: hits %v, want %v", tc.q, got, tc.want)
		}
	}
}

// deletedDocs counts the documents marked deleted in the live snapshot.
func deletedDocs(t *testing.T, ix *Index) uint64 {
	t.Helper()
	g, err := ix.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer ix.release()
	snap, err := g.shards.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var n uint64
	for _, p := range snap.parts {
		for _, ss := range p.Segments() {
			if d := ss.Deleted(); d != nil {
				n += d.GetCardinality()
			}
		}
	}
	return n
}
