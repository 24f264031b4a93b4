package supervise_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

// The seed and the ranks are what docs/supervision-spotchecks.md tells
// anyone to compute with sha256sum; the figures below were computed so:
//
//	printf 'gongkai-spot-check:2026-06:fgw' | sha256sum
//	printf '%s%s' "$seed" fgw-c | sha256sum   (and so on; the lowest first)
func TestDrawFollowsThePublishedRule(t *testing.T) {
	june := supervise.Month{Year: 2026, Mon: 6}
	const seed = "123e67157f121b6b005117035315497330855046fa74b8f3418bc8dff61b5502"
	if got := supervise.SpotSeed(june, "fgw"); got != seed {
		t.Fatalf("seed %s, want %s", got, seed)
	}
	var cands []store.SpotCandidate
	for _, id := range []string{"fgw-a", "fgw-b", "fgw-c", "fgw-d", "fgw-e", "fgw-f", "fgw-g"} {
		cands = append(cands, store.SpotCandidate{ID: id, Unit: "fgw"})
	}
	// Another unit's entry is no candidate of fgw's.
	cands = append(cands, store.SpotCandidate{ID: "jtj-a", Unit: "jtj"})
	tests := []struct {
		name  string
		cands []store.SpotCandidate
		size  int
		want  []string
	}{
		{"three of seven", cands, 3, []string{"fgw-c", "fgw-b", "fgw-e"}},
		{"reversed input", reversed(cands), 3, []string{"fgw-c", "fgw-b", "fgw-e"}},
		{"more than there are", cands[:2], 5, []string{"fgw-b", "fgw-a"}},
		{"none", nil, 5, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := supervise.Draw(june, "fgw", tc.cands, tc.size)
			got := []string{}
			for i, d := range s.Drawn {
				got = append(got, d.ID)
				if d.Position != i+1 || d.Rank != supervise.SpotRank(seed, d.ID) {
					t.Errorf("%s at %d with rank %s", d.ID, d.Position, d.Rank)
				}
			}
			if !slices.Equal(got, tc.want) || s.Seed != seed {
				t.Errorf("drew %v with seed %s, want %v", got, s.Seed, tc.want)
			}
		})
	}
	if s := supervise.Draw(supervise.Month{Year: 2026, Mon: 7}, "fgw", cands, 3); s.Seed == seed || slices.Equal(ids(s), []string{"fgw-c", "fgw-b", "fgw-e"}) {
		t.Errorf("July drew June's sample: %v", ids(s))
	}
}

func reversed(cs []store.SpotCandidate) []store.SpotCandidate {
	out := slices.Clone(cs)
	slices.Reverse(out)
	return out
}

func ids(s supervise.Sample) []string {
	var out []string
	for _, d := range s.Drawn {
		out = append(out, d.ID)
	}
	return out
}

// publishID stores a published entry with a chosen id.
func publishID(t *testing.T, st *store.Store, id, unit, column, when string) {
	t.Helper()
	e := catalog.Entry{ID: id, Unit: unit, Column: column, Title: "抽查测试 " + id, Status: catalog.StatusPublished,
		PublishedAt: at(when), BodyHTML: "<p>正文</p>"}
	if _, err := st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
}

func drawnIDs(t *testing.T, st *store.Store, month, unit string) []string {
	t.Helper()
	rows, err := st.SpotChecks(context.Background(), month, unit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%d:%s", r.Position, r.EntryID))
	}
	return out
}

