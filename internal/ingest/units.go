package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/sanitize"
	"gongkai/internal/store"
)

// Importer imports files into one store.
type Importer struct {
	st     *store.Store
	files  *files.Store
	policy *sanitize.Policy
	// MaxAttachment and MaxDatasetCSV bound the files a line names (bytes);
	// New sets them to the package's MaxAttachment and MaxDatasetCSV.
	MaxAttachment int64
	MaxDatasetCSV int64
}

// New returns an importer writing to st, with attachments going to fs.
func New(st *store.Store, fs *files.Store) *Importer {
	return &Importer{st: st, files: fs, policy: sanitize.New(), MaxAttachment: MaxAttachment, MaxDatasetCSV: MaxDatasetCSV}
}

// errStrictAbort rolls back a strict import that found a bad line.
var errStrictAbort = errors.New("strict import: bad lines")

type unitLine struct {
	n int
	u catalog.Unit
}

// Units imports a units file. Units may name a parent that comes later in
// the file; they are stored once their parent is.
func (im *Importer) Units(ctx context.Context, path string, opt Options) (*Report, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return im.units(ctx, f, opt, start)
}

func (im *Importer) units(ctx context.Context, r io.Reader, opt Options, start time.Time) (*Report, error) {
	rep := &Report{Strict: opt.Strict}
	var good []unitLine
	codes := map[string]int{}
	err := readLines(r, func(l line) error {
		rep.Lines++
		var u catalog.Unit
		if err := decodeLine(l.data, &u); err != nil {
			rep.reject(l.n, "", err)
			return nil
		}
		u.Code, u.Name, u.Parent = strings.TrimSpace(u.Code), strings.TrimSpace(u.Name), strings.TrimSpace(u.Parent)
		if err := u.Validate(); err != nil {
			rep.reject(l.n, u.Code, err)
			return nil
		}
		if first, dup := codes[u.Code]; dup {
			rep.reject(l.n, u.Code, fmt.Errorf("单位代码 %q 与第 %d 行重复 (duplicate code)", u.Code, first))
			return nil
		}
		codes[u.Code] = l.n
		good = append(good, unitLine{l.n, u})
		return nil
	})
	if err != nil {
		return rep, err
	}
	if opt.Strict && rep.Rejected > 0 {
		rep.Elapsed = time.Since(start)
		return rep, nil
	}
	// Parents first: order the lines so that a unit follows its parent.
	ordered := orderByParent(good)
	save := func(t *store.Tx, ul unitLine) (store.WriteResult, error) { return t.SaveUnit(ctx, ul.u) }
	if opt.Strict {
		err = im.st.WithTx(ctx, func(t *store.Tx) error {
			for _, ul := range ordered {
				res, err := save(t, ul)
				if err != nil {
					rep.reject(ul.n, ul.u.Code, err)
					continue
				}
				rep.count(res)
			}
			if rep.Rejected > 0 {
				rep.Added, rep.Updated, rep.Unchanged = 0, 0, 0
				return errStrictAbort
			}
			return nil
		})
	} else {
		for _, ul := range ordered {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			var res store.WriteResult
			err := im.st.WithTx(ctx, func(t *store.Tx) error {
				var err error
				res, err = save(t, ul)
				return err
			})
			if err != nil {
				rep.reject(ul.n, ul.u.Code, err)
				continue
			}
			rep.count(res)
		}
		err = nil
	}
	if errors.Is(err, errStrictAbort) {
		err = nil
	}
	rep.sortErrors()
	rep.Elapsed = time.Since(start)
	return rep, err
}

// orderByParent returns the lines so that each unit whose parent is in the
// file comes after that parent; cycles keep file order and fail on save.
func orderByParent(lines []unitLine) []unitLine {
	inFile := map[string]bool{}
	for _, l := range lines {
		inFile[l.u.Code] = true
	}
	done := map[string]bool{}
	out := make([]unitLine, 0, len(lines))
	pending := lines
	for len(pending) > 0 {
		var next []unitLine
		for _, l := range pending {
			if l.u.Parent == "" || !inFile[l.u.Parent] || done[l.u.Parent] {
				out = append(out, l)
				done[l.u.Code] = true
			} else {
				next = append(next, l)
			}
		}
		if len(next) == len(pending) {
			return append(out, next...)
		}
		pending = next
	}
	return out
}

func (r *Report) count(res store.WriteResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch res {
	case store.Added:
		r.Added++
	case store.Updated:
		r.Updated++
	default:
		r.Unchanged++
	}
}

// Catalog imports the units and then the entries of a directory laid out
// as the demo generator writes it (units.jsonl, entries.jsonl, files/…).
// A bad line is an error, naming the file and the report.
func (im *Importer) Catalog(ctx context.Context, dir string) error {
	rep, err := im.Units(ctx, filepath.Join(dir, "units.jsonl"), Options{})
	if err == nil && !rep.OK() {
		err = fmt.Errorf("ingest: units.jsonl: %v", rep)
	}
	if err != nil {
		return err
	}
	if rep, err = im.Entries(ctx, filepath.Join(dir, "entries.jsonl"), Options{}); err == nil && !rep.OK() {
		err = fmt.Errorf("ingest: entries.jsonl: %v", rep)
	}
	return err
}
