package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Create writes a new draft for the caller's unit. The input takes the
// fields of an import line; its status is always draft, and attachments
// name files already uploaded (by SHA-256).
func (s *Service) Create(ctx context.Context, c Caller, in catalog.EntryInput) (Result, error) {
	in.Unit = strings.TrimSpace(in.Unit)
	if in.Unit == "" && c.P.Role.NeedsUnit() {
		in.Unit = c.P.Unit
	}
	if err := auth.CanWriteEntries(c.P, in.Unit); err != nil {
		return Result{}, s.refuse(ctx, c, "entry.create", "entry", in.ID, in.Unit, err)
	}
	if in.ID = strings.TrimSpace(in.ID); in.ID == "" {
		in.ID = newEntryID(in.Unit, s.Now())
	} else if !strings.HasPrefix(in.ID, in.Unit+"-") {
		// A unit names its entries within its own prefix, so that a taken
		// id never tells it what another unit holds.
		return Result{}, catalog.FieldErrors{{Field: "id", Reason: fmt.Sprintf("信息 id 须以本单位代码开头，如 %s-2026-0001 (must start with %q)", in.Unit, in.Unit+"-")}}
	}
	e, err := s.prepare(ctx, c, in, nil)
	if err != nil {
		return Result{}, err
	}
	if _, err := s.st.Entry(ctx, e.ID); err == nil {
		return Result{}, fmt.Errorf("%w: 信息 id %q 已被使用 (id already exists)", store.ErrConflict, e.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Result{}, err
	}
	d, err := s.write(ctx, c, "create", e, 0, "", nil, nil)
	return Result{Entry: d}, err
}

// Update saves a new revision of a draft or returned entry. seen is the
// revision the caller edited (0: not checked); a save based on an older
// revision is refused with store.ErrStale.
func (s *Service) Update(ctx context.Context, c Caller, id string, in catalog.EntryInput, seen int, reason string) (Result, error) {
	d, err := s.load(ctx, c, catalog.ActionSave, id)
	if err != nil {
		return Result{}, err
	}
	if err := auth.CanWriteEntries(c.P, d.Unit); err != nil {
		return Result{}, s.refuse(ctx, c, "entry.save", "entry", id, d.Unit, err)
	}
	if _, err := catalog.Next(catalog.ActionSave, auth.Part(c.P.Role), d.Status, catalog.Route{}); err != nil {
		return Result{}, err
	}
	if err := checkRevision(d, seen); err != nil {
		return Result{}, err
	}
	in.ID = id
	if in.Unit = strings.TrimSpace(in.Unit); in.Unit == "" {
		in.Unit = d.Unit
	}
	if in.Unit != d.Unit {
		return Result{}, catalog.FieldErrors{{Field: "unit", Reason: "不能把信息移到其他单位 (an entry stays in its unit)"}}
	}
	e, err := s.prepare(ctx, c, in, &d)
	if err != nil {
		return Result{}, err
	}
	e.Status = d.Status
	e.IndexNo = d.IndexNo
	e.ReturnReason = d.ReturnReason
	before := summary{Status: d.Status, Revision: d.Revision, Title: d.Title, Column: d.Column}
	out, err := s.write(ctx, c, catalog.ActionSave, e, d.Revision, strings.TrimSpace(reason), &before, nil)
	return Result{Entry: out}, err
}

// prepare validates an input as a draft of its unit: the fields, the
// column of the unit's tree, links to entries that exist, the sanitised
// body, and attachments that are in the file store. old is the stored
// entry when editing one.
func (s *Service) prepare(ctx context.Context, c Caller, in catalog.EntryInput, old *store.EntryDetail) (catalog.Entry, error) {
	in.Status = catalog.StatusDraft
	in.PublishedAt, in.WithdrawnAt, in.WithdrawReason = "", "", ""
	var fe catalog.FieldErrors
	if in.IndexNo != "" && (old == nil || in.IndexNo != old.IndexNo) {
		fe.Add("index_no", "索引号由系统生成，不能填写 (generated)")
	}
	in.IndexNo = ""
	e, err := in.ToEntry()
	if got, ok := catalog.AsFieldErrors(err); ok {
		fe = append(fe, got...)
	} else if err != nil {
		return e, err
	}
	if e.Unit != "" && e.Column != "" {
		tree, err := s.st.Tree(ctx, e.Unit)
		if err != nil {
			return e, err
		}
		if err := tree.CheckPlacement(e.Column); err != nil {
			fe.Add("column", err.Error())
		}
	}
	for _, r := range e.Related {
		if old != nil && contains(old.Related, r) {
			continue // kept as it was
		}
		// Only an entry the caller may see can be linked; another unit's
		// unpublished entry is answered as if it did not exist.
		t, err := s.st.Entry(ctx, r)
		switch {
		case errors.Is(err, store.ErrNotFound),
			err == nil && t.Status != catalog.StatusPublished && auth.CanReadEntry(c.P, t.Unit) != nil:
			fe.Add("related", fmt.Sprintf("关联的信息 %q 不存在 (no such entry)", r))
		case err != nil:
			return e, err
		}
	}
	if e.BodyHTML != "" {
		e.BodyHTML = s.policy.HTML(e.BodyHTML)
		if strings.TrimSpace(s.policy.Text(e.BodyHTML)) == "" && !strings.Contains(e.BodyHTML, "<img") && strings.TrimSpace(e.BodyText) == "" {
			fe.Add("body_html", "正文清理后为空 (the body is empty once unsafe HTML is removed)")
		}
	}
	e.Attachments = make([]catalog.Attachment, 0, len(in.Attachments))
	for i, a := range in.Attachments {
		att, err := s.attachment(a)
		if err != nil {
			fe.Add(fmt.Sprintf("attachments[%d]", i), err.Error())
			continue
		}
		e.Attachments = append(e.Attachments, att)
	}
	if len(fe) > 0 {
		return e, fe
	}
	return e, nil
}

// Submit sends a draft or returned entry on: to the unit's approver, or
// further when the unit approves nothing itself. The quality gate runs
// first: blocking findings stop the submission (BlockedError).
func (s *Service) Submit(ctx context.Context, c Caller, id string, seen int) (Result, error) {
	return s.SubmitOverriding(ctx, c, id, seen, "")
}

// SubmitOverriding is Submit for the unit's approver, who may override the
// quality gate's blocking findings with a reason; the audit log keeps the
// reason and what was overridden.
func (s *Service) SubmitOverriding(ctx context.Context, c Caller, id string, seen int, override string) (Result, error) {
	d, err := s.load(ctx, c, catalog.ActionSubmit, id)
	if err != nil {
		return Result{}, err
	}
	rt, err := s.route(ctx, d)
	if err != nil {
		return Result{}, err
	}
	if c.P.Role == auth.RoleApprover {
		// Nobody approves their own work: what the unit's approver submits
		// goes to the office, delegated column or not.
		rt = catalog.Route{}
	}
	to, err := catalog.Next(catalog.ActionSubmit, auth.Part(c.P.Role), d.Status, rt)
	if err != nil {
		return Result{}, err
	}
	if err := checkRevision(d, seen); err != nil {
		return Result{}, err
	}
	var res Result
	switch d.Column {
	case catalog.InterpretationColumn:
		if len(d.Related) == 0 {
			return Result{}, catalog.FieldErrors{{Field: "related", Reason: "政策解读必须关联所解读的政策文件 (an interpretation must name its policy)"}}
		}
	case catalog.PolicyColumn:
		if !hasInterpretation(d) {
			res.Warnings = append(res.Warnings, "该政策文件尚未关联政策解读：请同步起草解读并在解读中关联本文件 (no interpretation linked yet)")
		}
	}
	fs, note, err := s.gateSubmit(ctx, c, d, override)
	if err != nil {
		return Result{}, err
	}
	res.Findings = fs
	e := d.Entry
	e.Status, e.ReturnReason = to, ""
	if to == catalog.StatusPublished {
		now := s.Now()
		e.PublishedAt = &now
	}
	before := summary{Status: d.Status, Revision: d.Revision}
	var extra func(*store.Tx) error
	if note != "" {
		extra = func(t *store.Tx) error { _, err := t.AppendAudit(ctx, gateRecord(s, c, d, note)); return err }
	}
	res.Entry, err = s.write(ctx, c, catalog.ActionSubmit, e, d.Revision, note, &before, extra)
	return res, err
}

// hasInterpretation reports whether a policy document has an
// interpretation linked, in either direction.
func hasInterpretation(d store.EntryDetail) bool {
	for _, l := range d.Links {
		if l.Column == catalog.InterpretationColumn {
			return true
		}
	}
	return false
}

// route reads what decides where an approved entry of d's unit and column
// goes next.
func (s *Service) route(ctx context.Context, d store.EntryDetail) (catalog.Route, error) {
	delegated, err := s.st.ColumnDelegated(ctx, d.Unit, d.Column)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return catalog.Route{}, err
	}
	return catalog.Route{UnitApproval: true, Delegated: delegated}, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
