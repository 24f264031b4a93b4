package opendata

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// datastore_search page sizes (CKAN's defaults).
const (
	defaultDatastoreLimit = 100
	maxDatastoreLimit     = 32000
)

// ckanRowID is CKAN's row number column.
const ckanRowID = "_id"

type datastoreField struct {
	ID   string         `json:"id"`
	Type string         `json:"type"`
	Info *datastoreInfo `json:"info,omitempty"`
}

// datastoreInfo is CKAN's data dictionary entry of a field.
type datastoreInfo struct {
	Label string `json:"label"`
	Notes string `json:"notes"`
}

type datastoreHead struct {
	IncludeTotal      bool              `json:"include_total"`
	ResourceID        string            `json:"resource_id"`
	Fields            []datastoreField  `json:"fields"`
	RecordsFormat     string            `json:"records_format"`
	Limit             int               `json:"limit"`
	Offset            int               `json:"offset"`
	Sort              string            `json:"sort,omitempty"`
	Q                 string            `json:"q,omitempty"`
	Filters           map[string]any    `json:"filters,omitempty"`
	Total             *int64            `json:"total,omitempty"`
	TotalWasEstimated bool              `json:"total_was_estimated"`
	Links             map[string]string `json:"_links"`
	NextPage          map[string]any    `json:"next_page,omitempty"`
}

// datastoreInfoField is a field as datastore_info describes it (CKAN
// 2.10+), with its column's schema.
type datastoreInfoField struct {
	ID     string             `json:"id"`
	Type   string             `json:"type"`
	Info   datastoreInfo      `json:"info"`
	Schema datastoreColSchema `json:"schema"`
}

type datastoreColSchema struct {
	NativeType string  `json:"native_type"`
	NotNull    bool    `json:"notnull"`
	IndexName  *string `json:"index_name"`
	IsIndex    bool    `json:"is_index"`
	UniqueKey  bool    `json:"uniquekey"`
}

// nativeTypes name the column types as PostgreSQL's datastore reports
// them.
var nativeTypes = map[string]string{"int": "bigint", "numeric": "numeric", "date": "date", "timestamp": "timestamp without time zone",
	"bool": "boolean", "text": "text"}

