package supervise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// Service evaluates the rules against the store and keeps notices, spot
// checks, bulletins and campaigns, recording every step in the audit log.
type Service struct {
	st    *store.Store
	files *files.Store
	log   *slog.Logger
	// Now is the clock (tests set it).
	Now func() time.Time
	// OnRun, when set, receives each report a run or a refresh makes (the
	// metrics keep the figures of the newest).
	OnReport func(*Report, []store.NoticeStateCount)
	// MaxUpload bounds a self-examination's size.
	MaxUpload int64
	// dash keeps the dashboard's aggregates (dashboard.go).
	dash dashboardCache
}

// New builds the service.
func New(st *store.Store, fs *files.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{st: st, files: fs, log: log, Now: time.Now, MaxUpload: 20 << 20}
}

// Store is the store the service reads.
func (s *Service) Store() *store.Store { return s.st }

// Settings reads the office's supervision settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) { return LoadSettings(ctx, s.st) }

// SaveSettings stores new settings, audited.
func (s *Service) SaveSettings(ctx context.Context, c auth.Caller, set Settings) error {
	if err := auth.CanSupervise(c.P); err != nil {
		return s.refuse(ctx, c, "supervise.settings", "settings", settingKey, "", err)
	}
	if err := set.Validate(); err != nil {
		return err
	}
	before, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(t *store.Tx) error {
		if err := t.SetSetting(ctx, settingKey, string(b)); err != nil {
			return err
		}
		_, err := t.AppendAudit(ctx, audit.Record{At: s.Now(), Actor: c.Actor(), Action: "supervise.settings", ObjectKind: "settings",
			ObjectID: settingKey, Summary: audit.Change(before, set)})
		return err
	})
}

// FindingsSettingKey is where `gongkai check --all` leaves its per-unit
// summary for supervision to read.
const FindingsSettingKey = "checks_summary"

// Input reads the aggregates the rules need as of asOf.
func (s *Service) Input(ctx context.Context, asOf time.Time, set Settings) (Input, error) {
	stats, err := s.st.PublishStats(ctx, asOf, WindowStart(asOf, set).Add(-time.Millisecond), nil)
	if err != nil {
		return Input{}, err
	}
	return s.inputWith(ctx, asOf, set, stats)
}

// inputWith is Input with the publish statistics already read: the units,
// their columns, the returns and the quality gate's summary are read here
// (each a small, indexed read).
func (s *Service) inputWith(ctx context.Context, asOf time.Time, set Settings, stats []store.PublishStat) (Input, error) {
	in := Input{Stats: stats}
	var err error
	if in.Units, err = s.st.SupervisedUnits(ctx); err != nil {
		return in, err
	}
	if in.Columns, err = s.st.LeafColumns(ctx); err != nil {
		return in, err
	}
	window := WindowStart(asOf, set)
	if in.Returns, err = s.st.Returns(ctx, window.Add(-time.Millisecond), asOf); err != nil {
		return in, err
	}
	raw, err := s.st.Setting(ctx, FindingsSettingKey, "")
	if err != nil {
		return in, err
	}
	if raw != "" {
		var f map[string]FindingSummary
		if err := json.Unmarshal([]byte(raw), &f); err != nil {
			s.log.Warn("supervise: the quality gate's stored summary does not read; findings left out", "err", err)
		} else {
			in.Findings = f
		}
	}
	return in, nil
}

// Report evaluates the rules as of asOf.
func (s *Service) Report(ctx context.Context, asOf time.Time) (*Report, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	in, err := s.Input(ctx, asOf, set)
	if err != nil {
		return nil, err
	}
	return Evaluate(in, asOf, set), nil
}

// Refresh evaluates the rules as of now and hands the report to OnReport,
// raising nothing: the metrics stay current between daily runs.
func (s *Service) Refresh(ctx context.Context) (*Report, error) {
	rep, err := s.Report(ctx, s.Now())
	if err != nil {
		return nil, err
	}
	s.report(ctx, rep)
	return rep, nil
}

func (s *Service) report(ctx context.Context, rep *Report) {
	if s.OnReport == nil {
		return
	}
	counts, err := s.st.NoticeCounts(ctx, rep.AsOf)
	if err != nil {
		s.log.Warn("supervise: notice counts", "err", err)
	}
	s.OnReport(rep, counts)
}

// Raised is a notice that stands for a rule a unit breaks.
type Raised struct {
	Unit     string    `json:"unit"`
	Rule     string    `json:"rule"`
	Number   string    `json:"number"`
	ID       int64     `json:"id"`
	RaisedAt time.Time `json:"raised_at"`
	// New is true for a notice this run raised (false: it was open
	// already). Left out of the JSON, so that a second run as of the same
	// date answers the same.
	New bool `json:"-"`
}

// RunResult is what a run did.
type RunResult struct {
	Report    *Report  `json:"-"`
	Raised    []Raised `json:"notices_raised"`
	New       int      `json:"-"`
	Closed    []int64  `json:"-"`
	Escalated []int64  `json:"-"`
}

// SystemActor is who the audit log names for the scheduled run.
var SystemActor = audit.Actor{Login: "system", Role: "system"}

