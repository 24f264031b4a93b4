package cli

import (
	"context"
	"log/slog"

	"gongkai/internal/metrics"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

// startSupervision builds serve's supervision service, whose every report
// (the daily run's and the refreshes between) sets the supervision
// metrics, and starts its scheduler: a refresh at start and every 10
// minutes, and the daily run at 01:00 China time, made by one replica of
// those sharing the database. stop ends the scheduler and waits for it.
func startSupervision(ctx context.Context, b *backend, m *metrics.Metrics, log *slog.Logger) (svc *supervise.Service, stop func()) {
	svc = supervise.New(b.store, b.files, log)
	svc.OnReport = reportFigures(metrics.NewSupervision(m.Registry))
	sched := supervise.NewScheduler(svc, supervise.DefaultRunner())
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sched.Run(ctx)
	}()
	return svc, func() {
		cancel()
		<-done
	}
}

// reportFigures hands a supervision report to the metrics as plain
// figures. Notice counts that could not be read (nil) leave the notice
// metrics as they were.
func reportFigures(m *metrics.Supervision) func(*supervise.Report, []store.NoticeStateCount) {
	return func(rep *supervise.Report, counts []store.NoticeStateCount) {
		units := make([]metrics.UnitFigures, 0, len(rep.Units))
		for _, u := range rep.Units {
			f := metrics.UnitFigures{Unit: u.Unit, Overdue: len(u.Overdue), Empty: len(u.Empty)}
			if u.LastPublish != nil {
				f.LastPublish = *u.LastPublish
			}
			units = append(units, f)
		}
		m.SetUnits(units)
		if counts == nil {
			return
		}
		byState := make(map[string]int, len(counts))
		for _, c := range counts {
			byState[c.State] += c.Count
		}
		m.SetNotices(byState)
	}
}
