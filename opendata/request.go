package opendata

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Reserved query parameters of downloads and row pages. They win over a
// dataset field of the same name; such a field is filtered as f.NAME.
const (
	paramLimit  = "limit"
	paramOffset = "offset"
	paramFields = "fields"
	paramAfter  = "after"
	paramBOM    = "bom"
	fieldPrefix = "f."
)

var reservedParams = []string{paramLimit, paramOffset, paramFields, paramAfter, paramBOM}

// Bounds on the filters of one request, so that a query string cannot
// grow a statement past what the databases take (PostgreSQL allows 65,535
// parameters) or make it slow: values per field, values in all, and bytes
// of one value.
const (
	maxFilterValuesPerField = 50
	maxFilterValuesTotal    = 200
	maxFilterValueBytes     = 500
)

// RowRequest is what a download or a row page asks for: rows whose fields
// equal one of the given values (OR within a field, AND across fields),
// the fields to return, and paging.
type RowRequest struct {
	Filters map[string][]string
	Fields  []string // nil: all, in dataset order
	Limit   int      // 0: no limit
	Offset  int
	After   *Cursor // keyset paging: continue after this row of this version
	// BOM asks for the Excel variant of the CSV: a UTF-8 byte order mark
	// first, and text cells that a spreadsheet would run as formulas
	// guarded with a leading ' (see csvWriter). Without it the CSV is
	// byte-exact.
	BOM bool
}

// ParseRowRequest reads the query string of a download or row page. Every
// parameter that is not reserved is a filter on the field it names
// (f.NAME names a field that shares its name with a reserved parameter).
// Whether those fields exist is checked by Check, once the version is
// known; malformed reserved parameters are FieldErrors here.
func ParseRowRequest(q url.Values) (RowRequest, error) {
	var req RowRequest
	var errs catalog.FieldErrors
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	total := 0
	for _, name := range names {
		vals := q[name]
		if slices.Contains(reservedParams, name) {
			last := vals[len(vals)-1]
			switch name {
			case paramLimit:
				n, err := parseCount(last, 1)
				if err != nil {
					errs.Add(name, err.Error())
				}
				req.Limit = n
			case paramOffset:
				n, err := parseCount(last, 0)
				if err != nil {
					errs.Add(name, err.Error())
				}
				req.Offset = n
			case paramFields:
				fields, err := parseFieldList(vals)
				if err != nil {
					errs.Add(name, err.Error())
				}
				req.Fields = fields
			case paramAfter:
				c, err := ParseCursor(last)
				if err != nil {
					errs.Add(name, err.Error())
				} else {
					req.After = &c
				}
			case paramBOM:
				b, err := parseFlag(last)
				if err != nil {
					errs.Add(name, err.Error())
				}
				req.BOM = b
			}
			continue
		}
		field := strings.TrimPrefix(name, fieldPrefix)
		if err := checkFilterValues(vals, len(req.Filters[field]), total); err != nil {
			errs.Add(name, err.Error())
			if total+len(vals) > maxFilterValuesTotal {
				break // the rest would only repeat it
			}
			continue
		}
		total += len(vals)
		if req.Filters == nil {
			req.Filters = map[string][]string{}
		}
		req.Filters[field] = append(req.Filters[field], vals...)
	}
	return req, errs.Err()
}

// checkFilterValues applies the filter bounds to the values of one
// parameter, given the values its field and the request already have.
func checkFilterValues(vals []string, field, total int) error {
	if n := field + len(vals); n > maxFilterValuesPerField {
		return fmt.Errorf("一个字段最多筛选 %d 个值，这里有 %d 个 (at most %d values for one field; got %d)", maxFilterValuesPerField, n, maxFilterValuesPerField, n)
	}
	if n := total + len(vals); n > maxFilterValuesTotal {
		return fmt.Errorf("筛选值合计最多 %d 个 (at most %d filter values in all; got more)", maxFilterValuesTotal, maxFilterValuesTotal)
	}
	for _, v := range vals {
		if len(v) > maxFilterValueBytes {
			return fmt.Errorf("筛选值过长：%d 字节，最多 %d 字节 (a filter value is %d bytes, at most %d)", len(v), maxFilterValueBytes, len(v), maxFilterValueBytes)
		}
	}
	return nil
}

