package supervise

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// StateLabel names a notice's state for people.
func StateLabel(state string) string {
	switch state {
	case store.NoticeOpen:
		return "待整改"
	case store.NoticeSentBack:
		return "退回重报"
	case store.NoticeSubmitted:
		return "待复核"
	case store.NoticeClosed:
		return "已办结"
	}
	return state
}

// NoticeStates lists the states in the order of a notice's life.
var NoticeStates = []string{store.NoticeOpen, store.NoticeSentBack, store.NoticeSubmitted, store.NoticeClosed}

// Notice is a notice as people read it.
type Notice struct {
	store.Notice
	UnitName string `json:"unit_name"`
	Breach   Breach `json:"facts"`
	// Overdue: not closed and past its deadline as of the clock.
	Overdue bool `json:"overdue"`
}

// APINotice is a notice in the back-office API's shape.
type APINotice struct {
	ID          int64      `json:"id"`
	Number      string     `json:"number"`
	Unit        string     `json:"unit"`
	UnitName    string     `json:"unit_name"`
	Rule        string     `json:"rule"`
	State       string     `json:"state"`
	RaisedAt    time.Time  `json:"raised_at"`
	DueAt       time.Time  `json:"due_at"`
	Overdue     bool       `json:"overdue"`
	EscalatedAt *time.Time `json:"escalated_at"`
	ClosedAt    *time.Time `json:"closed_at"`
	Facts       []string   `json:"facts"`
}

// API returns the notice in the API's shape, its times in China's zone
// (whatever the server's own zone is).
func (n Notice) API() APINotice {
	facts := n.Breach.Facts
	if facts == nil {
		facts = []string{}
	}
	return APINotice{ID: n.ID, Number: n.Number, Unit: n.Unit, UnitName: n.UnitName, Rule: n.Rule, State: n.State,
		RaisedAt: n.RaisedAt().In(catalog.Shanghai), DueAt: n.DueAt().In(catalog.Shanghai), Overdue: n.Overdue,
		EscalatedAt: InChina(n.EscalatedAt()), ClosedAt: InChina(n.ClosedAt()), Facts: facts}
}

// InChina is an optional instant in China's zone.
func InChina(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := t.In(catalog.Shanghai)
	return &c
}

func (s *Service) view(ctx context.Context, n store.Notice, names map[string]string) Notice {
	v := Notice{Notice: n, UnitName: names[n.Unit]}
	if v.UnitName == "" {
		if u, err := s.st.Unit(ctx, n.Unit); err == nil {
			v.UnitName = u.Name
		}
	}
	_ = json.Unmarshal([]byte(n.Facts), &v.Breach)
	v.Overdue = n.State != store.NoticeClosed && s.Now().After(n.DueAt())
	return v
}

func (s *Service) unitNames(ctx context.Context) map[string]string {
	names := map[string]string{}
	if us, err := s.st.Units(ctx); err == nil {
		for _, u := range us {
			names[u.Code] = u.Name
		}
	}
	return names
}

// NoticeFilter selects notices for a caller.
type NoticeFilter struct {
	States  []string
	Unit    string
	Overdue bool
}

// Notices lists the notices the caller may see: every unit's for the
// office, its own unit's for unit staff.
func (s *Service) Notices(ctx context.Context, c auth.Caller, f NoticeFilter) ([]Notice, error) {
	q := store.NoticeQuery{States: f.States, Limit: 2000}
	switch {
	case auth.IsOffice(c.P):
		if f.Unit != "" {
			q.Units = []string{f.Unit}
		}
	case c.P.Role.NeedsUnit() && c.P.Unit != "":
		q.Units = []string{c.P.Unit}
	default:
		// The auditor reads the audit log, not the notices; the refusal
		// goes into the log like any other.
		return nil, s.refuse(ctx, c, "notice.list", "notice", "", "", auth.CanSupervise(c.P))
	}
	for _, st := range f.States {
		if !validState(st) {
			return nil, catalog.FieldErrors{{Field: "state", Reason: fmt.Sprintf("未知的督办状态 %q (open, sent_back, submitted, closed)", st)}}
		}
	}
	if f.Overdue {
		q.Overdue = s.Now()
	}
	ns, err := s.st.Notices(ctx, q)
	if err != nil {
		return nil, err
	}
	names := s.unitNames(ctx)
	out := make([]Notice, len(ns))
	for i, n := range ns {
		out[i] = s.view(ctx, n, names)
	}
	return out, nil
}

