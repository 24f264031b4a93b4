package store

import (
	"context"
	"fmt"
	"time"
)

// The days scheduled jobs were claimed for (see ClaimJobRun).

// JobRun is one job's claim of one day.
type JobRun struct {
	Job         string `db:"job"`
	Day         string `db:"day"`
	Runner      string `db:"runner"`
	StartedAtMS int64  `db:"started_at"`
}

// StartedAt is when the runner claimed the day.
func (r JobRun) StartedAt() time.Time { return FromMillis(r.StartedAtMS) }

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
	if err := s.sel(ctx, &out, `SELECT job, day, runner, started_at FROM job_runs WHERE job = ? ORDER BY day DESC LIMIT ?`, job, limit); err != nil {
		return nil, fmt.Errorf("store: job runs %s: %w", job, err)
	}
	return out, nil
}
