package catalog

import (
	"errors"
	"testing"
)

func TestNext(t *testing.T) {
	unit := Route{UnitApproval: true}
	deleg := Route{UnitApproval: true, Delegated: true}
	tests := []struct {
		action, part, from string
		rt                 Route
		want               string
		role, transition   bool // which error is expected
	}{
		{ActionSave, PartStaff, StatusDraft, unit, StatusDraft, false, false},
		{ActionSave, PartStaff, StatusReturned, unit, StatusReturned, false, false},
		{ActionSave, PartStaff, StatusPending, unit, "", false, true},
		{ActionSave, PartStaff, StatusPublished, unit, "", false, true},
		{ActionSave, PartOffice, StatusDraft, unit, "", true, false},
		{ActionSubmit, PartStaff, StatusDraft, unit, StatusPending, false, false},
		{ActionSubmit, PartStaff, StatusReturned, unit, StatusPending, false, false},
		{ActionSubmit, PartStaff, StatusDraft, Route{}, StatusSubmitted, false, false},
		{ActionSubmit, PartStaff, StatusDraft, Route{Delegated: true}, StatusPublished, false, false},
		{ActionSubmit, PartStaff, StatusPending, unit, "", false, true},
		{ActionSubmit, PartStaff, StatusSubmitted, unit, "", false, true},
		{ActionSubmit, PartOffice, StatusDraft, unit, "", true, false},
		{ActionApprove, PartApprover, StatusPending, unit, StatusSubmitted, false, false},
		{ActionApprove, PartApprover, StatusPending, deleg, StatusPublished, false, false},
		{ActionApprove, PartApprover, StatusSubmitted, unit, "", false, true},
		{ActionApprove, PartOffice, StatusSubmitted, unit, StatusPublished, false, false},
		{ActionApprove, PartOffice, StatusSubmitted, deleg, StatusPublished, false, false},
		{ActionApprove, PartOffice, StatusPending, unit, "", false, true},
		{ActionApprove, PartOffice, StatusDraft, unit, "", false, true},
		{ActionApprove, PartStaff, StatusPending, unit, "", true, false},
		{ActionReturn, PartApprover, StatusPending, unit, StatusReturned, false, false},
		{ActionReturn, PartOffice, StatusSubmitted, unit, StatusReturned, false, false},
		{ActionReturn, PartOffice, StatusPending, unit, "", false, true},
		{ActionReturn, PartApprover, StatusSubmitted, unit, "", false, true},
		{ActionReturn, PartOffice, StatusPublished, unit, "", false, true},
		{ActionReturn, PartStaff, StatusPending, unit, "", true, false},
		{ActionWithdraw, PartOffice, StatusPublished, unit, StatusWithdrawn, false, false},
		{ActionWithdraw, PartApprover, StatusPublished, unit, StatusWithdrawn, false, false},
		{ActionWithdraw, PartOffice, StatusWithdrawn, unit, "", false, true},
		{ActionWithdraw, PartOffice, StatusDraft, unit, "", false, true},
		{ActionWithdraw, PartStaff, StatusPublished, unit, "", true, false},
		{ActionPin, PartOffice, StatusPublished, unit, StatusPublished, false, false},
		{ActionPin, PartOffice, StatusWithdrawn, unit, "", false, true},
		{ActionPin, PartApprover, StatusPublished, unit, "", true, false},
		{ActionUnpin, PartOffice, StatusPublished, unit, StatusPublished, false, false},
		{ActionMask, PartOffice, StatusSubmitted, unit, StatusSubmitted, false, false},
		{ActionMask, PartOffice, StatusPublished, unit, "", false, true},
		{ActionMask, PartStaff, StatusDraft, unit, StatusDraft, false, false},
		{ActionMask, PartStaff, StatusPending, unit, "", false, true},
		{ActionMask, PartApprover, StatusPending, unit, StatusPending, false, false},
		{ActionMask, PartApprover, StatusSubmitted, unit, "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.action+"/"+tc.part+"/"+tc.from, func(t *testing.T) {
			got, err := Next(tc.action, tc.part, tc.from, tc.rt)
			var re *RoleError
			var te *TransitionError
			if got != tc.want || errors.As(err, &re) != tc.role || errors.As(err, &te) != tc.transition {
				t.Errorf("Next = %q, %v; want %q (role error %v, transition error %v)", got, err, tc.want, tc.role, tc.transition)
			}
			if err != nil && err.Error() == "" {
				t.Error("an error without a message")
			}
		})
	}
	if _, err := Next("publish", PartOffice, StatusDraft, unit); err == nil {
		t.Error("an unknown action was allowed")
	}
}
