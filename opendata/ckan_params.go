package opendata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxCKANBody bounds a POSTed action body.
const maxCKANBody = 1 << 20

// ckanParams are an action's parameters: from the query string (strings),
// or from a POSTed JSON object (typed values; CKAN clients such as ckanapi
// POST), or a POSTed form.
type ckanParams map[string]any

func readCKANParams(w http.ResponseWriter, r *http.Request) (ckanParams, error) {
	p := ckanParams{}
	for k, vs := range r.URL.Query() {
		p[k] = vs[len(vs)-1]
	}
	if r.Method != http.MethodPost {
		return p, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCKANBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &ckanError{status: http.StatusRequestEntityTooLarge, kind: "Bad Request",
				message: fmt.Sprintf("Bad request: 请求体超过 %d 字节 (the body is larger than %d bytes)", maxCKANBody, maxCKANBody)}
		}
		return nil, ckanBadRequest("无法读取请求体 (unreadable body)")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
	case ct == "application/json" || trimmed[0] == '{':
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, ckanBadRequest("JSON Error: 请求体不是 JSON 对象 (the body is not a JSON object): " + err.Error())
		}
		if dec.More() {
			return nil, ckanBadRequest("JSON Error: 请求体在 JSON 对象之后还有内容 (text after the JSON object)")
		}
		for k, v := range obj {
			p[k] = v
		}
	default:
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseForm(); err != nil {
			return nil, ckanBadRequest("无法读取表单 (unreadable form)")
		}
		for k, vs := range r.PostForm {
			p[k] = vs[len(vs)-1]
		}
	}
	return p, nil
}

// scalarText is the text of a scalar parameter value.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "", true
	}
	return "", false
}

func (p ckanParams) str(name string) (string, error) {
	v, ok := p[name]
	if !ok {
		return "", nil
	}
	s, ok := scalarText(v)
	if !ok {
		return "", ckanValidation(name, "应为字符串 (must be a string)")
	}
	return s, nil
}

func (p ckanParams) required(name string) (string, error) {
	s, err := p.str(name)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", ckanValidation(name, "Missing value")
	}
	return strings.TrimSpace(s), nil
}

func (p ckanParams) integer(name string, def, lo, hi int) (int, error) {
	s, err := p.str(name)
	if err != nil || strings.TrimSpace(s) == "" {
		return def, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, ckanValidation(name, fmt.Sprintf("应为 %d 到 %d 之间的整数 (must be a whole number from %d to %d)", lo, hi, lo, hi))
	}
	return n, nil
}

func (p ckanParams) boolean(name string, def bool) (bool, error) {
	s, err := p.str(name)
	if err != nil || strings.TrimSpace(s) == "" {
		return def, err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, ckanValidation(name, "应为 true 或 false (must be true or false)")
}

// list reads a list given as a JSON array, a string holding one, or a
// comma-separated string.
func (p ckanParams) list(name string) ([]string, error) {
	v, ok := p[name]
	if !ok {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "[") {
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			var arr []any
			if err := dec.Decode(&arr); err != nil {
				return nil, ckanValidation(name, "不是 JSON 数组 (not a JSON list)")
			}
			v = arr
		} else {
			var out []string
			for part := range strings.SplitSeq(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
			return out, nil
		}
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, ckanValidation(name, "应为列表 (must be a list)")
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := scalarText(x)
		if !ok {
			return nil, ckanValidation(name, "列表元素应为字符串 (list items must be strings)")
		}
		out = append(out, s)
	}
	return out, nil
}

// object reads a JSON object, given as one or as a string holding one.
func (p ckanParams) object(name string) (map[string]any, error) {
	v, ok := p[name]
	if !ok {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, ckanValidation(name, "不是 JSON 对象 (not a JSON object)")
		}
		return obj, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, ckanValidation(name, "应为 JSON 对象 (must be a JSON object)")
	}
	return obj, nil
}

// maxCKANList is the most names or objects one list action returns.
const maxCKANList = 1000

// page reads limit and offset of a list action: limit 0 (or none) means
// def, and def 0 means the whole list; limit is at most max.
func (p ckanParams) page(def, max int) (limit, offset int, err error) {
	if limit, err = p.integer("limit", def, 0, max); err != nil {
		return 0, 0, err
	}
	if limit == 0 {
		limit = def
	}
	if offset, err = p.integer("offset", 0, 0, 1<<30); err != nil {
		return 0, 0, err
	}
	return limit, offset, nil
}

// pageOf cuts one page out of a list (limit 0: to the end).
func pageOf[T any](all []T, limit, offset int) []T {
	from := min(offset, len(all))
	to := len(all)
	if limit > 0 {
		to = min(from+limit, len(all))
	}
	if from == to {
		return []T{} // [] in JSON, never null
	}
	return all[from:to:to]
}
