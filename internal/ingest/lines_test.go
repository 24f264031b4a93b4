package ingest

import (
	"strings"
	"testing"

	"gongkai/internal/catalog"
)

func TestDecodeLineReasons(t *testing.T) {
	tests := []struct{ in, reason string }{
		{"{\"id\": \"\xff\"}", "invalid UTF-8"},
		{`{"id": `, "invalid JSON"},
		{`{"id": "a",}`, "invalid JSON at byte 12"},
		{`[1, 2]`, "the line must be a JSON object, got array"},
		{`"text"`, "the line must be a JSON object, got string"},
		{`{"id": 5}`, "field id: expected string, got number"},
		{`{"id": "a"} {"id": "b"}`, "extra data after the object"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var in catalog.EntryInput
			err := decodeLine([]byte(tc.in), &in)
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err = %v, want %q", err, tc.reason)
			}
		})
	}
}
