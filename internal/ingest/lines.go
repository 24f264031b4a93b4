package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxLine bounds one JSON line (a body of several MB is still fine).
const maxLine = 64 << 20

// line is one non-blank line of a JSONL file.
type line struct {
	n    int
	data []byte
}

// readLines calls fn for every non-blank line, with its 1-based number.
// A UTF-8 BOM at the start is skipped.
func readLines(r io.Reader, fn func(line) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	n := 0
	for sc.Scan() {
		n++
		b := sc.Bytes()
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if err := fn(line{n: n, data: append([]byte(nil), b...)}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("after line %d: %w", n, err)
	}
	return nil
}

// decodeLine parses one JSON object strictly enough to give a clear
// reason: invalid UTF-8, broken JSON (with the byte offset) or trailing data.
func decodeLine(b []byte, v any) error {
	if !utf8.Valid(b) {
		return fmt.Errorf("不是有效的 UTF-8 (invalid UTF-8)")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("JSON 格式错误 (invalid JSON at byte %d: %v)", se.Offset, se)
		case errors.As(err, &te) && te.Field == "":
			return fmt.Errorf("一行应为一个 JSON 对象 (the line must be a JSON object, got %s)", te.Value)
		case errors.As(err, &te):
			return fmt.Errorf("字段 %s 类型错误：应为 %s (field %s: expected %s, got %s)", te.Field, te.Type, te.Field, te.Type, te.Value)
		default:
			return fmt.Errorf("JSON 格式错误 (invalid JSON: %v)", err)
		}
	}
	if dec.More() {
		return fmt.Errorf("一行只能有一个 JSON 对象 (extra data after the object)")
	}
	return nil
}
