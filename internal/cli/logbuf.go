package cli

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logBuffer gathers the server's log lines and writes them in batches.
// Written one by one, each request's line costs a write(2) of its own,
// which is the largest cost of a page served from memory after sending
// the page itself. A line reaches the output within the flush interval,
// at once when it is a warning or an error (see flushOnWarn), and on
// Close; a process killed outright loses at most the last interval.
type logBuffer struct {
	mu     sync.Mutex
	out    io.Writer
	w      *bufio.Writer
	closed bool // after Close, lines go straight out
	stop   chan struct{}
	done   chan struct{}
}

// logBufferSize is how much is gathered before it is written regardless
// of the interval.
const logBufferSize = 64 << 10

func newLogBuffer(out io.Writer, every time.Duration) *logBuffer {
	b := &logBuffer{out: out, w: bufio.NewWriterSize(out, logBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = b.Flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write takes one line (slog writes a record in one call).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.out.Write(p)
	}
	n, err := b.w.Write(p)
	b.clearFailure(err)
	return n, err
}

// Flush writes what was gathered.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.w.Flush()
	b.clearFailure(err)
	return err
}

// clearFailure clears a failed write: a bufio.Writer fails every later write
// once one failed, and the output (a pipe, a terminal) may take lines
// again later. What was gathered with the failure is lost.
func (b *logBuffer) clearFailure(err error) {
	if err != nil {
		b.w.Reset(b.out)
	}
}

// Close stops the interval's flushes and writes what is left; lines that
// come after (a goroutine still ending) are written as they come.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return b.w.Flush()
}

// flushOnWarn is a handler whose warnings and errors reach the output at
// once, with the lines gathered before them.
type flushOnWarn struct {
	slog.Handler
	buf *logBuffer
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.buf.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushOnWarn) WithAttrs(as []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(as), h.buf}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.buf}
}
