package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/files"
	"gongkai/internal/sanitize"
	"gongkai/internal/store"
)

// Service runs the workflow over a store and a file store.
type Service struct {
	st     *store.Store
	files  *files.Store
	policy *sanitize.Policy
	log    *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time
	// MaxAttachment bounds one uploaded file, in bytes.
	MaxAttachment int64
	// Gate is the quality gate run on submit and at review (nil: none).
	Gate Inspector
	// Links checks the body's links in the background (nil: not checked);
	// a save starts the checks, later inspections report what is known.
	Links *checks.LinkChecker
}

// DefaultMaxAttachment is the largest attachment the console accepts.
const DefaultMaxAttachment = 50 << 20

// New returns the workflow over st and fs.
func New(st *store.Store, fs *files.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{st: st, files: fs, policy: sanitize.New(), log: log, Now: time.Now, MaxAttachment: DefaultMaxAttachment}
}

// Caller is who asks, and from where: what the audit log records.
type Caller = auth.Caller

// Result is an entry after an action, with what the caller should know.
type Result struct {
	Entry store.EntryDetail
	// Warnings are reminders that did not stop the action, such as a
	// policy document submitted without its interpretation.
	Warnings []string
	// Findings are the quality gate's, when the action ran it (submit).
	Findings []checks.Finding
}

// refuse records a refused request in the audit log and returns err.
func (s *Service) refuse(ctx context.Context, c Caller, action, kind, id, unit string, err error) error {
	rec := audit.Record{At: s.Now(), Actor: c.Actor(), Action: action, ObjectKind: kind, ObjectID: id, ObjectUnit: unit,
		Outcome: audit.OutcomeRefused, Summary: err.Error()}
	if _, aerr := s.st.AppendAudit(context.WithoutCancel(ctx), rec); aerr != nil {
		s.log.Error("cannot audit a refusal", slog.String("action", action), slog.Any("err", aerr))
	}
	return err
}

// RecordRefusal audits a refusal decided outside the workflow, such as a
// console page the caller's role may not open.
func (s *Service) RecordRefusal(ctx context.Context, c Caller, action, kind, id, unit string, err error) error {
	return s.refuse(ctx, c, action, kind, id, unit, err)
}

// load reads an entry for an action, answering a caller who may not see
// it exactly as if it did not exist (and auditing the attempt).
func (s *Service) load(ctx context.Context, c Caller, action, id string) (store.EntryDetail, error) {
	d, err := s.st.Entry(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, err
	}
	if err != nil {
		return d, err
	}
	if err := auth.CheckEntryAction(c.P, action, d.Unit); err != nil {
		return d, s.refuse(ctx, c, "entry."+action, "entry", id, d.Unit, err)
	}
	return d, nil
}

// Entry returns an entry in any state to a caller who may see it.
func (s *Service) Entry(ctx context.Context, c Caller, id string) (store.EntryDetail, error) {
	d, err := s.st.Entry(ctx, id)
	if err != nil {
		return d, err
	}
	if err := auth.CanReadEntry(c.P, d.Unit); err != nil {
		return store.EntryDetail{}, s.refuse(ctx, c, "entry.read", "entry", id, d.Unit, err)
	}
	d.Links = visibleLinks(c, d.Links)
	return d, nil
}

// visibleLinks keeps the links to entries the caller may see: published
// ones, and any of a unit it sees.
func visibleLinks(c Caller, links []store.EntryLink) []store.EntryLink {
	out := links[:0:0]
	for _, l := range links {
		if l.Status == catalog.StatusPublished || auth.CanReadEntry(c.P, l.Unit) == nil {
			out = append(out, l)
		}
	}
	return out
}

// entryHash fingerprints an entry as imports do, so that a later import of
// the same content is recognised as unchanged.
func entryHash(e catalog.Entry) string {
	sum := sha256.New()
	_ = json.NewEncoder(sum).Encode(e)
	return hex.EncodeToString(sum.Sum(nil))
}

// summary is what the audit log keeps of an entry's state.
type summary struct {
	Status   string `json:"status"`
	Revision int    `json:"revision"`
	Title    string `json:"title,omitempty"`
	Column   string `json:"column,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// write stores e as the next revision of an entry read at revision rev
// (0 for a new entry), with its audit record, in one transaction.
func (s *Service) write(ctx context.Context, c Caller, action string, e catalog.Entry, rev int, reason string, before *summary, extra func(*store.Tx) error) (store.EntryDetail, error) {
	after := summary{Status: e.Status, Revision: rev + 1, Title: e.Title, Column: e.Column, Reason: reason}
	var sumBefore any
	if before != nil {
		sumBefore = before
	}
	err := s.st.WithTx(ctx, func(t *store.Tx) error {
		w := store.EntryWrite{Entry: e, Hash: entryHash(e), Actor: c.Actor().Name(), Reason: actionReason(action, reason),
			ExpectRevision: rev, CreateOnly: rev == 0}
		if _, err := t.SaveEntries(ctx, []store.EntryWrite{w}); err != nil {
			return err
		}
		if extra != nil {
			if err := extra(t); err != nil {
				return err
			}
		}
		_, err := t.AppendAudit(ctx, audit.Record{At: s.Now(), Actor: c.Actor(), Action: "entry." + action, ObjectKind: "entry",
			ObjectID: e.ID, ObjectUnit: e.Unit, Summary: audit.Change(sumBefore, after)})
		return err
	})
	if err != nil {
		return store.EntryDetail{}, err
	}
	if s.Links != nil && (action == "create" || action == catalog.ActionSave) {
		s.Links.Submit(checks.LinksOf(e.BodyHTML)) // never waits: the save is done
	}
	return s.st.Entry(ctx, e.ID)
}

func actionReason(action, reason string) string {
	label := catalog.ActionLabel(action)
	if action == "create" {
		label = "新建"
	}
	if reason == "" {
		return label
	}
	return label + "：" + reason
}

// checkRevision refuses an action based on an out-of-date read: seen is the
// revision the caller saw (0: not given).
func checkRevision(d store.EntryDetail, seen int) error {
	if seen > 0 && seen != d.Revision {
		return fmt.Errorf("%w：您看到的是第 %d 版，现在已是第 %d 版，请刷新后再操作 (revision %d read, %d stored)", store.ErrStale, seen, d.Revision, seen, d.Revision)
	}
	return nil
}

// newEntryID makes an id for an entry written in the console.
func newEntryID(unit string, now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%s-%s", unit, now.In(catalog.Shanghai).Format("20060102"), hex.EncodeToString(b[:]))
}