// The same month always draws the same sample: drawn twice, and drawn
// again after entries of other months were published. Drawing needs the
// office and a month that has ended; a month with a grade is not drawn
// again.
func TestDrawMonthIsReproducible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		for i := 1; i <= 8; i++ {
			publishID(t, st, fmt.Sprintf("fgw-2026-06-%02d", i), "fgw", "tzgg", fmt.Sprintf("2026-06-%02d 09:00", i*3))
		}
		publishID(t, st, "fgw-2026-05-31", "fgw", "tzgg", "2026-05-31 23:59")
		publishID(t, st, "jtj-2026-06-01", "jtj", "zcwj", "2026-06-30 23:59")
		publishID(t, st, "jtj-2026-07-01", "jtj", "zcwj", "2026-07-01 00:00")
		june := supervise.Month{Year: 2026, Mon: 6}
		rv := caller(auth.RoleReviewer, "")

		f.now = day("2026-06-30")
		var fe catalog.FieldErrors
		if _, err := f.svc.DrawMonth(ctx, rv, june); !errors.As(err, &fe) {
			t.Fatalf("drew June on its last day: %v", err)
		}
		f.now = day("2026-07-01")
		if _, err := f.svc.DrawMonth(ctx, caller(auth.RoleApprover, "fgw"), june); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("a unit drew the spot check: %v", err)
		}
		res, err := f.svc.DrawMonth(ctx, rv, june)
		if err != nil {
			t.Fatal(err)
		}
		first := drawnIDs(t, st, "2026-06", "fgw")
		if len(first) != 5 || res.Size != 5 || res.Redrawn {
			t.Fatalf("fgw's sample %v (size %d, redrawn %v), want 5 of its 8 June entries", first, res.Size, res.Redrawn)
		}
		// The stored rows are the documented rule applied by hand: the
		// June ids ranked by sha256(seed + id).
		seed := supervise.SpotSeed(june, "fgw")
		var june8 []string
		for i := 1; i <= 8; i++ {
			june8 = append(june8, fmt.Sprintf("fgw-2026-06-%02d", i))
		}
		slices.SortFunc(june8, func(a, b string) int {
			return strings.Compare(supervise.SpotRank(seed, a), supervise.SpotRank(seed, b))
		})
		for i, id := range june8[:5] {
			if first[i] != fmt.Sprintf("%d:%s", i+1, id) {
				t.Errorf("row %d is %s, want %s", i+1, first[i], id)
			}
		}
		if got := drawnIDs(t, st, "2026-06", "jtj"); !slices.Equal(got, []string{"1:jtj-2026-06-01"}) {
			t.Errorf("jtj's sample %v, want its one June entry", got)
		}
		rows, _ := st.SpotChecks(ctx, "2026-06", "fgw")
		if rows[0].Seed != seed || rows[0].Candidates != 8 || rows[0].DrawnBy == "" {
			t.Errorf("row %+v", rows[0])
		}

		// Again, and after July's entries: the same rows.
		publishID(t, st, "fgw-2026-07-02", "fgw", "tzgg", "2026-07-02 08:00")
		f.now = day("2026-07-03")
		res, err = f.svc.DrawMonth(ctx, rv, june)
		if err != nil {
			t.Fatal(err)
		}
		if again := drawnIDs(t, st, "2026-06", "fgw"); !slices.Equal(again, first) || !res.Redrawn {
			t.Errorf("drawn again: %v (redrawn %v), want %v", again, res.Redrawn, first)
		}

		// Each draw is audited with the seeds and the ids.
		recs, _, err := st.AuditRecords(ctx, store.AuditQuery{Action: "spotcheck.draw", Unit: "fgw", Outcome: "ok", Size: 10})
		if err != nil || len(recs) != 2 {
			t.Fatalf("%d draw records for fgw, %v", len(recs), err)
		}
		if !strings.Contains(recs[0].Summary, seed) || !strings.Contains(recs[0].Summary, strings.Split(first[0], ":")[1]) {
			t.Errorf("draw record %s lacks the seed or the ids", recs[0].Summary)
		}

		// Grades: pass, or problems naming categories.
		e1, e2 := strings.Split(first[0], ":")[1], strings.Split(first[1], ":")[1]
		bad := []supervise.GradeInput{
			{Month: june, Entry: e1, Grade: store.GradeProblems},
			{Month: june, Entry: e1, Grade: store.GradePass, Categories: []string{"late"}},
			{Month: june, Entry: e1, Grade: store.GradeProblems, Categories: []string{"bogus"}},
			{Month: june, Entry: e1, Grade: store.GradeProblems, Categories: []string{"other"}},
			{Month: june, Entry: e1, Grade: "maybe"},
			{Month: june, Entry: e1, Grade: store.GradePass, Note: strings.Repeat("长", 501)},
		}
		for _, in := range bad {
			if _, err := f.svc.Grade(ctx, rv, in); !errors.As(err, &fe) {
				t.Errorf("grade %+v: %v, want a field error", in, err)
			}
		}
		if _, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: "jtj-2026-07-01", Grade: store.GradePass}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("graded an entry not drawn: %v", err)
		}
		if _, err := f.svc.Grade(ctx, caller(auth.RoleEditor, "fgw"), supervise.GradeInput{Month: june, Entry: e1, Grade: store.GradePass}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a unit graded its own sample: %v", err)
		}
		g1, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: e1, Grade: store.GradePass})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Grade(ctx, caller(auth.RoleAdmin, ""), supervise.GradeInput{Month: june, Entry: e1, Grade: store.GradeProblems,
			Categories: []string{"late"}}); !errors.Is(err, store.ErrStale) {
			t.Errorf("a grade over one not seen: %v, want ErrStale", err)
		}
		if _, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: e2, Grade: store.GradeProblems,
			Categories: []string{"other", "late", "late"}, Note: "附件无法打开"}); err != nil {
			t.Fatal(err)
		}
		if g, err := st.SpotCheck(ctx, "2026-06", e2); err != nil || g.Categories != `["late","other"]` || g.Note != "附件无法打开" {
			t.Errorf("stored grade %q %q, %v", g.Categories, g.Note, err)
		}
		if _, err := f.svc.DrawMonth(ctx, rv, june); !errors.Is(err, store.ErrSpotChecksGraded) {
			t.Errorf("drew over grades: %v", err)
		}

		// The roll-up.
		v, err := f.svc.SpotMonth(ctx, june)
		if err != nil {
			t.Fatal(err)
		}
		var fgw supervise.SpotUnit
		for _, u := range v.Units {
			if u.Unit == "fgw" {
				fgw = u
			}
		}
		r := fgw.Rollup
		if r.Sampled != 5 || r.Graded != 2 || r.Passed != 1 || r.Problems != 1 || r.PassRateLabel() != "50.0%" ||
			r.ByCategory["late"] != 1 || r.ByCategory["other"] != 1 || r.ByCategory["inaccurate"] != 0 || fgw.Candidates != 8 {
			t.Errorf("fgw's roll-up %+v", r)
		}
		if v.Total.Sampled != 6 || v.Total.Graded != 2 || !v.Drawn || v.Redraw || !v.GradeOpen {
			t.Errorf("month %+v", v)
		}

		// A grade changes while the draw's quarter runs, not after.
		if _, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: e1, Grade: store.GradeProblems,
			Categories: []string{"misplaced"}, Seen: g1.GradeStamp()}); err != nil {
			t.Fatalf("regrade within the quarter: %v", err)
		}
		f.now = day("2026-10-01")
		g, _ := st.SpotCheck(ctx, "2026-06", e1)
		if _, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: e1, Grade: store.GradePass, Seen: g.GradeStamp()}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("changed a grade of a past quarter: %v", err)
		}
		e3 := strings.Split(first[2], ":")[1]
		if _, err := f.svc.Grade(ctx, rv, supervise.GradeInput{Month: june, Entry: e3, Grade: store.GradePass}); err != nil {
			t.Errorf("a late first grade: %v", err)
		}
	})
}