// ckanDatastoreInfo answers datastore_info: meta (count and the like)
// and the fields with their data dictionary, plus the schema map
// {field: type} older clients (CKAN 2.9) read.
func (s *Service) ckanDatastoreInfo(ctx context.Context, _ string, p ckanParams) (any, error) {
	rid, err := p.required("resource_id")
	if err != nil {
		if alt, _ := p.str("id"); alt == "" {
			return nil, err
		}
		rid, _ = p.required("id")
	}
	includeMeta, err := p.boolean("include_meta", true)
	if err != nil {
		return nil, err
	}
	includeSchema, err := p.boolean("include_fields_schema", true)
	if err != nil {
		return nil, err
	}
	id, _, err := s.resolveResource(ctx, rid)
	if err != nil {
		return nil, err
	}
	pin, err := s.pin(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	fields := make([]any, 0, len(pin.version.Fields))
	schema := make(map[string]string, len(pin.version.Fields))
	for _, f := range pin.version.Fields {
		t := ckanType(f.Type)
		schema[f.Name] = t
		info := datastoreInfo{Label: f.Title, Notes: f.Description}
		if includeSchema {
			fields = append(fields, datastoreInfoField{ID: f.Name, Type: t, Info: info, Schema: datastoreColSchema{NativeType: nativeTypes[t]}})
		} else {
			fields = append(fields, datastoreField{ID: f.Name, Type: t, Info: &info})
		}
	}
	out := map[string]any{"fields": fields, "schema": schema}
	if includeMeta {
		out["meta"] = map[string]any{"id": rid, "count": pin.version.RowCount, "table_type": "BASE TABLE", "aliases": []string{id},
			"version": pin.version.Version, "last_modified": ckanTime(pin.version.CreatedAt)}
	}
	return out, nil
}

// ckanType names a field type as the CKAN datastore does.
func ckanType(t string) string {
	switch t {
	case catalog.TypeInteger:
		return "int"
	case catalog.TypeNumber:
		return "numeric"
	case catalog.TypeDate:
		return "date"
	case catalog.TypeDateTime:
		return "timestamp"
	case catalog.TypeBoolean:
		return "bool"
	}
	return "text"
}

// Bounds of datastore_search's filters and q: enough for any real
// query, and they keep a request from building a statement of thousands
// of parameters or scanning for megabytes of text.
const (
	ckanMaxFieldValues  = 50  // values of one field
	ckanMaxFilterValues = 200 // values of all fields
	ckanMaxValueBytes   = 500 // one value, and q
	maxDatastoreSorts   = 20  // sort keys
)

// datastoreFilter is what datastore_search's filters select: values per
// field (any matches), and for _id row numbers and bounds.
type datastoreFilter struct {
	fields        map[string][]string
	rows          []int64 // nil: any row number
	after, before int64   // exclusive bounds on _id (0: none)
}

// datastoreFilters reads filters: field → value, a list of values (any
// matches), or an object of operators: eq, in, and on _id also gt, gte,
// lt, lte (the keyset paging of CKAN's next_page). Numbers and booleans
// may be given as JSON values; null is an empty cell.
func datastoreFilters(obj map[string]any) (datastoreFilter, error) {
	f := datastoreFilter{fields: map[string][]string{}}
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	slices.Sort(names)
	total := 0
	for _, name := range names {
		vals, ops, err := filterValues(name, obj[name])
		if err != nil {
			return f, err
		}
		if len(vals) > ckanMaxFieldValues {
			return f, ckanValidation("filters", fmt.Sprintf("%s: 一个字段最多 %d 个值 (at most %d values a field; got %d — narrow the query or use the bulk download)", name, ckanMaxFieldValues, ckanMaxFieldValues, len(vals)))
		}
		if total += len(vals); total > ckanMaxFilterValues {
			return f, ckanValidation("filters", fmt.Sprintf("所有字段合计最多 %d 个值 (at most %d values in all — narrow the query or use the bulk download)", ckanMaxFilterValues, ckanMaxFilterValues))
		}
		for _, v := range vals {
			if len(v) > ckanMaxValueBytes {
				return f, ckanValidation("filters", fmt.Sprintf("%s: 值不能超过 %d 字节 (a value is at most %d bytes)", name, ckanMaxValueBytes, ckanMaxValueBytes))
			}
		}
		if name != ckanRowID {
			if len(ops) > 0 {
				return f, ckanValidation("filters", fmt.Sprintf("%s: 只有 _id 支持 gt、gte、lt、lte (range operators are supported on _id only)", name))
			}
			f.fields[name] = vals
			continue
		}
		if vals != nil || ops == nil {
			nums := []int64{}
			for _, v := range vals {
				n, err := rowNumber(v)
				if err != nil {
					return f, err
				}
				nums = append(nums, n)
			}
			f.rows = nums
		}
		for op, v := range ops {
			n, err := rowNumber(v)
			if err != nil {
				return f, err
			}
			switch op {
			case "gt":
				f.after = max(f.after, n)
			case "gte":
				f.after = max(f.after, n-1)
			case "lt", "lte":
				if op == "lte" {
					n++
				}
				if n <= 1 {
					f.rows = []int64{} // nothing is below row 1
				} else if f.before == 0 || n < f.before {
					f.before = n
				}
			}
		}
	}
	return f, nil
}

// filterValues reads one field's filter: its values (nil when only
// operators are given) and its range operators.
func filterValues(name string, v any) (vals []string, ops map[string]string, err error) {
	scalars := func(arr []any) ([]string, error) {
		out := make([]string, 0, len(arr))
		for _, x := range arr {
			s, ok := scalarText(x)
			if !ok {
				return nil, ckanValidation("filters", fmt.Sprintf("%s: 值应为字符串、数字或布尔值 (values must be scalars)", name))
			}
			out = append(out, s)
		}
		return out, nil
	}
	switch x := v.(type) {
	case []any:
		vals, err = scalars(x)
		return vals, nil, err
	case map[string]any:
		if len(x) == 0 {
			return nil, nil, ckanValidation("filters", fmt.Sprintf("%s: 运算符对象为空 (an empty operator object)", name))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, op := range keys {
			arg := x[op]
			switch op {
			case "eq", "in":
				if vals != nil {
					return nil, nil, ckanValidation("filters", fmt.Sprintf("%s: eq 与 in 只能用一个 (use one of eq and in)", name))
				}
				if arr, ok := arg.([]any); ok && op == "in" {
					if vals, err = scalars(arr); err != nil {
						return nil, nil, err
					}
				} else if s, ok := scalarText(arg); ok && op == "eq" {
					vals = []string{s}
				} else {
					return nil, nil, ckanValidation("filters", fmt.Sprintf("%s: %s 的值应为%s (%s takes %s)", name, op,
						map[string]string{"eq": "一个值", "in": "列表"}[op], op, map[string]string{"eq": "one value", "in": "a list"}[op]))
				}
			case "gt", "gte", "lt", "lte":
				s, ok := scalarText(arg)
				if !ok {
					return nil, nil, ckanValidation("filters", fmt.Sprintf("%s: %s 的值应为一个数 (%s takes one number)", name, op, op))
				}
				if ops == nil {
					ops = map[string]string{}
				}
				ops[op] = s
			default:
				return nil, nil, ckanValidation("filters", fmt.Sprintf("%s: 不支持的运算符 %q (supported: eq, in, and on _id gt, gte, lt, lte)", name, op))
			}
		}
		return vals, ops, nil
	}
	s, ok := scalarText(v)
	if !ok {
		return nil, nil, ckanValidation("filters", fmt.Sprintf("%s: 值应为字符串、数字、布尔值、列表或运算符对象 (must be a scalar, a list or an operator object)", name))
	}
	return []string{s}, nil, nil
}

// rowNumber reads an _id value: a whole number.
func rowNumber(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, ckanValidation("filters", fmt.Sprintf("_id: 应为非负整数 (must be a whole number; got %q)", s))
	}
	return n, nil
}

// datastoreSort reads "field asc, other desc" (names may be quoted; _id
// is the row number; "nulls last" is accepted, as empty cells always
// sort last).
func datastoreSort(spec string, fields []catalog.Field) ([]store.RowSort, error) {
	var out []store.RowSort
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if len(out) == maxDatastoreSorts {
			return nil, ckanValidation("sort", fmt.Sprintf("最多按 %d 个字段排序 (at most %d sort keys)", maxDatastoreSorts, maxDatastoreSorts))
		}
		lower := strings.ToLower(part)
		switch {
		case strings.HasSuffix(lower, " nulls last"):
			part = strings.TrimSpace(part[:len(part)-len(" nulls last")])
		case strings.HasSuffix(lower, " nulls first"):
			return nil, ckanValidation("sort", "空值总是排在最后，不支持 nulls first (empty cells always sort last)")
		}
		name, dir := part, ""
		if i := strings.LastIndexAny(part, " \t"); i > 0 && !strings.HasSuffix(part, `"`) {
			name, dir = strings.TrimSpace(part[:i]), strings.ToLower(strings.TrimSpace(part[i+1:]))
		}
		name = strings.Trim(name, `"`)
		k := store.RowSort{Field: name}
		switch dir {
		case "", "asc":
		case "desc":
			k.Desc = true
		default:
			return nil, ckanValidation("sort", fmt.Sprintf("排序方向应为 asc 或 desc (got %q)", dir))
		}
		if name == ckanRowID {
			k.Field = ""
		} else if _, ok := (catalog.Dataset{Fields: fields}).FieldIndex(name); !ok {
			return nil, ckanValidation("sort", fmt.Sprintf("没有字段 %q (unknown field)", name))
		}
		out = append(out, k)
	}
	return out, nil
}

