package ingest

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// A source that holds more than the bound fails once past it, after
// giving exactly the bound; one that holds the bound reads to its end.
// (A file that grows after it was looked at is such a source.)
func TestBoundedReader(t *testing.T) {
	tests := []struct {
		size, limit int64
		tooBig      bool
	}{
		{0, 0, false}, {1, 0, true}, {10, 10, false}, {11, 10, true}, {1 << 20, 1000, true}, {999, 1000, false},
	}
	for _, tc := range tests {
		src := io.LimitReader(endless{}, tc.size)
		// Small reads, as a CSV reader's buffer makes them, and large ones.
		for _, chunk := range []int{1, 7, 64 << 10} {
			r := newBoundedReader(src, "f.csv", tc.limit)
			var got int64
			var err error
			buf := make([]byte, chunk)
			for {
				var n int
				n, err = r.Read(buf)
				got += int64(n)
				if err != nil {
					break
				}
			}
			var big *errTooBig
			switch {
			case tc.tooBig && (!errors.As(err, &big) || got != tc.limit):
				t.Errorf("size %d limit %d chunk %d: read %d, err %v; want %d bytes then the bound", tc.size, tc.limit, chunk, got, err, tc.limit)
			case !tc.tooBig && (err != io.EOF || got != tc.size):
				t.Errorf("size %d limit %d chunk %d: read %d, err %v; want all and EOF", tc.size, tc.limit, chunk, got, err)
			}
			src = io.LimitReader(endless{}, tc.size)
		}
	}
	if msg := (&errTooBig{name: "a.pdf", limit: 50 << 20}).Error(); !strings.Contains(msg, "larger than 50 MB") {
		t.Errorf("message %q", msg)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