// An ungraded draw of a past quarter is not drawn again either: the
// quarter's bulletin counted it.
func TestDrawOfPastQuarterStands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		storetest.Unit(t, st, "fgw")
		publishID(t, st, "fgw-may", "fgw", "tzgg", "2026-05-10 09:00")
		may := supervise.Month{Year: 2026, Mon: 5}
		rv := caller(auth.RoleReviewer, "")
		f.now = day("2026-06-02")
		if _, err := f.svc.DrawMonth(ctx, rv, may); err != nil {
			t.Fatal(err)
		}
		f.now = day("2026-07-02")
		if _, err := f.svc.DrawMonth(ctx, rv, may); !errors.Is(err, store.ErrConflict) {
			t.Errorf("redrew a draw of a past quarter: %v", err)
		}
		v, err := f.svc.SpotMonth(ctx, may)
		if err != nil || v.Redraw {
			t.Errorf("page offers a redraw: %v %v", v.Redraw, err)
		}
	})
}

func TestParseMonthAndQuarter(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"2026-06", "2026-06", true}, {" 2026-12 ", "2026-12", true}, {"2026-13", "", false}, {"2026-6-1", "", false}, {"1999-01", "", false}, {"", "", false},
	} {
		m, err := supervise.ParseMonth(tc.in)
		if (err == nil) != tc.ok || (tc.ok && m.String() != tc.want) {
			t.Errorf("ParseMonth(%q) = %v, %v", tc.in, m, err)
		}
	}
	for _, tc := range []struct {
		in, want, label, from, to string
	}{
		{"2026Q2", "2026Q2", "2026年第二季度", "2026-04-01T00:00:00.000+08:00", "2026-06-30T23:59:59.999+08:00"},
		{"2026q4", "2026Q4", "2026年第四季度", "2026-10-01T00:00:00.000+08:00", "2026-12-31T23:59:59.999+08:00"},
		{"2027-Q1", "2027Q1", "2027年第一季度", "2027-01-01T00:00:00.000+08:00", "2027-03-31T23:59:59.999+08:00"},
		{"2026Q5", "", "", "", ""}, {"26Q1", "", "", "", ""}, {"2026", "", "", "", ""},
	} {
		q, err := supervise.ParseQuarter(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseQuarter(%q) = %v", tc.in, q)
			}
			continue
		}
		const f = "2006-01-02T15:04:05.000Z07:00"
		if err != nil || q.String() != tc.want || q.Label() != tc.label || q.Start().Format(f) != tc.from || q.End().Format(f) != tc.to {
			t.Errorf("ParseQuarter(%q) = %v %s %s–%s, %v", tc.in, q, q.Label(), q.Start().Format(f), q.End().Format(f), err)
		}
	}
	if q := supervise.QuarterOf(*at("2026-07-01 00:00")); q.String() != "2026Q3" || q.Prev().String() != "2026Q2" {
		t.Errorf("QuarterOf 1 July = %v", q)
	}
	if m := (supervise.Month{Year: 2026, Mon: 1}).Prev(); m.String() != "2025-12" {
		t.Errorf("before January: %v", m)
	}
}
