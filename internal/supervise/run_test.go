package supervise_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

func day(s string) time.Time {
	t, err := supervise.ParseAsOf(s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) *time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, catalog.Shanghai)
	if err != nil {
		panic(err)
	}
	return &t
}

var serial int

// publish stores a published entry of unit in column at the given time.
func publish(t *testing.T, st *store.Store, unit, column, when string) {
	t.Helper()
	serial++
	e := catalog.Entry{ID: fmt.Sprintf("%s-%s-%d", unit, column, serial), Unit: unit, Column: column, Title: "测试信息 " + when,
		Status: catalog.StatusPublished, PublishedAt: at(when), BodyHTML: "<p>正文</p>"}
	if _, err := st.SaveEntries(context.Background(), []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
}

type fixture struct {
	st  *store.Store
	svc *supervise.Service
	now time.Time
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, svc: supervise.New(st, fs, nil)}
	f.svc.Now = func() time.Time { return f.now }
	return f
}

func caller(role auth.Role, unit string) auth.Caller {
	return auth.Caller{P: auth.Principal{UserID: 1, Login: string(role) + unit, Role: role, Unit: unit}, IP: "127.0.0.1"}
}

func (f *fixture) run(t *testing.T, date string) *supervise.RunResult {
	t.Helper()
	f.now = day(date)
	res, err := f.svc.Run(context.Background(), f.now, supervise.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) notices(t *testing.T, unit string) []store.Notice {
	t.Helper()
	ns, err := f.st.Notices(context.Background(), store.NoticeQuery{Units: []string{unit}})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func raisedFor(res *supervise.RunResult, unit, rule string) int {
	n := 0
	for _, r := range res.Raised {
		if r.Unit == unit && r.Rule == rule {
			n++
		}
	}
	return n
}

// A unit silent for 31 days gets exactly one notice, however often the run
// repeats; once it publishes again and answers the notice, the next run
// closes it. A unit that keeps publishing gets none.
func TestSilentUnitNoticeLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		// Enough volume for the window, so only silence is at stake.
		for _, d := range []string{"2026-04-10 09:00", "2026-05-06 09:00", "2026-05-30 10:00"} {
			publish(t, st, "fgw", "tzgg", d)
		}
		for _, d := range []string{"2026-05-01 09:00", "2026-06-01 09:00", "2026-06-29 09:00"} {
			publish(t, st, "jtj", "tzgg", d)
		}

		// 30 June: fgw has been silent 31 days (since 30 May).
		res := f.run(t, "2026-06-30")
		if got := raisedFor(res, "fgw", supervise.RuleSilent); got != 1 {
			t.Fatalf("raised for fgw: %d silent notices, want 1 (%+v)", got, res.Raised)
		}
		if res.New != 1 || len(res.Raised) != 1 {
			t.Fatalf("run raised %d new, %+v; want only fgw's", res.New, res.Raised)
		}
		u, _ := res.Report.Unit("fgw")
		if u.DaysSilent != 31 || !u.Silent {
			t.Errorf("fgw: %d days silent, silent=%v; want 31, true", u.DaysSilent, u.Silent)
		}
		if ns := f.notices(t, "jtj"); len(ns) != 0 {
			t.Errorf("jtj publishes and got %d notices", len(ns))
		}

		// 29 June, a day less: not yet silent (30 days is within the rule).
		if rep, err := f.svc.Report(ctx, day("2026-06-29")); err != nil {
			t.Fatal(err)
		} else if u, _ := rep.Unit("fgw"); u.Silent || u.DaysSilent != 30 {
			t.Errorf("29 June: fgw silent=%v after %d days; want false after 30", u.Silent, u.DaysSilent)
		}

		// The daily run repeats: still exactly one notice, the same answer.
		again := f.run(t, "2026-06-30")
		if again.New != 0 || fmt.Sprint(again.Raised) != fmt.Sprint(withoutNew(res.Raised)) {
			t.Errorf("second run: %d new, %+v; want the first run's answer %+v", again.New, again.Raised, res.Raised)
		}
		f.run(t, "2026-07-01")
		ns := f.notices(t, "fgw")
		if len(ns) != 1 {
			t.Fatalf("fgw has %d notices after three runs, want 1", len(ns))
		}
		n := ns[0]
		if n.Number != "临政办督〔2026〕1号" || n.State != store.NoticeOpen || n.Rule != supervise.RuleSilent {
			t.Errorf("notice %s %s %s", n.Number, n.State, n.Rule)
		}
		if want := day("2026-07-15"); !n.DueAt().Equal(want) {
			t.Errorf("due %v, want %v (15 days)", n.DueAt(), want)
		}

		// Answering needs the unit's own staff, and a self-examination first.
		ed := caller(auth.RoleEditor, "fgw")
		if _, err := f.svc.ReportRectified(ctx, ed, n.ID, "已更新"); err == nil || !strings.Contains(err.Error(), "书面检查") {
			t.Errorf("rectified without a self-examination: %v", err)
		}
		if _, err := f.svc.UploadSelfExam(ctx, caller(auth.RoleEditor, "jtj"), n.ID, "检查.pdf", strings.NewReader("%PDF-1.4 x")); err == nil {
			t.Error("another unit answered fgw's notice")
		}
		if _, err := f.svc.UploadSelfExam(ctx, ed, n.ID, "检查.pdf", strings.NewReader("not a pdf")); err == nil {
			t.Error("a file that is no PDF was taken as one")
		}
		if _, err := f.svc.UploadSelfExam(ctx, ed, n.ID, "书面检查.pdf", strings.NewReader("%PDF-1.4\n书面检查\n%%EOF")); err != nil {
			t.Fatal(err)
		}
		f.now = day("2026-07-02")
		publish(t, st, "fgw", "tzgg", "2026-07-02 09:00")
		if _, err := f.svc.ReportRectified(ctx, ed, n.ID, "已补发通知公告，建立每周更新机制。"); err != nil {
			t.Fatal(err)
		}
		res = f.run(t, "2026-07-03")
		if len(res.Closed) != 1 || res.Closed[0] != n.ID {
			t.Errorf("run after the answer closed %v, want [%d]", res.Closed, n.ID)
		}
		got, err := st.Notice(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.NoticeClosed || got.ClosedBy != "system" {
			t.Errorf("notice %s by %q, want closed by the run", got.State, got.ClosedBy)
		}
		// Closed, and no new notice: fgw publishes again.
		if ns := f.notices(t, "fgw"); len(ns) != 1 {
			t.Errorf("fgw has %d notices, want the closed one only", len(ns))
		}

		// Every step is in the audit log.
		recs, _, err := st.AuditRecords(ctx, store.AuditQuery{Action: "notice.", Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range recs {
			if r.ObjectID == n.Number && r.Outcome == "ok" {
				actions = append(actions, r.Action)
			}
		}
		want := "notice.close notice.rectified notice.self_exam notice.raise"
		if strings.Join(actions, " ") != want {
			t.Errorf("audit trail %v, want %s", actions, want)
		}
	})
}

func withoutNew(rs []supervise.Raised) []supervise.Raised {
	out := make([]supervise.Raised, len(rs))
	for i, r := range rs {
		r.New = false
		out[i] = r
	}
	return out
}

// A notice the unit has not answered by its deadline is escalated once;
// a notice whose unit answered but still breaks the rule stays open.
func TestOverdueNoticeEscalates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		storetest.Unit(t, st, "fgw")
		publish(t, st, "fgw", "tzgg", "2026-03-01 09:00")
		f.run(t, "2026-06-30")
		ns := f.notices(t, "fgw")
		if len(ns) == 0 {
			t.Fatal("no notice")
		}
		res := f.run(t, "2026-07-16")
		if len(res.Escalated) != len(ns) {
			t.Errorf("escalated %v, want every one of %d", res.Escalated, len(ns))
		}
		if res := f.run(t, "2026-07-17"); len(res.Escalated) != 0 {
			t.Errorf("escalated again: %v", res.Escalated)
		}
		v, err := f.svc.Notices(ctx, caller(auth.RoleReviewer, ""), supervise.NoticeFilter{Overdue: true})
		if err != nil || len(v) != len(ns) || !v[0].Overdue {
			t.Errorf("overdue notices %d, %v", len(v), err)
		}
		// The unit answers, but does not publish: the run keeps it.
		ed := caller(auth.RoleApprover, "fgw")
		for _, n := range ns {
			if _, err := f.svc.UploadSelfExam(ctx, ed, n.ID, "检查.docx", strings.NewReader("PK\x03\x04 docx")); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ReportRectified(ctx, ed, n.ID, "正在整改"); err != nil {
				t.Fatal(err)
			}
		}
		if res := f.run(t, "2026-07-18"); len(res.Closed) != 0 {
			t.Errorf("closed %v while the unit is still silent", res.Closed)
		}
		// The office sends one back, then closes it by hand.
		rv := caller(auth.RoleReviewer, "")
		if _, err := f.svc.SendBack(ctx, rv, ns[0].ID, ""); err == nil {
			t.Error("sent back without a reason")
		}
		if _, err := f.svc.SendBack(ctx, rv, ns[0].ID, "检查不深刻"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Close(ctx, caller(auth.RoleEditor, "fgw"), ns[0].ID, ""); err == nil {
			t.Error("the unit closed its own notice")
		}
		if n, err := f.svc.Close(ctx, rv, ns[0].ID, "已核实"); err != nil || n.State != store.NoticeClosed {
			t.Fatalf("close: %v %v", n.State, err)
		}
		if _, err := f.svc.Close(ctx, rv, ns[0].ID, "again"); err == nil {
			t.Error("closed twice")
		}
	})
}

