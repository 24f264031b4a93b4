package indexer

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Popular-query bookkeeping.
const (
	popularTTL  = time.Minute // how long the counted list read from the store is reused
	pruneEvery  = time.Hour   // how often this replica offers to run the pruning job
	PopularJob  = "popular.prune"
	popularKeep = store.DefaultPopularDays // days of counts kept at least, whatever the settings
)

// popular counts the queries people ask, per China day and distinct
// client (popular_filter.go), and writes the counts to the store in
// batches (Run does it every half minute, Close at the end). It reads the
// public list back: the office's pins first, then the queries asked by at
// least the set number of clients over the set number of days, never a
// hidden one.
type popular struct {
	st     *store.Store
	log    *slog.Logger
	now    func() time.Time
	runner string

	mu      sync.Mutex // guards counter
	counter *dayCounter

	viewMu     sync.Mutex // guards view and lastPruned
	view       *popularView
	lastPruned time.Time
}

// popularView is the public list as last read from the store.
type popularView struct {
	seq      int64     // the change-log checkpoint the marks were read at
	countsAt time.Time // when counted was read
	settings store.PopularSettings
	since    string
	pins     []store.QueryCount
	marks    map[string]string // query → state
	counted  []store.QueryCount
	want     int // how many counted were asked for
}

func newPopular(st *store.Store, log *slog.Logger) *popular {
	host, err := os.Hostname()
	if err != nil {
		host = "gongkai"
	}
	return &popular{st: st, log: log, now: time.Now, counter: newDayCounter(),
		runner: fmt.Sprintf("%s:%d", host, os.Getpid())}
}

// record counts one query asked by a client whose address is not known:
// all such asks count as one client.
func (p *popular) record(q string) { p.recordFrom(q, "") }

