package indexer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// rebuildBatch is how many entries a rebuild reads and indexes at a time.
const rebuildBatch = 1000

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
	start := time.Now()
	name := fmt.Sprintf("gen-%d", start.UnixNano())
	path := filepath.Join(ix.opt.Dir, name)
	bi, err := bleve.NewUsing(path, ix.mapping, scorch.Name, scorch.Name, bleveConfig())
	if err != nil {
		return fmt.Errorf("indexer: create index: %w", err)
	}
	done := false
	defer func() {
		if !done {
			bi.Close()
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

	// A pipeline: the next page is read and its documents built (text
	// extraction, analysis in Go) while Bleve writes the current one,
	// whose segment building uses one core.
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
	indexed := 0
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		b := bi.NewBatch()
		for i, id := range p.ids {
			if err := b.Index(id, p.docs[i]); err != nil {
				return fmt.Errorf("indexer: index %s: %w", id, err)
			}
		}
		if err := bi.Batch(b); err != nil {
			return fmt.Errorf("indexer: write batch: %w", err)
		}
		indexed += len(p.ids)
		ix.opt.Metrics.Documents.WithLabelValues("index").Add(float64(len(p.ids)))
		if progress != nil {
			progress(indexed, max(total, indexed))
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := bi.NewBatch()
	b.SetInternal(keyCheckpoint, encodeSeq(seq))
	b.SetInternal(keyMapping, []byte(ix.version))
	if err := bi.Batch(b); err != nil {
		return fmt.Errorf("indexer: write checkpoint: %w", err)
	}
	g := &generation{name: name, bi: bi}
	g.checkpoint.Store(seq)
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
		slog.Int64("checkpoint", seq), slog.Duration("took", elapsed))
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
				docs[k] = ix.an.buildDocument(ix.policy, docSource{entry: e, unitName: ix.labels.unit(e.Unit),
					attText: ix.extract.entryText(e.ID, e.Attachments)})
			}
		})
	}
	wg.Wait()
	return docs
}
