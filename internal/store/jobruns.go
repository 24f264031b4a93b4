package store

import (
	"context"
	"fmt"
	"time"
)

// The days scheduled jobs were claimed for. A daily job runs through
// RunDailyJob: under its lock (WithJobLock) and, holding it, claims its
// day (ClaimJobRun); once the run succeeded it marks the claim finished
// (FinishJobRun), and a run that failed gives the claim back
// (ReleaseJobRun). A claim that was neither finished nor released belongs
// to a runner that died during its run: the next runner to hold the lock
// takes it over once past its lease.

// JobRun is one job's claim of one day.
type JobRun struct {
	Job          string `db:"job"`
	Day          string `db:"day"`
	Runner       string `db:"runner"`
	StartedAtMS  int64  `db:"started_at"`
	FinishedAtMS *int64 `db:"finished_at"` // nil while the run is under way (or its runner died)
}

// StartedAt is when the runner claimed the day.
func (r JobRun) StartedAt() time.Time { return FromMillis(r.StartedAtMS) }

// FinishedAt is when the run ended successfully, nil while it has not.
func (r JobRun) FinishedAt() *time.Time { return optTime(r.FinishedAtMS) }

// JobRunLease is how long an unfinished claim stands before another runner
// may take it over. The job's lock already keeps two runners apart; the
// lease is the second guard for when the lock was lost while its holder
// went on running (its connection to PostgreSQL broke), and it is longer
// than any daily run takes.
const JobRunLease = 30 * time.Minute

// ClaimJobRun records that runner starts job for day; it reports false when
// the job already ran for that day, on this replica or another.
//
// It must be called while holding the job's lock (WithJobLock). A claim
// that never finished (no FinishJobRun) and is older than JobRunLease is
// then taken over by runner: its runner cannot be running the job, since
// it would hold the lock, so it died in the middle of its run (killed, or
// its host lost) and the day's run is made again rather than lost. On
// PostgreSQL the lock is a session advisory lock, and a runner whose
// connection to the database broke while its process went on running the
// job loses the lock with the connection; the lease keeps the next runner
// off its claim meanwhile, and daily jobs are safe to run twice for a day
// should a run outlast it. On SQLite the lock is held in this process, and
// one process serves a database file.
//
// The finish of a claim came with schema version 10: a replica of an
// older release never finishes its claims, so during a rolling upgrade
// the new replicas make each day's run again after the lease.
func (s *Store) ClaimJobRun(ctx context.Context, job, day, runner string, at time.Time) (bool, error) {
	var claimed bool
	err := s.inTx(ctx, func(t *Tx) error {
		// One statement: the new claim, or the takeover of an unfinished
		// one past its lease. RowsAffected is 1 for either on both
		// databases, 0 when a finished or a recent claim stands.
		res, err := t.exec(ctx, `INSERT INTO job_runs (job, day, started_at, runner) VALUES (?, ?, ?, ?)
ON CONFLICT (job, day) DO UPDATE SET runner = excluded.runner, started_at = excluded.started_at
WHERE job_runs.finished_at IS NULL AND job_runs.started_at < ?`,
			job, day, Millis(at), runner, Millis(at.Add(-JobRunLease)))
		if err != nil {
			return fmt.Errorf("store: claim job %s: %w", job, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: claim job %s: %w", job, err)
		}
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// DailyOutcome says what RunDailyJob did.
type DailyOutcome int

const (
	// DailyRan: this runner made the day's run.
	DailyRan DailyOutcome = iota + 1
	// DailyDone: the day's run had been made already, here or elsewhere.
	DailyDone
	// DailyHeld: another run holds the day, unfinished: under way, or its
	// runner died and the claim is taken over once past JobRunLease.
	DailyHeld
	// DailyBusy: another runner held the job's lock.
	DailyBusy
)

// RunDailyJob makes job's run for day at most once across all runners
// sharing the store: holding the job's lock, it claims the day (or takes
// over a dead runner's claim past its lease) and calls run; a run that
// succeeds finishes the claim, one that fails gives the day back so that
// the next try (here or elsewhere) runs it. run must be safe to make
// twice for a day: a run whose runner died is made again. now is the
// clock of the claim and of the finish.
func (s *Store) RunDailyJob(ctx context.Context, job, day, runner string, now func() time.Time, run func(context.Context) error) (DailyOutcome, error) {
	var out DailyOutcome
	locked, err := s.WithJobLock(ctx, job, func(ctx context.Context) error {
		claimed, err := s.ClaimJobRun(ctx, job, day, runner, now())
		if err != nil {
			return err
		}
		if !claimed {
			finished, err := s.JobRunFinished(ctx, job, day)
			out = DailyHeld
			if finished {
				out = DailyDone
			}
			return err
		}
		if err := run(ctx); err != nil {
			if rerr := s.ReleaseJobRun(context.WithoutCancel(ctx), job, day, runner); rerr != nil {
				return fmt.Errorf("%w; and releasing the day's claim: %v", err, rerr)
			}
			return err
		}
		out = DailyRan
		// Should this fail, the claim stays unfinished and the day is
		// run again after the lease, which run allows.
		if err := s.FinishJobRun(context.WithoutCancel(ctx), job, day, runner, now()); err != nil {
			return fmt.Errorf("store: job %s: recording the end of the run: %w", job, err)
		}
		return nil
	})
	if err == nil && !locked {
		out = DailyBusy
	}
	return out, err
}

// JobRunFinished reports whether job's run for day ended successfully
// (false while it is under way, or its runner died, or it never began).
func (s *Store) JobRunFinished(ctx context.Context, job, day string) (bool, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM job_runs WHERE job = ? AND day = ? AND finished_at IS NOT NULL`, job, day); err != nil {
		return false, fmt.Errorf("store: job run %s: %w", job, err)
	}
	return n > 0, nil
}

// FinishJobRun records that runner's run of job for day ended successfully
// at at: the day's claim is then final, and no later claim takes it over.
// It fails when runner holds no unfinished claim of the day (another
// runner took it over, or it was released).
func (s *Store) FinishJobRun(ctx context.Context, job, day, runner string, at time.Time) error {
	return s.inTx(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `UPDATE job_runs SET finished_at = ? WHERE job = ? AND day = ? AND runner = ? AND finished_at IS NULL`,
			Millis(at), job, day, runner)
		if err != nil {
			return fmt.Errorf("store: finish job %s: %w", job, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: finish job %s: %w", job, err)
		}
		if n != 1 {
			return fmt.Errorf("store: finish job %s for %s: %s holds no unfinished claim of the day", job, day, runner)
		}
		return nil
	})
}

// ReleaseJobRun gives up runner's claim of job for day, so that a run that
// failed can be tried again (by this runner or another) the same day. A
// claim held by another runner is left alone.
func (s *Store) ReleaseJobRun(ctx context.Context, job, day, runner string) error {
	return s.inTx(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `DELETE FROM job_runs WHERE job = ? AND day = ? AND runner = ?`, job, day, runner); err != nil {
			return fmt.Errorf("store: release job %s: %w", job, err)
		}
		return nil
	})
}

// JobRuns lists the days job was claimed for, newest first, at most limit.
func (s *Store) JobRuns(ctx context.Context, job string, limit int) ([]JobRun, error) {
	var out []JobRun
	if err := s.sel(ctx, &out, `SELECT job, day, runner, started_at, finished_at FROM job_runs WHERE job = ? ORDER BY day DESC LIMIT ?`, job, limit); err != nil {
		return nil, fmt.Errorf("store: job runs %s: %w", job, err)
	}
	return out, nil
}
