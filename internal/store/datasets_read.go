package store

import (
	"context"
	"fmt"
	"slices"
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

// RowSelect selects rows of one dataset version, for readers that need
// more than RowQuery: several accepted values per field, a text search and
// an order other than row order.
type RowSelect struct {
	// Filters keeps rows whose field equals one of the values (OR within a
	// field, AND across fields), each read as the field's type; "" matches
	// empty cells. Numbers match as canonical text, as in RowQuery.
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
	cols := make([]string, len(plan.idx)+1)
	cols[0] = "_row"
	for k, i := range plan.idx {
		cols[k+1] = rowColumn(i)
	}
	head := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + plan.p.table
	sorted := plan.orderBy != ""
	var query string
	if sorted {
		query = head + plan.where(false) + ` ORDER BY ` + plan.orderBy + ` LIMIT ? OFFSET ?`
	} else {
		query = head + plan.where(true) + ` ORDER BY _row LIMIT ? OFFSET ?`
	}
	after, offset, remaining := q.AfterRow, max(q.Offset, 0), q.Limit
	for q.Limit <= 0 || remaining > 0 {
		want := rowChunk
		if q.Limit > 0 {
			want = min(want, remaining)
		}
		var args []any
		if !sorted {
			args = append(args, after)
		}
		args = append(append(args, plan.args...), want, offset)
		nums, rows, err := s.readChunk(ctx, query, args, plan.p.Fields, plan.idx)
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
		remaining -= len(rows)
		if sorted {
			offset += len(rows)
		} else {
			after, offset = nums[len(nums)-1], 0
		}
	}
	return nil
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