// Run evaluates the rules as of asOf and acts on them: it raises a notice
// for each automatic rule a unit breaks and has no open notice for, closes
// notices whose unit has answered and no longer breaks the rule, and
// escalates notices past their deadline. Running it twice as of the same
// instant changes nothing the second time.
func (s *Service) Run(ctx context.Context, asOf time.Time, actor audit.Actor) (*RunResult, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	in, err := s.Input(ctx, asOf, set)
	if err != nil {
		return nil, err
	}
	rep := Evaluate(in, asOf, set)
	res := &RunResult{Report: rep, Raised: []Raised{}}
	auto := map[string]bool{}
	for _, r := range set.AutoRules {
		auto[r] = true
	}
	open, err := s.st.Notices(ctx, store.NoticeQuery{States: []string{store.NoticeOpen, store.NoticeSentBack, store.NoticeSubmitted}, Limit: 5000})
	if err != nil {
		return nil, err
	}
	standing := map[[2]string]store.Notice{}
	for _, n := range open {
		if n.Rule != RuleManual {
			standing[[2]string{n.Unit, n.Rule}] = n
		}
	}
	for _, u := range rep.Units {
		for _, b := range u.Breaches {
			if !auto[b.Rule] {
				continue
			}
			if n, ok := standing[[2]string{u.Unit, b.Rule}]; ok {
				res.Raised = append(res.Raised, Raised{Unit: u.Unit, Rule: b.Rule, Number: n.Number, ID: n.ID, RaisedAt: n.RaisedAt()})
				continue
			}
			n, err := s.raise(ctx, actor, set, u, b, asOf)
			if errors.Is(err, store.ErrNoticeExists) {
				continue // another runner raised it just now
			}
			if err != nil {
				return nil, err
			}
			res.New++
			res.Raised = append(res.Raised, Raised{Unit: u.Unit, Rule: b.Rule, Number: n.Number, ID: n.ID, RaisedAt: n.RaisedAt(), New: true})
		}
	}
	// Close what was answered and holds no more; escalate what is late.
	for _, n := range open {
		u, known := rep.Unit(n.Unit)
		if n.State == store.NoticeSubmitted && n.Rule != RuleManual && known {
			if _, still := u.Breach(n.Rule); !still {
				note := "经复查，" + RuleLabel(n.Rule) + "问题已整改到位，自动办结。"
				if _, err := s.close(ctx, actor, n.ID, note, asOf); err != nil && !errors.Is(err, store.ErrNoticeState) {
					return nil, err
				}
				res.Closed = append(res.Closed, n.ID)
				continue
			}
		}
		if n.State != store.NoticeSubmitted && n.EscalatedAt() == nil && asOf.After(n.DueAt()) {
			if err := s.escalate(ctx, actor, n, asOf); err != nil {
				return nil, err
			}
			res.Escalated = append(res.Escalated, n.ID)
		}
	}
	s.report(ctx, rep)
	return res, nil
}

// raise stores a notice for a breach, audited in the same transaction.
func (s *Service) raise(ctx context.Context, actor audit.Actor, set Settings, u UnitReport, b Breach, asOf time.Time) (store.Notice, error) {
	due := EndOfDay(asOf.AddDate(0, 0, set.RectifyDays))
	facts, err := json.Marshal(b)
	if err != nil {
		return store.Notice{}, err
	}
	var n store.Notice
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		var err error
		n, err = t.InsertNotice(ctx, store.NewNotice{Prefix: set.NoticePrefix, Unit: u.Unit, Rule: b.Rule, Facts: string(facts),
			Requirement: Requirement(due), AsOf: Day(asOf).Format("2006-01-02"), RaisedAt: asOf, RaisedBy: actor.Name(),
			DueAt: due, Year: Day(asOf).Year()})
		if err != nil {
			return err
		}
		_, err = t.AppendAudit(ctx, audit.Record{At: s.Now(), Actor: actor, Action: "notice.raise", ObjectKind: "notice",
			ObjectID: n.Number, ObjectUnit: u.Unit, Summary: audit.Change(nil, map[string]any{"rule": b.Rule, "due_at": due, "facts": b.Facts})})
		return err
	})
	return n, err
}

// Requirement is the standard requirement of a notice due on due.
func Requirement(due time.Time) string {
	return fmt.Sprintf("请你单位对照上述问题认真开展自查，于%s前通过政府信息公开后台报送书面检查，并限时整改到位。逾期未整改的，将在全市政务公开工作季度通报中予以通报。", DateCN(due))
}

func (s *Service) escalate(ctx context.Context, actor audit.Actor, n store.Notice, asOf time.Time) error {
	return s.st.WithTx(ctx, func(t *store.Tx) error {
		at := asOf
		if _, err := t.UpdateNotice(ctx, n.ID, store.NoticeUpdate{From: []string{store.NoticeOpen, store.NoticeSentBack}, At: s.Now(), EscalatedAt: &at}); err != nil {
			if errors.Is(err, store.ErrNoticeState) {
				return nil
			}
			return err
		}
		_, err := t.AppendAudit(ctx, audit.Record{At: s.Now(), Actor: actor, Action: "notice.escalate", ObjectKind: "notice",
			ObjectID: n.Number, ObjectUnit: n.Unit, Summary: audit.Change(nil, map[string]any{"due_at": n.DueAt(), "state": n.State})})
		return err
	})
}

// refuse records a refused step in the audit log and returns err.
func (s *Service) refuse(ctx context.Context, c auth.Caller, action, kind, id, unit string, err error) error {
	_ = s.st.WithTx(ctx, func(t *store.Tx) error {
		_, e := t.AppendAudit(ctx, audit.Record{At: s.Now(), Actor: c.Actor(), Action: action, ObjectKind: kind, ObjectID: id,
			ObjectUnit: unit, Outcome: audit.OutcomeRefused, Summary: err.Error()})
		return e
	})
	return err
}

// JobName is the daily run's name for the job lock and the run claims.
const JobName = "supervise.daily"
