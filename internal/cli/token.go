package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/store"
)

const tokenAbout = `Manages the API tokens of the back office. A token stands for a role and,
for the unit roles, a unit; a program presents it as
"Authorization: Bearer TOKEN".

  create  makes a token and prints it alone on the last line of standard
          output. It is shown this once and never again: only its SHA-256
          is stored. --role is one of editor, approver (both need --unit),
          reviewer, admin, auditor.
  list    lists the tokens (never their secrets), revoked ones included.
  revoke  revokes the token with the given id, for good.`

func runToken(ctx context.Context, e *env, args []string) error {
	return runActions(ctx, e, args, "token", "gongkai token create --role ROLE [--unit CODE] [--name TEXT] | list [--format text|json] | revoke ID   [--data DIR | --db URL]", tokenAbout, []action{{"create", tokenCreate}, {"list", tokenList}, {"revoke", tokenRevoke}})
}

func tokenCreate(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "token create", "gongkai token create --role ROLE [--unit CODE] [--name TEXT] [--data DIR | --db URL]", tokenAbout)
	cfg.Bind(fs, false)
	roleName := fs.String("role", "", "editor, approver, reviewer, admin or auditor")
	unit := fs.String("unit", "", "the unit's code (editor and approver only, required for them)")
	name := fs.String("name", "", "what the token is for, e.g. the system that uses it")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("%w: --role: %v", errUsage, err)
	}
	switch {
	case role.NeedsUnit() && *unit == "":
		return fmt.Errorf("%w: role %s needs --unit CODE", errUsage, role)
	case !role.NeedsUnit() && *unit != "":
		return fmt.Errorf("%w: role %s has no unit; leave out --unit", errUsage, role)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	secret, tok, err := auth.IssueToken(ctx, b.store, string(role), *unit, *name)
	var fe catalog.FieldErrors
	if errors.As(err, &fe) {
		return fmt.Errorf("%w: %v", errUsage, fe)
	}
	if err != nil {
		return err
	}
	who := string(role)
	if tok.Unit != "" {
		who += " of " + tok.Unit
	}
	fmt.Fprintf(e.stdout, "token %d created (%s%s); it is shown once, store it now — 令牌只显示这一次，请妥善保存:\n", tok.ID, who, nameSuffix(tok.Name))
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func nameSuffix(name string) string {
	if name == "" {
		return ""
	}
	return ", " + strconv.Quote(name)
}

func tokenList(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "token list", "gongkai token list [--format text|json] [--data DIR | --db URL]", tokenAbout)
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
	toks, err := b.store.Tokens(ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Tokens []store.APIToken `json:"tokens"`
		}{append([]store.APIToken{}, toks...)})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tUNIT\tCREATED\tLAST USED\tREVOKED\tNAME")
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.In(catalog.Shanghai).Format(time.DateTime)
	}
	for _, t := range toks {
		unit := t.Unit
		if unit == "" {
			unit = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, unit, at(&t.CreatedAt), at(t.LastUsedAt), at(t.RevokedAt), t.Name)
	}
	return tw.Flush()
}

func tokenRevoke(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "token revoke", "gongkai token revoke ID [--data DIR | --db URL]", tokenAbout)
	cfg.Bind(fs, false)
	// The id may come before or after the flags.
	var idArg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		idArg, args = args[0], args[1:]
	}
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if idArg == "" && fs.NArg() > 0 {
		idArg = fs.Arg(0)
	}
	id, err := strconv.ParseInt(idArg, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%w: token revoke needs the token's numeric ID (see gongkai token list)", errUsage)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	tok, err := b.store.RevokeToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no token %d", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token %d revoked at %s\n", tok.ID, tok.RevokedAt.In(catalog.Shanghai).Format(time.RFC3339))
	return nil
}
