package indexer

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Intervals of the follower's housekeeping.
const (
	housekeepingEvery = 30 * time.Second
	labelsEvery       = 5 * time.Minute
	retryRebuildAfter = time.Minute
)

// Run keeps the index in step with the store until ctx ends: it rebuilds
// first when the index is missing or was built with another mapping (the
// old generation answers meanwhile), then applies the change log as it
// grows. It also reloads the synonym list and writes the popular-query
// counts. Errors are logged and retried; Run returns when ctx is done.
func (ix *Index) Run(ctx context.Context) error {
	tick := time.NewTicker(ix.opt.PollInterval)
	defer tick.Stop()
	var lastRebuildTry, lastHousekeeping, lastLabels time.Time
	for {
		if ix.needRebuild.Load() && time.Since(lastRebuildTry) >= retryRebuildAfter {
			lastRebuildTry = time.Now()
			if err := ix.Rebuild(ctx, nil); err != nil && ctx.Err() == nil {
				ix.opt.Log.Error("search index rebuild failed", slog.Any("err", err))
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		if _, err := ix.CatchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if err != ErrNotReady {
				ix.opt.Log.Warn("search index follower", slog.Any("err", err))
			}
		} else if !ix.needRebuild.Load() {
			ix.caughtUp.Store(true)
		}
		ix.updateLag(ctx)
		ix.warm()
		if time.Since(lastHousekeeping) >= housekeepingEvery {
			lastHousekeeping = time.Now()
			ix.housekeeping(ctx)
		}
		if time.Since(lastLabels) >= labelsEvery {
			lastLabels = time.Now()
			if err := ix.labels.load(ctx, ix.opt.Store); err != nil && ctx.Err() == nil {
				ix.opt.Log.Warn("search labels", slog.Any("err", err))
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (ix *Index) housekeeping(ctx context.Context) {
	if changed, err := ix.synonyms.reload(); err != nil {
		ix.opt.Log.Warn("search synonyms", slog.Any("err", err))
	} else if changed {
		ix.opt.Log.Info("search synonyms reloaded", slog.String("file", ix.synonyms.path))
	}
	if err := ix.popular.flush(ctx); err != nil && ctx.Err() == nil {
		ix.opt.Log.Warn("popular search queries", slog.Any("err", err))
	}
	ix.popular.prune(ctx)
}

// CatchUp applies every change logged after the checkpoint and returns how
// many it applied. Each batch of changes is written to the index together
// with its new checkpoint, so a crash at any point neither loses nor
// repeats a change.
func (ix *Index) CatchUp(ctx context.Context) (int, error) {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.RLock()
	g := ix.live
	ix.mu.RUnlock()
	if g == nil {
		return 0, ErrNotReady
	}
	applied := 0
	for {
		changes, err := ix.opt.Store.ChangesAfter(ctx, g.checkpoint.Load(), ix.opt.BatchSize)
		if err != nil {
			return applied, err
		}
		if len(changes) == 0 {
			return applied, nil
		}
		if err := ix.apply(ctx, g, changes); err != nil {
			return applied, err
		}
		applied += len(changes)
	}
}

// apply writes the effect of a run of changes: entries published or
// changed are (re)indexed, entries withdrawn, drafted or gone are deleted,
// a changed unit re-indexes its entries (its name is searchable).
func (ix *Index) apply(ctx context.Context, g *generation, changes []store.Change) error {
	var ids, units []string
	seen := map[string]bool{}
	relabel := false
	for _, c := range changes {
		switch c.Kind {
		case store.ChangeEntry:
			if !seen[c.Ref] {
				seen[c.Ref] = true
				ids = append(ids, c.Ref)
			}
		case store.ChangeUnit:
			units = append(units, c.Ref)
			relabel = true
		case store.ChangeTree:
			relabel = true
		}
	}
	if relabel {
		if err := ix.labels.load(ctx, ix.opt.Store); err != nil {
			return err
		}
	}
	b := g.shards.newBatch()
	indexed, deleted := 0, 0
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := b.write(); err != nil {
			return fmt.Errorf("indexer: write batch: %w", err)
		}
		b.Reset()
		return nil
	}

	entries, err := ix.opt.Store.EntriesByID(ctx, ids)
	if err != nil {
		return err
	}
	var published []store.IndexEntry
	found := make(map[string]bool, len(entries))
	for _, e := range entries {
		if e.Status == catalog.StatusPublished {
			published = append(published, e)
			found[e.ID] = true
		}
	}
	for i, doc := range ix.buildDocs(published) {
		if err := b.Index(published[i].ID, doc); err != nil {
			return fmt.Errorf("indexer: index %s: %w", published[i].ID, err)
		}
		indexed++
	}
	for _, id := range ids {
		if !found[id] {
			b.Delete(id)
			deleted++
		}
	}
	for _, u := range units {
		after := ""
		for {
			es, err := ix.opt.Store.ScanPublishedEntries(ctx, after, rebuildBatch, u)
			if err != nil {
				return err
			}
			if len(es) == 0 {
				break
			}
			for i, doc := range ix.buildDocs(es) {
				if err := b.Index(es[i].ID, doc); err != nil {
					return fmt.Errorf("indexer: index %s: %w", es[i].ID, err)
				}
				indexed++
			}
			after = es[len(es)-1].ID
			// Large units go out in several batches; only the last one
			// carries the checkpoint, so a crash repeats the whole unit.
			if b.Size() >= 2*rebuildBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	last := changes[len(changes)-1].Seq
	b.SetInternal(keyCheckpoint, encodeSeq(last))
	if err := b.write(); err != nil {
		return fmt.Errorf("indexer: write batch: %w", err)
	}
	g.checkpoint.Store(last)
	ix.opt.Metrics.Checkpoint.Set(float64(last))
	ix.opt.Metrics.Documents.WithLabelValues("index").Add(float64(indexed))
	ix.opt.Metrics.Documents.WithLabelValues("delete").Add(float64(deleted))
	return nil
}

// updateLag reports how far the index is behind the store.
func (ix *Index) updateLag(ctx context.Context) {
	ix.mu.RLock()
	g := ix.live
	ix.mu.RUnlock()
	if g == nil {
		return
	}
	cp := g.checkpoint.Load()
	last, _, err := ix.opt.Store.LastChange(ctx)
	if err != nil {
		return
	}
	behind := max(last-cp, 0)
	ix.opt.Metrics.LagChanges.Set(float64(behind))
	if behind == 0 {
		ix.opt.Metrics.LagSeconds.Set(0)
		return
	}
	if next, err := ix.opt.Store.ChangesAfter(ctx, cp, 1); err == nil && len(next) == 1 {
		ix.opt.Metrics.LagSeconds.Set(time.Since(next[0].At).Seconds())
	}
}