// recordFrom counts one query that found something, asked by client (its
// address as the portal resolved it). Queries that look like personal
// data, empty or too long ones are dropped here, before anything of them
// is held.
func (p *popular) recordFrom(q, client string) {
	q, err := CountableQuery(q)
	if err != nil {
		return
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counter.add(q, client, now)
}

// flush adds the counts gathered since the last flush to the store.
func (p *popular) flush(ctx context.Context) error {
	p.mu.Lock()
	rows := p.counter.take()
	dropped := p.counter.dropped
	p.counter.dropped = 0
	p.mu.Unlock()
	if dropped > 0 {
		p.log.Warn("popular queries: bounds reached, asks not counted", slog.Int("asks", dropped))
	}
	if len(rows) == 0 {
		return nil
	}
	if err := p.st.AddPopularCounts(ctx, rows); err != nil {
		p.mu.Lock()
		p.counter.giveBack(rows)
		p.mu.Unlock()
		return err
	}
	p.viewMu.Lock()
	if p.view != nil {
		p.view.countsAt = time.Time{} // the next read sees the new counts
	}
	p.viewMu.Unlock()
	return nil
}

// prune forgets the days older than the settings ask for (and never fewer
// than popularKeep), once a day across all replicas: under the job's lock
// and claim, so that replicas sharing a database do not repeat it.
func (p *popular) prune(ctx context.Context) {
	p.viewMu.Lock()
	if time.Since(p.lastPruned) < pruneEvery {
		p.viewMu.Unlock()
		return
	}
	p.lastPruned = time.Now()
	p.viewMu.Unlock()
	now := p.now()
	// Pruning twice for a day is harmless (a dead replica's run, taken
	// over): it deletes nothing more.
	_, err := p.st.RunDailyJob(ctx, PopularJob, chinaDay(now), p.runner, p.now, func(ctx context.Context) error {
		return p.pruneDays(ctx, now)
	})
	if err != nil && ctx.Err() == nil {
		p.log.Warn("prune popular queries", slog.Any("err", err))
	}
}

// pruneDays forgets the counts of the days before those the settings keep.
func (p *popular) pruneDays(ctx context.Context, now time.Time) error {
	set, err := p.st.PopularSettings(ctx)
	if err != nil {
		return err
	}
	before := firstDay(now, max(set.Days, popularKeep))
	n, err := p.st.PrunePopularDays(ctx, before)
	if err == nil && n > 0 {
		p.log.Info("pruned popular query counts", slog.Int64("rows", n), slog.String("before", before))
	}
	return err
}

// firstDay is the first China day of a span of days ending today.
func firstDay(now time.Time, days int) string {
	return now.In(catalog.Shanghai).AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
}

// top returns the public list: pins first, then the counted queries.
// seq is the change-log checkpoint the caller's index stands at: once it
// moves, the marks and settings are read again (a cheap read), so a hide
// or pin shows as soon as this replica has followed the change; the
// counts are read again at most once a minute, or at once when the marks,
// the settings or the day changed.
func (p *popular) top(ctx context.Context, n int, seq int64) ([]store.QueryCount, error) {
	p.viewMu.Lock()
	defer p.viewMu.Unlock()
	now := p.now()
	v := p.view
	if v == nil || v.seq != seq || v.since != firstDay(now, v.settings.Days) {
		set, err := p.st.PopularSettings(ctx)
		if err != nil {
			return nil, err
		}
		since := firstDay(now, set.Days)
		marks, err := p.st.QueryMarks(ctx, since)
		if err != nil {
			return nil, err
		}
		nv := &popularView{seq: seq, settings: set, since: since, marks: map[string]string{}}
		for _, m := range marks {
			nv.marks[m.Query] = m.State
			if m.State == store.QueryPinned {
				nv.pins = append(nv.pins, store.QueryCount{Query: m.Query, Count: m.Clients})
			}
		}
		if v != nil && v.settings == set && v.since == since && maps.Equal(v.marks, nv.marks) {
			// Nothing the counted list depends on changed.
			nv.counted, nv.countsAt, nv.want = v.counted, v.countsAt, v.want
		}
		v, p.view = nv, nv
	}
	if v.countsAt.IsZero() || now.Sub(v.countsAt) >= popularTTL || n > v.want {
		want := max(n, 20)
		list, err := p.st.PopularQueries(ctx, store.PopularFilter{Since: v.since,
			MinClients: int64(v.settings.MinClients), Limit: want, Unmarked: true})
		if err != nil {
			return nil, err
		}
		v.counted = make([]store.QueryCount, len(list))
		for i, q := range list {
			v.counted[i] = store.QueryCount{Query: q.Query, Count: q.Clients}
		}
		v.countsAt, v.want = now, want
	}
	out := slices.Clone(v.pins)
	for _, q := range v.counted {
		if _, marked := v.marks[q.Query]; !marked {
			out = append(out, q)
		}
	}
	return out[:min(n, len(out))], nil
}

// changeSeq is the change-log checkpoint of the live index (0 before
// there is one).
func (ix *Index) changeSeq() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == nil {
		return 0
	}
	return ix.live.checkpoint.Load()
}

// Popular returns the public popular queries ("大家都在搜"): the office's
// pins first, then the queries most distinct clients asked over the set
// span of days, each asked by at least the set number of clients; Count
// is the number of clients (see docs/popular-queries.md).
func (ix *Index) Popular(ctx context.Context, n int) ([]store.QueryCount, error) {
	if n <= 0 || n > 50 {
		n = 10
	}
	return ix.popular.top(ctx, n, ix.changeSeq())
}

// CountQueryFrom counts a search for the popular list that was answered
// in front of the index (a cached page), asked by client (its address as
// resolved for trusted proxies).
func (ix *Index) CountQueryFrom(q, client string) {
	if ix == nil || ix.popular == nil {
		return
	}
	ix.popular.recordFrom(q, client)
}

// FlushPopular writes the popular-query counts gathered so far (Run does
// it every half minute, Close at the end).
func (ix *Index) FlushPopular(ctx context.Context) error { return ix.popular.flush(ctx) }
