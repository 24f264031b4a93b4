package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// runsString lists job's claims as "day runner started finished", the
// instants in minutes after base ("-" for a run not finished).
func runsString(t *testing.T, st *store.Store, job string, base time.Time) string {
	t.Helper()
	runs, err := st.JobRuns(context.Background(), job, 10)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range runs {
		fin := "-"
		if f := r.FinishedAt(); f != nil {
			fin = fmt.Sprint(f.Sub(base).Minutes())
		}
		out = append(out, fmt.Sprintf("%s %s %s %v %s", r.Job, r.Day, r.Runner, r.StartedAt().Sub(base).Minutes(), fin))
	}
	return strings.Join(out, "; ")
}

// A day whose run finished is claimed once, whoever asks; only its
// claimer can release it, and once released the next claim wins again.
func TestJobRunClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 6, 30, 1, 0, 0, 0, time.UTC)
		steps := []struct {
			do, runner, day string
			want            bool // claimed (claim steps only)
		}{
			{"claim", "a:1", "2026-06-30", true},
			{"finish", "a:1", "2026-06-30", false},
			{"claim", "b:2", "2026-06-30", false},
			{"claim", "a:1", "2026-06-30", false}, // its own claim again: already run
			{"claim", "b:2", "2026-07-01", true},  // another day
			{"finish", "b:2", "2026-07-01", false},
			{"release", "b:2", "2026-06-30", false},
			{"claim", "b:2", "2026-06-30", false}, // b's release did not free a's claim
			{"release", "a:1", "2026-06-30", false},
			{"claim", "b:2", "2026-06-30", true},
			{"finish", "b:2", "2026-06-30", false},
		}
		for i, s := range steps {
			switch s.do {
			case "claim":
				got, err := st.ClaimJobRun(ctx, "job.x", s.day, s.runner, at)
				if err != nil {
					t.Fatal(err)
				}
				if got != s.want {
					t.Fatalf("step %d: %s claims %s: %v, want %v", i, s.runner, s.day, got, s.want)
				}
			case "finish":
				if err := st.FinishJobRun(ctx, "job.x", s.day, s.runner, at.Add(time.Duration(i)*time.Minute)); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			case "release":
				if err := st.ReleaseJobRun(ctx, "job.x", s.day, s.runner); err != nil {
					t.Fatal(err)
				}
			}
		}
		if ok, err := st.ClaimJobRun(ctx, "job.y", "2026-06-30", "a:1", at); err != nil || !ok {
			t.Errorf("another job's claim of the same day: %v %v, want claimed", ok, err)
		}
		if got, want := runsString(t, st, "job.x", at), "job.x 2026-07-01 b:2 0 5; job.x 2026-06-30 b:2 0 10"; got != want {
			t.Errorf("job runs: %s, want %s", got, want)
		}
		runs, err := st.JobRuns(ctx, "job.x", 10)
		if err != nil {
			t.Fatal(err)
		}
		if !runs[0].StartedAt().Equal(at) || runs[0].FinishedAt() == nil || !runs[0].FinishedAt().Equal(at.Add(5*time.Minute)) {
			t.Errorf("started at %v, finished at %v; want %v and %v", runs[0].StartedAt(), runs[0].FinishedAt(), at, at.Add(5*time.Minute))
		}
	})
}

// A claim whose run never finished (its runner was killed in the middle:
// no finish, no release) is taken over by the next claim past the lease,
// which the caller makes holding the job's lock, so the day's run is not
// lost; a finished claim is not, nor one within its lease. The runner whose claim was taken over can neither finish
// nor release it any more.
func TestJobRunTakeover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 6, 30, 1, 0, 0, 0, time.UTC)
		min := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
		claim := func(runner string, m int, want bool) {
			t.Helper()
			got, err := st.ClaimJobRun(ctx, "job.x", "2026-06-30", runner, min(m))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s claims at +%d: %v, want %v", runner, m, got, want)
			}
		}
		runs := func(want string) {
			t.Helper()
			if got := runsString(t, st, "job.x", base); got != want {
				t.Errorf("job runs: %s, want %s", got, want)
			}
		}

		claim("a:1", 0, true) // and a:1 dies
		runs("job.x 2026-06-30 a:1 0 -")
		claim("b:2", 10, false) // within the lease: left to a:1
		runs("job.x 2026-06-30 a:1 0 -")
		claim("b:2", 31, true) // past it: taken over
		runs("job.x 2026-06-30 b:2 31 -")
		if err := st.FinishJobRun(ctx, "job.x", "2026-06-30", "a:1", min(32)); err == nil {
			t.Error("a:1 finished a claim taken over by b:2")
		}
		if err := st.ReleaseJobRun(ctx, "job.x", "2026-06-30", "a:1"); err != nil {
			t.Fatal(err)
		}
		runs("job.x 2026-06-30 b:2 31 -") // a:1's release left b:2's claim
		claim("b:2", 62, true)            // b:2 died too, and comes back
		runs("job.x 2026-06-30 b:2 62 -")
		if err := st.FinishJobRun(ctx, "job.x", "2026-06-30", "b:2", min(65)); err != nil {
			t.Fatal(err)
		}
		runs("job.x 2026-06-30 b:2 62 65")
		claim("c:3", 200, false) // finished: not taken over
		claim("b:2", 201, false)
		if err := st.FinishJobRun(ctx, "job.x", "2026-06-30", "b:2", min(202)); err == nil {
			t.Error("a finished claim finished again")
		}
		runs("job.x 2026-06-30 b:2 62 65")
		if err := st.FinishJobRun(ctx, "job.x", "2026-07-01", "b:2", min(23)); err == nil {
			t.Error("an unclaimed day finished")
		}
		if got := runsString(t, st, "job.x", base); strings.Contains(got, "2026-07-01") {
			t.Errorf("finishing an unclaimed day claimed it: %s", got)
		}
	})
}

