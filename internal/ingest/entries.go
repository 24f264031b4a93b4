package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// batchSize is how many entries go to the store in one statement group and
// transaction: large enough for multi-row inserts to pay, small enough that
// one bad batch is cheap to retry line by line.
const batchSize = 500

// chunkSize is how many lines one worker prepares at a time.
const chunkSize = 128

type prepared struct {
	n   int
	id  string
	w   store.EntryWrite
	err error
}

type chunk struct {
	seq   int
	lines []line
	out   []prepared
}

// Entries imports an entries file. Lines are prepared (parsed, validated,
// sanitised, attachments stored) in parallel and written in file order in
// batches.
func (im *Importer) Entries(ctx context.Context, path string, opt Options) (*Report, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	base, err := openFolder(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer base.Close()
	return im.entries(ctx, f, base, opt, start)
}

func (im *Importer) entries(ctx context.Context, r io.Reader, base *folder, opt Options, start time.Time) (*Report, error) {
	rep := &Report{Strict: opt.Strict}
	trees, err := im.loadTrees(ctx)
	if err != nil {
		return rep, err
	}
	actor := opt.Actor
	if actor == "" {
		actor = "import"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Stage 1: read lines into chunks.
	chunks := make(chan *chunk, 4)
	var readErr error
	go func() {
		defer close(chunks)
		c := &chunk{}
		readErr = readLines(r, func(l line) error {
			c.lines = append(c.lines, l)
			if len(c.lines) == chunkSize {
				select {
				case chunks <- c:
				case <-ctx.Done():
					return ctx.Err()
				}
				c = &chunk{seq: c.seq + 1}
			}
			return nil
		})
		if len(c.lines) > 0 {
			select {
			case chunks <- c:
			case <-ctx.Done():
			}
		}
	}()

	// Stage 2: prepare chunks in parallel.
	done := make(chan *chunk, 8)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				c.out = make([]prepared, len(c.lines))
				for i, l := range c.lines {
					c.out[i] = im.prepare(l, base, trees, actor)
				}
				select {
				case done <- c:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	// Stage 3: write in file order.
	write := func(save func([]prepared) error) error {
		pending := map[int]*chunk{}
		next := 0
		firstLine := map[string]int{}
		var batch []prepared
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			err := save(batch)
			batch = batch[:0]
			return err
		}
		for c := range done {
			pending[c.seq] = c
			for {
				c, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				for _, p := range c.out {
					rep.Lines++
					if p.err != nil {
						rep.reject(p.n, p.id, p.err)
						continue
					}
					if first, dup := firstLine[p.id]; dup {
						rep.reject(p.n, p.id, fmt.Errorf("id %q 与第 %d 行重复 (duplicate id in this file)", p.id, first))
						continue
					}
					firstLine[p.id] = p.n
					batch = append(batch, p)
					if len(batch) == batchSize {
						if err := flush(); err != nil {
							return err
						}
					}
				}
				if opt.Progress != nil {
					opt.Progress(rep.Lines, time.Since(start))
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if readErr != nil {
			return readErr
		}
		return ctx.Err()
	}

	if opt.Strict {
		err = im.st.WithTx(ctx, func(t *store.Tx) error {
			err := write(func(b []prepared) error {
				res, err := t.SaveEntries(ctx, writes(b))
				if err != nil {
					// One failed statement spoils a PostgreSQL transaction,
					// so a strict import names the batch and stops.
					rep.reject(b[0].n, b[0].id, fmt.Errorf("lines %d–%d could not be stored: %w", b[0].n, b[len(b)-1].n, err))
					return errStrictAbort
				}
				rep.countAll(res)
				return nil
			})
			if err == nil && rep.Rejected > 0 {
				err = errStrictAbort
			}
			return err
		})
		if errors.Is(err, errStrictAbort) {
			rep.Added, rep.Updated, rep.Unchanged = 0, 0, 0
			err = nil
		}
	} else {
		err = write(func(b []prepared) error {
			res, err := im.st.SaveEntries(ctx, writes(b))
			if err == nil {
				rep.countAll(res)
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// Find the culprit: retry the batch line by line.
			for _, p := range b {
				res, err := im.st.SaveEntries(ctx, writes([]prepared{p}))
				if err != nil {
					rep.reject(p.n, p.id, storeReason(err))
					continue
				}
				rep.countAll(res)
			}
			return nil
		})
	}
	cancel()
	for range done { // let the workers finish after an early stop
	}
	rep.sortErrors()
	rep.Elapsed = time.Since(start)
	return rep, err
}

func writes(b []prepared) []store.EntryWrite {
	ws := make([]store.EntryWrite, len(b))
	for i, p := range b {
		ws[i] = p.w
	}
	return ws
}

func (r *Report) countAll(res []store.WriteResult) {
	for _, x := range res {
		r.count(x)
	}
}

// storeReason words a store failure for the line's report.
func storeReason(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("索引号已被其他信息使用 (index_no already in use): %w", err)
	}
	return err
}

func (im *Importer) loadTrees(ctx context.Context) (map[string]catalog.Tree, error) {
	units, err := im.st.Units(ctx)
	if err != nil {
		return nil, err
	}
	trees := make(map[string]catalog.Tree, len(units))
	for _, u := range units {
		t, err := im.st.Tree(ctx, u.Code)
		if err != nil {
			return nil, err
		}
		trees[u.Code] = t
	}
	return trees, nil
}

// prepare turns one line into a write, or says why it cannot be imported.
func (im *Importer) prepare(l line, base *folder, trees map[string]catalog.Tree, actor string) prepared {
	p := prepared{n: l.n}
	var in catalog.EntryInput
	if err := decodeLine(l.data, &in); err != nil {
		p.err = err
		return p
	}
	p.id = strings.TrimSpace(in.ID)
	e, err := in.ToEntry()
	fe, _ := catalog.AsFieldErrors(err)
	if e.Unit != "" {
		if tree, ok := trees[e.Unit]; !ok {
			fe.Add("unit", fmt.Sprintf("单位 %q 不存在，请先导入单位 (unknown unit)", e.Unit))
		} else if e.Column != "" {
			if err := tree.CheckPlacement(e.Column); err != nil {
				fe.Add("column", err.Error())
			}
		}
	}
	if len(fe) > 0 {
		p.err = fe
		return p
	}
	if e.BodyHTML != "" {
		e.BodyHTML = im.policy.HTML(e.BodyHTML)
		if e.BodyText == "" && strings.TrimSpace(im.policy.Text(e.BodyHTML)) == "" && !strings.Contains(e.BodyHTML, "<img") {
			p.err = catalog.FieldErrors{{Field: "body_html", Reason: "正文清理后为空 (the body is empty once unsafe HTML is removed)"}}
			return p
		}
	}
	e.Attachments = make([]catalog.Attachment, 0, len(in.Attachments))
	for i, a := range in.Attachments {
		att, err := im.storeAttachment(base, a)
		if err != nil {
			p.err = catalog.FieldErrors{{Field: fmt.Sprintf("attachments[%d]", i), Reason: err.Error()}}
			return p
		}
		e.Attachments = append(e.Attachments, att)
	}
	sum := sha256.New()
	if err := json.NewEncoder(sum).Encode(e); err != nil {
		p.err = err
		return p
	}
	p.w = store.EntryWrite{Entry: e, Hash: hex.EncodeToString(sum.Sum(nil)), Actor: actor, Reason: "import"}
	return p
}

// storeAttachment checks a named file by its content and copies it into
// the file store. The file must lie in the import's folder and be a
// regular file; the copy stops at the size bound, however the file grows
// after it was looked at.
func (im *Importer) storeAttachment(base *folder, a catalog.AttachmentRef) (catalog.Attachment, error) {
	f, size, err := base.open(a.File)
	if err != nil {
		return catalog.Attachment{}, fmt.Errorf("附件：%w", err)
	}
	defer f.Close()
	limit := im.MaxAttachment
	if size > limit {
		return catalog.Attachment{}, fmt.Errorf("附件：%w", &errTooBig{name: a.File, limit: limit})
	}
	r := newBoundedReader(f, a.File, limit)
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return catalog.Attachment{}, fmt.Errorf("附件 %q 无法读取 (cannot read: %v)", a.File, unwrapPath(err))
	}
	head = head[:n]
	mt, err := files.Sniff(a.File, head)
	if err != nil {
		return catalog.Attachment{}, fmt.Errorf("附件 %q：%v", a.File, err)
	}
	sum, stored, err := im.files.Put(io.MultiReader(bytes.NewReader(head), r))
	if err != nil {
		var big *errTooBig
		if errors.As(err, &big) {
			return catalog.Attachment{}, fmt.Errorf("附件：%w", big)
		}
		return catalog.Attachment{}, err
	}
	name := strings.TrimSpace(a.Name)
	if name == "" {
		name = path.Base(filepath.ToSlash(a.File))
	}
	return catalog.Attachment{Name: name, SHA256: sum, Size: stored, MediaType: mt}, nil
}