// ckanDatastoreSearch answers datastore_search, streaming the records in
// CKAN's envelope. It returns an error only before anything was written.
//
// In row order (by _id, the default) pages are read by row number: the
// next page, in _links.next and next_page, continues after the last row
// of this one with filters {"_id": {"gt": last}}, which costs the same on
// page 1 and page 10,000. Sorted by another field, a page is one scan
// keeping the best offset+limit rows, so offset+limit is capped at
// store.MaxSortedDepth.
func (s *Service) ckanDatastoreSearch(w http.ResponseWriter, r *http.Request, help string, p ckanParams) error {
	ctx := r.Context()
	rid, err := p.required("resource_id")
	if err != nil {
		if alt, _ := p.str("id"); alt == "" {
			return err
		}
		rid, _ = p.required("id")
	}
	id, _, err := s.resolveResource(ctx, rid)
	if err != nil {
		return err
	}
	pin, err := s.pin(ctx, id, nil)
	if err != nil {
		return err
	}
	fields := pin.version.Fields

	filterObj, err := p.object("filters")
	if err != nil {
		return err
	}
	filter, err := datastoreFilters(filterObj)
	if err != nil {
		return err
	}
	q, err := p.str("q")
	if _, isObject := p["q"].(map[string]any); isObject || strings.HasPrefix(strings.TrimSpace(q), "{") && json.Valid([]byte(q)) {
		// CKAN's q may name fields ({"field": "text"}); here it searches
		// every field.
		return ckanValidation("q", "只支持字符串形式的全文检索，不支持按字段检索；请用 filters (only a plain text q is supported; use filters for a field)")
	}
	if err != nil {
		return err
	}
	if q == "" {
		if q, err = p.str("full_text"); err != nil {
			return err
		}
	}
	if len(q) > ckanMaxValueBytes {
		return ckanValidation("q", fmt.Sprintf("检索词不能超过 %d 字节 (q is at most %d bytes)", ckanMaxValueBytes, ckanMaxValueBytes))
	}
	if distinct, err := p.boolean("distinct", false); err != nil {
		return err
	} else if distinct {
		return ckanValidation("distinct", "不支持去重 (distinct is not supported; every row has its own _id)")
	}
	wanted, err := p.list("fields")
	if err != nil {
		return err
	}
	withID := len(wanted) == 0
	var names []string
	for _, f := range wanted {
		if f == ckanRowID {
			withID = true
			continue
		}
		names = append(names, f)
	}
	sortSpec, err := p.str("sort")
	if err != nil {
		return err
	}
	sorts, err := datastoreSort(sortSpec, fields)
	if err != nil {
		return err
	}
	limit, err := p.integer("limit", defaultDatastoreLimit, 0, maxDatastoreLimit)
	if err != nil {
		return err
	}
	offset, err := p.integer("offset", 0, 0, 1<<40)
	if err != nil {
		return err
	}
	includeTotal, err := p.boolean("include_total", true)
	if err != nil {
		return err
	}
	includeNext, err := p.boolean("include_next_page", false)
	if err != nil {
		return err
	}
	format, err := p.str("records_format")
	if err != nil {
		return err
	}
	switch format {
	case "":
		format = "objects"
	case "objects", "lists":
	default:
		return ckanValidation("records_format", "只支持 objects 或 lists (objects or lists)")
	}
	req := RowRequest{Filters: filter.fields}
	if len(names) > 0 {
		req.Fields = names
	} else if len(wanted) > 0 {
		req.Fields = []string{} // only _id
	}
	if err := req.check(fields, false); err != nil {
		fe, _ := catalog.AsFieldErrors(err)
		field := "filters"
		if fe[0].Field == paramFields {
			field = "fields"
		}
		return ckanValidation(field, fe.Error())
	}
	page := store.RowPage{Filters: filter.fields, Text: q, Fields: req.Fields, Rows: filter.rows, After: filter.after, Before: filter.before,
		Sort: sorts, Offset: offset, Limit: limit}
	sorted := page.Sorted()
	if sorted && offset+limit > store.MaxSortedDepth {
		return ckanValidation("offset", fmt.Sprintf("按 _id 以外的字段排序时，offset+limit 不能超过 %d；请用 filters 缩小范围、按 _id 顺序翻页（_links.next），或下载全量数据 (sorted by a field other than _id, offset+limit may not pass %d rows: narrow the query with filters, page in _id order following _links.next, or use the bulk download at %s)",
			store.MaxSortedDepth, store.MaxSortedDepth, s.BaseURL()+downloadPath(id, CSV)))
	}
	desc := len(sorts) == 1 && sorts[0].Desc && !sorted

	head := datastoreHead{IncludeTotal: includeTotal, ResourceID: rid, RecordsFormat: format, Limit: limit, Offset: offset,
		Sort: sortSpec, Q: q, Filters: filterObj}
	selected := req.selectedFields(fields)
	if withID {
		head.Fields = append(head.Fields, datastoreField{ID: ckanRowID, Type: "int"})
	}
	for _, f := range selected {
		head.Fields = append(head.Fields, datastoreField{ID: f.Name, Type: ckanType(f.Type), Info: &datastoreInfo{Label: f.Title, Notes: f.Description}})
	}
	var total int64 = -1
	if includeTotal {
		if total, err = s.Store.CountDatasetPage(ctx, id, pin.version.Version, page); err != nil {
			return err
		}
		head.Total = &total
	}
	links := datastoreLinks{path: r.URL.Path, params: p}
	if sorted {
		head.Links = links.byOffset(offset, limit, total)
	} else {
		var last int64
		var more bool
		if limit > 0 {
			if last, more, err = s.Store.DatasetPageLast(ctx, id, pin.version.Version, page); err != nil {
				return err
			}
		}
		head.Links = links.byKeyset(filterObj, desc, last, more)
		if includeNext && last > 0 {
			head.NextPage = map[string]any{ckanRowID: map[string]int64{keysetOp(desc): last}}
		}
	}

	envelope, err := json.Marshal(map[string]any{"help": help, "success": true})
	if err != nil {
		return err
	}
	prefix := string(envelope[:len(envelope)-1]) + `,"result":`
	fail := func(err error) { s.ckanFail(w, r, help, err) }
	s.streamEnvelope(w, r, fail, prefix, head, "records", "}", func(bw *bufio.Writer) error {
		if limit == 0 {
			return nil
		}
		keys := objectKeys(selected)
		idKey := appendJSONString(nil, ckanRowID)
		var buf []byte
		n := 0
		return s.Store.SelectDatasetPage(ctx, id, pin.version.Version, page, func(num int64, row []catalog.Value) error {
			buf = buf[:0]
			if n > 0 {
				buf = append(buf, ',')
			}
			n++
			buf = appendDatastoreRecord(buf, format == "lists", withID, idKey, keys, num, row)
			_, err := bw.Write(buf)
			return err
		})
	})
	return nil
}

