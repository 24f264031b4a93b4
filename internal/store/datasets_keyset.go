package store

import (
	"context"
	"fmt"
	"strings"

	"gongkai/internal/catalog"
)

// MaxSortedDepth is how deep a page sorted by a field may reach (offset
// plus limit). Row tables are indexed by row number only, so such a page
// is one scan that keeps the best offset+limit rows; the cap bounds that
// work. Pages in row order have no such limit: they seek by row number.
const MaxSortedDepth = 100_000

// RowPage selects one page of a dataset version's rows for an API that
// pages by row number (keyset) in row order, or by offset when sorted by
// fields. Unlike RowSelect it bounds row numbers on both sides, walks
// them downwards too, and reads a sorted page with one sort.
type RowPage struct {
	// Filters and Text select rows as in RowSelect.
	Filters map[string][]string
	Text    string
	// Fields selects and orders the fields returned (nil: all).
	Fields []string
	// Rows keeps only these row numbers (nil: any; empty: none).
	Rows []int64
	// After and Before bound the row numbers, both exclusive (0: no
	// bound).
	After, Before int64
	// Desc walks row order downwards (from the highest row number).
	Desc bool
	// Sort orders the rows by fields, empty cells last, ties by row
	// number; nil (or the row number alone) is row order.
	Sort []RowSort
	// Offset skips matching rows; Limit caps the rows (0: all, in row
	// order only). Sorted, Offset+Limit is at most MaxSortedDepth.
	Offset, Limit int
}

// Sorted reports whether the page is sorted by a field (offset paging
// under MaxSortedDepth) rather than in row order (keyset paging).
func (q RowPage) Sorted() bool {
	return len(q.Sort) > 1 || len(q.Sort) == 1 && q.Sort[0].Field != ""
}

// pagePlan is a RowPage rendered over a pinned version.
type pagePlan struct {
	selectPlan
	rows          []int64 // nil: any row number
	after, before int64
	offset        int
	desc, none    bool // none: the bounds exclude every row
}

func (s *Store) planPage(ctx context.Context, id string, version int, q RowPage) (pagePlan, error) {
	if !q.Sorted() && len(q.Sort) == 1 {
		q.Desc, q.Sort = q.Sort[0].Desc, nil
	}
	var errs catalog.FieldErrors
	if q.After < 0 || q.Before < 0 || q.Offset < 0 || q.Limit < 0 {
		errs.Add("offset", "行号、偏移和条数不能为负 (row numbers, offset and limit must not be negative)")
	}
	if q.Sorted() && (q.Limit == 0 || q.Offset+q.Limit > MaxSortedDepth) {
		errs.Add("sort", fmt.Sprintf("按字段排序时 offset+limit 不能超过 %d (a sorted page reaches at most %d rows deep)", MaxSortedDepth, MaxSortedDepth))
	}
	if err := errs.Err(); err != nil {
		return pagePlan{}, err
	}
	sp, err := s.planSelect(ctx, id, version, RowSelect{Filters: q.Filters, Text: q.Text, Fields: q.Fields, Sort: q.Sort})
	if err != nil {
		return pagePlan{}, err
	}
	pp := pagePlan{selectPlan: sp, rows: q.Rows, after: q.After, before: q.Before, offset: q.Offset, desc: q.Desc}
	if q.Sorted() || !pp.dense() {
		return pp, nil
	}
	// Rows are numbered 1..RowCount without gaps, so without other
	// conditions an offset in row order is a row number: seek to it.
	if pp.desc {
		top := pp.p.RowCount + 1
		if pp.before > 0 {
			top = min(pp.before, top)
		}
		pp.before = top - int64(pp.offset)
		pp.none = pp.before <= 1
	} else {
		pp.after += int64(pp.offset)
	}
	pp.offset = 0
	return pp, nil
}

// dense reports that nothing but row-number bounds selects rows, so the
// selected row numbers are a run of consecutive numbers.
func (pp pagePlan) dense() bool { return len(pp.conds) == 0 && pp.rows == nil }

