package indexer

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gongkai/internal/store"
)

// Popular-query bookkeeping.
const (
	maxPopularRunes = 40             // longer queries are not counted
	maxPending      = 10000          // distinct queries held between writes
	popularTTL      = time.Minute    // how long the list read from the store is reused
	pruneEvery      = 24 * time.Hour // how often one-off queries are forgotten
	pruneAge        = 90 * 24 * time.Hour
)

// popular counts the queries people ask, in memory, and writes the counts
// to the store in batches (Run does it every half minute, Close at the
// end). Only the query text and a count are kept, nothing about who asked.
type popular struct {
	st  *store.Store
	log *slog.Logger

	mu         sync.Mutex
	pending    map[string]int64
	list       []store.QueryCount
	listN      int // how many were asked for when list was read
	listAt     time.Time
	lastPruned time.Time
}

func newPopular(st *store.Store, log *slog.Logger) *popular {
	return &popular{st: st, log: log, pending: map[string]int64{}}
}

// record counts one query that found something.
func (p *popular) record(q string) {
	q = strings.Join(strings.Fields(q), " ")
	if q == "" || utf8.RuneCountInString(q) > maxPopularRunes {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.pending[q]; !ok && len(p.pending) >= maxPending {
		return
	}
	p.pending[q]++
}

// flush writes the counts gathered since the last flush.
func (p *popular) flush(ctx context.Context) error {
	p.mu.Lock()
	counts := p.pending
	p.pending = map[string]int64{}
	p.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	if err := p.st.AddSearchQueries(ctx, counts); err != nil {
		// Put them back so that a passing failure loses nothing.
		p.mu.Lock()
		for q, n := range counts {
			p.pending[q] += n
		}
		p.mu.Unlock()
		return err
	}
	p.mu.Lock()
	p.list = nil // the next read sees the new counts
	p.mu.Unlock()
	return nil
}

// prune forgets queries asked only once long ago, once a day.
func (p *popular) prune(ctx context.Context) {
	if time.Since(p.lastPruned) < pruneEvery {
		return
	}
	p.lastPruned = time.Now()
	if n, err := p.st.PruneSearchQueries(ctx, time.Now().Add(-pruneAge), 2); err != nil {
		p.log.Warn("prune search queries", slog.Any("err", err))
	} else if n > 0 {
		p.log.Info("pruned search queries", slog.Int64("removed", n))
	}
}

// top returns the most asked queries (asked at least twice), reading the
// store at most once a minute.
func (p *popular) top(ctx context.Context, n int) ([]store.QueryCount, error) {
	p.mu.Lock()
	if p.list != nil && time.Since(p.listAt) < popularTTL && n <= p.listN {
		out := p.list[:min(n, len(p.list))]
		p.mu.Unlock()
		return out, nil
	}
	p.mu.Unlock()
	want := max(n, 20)
	list, err := p.st.PopularSearchQueries(ctx, want, 2)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.list, p.listN, p.listAt = list, want, time.Now()
	p.mu.Unlock()
	return list[:min(n, len(list))], nil
}

// Popular returns the most asked search queries, most asked first.
func (ix *Index) Popular(ctx context.Context, n int) ([]store.QueryCount, error) {
	if n <= 0 || n > 50 {
		n = 10
	}
	return ix.popular.top(ctx, n)
}

// FlushPopular writes the popular-query counts gathered so far (Run does
// it every half minute, Close at the end).
func (ix *Index) FlushPopular(ctx context.Context) error { return ix.popular.flush(ctx) }
