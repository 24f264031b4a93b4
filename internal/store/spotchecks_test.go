package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func hasColumn(cols []catalog.TreeColumn, unit, code string) bool {
	return slices.ContainsFunc(cols, func(c catalog.TreeColumn) bool { return c.Unit == unit && c.Code == code })
}

// The trees in force at an instant, replayed from the filings: added
// columns from their filing (or approval), removed ones until their
// removal (or again after a rejected removal).
func TestLeafColumnsAsOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		before := time.Now().Add(-time.Second)
		change := func(action, code string, approval bool) store.Filing {
			t.Helper()
			col := catalog.Column{Code: code}
			if action == catalog.FilingAdd {
				col = catalog.Column{Code: code, Name: "新栏目" + code, Parent: catalog.GroupColumn}
			}
			f, err := st.ChangeTree(ctx, catalog.ColumnChange{Unit: "fgw", Action: action, Reason: "测试", By: "ed", Column: col}, approval)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		decide := func(f store.Filing, approve bool, at time.Time) {
			t.Helper()
			if err := st.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.DecideFiling(ctx, f.ID, approve, "rev", "", at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		change(catalog.FilingAdd, "added", false)
		approved := change(catalog.FilingAdd, "approved", true)
		rejected := change(catalog.FilingAdd, "rejected", true)
		change(catalog.FilingRemove, "zwft", false)
		kept := change(catalog.FilingRemove, "yjzj", true)
		filed := time.Now().Add(time.Second)
		decided := filed.Add(time.Hour)
		decide(approved, true, decided)
		decide(rejected, false, decided)
		decide(kept, false, decided) // the removal is refused: the column is back
		later := decided.Add(time.Hour)

		tests := []struct {
			at   time.Time
			in   []string
			out  []string
			name string
		}{
			{before, []string{"zwft", "yjzj", "tzgg"}, []string{"added", "approved", "rejected"}, "before the filings"},
			{filed, []string{"added", "tzgg"}, []string{"approved", "rejected", "zwft", "yjzj"}, "filed, not decided"},
			{later, []string{"added", "approved", "yjzj", "tzgg"}, []string{"rejected", "zwft"}, "decided"},
		}
		for _, tc := range tests {
			cols, err := st.LeafColumnsAsOf(ctx, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.in {
				if !hasColumn(cols, "fgw", c) {
					t.Errorf("%s: %s not in force", tc.name, c)
				}
			}
			for _, c := range tc.out {
				if hasColumn(cols, "fgw", c) {
					t.Errorf("%s: %s in force", tc.name, c)
				}
			}
			if hasColumn(cols, "fgw", catalog.GroupColumn) {
				t.Errorf("%s: the grouping column counted as a leaf", tc.name)
			}
		}
		// Today's tree is the columns in force now.
		now, _ := st.LeafColumns(ctx)
		asOf, _ := st.LeafColumnsAsOf(ctx, later)
		if len(now) != len(asOf) {
			t.Errorf("%d columns in force now, %d replayed", len(now), len(asOf))
		}
	})
}

// A sample replaces an ungraded draw only; a grade is given over the grade
// seen only; the roll-up counts grades by a date and draws in a period.
func TestSpotCheckRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		for _, id := range []string{"a", "b", "c"} {
			e := entry("fgw-"+id, "fgw", "tzgg")
			e.PublishedAt = pubTime("2026-06-1" + map[string]string{"a": "0", "b": "1", "c": "2"}[id] + "T10:00:00+08:00")
			if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(e, id)}); err != nil {
				t.Fatal(err)
			}
		}
		june := func(s string) time.Time { return *pubTime(s) }
		cands, err := st.SpotCandidates(ctx, june("2026-06-11T00:00:00+08:00"), june("2026-06-30T23:59:59+08:00"), "fgw")
		if err != nil || len(cands) != 2 || cands[0].ID != "fgw-b" || cands[0].Column != "tzgg" || cands[0].Title == "" {
			t.Fatalf("candidates %+v, %v", cands, err)
		}
		draw := func(at time.Time, ids ...string) error {
			return st.WithTx(ctx, func(tx *store.Tx) error {
				var rows []store.NewSpotCheck
				for i, id := range ids {
					rows = append(rows, store.NewSpotCheck{EntryID: id, Unit: "fgw", Position: i + 1, Seed: "s", Candidates: 3})
				}
				return tx.ReplaceSpotChecks(ctx, "2026-06", rows, at, "rev")
			})
		}
		d1, d2 := june("2026-07-01T09:00:00+08:00"), june("2026-07-02T09:00:00+08:00")
		if err := draw(d1, "fgw-a", "fgw-b"); err != nil {
			t.Fatal(err)
		}
		if err := draw(d2, "fgw-c", "fgw-a"); err != nil {
			t.Fatal(err)
		}
		rows, err := st.SpotChecks(ctx, "2026-06", "")
		if err != nil || len(rows) != 2 || rows[0].EntryID != "fgw-c" || rows[1].EntryID != "fgw-a" || !rows[0].DrawnAt().Equal(d2) ||
			rows[0].ColumnName != "通知公告" || rows[0].Candidates != 3 {
			t.Fatalf("redrawn rows %+v, %v", rows, err)
		}
		gradeAt := func(id, grade, cats string, at time.Time, seen int64) (store.SpotCheck, error) {
			var after store.SpotCheck
			err := st.WithTx(ctx, func(tx *store.Tx) error {
				var err error
				_, after, err = tx.GradeSpotCheck(ctx, "2026-06", id, store.SpotGrade{Grade: grade, Categories: cats, By: "rev", At: at}, seen)
				return err
			})
			return after, err
		}
		g, err := gradeAt("fgw-c", store.GradeProblems, `["late","other"]`, june("2026-07-03T09:00:00+08:00"), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gradeAt("fgw-c", store.GradePass, `[]`, june("2026-07-03T10:00:00+08:00"), 0); !errors.Is(err, store.ErrStale) {
			t.Errorf("a grade over an unseen one: %v", err)
		}
		if _, err := gradeAt("fgw-b", store.GradePass, `[]`, d2, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("graded a row not drawn: %v", err)
		}
		if _, err := gradeAt("fgw-a", store.GradePass, `[]`, june("2026-10-02T09:00:00+08:00"), 0); err != nil {
			t.Fatal(err)
		}
		if err := draw(d2, "fgw-b"); !errors.Is(err, store.ErrSpotChecksGraded) {
			t.Errorf("drew over grades: %v", err)
		}
		if g.GradeStamp() == 0 || g.Grade != store.GradeProblems {
			t.Errorf("graded row %+v", g)
		}

		cats := []string{"late", "other", "misplaced"}
		tests := []struct {
			name string
			q    store.SpotRollupQuery
			want store.SpotRollup
		}{
			{"every grade", store.SpotRollupQuery{Months: []string{"2026-06"}, Categories: cats},
				store.SpotRollup{Unit: "fgw", Sampled: 2, Graded: 2, Passed: 1, Problems: 1, ByCategory: map[string]int{"late": 1, "other": 1, "misplaced": 0}}},
			{"grades by the quarter's end", store.SpotRollupQuery{GradedBy: june("2026-09-30T23:59:59+08:00"), Categories: cats},
				store.SpotRollup{Unit: "fgw", Sampled: 2, Graded: 1, Passed: 0, Problems: 1, ByCategory: map[string]int{"late": 1, "other": 1, "misplaced": 0}}},
			{"drawn before the second draw", store.SpotRollupQuery{DrawnTo: d1, Categories: cats}, store.SpotRollup{}},
			{"per month", store.SpotRollupQuery{DrawnFrom: d2, PerMonth: true},
				store.SpotRollup{Unit: "fgw", Month: "2026-06", Sampled: 2, Graded: 2, Passed: 1, Problems: 1, ByCategory: map[string]int{}}},
		}
		for _, tc := range tests {
			got, err := st.SpotRollups(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.Unit == "" {
				if len(got) != 0 {
					t.Errorf("%s: %+v, want nothing", tc.name, got)
				}
				continue
			}
			if len(got) != 1 || got[0].Unit != tc.want.Unit || got[0].Month != tc.want.Month || got[0].Sampled != tc.want.Sampled ||
				got[0].Graded != tc.want.Graded || got[0].Passed != tc.want.Passed || got[0].Problems != tc.want.Problems ||
				!mapsEqual(got[0].ByCategory, tc.want.ByCategory) {
				t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
			}
		}
		if _, err := st.SpotRollups(ctx, store.SpotRollupQuery{Categories: []string{"a%"}}); err == nil {
			t.Error("a category with a wildcard was accepted")
		}
		months, err := st.SpotMonths(ctx)
		if err != nil || len(months) != 1 || months[0].Rows != 2 || months[0].Graded != 2 {
			t.Errorf("months %+v, %v", months, err)
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestBulletinArchive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		b := store.Bulletin{Quarter: "2026Q2", GeneratedAtMS: 1, GeneratedBy: "rev", Data: `{"quarter":"2026Q2"}`, SHA256: "abc"}
		ins := func(b store.Bulletin) error {
			return st.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertBulletin(ctx, b) })
		}
		if err := ins(b); err != nil {
			t.Fatal(err)
		}
		if err := ins(b); !errors.Is(err, store.ErrBulletinArchived) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("archived twice: %v", err)
		}
		b2 := b
		b2.Quarter = "2026Q1"
		if err := ins(b2); err != nil {
			t.Fatal(err)
		}
		got, err := st.Bulletin(ctx, "2026Q2")
		if err != nil || got != b {
			t.Errorf("read %+v, %v", got, err)
		}
		if _, err := st.Bulletin(ctx, "2025Q4"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing quarter: %v", err)
		}
		list, err := st.Bulletins(ctx)
		if err != nil || len(list) != 2 || list[0].Quarter != "2026Q2" || list[0].Data != "" || list[1].SHA256 != "abc" {
			t.Errorf("list %+v, %v", list, err)
		}
	})
}
