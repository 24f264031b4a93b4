package extract

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// Readers left behind at their deadline are counted until they end; past
// maxStragglers a PDF is refused at once with ErrBusy, and once one of
// them ends PDFs are read again.
func TestStragglersAreBounded(t *testing.T) {
	// Readers that earlier tests left behind at a deadline end soon: their
	// own loops check the context.
	for stragglers.Load() != 0 {
		time.Sleep(time.Millisecond)
	}
	release := make(chan struct{})
	var ended []chan struct{}
	for range maxStragglers {
		ctx, cancel := context.WithCancel(context.Background())
		started, end := make(chan struct{}), make(chan struct{})
		ended = append(ended, end)
		go func() { <-started; cancel() }()
		err := runApart(ctx, func() error {
			close(started)
			<-release
			defer close(end)
			return nil
		})
		if err != errLeftBehind {
			t.Fatalf("a reader past its deadline: %v, want it left behind", err)
		}
	}
	if n := stragglers.Load(); n != maxStragglers {
		t.Fatalf("%d stragglers counted, want %d", n, maxStragglers)
	}
	ran := false
	err := runApart(context.Background(), func() error { ran = true; return nil })
	if !errors.Is(err, ErrBusy) || ran {
		t.Fatalf("with %d readers left behind: %v (ran %v), want ErrBusy without running", maxStragglers, err, ran)
	}
	// A PDF through the public API is refused the same way, as a failure
	// the indexer counts.
	if _, err := Text(context.Background(), "pdf", pdfOf([]string{"文字"}), Limits{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Text: %v, want ErrBusy", err)
	}

	close(release)
	for _, end := range ended {
		<-end
	}
	for stragglers.Load() != 0 {
		runtime.Gosched() // the count drops as each goroutine returns
	}
	text, err := Text(context.Background(), "pdf", pdfOf([]string{"文字"}), Limits{})
	if err != nil || text == "" {
		t.Fatalf("after the readers ended: %q, %v", text, err)
	}
}

// A reader that ends in time is not counted, and its panic is a malformed
// file.
func TestRunApartInTime(t *testing.T) {
	want := errors.New("done")
	if err := runApart(context.Background(), func() error { return want }); err != want {
		t.Fatalf("err %v", err)
	}
	if err := runApart(context.Background(), func() error { panic("boom") }); !errors.Is(err, ErrMalformed) {
		t.Fatalf("panic: %v", err)
	}
}
