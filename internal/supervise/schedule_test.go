package supervise_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

// clock is a settable clock shared by the replicas of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, catalog.Shanghai)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// replicas opens n stores on one fresh database, as n serve replicas
// would: a SQLite file, and a PostgreSQL database when GONGKAI_TEST_PG is
// set.
func replicas(t *testing.T, n int, fn func(t *testing.T, sts []*store.Store)) {
	open := func(t *testing.T, dsn string) []*store.Store {
		var sts []*store.Store
		for range n {
			st, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.EnsureTemplate(context.Background(), catalog.DefaultTemplate()); err != nil {
				t.Fatal(err)
			}
			sts = append(sts, st)
		}
		return sts
	}
	t.Run("sqlite", func(t *testing.T) {
		fn(t, open(t, "sqlite:"+filepath.Join(t.TempDir(), "gongkai.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.EnvPG) == "" {
			t.Skip(storetest.EnvPG + " not set")
		}
		fn(t, open(t, storetest.NewPGDatabase(t)))
	})
}

// scheduled is one replica: its service (counting the reports it hands on)
// and its scheduler.
type scheduled struct {
	svc     *supervise.Service
	sched   *supervise.Scheduler
	mu      sync.Mutex
	reports int
}

func (r *scheduled) Reports() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reports
}

func newScheduled(t *testing.T, st *store.Store, clk *clock, runner string) *scheduled {
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &scheduled{svc: supervise.New(st, fs, slog.New(slog.DiscardHandler))}
	r.svc.Now = clk.Now
	r.svc.OnReport = func(*supervise.Report, []store.NoticeStateCount) {
		r.mu.Lock()
		r.reports++
		r.mu.Unlock()
	}
	r.sched = supervise.NewScheduler(r.svc, runner)
	return r
}

// silentFixture stores fgw, silent since 20 May 2026, and jtj, which
// published on 29 June: a daily run on 30 June raises one notice.
func silentFixture(t *testing.T, st *store.Store) {
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	publish(t, st, "fgw", "tzgg", "2026-05-20 09:00")
	publish(t, st, "jtj", "tzgg", "2026-06-29 09:00")
}

func tick(t *testing.T, r *scheduled) supervise.Step {
	t.Helper()
	step, err := r.sched.Tick(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", r.sched.Runner, err)
	}
	return step
}

func jobRuns(t *testing.T, st *store.Store) string {
	t.Helper()
	runs, err := st.JobRuns(context.Background(), supervise.JobName, 10)
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for _, r := range runs {
		s += fmt.Sprintf("%s by %s; ", r.Day, r.Runner)
	}
	return s
}

func noticeCount(t *testing.T, st *store.Store) int {
	t.Helper()
	n, err := st.CountNotices(context.Background(), store.NoticeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Two replicas on one database waking at the same instant: the daily run
// happens once a day, by one of them, and the other only refreshes.
func TestSchedulerTwoReplicasRunOnce(t *testing.T) {
	replicas(t, 2, func(t *testing.T, sts []*store.Store) {
		silentFixture(t, sts[0])
		clk := &clock{}
		a := newScheduled(t, sts[0], clk, "host-a:1")
		b := newScheduled(t, sts[1], clk, "host-b:2")

		// Before 01:00 nothing is due: both refresh, nobody claims.
		clk.Set("2026-06-30 00:30")
		for _, r := range []*scheduled{a, b} {
			if s := tick(t, r); s.Day != "" || s.Ran || !s.Refreshed {
				t.Errorf("00:30 %s: %+v, want a refresh only", r.sched.Runner, s)
			}
		}
		if got := jobRuns(t, sts[0]); got != "" || noticeCount(t, sts[0]) != 0 {
			t.Fatalf("before the hour: runs %q, %d notices", got, noticeCount(t, sts[0]))
		}

		// 01:00: both wake together.
		clk.Set("2026-06-30 01:00")
		steps := make([]supervise.Step, 2)
		var wg sync.WaitGroup
		for i, r := range []*scheduled{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := r.sched.Tick(context.Background())
				if err != nil {
					t.Errorf("%s: %v", r.sched.Runner, err)
				}
				steps[i] = s
			}()
		}
		wg.Wait()
		ran := 0
		runner := ""
		for i, s := range steps {
			if s.Ran {
				ran++
				runner = []string{"host-a:1", "host-b:2"}[i]
				if s.Result.New != 1 {
					t.Errorf("the run raised %d notices, want 1", s.Result.New)
				}
			} else if !s.Refreshed || !(s.Elsewhere || s.Busy) {
				t.Errorf("replica %d did not run and says %+v", i, s)
			}
		}
		if ran != 1 {
			t.Fatalf("%d replicas ran the daily run, want 1: %+v", ran, steps)
		}
		// Ten minutes later both only refresh.
		clk.Set("2026-06-30 01:10")
		for _, r := range []*scheduled{a, b} {
			if s := tick(t, r); s.Ran || !s.Refreshed {
				t.Errorf("01:10 %s: %+v, want a refresh", r.sched.Runner, s)
			}
		}
		if got, want := jobRuns(t, sts[1]), "2026-06-30 by "+runner+"; "; got != want {
			t.Errorf("job runs %q, want %q", got, want)
		}
		if n := noticeCount(t, sts[1]); n != 1 {
			t.Errorf("%d notices, want 1", n)
		}

		// The next day, again exactly one run.
		clk.Set("2026-07-01 01:00")
		ran = 0
		for _, r := range []*scheduled{b, a} {
			if s := tick(t, r); s.Ran {
				ran++
			}
		}
		if ran != 1 {
			t.Errorf("1 July: %d runs, want 1", ran)
		}
		if got, want := jobRuns(t, sts[0]), "2026-07-01 by host-b:2; 2026-06-30 by "+runner+"; "; got != want {
			t.Errorf("job runs %q, want %q", got, want)
		}
		if n := noticeCount(t, sts[0]); n != 1 {
			t.Errorf("after the second day: %d notices, want still 1 (the standing one)", n)
		}
	})
}

// A replica started after 01:00 runs the day's run at once, unless it was
// made already.
func TestSchedulerStartedLate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		silentFixture(t, st)
		ctx := context.Background()
		if _, err := st.ClaimJobRun(ctx, supervise.JobName, "2026-06-29", "other:9", time.Date(2026, 6, 28, 17, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishJobRun(ctx, supervise.JobName, "2026-06-29", "other:9", time.Date(2026, 6, 28, 17, 1, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		clk := &clock{}
		r := newScheduled(t, st, clk, "late:1")
		clk.Set("2026-06-29 09:00") // the day's run was made elsewhere
		if s := tick(t, r); s.Ran || !s.Elsewhere || !s.Refreshed || s.Day != "2026-06-29" {
			t.Errorf("29 June 09:00: %+v, want the day seen done elsewhere and a refresh", s)
		}
		clk.Set("2026-06-29 09:10") // and it is not asked again
		if s := tick(t, r); s.Day != "" || !s.Refreshed {
			t.Errorf("29 June 09:10: %+v, want a refresh only", s)
		}
		clk.Set("2026-06-30 09:00") // nobody ran today's
		if s := tick(t, r); !s.Ran || s.Refreshed || s.Result.New != 1 {
			t.Errorf("30 June 09:00: %+v, want the daily run", s)
		}
		if got := jobRuns(t, st); got != "2026-06-30 by late:1; 2026-06-29 by other:9; " {
			t.Errorf("job runs %q", got)
		}
		if got := r.Reports(); got != 3 {
			t.Errorf("%d reports handed on, want 3 (two refreshes and the run)", got)
		}
	})
}

// A replica killed in the middle of its daily run leaves the day claimed
// and unfinished, its lock gone with it: the next replica to wake up after
// the claim's lease takes it over and makes the run again, which raises no second notice
// for what the dead one raised.
func TestSchedulerTakesOverADeadReplicasDay(t *testing.T) {
	replicas(t, 2, func(t *testing.T, sts []*store.Store) {
		silentFixture(t, sts[0])
		ctx := context.Background()
		clk := &clock{}
		dead := newScheduled(t, sts[0], clk, "dead:1")
		b := newScheduled(t, sts[1], clk, "host-b:2")
		c := newScheduled(t, sts[1], clk, "host-c:3")

		// What the dead replica did before it was killed: it claimed the
		// day and made the run's writes, and never finished the claim.
		clk.Set("2026-06-30 01:00")
		if ok, err := sts[0].ClaimJobRun(ctx, supervise.JobName, "2026-06-30", "dead:1", clk.Now()); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if res, err := dead.svc.Run(ctx, clk.Now(), supervise.SystemActor); err != nil || res.New != 1 {
			t.Fatalf("the dead replica's run: %+v %v, want 1 notice raised", res, err)
		}

		clk.Set("2026-06-30 01:20")
		if s := tick(t, b); s.Ran {
			t.Fatalf("01:20 host-b:2: %+v, want the dead replica's claim left alone within its lease", s)
		}
		clk.Set("2026-06-30 01:40")
		s := tick(t, b)
		if !s.Ran || s.Elsewhere || s.Day != "2026-06-30" {
			t.Fatalf("01:40 host-b:2: %+v, want the day's run taken over past the lease", s)
		}
		if s.Result.New != 0 || len(s.Result.Raised) != 1 {
			t.Errorf("the run made again raised %d new of %+v, want the dead one's notice standing", s.Result.New, s.Result.Raised)
		}
		if n := noticeCount(t, sts[1]); n != 1 {
			t.Errorf("%d notices, want 1", n)
		}
		if got := jobRuns(t, sts[1]); got != "2026-06-30 by host-b:2; " {
			t.Errorf("job runs %q", got)
		}
		runs, err := sts[1].JobRuns(ctx, supervise.JobName, 10)
		if err != nil {
			t.Fatal(err)
		}
		if f := runs[0].FinishedAt(); f == nil || !f.Equal(clk.Now()) {
			t.Errorf("the run taken over finished at %v, want %v", f, clk.Now())
		}

		// Finished now: nobody runs the day again.
		clk.Set("2026-06-30 01:50")
		if s := tick(t, c); s.Ran || !s.Elsewhere || !s.Refreshed {
			t.Errorf("01:50 host-c:3: %+v, want the day seen done", s)
		}
		if got := jobRuns(t, sts[0]); got != "2026-06-30 by host-b:2; " {
			t.Errorf("job runs %q", got)
		}
	})
}

// A daily run that fails gives the day back and is tried again at the next
// wake-up.
func TestSchedulerRetriesAFailedRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		silentFixture(t, st)
		ctx := context.Background()
		if err := st.SetSetting(ctx, "supervise", "{not json"); err != nil {
			t.Fatal(err)
		}
		clk := &clock{}
		r := newScheduled(t, st, clk, "a:1")
		clk.Set("2026-06-30 01:00")
		if _, err := r.sched.Tick(ctx); err == nil {
			t.Fatal("a run over unreadable settings succeeded")
		}
		if got := jobRuns(t, st); got != "" {
			t.Errorf("a failed run left its claim: %q", got)
		}
		if err := st.SetSetting(ctx, "supervise", ""); err != nil {
			t.Fatal(err)
		}
		clk.Set("2026-06-30 01:10")
		if s := tick(t, r); !s.Ran || s.Result.New != 1 {
			t.Errorf("retry: %+v, want the run", s)
		}
		if got := jobRuns(t, st); got != "2026-06-30 by a:1; " {
			t.Errorf("job runs %q", got)
		}
	})
}

