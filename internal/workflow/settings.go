package workflow

import (
	"context"
	"fmt"
	"strings"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

func auditRecord(s *Service, c Caller, action, kind, id, unit, summary string) audit.Record {
	return audit.Record{At: s.Now(), Actor: c.Actor(), Action: action, ObjectKind: kind, ObjectID: id, ObjectUnit: unit, Summary: summary}
}

// FileColumnChange records a unit's proposal to add or remove a column of
// its tree (报备). It is in force at once, or once the office approves it
// when the office requires approval for that unit.
func (s *Service) FileColumnChange(ctx context.Context, c Caller, ch catalog.ColumnChange) (store.Filing, error) {
	if err := auth.CanFileColumns(c.P, ch.Unit); err != nil {
		return store.Filing{}, s.refuse(ctx, c, "filing.create", "filing", ch.Column.Code, ch.Unit, err)
	}
	ch.By = c.Actor().Name()
	ch.Reason = strings.TrimSpace(ch.Reason)
	ch.Column.Name = strings.TrimSpace(ch.Column.Name)
	need, err := s.st.FilingsNeedApproval(ctx, ch.Unit)
	if err != nil {
		return store.Filing{}, err
	}
	var f store.Filing
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		var err error
		if f, err = t.ChangeTree(ctx, ch, need); err != nil {
			return err
		}
		_, err = t.AppendAudit(ctx, auditRecord(s, c, "filing.create", "filing", fmt.Sprint(f.ID), ch.Unit,
			audit.Change(nil, map[string]string{"action": ch.Action, "column": ch.Column.Code, "name": f.ColumnName, "reason": ch.Reason, "state": f.State})))
		return err
	})
	return f, err
}

// DecideFiling acknowledges a filed change, or approves or rejects one
// that waits for the office.
func (s *Service) DecideFiling(ctx context.Context, c Caller, id int64, approve bool, note string) (store.Filing, error) {
	old, err := s.st.Filing(ctx, id)
	if err != nil {
		return old, err
	}
	if err := auth.CanDecideFilings(c.P); err != nil {
		return old, s.refuse(ctx, c, "filing.decide", "filing", fmt.Sprint(id), old.Unit, err)
	}
	var f store.Filing
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		var err error
		if f, err = t.DecideFiling(ctx, id, approve, c.Actor().Name(), strings.TrimSpace(note), s.Now()); err != nil {
			return err
		}
		_, err = t.AppendAudit(ctx, auditRecord(s, c, "filing.decide", "filing", fmt.Sprint(id), f.Unit,
			audit.Change(map[string]string{"state": old.State}, map[string]string{"state": f.State, "note": f.Decision})))
		return err
	})
	return f, err
}

// SetDelegation delegates a unit's column to the unit (its approved
// entries are published without office review) or takes it back.
func (s *Service) SetDelegation(ctx context.Context, c Caller, unit, column string, delegated bool) error {
	if err := auth.CanSetDelegation(c.P); err != nil {
		return s.refuse(ctx, c, "delegation.set", "column", unit+"/"+column, unit, err)
	}
	return s.st.WithTx(ctx, func(t *store.Tx) error {
		was, err := t.SetDelegated(ctx, unit, column, delegated)
		if err != nil {
			return err
		}
		if was == delegated {
			return nil
		}
		_, err = t.AppendAudit(ctx, auditRecord(s, c, "delegation.set", "column", unit+"/"+column, unit,
			audit.Change(map[string]bool{"delegated": was}, map[string]bool{"delegated": delegated})))
		return err
	})
}

// SetFilingsNeedApproval sets whether a unit's filings wait for the
// office's approval before they are in force.
func (s *Service) SetFilingsNeedApproval(ctx context.Context, c Caller, unit string, need bool) error {
	if err := auth.CanDecideFilings(c.P); err != nil {
		return s.refuse(ctx, c, "unit.filing_setting", "unit", unit, unit, err)
	}
	was, err := s.st.FilingsNeedApproval(ctx, unit)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(t *store.Tx) error {
		if err := t.SetFilingsNeedApproval(ctx, unit, need); err != nil {
			return err
		}
		_, err := t.AppendAudit(ctx, auditRecord(s, c, "unit.filing_setting", "unit", unit, unit,
			audit.Change(map[string]bool{"filings_need_approval": was}, map[string]bool{"filings_need_approval": need})))
		return err
	})
}
