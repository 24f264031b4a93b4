package opendata

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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

// datastoreFilters reads filters: field → value, or a list of values (any
// matches). Numbers and booleans may be given as JSON values; null is an
// empty cell.
func datastoreFilters(obj map[string]any) (map[string][]string, error) {
	out := map[string][]string{}
	for field, v := range obj {
		if arr, ok := v.([]any); ok {
			for _, x := range arr {
				s, ok := scalarText(x)
				if !ok {
					return nil, ckanValidation("filters", fmt.Sprintf("%s: 值应为字符串、数字或布尔值 (values must be scalars)", field))
				}
				out[field] = append(out[field], s)
			}
			continue
		}
		s, ok := scalarText(v)
		if !ok {
			return nil, ckanValidation("filters", fmt.Sprintf("%s: 值应为字符串、数字、布尔值或列表 (must be a scalar or a list)", field))
		}
		out[field] = append(out[field], s)
	}
	return out, nil
}

// datastoreSort reads "field asc, other desc" (names may be quoted; _id
// is the row number).
func datastoreSort(spec string, fields []catalog.Field) ([]store.RowSort, error) {
	var out []store.RowSort
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
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
	filters, err := datastoreFilters(filterObj)
	if err != nil {
		return err
	}
	if _, ok := p["q"].(map[string]any); ok {
		return ckanValidation("q", "只支持字符串形式的全文检索 (only a plain text q is supported)")
	}
	q, err := p.str("q")
	if err != nil {
		return err
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
	req := RowRequest{Filters: filters}
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
	sel := store.RowSelect{Filters: filters, Text: q, Sort: sorts, Offset: offset, Limit: limit, Fields: req.Fields}

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
		if total, err = s.Store.CountSelectedDatasetRows(ctx, id, pin.version.Version, sel); err != nil {
			return err
		}
		head.Total = &total
	}
	head.Links = datastoreLinks(r, p, offset, limit, total)

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
		return s.Store.SelectDatasetRows(ctx, id, pin.version.Version, sel, func(num int64, row []catalog.Value) error {
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

// datastoreLinks are CKAN's _links: this search from the start, and the
// next page when there is one (total < 0: unknown, assume more).
func datastoreLinks(r *http.Request, p ckanParams, offset, limit int, total int64) map[string]string {
	q := url.Values{}
	for k, v := range p {
		if k == "offset" {
			continue
		}
		if s, ok := scalarText(v); ok {
			q.Set(k, s)
		} else if b, err := json.Marshal(v); err == nil {
			q.Set(k, string(b))
		}
	}
	path := r.URL.Path
	links := map[string]string{"start": path + "?" + q.Encode()}
	if limit > 0 && (total < 0 || int64(offset+limit) < total) {
		q.Set("offset", strconv.Itoa(offset+limit))
		links["next"] = path + "?" + q.Encode()
	}
	return links
}
