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
	n := ix.opt.Shards
	sh, err := createShards(path, n, ix.mapping, rebuildConfig())
	if err != nil {
		return fmt.Errorf("indexer: create index: %w", err)
	}
	done := false
	defer func() {
		if !done {
			if sh != nil {
				sh.close()
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
	// (text extraction, analysis in Go, on every CPU) and hands each
	// shard its part; writers hand the parts to Bleve, each shard's side
	// by side with the others' (building a segment from a batch uses one
	// core, and each shard merges and persists its segments on its own).
	type part struct {
		ids  []string
		docs []map[string]any
	}
	var (
		mu       sync.Mutex
		indexed  int
		firstErr error
		wg       sync.WaitGroup
	)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		stopReading()
	}
	parts := make([]chan part, n)
	for i := range parts {
		parts[i] = make(chan part, 1)
	}
	go func() {
		defer func() {
			for _, c := range parts {
				close(c)
			}
		}()
		after := ""
		for {
			es, err := ix.opt.Store.ScanPublishedEntries(readCtx, after, n*rebuildBatch, "")
			if err != nil {
				fail(err)
				return
			}
			if len(es) == 0 {
				return
			}
			docs := ix.buildDocs(es)
			split := make([]part, n)
			for i, e := range es {
				k := shardOf(e.ID, n)
				split[k].ids = append(split[k].ids, e.ID)
				split[k].docs = append(split[k].docs, docs[i])
			}
			for k, p := range split {
				if len(p.ids) == 0 {
					continue
				}
				select {
				case parts[k] <- p:
				case <-readCtx.Done():
					return
				}
			}
			after = es[len(es)-1].ID
		}
	}()
	for k := range n {
		for range max(1, rebuildWriters/n) {
			wg.Go(func() {
				for p := range parts[k] {
					if readCtx.Err() != nil {
						continue
					}
					b := sh[k].NewBatch()
					for i, id := range p.ids {
						if err := b.Index(id, p.docs[i]); err != nil {
							fail(fmt.Errorf("indexer: index %s: %w", id, err))
							break
						}
					}
					if err := sh[k].Batch(b); err != nil {
						fail(fmt.Errorf("indexer: write batch: %w", err))
						continue
					}
					ix.opt.Metrics.Documents.WithLabelValues("index").Add(float64(len(p.ids)))
					mu.Lock()
					indexed += len(p.ids)
					sofar := indexed
					mu.Unlock()
					if progress != nil {
						progress(sofar, max(total, sofar))
					}
				}
			})
		}
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	persisted := make(chan error, n)
	for _, bi := range sh {
		b := bi.NewBatch()
		b.SetInternal(keyCheckpoint, encodeSeq(seq))
		b.SetInternal(keyMapping, []byte(ix.version))
		b.SetPersistedCallback(func(err error) { persisted <- err })
		if err := bi.Batch(b); err != nil {
			return fmt.Errorf("indexer: write checkpoint: %w", err)
		}
	}
	for range n {
		select {
		case err := <-persisted:
			if err != nil {
				return fmt.Errorf("indexer: persist index: %w", err)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err = sh.close()
	sh = nil
	if err != nil {
		return fmt.Errorf("indexer: close new index: %w", err)
	}
	if sh, err = openShards(path, bleveConfig()); err != nil {
		return fmt.Errorf("indexer: open new index: %w", err)
	}
	g := &generation{name: name, shards: sh}
	g.checkpoint.Store(seq)
	if snap, err := sh.snapshot(); err == nil {
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
		slog.Int("shards", n), slog.Int64("checkpoint", seq), slog.Float64("took_seconds", elapsed.Seconds()))
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
