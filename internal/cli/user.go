package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/store"
)

const userAbout = `Manages the accounts of the back office (the console). An account has a
login, a role and, for the unit roles, a unit.

  add     makes an account with a one-time password and prints the password
          alone on the last line of standard output. It is shown this once
          and never again: only its argon2id hash is stored, and the first
          login must set a new password. --login is 2–32 lower-case letters,
          digits or . _ -; --role is one of editor, approver (both need
          --unit), reviewer, admin, auditor.
  list    lists the accounts (never their passwords).
  unlock  lifts the lock that repeated failed logins put on an account;
          written to the audit log as done from the command line.`

func runUser(ctx context.Context, e *env, args []string) error {
	return runActions(ctx, e, args, "user", "gongkai user add --login NAME --role ROLE [--unit CODE] [--name 姓名] | list [--format text|json] | unlock --login NAME   [--data DIR | --db URL]", userAbout, []action{{"add", userAdd}, {"list", userList}, {"unlock", userUnlock}})
}

func userAdd(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "user add", "gongkai user add --login NAME --role ROLE [--unit CODE] [--name 姓名] [--data DIR | --db URL]", userAbout)
	cfg.Bind(fs, false)
	login := fs.String("login", "", "the login name: 2–32 of a-z 0-9 . _ -")
	roleName := fs.String("role", "", "editor, approver, reviewer, admin or auditor")
	unit := fs.String("unit", "", "the unit's code (editor and approver only, required for them)")
	name := fs.String("name", "", "the holder's name, e.g. 张伟")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	password, u, err := auth.NewAccounts(b.store, e.log).AddUserBy(ctx, audit.Actor{UserAgent: "gongkai user add"}, *login, *roleName, *unit, *name)
	var fe catalog.FieldErrors
	if errors.As(err, &fe) {
		return fmt.Errorf("%w: %v", errUsage, fe)
	}
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: login: 登录名 %q 已被使用 (login taken)", errUsage, *login)
	}
	if err != nil {
		return err
	}
	who := u.Role
	if u.Unit != "" {
		who += " of " + u.Unit
	}
	fmt.Fprintf(e.stdout, "user %s created (%s%s); its one-time password is shown once and must be changed at the first login — 初始密码只显示这一次，首次登录须修改:\n",
		u.Login, who, nameSuffix(u.Name))
	fmt.Fprintln(e.stdout, password)
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "user list", "gongkai user list [--format text|json] [--data DIR | --db URL]", userAbout)
	cfg.Bind(fs, false)
	format := fs.String("format", "text", "text or json")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	users, err := b.store.Users(ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Users []store.User `json:"users"`
		}{append([]store.User{}, users...)})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tROLE\tUNIT\tSTATE\tFAILED\tCREATED\tNAME")
	for _, u := range users {
		unit, state := u.Unit, "active"
		if unit == "" {
			unit = "-"
		}
		switch {
		case u.Disabled():
			state = "disabled"
		case u.Locked():
			state = "locked"
		case u.MustChange:
			state = "must change password"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", u.Login, u.Role, unit, state, u.FailedLogins,
			u.CreatedAt.In(catalog.Shanghai).Format(time.DateTime), u.Name)
	}
	return tw.Flush()
}

func userUnlock(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "user unlock", "gongkai user unlock --login NAME [--data DIR | --db URL]", userAbout)
	cfg.Bind(fs, false)
	login := fs.String("login", "", "the login name of the locked account")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *login == "" {
		return fmt.Errorf("%w: user unlock needs --login NAME", errUsage)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	// Whoever runs this can reach the database anyway: the command line
	// acts with the administrator's rights, and is recorded as "system".
	operator := auth.Principal{Role: auth.RoleAdmin}
	actor := audit.Actor{Role: string(auth.RoleAdmin), UserAgent: "gongkai user unlock (command line)"}
	err = auth.NewAccounts(b.store, e.log).Unlock(ctx, operator, *login, actor)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user %q", *login)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s unlocked\n", *login)
	return nil
}
