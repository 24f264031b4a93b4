package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/catalog"
)

// DatasetSummary is a dataset with what a catalog listing shows beside its
// metadata: the providing unit's name and when its live rows were written.
type DatasetSummary struct {
	DatasetRecord
	UnitName string `json:"unit_name"`
	// DataUpdatedAt is when the live version was created: the last time
	// the rows changed (metadata edits move UpdatedAt only).
	DataUpdatedAt time.Time `json:"data_updated_at"`
}

// DatasetSummaries returns every published dataset with its unit's name and
// the creation time of its live version, ordered by id.
func (s *Store) DatasetSummaries(ctx context.Context) ([]DatasetSummary, error) {
	var rs []struct {
		datasetRecord
		UnitName      string `db:"unit_name"`
		DataUpdatedAt int64  `db:"data_updated_at"`
	}
	err := s.sel(ctx, &rs, `SELECT d.id, d.unit, d.title, d.description, d.domain, d.update_frequency, d.open_type, d.license,
 d.keywords, d.fields, d.published_at, d.current_version, d.row_count, d.created_at, d.updated_at,
 COALESCE(u.name, '') AS unit_name, COALESCE(v.created_at, d.updated_at) AS data_updated_at
FROM datasets d
LEFT JOIN units u ON u.code = d.unit
LEFT JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = d.current_version
WHERE d.current_version > 0 ORDER BY d.id`)
	if err != nil {
		return nil, fmt.Errorf("store: dataset summaries: %w", err)
	}
	out := make([]DatasetSummary, len(rs))
	for i, r := range rs {
		d, err := r.record()
		if err != nil {
			return nil, err
		}
		out[i] = DatasetSummary{DatasetRecord: d, UnitName: r.UnitName, DataUpdatedAt: FromMillis(r.DataUpdatedAt)}
	}
	return out, nil
}

// DatasetVersionInfo returns one version of a dataset whose rows are still
// kept (0: the live one); ErrNotFound when there is no such version or its
// rows were dropped. A reader that wants one consistent snapshot pins the
// number it gets here and passes it to every later read.
func (s *Store) DatasetVersionInfo(ctx context.Context, id string, version int) (DatasetVersion, error) {
	p, err := s.pinDatasetVersion(ctx, id, version)
	if err != nil {
		return DatasetVersion{}, err
	}
	return p.DatasetVersion, nil
}

// RowSort orders rows by one field, or by row number when Field is "".
type RowSort struct {
	Field string
	Desc  bool
}

// RowSelect selects rows of one dataset version: several accepted values
// per field, a text search, keyset or offset paging and an order.
type RowSelect struct {
	// Filters keeps rows whose field equals one of the values (OR within a
	// field, AND across fields), each read as the field's type; "" matches
	// empty cells. Numbers match as canonical text, so "1.50" matches "1.50" but not "1.5".
	Filters map[string][]string
	// Text keeps rows where any field but booleans contains it (exact,
	// case-sensitive substring of the canonical text).
	Text string
	// AfterRow starts after this row number (keyset paging in row order);
	// it cannot be combined with Sort.
	AfterRow int64
	// Sort orders the rows by these fields (empty cells last in either
	// direction), ties by row number; nil keeps row order.
	Sort []RowSort
	// Limit caps the rows returned (0: all); Offset skips matching rows.
	Limit  int
	Offset int
	// Fields selects and orders the fields returned (nil: all, in order).
	Fields []string
}

// selectPlan is a RowSelect rendered as SQL over a pinned version.
type selectPlan struct {
	p       pinnedVersion
	idx     []int    // positions of the returned fields
	conds   []string // WHERE conditions, filters and text search
	args    []any
	orderBy string // "" for row order
}

