package indexer

import (
	"context"
	"slices"
	"testing"

	"gongkai/internal/store/storetest"
)

func TestBoundAdjacency(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	f.save(t,
		f.entry("a1", "czj", "通知", "住房公积金缴存基数调整"),
		f.entry("a2", "czj", "公告", "住房公积金缴存比例"),
		f.entry("a3", "czj", "说明", "缴存住房公积金"),
	)
	f.sync(t)
	ix := f.ix
	g, err := ix.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer ix.release()
	syn := ix.synonyms.get()
	hasBody := func(fs fieldSet) bool {
		return slices.ContainsFunc(fs.adjacency, func(fb fieldBoost) bool { return fb.field == fBodyGrams })
	}
	tests := []struct {
		name  string
		q     string
		limit uint64
		body  bool
	}{
		{name: "few bodies: checked", q: "公积金 缴存基数", limit: 100, body: true},
		// 公积 _ 金缴 缴存: its rarest term, 金缴, is in two bodies.
		{name: "several words in more bodies than the limit", q: "公积金缴存", limit: 1, body: false},
		{name: "at the limit: still checked", q: "公积金缴存", limit: 2, body: true},
		{name: "one word: nothing to bound", q: "公积金", limit: 0, body: true},
		{name: "quoted phrase: nothing to bound", q: `"公积金缴存"`, limit: 0, body: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pq := ix.parseQuery(tc.q, syn)
			fs := ix.boundAdjacency(context.Background(), g, pq, fieldsFor(false, false), tc.limit)
			if got := hasBody(fs); got != tc.body {
				t.Errorf("%q at limit %d: bodies in adjacency %v, want %v (%v)", tc.q, tc.limit, got, tc.body, fs.adjacency)
			}
			if !hasBody(fieldsFor(false, false)) {
				t.Fatal("the shared field set was changed")
			}
		})
	}
	// Title-only searches have no body adjacency to begin with.
	if fs := ix.boundAdjacency(context.Background(), g, ix.parseQuery("公积金缴存", syn), fieldsFor(true, false), 0); hasBody(fs) {
		t.Errorf("title only: %v", fs.adjacency)
	}
}