func validState(st string) bool {
	for _, s := range NoticeStates {
		if s == st {
			return true
		}
	}
	return false
}

var errNoNotice = &auth.Refusal{Err: auth.ErrHidden, Reason: "未找到该督办通知 (not found)"}

// Notice reads one notice for the caller: ErrHidden when it is not the
// caller's to see (or does not exist).
func (s *Service) Notice(ctx context.Context, c auth.Caller, id int64) (Notice, error) {
	n, err := s.st.Notice(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Notice{}, errNoNotice
	}
	if err != nil {
		return Notice{}, err
	}
	if err := auth.CanReadNotice(c.P, n.Unit); err != nil {
		return Notice{}, s.refuse(ctx, c, "notice.read", "notice", n.Number, n.Unit, err)
	}
	return s.view(ctx, n, nil), nil
}

// ManualNotice is a notice the office raises by hand.
type ManualNotice struct {
	Unit  string
	Facts string // the facts found, one a line
	Due   time.Time
}

// Raise issues a notice by hand (rule "manual").
func (s *Service) Raise(ctx context.Context, c auth.Caller, m ManualNotice) (Notice, error) {
	if err := auth.CanSupervise(c.P); err != nil {
		return Notice{}, s.refuse(ctx, c, "notice.raise", "notice", "", m.Unit, err)
	}
	var fe catalog.FieldErrors
	u, err := s.st.Unit(ctx, m.Unit)
	if err != nil {
		fe.Add("unit", fmt.Sprintf("没有代码为 %q 的单位 (unknown unit)", m.Unit))
	}
	var facts []string
	for _, line := range strings.Split(m.Facts, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			facts = append(facts, line)
		}
	}
	if len(facts) == 0 {
		fe.Add("facts", "请写明督办发现的问题 (the facts found are required)")
	} else if utf8.RuneCountInString(m.Facts) > 4000 {
		fe.Add("facts", "问题描述最多 4000 字 (at most 4000 characters)")
	}
	now := s.Now()
	if m.Due.IsZero() || !m.Due.After(now) {
		fe.Add("due_at", "整改期限须晚于今天 (the deadline must be in the future)")
	}
	if len(fe) > 0 {
		return Notice{}, fe
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return Notice{}, err
	}
	due := EndOfDay(m.Due)
	b, _ := json.Marshal(Breach{Rule: RuleManual, Facts: facts})
	var n store.Notice
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		var err error
		n, err = t.InsertNotice(ctx, store.NewNotice{Prefix: set.NoticePrefix, Unit: u.Code, Rule: RuleManual, Facts: string(b),
			Requirement: Requirement(due), AsOf: Day(now).Format("2006-01-02"), RaisedAt: now, RaisedBy: c.Actor().Name(),
			DueAt: due, Year: Day(now).Year()})
		if err != nil {
			return err
		}
		_, err = t.AppendAudit(ctx, audit.Record{At: now, Actor: c.Actor(), Action: "notice.raise", ObjectKind: "notice",
			ObjectID: n.Number, ObjectUnit: u.Code, Summary: audit.Change(nil, map[string]any{"rule": RuleManual, "due_at": due, "facts": facts})})
		return err
	})
	if err != nil {
		return Notice{}, err
	}
	return s.view(ctx, n, nil), nil
}

// step applies one change of a notice for the caller, checked by check,
// audited as action in the same transaction.
func (s *Service) step(ctx context.Context, c auth.Caller, id int64, action string, check func(auth.Principal, string) error,
	u func(store.Notice) (store.NoticeUpdate, error), summary map[string]any) (Notice, error) {
	n, err := s.st.Notice(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Notice{}, errNoNotice
	}
	if err != nil {
		return Notice{}, err
	}
	if err := auth.CanReadNotice(c.P, n.Unit); err != nil {
		return Notice{}, s.refuse(ctx, c, action, "notice", n.Number, n.Unit, err)
	}
	if err := check(c.P, n.Unit); err != nil {
		return Notice{}, s.refuse(ctx, c, action, "notice", n.Number, n.Unit, err)
	}
	upd, err := u(n)
	if err != nil {
		return Notice{}, err
	}
	upd.At = s.Now()
	var after store.Notice
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		var err error
		if after, err = t.UpdateNotice(ctx, id, upd); err != nil {
			return err
		}
		if summary == nil {
			summary = map[string]any{}
		}
		summary["state"] = after.State
		_, err = t.AppendAudit(ctx, audit.Record{At: upd.At, Actor: c.Actor(), Action: action, ObjectKind: "notice",
			ObjectID: n.Number, ObjectUnit: n.Unit, Summary: audit.Change(map[string]any{"state": n.State}, summary)})
		return err
	})
	if errors.Is(err, store.ErrNoticeState) {
		return Notice{}, stateError(n, action)
	}
	if err != nil {
		return Notice{}, err
	}
	return s.view(ctx, after, nil), nil
}