func (s *Store) planSelect(ctx context.Context, id string, version int, q RowSelect) (selectPlan, error) {
	p, err := s.pinDatasetVersion(ctx, id, version)
	if err != nil {
		return selectPlan{}, err
	}
	plan := selectPlan{p: p}
	var errs catalog.FieldErrors
	if q.Fields == nil {
		for i := range p.Fields {
			plan.idx = append(plan.idx, i)
		}
	} else {
		for _, name := range q.Fields {
			i := datasetFieldIndex(p.Fields, name)
			if i < 0 {
				errs.Add(name, "没有这个字段 (unknown field)")
				continue
			}
			plan.idx = append(plan.idx, i)
		}
	}
	names := make([]string, 0, len(q.Filters))
	for name := range q.Filters {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		i := datasetFieldIndex(p.Fields, name)
		if i < 0 {
			errs.Add(name, "没有这个字段 (unknown field)")
			continue
		}
		cond, args, err := s.fieldCondition(p.Fields[i], i, q.Filters[name])
		if err != nil {
			errs.Add(name, err.Error())
			continue
		}
		if cond != "" {
			plan.conds = append(plan.conds, cond)
			plan.args = append(plan.args, args...)
		}
	}
	if q.Text != "" {
		var ors []string
		for i, f := range p.Fields {
			if f.Type == catalog.TypeBoolean {
				continue
			}
			ors = append(ors, s.containsSQL("CAST("+rowColumn(i)+" AS TEXT)"))
			plan.args = append(plan.args, q.Text)
		}
		if len(ors) == 0 {
			plan.conds = append(plan.conds, "1 = 0")
		} else {
			plan.conds = append(plan.conds, "("+strings.Join(ors, " OR ")+")")
		}
	}
	if len(q.Sort) > 0 {
		if q.AfterRow > 0 {
			errs.Add("sort", "排序时不能同时按游标翻页 (sort cannot be combined with a cursor)")
		}
		var keys []string
		for _, k := range q.Sort {
			if k.Field == "" {
				key := "_row"
				if k.Desc {
					key += " DESC"
				}
				keys = append(keys, key)
				continue
			}
			i := datasetFieldIndex(p.Fields, k.Field)
			if i < 0 {
				errs.Add(k.Field, "没有这个字段 (unknown field)")
				continue
			}
			col := rowColumn(i)
			expr := col
			if p.Fields[i].Type == catalog.TypeNumber && s.dialect == SQLite {
				// Kept as exact text on SQLite; order by value, not by text.
				expr = "CAST(" + col + " AS REAL)"
			}
			dir := ""
			if k.Desc {
				dir = " DESC"
			}
			keys = append(keys, "("+col+" IS NULL)", expr+dir)
		}
		plan.orderBy = strings.Join(append(keys, "_row"), ", ")
	}
	return plan, errs.Err()
}

