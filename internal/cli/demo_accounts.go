package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"gongkai/internal/auth"
	"gongkai/internal/store"
)

// demoAccountUnit is the unit the demo's unit staff and approver belong
// to, when it has entries: the development and reform commission has
// entries in every column.
const demoAccountUnit = "fgw"

// seedDemoAccounts makes one console account per role for a freshly
// seeded demo store and prints their one-time passwords: the unit roles
// belong to demoAccountUnit, or else to the first unit with published
// entries. An account that exists already is left as it is.
func seedDemoAccounts(ctx context.Context, e *env, b *backend) error {
	units, err := b.store.UnitsWithStats(ctx)
	if err != nil {
		return err
	}
	unit := ""
	for _, u := range units {
		if u.Entries == 0 {
			continue
		}
		if unit == "" || u.Code == demoAccountUnit {
			unit = u.Code
		}
	}
	if unit == "" {
		return errors.New("demo accounts: no unit has entries")
	}
	accounts := auth.NewAccounts(b.store, e.log)
	type made struct{ role, login, password, unit string }
	var out []made
	for _, r := range auth.Roles {
		u := ""
		if r.NeedsUnit() {
			u = unit
		}
		login := "demo-" + string(r)
		pw, _, err := accounts.AddUser(ctx, login, string(r), u, "演示"+r.Label())
		if errors.Is(err, store.ErrConflict) {
			pw = "(exists already)"
		} else if err != nil {
			return fmt.Errorf("demo account %s: %w", login, err)
		}
		if u == "" {
			u = "-"
		}
		out = append(out, made{string(r), login, pw, u})
	}
	fmt.Fprintln(e.stdout, "演示账号 (first login asks for a new password):")
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, m := range out {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", m.role, m.login, m.password, m.unit)
	}
	return tw.Flush()
}
