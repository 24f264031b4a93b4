package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// RowError is one bad cell (or a row with the wrong number of cells) of a
// dataset's CSV.
type RowError struct {
	// ImportLine is the line of the import file that names the dataset.
	ImportLine int    `json:"import_line"`
	Dataset    string `json:"dataset"`
	// Row is the 1-based data record, the header not counted; Line the
	// physical line of the CSV file where the record starts (the header is
	// line 1), which differs from Row+1 after cells with line breaks.
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Type   string `json:"type,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	s := fmt.Sprintf("row %d (line %d)", e.Row, e.Line)
	if e.Field != "" {
		s += " " + e.Field
	}
	s += ": " + e.Reason
	if e.Field != "" {
		s += " (got " + quoteCell(e.Value) + ")"
	}
	return s
}

// maxListedRowErrors bounds the bad cells listed per dataset; the rest are
// only counted.
const maxListedRowErrors = 100

// Datasets imports a datasets file: each line is one dataset's metadata and
// the path of its CSV, relative to the file.
//
// A dataset is checked in full before anything is written: its CSV is read
// once to check every cell against its field's type and to fingerprint the
// rows. If any row is bad, the line is rejected with the bad rows listed
// (row, CSV line, field, reason) and nothing of that dataset changes: the
// previous version stays live. Unchanged content is left alone without
// writing. Otherwise the CSV is read a second time, streaming into a new
// version that replaces the old one atomically. Neither pass holds more than
// one row (and one insert batch) in memory. With Strict, any bad line means
// nothing is imported.
func (im *Importer) Datasets(ctx context.Context, path string, opt Options) (*Report, error) {
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
	return im.datasets(ctx, f, base, opt, start)
}

// datasetLine is a dataset that passed its checks, waiting to be written.
type datasetLine struct {
	n        int
	meta     catalog.Dataset
	csv      csvFile
	rows     int64
	rowsHash string
}

// csvFile is a dataset's CSV file: how to open it, its name as the line
// or the caller gives it, and the most bytes it may hold.
type csvFile struct {
	open  func() (io.ReadCloser, error)
	name  string
	limit int64
}

// importCSV is the CSV an import line names, inside the import's folder.
func (im *Importer) importCSV(base *folder, name string) csvFile {
	return csvFile{name: name, limit: im.MaxDatasetCSV, open: func() (io.ReadCloser, error) {
		f, size, err := base.open(name)
		if err != nil {
			return nil, fmt.Errorf("CSV 文件：%w", err)
		}
		if size > im.MaxDatasetCSV {
			f.Close()
			return nil, fmt.Errorf("CSV 文件：%w", &errTooBig{name: name, limit: im.MaxDatasetCSV})
		}
		return f, nil
	}}
}

// pathCSV is a CSV file the caller has put at path (a publish from the
// console), named name in messages.
func (im *Importer) pathCSV(path, name string) csvFile {
	return csvFile{name: name, limit: im.MaxDatasetCSV, open: func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("CSV 文件 %q 无法打开 (cannot open: %v)", name, unwrapPath(err))
		}
		st, err := f.Stat()
		if err == nil && !st.Mode().IsRegular() {
			err = errors.New(fileKind(st.Mode()))
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("CSV 文件 %q 无法读取 (%v)", name, unwrapPath(err))
		}
		return f, nil
	}}
}

func (im *Importer) datasets(ctx context.Context, r io.Reader, base *folder, opt Options, start time.Time) (*Report, error) {
	rep := &Report{Strict: opt.Strict}
	units, err := im.st.Units(ctx)
	if err != nil {
		return rep, err
	}
	known := make(map[string]bool, len(units))
	for _, u := range units {
		known[u.Code] = true
	}
	firstLine := map[string]int{}
	var todo []datasetLine
	err = readLines(r, func(l line) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Lines++
		if opt.Progress != nil {
			defer func() { opt.Progress(rep.Lines, time.Since(start)) }()
		}
		var in catalog.DatasetInput
		if err := decodeLine(l.data, &in); err != nil {
			rep.reject(l.n, "", err)
			return nil
		}
		meta, err := in.ToDataset()
		fe, _ := catalog.AsFieldErrors(err)
		if catalog.ValidUnitCode(meta.Unit) && !known[meta.Unit] {
			fe.Add("unit", fmt.Sprintf("单位 %q 不存在，请先导入单位 (unknown unit)", meta.Unit))
		}
		if len(fe) > 0 {
			rep.reject(l.n, meta.ID, fe)
			return nil
		}
		if first, dup := firstLine[meta.ID]; dup {
			rep.reject(l.n, meta.ID, fmt.Errorf("id %q 与第 %d 行重复 (duplicate id in this file)", meta.ID, first))
			return nil
		}
		firstLine[meta.ID] = l.n
		file := im.importCSV(base, in.CSV)
		check, err := checkDatasetCSV(ctx, file, meta.Fields)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rep.reject(l.n, meta.ID, catalog.FieldErrors{{Field: "csv", Reason: err.Error()}})
			return nil
		}
		if check.badRows > 0 {
			for i := range check.errs {
				check.errs[i].ImportLine, check.errs[i].Dataset = l.n, meta.ID
			}
			rep.mu.Lock()
			rep.BadRows = append(rep.BadRows, check.errs...)
			rep.RowsRejected += check.badRows
			rep.mu.Unlock()
			rep.reject(l.n, meta.ID, check.rejection())
			return nil
		}
		todo = append(todo, datasetLine{n: l.n, meta: meta, csv: file, rows: check.rows, rowsHash: check.rowsHash})
		return nil
	})
	if err != nil {
		rep.Elapsed = time.Since(start)
		return rep, err
	}
	if opt.Strict && rep.Rejected > 0 {
		rep.sortErrors()
		rep.Elapsed = time.Since(start)
		return rep, nil
	}

	// Leave unchanged datasets alone without writing their rows again.
	var writes []datasetLine
	rowsChanged := map[string]bool{}
	for _, d := range todo {
		metaHash, rowsHash, err := im.st.DatasetFingerprint(ctx, d.meta.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rowsChanged[d.meta.ID] = true
		case err != nil:
			return rep, err
		case metaHash == store.MetaHash(d.meta) && rowsHash == d.rowsHash:
			rep.count(store.Unchanged)
			continue
		default:
			rowsChanged[d.meta.ID] = rowsHash != d.rowsHash
		}
		writes = append(writes, d)
	}
	imported := func(d datasetLine, res store.WriteResult) {
		if res != store.Unchanged && rowsChanged[d.meta.ID] {
			rep.RowsImported += int(d.rows)
		}
	}
	save := func(t *store.Tx, d datasetLine) (store.WriteResult, error) {
		src, err := openDatasetCSV(d.csv, d.meta.Fields)
		if err != nil {
			return 0, err
		}
		defer src.Close()
		res, _, err := t.SaveDatasetVersion(ctx, d.meta, src)
		return res, err
	}

	if opt.Strict {
		var results []store.WriteResult
		err = im.st.WithTx(ctx, func(t *store.Tx) error {
			for _, d := range writes {
				res, err := save(t, d)
				if err != nil {
					rep.reject(d.n, d.meta.ID, err)
					return errStrictAbort
				}
				results = append(results, res)
			}
			return nil
		})
		switch {
		case errors.Is(err, errStrictAbort):
			rep.Added, rep.Updated, rep.Unchanged = 0, 0, 0
			err = nil
		case err == nil:
			for i, res := range results {
				rep.count(res)
				imported(writes[i], res)
			}
		}
	} else {
		for _, d := range writes {
			if err = ctx.Err(); err != nil {
				break
			}
			var res store.WriteResult
			werr := im.st.WithTx(ctx, func(t *store.Tx) error {
				var err error
				res, err = save(t, d)
				return err
			})
			if werr != nil {
				if ctx.Err() != nil {
					err = ctx.Err()
					break
				}
				rep.reject(d.n, d.meta.ID, werr)
				continue
			}
			rep.count(res)
			imported(d, res)
		}
	}
	rep.sortErrors()
	rep.Elapsed = time.Since(start)
	return rep, err
}

// csvCheck is what the checking pass found in a dataset's CSV.
type csvCheck struct {
	rows     int64
	rowsHash string
	badRows  int
	problems int        // bad cells (or cell counts)
	errs     []RowError // the first maxListedRowErrors of them
}

// rejection words the reason a dataset with bad rows is not imported.
func (c csvCheck) rejection() error {
	var b strings.Builder
	fmt.Fprintf(&b, "CSV 中有 %d 行数据不符合字段类型，未导入新版本，原有版本保持不变 (%d bad rows; nothing imported, the previous version stays live): ",
		c.badRows, c.badRows)
	for i, e := range c.errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.String())
	}
	if more := c.problems - len(c.errs); more > 0 {
		fmt.Fprintf(&b, "; … 另有 %d 处问题未列出 (and %d more)", more, more)
	}
	return errors.New(b.String())
}

// checkDatasetCSV reads a dataset's CSV once: every cell is checked against
// its field, and the good rows are fingerprinted.
func checkDatasetCSV(ctx context.Context, file csvFile, fields []catalog.Field) (csvCheck, error) {
	var c csvCheck
	src, err := openDatasetCSV(file, fields)
	if err != nil {
		return c, err
	}
	defer src.Close()
	hasher := store.NewRowHasher(fields)
	for {
		if src.row%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return c, err
			}
		}
		row, bad, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return c, err
		}
		c.rows++
		if len(bad) > 0 {
			c.badRows++
			c.problems += len(bad)
			for _, e := range bad {
				if len(c.errs) < maxListedRowErrors {
					c.errs = append(c.errs, e)
				}
			}
			continue
		}
		hasher.Add(row)
	}
	c.rowsHash = hasher.Sum()
	return c, nil
}

// datasetCSV reads a dataset's rows from its CSV file, mapping the header's
// columns to the fields (in any order) and checking every cell. It is a
// store.RowSource that fails on the first bad row.
type datasetCSV struct {
	f      io.ReadCloser
	name   string
	r      *csvReader
	fields []catalog.Field
	pos    []int // pos[k]: the field of CSV column k
	row    int   // data records read
}

func openDatasetCSV(file csvFile, fields []catalog.Field) (*datasetCSV, error) {
	f, err := file.open()
	if err != nil {
		return nil, err
	}
	name := file.name
	d := &datasetCSV{f: f, name: name, r: newCSVReader(newBoundedReader(f, name, file.limit)), fields: fields}
	header, _, err := d.r.read()
	if errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("CSV 文件 %q 是空的，缺少表头 (empty file: no header row)", name)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("CSV 文件 %q：%w", name, err)
	}
	if err := d.mapHeader(header); err != nil {
		f.Close()
		return nil, fmt.Errorf("CSV 文件 %q 的表头与字段定义不符 (header does not match the fields): %w", name, err)
	}
	return d, nil
}

// mapHeader matches the header's names to the field names: every field
// exactly once, nothing else.
func (d *datasetCSV) mapHeader(header []string) error {
	index := make(map[string]int, len(d.fields))
	for i, f := range d.fields {
		index[f.Name] = i
	}
	d.pos = make([]int, len(header))
	seen := make(map[string]bool, len(header))
	var problems []string
	for k, h := range header {
		h = strings.TrimSpace(h)
		i, ok := index[h]
		switch {
		case seen[h]:
			problems = append(problems, fmt.Sprintf("列名 %s 重复 (duplicate header name)", quoteCell(h)))
		case !ok:
			problems = append(problems, fmt.Sprintf("列名 %s 不是已定义的字段 (header name not among the fields)", quoteCell(h)))
		}
		seen[h] = true
		d.pos[k] = i
	}
	for _, f := range d.fields {
		if !seen[f.Name] {
			problems = append(problems, fmt.Sprintf("缺少字段 %s 的列 (field missing from the header)", f.Name))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// next returns the next row in field order, or the problems of its cells,
// or io.EOF after the last row; other errors mean the file cannot be read
// on.
func (d *datasetCSV) next() ([]catalog.Value, []RowError, error) {
	rec, line, err := d.r.read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			err = fmt.Errorf("CSV 文件 %q：%w", d.name, err)
		}
		return nil, nil, err
	}
	d.row++
	if len(rec) != len(d.pos) {
		return nil, []RowError{{Row: d.row, Line: line,
			Reason: fmt.Sprintf("列数不符：有 %d 列，表头有 %d 列 (has %d cells, the header has %d)", len(rec), len(d.pos), len(rec), len(d.pos))}}, nil
	}
	row := make([]catalog.Value, len(d.fields))
	var bad []RowError
	for k, raw := range rec {
		f := d.fields[d.pos[k]]
		v, err := f.Parse(raw)
		if err != nil {
			bad = append(bad, RowError{Row: d.row, Line: line, Field: f.Name, Type: f.Type, Value: clipCell(raw), Reason: err.Error()})
			continue
		}
		row[d.pos[k]] = v
	}
	return row, bad, nil
}

// Next is the store.RowSource side: a bad row is an error here, as the
// file was checked before and has changed since.
func (d *datasetCSV) Next() ([]catalog.Value, error) {
	row, bad, err := d.next()
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("CSV 文件 %q 在检查后被修改 (changed since it was checked): %s", d.name, bad[0])
	}
	return row, nil
}

func (d *datasetCSV) Close() error { return d.f.Close() }

// clipCell shortens a bad cell for the report.
func clipCell(s string) string {
	if len(s) > 500 && utf8.RuneCountInString(s) > 200 {
		return string([]rune(s)[:200]) + "…"
	}
	return s
}

func quoteCell(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// maxCSVRecord bounds one CSV record, so a broken quote cannot make a
// whole file one record in memory.
const maxCSVRecord = 64 << 20

// csvSyntaxError is a CSV file that cannot be read on.
type csvSyntaxError struct {
	line int
	msg  string
}

func (e *csvSyntaxError) Error() string {
	return fmt.Sprintf("第 %d 行 CSV 格式错误 (CSV syntax error at line %d: %s)", e.line, e.line, e.msg)
}

// csvReader reads RFC 4180 records and keeps every byte of a cell as
// written, line breaks included. encoding/csv is not used because it turns
// "\r\n" inside a quoted cell into "\n", and strings must come out byte for
// byte as they went in. Records end with "\n" or "\r\n"; a UTF-8 BOM at the
// start is skipped; blank lines between records are skipped; a quote inside
// an unquoted cell is kept as a character.
type csvReader struct {
	r     *bufio.Reader
	line  int    // physical lines read so far
	buf   []byte // the current physical line
	field []byte
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// readLine reads one physical line with its line end (none on the last
// line of a file without a final line break).
func (c *csvReader) readLine() ([]byte, error) {
	c.buf = c.buf[:0]
	for {
		chunk, err := c.r.ReadSlice('\n')
		c.buf = append(c.buf, chunk...)
		if len(c.buf) > maxCSVRecord {
			return nil, &csvSyntaxError{c.line + 1, "line longer than 64 MB"}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(c.buf) > 0 {
			break
		}
		if err != nil {
			return nil, err
		}
		break
	}
	c.line++
	if c.line == 1 {
		c.buf = bytes.TrimPrefix(c.buf, []byte("\xef\xbb\xbf"))
	}
	return c.buf, nil
}

func isLineEnd(b []byte) bool {
	return len(b) == 0 || string(b) == "\n" || string(b) == "\r\n"
}

func trimLineEnd(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// read returns the next record and the physical line where it starts, or
// io.EOF.
func (c *csvReader) read() ([]string, int, error) {
	var line []byte
	var err error
	for {
		if line, err = c.readLine(); err != nil {
			return nil, 0, err
		}
		if len(line) > 0 && !isLineEnd(line) {
			break
		}
	}
	start := c.line
	var rec []string
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			pos++
			c.field = c.field[:0]
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					// The cell goes on over the line break, which it keeps.
					c.field = append(c.field, line[pos:]...)
					if len(c.field) > maxCSVRecord {
						return nil, start, &csvSyntaxError{start, "record longer than 64 MB"}
					}
					if line, err = c.readLine(); err != nil {
						if errors.Is(err, io.EOF) {
							return nil, start, &csvSyntaxError{start, "a quoted cell is never closed"}
						}
						return nil, start, err
					}
					pos = 0
					continue
				}
				c.field = append(c.field, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					c.field = append(c.field, '"')
					pos++
					continue
				}
				break
			}
			rec = append(rec, string(c.field))
			switch rest := line[pos:]; {
			case len(rest) > 0 && rest[0] == ',':
				pos++
				continue
			case isLineEnd(rest):
				return rec, start, nil
			default:
				return nil, start, &csvSyntaxError{c.line, `unexpected text after a closing quote (a " inside a quoted cell must be doubled)`}
			}
		}
		if i := bytes.IndexByte(line[pos:], ','); i >= 0 {
			rec = append(rec, string(line[pos:pos+i]))
			pos += i + 1
			continue
		}
		rec = append(rec, string(trimLineEnd(line[pos:])))
		return rec, start, nil
	}
}
