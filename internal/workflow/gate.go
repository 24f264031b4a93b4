package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/checks"
	"gongkai/internal/extract"
	"gongkai/internal/store"
)

// Inspector is the quality gate as the workflow uses it (*checks.Gate).
type Inspector interface {
	Check(d checks.Document) []checks.Finding
}

// BlockedError refuses a submission that has blocking findings: the unit
// fixes them, or its approver submits with a reason that overrides them.
type BlockedError struct {
	Findings []checks.Finding
}

func (e *BlockedError) Error() string {
	var rules []string
	seen := map[string]bool{}
	for _, f := range e.Findings {
		if f.Severity == checks.Blocking && !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, f.Rule)
		}
	}
	return fmt.Sprintf("质量检查发现 %d 处须处理的问题（%s），请修改后再提交；单位审核人可说明理由后强制提交 (blocked by the quality gate)",
		countBlocking(e.Findings), strings.Join(rules, "、"))
}

func countBlocking(fs []checks.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == checks.Blocking {
			n++
		}
	}
	return n
}

// document is what the gate reads of an entry: its texts, metadata and the
// text of its attachments.
func (s *Service) document(ctx context.Context, d store.EntryDetail) checks.Document {
	body := d.BodyText
	if strings.TrimSpace(d.BodyHTML) != "" {
		body = s.policy.Text(d.BodyHTML)
	}
	doc := checks.Document{Title: d.Title, Summary: d.Summary, Body: body, Unit: d.Unit, Column: d.Column,
		DocNo: d.DocNo, WrittenAt: d.WrittenAt, Validity: d.Validity, Related: d.Related, Form: d.Form}
	for _, a := range d.Attachments {
		parts, err := s.attachmentParts(ctx, a)
		if err != nil {
			s.log.Warn("quality gate: cannot read attachment", slog.String("entry", d.ID), slog.String("file", a.Name), slog.Any("err", err))
		}
		if len(parts) > 0 {
			doc.Attachments = append(doc.Attachments, checks.Attachment{Name: a.Name, Parts: parts})
		}
	}
	return doc
}

// attachmentParts reads an attachment's located text within the
// extractor's bounds; formats without text give none.
func (s *Service) attachmentParts(ctx context.Context, a catalog.Attachment) ([]checks.Part, error) {
	format := extract.Format(a.MediaType, a.Name)
	if !extract.Readable(format) {
		return nil, nil
	}
	f, err := s.files.Open(a.SHA256)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lim := extract.DefaultLimits()
	data, err := extract.ReadFile(f, lim)
	if err != nil {
		return nil, err
	}
	parts, err := extract.Parts(ctx, format, data, lim)
	if err != nil && !errors.Is(err, extract.ErrTruncated) {
		return nil, err
	}
	out := make([]checks.Part, len(parts))
	for i, p := range parts {
		out[i] = checks.Part{Label: p.Label, Text: p.Text}
	}
	return out, nil
}

// inspect runs the gate over a stored entry; no gate, no findings.
func (s *Service) inspect(ctx context.Context, d store.EntryDetail) []checks.Finding {
	if s.Gate == nil {
		return []checks.Finding{}
	}
	doc := s.document(ctx, d)
	fs := s.Gate.Check(doc)
	if s.Links != nil {
		fs = append(fs, s.Links.Findings(checks.LinksOf(d.BodyHTML), doc.Body)...)
	}
	return fs
}

// Inspect runs the quality gate over a stored entry for a job of the
// system (gongkai check --all); no caller is asked about.
func (s *Service) Inspect(ctx context.Context, d store.EntryDetail) []checks.Finding {
	return s.inspect(ctx, d)
}

