package indexer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// rebuildBatch is how many entries a rebuild reads and indexes at a time;
// rebuildWriters how many batches it hands to Bleve at once.
const (
	rebuildBatch     = 500
	rebuildWriters   = 2
	rebuildGCPercent = 400
)

// rebuildConfig is the configuration a generation is built with.
func rebuildConfig() map[string]any {
	c := bleveConfig()
	c["unsafe_batch"] = true
	return c
}

// Progress is called during a rebuild with the entries indexed so far and
// the number expected.
type Progress func(done, total int)

// Rebuild builds a new generation from every published entry in the store
// beside the live one, then swaps it in: searches keep being answered by
// the old generation until the new one is complete. The new generation's
// checkpoint is the last change logged before the scan began, so the
// follower replays whatever changed during the rebuild.
func (ix *Index) Rebuild(ctx context.Context, progress Progress) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	// Building allocates a great deal that dies young; collecting less
	// often trades memory for time.
	defer debug.SetGCPercent(debug.SetGCPercent(rebuildGCPercent))
	start := time.Now()
	name := fmt.Sprintf("gen-%d", start.UnixNano())
	path := filepath.Join(ix.opt.Dir, name)
	// A fresh generation nobody reads yet is written without waiting for
	// each batch to reach the disk; the last batch is waited for, and the
	// generation is reopened with the ordinary configuration before it
	// goes live.
	bi, err := bleve.NewUsing(path, ix.mapping, scorch.Name, scorch.Name, rebuildConfig())
	if err != nil {
		return fmt.Errorf("indexer: create index: %w", err)
	}
	done := false
	defer func() {
		if !done {
			if bi != nil {
				bi.Close()
			}
			os.RemoveAll(path)
		}
	}()
	seq, _, err := ix.opt.Store.LastChange(ctx)
	if err != nil {
		return err
	}
	total, err := ix.opt.Store.EntryCount(ctx, catalog.StatusPublished)
	if err != nil {
		return err
	}
	if err := ix.labels.load(ctx, ix.opt.Store); err != nil {
		return err
	}

	// A pipeline: one goroutine reads pages and builds their documents
	// (text extraction, analysis in Go, on every CPU); writers hand the
	// pages to Bleve side by side, since building a segment from a batch
	// uses one core.
	type page struct {
		ids  []string
		docs []map[string]any
		err  error
	}
	pages := make(chan page, 1)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	go func() {
		defer close(pages)
		after := ""
		for {
			es, err := ix.opt.Store.ScanPublishedEntries(readCtx, after, rebuildBatch, "")
			if err != nil || len(es) == 0 {
				if err != nil {
					pages <- page{err: err}
				}
				return
			}
			p := page{ids: make([]string, len(es)), docs: ix.buildDocs(es)}
			for i, e := range es {
				p.ids[i] = e.ID
			}
			select {
			case pages <- p:
			case <-readCtx.Done():
				return
			}
			after = es[len(es)-1].ID
		}
	}()
	var (
		mu       sync.Mutex
		indexed  int
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		stopReading()
	}
	for range rebuildWriters {
		wg.Go(func() {
			for p := range pages {
				if p.err != nil {
					fail(p.err)
					continue
				}
				if readCtx.Err() != nil {
					continue
				}
				b := bi.NewBatch()
				for i, id := range p.ids {
					if err := b.Index(id, p.docs[i]); err != nil {
						fail(fmt.Errorf("indexer: index %s: %w", id, err))
						break
					}
				}
				if err := bi.Batch(b); err != nil {
					fail(fmt.Errorf("indexer: write batch: %w", err))
					continue
				}
				ix.opt.Metrics.Documents.WithLabelValues("index").Add(float64(len(p.ids)))
				mu.Lock()
				indexed += len(p.ids)
				n := indexed
				mu.Unlock()
				if progress != nil {
					progress(n, max(total, n))
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := bi.NewBatch()
	b.SetInternal(keyCheckpoint, encodeSeq(seq))
	b.SetInternal(keyMapping, []byte(ix.version))
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := bi.Batch(b); err != nil {
		return fmt.Errorf("indexer: write checkpoint: %w", err)
	}
	select {
	case err := <-persisted:
		if err != nil {
			return fmt.Errorf("indexer: persist index: %w", err)
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	err = bi.Close()
	bi = nil
	if err != nil {
		return fmt.Errorf("indexer: close new index: %w", err)
	}
	if bi, err = bleve.OpenUsing(path, bleveConfig()); err != nil {
		return fmt.Errorf("indexer: open new index: %w", err)
	}
	g := &generation{name: name, bi: bi}
	g.checkpoint.Store(seq)
	if snap, err := g.snapshot(); err == nil {
		g.segs.snapshotViews(snap) // ready before the first search
		snap.Close()
	}
	if err := ix.swap(g); err != nil {
		return err
	}
	done = true
	ix.needRebuild.Store(false)
	elapsed := time.Since(start)
	ix.opt.Metrics.Rebuilds.Inc()
	ix.opt.Metrics.RebuildSeconds.Set(elapsed.Seconds())
	ix.opt.Metrics.Checkpoint.Set(float64(seq))
	ix.opt.Log.Info("search index rebuilt", slog.String("generation", name), slog.Int("entries", indexed),
		slog.Int64("checkpoint", seq), slog.Float64("took_seconds", elapsed.Seconds()))
	return nil
}

// buildDocs makes the index documents of published entries, reading their
// attachments' text, on every CPU.
func (ix *Index) buildDocs(es []store.IndexEntry) []map[string]any {
	docs := make([]map[string]any, len(es))
	workers := min(runtime.GOMAXPROCS(0), len(es))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= len(es) {
					return
				}
				e := es[k]
				docs[k] = ix.an.buildDocument(docSource{entry: e, unitName: ix.labels.unit(e.Unit),
					unitPinyin: ix.labels.unitTokens(e.Unit, "pinyin", ix.an.pinyinTokens),
					unitWords:  ix.labels.unitTokens(e.Unit, "words", func(s string) []string { return ix.an.edgeTerms(s) }),
					attText:    ix.extract.entryText(e.ID, e.Attachments)})
			}
		})
	}
	wg.Wait()
	return docs
}
