package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Options control the size and shape of the demo data set.
type Options struct {
	Seed        int64     // deterministic output for a given seed (default 1 when 0)
	Entries     int       // number of entries (default 10500 when 0)
	DatasetRows int       // total rows over all datasets (default 110000 when 0)
	Attachments bool      // write attachment files (.docx/.xlsx/.pdf); false for benchmarks
	Now         time.Time // "today"; entries span 2018-01-01 .. Now (default time.Now())
}

// Manifest counts what Generate wrote.
type Manifest struct {
	Units, Entries, Withdrawn, Drafts, Attachments, Datasets, DatasetRows int
}

// Default sizes: about what a city catalog holds after eight years.
const (
	DefaultSeed        = 1
	DefaultEntries     = 10500
	DefaultDatasetRows = 110000
)

// Generate writes units.jsonl, entries.jsonl, datasets.jsonl, files/…,
// data/….csv into dir (created if needed).
func Generate(ctx context.Context, dir string, opt Options) (Manifest, error) {
	var m Manifest
	if opt.Seed == 0 {
		opt.Seed = DefaultSeed
	}
	if opt.Entries == 0 {
		opt.Entries = DefaultEntries
	}
	if opt.DatasetRows == 0 {
		opt.DatasetRows = DefaultDatasetRows
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Entries < 0 || opt.DatasetRows < 0 {
		return m, errors.New("demo: negative size")
	}
	now := opt.Now.In(cst).Truncate(time.Second)
	if now.Before(catalogStart.AddDate(0, 0, 7)) {
		return m, fmt.Errorf("demo: Now (%s) must be after %s", now.Format(time.DateOnly), catalogStart.AddDate(0, 0, 7).Format(time.DateOnly))
	}
	for _, sub := range []string{"", "files", "data"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return m, err
		}
	}

	err := writeFile(filepath.Join(dir, "units.jsonl"), func(w *bufio.Writer) error {
		n, err := writeUnits(w)
		m.Units = n
		return err
	})
	if err != nil {
		return m, err
	}
	if err := ctx.Err(); err != nil {
		return m, err
	}

	plan := planEntries(opt.Seed, opt.Entries, now)
	err = writeFile(filepath.Join(dir, "entries.jsonl"), func(w *bufio.Writer) error {
		return writeEntries(ctx, w, dir, plan, opt, &m)
	})
	if err != nil {
		return m, err
	}

	err = writeFile(filepath.Join(dir, "datasets.jsonl"), func(w *bufio.Writer) error {
		return writeDatasets(ctx, w, dir, opt.Seed, opt.DatasetRows, now, &m)
	})
	return m, err
}

// writeFile creates path and hands a buffered writer to fill.
func writeFile(path string, fill func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newLineEncoder returns a JSON encoder writing one object per line. HTML
// escaping is off so bodies stay readable ("<p>" rather than "\u003cp\u003e").
func newLineEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