// Findings runs the quality gate over an entry the caller may see.
func (s *Service) Findings(ctx context.Context, c Caller, id string) ([]checks.Finding, error) {
	d, err := s.Entry(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return s.inspect(ctx, d), nil
}

// Draft is text to check before it is even saved (POST /console/check).
type Draft struct {
	Title, Summary, BodyHTML, Column string
}

// CheckDraft runs the quality gate over text a caller is writing.
func (s *Service) CheckDraft(ctx context.Context, c Caller, in Draft) ([]checks.Finding, error) {
	if auth.Part(c.P.Role) == "" {
		return nil, s.refuse(ctx, c, "check", "draft", "", c.P.Unit, &auth.Refusal{Err: auth.ErrForbidden, Reason: "只有信息员、审核人和市政府办公室可以使用质量检查 (no role for checks)"})
	}
	if len(in.BodyHTML) > 8<<20 {
		return nil, catalog.FieldErrors{{Field: "body_html", Reason: "正文超过 8 MB (body too large)"}}
	}
	if s.Gate == nil {
		return []checks.Finding{}, nil
	}
	body := s.policy.Text(s.policy.HTML(in.BodyHTML))
	return s.Gate.Check(checks.Document{Title: in.Title, Summary: in.Summary, Body: body, Column: in.Column, Unit: c.P.Unit}), nil
}

// Mask replaces the personal information the gate found in the title,
// summary and body by its masked form, as a new revision (一键脱敏). It
// returns how many places were masked; attachments are files and must be
// uploaded again, masked.
func (s *Service) Mask(ctx context.Context, c Caller, id string, seen int) (Result, int, error) {
	d, err := s.load(ctx, c, catalog.ActionMask, id)
	if err != nil {
		return Result{}, 0, err
	}
	if _, err := catalog.Next(catalog.ActionMask, auth.Part(c.P.Role), d.Status, catalog.Route{}); err != nil {
		return Result{}, 0, err
	}
	if err := checkRevision(d, seen); err != nil {
		return Result{}, 0, err
	}
	e := d.Entry
	n := 0
	for _, f := range s.inspect(ctx, d) {
		if !strings.HasPrefix(f.Rule, "pii_") || f.Suggestion == "" || f.Suggestion == f.Text {
			continue
		}
		replace := func(s *string) {
			if k := strings.Count(*s, f.Text); k > 0 {
				*s = strings.ReplaceAll(*s, f.Text, f.Suggestion)
				n += k
			}
		}
		switch f.Field {
		case checks.FieldTitle:
			replace(&e.Title)
		case checks.FieldSummary:
			replace(&e.Summary)
		case checks.FieldBody:
			replace(&e.BodyHTML)
			replace(&e.BodyText)
		}
	}
	if n == 0 {
		return Result{Entry: d}, 0, nil
	}
	before := summary{Status: d.Status, Revision: d.Revision}
	out, err := s.write(ctx, c, catalog.ActionMask, e, d.Revision, fmt.Sprintf("%d 处个人信息", n), &before, nil)
	return Result{Entry: out}, n, err
}

// gateSubmit runs the gate at submission: blocking findings stop it unless
// the caller is the unit's approver and gives a reason, which the audit
// log keeps with the rules it overrode.
func (s *Service) gateSubmit(ctx context.Context, c Caller, d store.EntryDetail, override string) ([]checks.Finding, string, error) {
	fs := s.inspect(ctx, d)
	if !checks.HasBlocking(fs) {
		return fs, "", nil
	}
	override = strings.TrimSpace(override)
	if override == "" {
		return fs, "", &BlockedError{Findings: fs}
	}
	if c.P.Role != auth.RoleApprover {
		return fs, "", s.refuse(ctx, c, "entry.submit", "entry", d.ID, d.Unit,
			&auth.Refusal{Err: auth.ErrForbidden, Reason: "只有单位审核人可以说明理由后强制提交 (only the unit's approver overrides the gate)"})
	}
	if _, err := reasonOf(override); err != nil {
		return fs, "", err
	}
	var rules []string
	for _, f := range fs {
		if f.Severity == checks.Blocking {
			rules = append(rules, f.Rule+"："+f.Text)
		}
	}
	note := "强制提交：" + override + "（" + strings.Join(rules, "；") + "）"
	if len(note) > 1500 {
		note = note[:1500]
	}
	return fs, note, nil
}

// gateRecord is the audit record of an override, written with the submit.
func gateRecord(s *Service, c Caller, d store.EntryDetail, note string) audit.Record {
	return auditRecord(s, c, "entry.gate_override", "entry", d.ID, d.Unit, note)
}