// where renders the page's conditions with the given row-number bounds:
// the bounds and row numbers first, then the filters and text search.
func (pp pagePlan) where(after, before int64) (string, []any) {
	var conds []string
	var args []any
	if pp.none {
		conds = append(conds, "1 = 0")
	}
	if after > 0 {
		conds = append(conds, "_row > ?")
		args = append(args, after)
	}
	if before > 0 {
		conds = append(conds, "_row < ?")
		args = append(args, before)
	}
	if pp.rows != nil {
		if len(pp.rows) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			list, vals := inList(pp.rows)
			conds = append(conds, "_row IN ("+list+")")
			args = append(args, vals...)
		}
	}
	conds = append(conds, pp.conds...)
	args = append(args, pp.args...)
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (pp pagePlan) rowOrder() string {
	if pp.desc {
		return "_row DESC"
	}
	return "_row"
}

// columns are the selected columns, the row number first.
func (pp pagePlan) columns() string {
	cols := make([]string, len(pp.idx)+1)
	cols[0] = "_row"
	for k, i := range pp.idx {
		cols[k+1] = rowColumn(i)
	}
	return strings.Join(cols, ", ")
}

// SelectDatasetPage streams one page of a dataset version (0: the live
// one) to fn, with row numbers. In row order it reads chunks by row
// number (WHERE _row > last ORDER BY _row LIMIT n, or downwards), so a
// page deep in the table costs what the first one does; sorted by
// fields, it sorts once for the page's row numbers and reads the rows by
// number in chunks. No connection is held while fn runs. Unknown fields,
// values that do not fit and a sorted page past MaxSortedDepth are
// FieldErrors, returned before any row.
func (s *Store) SelectDatasetPage(ctx context.Context, id string, version int, q RowPage, fn func(n int64, row []catalog.Value) error) error {
	pp, err := s.planPage(ctx, id, version, q)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		return fmt.Errorf("store: page of dataset %q version %d: %w", id, pp.p.Version, missingRowTable(err))
	}
	if pp.orderBy != "" {
		return s.selectSortedPage(ctx, pp, q.Limit, fn, fail)
	}
	after, before, offset, remaining := pp.after, pp.before, pp.offset, q.Limit
	for {
		want := rowChunk
		if q.Limit > 0 {
			if remaining <= 0 {
				return nil
			}
			want = min(want, remaining)
		}
		where, args := pp.where(after, before)
		query := `SELECT ` + pp.columns() + ` FROM ` + pp.p.table + where + ` ORDER BY ` + pp.rowOrder() + ` LIMIT ? OFFSET ?`
		nums, rows, err := s.readChunk(ctx, query, append(args, want, offset), pp.p.Fields, pp.idx)
		if err != nil {
			return fail(err)
		}
		for k, row := range rows {
			if err := fn(nums[k], row); err != nil {
				return err
			}
		}
		if len(rows) < want {
			return nil
		}
		last := nums[len(nums)-1]
		if pp.desc {
			before = last
		} else {
			after = last
		}
		offset = 0
		remaining -= len(rows)
	}
}

