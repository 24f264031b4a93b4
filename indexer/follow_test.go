package indexer

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func verifyReport(t *testing.T, ix *Index) VerifyReport {
	t.Helper()
	rep, err := ix.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestFollowerResumesAfterCrash applies half of the change log, closes the
// index as a crash would leave it, reopens it and lets it catch up: the
// checkpoint kept inside the index makes the result exact.
func TestFollowerResumesAfterCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFix(t, st)
		f.sync(t) // an empty index, checkpoint at the units' changes

		var es []catalog.Entry
		for i := range 12 {
			es = append(es, f.entry(fmt.Sprintf("c%02d", i), "fgw", fmt.Sprintf("关于第%d项工作的通知", i), "正文。"))
		}
		f.save(t, es[:8]...)
		edited := es[2]
		edited.Title = "关于第2项工作的更正通知"
		withdrawn := es[3]
		withdrawn.Status = catalog.StatusWithdrawn
		f.save(t, edited, withdrawn)
		f.save(t, es[8:]...)

		g := f.ix.live
		changes, err := st.ChangesAfter(ctx, g.checkpoint.Load(), 1000)
		if err != nil || len(changes) != 14 {
			t.Fatalf("%d changes, %v", len(changes), err)
		}
		half := len(changes) / 2
		if err := f.ix.apply(ctx, g, changes[:half]); err != nil {
			t.Fatal(err)
		}
		cp := g.checkpoint.Load()
		if err := f.ix.Close(); err != nil {
			t.Fatal(err)
		}

		f.ix = f.open(t)
		if f.ix.NeedsRebuild() {
			t.Fatal("reopened index wants a rebuild")
		}
		if got := f.ix.Status().Checkpoint; got != cp {
			t.Fatalf("checkpoint after reopen %d, want %d", got, cp)
		}
		if rep := verifyReport(t, f.ix); rep.OK() {
			t.Fatalf("half-applied index verifies clean: %+v", rep)
		}
		n, err := f.ix.CatchUp(ctx)
		if err != nil || n != len(changes)-half {
			t.Fatalf("caught up %d changes (%v), want %d", n, err, len(changes)-half)
		}
		rep := verifyReport(t, f.ix)
		if !rep.OK() || rep.Indexed != 11 || rep.Published != 11 || rep.Checkpoint != rep.LastChange {
			t.Errorf("after restart: %+v", rep)
		}
		res := f.search(t, Request{Q: "更正通知"})
		if !slices.Contains(ids(res), "c02") {
			t.Errorf("edited entry not found by its new title: %v", ids(res))
		}
		if res := f.search(t, Request{Q: "第3项工作"}); slices.Contains(ids(res), "c03") {
			t.Error("withdrawn entry still found")
		}
	})
}

// TestVerifyFindsPlantedDifferences plants one of each difference.
func TestVerifyFindsPlantedDifferences(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	ctx := context.Background()
	f.save(t, f.entry("a", "fgw", "甲", "正文"), f.entry("b", "fgw", "乙", "正文"), f.entry("c", "fgw", "丙", "正文"))
	f.sync(t)
	if rep := verifyReport(t, f.ix); !rep.OK() {
		t.Fatalf("fresh index: %+v", rep)
	}
	g := f.ix.live
	shard := func(id string) bleve.Index { return g.shards[shardOf(id, len(g.shards))] }
	if err := shard("a").Delete("a"); err != nil { // missing
		t.Fatal(err)
	}
	if err := shard("zzz").Index("zzz", map[string]any{fTitle: "多余", fStamp: "1@1"}); err != nil { // extra
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	changed := f.entry("b", "fgw", "乙（修订）", "正文") // stale: the store moves on, the follower is not run
	f.save(t, changed)
	rep := verifyReport(t, f.ix)
	if !slices.Equal(rep.Missing, []string{"a"}) || !slices.Equal(rep.Stale, []string{"b"}) || !slices.Equal(rep.Extra, []string{"zzz"}) {
		t.Errorf("report: %+v", rep)
	}
	// Catching up fixes what the log knows about; a rebuild fixes the rest.
	if _, err := f.ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.ix.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if rep := verifyReport(t, f.ix); !rep.OK() {
		t.Errorf("after rebuild: %+v", rep)
	}
}

// TestMappingChangeRebuildsWhileOldAnswers opens an index built with
// another mapping: it keeps answering until the rebuild swaps in.
func TestMappingChangeRebuildsWhileOldAnswers(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	ctx := context.Background()
	f.save(t, f.entry("m1", "fgw", "关于住房公积金的通知", "正文"))
	f.sync(t)
	first := f.ix.Status().Generation
	if err := f.ix.live.shards[0].SetInternal(keyMapping, []byte("0-old")); err != nil {
		t.Fatal(err)
	}
	f.ix.Close()

	f.ix = f.open(t)
	if !f.ix.NeedsRebuild() {
		t.Fatal("mapping mismatch not noticed")
	}
	if res := f.search(t, Request{Q: "公积金"}); res.Total != 1 {
		t.Errorf("old generation does not answer: %d", res.Total)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.ix.Run(runCtx) }()
	for f.ix.Ready() != nil {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := f.ix.Status()
	if st.NeedsRebuild || st.Generation == first || st.Documents != 1 {
		t.Errorf("after Run: %+v (was %s)", st, first)
	}
	if res := f.search(t, Request{Q: "公积金"}); res.Total != 1 {
		t.Errorf("new generation: %d hits", res.Total)
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	_, err := Open(context.Background(), Options{Dir: f.ix.opt.Dir, Store: f.st})
	if err == nil {
		t.Fatal("a second Open of the same directory succeeded")
	}
}
