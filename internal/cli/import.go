package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"gongkai/internal/config"
	"gongkai/internal/ingest"
)

const importAbout = `Imports a JSON Lines file (UTF-8, one object a line) of units, entries or
datasets. The import is idempotent: records are keyed by code or id, a
changed line updates its record and the same file twice changes nothing.
A bad line is reported with its line number and reason and every good line
is still imported; with --strict nothing is imported if any line is bad.
Paths inside a line (attachments, CSV files) are relative to the file.
The exit status is 0 only when every line was good.`

func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stdout, "Usage: gongkai import units|entries|datasets FILE.jsonl [--strict] [--format text|json] [--data DIR | --db URL]\n\n")
		fmt.Fprintln(e.stdout, importAbout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	kind := args[0]
	if kind != "units" && kind != "entries" && kind != "datasets" {
		return fmt.Errorf("%w: unknown import kind %q (want units, entries or datasets)", errUsage, kind)
	}
	var cfg config.Config
	fs := newFlags(e, "import "+kind, "gongkai import "+kind+" FILE.jsonl [flags]", importAbout)
	cfg.Bind(fs, false)
	strict := fs.Bool("strict", false, "import nothing if any line is bad")
	format := fs.String("format", "text", "report format: text or json")
	quiet := fs.Bool("quiet", false, "no progress display")
	// Flags may come before or after the file name.
	var file string
	rest := args[1:]
	if len(rest) > 0 && len(rest[0]) > 0 && rest[0][0] != '-' {
		file, rest = rest[0], rest[1:]
	}
	if err := parse(e, fs, rest); err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return fmt.Errorf("%w: import %s needs a FILE.jsonl", errUsage, kind)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	im := ingest.New(b.store, b.files)
	opt := ingest.Options{Strict: *strict, Actor: "cli"}
	if !*quiet {
		opt.Progress = progressPrinter(e.stderr)
	}
	var rep *ingest.Report
	switch kind {
	case "units":
		rep, err = im.Units(ctx, file, opt)
	case "entries":
		rep, err = im.Entries(ctx, file, opt)
	case "datasets":
		rep, err = im.Datasets(ctx, file, opt)
	}
	if opt.Progress != nil {
		opt.Progress(-1, 0)
	}
	if rep != nil {
		writeReport(e.stdout, rep, kind, *format)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	if !rep.OK() {
		return exitError{1}
	}
	return nil
}

func writeReport(w io.Writer, rep *ingest.Report, kind, format string) {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return
	}
	rep.Summary(w, "import "+kind)
}

// progressPrinter shows a running line count on a terminal, at most five
// times a second; elsewhere it prints nothing. A call with lines < 0 ends
// the display.
func progressPrinter(w io.Writer) func(int, time.Duration) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var last time.Time
	shown := false
	return func(lines int, elapsed time.Duration) {
		if lines < 0 {
			if shown {
				fmt.Fprint(w, "\r\033[K")
			}
			return
		}
		if time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		shown = true
		rate := float64(lines) / max(elapsed.Seconds(), 0.001)
		fmt.Fprintf(w, "\r\033[K%d lines, %.0f lines/s", lines, rate)
	}
}
