package supervise

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"gongkai/internal/store"
)

// Scheduler runs supervision's jobs inside serve: every few minutes a
// refresh (the report as of now, for the metrics; it raises nothing), and
// once a day, at DailyAt past midnight China time, the daily run that
// raises, closes and escalates notices. The daily run happens once a day
// across all replicas sharing a database: a replica runs it only while
// holding the job's lock (a PostgreSQL advisory lock) and after claiming
// the day in job_runs; a replica that starts after the hour and finds the
// day unclaimed runs it then. A run that succeeded marks the day's claim
// finished; one that failed gives the day back; the claim of a replica
// that died in the middle of its run is taken over by the next replica to
// wake up, which makes the run again.
type Scheduler struct {
	svc *Service
	log *slog.Logger
	// Runner names this replica in job_runs (hostname:pid).
	Runner string
	// RefreshEvery is the time between refreshes.
	RefreshEvery time.Duration
	// DailyAt is when the daily run is due, after midnight China time.
	DailyAt time.Duration
	// After waits; tests replace it to drive the schedule by hand. It
	// defaults to time.After.
	After func(time.Duration) <-chan time.Time

	done string // the last day this scheduler saw run (here or elsewhere)
}

// NewScheduler schedules svc's jobs with the defaults: a refresh every 10
// minutes and the daily run at 01:00 China time. The clock is svc.Now.
func NewScheduler(svc *Service, runner string) *Scheduler {
	if runner == "" {
		runner = DefaultRunner()
	}
	return &Scheduler{svc: svc, log: svc.log, Runner: runner, RefreshEvery: 10 * time.Minute, DailyAt: time.Hour, After: time.After}
}

// DefaultRunner names this process: hostname:pid.
func DefaultRunner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// Step is what one wake-up of the scheduler did.
type Step struct {
	At time.Time
	// Day is the day the daily run was tried for ("" when it was not due
	// or already seen done).
	Day string
	// Ran: this scheduler made the daily run (Result holds what it did).
	Ran    bool
	Result *RunResult
	// Elsewhere: the day was already claimed (by this replica before, or
	// another); Busy: another runner held the lock, so it is tried again
	// at the next wake-up.
	Elsewhere, Busy bool
	// Held: the day's claim is another run's, not finished (under way, or
	// its runner died and it is taken over after the lease); the day is
	// looked at again at the next wake-up.
	Held bool
	// Refreshed: the metrics were refreshed without a run.
	Refreshed bool
}

// Tick does one wake-up's work as of the clock's now: the daily run when
// it is due and not yet done, otherwise a refresh.
func (s *Scheduler) Tick(ctx context.Context) (Step, error) {
	now := s.svc.Now()
	step := Step{At: now}
	today := Day(now)
	key := today.Format("2006-01-02")
	if key != s.done && !now.Before(today.Add(s.DailyAt)) {
		step.Day = key
		if err := s.daily(ctx, now, &step); err != nil {
			return step, err
		}
		if step.Ran {
			return step, nil // the run handed its report to OnReport
		}
	}
	if _, err := s.svc.Refresh(ctx); err != nil {
		return step, fmt.Errorf("supervise: refresh: %w", err)
	}
	step.Refreshed = true
	return step, nil
}

func (s *Scheduler) daily(ctx context.Context, now time.Time, step *Step) error {
	// The run may be made twice for a day (a dead replica's, taken over):
	// it raises no notice that stands already, and closes and escalates
	// each notice once.
	out, err := s.svc.st.RunDailyJob(ctx, JobName, step.Day, s.Runner, s.svc.Now, func(ctx context.Context) error {
		res, err := s.svc.Run(ctx, now, SystemActor)
		step.Result = res
		return err
	})
	step.Ran = out == store.DailyRan
	step.Elsewhere = out == store.DailyDone || out == store.DailyHeld
	step.Held = out == store.DailyHeld
	step.Busy = out == store.DailyBusy
	if err != nil {
		return fmt.Errorf("supervise: daily run for %s: %w", step.Day, err)
	}
	if out == store.DailyRan || out == store.DailyDone {
		s.done = step.Day
	}
	return nil
}

// Wait is how long to sleep after a wake-up at now: until the next
// refresh, or the daily hour if it comes first (never less than a second).
func (s *Scheduler) Wait(now time.Time) time.Duration {
	d := s.RefreshEvery
	next := Day(now).Add(s.DailyAt)
	if !now.Before(next) {
		next = Day(now).AddDate(0, 0, 1).Add(s.DailyAt)
	}
	if until := next.Sub(now); until < d {
		d = until
	}
	return max(d, time.Second)
}

// Run ticks until ctx ends, logging each daily run's counts and every
// failure; a failure is tried again at the next wake-up.
func (s *Scheduler) Run(ctx context.Context) {
	for {
		step, err := s.Tick(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Warn("supervise: scheduled job failed", slog.String("runner", s.Runner), slog.Any("err", err))
		case step.Ran:
			r := step.Result
			s.log.Info("supervise: daily run", slog.String("day", step.Day), slog.String("runner", s.Runner),
				slog.Int("units", len(r.Report.Units)), slog.Int("notices_raised", r.New),
				slog.Int("notices_standing", len(r.Raised)-r.New), slog.Int("notices_closed", len(r.Closed)),
				slog.Int("notices_escalated", len(r.Escalated)))
		case step.Elsewhere:
			s.log.Info("supervise: daily run already made", slog.String("day", step.Day))
		case step.Busy:
			s.log.Info("supervise: daily run in progress elsewhere", slog.String("day", step.Day))
		}
		select {
		case <-ctx.Done():
			return
		case <-s.After(s.Wait(s.svc.Now())):
		}
	}
}