// The claims made before their end was recorded count as finished: a
// store migrated from schema 9 does not run those days again.
func TestJobRunsBeforeTheirEndWasRecorded(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, dsn string) {
		old, err := store.OpenForRestore(ctx, dsn, 9)
		if err != nil {
			t.Fatal(err)
		}
		err = old.ExecRawForTest(ctx, `INSERT INTO job_runs (job, day, started_at, runner) VALUES (?, ?, ?, ?)`, "job.x", "2026-06-30", int64(1782781200000), "a:1")
		old.Close()
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		runs, err := st.JobRuns(ctx, "job.x", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].FinishedAt() == nil || runs[0].FinishedAtMS == nil || *runs[0].FinishedAtMS != 1782781200000 {
			t.Fatalf("job runs after the migration: %+v, want one finished when it started", runs)
		}
		if ok, err := st.ClaimJobRun(ctx, "job.x", "2026-06-30", "b:2", time.Now()); err != nil || ok {
			t.Errorf("b:2 claims a day run before the migration: %v %v, want not claimed", ok, err)
		}
	}
	t.Run("sqlite", func(t *testing.T) { check(t, "sqlite:"+filepath.Join(t.TempDir(), "gongkai.db")) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.EnvPG) == "" {
			t.Skip(storetest.EnvPG + " not set")
		}
		check(t, storetest.NewPGDatabase(t))
	})
}

// RunDailyJob: a day runs once; a failed run gives it back; a run under
// way (or dead, within its lease) holds it; a dead run past the lease is
// made again; the lock held elsewhere makes it busy.
func TestRunDailyJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 6, 30, 1, 0, 0, 0, time.UTC)
		clock := base
		now := func() time.Time { return clock }
		runs := 0
		runDay := func(runner string, fail error) (store.DailyOutcome, error) {
			return st.RunDailyJob(ctx, "job.d", "2026-06-30", runner, now, func(context.Context) error {
				runs++
				return fail
			})
		}
		steps := []struct {
			name   string
			runner string
			fail   error
			at     int // minutes after base
			want   store.DailyOutcome
			runs   int
		}{
			{"a failed run", "a:1", fmt.Errorf("disk full"), 0, 0, 1},
			{"given back, run again", "b:2", nil, 1, store.DailyRan, 2},
			{"done", "a:1", nil, 2, store.DailyDone, 2},
		}
		for _, s := range steps {
			clock = base.Add(time.Duration(s.at) * time.Minute)
			got, err := runDay(s.runner, s.fail)
			if (err != nil) != (s.fail != nil) || got != s.want || runs != s.runs {
				t.Fatalf("%s: %v %v after %d runs, want %v after %d", s.name, got, err, runs, s.want, s.runs)
			}
		}
		if f := runsString(t, st, "job.d", base); f != "job.d 2026-06-30 b:2 1 1" {
			t.Errorf("job runs: %s", f)
		}

		// A runner died in the middle of another day's run.
		clock = base
		if ok, err := st.ClaimJobRun(ctx, "job.d", "2026-07-01", "dead:9", clock); err != nil || !ok {
			t.Fatal(ok, err)
		}
		other := func(runner string) (store.DailyOutcome, error) {
			return st.RunDailyJob(ctx, "job.d", "2026-07-01", runner, now, func(context.Context) error { runs++; return nil })
		}
		clock = base.Add(10 * time.Minute)
		if got, err := other("c:3"); err != nil || got != store.DailyHeld || runs != 2 {
			t.Errorf("within the lease: %v %v (%d runs), want held", got, err, runs)
		}
		clock = base.Add(store.JobRunLease + time.Minute)
		if got, err := other("c:3"); err != nil || got != store.DailyRan || runs != 3 {
			t.Errorf("past the lease: %v %v (%d runs), want ran", got, err, runs)
		}

		// The lock held elsewhere.
		inside, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			_, _ = st.WithJobLock(ctx, "job.d", func(context.Context) error { close(inside); <-release; return nil })
		}()
		<-inside
		got, err := st.RunDailyJob(ctx, "job.d", "2026-07-02", "d:4", now, func(context.Context) error { runs++; return nil })
		close(release)
		<-done
		if err != nil || got != store.DailyBusy || runs != 3 {
			t.Errorf("lock held elsewhere: %v %v (%d runs), want busy", got, err, runs)
		}
	})
}