// Another unit's notice is hidden from unit staff, and the auditor reads
// no notices at all.
func TestNoticeVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		f.now = day("2026-06-30")
		n, err := f.svc.Raise(ctx, caller(auth.RoleAdmin, ""), supervise.ManualNotice{Unit: "fgw", Facts: "政策解读栏目内容与政策文件不对应。", Due: day("2026-07-10")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Raise(ctx, caller(auth.RoleApprover, "fgw"), supervise.ManualNotice{Unit: "jtj", Facts: "x", Due: day("2026-07-10")}); err == nil {
			t.Error("a unit raised a notice")
		}
		if _, err := f.svc.Notice(ctx, caller(auth.RoleEditor, "jtj"), n.ID); err == nil {
			t.Error("jtj read fgw's notice")
		}
		if got, err := f.svc.Notices(ctx, caller(auth.RoleEditor, "jtj"), supervise.NoticeFilter{}); err != nil || len(got) != 0 {
			t.Errorf("jtj lists %d notices, %v", len(got), err)
		}
		if got, err := f.svc.Notices(ctx, caller(auth.RoleEditor, "fgw"), supervise.NoticeFilter{States: []string{"open"}}); err != nil || len(got) != 1 {
			t.Errorf("fgw lists %d notices, %v", len(got), err)
		}
		if _, err := f.svc.Notices(ctx, caller(auth.RoleAuditor, ""), supervise.NoticeFilter{}); err == nil {
			t.Error("the auditor listed notices")
		}
		if _, err := f.svc.Notices(ctx, caller(auth.RoleReviewer, ""), supervise.NoticeFilter{States: []string{"bogus"}}); err == nil {
			t.Error("an unknown state was accepted")
		}
	})
}