// ErrState is a step the notice's state does not allow; answered as 409.
var ErrState = errors.New("supervise: the notice's state does not allow this step")

// StateError is a step the notice's state does not allow, told for
// people; it is ErrState.
type StateError struct {
	Number string // the notice's number
	State  string // its state
	Action string // the step tried
}

func (e *StateError) Error() string {
	return fmt.Sprintf("督办通知 %s 当前为“%s”，不能%s (state %s)", e.Number, StateLabel(e.State), actionLabel(e.Action), e.State)
}

func (e *StateError) Unwrap() error { return ErrState }

func stateError(n store.Notice, action string) error {
	return &StateError{Number: n.Number, State: n.State, Action: action}
}

func actionLabel(action string) string {
	switch action {
	case "notice.self_exam":
		return "上传书面检查"
	case "notice.rectified":
		return "报送整改情况"
	case "notice.close":
		return "办结"
	case "notice.send_back":
		return "退回"
	}
	return action
}

// answering are the states in which the unit answers a notice.
var answering = []string{store.NoticeOpen, store.NoticeSentBack}

// allowedSelfExam are the kinds of file a written self-examination may
// be, judged by content.
var allowedSelfExam = map[string]bool{
	"application/pdf": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
	"application/ofd":          true,
	"application/msword":       true,
	"application/vnd.ms-works": true,
	"image/jpeg":               true,
	"image/png":                true,
}

// UploadSelfExam stores the unit's written self-examination (书面检查) for
// a notice: a PDF, OFD, Word or WPS file, or a scan of the sealed pages,
// checked by its content. A second
// upload replaces the first until the rectification is reported.
func (s *Service) UploadSelfExam(ctx context.Context, c auth.Caller, id int64, name string, r io.Reader) (Notice, error) {
	name = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(name, "\\", "/"), "\x00", ""))
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	var sum string
	return s.step(ctx, c, id, "notice.self_exam", auth.CanAnswerNotice, func(n store.Notice) (store.NoticeUpdate, error) {
		if n.State != store.NoticeOpen && n.State != store.NoticeSentBack {
			return store.NoticeUpdate{}, stateError(n, "notice.self_exam")
		}
		if name == "" {
			return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "file", Reason: "请选择书面检查文件 (no file)"}}
		}
		head := make([]byte, 512)
		k, err := io.ReadFull(r, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return store.NoticeUpdate{}, err
		}
		if k == 0 {
			return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "file", Reason: fmt.Sprintf("%q 是空文件 (empty file)", name)}}
		}
		mt, err := files.Sniff(name, head[:k])
		if err != nil {
			return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "file", Reason: err.Error()}}
		}
		if !allowedSelfExam[mt] {
			return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "file", Reason: "书面检查须为 PDF、OFD、Word、WPS 文件或盖章页的扫描图片 (PDF, OFD, DOC/DOCX, WPS, JPEG or PNG)"}}
		}
		lr := &io.LimitedReader{R: io.MultiReader(bytes.NewReader(head[:k]), r), N: s.MaxUpload + 1}
		var size int64
		sum, size, err = s.files.Put(lr)
		if err != nil {
			return store.NoticeUpdate{}, err
		}
		if size > s.MaxUpload {
			return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "file", Reason: fmt.Sprintf("书面检查超过 %d MB (too large)", s.MaxUpload>>20)}}
		}
		now := s.Now()
		return store.NoticeUpdate{From: answering, SelfExamSHA: &sum, SelfExam: &name, SelfExamAt: &now}, nil
	}, map[string]any{"file": name})
}

