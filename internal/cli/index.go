package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"gongkai/indexer"
	"gongkai/internal/config"
	"gongkai/internal/metrics"
)

const indexAbout = `Works on the search index under --data (DATA/index) for a stopped server.

  rebuild  builds a fresh index from every published entry in the store
           beside the current one and swaps it in, then applies the changes
           made meanwhile. Attachments' text is read again.
  verify   compares the index with the store and lists entries missing from
           the index, entries indexed in an older version (stale) and
           documents of entries that are no longer published (extra). The
           exit status is 1 when there is any difference.

Only one process can hold the index: while "gongkai serve" runs, these
commands stop with a message. A running server needs neither: it follows
the store's change log by itself and rebuilds its index automatically when
the index layout changed, answering searches from the old index meanwhile.`

func runIndex(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stdout, "Usage: gongkai index rebuild|verify [--data DIR | --db URL]\n\n")
		fmt.Fprintln(e.stdout, indexAbout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	action := args[0]
	if action != "rebuild" && action != "verify" {
		return fmt.Errorf("%w: unknown index action %q (want rebuild or verify)", errUsage, action)
	}
	var cfg config.Config
	fs := newFlags(e, "index "+action, "gongkai index "+action+" [--data DIR | --db URL] [--index-shards N]", indexAbout)
	cfg.Bind(fs, false)
	cfg.BindIndex(fs)
	format := fs.String("format", "text", "verify report format: text or json")
	quiet := fs.Bool("quiet", false, "no progress display")
	if err := parse(e, fs, args[1:]); err != nil {
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
	ix, err := indexer.Open(ctx, searchOptions(b, e.log, nil))
	if errors.Is(err, indexer.ErrLocked) {
		return fmt.Errorf("%v\n(stop the server first: a running server keeps its index up to date and rebuilds it by itself)", err)
	}
	if err != nil {
		return err
	}
	defer ix.Close()
	if action == "rebuild" {
		return rebuildIndex(ctx, e, ix, *quiet)
	}
	return verifyIndex(ctx, e, ix, *format)
}

// searchOptions are the index options of a backend: the index directory,
// the file store and the editable synonym list under the data directory.
func searchOptions(b *backend, log *slog.Logger, m *metrics.Search) indexer.Options {
	return indexer.Options{
		Dir:          b.cfg.IndexDir(),
		Store:        b.store,
		Files:        b.files,
		SynonymsFile: filepath.Join(b.cfg.DataDir, "search", "synonyms.txt"),
		Log:          log,
		Metrics:      m,
		Shards:       b.cfg.IndexShards,
	}
}

func rebuildIndex(ctx context.Context, e *env, ix *indexer.Index, quiet bool) error {
	start := time.Now()
	var progress indexer.Progress
	if !quiet {
		progress = rebuildProgress(e.stderr)
	}
	if err := ix.Rebuild(ctx, progress); err != nil {
		return fmt.Errorf("index rebuild: %w", err)
	}
	if progress != nil {
		progress(-1, 0)
	}
	applied, err := ix.CatchUp(ctx)
	if err != nil {
		return fmt.Errorf("index rebuild: apply changes: %w", err)
	}
	st := ix.Status()
	fmt.Fprintf(e.stdout, "index rebuilt: %d entries in %.1fs (%s, %d shard(s), checkpoint %d, %d changes applied after the scan)\n",
		st.Documents, time.Since(start).Seconds(), st.Generation, st.Shards, st.Checkpoint, applied)
	return nil
}

// rebuildProgress shows entries indexed on a terminal, at most five times a
// second; a call with done < 0 ends the display.
func rebuildProgress(w io.Writer) indexer.Progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var last time.Time
	shown := false
	return func(done, total int) {
		if done < 0 {
			if shown {
				fmt.Fprint(w, "\r\033[K")
			}
			return
		}
		if time.Since(last) < 200*time.Millisecond && done < total {
			return
		}
		last, shown = time.Now(), true
		fmt.Fprintf(w, "\r\033[Kindexing %d / %d entries", done, total)
	}
}

// maxListed bounds each list of a text verify report.
const maxListed = 50

func verifyIndex(ctx context.Context, e *env, ix *indexer.Index, format string) error {
	rep, err := ix.Verify(ctx)
	if errors.Is(err, indexer.ErrNotReady) {
		fmt.Fprintln(e.stdout, "index verify: there is no search index yet (run gongkai index rebuild, or start the server)")
		return exitError{1}
	}
	if err != nil {
		return fmt.Errorf("index verify: %w", err)
	}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"ok": rep.OK(), "published": rep.Published, "indexed": rep.Indexed,
			"missing": nonNil(rep.Missing), "stale": nonNil(rep.Stale), "extra": nonNil(rep.Extra),
			"checkpoint": rep.Checkpoint, "last_change": rep.LastChange})
	} else {
		fmt.Fprintf(e.stdout, "index verify: %d published entries, %d indexed; %d missing, %d stale, %d extra\n",
			rep.Published, rep.Indexed, len(rep.Missing), len(rep.Stale), len(rep.Extra))
		for _, l := range []struct {
			name string
			ids  []string
		}{{"missing", rep.Missing}, {"stale", rep.Stale}, {"extra", rep.Extra}} {
			for i, id := range l.ids {
				if i == maxListed {
					fmt.Fprintf(e.stdout, "  %s: … and %d more\n", l.name, len(l.ids)-maxListed)
					break
				}
				fmt.Fprintf(e.stdout, "  %s: %s\n", l.name, id)
			}
		}
		if behind := rep.LastChange - rep.Checkpoint; behind > 0 {
			fmt.Fprintf(e.stdout, "the index is behind the store by %d change(s): start the server (it catches up) or run gongkai index rebuild\n", behind)
		}
	}
	if !rep.OK() {
		return exitError{1}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