// fieldCondition renders "field is one of values" for the column of field
// i. Values are parsed as the field's type; "" stands for an empty cell.
func (s *Store) fieldCondition(f catalog.Field, i int, values []string) (string, []any, error) {
	col := rowColumn(i)
	if f.Type == catalog.TypeNumber && s.dialect == Postgres {
		col = "CAST(" + col + " AS TEXT)"
	}
	var ors []string
	var args []any
	var in []any
	for _, raw := range values {
		v, err := f.Parse(raw)
		if err != nil {
			return "", nil, fmt.Errorf("%s (got %q)", err.Error(), raw)
		}
		if v.Null {
			ors = append(ors, rowColumn(i)+" IS NULL")
			continue
		}
		in = append(in, v.Native())
	}
	switch len(in) {
	case 0:
	case 1:
		ors = append(ors, col+" = ?")
		args = append(args, in[0])
	default:
		ors = append(ors, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(in)), ",")+")")
		args = append(args, in...)
	}
	if len(ors) == 0 {
		return "", nil, nil
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

// containsSQL is a case-sensitive substring test that both databases
// evaluate the same way (LIKE differs in case handling between them).
func (s *Store) containsSQL(expr string) string {
	if s.dialect == Postgres {
		return "strpos(" + expr + ", ?) > 0"
	}
	return "instr(" + expr + ", ?) > 0"
}

func (pl selectPlan) where(afterRow bool) string {
	conds := pl.conds
	if afterRow {
		conds = append([]string{"_row > ?"}, conds...)
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// SelectDatasetRows streams the rows of a dataset version (0: the live
// one) that q selects to fn, with their row numbers. Rows are read in
// chunks (keyset paging in row order, offsets when sorted), so memory
// stays flat; each row is a fresh slice. Unknown fields and values that do
// not fit their field are FieldErrors, returned before any row.
func (s *Store) SelectDatasetRows(ctx context.Context, id string, version int, q RowSelect, fn func(n int64, row []catalog.Value) error) error {
	plan, err := s.planSelect(ctx, id, version, q)
	if err != nil {
		return err
	}
	query := plan.chunkQuery()
	pg := plan.pager(q)
	for pg.more() {
		want := pg.want(rowChunk)
		nums, rows, err := s.readChunk(ctx, query, pg.args(want), plan.p.Fields, plan.idx)
		if err != nil {
			return fmt.Errorf("store: rows of dataset %q version %d: %w", id, plan.p.Version, missingRowTable(err))
		}
		for k, row := range rows {
			if err := fn(nums[k], row); err != nil {
				return err
			}
		}
		if len(rows) < want {
			break
		}
		pg.advance(len(rows), nums[len(nums)-1])
	}
	return nil
}

// chunkQuery reads one chunk of the plan's rows: the row number and the
// returned fields, after a row number in row order (keyset paging), or at
// an offset when sorted.
func (pl selectPlan) chunkQuery() string {
	cols := make([]string, len(pl.idx)+1)
	cols[0] = "_row"
	for k, i := range pl.idx {
		cols[k+1] = rowColumn(i)
	}
	head := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + pl.p.table
	if pl.orderBy != "" {
		return head + pl.where(false) + ` ORDER BY ` + pl.orderBy + ` LIMIT ? OFFSET ?`
	}
	return head + pl.where(true) + ` ORDER BY _row LIMIT ? OFFSET ?`
}

// pager walks the chunks of a selection: where the next chunk starts and
// how many rows are still wanted.
type pager struct {
	pl                selectPlan
	after             int64
	offset, remaining int
	limited           bool
}

func (pl selectPlan) pager(q RowSelect) *pager {
	return &pager{pl: pl, after: q.AfterRow, offset: max(q.Offset, 0), remaining: q.Limit, limited: q.Limit > 0}
}

func (pg *pager) more() bool { return !pg.limited || pg.remaining > 0 }

// want is how many rows the next chunk asks for, at most size.
func (pg *pager) want(size int) int {
	if pg.limited {
		return min(size, pg.remaining)
	}
	return size
}

// args are the arguments of the plan's chunkQuery for the next chunk.
func (pg *pager) args(want int) []any {
	var args []any
	if pg.pl.orderBy == "" {
		args = append(args, pg.after)
	}
	return append(append(args, pg.pl.args...), want, pg.offset)
}

// advance moves past a chunk of n rows ending with row number last.
func (pg *pager) advance(n int, last int64) {
	pg.remaining -= n
	if pg.pl.orderBy != "" {
		pg.offset += n
	} else {
		pg.after, pg.offset = last, 0
	}
}

// CountSelectedDatasetRows counts the rows of a dataset version (0: the
// live one) that q's filters and text select; paging and order are
// ignored.
func (s *Store) CountSelectedDatasetRows(ctx context.Context, id string, version int, q RowSelect) (int64, error) {
	plan, err := s.planSelect(ctx, id, version, RowSelect{Filters: q.Filters, Text: q.Text, Fields: q.Fields})
	if err != nil {
		return 0, err
	}
	if len(plan.conds) == 0 {
		return plan.p.RowCount, nil
	}
	var n int64
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM `+plan.p.table+plan.where(false), plan.args...); err != nil {
		return 0, fmt.Errorf("store: count rows of dataset %q version %d: %w", id, plan.p.Version, missingRowTable(err))
	}
	return n, nil
}

// DatasetPageEnd looks ahead for keyset paging in row order: for a page of
// q.Limit rows (after q.AfterRow, skipping q.Offset), it returns the number
// of the page's last row and whether any selected row follows it. last is 0
// when the page would not be full. Callers use it to announce the next
// page before they stream this one.
func (s *Store) DatasetPageEnd(ctx context.Context, id string, version int, q RowSelect) (last int64, more bool, err error) {
	if q.Limit <= 0 {
		return 0, false, nil
	}
	plan, err := s.planSelect(ctx, id, version, RowSelect{Filters: q.Filters, Text: q.Text, Fields: q.Fields})
	if err != nil {
		return 0, false, err
	}
	args := append(append([]any{q.AfterRow}, plan.args...), max(q.Offset, 0)+q.Limit-1)
	var nums []int64
	if err := s.sel(ctx, &nums, `SELECT _row FROM `+plan.p.table+plan.where(true)+` ORDER BY _row LIMIT 2 OFFSET ?`, args...); err != nil {
		return 0, false, fmt.Errorf("store: page of dataset %q version %d: %w", id, plan.p.Version, missingRowTable(err))
	}
	switch len(nums) {
	case 0:
		return 0, false, nil
	case 1:
		return nums[0], false, nil
	default:
		return nums[0], true, nil
	}
}

// Chunks of SelectDatasetCells: at most cellChunkRows rows, and a chunk
// ends early once its cells hold cellChunkBytes, so that datasets with
// long cells do not make chunks large.
const (
	cellChunkRows  = 10000
	cellChunkBytes = 2 << 20
)

// CellChunk holds rows as the canonical text of their cells (what
// catalog.Value.Text holds: integers in decimal, numbers with their exact
// digits, booleans true/false), packed into one buffer so that reading a
// row allocates nothing. A chunk is reused: SelectDatasetCells refills
// the chunks its caller hands back.
type CellChunk struct {
	width int
	nums  []int64
	data  []byte
	ends  []int  // end of each cell in data, row after row
	null  []bool // empty cells
}

// Len is the number of rows in the chunk.
func (c *CellChunk) Len() int { return len(c.nums) }

// Num is the row number of row i.
func (c *CellChunk) Num(i int) int64 { return c.nums[i] }

// Row fills cells (grown to the chunk's width) with the cells of row i:
// slices of the chunk's buffer, valid until the chunk is refilled; nil for
// an empty cell. It returns cells.
func (c *CellChunk) Row(i int, cells [][]byte) [][]byte {
	cells = slices.Grow(cells[:0], c.width)[:c.width]
	k := i * c.width
	start := 0
	if k > 0 {
		start = c.ends[k-1]
	}
	for j := range cells {
		end := c.ends[k+j]
		if c.null[k+j] {
			cells[j] = nil
		} else {
			cells[j] = c.data[start:end:end]
		}
		start = end
	}
	return cells
}

func (c *CellChunk) reset(width int) {
	c.width = width
	c.nums = c.nums[:0]
	c.data = c.data[:0]
	c.ends = c.ends[:0]
	c.null = c.null[:0]
}

// add appends one cell as canonical text of a field of type typ.
func (c *CellChunk) add(typ string, v driver.Value) error {
	null := v == nil
	switch v := v.(type) {
	case nil:
	case string:
		c.data = append(c.data, v...)
	case []byte:
		c.data = append(c.data, v...)
	case int64:
		if typ == catalog.TypeBoolean {
			// SQLite keeps booleans as 0 and 1.
			c.data = strconv.AppendBool(c.data, v != 0)
		} else {
			c.data = strconv.AppendInt(c.data, v, 10)
		}
	case bool:
		c.data = strconv.AppendBool(c.data, v)
	default:
		return fmt.Errorf("unexpected %T value for a %s field", v, typ)
	}
	c.ends = append(c.ends, len(c.data))
	c.null = append(c.null, null)
	return nil
}

// SelectDatasetCells is SelectDatasetRows for bulk readers (downloads):
// rows come in chunks of canonical cell text, read straight from the
// database driver without a value per cell. Each chunk is filled by one
// query and handed to emit once the query is closed (no connection is
// held while emit runs); emit returns the chunk to fill next, which may be
// the one it got when it is done with it, or a new one. The first chunk
// filled is first (nil: a new one).
func (s *Store) SelectDatasetCells(ctx context.Context, id string, version int, q RowSelect, first *CellChunk, emit func(*CellChunk) (*CellChunk, error)) error {
	plan, err := s.planSelect(ctx, id, version, q)
	if err != nil {
		return err
	}
	types := make([]string, len(plan.idx))
	for k, i := range plan.idx {
		types[k] = plan.p.Fields[i].Type
	}
	query := s.r.Rebind(plan.chunkQuery())
	c := first
	if c == nil {
		c = new(CellChunk)
	}
	size := cellChunkRows
	pg := plan.pager(q)
	for pg.more() {
		want := pg.want(size)
		c.reset(len(types))
		cut, err := s.readCells(ctx, query, pg.args(want), types, c)
		if err != nil {
			return fmt.Errorf("store: rows of dataset %q version %d: %w", id, plan.p.Version, missingRowTable(err))
		}
		n := c.Len()
		if n == 0 {
			break
		}
		last := c.nums[n-1]
		if c, err = emit(c); err != nil {
			return err
		}
		if n < want && !cut {
			break
		}
		// A chunk cut short by its size makes the next queries ask for
		// about as many rows as fit, rather than read rows to drop them.
		if cut {
			size = n
		} else {
			size = min(cellChunkRows, size*2)
		}
		pg.advance(n, last)
	}
	return nil
}

// readCells runs one chunk query on a connection of the read pool through
// the driver itself (database/sql would convert every cell on its way) and
// appends its rows to c. cut reports that the chunk reached its size
// before the query's end.
func (s *Store) readCells(ctx context.Context, query string, args []any, types []string, c *CellChunk) (cut bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return false, err
		}
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("the %T driver cannot run queries directly", dc)
		}
		rows, err := qc.QueryContext(ctx, query, named)
		if err != nil {
			return err
		}
		dest := make([]driver.Value, len(types)+1)
		for {
			if err := rows.Next(dest); err != nil {
				rows.Close()
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			num, ok := dest[0].(int64)
			if !ok {
				rows.Close()
				return fmt.Errorf("unexpected %T row number", dest[0])
			}
			c.nums = append(c.nums, num)
			for k, typ := range types {
				if err := c.add(typ, dest[k+1]); err != nil {
					rows.Close()
					return err
				}
			}
			if len(c.data) >= cellChunkBytes {
				cut = true
				return rows.Close()
			}
		}
	})
	if err == nil {
		err = ctx.Err()
	}
	return cut, err
}
