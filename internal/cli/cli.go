// Package cli holds the gongkai command: its subcommands, their flags and
// help, logging set-up and signal handling. main hands it os.Args and
// nothing else.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// env is what a subcommand gets from the outside world.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the portal, the API and the indexer on one address", runServe},
		{"import", "import units, entries or datasets from JSON Lines files", runImport},
		{"demo", "write the demo data set (units, entries, datasets) into a store", runDemo},
		{"index", "rebuild the search index from the store, or verify it against the store", runIndex},
		{"user", "add, list or unlock the console accounts of the back office", runUser},
		{"token", "create, list or revoke the API tokens of the back office", runToken},
		{"audit", "verify the audit log's hash chain, or export the log as CSV or XLSX", runAudit},
		{"check", "run the quality gate over every published entry and report per unit", runCheck},
		{"supervise", "evaluate the supervision rules as of a date and raise, close or escalate notices", runSupervise},
		{"backup", "write the whole state (store and files) into one archive while the server runs", runBackup},
		{"restore", "bring a backup into an empty store (SQLite or PostgreSQL) and rebuild the index", runRestore},
	}
}

// errUsage marks an error the user made on the command line (exit 2).
var errUsage = errors.New("usage")

// exitError carries a chosen exit status without printing more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs the command line and returns the process exit status.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, os.Stdout, os.Stderr, os.Getenv)
}

// Run is Main with its surroundings passed in, for tests.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if len(args) < 2 || args[1] == "-h" || args[1] == "--help" || args[1] == "help" {
		usage(stdout)
		if len(args) < 2 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[1] {
			continue
		}
		err := c.run(ctx, e, args[2:])
		var ee exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ee):
			return ee.code
		case errors.Is(err, errUsage):
			fmt.Fprintln(stderr, "gongkai:", err)
			return 2
		default:
			fmt.Fprintln(stderr, "gongkai:", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "gongkai: unknown command %q\n\n", args[1])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `gongkai — the government information disclosure catalog (政府信息公开目录)

Usage:
  gongkai <command> [flags]

Commands:
`)
	cmds := commands()
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command takes --data DIR (default ./data, env GONGKAI_DATA) or
--db URL (sqlite:PATH or postgres://…, env GONGKAI_DB).
Run "gongkai <command> --help" for a command's flags.
`)
}

// newFlags makes a flag set whose --help prints the command's summary,
// usage line and flags, and whose errors are usage errors.
func newFlags(e *env, name, usageLine, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: %s\n\n%s\n\nFlags:\n", usageLine, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; --help goes to stdout and ends the command.
func parse(e *env, fs *flag.FlagSet, args []string) error {
	var help bool
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			help = true
		}
	}
	if help {
		fs.SetOutput(e.stdout)
		fs.Usage()
		return flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