// ReportRectified records that the unit has fixed what the notice found,
// with a note of what it did; the notice then waits for the office. The
// written self-examination must be uploaded first.
func (s *Service) ReportRectified(ctx context.Context, c auth.Caller, id int64, note string) (Notice, error) {
	note = strings.TrimSpace(note)
	return s.step(ctx, c, id, "notice.rectified", auth.CanAnswerNotice, func(n store.Notice) (store.NoticeUpdate, error) {
		if n.State != store.NoticeOpen && n.State != store.NoticeSentBack {
			return store.NoticeUpdate{}, stateError(n, "notice.rectified")
		}
		var fe catalog.FieldErrors
		if n.SelfExamSHA == "" {
			fe.Add("file", "请先上传书面检查 (upload the written self-examination first)")
		}
		if note == "" {
			fe.Add("note", "请写明整改情况 (describe what was fixed)")
		} else if utf8.RuneCountInString(note) > 4000 {
			fe.Add("note", "整改情况最多 4000 字 (at most 4000 characters)")
		}
		if len(fe) > 0 {
			return store.NoticeUpdate{}, fe
		}
		now := s.Now()
		return store.NoticeUpdate{From: answering, State: store.NoticeSubmitted, RectifyNote: &note, RectifiedAt: &now}, nil
	}, map[string]any{"note": note})
}

// Close ends a notice (办结): the office has checked the answer, or
// withdraws a notice raised in error.
func (s *Service) Close(ctx context.Context, c auth.Caller, id int64, note string) (Notice, error) {
	note = strings.TrimSpace(note)
	return s.step(ctx, c, id, "notice.close", func(p auth.Principal, _ string) error { return auth.CanSupervise(p) },
		func(n store.Notice) (store.NoticeUpdate, error) {
			if n.State == store.NoticeClosed {
				return store.NoticeUpdate{}, stateError(n, "notice.close")
			}
			if utf8.RuneCountInString(note) > 2000 {
				return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "note", Reason: "办结意见最多 2000 字 (at most 2000 characters)"}}
			}
			now, by := s.Now(), c.Actor().Name()
			return store.NoticeUpdate{From: []string{n.State}, State: store.NoticeClosed, ClosedAt: &now, ClosedBy: &by, CloseNote: &note}, nil
		}, map[string]any{"note": note})
}

// SendBack returns the unit's answer to it with the office's reason; the
// unit answers again.
func (s *Service) SendBack(ctx context.Context, c auth.Caller, id int64, reason string) (Notice, error) {
	reason = strings.TrimSpace(reason)
	return s.step(ctx, c, id, "notice.send_back", func(p auth.Principal, _ string) error { return auth.CanSupervise(p) },
		func(n store.Notice) (store.NoticeUpdate, error) {
			if n.State != store.NoticeSubmitted {
				return store.NoticeUpdate{}, stateError(n, "notice.send_back")
			}
			if reason == "" {
				return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "reason", Reason: "请写明退回理由 (a reason is required)"}}
			}
			if utf8.RuneCountInString(reason) > 2000 {
				return store.NoticeUpdate{}, catalog.FieldErrors{{Field: "reason", Reason: "退回理由最多 2000 字 (at most 2000 characters)"}}
			}
			return store.NoticeUpdate{From: []string{store.NoticeSubmitted}, State: store.NoticeSentBack, BackReason: &reason}, nil
		}, map[string]any{"reason": reason})
}

// close ends a notice on the scheduled run's behalf.
func (s *Service) close(ctx context.Context, actor audit.Actor, id int64, note string, at time.Time) (store.Notice, error) {
	var after store.Notice
	err := s.st.WithTx(ctx, func(t *store.Tx) error {
		by := actor.Name()
		var err error
		after, err = t.UpdateNotice(ctx, id, store.NoticeUpdate{From: []string{store.NoticeSubmitted}, State: store.NoticeClosed,
			At: s.Now(), ClosedAt: &at, ClosedBy: &by, CloseNote: &note})
		if err != nil {
			return err
		}
		_, err = t.AppendAudit(ctx, audit.Record{At: s.Now(), Actor: actor, Action: "notice.close", ObjectKind: "notice",
			ObjectID: after.Number, ObjectUnit: after.Unit, Summary: audit.Change(map[string]any{"state": store.NoticeSubmitted},
				map[string]any{"state": store.NoticeClosed, "note": note})})
		return err
	})
	return after, err
}

// SelfExam opens a notice's written self-examination for the caller.
func (s *Service) SelfExam(ctx context.Context, c auth.Caller, id int64) (*os.File, Notice, error) {
	n, err := s.Notice(ctx, c, id)
	if err != nil {
		return nil, n, err
	}
	if n.SelfExamSHA == "" {
		return nil, n, errNoNotice
	}
	f, err := s.files.Open(n.SelfExamSHA)
	return f, n, err
}
