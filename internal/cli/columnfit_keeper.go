package cli

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gongkai/internal/checks"
	"gongkai/internal/store"
)

// fitKeeper keeps the column-fit model trained: once the index has caught
// up, then on a schedule and whenever the office asks (Retrain), and says
// how the model in force came about (Status).
type fitKeeper struct {
	st    *store.Store
	live  *checks.LiveRule
	ready func() error
	every time.Duration
	log   *slog.Logger
	now   chan struct{}

	mu     sync.Mutex
	status checks.FitStatus
}

func newFitKeeper(st *store.Store, live *checks.LiveRule, ready func() error, every time.Duration, log *slog.Logger) *fitKeeper {
	return &fitKeeper{st: st, live: live, ready: ready, every: every, log: log, now: make(chan struct{}, 1),
		status: checks.FitStatus{Note: "等待搜索索引就绪后训练"}}
}

// Retrain asks for a new model as soon as possible; it never waits.
func (k *fitKeeper) Retrain() {
	select {
	case k.now <- struct{}{}:
	default: // one is already asked for
	}
}

// Status reports the model in force.
func (k *fitKeeper) Status() checks.FitStatus {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.status
}

func (k *fitKeeper) set(f func(*checks.FitStatus)) {
	k.mu.Lock()
	f(&k.status)
	k.mu.Unlock()
}

// Run trains until ctx ends.
func (k *fitKeeper) Run(ctx context.Context) {
	for k.ready != nil && k.ready() != nil {
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
	var seg *checks.FitSegmenter
	for {
		k.set(func(s *checks.FitStatus) { s.Training = true })
		start := time.Now()
		m, rep, err := trainColumnFit(ctx, k.st, seg)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			k.log.Warn("column fit: training failed", slog.Any("err", err))
			k.set(func(s *checks.FitStatus) { s.Training, s.Error = false, err.Error() })
		case m == nil:
			k.log.Info("column fit: too few published entries to learn from", slog.Int("need", minFitEntries))
			k.set(func(s *checks.FitStatus) {
				s.Training, s.Error, s.Note = false, "", "已发布信息不足，暂不判断栏目归属"
			})
		default:
			seg = m.Segmenter()
			k.live.Set(m.Rule(checks.DefaultColumnFitThreshold))
			info := m.Info()
			k.set(func(s *checks.FitStatus) {
				*s = checks.FitStatus{TrainedAt: time.Now(), Info: &info, HeldOut: rep}
			})
			k.log.Info("column fit: model trained", slog.Int("entries", info.Examples), slog.Float64("held_out_accuracy", rep.Accuracy),
				slog.Float64("well_placed_flagged", rep.FlaggedRate), slog.Float64("seconds", time.Since(start).Seconds()))
		}
		select {
		case <-ctx.Done():
			return
		case <-k.now:
		case <-time.After(k.every):
		}
	}
}
