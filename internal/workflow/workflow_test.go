package workflow_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/workflow"
)

var (
	editor   = workflow.Caller{P: auth.Principal{UserID: 1, Login: "ed", Role: auth.RoleEditor, Unit: "fgw"}, IP: "10.0.0.1", UserAgent: "test"}
	approver = workflow.Caller{P: auth.Principal{UserID: 2, Login: "ap", Role: auth.RoleApprover, Unit: "fgw"}}
	reviewer = workflow.Caller{P: auth.Principal{UserID: 3, Login: "rv", Role: auth.RoleReviewer}}
	foreign  = workflow.Caller{P: auth.Principal{UserID: 4, Login: "other", Role: auth.RoleEditor, Unit: "jtj"}}
	auditor  = workflow.Caller{P: auth.Principal{UserID: 5, Login: "au", Role: auth.RoleAuditor}}
	token    = workflow.Caller{P: auth.Principal{TokenID: 9, Role: auth.RoleEditor, Unit: "fgw"}}
)

func newService(t *testing.T, st *store.Store) *workflow.Service {
	t.Helper()
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "jtj")
	wf := newServiceB(t, st)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)
	wf.Now = func() time.Time { now = now.Add(time.Minute); return now }
	return wf
}

// newServiceB is the service on the real clock, over a fresh file store.
func newServiceB(t testing.TB, st *store.Store) *workflow.Service {
	t.Helper()
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return workflow.New(st, fs, nil)
}

func draft(column string) catalog.EntryInput {
	return catalog.EntryInput{Column: column, Title: "关于做好春季农业生产工作的通知", DocNo: "临发改发〔2026〕3号", WrittenAt: "2026-02-28",
		DocType: "通知", Validity: "有效", FivePublics: "执行", Keywords: []string{"春耕"},
		BodyHTML: `<p>各县区：</p><table><tr><td>项目</td><td>金额</td></tr></table><script>alert(1)</script><p onclick="x()">落实到位。</p>`}
}

type result[T any] struct {
	v   T
	err error
}