func TestSchedulerWait(t *testing.T) {
	s := supervise.NewScheduler(supervise.New(nil, nil, slog.New(slog.DiscardHandler)), "x:1")
	tests := []struct {
		now  string
		want time.Duration
	}{
		{"2026-06-30 00:00:00", 10 * time.Minute},
		{"2026-06-30 00:55:00", 5 * time.Minute},
		{"2026-06-30 00:58:30", 90 * time.Second},
		{"2026-06-30 00:59:59.7", time.Second}, // never less than a second
		{"2026-06-30 01:00:00", 10 * time.Minute},
		{"2026-06-30 23:55:00", 10 * time.Minute},
		{"2026-07-01 00:51:00", 9 * time.Minute},
	}
	for _, tc := range tests {
		now, err := time.ParseInLocation("2006-01-02 15:04:05", tc.now, catalog.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Wait(now); got != tc.want {
			t.Errorf("Wait(%s) = %v, want %v", tc.now, got, tc.want)
		}
		// The same instant in another zone waits the same.
		if got := s.Wait(now.UTC()); got != tc.want {
			t.Errorf("Wait(%s in UTC) = %v, want %v", tc.now, got, tc.want)
		}
	}
}

// Run follows the schedule on an injected clock and timer: a refresh at
// start, the daily run at 01:00, refreshes every 10 minutes; it stops when
// its context ends.
func TestSchedulerRunLoop(t *testing.T) {
	st := storetest.SQLite(t)
	silentFixture(t, st)
	clk := &clock{}
	clk.Set("2026-06-30 00:55")
	r := newScheduled(t, st, clk, "a:1")
	type wake struct {
		d  time.Duration
		ch chan time.Time
	}
	wakes := make(chan wake)
	r.sched.After = func(d time.Duration) <-chan time.Time {
		ch := make(chan time.Time, 1)
		wakes <- wake{d, ch}
		return ch
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.sched.Run(ctx)
	}()
	var waits []time.Duration
	var notices []int
	for range 4 {
		w := <-wakes
		waits = append(waits, w.d)
		notices = append(notices, noticeCount(t, st))
		clk.Add(w.d)
		w.ch <- clk.Now()
	}
	<-wakes // the fifth wait: stop instead
	cancel()
	<-done
	if got, want := fmt.Sprint(waits), "[5m0s 10m0s 10m0s 10m0s]"; got != want {
		t.Errorf("waits %s, want %s", got, want)
	}
	// After the start (00:55) no notice; after 01:00 the run's one.
	if got, want := fmt.Sprint(notices), "[0 1 1 1]"; got != want {
		t.Errorf("notices after each wake-up %s, want %s", got, want)
	}
	if got := jobRuns(t, st); got != "2026-06-30 by a:1; " {
		t.Errorf("job runs %q", got)
	}
	if got := r.Reports(); got != 5 {
		t.Errorf("%d reports, want 5 (00:55, the run at 01:00, 01:10, 01:20, 01:30)", got)
	}
}