// appendDatastoreRecord appends one record, as an object or a list, with
// its row number first when asked for.
func appendDatastoreRecord(b []byte, list, withID bool, idKey []byte, keys [][]byte, num int64, row []catalog.Value) []byte {
	if list {
		b = append(b, '[')
		if withID {
			b = strconv.AppendInt(b, num, 10)
		}
		for i, v := range row {
			if i > 0 || withID {
				b = append(b, ',')
			}
			b = appendJSONValue(b, v)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	if withID {
		b = append(b, idKey...)
		b = append(b, ':')
		b = strconv.AppendInt(b, num, 10)
	}
	for i, v := range row {
		if i > 0 || withID {
			b = append(b, ',')
		}
		b = append(b, keys[i]...)
		b = appendJSONValue(b, v)
	}
	return append(b, '}')
}

// keysetOp is the _id operator that continues a walk in row order.
func keysetOp(desc bool) string {
	if desc {
		return "lt"
	}
	return "gt"
}

// datastoreLinks builds CKAN's _links: paths with the request's
// parameters, as CKAN gives them (relative, so they hold no host).
type datastoreLinks struct {
	path   string
	params ckanParams
}

// with is the link of the request's parameters, changed by set (a nil
// value removes a parameter).
func (l datastoreLinks) with(set map[string]any) string {
	q := url.Values{}
	for k, v := range l.params {
		if nv, ok := set[k]; ok {
			if nv == nil {
				continue
			}
			v = nv
		}
		if s, ok := scalarText(v); ok {
			q.Set(k, s)
		} else if b, err := json.Marshal(v); err == nil {
			q.Set(k, string(b))
		}
	}
	for k, v := range set {
		if _, done := l.params[k]; !done && v != nil {
			if s, ok := scalarText(v); ok {
				q.Set(k, s)
			} else if b, err := json.Marshal(v); err == nil {
				q.Set(k, string(b))
			}
		}
	}
	return l.path + "?" + q.Encode()
}

// byKeyset links the next page in row order: the same request with its
// filters' _id continuing after (or, descending, before) the last row,
// and no offset. There is no next link after the last page.
func (l datastoreLinks) byKeyset(filters map[string]any, desc bool, last int64, more bool) map[string]string {
	links := map[string]string{"start": l.with(map[string]any{"offset": nil})}
	if !more {
		return links
	}
	next := make(map[string]any, len(filters)+1)
	for k, v := range filters {
		next[k] = v
	}
	bound := map[string]any{}
	switch old := filters[ckanRowID].(type) {
	case map[string]any:
		for op, v := range old {
			bound[op] = v
		}
	case nil:
	case []any:
		bound["in"] = old
	default:
		bound["eq"] = old
	}
	if desc {
		delete(bound, "lte")
	} else {
		delete(bound, "gte")
	}
	bound[keysetOp(desc)] = last
	next[ckanRowID] = bound
	links["next"] = l.with(map[string]any{"offset": nil, "filters": next})
	return links
}

// byOffset links pages of a sorted search by offset, as CKAN does; the
// next link is left out past the end (total < 0: unknown, assume more).
func (l datastoreLinks) byOffset(offset, limit int, total int64) map[string]string {
	links := map[string]string{"start": l.with(map[string]any{"offset": nil})}
	if limit > 0 && (total < 0 || int64(offset+limit) < total) {
		links["next"] = l.with(map[string]any{"offset": strconv.Itoa(offset + limit)})
	}
	if offset > 0 {
		links["prev"] = l.with(map[string]any{"offset": strconv.Itoa(max(offset-limit, 0))})
	}
	return links
}