// must pairs a call's value and error, for .ok(t).
func must[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func TestReviewPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		r := must(wf.Create(ctx, editor, draft("ggfw"))).ok(t)
		e := r.Entry
		if e.Status != catalog.StatusDraft || e.Unit != "fgw" || e.IndexNo == "" || e.Revision != 1 {
			t.Fatalf("created %+v", e.Entry)
		}
		if strings.Contains(e.BodyHTML, "script") || strings.Contains(e.BodyHTML, "onclick") || !strings.Contains(e.BodyHTML, "<table>") {
			t.Errorf("body not sanitised as expected: %s", e.BodyHTML)
		}
		// Two people edit revision 1: the second save is a conflict.
		in := draft("ggfw")
		in.Title = "关于做好春季农业生产工作的通知（修订）"
		must(wf.Update(ctx, editor, e.ID, in, 1, "改标题")).ok(t)
		in.Title = "另一个人的标题"
		if _, err := wf.Update(ctx, approver, e.ID, in, 1, ""); !errors.Is(err, store.ErrStale) {
			t.Fatalf("second save on revision 1: %v, want ErrStale", err)
		}
		// Another unit's staff do not learn the entry exists.
		for _, try := range []func() error{
			func() error { _, err := wf.Entry(ctx, foreign, e.ID); return err },
			func() error { _, err := wf.Submit(ctx, foreign, e.ID, 0); return err },
			func() error { _, err := wf.Update(ctx, foreign, e.ID, in, 0, ""); return err },
			func() error { _, err := wf.Entry(ctx, auditor, e.ID); return err },
		} {
			if err := try(); !errors.Is(err, auth.ErrHidden) {
				t.Errorf("foreign access: %v, want ErrHidden", err)
			}
		}
		// The office may not submit a unit's draft; the editor may not approve.
		if _, err := wf.Submit(ctx, reviewer, e.ID, 0); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("reviewer submit: %v, want ErrForbidden", err)
		}
		must(wf.Submit(ctx, editor, e.ID, 2)).ok(t)
		if _, err := wf.Approve(ctx, editor, e.ID, 0); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("editor approve: %v, want ErrForbidden", err)
		}
		if _, err := wf.Approve(ctx, reviewer, e.ID, 0); !isTransition(err) {
			t.Errorf("office approve of a pending entry: %v, want a transition error", err)
		}
		r = must(wf.Approve(ctx, approver, e.ID, 0)).ok(t)
		if r.Entry.Status != catalog.StatusSubmitted {
			t.Fatalf("after unit approval: %s", r.Entry.Status)
		}
		if _, err := wf.Return(ctx, reviewer, e.ID, " ", 0); err == nil {
			t.Error("a return without a reason was accepted")
		}
		r = must(wf.Return(ctx, reviewer, e.ID, "栏目不符：请调整到政策文件栏目", 0)).ok(t)
		if r.Entry.Status != catalog.StatusReturned || r.Entry.ReturnReason != "栏目不符：请调整到政策文件栏目" {
			t.Fatalf("returned: %s %q", r.Entry.Status, r.Entry.ReturnReason)
		}
		in = draft("zcwj")
		r = must(wf.Update(ctx, editor, e.ID, in, r.Entry.Revision, "按退回意见修改")).ok(t)
		if r.Entry.Status != catalog.StatusReturned || r.Entry.ReturnReason == "" || r.Entry.Column != "zcwj" {
			t.Errorf("edited returned entry: %s %q %s", r.Entry.Status, r.Entry.ReturnReason, r.Entry.Column)
		}
		seq0, _, _ := st.LastChange(ctx)
		sub := must(wf.Submit(ctx, token, e.ID, 0)).ok(t)
		if len(sub.Warnings) == 0 {
			t.Error("a policy document without interpretation gave no reminder")
		}
		must(wf.Approve(ctx, approver, e.ID, 0)).ok(t)
		r = must(wf.Approve(ctx, reviewer, e.ID, 0)).ok(t)
		if r.Entry.Status != catalog.StatusPublished || r.Entry.PublishedAt == nil {
			t.Fatalf("published: %s %v", r.Entry.Status, r.Entry.PublishedAt)
		}
		changes := must(st.ChangesAfter(ctx, seq0, 100)).ok(t)
		if len(changes) != 3 || changes[2].Ref != e.ID {
			t.Errorf("change log after submit/approve/approve: %+v", changes)
		}
		revs := must(st.EntryRevisions(ctx, e.ID)).ok(t)
		if len(revs) != r.Entry.Revision || revs[0].Actor != "rv" || !strings.Contains(revs[len(revs)-2].Reason, "改标题") && !strings.Contains(revs[len(revs)-2].Reason, "修改") {
			t.Errorf("revisions: %+v", revs)
		}
		if _, err := wf.Update(ctx, editor, e.ID, in, 0, ""); !isTransition(err) {
			t.Errorf("editing a published entry: %v, want a transition error", err)
		}
		if _, err := wf.Withdraw(ctx, reviewer, e.ID, "", 0); err == nil {
			t.Error("a withdrawal without a reason was accepted")
		}
		r = must(wf.Withdraw(ctx, reviewer, e.ID, "文件已废止", 0)).ok(t)
		if r.Entry.Status != catalog.StatusWithdrawn || r.Entry.WithdrawReason != "文件已废止" || r.Entry.WithdrawnAt == nil {
			t.Errorf("withdrawn: %+v", r.Entry.Entry)
		}
	})
}

func isTransition(err error) bool {
	var te *catalog.TransitionError
	return errors.As(err, &te)
}

func TestDelegatedColumnSkipsOfficeReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		// 通知公告 is delegated by the template; 应急管理 is not, until the office says so.
		e := must(wf.Create(ctx, editor, draft("tzgg"))).ok(t).Entry
		must(wf.Submit(ctx, editor, e.ID, 0)).ok(t)
		if r := must(wf.Approve(ctx, approver, e.ID, 0)).ok(t); r.Entry.Status != catalog.StatusPublished {
			t.Errorf("delegated column after unit approval: %s", r.Entry.Status)
		}
		if err := wf.SetDelegation(ctx, editor, "fgw", "yjgl", true); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("unit delegating to itself: %v", err)
		}
		if err := wf.SetDelegation(ctx, reviewer, "fgw", "yjgl", true); err != nil {
			t.Fatal(err)
		}
		y := must(wf.Create(ctx, editor, draft("yjgl"))).ok(t).Entry
		must(wf.Submit(ctx, editor, y.ID, 0)).ok(t)
		if r := must(wf.Approve(ctx, approver, y.ID, 0)).ok(t); r.Entry.Status != catalog.StatusPublished {
			t.Errorf("newly delegated column after unit approval: %s", r.Entry.Status)
		}
		// Pinning: office only, emergency responses only.
		if _, err := wf.SetPinned(ctx, approver, y.ID, true); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("approver pin: %v", err)
		}
		if _, err := wf.SetPinned(ctx, reviewer, e.ID, true); !isTransition(err) {
			t.Errorf("pinning a notice: %v", err)
		}
		must(wf.SetPinned(ctx, reviewer, y.ID, true)).ok(t)
		if pins := must(st.PinnedEntries(ctx, 5)).ok(t); len(pins) != 1 || pins[0].ID != y.ID {
			t.Errorf("pinned: %+v", pins)
		}
		must(wf.SetPinned(ctx, reviewer, y.ID, false)).ok(t)
		if pins := must(st.PinnedEntries(ctx, 5)).ok(t); len(pins) != 0 {
			t.Errorf("after unpin: %+v", pins)
		}
		if err := wf.SetDelegation(ctx, reviewer, "fgw", "yjgl", false); err != nil {
			t.Fatal(err)
		}
		z := must(wf.Create(ctx, editor, draft("yjgl"))).ok(t).Entry
		must(wf.Submit(ctx, editor, z.ID, 0)).ok(t)
		if r := must(wf.Approve(ctx, approver, z.ID, 0)).ok(t); r.Entry.Status != catalog.StatusSubmitted {
			t.Errorf("after delegation was taken back: %s", r.Entry.Status)
		}
	})
}

func TestInterpretationNeedsItsPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		in := draft("zcjd")
		in.Form = "问答"
		e := must(wf.Create(ctx, editor, in)).ok(t).Entry
		if _, err := wf.Submit(ctx, editor, e.ID, 0); err == nil {
			t.Fatal("an interpretation without its policy was submitted")
		}
		in.Related = []string{"no-such-entry"}
		if _, err := wf.Update(ctx, editor, e.ID, in, 0, ""); err == nil {
			t.Error("a link to a missing entry was accepted")
		}
		pol := must(wf.Create(ctx, editor, draft("zcwj"))).ok(t).Entry
		in.Related = []string{pol.ID}
		must(wf.Update(ctx, editor, e.ID, in, 0, "")).ok(t)
		must(wf.Submit(ctx, editor, e.ID, 0)).ok(t)
		if r := must(wf.Submit(ctx, editor, pol.ID, 0)).ok(t); len(r.Warnings) != 0 {
			t.Errorf("a policy with its interpretation linked: %v", r.Warnings)
		}
	})
}

func TestUploadChecksContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		wf.MaxAttachment = 1 << 10
		exe := append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 100)...)
		if _, err := wf.Upload(ctx, editor, "", "通知.pdf", bytes.NewReader(exe)); err == nil {
			t.Error("a renamed executable was accepted as a PDF")
		}
		if _, err := wf.Upload(ctx, editor, "", "大文件.pdf", bytes.NewReader(append([]byte("%PDF-1.7\n"), make([]byte, 2<<10)...))); !errors.Is(err, workflow.ErrTooLarge) {
			t.Errorf("an oversized file: %v", err)
		}
		if _, err := wf.Upload(ctx, foreign, "fgw", "a.pdf", strings.NewReader("%PDF-1.7\n")); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("upload for another unit: %v", err)
		}
		att := must(wf.Upload(ctx, editor, "", `C:\temp\..\附件1<b>.pdf`, strings.NewReader("%PDF-1.7\nhello"))).ok(t)
		if att.Name != "附件1<b>.pdf" || att.MediaType != "application/pdf" || len(att.SHA256) != 64 {
			t.Errorf("upload: %+v", att)
		}
		in := draft("tzgg")
		in.Attachments = []catalog.AttachmentRef{{Name: att.Name, SHA256: att.SHA256}}
		e := must(wf.Create(ctx, editor, in)).ok(t).Entry
		if len(e.Attachments) != 1 || e.Attachments[0].SHA256 != att.SHA256 {
			t.Errorf("attachments: %+v", e.Attachments)
		}
		in.Attachments = []catalog.AttachmentRef{{Name: "x.pdf", File: "/etc/passwd"}}
		if _, err := wf.Create(ctx, editor, in); err == nil {
			t.Error("a server path was read as an attachment")
		}
		in.Attachments = []catalog.AttachmentRef{{Name: "x.docx", SHA256: att.SHA256}}
		if _, err := wf.Create(ctx, editor, in); err == nil {
			t.Error("a PDF was accepted under a .docx name")
		}
	})
}

func TestFilings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		add := catalog.ColumnChange{Unit: "fgw", Action: catalog.FilingAdd, Column: catalog.Column{Code: "xmsp", Name: "项目审批", Parent: catalog.GroupColumn}, Reason: "新增项目审批信息"}
		if _, err := wf.FileColumnChange(ctx, foreign, add); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("filing for another unit: %v", err)
		}
		f := must(wf.FileColumnChange(ctx, editor, add)).ok(t)
		if f.State != catalog.FilingFiled {
			t.Errorf("filing state %s", f.State)
		}
		tree := must(st.Tree(ctx, "fgw")).ok(t)
		if err := tree.CheckPlacement("xmsp"); err != nil {
			t.Errorf("filed column not in force: %v", err)
		}
		if _, err := wf.DecideFiling(ctx, editor, f.ID, true, ""); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("unit deciding its own filing: %v", err)
		}
		if g := must(wf.DecideFiling(ctx, reviewer, f.ID, true, "已阅")).ok(t); g.State != catalog.FilingAcknowledged {
			t.Errorf("acknowledged: %s", g.State)
		}
		// With approval required, an added column waits, and a rejection drops it.
		if err := wf.SetFilingsNeedApproval(ctx, reviewer, "fgw", true); err != nil {
			t.Fatal(err)
		}
		add.Column.Code, add.Column.Name = "xmgs", "项目公示"
		f = must(wf.FileColumnChange(ctx, editor, add)).ok(t)
		tree = must(st.Tree(ctx, "fgw")).ok(t)
		if f.State != catalog.FilingPending || tree.CheckPlacement("xmgs") == nil {
			t.Errorf("pending filing: %s, placement %v", f.State, tree.CheckPlacement("xmgs"))
		}
		must(wf.DecideFiling(ctx, reviewer, f.ID, true, "同意")).ok(t)
		if err := must(st.Tree(ctx, "fgw")).ok(t).CheckPlacement("xmgs"); err != nil {
			t.Errorf("approved column: %v", err)
		}
		if _, err := wf.DecideFiling(ctx, reviewer, f.ID, false, ""); !errors.Is(err, store.ErrConflict) {
			t.Errorf("deciding twice: %v", err)
		}
	})
}

func TestNoOverwrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		in := draft("ggfw")
		in.ID = "fgw-shared"
		must(wf.Create(ctx, editor, in)).ok(t)
		if _, err := wf.Create(ctx, approver, in); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second create with a taken id: %v, want ErrConflict", err)
		}
		// Another unit names its entries in its own prefix: the taken id
		// tells it nothing.
		in.Unit = "jtj"
		if _, err := wf.Create(ctx, foreign, in); err == nil || errors.Is(err, store.ErrConflict) {
			t.Errorf("another unit creating fgw-shared: %v, want a field error on id", err)
		}
		if d := must(st.Entry(ctx, "fgw-shared")).ok(t); d.Unit != "fgw" {
			t.Errorf("the entry moved to %s", d.Unit)
		}
		// Two approvers press approve at once: one wins, the other is told.
		must(wf.Submit(ctx, editor, "fgw-shared", 0)).ok(t)
		ap2 := approver
		ap2.P.Login = "ap2"
		errs := make(chan error, 2)
		for _, c := range []workflow.Caller{approver, ap2} {
			go func() { _, err := wf.Approve(ctx, c, "fgw-shared", 1+1); errs <- err }()
		}
		var ok, refused int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrConflict), isTransition(err):
				refused++ // both read revision 2 (stale), or the loser read the winner's state
			default:
				t.Errorf("concurrent approval: %v", err)
			}
		}
		if ok != 1 || refused != 1 {
			t.Errorf("concurrent approvals: %d succeeded, %d refused; want 1 and 1", ok, refused)
		}
		if revs := must(st.EntryRevisions(ctx, "fgw-shared")).ok(t); len(revs) != 3 {
			t.Errorf("%d revisions, want 3", len(revs))
		}
	})
}

func TestLinksAndOwnWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		wf := newService(t, st)
		other := must(wf.Create(ctx, foreign, draft("zcwj"))).ok(t).Entry
		in := draft("zcjd")
		in.Form = "文字"
		in.Related = []string{other.ID}
		_, err := wf.Create(ctx, editor, in)
		fe, ok := catalog.AsFieldErrors(err)
		if !ok || fe[0].Field != "related" || !strings.Contains(fe[0].Reason, "不存在") {
			t.Fatalf("linking another unit's draft: %v, want the same answer as a missing entry", err)
		}
		// A published entry of another unit may be linked, and the link
		// stays what the entry declared through every later step.
		must(wf.Submit(ctx, foreign, other.ID, 0)).ok(t)
		ap := workflow.Caller{P: auth.Principal{Login: "apj", Role: auth.RoleApprover, Unit: "jtj"}}
		must(wf.Approve(ctx, ap, other.ID, 0)).ok(t)
		must(wf.Approve(ctx, reviewer, other.ID, 0)).ok(t)
		e := must(wf.Create(ctx, editor, in)).ok(t).Entry
		must(wf.Submit(ctx, editor, e.ID, 0)).ok(t)
		if d := must(st.Entry(ctx, other.ID)).ok(t); len(d.Related) != 0 || len(d.Links) != 1 {
			t.Errorf("the policy declares %v and shows %d links; want none declared and the one incoming", d.Related, len(d.Links))
		}
		must(wf.Approve(ctx, approver, e.ID, 0)).ok(t)
		if d := must(st.Entry(ctx, other.ID)).ok(t); len(d.Related) != 0 {
			t.Errorf("after the interpretation's approval the policy declares %v", d.Related)
		}
		// What the unit's approver writes and submits goes to the office,
		// even in a delegated column: nobody approves their own work.
		own := must(wf.Create(ctx, approver, draft("tzgg"))).ok(t).Entry
		if r := must(wf.Submit(ctx, approver, own.ID, 0)).ok(t); r.Entry.Status != catalog.StatusSubmitted {
			t.Errorf("an approver's own submission: %s, want submitted", r.Entry.Status)
		}
	})
}