// selectSortedPage reads a sorted page: its row numbers in one sorted
// query, then the rows by number, a chunk at a time, in the page's order.
func (s *Store) selectSortedPage(ctx context.Context, pp pagePlan, limit int, fn func(int64, []catalog.Value) error, fail func(error) error) error {
	where, args := pp.where(pp.after, pp.before)
	var nums []int64
	if err := s.sel(ctx, &nums, `SELECT _row FROM `+pp.p.table+where+` ORDER BY `+pp.orderBy+` LIMIT ? OFFSET ?`,
		append(args, limit, pp.offset)...); err != nil {
		return fail(err)
	}
	for start := 0; start < len(nums); start += rowChunk {
		chunk := nums[start:min(start+rowChunk, len(nums))]
		list, vals := inList(chunk)
		got, rows, err := s.readChunk(ctx, `SELECT `+pp.columns()+` FROM `+pp.p.table+` WHERE _row IN (`+list+`)`, vals, pp.p.Fields, pp.idx)
		if err != nil {
			return fail(err)
		}
		at := make(map[int64]int, len(got))
		for k, n := range got {
			at[n] = k
		}
		for _, n := range chunk {
			k, ok := at[n]
			if !ok {
				return fail(fmt.Errorf("row %d vanished while the page was read", n))
			}
			if err := fn(n, rows[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// CountDatasetPage counts the rows a page's filters, text, row numbers
// and bounds select; offset, limit and order are ignored. Without filters
// or text it is worked out from the row count, which needs no scan.
func (s *Store) CountDatasetPage(ctx context.Context, id string, version int, q RowPage) (int64, error) {
	q.Offset, q.Limit, q.Sort = 0, 0, nil
	pp, err := s.planPage(ctx, id, version, q)
	if err != nil {
		return 0, err
	}
	if len(pp.conds) == 0 {
		lo, hi := max(pp.after+1, 1), pp.p.RowCount
		if pp.before > 0 {
			hi = min(hi, pp.before-1)
		}
		if pp.none || hi < lo {
			return 0, nil
		}
		if pp.rows == nil {
			return hi - lo + 1, nil
		}
		var n int64
		seen := map[int64]bool{}
		for _, r := range pp.rows {
			if r >= lo && r <= hi && !seen[r] {
				seen[r] = true
				n++
			}
		}
		return n, nil
	}
	where, args := pp.where(pp.after, pp.before)
	var n int64
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM `+pp.p.table+where, args...); err != nil {
		return 0, fmt.Errorf("store: count rows of dataset %q version %d: %w", id, pp.p.Version, missingRowTable(err))
	}
	return n, nil
}

// DatasetPageLast looks ahead for keyset paging in row order: the row
// number of the last row of the page q selects (0 when it is empty) and
// whether any selected row follows it, so that a caller can announce the
// next page (after that row) before streaming this one. It is an error
// for a sorted page.
func (s *Store) DatasetPageLast(ctx context.Context, id string, version int, q RowPage) (last int64, more bool, err error) {
	pp, err := s.planPage(ctx, id, version, q)
	if err != nil {
		return 0, false, err
	}
	if pp.orderBy != "" {
		return 0, false, fmt.Errorf("store: DatasetPageLast of a sorted page")
	}
	if pp.dense() {
		// Consecutive row numbers: the page's end is arithmetic.
		lo, hi := max(pp.after+1, 1), pp.p.RowCount
		if pp.before > 0 {
			hi = min(hi, pp.before-1)
		}
		if pp.none || hi < lo {
			return 0, false, nil
		}
		n := hi - lo + 1
		if q.Limit > 0 && int64(q.Limit) < n {
			if pp.desc {
				return hi - int64(q.Limit) + 1, true, nil
			}
			return lo + int64(q.Limit) - 1, true, nil
		}
		if pp.desc {
			return lo, false, nil
		}
		return hi, false, nil
	}
	if q.Limit <= 0 {
		return 0, false, fmt.Errorf("store: DatasetPageLast without a limit")
	}
	where, args := pp.where(pp.after, pp.before)
	var nums []int64
	// The page's row numbers and one more: a scan of the page in row
	// order, which reading the page repeats anyway.
	if err := s.sel(ctx, &nums, `SELECT _row FROM `+pp.p.table+where+` ORDER BY `+pp.rowOrder()+` LIMIT ? OFFSET ?`,
		append(args, q.Limit+1, pp.offset)...); err != nil {
		return 0, false, fmt.Errorf("store: page of dataset %q version %d: %w", id, pp.p.Version, missingRowTable(err))
	}
	if len(nums) == 0 {
		return 0, false, nil
	}
	more = len(nums) > q.Limit
	return nums[min(len(nums), q.Limit)-1], more, nil
}
