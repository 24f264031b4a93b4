package files

import (
	"io"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head string
		want string // media type, or "" for refused
	}{
		{"a.pdf", "%PDF-1.7\n", "application/pdf"},
		{"A.PDF", "%PDF-1.4", "application/pdf"},
		{"a.docx", "PK\x03\x04rest", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a.ofd", "PK\x03\x04", "application/ofd"},
		{"a.doc", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "application/msword"},
		{"a.png", "\x89PNG\r\n\x1a\nxxxx", "image/png"},
		{"a.pdf", "<html><script>", ""}, // content does not match the name
		{"a.docx", "%PDF-1.4", ""},      // a PDF dressed as Word
		{"a.exe", "MZ\x90\x00", ""},     // not an attachment type
		{"noext", "%PDF-1.4", ""},       // no extension
		{"a.jpg", "\xFF\xD8\xFF\xE0", "image/jpeg"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.want, func(t *testing.T) {
			got, err := Sniff(tc.name, []byte(tc.head))
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted as %s", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestPutIsContentAddressed(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, n, err := s.Put(strings.NewReader("附件内容"))
	if err != nil || n != int64(len("附件内容")) {
		t.Fatalf("put: %v %d", err, n)
	}
	b, _, err := s.Put(strings.NewReader("附件内容"))
	if err != nil || a != b {
		t.Fatalf("same bytes, different hashes: %s %s (%v)", a, b, err)
	}
	f, err := s.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := io.ReadAll(f)
	if string(got) != "附件内容" {
		t.Fatalf("read back %q", got)
	}
	if _, err := s.Open("../../etc/passwd"); err == nil {
		t.Fatal("a path outside the store was opened")
	}
}
