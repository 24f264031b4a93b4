package workflow

import (
	"context"
	"strings"
	"unicode/utf8"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Approve passes an entry on: the unit approver's approval sends it to the
// office (or publishes it in a delegated column); the office's publishes it.
func (s *Service) Approve(ctx context.Context, c Caller, id string, seen int) (Result, error) {
	d, err := s.load(ctx, c, catalog.ActionApprove, id)
	if err != nil {
		return Result{}, err
	}
	rt, err := s.route(ctx, d)
	if err != nil {
		return Result{}, err
	}
	to, err := catalog.Next(catalog.ActionApprove, auth.Part(c.P.Role), d.Status, rt)
	if err != nil {
		return Result{}, err
	}
	if err := checkRevision(d, seen); err != nil {
		return Result{}, err
	}
	e := d.Entry
	e.Status = to
	if to == catalog.StatusPublished {
		now := s.Now()
		e.PublishedAt = &now
	}
	before := summary{Status: d.Status, Revision: d.Revision}
	out, err := s.write(ctx, c, catalog.ActionApprove, e, d.Revision, "", &before, nil)
	return Result{Entry: out}, err
}

// reasonOf checks a reason people must give (for a return or withdrawal).
func reasonOf(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n < 2:
		return "", catalog.FieldErrors{{Field: "reason", Reason: "请填写理由 (a reason is required)"}}
	case n > 2000:
		return "", catalog.FieldErrors{{Field: "reason", Reason: "理由过长，最多 2000 字 (too long)"}}
	}
	return reason, nil
}

// Return sends an entry back to its unit with a reason the unit sees.
func (s *Service) Return(ctx context.Context, c Caller, id, reason string, seen int) (Result, error) {
	d, err := s.load(ctx, c, catalog.ActionReturn, id)
	if err != nil {
		return Result{}, err
	}
	to, err := catalog.Next(catalog.ActionReturn, auth.Part(c.P.Role), d.Status, catalog.Route{})
	if err != nil {
		return Result{}, err
	}
	if reason, err = reasonOf(reason); err != nil {
		return Result{}, err
	}
	if err := checkRevision(d, seen); err != nil {
		return Result{}, err
	}
	e := d.Entry
	e.Status, e.ReturnReason = to, reason
	before := summary{Status: d.Status, Revision: d.Revision}
	out, err := s.write(ctx, c, catalog.ActionReturn, e, d.Revision, reason, &before, nil)
	return Result{Entry: out}, err
}

// Withdraw takes a published entry off the portal with a reason; its
// public page then says when and why.
func (s *Service) Withdraw(ctx context.Context, c Caller, id, reason string, seen int) (Result, error) {
	d, err := s.load(ctx, c, catalog.ActionWithdraw, id)
	if err != nil {
		return Result{}, err
	}
	to, err := catalog.Next(catalog.ActionWithdraw, auth.Part(c.P.Role), d.Status, catalog.Route{})
	if err != nil {
		return Result{}, err
	}
	if reason, err = reasonOf(reason); err != nil {
		return Result{}, err
	}
	if err := checkRevision(d, seen); err != nil {
		return Result{}, err
	}
	e := d.Entry
	now := s.Now()
	e.Status, e.WithdrawnAt, e.WithdrawReason = to, &now, reason
	before := summary{Status: d.Status, Revision: d.Revision}
	out, err := s.write(ctx, c, catalog.ActionWithdraw, e, d.Revision, reason, &before, func(t *store.Tx) error {
		return t.SetPinned(ctx, id, false, "", now)
	})
	return Result{Entry: out}, err
}

// SetPinned pins a published emergency response (应急管理) to the portal
// home, or unpins it.
func (s *Service) SetPinned(ctx context.Context, c Caller, id string, pinned bool) (Result, error) {
	action := catalog.ActionPin
	if !pinned {
		action = catalog.ActionUnpin
	}
	d, err := s.load(ctx, c, action, id)
	if err != nil {
		return Result{}, err
	}
	if _, err := catalog.Next(action, auth.Part(c.P.Role), d.Status, catalog.Route{}); err != nil {
		return Result{}, err
	}
	if pinned && d.Column != catalog.EmergencyColumn {
		return Result{}, &catalog.TransitionError{Action: action, From: d.Status, Reason: "只有“应急管理”栏目的信息可以置顶到首页 (only emergency responses are pinned)"}
	}
	now := s.Now()
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		if err := t.SetPinned(ctx, id, pinned, c.Actor().Name(), now); err != nil {
			return err
		}
		_, err := t.AppendAudit(ctx, auditRecord(s, c, "entry."+action, "entry", id, d.Unit, d.Title))
		return err
	})
	if err != nil {
		return Result{}, err
	}
	d, err = s.st.Entry(ctx, id)
	return Result{Entry: d}, err
}
