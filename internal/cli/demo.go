package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/demo"
	"gongkai/internal/ingest"
	"gongkai/internal/store"
)

const demoAbout = `Writes the demo data set into a store: the bodies of the Linyi city
government, over ten thousand entries across every column from 2018 to
today with attachments, policy ↔ interpretation pairs and withdrawn
entries, and open datasets in the seven domains. The data is generated
by the program and loaded through the ordinary import path, so running it
twice changes nothing.`

func demoDefaults() demo.Options { return demo.Options{Seed: 1, Attachments: true} }

func runDemo(ctx context.Context, e *env, args []string) error {
	var cfg config.Config
	fs := newFlags(e, "demo", "gongkai demo [--data DIR | --db URL] [--entries N] [--rows N] [--seed N]", demoAbout)
	cfg.Bind(fs, false)
	opt := demoDefaults()
	fs.IntVar(&opt.Entries, "entries", 0, "number of entries (default 10500)")
	fs.IntVar(&opt.DatasetRows, "rows", 0, "dataset rows in all (default 110000)")
	fs.Int64Var(&opt.Seed, "seed", opt.Seed, "random seed; the same seed gives the same data")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	b, err := openBackend(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	return seedDemo(ctx, e, b, opt)
}

// seedDemo generates the demo files in a scratch folder under the data
// directory and imports them: units, then entries, then datasets.
func seedDemo(ctx context.Context, e *env, b *backend, opt demo.Options) error {
	start := time.Now()
	if err := os.MkdirAll(b.cfg.DataDir, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(b.cfg.DataDir, ".demo-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	man, err := demo.Generate(ctx, dir, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo: generated %d units, %d entries, %d attachments, %d datasets (%d rows) in %.1fs\n",
		man.Units, man.Entries, man.Attachments, man.Datasets, man.DatasetRows, time.Since(start).Seconds())
	im := ingest.New(b.store, b.files)
	iopt := ingest.Options{Actor: "demo", Progress: progressPrinter(e.stderr)}
	steps := []struct {
		kind string
		run  func(context.Context, string, ingest.Options) (*ingest.Report, error)
	}{
		{"units", im.Units}, {"entries", im.Entries}, {"datasets", im.Datasets},
	}
	for _, s := range steps {
		rep, err := s.run(ctx, filepath.Join(dir, s.kind+".jsonl"), iopt)
		if iopt.Progress != nil {
			iopt.Progress(-1, 0)
		}
		if err != nil {
			return fmt.Errorf("import demo %s: %w", s.kind, err)
		}
		rep.Summary(e.stdout, "demo "+s.kind)
		if !rep.OK() {
			return fmt.Errorf("demo %s: %d lines rejected", s.kind, rep.Rejected)
		}
	}
	if err := pinDemoEmergencies(ctx, b); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo: done in %.1fs\n", time.Since(start).Seconds())
	return nil
}

// pinDemoEmergencies pins the newest emergency responses to the portal
// home, as the office would after a hot question.
func pinDemoEmergencies(ctx context.Context, b *backend) error {
	latest, err := b.store.PublishedEntries(ctx, store.EntryList{Column: catalog.EmergencyColumn, Limit: 3})
	if err != nil {
		return err
	}
	return b.store.WithTx(ctx, func(t *store.Tx) error {
		for i := len(latest) - 1; i >= 0; i-- {
			if err := t.SetPinned(ctx, latest[i].ID, true, "demo", time.Now().Add(time.Duration(-i)*time.Second)); err != nil {
				return err
			}
		}
		return nil
	})
}