// parseCount reads a whole number of at least min.
func parseCount(s string, min int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < min {
		return 0, fmt.Errorf("应为不小于 %d 的整数 (must be a whole number ≥ %d; got %q)", min, min, s)
	}
	return n, nil
}

func parseFlag(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, fmt.Errorf("应为 1 或 0 (must be 1 or 0; got %q)", s)
}

// parseFieldList reads fields=a,b (or repeated fields=) into a list
// without duplicates, of at most as many names as a dataset has fields.
func parseFieldList(vals []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		for f := range strings.SplitSeq(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if seen[f] {
				return nil, fmt.Errorf("字段 %q 重复 (field listed twice)", truncateName(f))
			}
			if len(out) == catalog.MaxFields {
				return nil, fmt.Errorf("最多列出 %d 个字段 (at most %d fields)", catalog.MaxFields, catalog.MaxFields)
			}
			seen[f] = true
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("至少列出一个字段 (list at least one field)")
	}
	return out, nil
}

// Check validates the request against the fields of the version it reads:
// unknown fields (in filters or fields=) and filter values that do not fit
// their field's type are FieldErrors naming them.
func (req RowRequest) Check(fields []catalog.Field) error { return req.check(fields, true) }

// check is Check; hint adds the reserved parameter names to the message
// for an unknown field (a query-string user may have mistyped one).
func (req RowRequest) check(fields []catalog.Field, hint bool) error {
	var errs catalog.FieldErrors
	index := make(map[string]catalog.Field, len(fields))
	for _, f := range fields {
		index[f.Name] = f
	}
	for _, name := range req.Fields {
		if _, ok := index[name]; !ok {
			errs.Add(paramFields, fmt.Sprintf("没有字段 %q (unknown field)", name))
		}
	}
	names := make([]string, 0, len(req.Filters))
	for name := range req.Filters {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, ok := index[name]
		if !ok {
			if hint {
				errs.Add(name, "没有这个字段，也不是保留参数 (unknown field or parameter; reserved: "+strings.Join(reservedParams, ", ")+")")
			} else {
				errs.Add(name, "没有这个字段 (unknown field)")
			}
			continue
		}
		for _, v := range req.Filters[name] {
			if _, err := f.Parse(v); err != nil {
				errs.Add(name, fmt.Sprintf("%s (got %q)", err.Error(), v))
			}
		}
	}
	return errs.Err()
}

// selectedFields returns the fields the request returns, in order.
func (req RowRequest) selectedFields(all []catalog.Field) []catalog.Field {
	if req.Fields == nil {
		return all
	}
	out := make([]catalog.Field, 0, len(req.Fields))
	for _, name := range req.Fields {
		if i := slices.IndexFunc(all, func(f catalog.Field) bool { return f.Name == name }); i >= 0 {
			out = append(out, all[i])
		}
	}
	return out
}

// selection turns the request into the store's row selection.
func (req RowRequest) selection() store.RowSelect {
	sel := store.RowSelect{Filters: req.Filters, Fields: req.Fields, Limit: req.Limit, Offset: req.Offset}
	if req.After != nil {
		sel.AfterRow = req.After.Row
	}
	return sel
}

// Cursor is a position for keyset paging: after row Row of version
// Version. Holding the version keeps every page of one walk on the same
// rows even when a new version is published meanwhile.
type Cursor struct {
	Version int
	Row     int64
}

// String is the opaque token clients pass back as after=.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("v%d.%d", c.Version, c.Row)))
}

// ParseCursor reads a token made by Cursor.String.
func ParseCursor(token string) (Cursor, error) {
	bad := fmt.Errorf("不是有效的翻页游标 (not a valid cursor; use the one from the Link header or next)")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return Cursor{}, bad
	}
	v, row, ok := strings.Cut(string(raw), ".")
	if !ok || !strings.HasPrefix(v, "v") {
		return Cursor{}, bad
	}
	version, err1 := strconv.Atoi(v[1:])
	n, err2 := strconv.ParseInt(row, 10, 64)
	if err1 != nil || err2 != nil || version < 1 || n < 0 {
		return Cursor{}, bad
	}
	return Cursor{Version: version, Row: n}, nil
}

// truncateName shortens a name echoed in a message.
func truncateName(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}
