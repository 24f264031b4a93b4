package cli

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flusher's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Info lines wait for the interval or for Close; a warning takes them out
// at once; lines written at the same time stay whole.
func TestLogBuffer(t *testing.T) {
	var out syncBuffer
	buf := newLogBuffer(&out, time.Hour)
	log := slog.New(flushOnWarn{slog.NewJSONHandler(buf, nil), buf}).With(slog.String("svc", "portal"))
	log.Info("http request", slog.Int("n", 1))
	if got := out.String(); got != "" {
		t.Fatalf("an info line was written before the interval: %q", got)
	}
	log.Warn("store slow")
	if got := out.String(); !strings.Contains(got, `"n":1`) || !strings.Contains(got, `"msg":"store slow"`) || !strings.Contains(got, `"svc":"portal"`) {
		t.Fatalf("after a warning: %q", got)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 500 {
				log.Info("http request", slog.Int("worker", i), slog.String("path", strings.Repeat("x", 200)))
			}
		})
	}
	wg.Wait()
	if err := buf.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2+8*500 {
		t.Fatalf("%d lines, want %d", len(lines), 2+8*500)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, "{") || !strings.HasSuffix(l, "}") {
			t.Fatalf("line %d is not whole: %q", i, l)
		}
	}
}

// The interval's flush writes what waits without anyone asking.
func TestLogBufferInterval(t *testing.T) {
	var out syncBuffer
	buf := newLogBuffer(&out, 10*time.Millisecond)
	defer buf.Close()
	slog.New(slog.NewJSONHandler(buf, nil)).Info("http request")
	deadline := time.Now().Add(10 * time.Second)
	for out.String() == "" {
		if time.Now().After(deadline) {
			t.Fatal("the line was not written by the interval's flush")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// failing fails its first writes, then takes lines again.
type failing struct {
	syncBuffer
	fails int
}

func (f *failing) Write(p []byte) (int, error) {
	if f.fails > 0 {
		f.fails--
		return 0, errors.New("output gone")
	}
	return f.syncBuffer.Write(p)
}

// After a failed write the buffer takes lines again, and after Close a
// line goes straight out.
func TestLogBufferAfterFailureAndClose(t *testing.T) {
	out := &failing{fails: 1}
	buf := newLogBuffer(out, time.Hour)
	log := slog.New(flushOnWarn{slog.NewJSONHandler(buf, nil), buf})
	log.Warn("lost with the failed write")
	log.Warn("after the failure")
	if got := out.String(); !strings.Contains(got, "after the failure") {
		t.Fatalf("a line after a failed write: %q", got)
	}
	if err := buf.Close(); err != nil {
		t.Fatal(err)
	}
	log.Info("after close")
	if got := out.String(); !strings.Contains(got, "after close") {
		t.Errorf("a line after Close: %q", got)
	}
}
