package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// A day is claimed once, whoever asks; only its claimer can release it,
// and once released the next claim wins again.
func TestJobRunClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 6, 30, 1, 0, 0, 0, time.UTC)
		steps := []struct {
			do, runner, day string
			want            bool // claimed (claim steps only)
		}{
			{"claim", "a:1", "2026-06-30", true},
			{"claim", "b:2", "2026-06-30", false},
			{"claim", "a:1", "2026-06-30", false}, // its own claim again: already run
			{"claim", "b:2", "2026-07-01", true},  // another day
			{"release", "b:2", "2026-06-30", false},
			{"claim", "b:2", "2026-06-30", false}, // b's release did not free a's claim
			{"release", "a:1", "2026-06-30", false},
			{"claim", "b:2", "2026-06-30", true},
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
			case "release":
				if err := st.ReleaseJobRun(ctx, "job.x", s.day, s.runner); err != nil {
					t.Fatal(err)
				}
			}
		}
		if ok, err := st.ClaimJobRun(ctx, "job.y", "2026-06-30", "a:1", at); err != nil || !ok {
			t.Errorf("another job's claim of the same day: %v %v, want claimed", ok, err)
		}
		runs, err := st.JobRuns(ctx, "job.x", 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(runs); got != fmt.Sprintf("[{job.x 2026-07-01 b:2 %d} {job.x 2026-06-30 b:2 %d}]", at.UnixMilli(), at.UnixMilli()) {
			t.Errorf("job runs: %s", got)
		}
		if !runs[0].StartedAt().Equal(at) {
			t.Errorf("started at %v, want %v", runs[0].StartedAt(), at)
		}
	})
}
