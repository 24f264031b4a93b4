package opendata

import (
	"bytes"
	"encoding/json"
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
		return nil, ckanValidation("", "请求体过大或无法读取 (body too large or unreadable)")
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
			return nil, ckanValidation("", "请求体不是 JSON 对象 (the body is not a JSON object): "+err.Error())
		}
		for k, v := range obj {
			p[k] = v
		}
	default:
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseForm(); err != nil {
			return nil, ckanValidation("", "无法读取表单 (unreadable form)")
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
