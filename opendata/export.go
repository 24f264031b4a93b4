package opendata

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"gongkai/internal/store"
)

// writeBuffer is the buffer between the row writers and the response.
const writeBuffer = 256 << 10

// prefetchChunks is how many chunks of rows the store reader may have
// ready ahead of the writer.
const prefetchChunks = 2

// newRowWriter returns the writer of a format over w; XLSX writes its
// zip to raw when it ends.
func newRowWriter(format Format, w *bufio.Writer, raw io.Writer, bom bool) rowWriter {
	switch format {
	case JSON:
		return newJSONWriter(w, false)
	case JSONL:
		return newJSONWriter(w, true)
	case XLSX:
		return newXLSXWriter(raw)
	default:
		return newCSVWriter(w, bom)
	}
}

// StreamRows writes the rows of one version of a dataset that req selects
// to out in format. The version is fixed by the caller (pinned once), so
// the whole download reads one consistent set of rows. Rows are read from
// the store in chunks of cell text (no value per cell) and written as they
// come; tick runs after every chunk, for the caller to flush and extend
// deadlines. It returns the number of rows written.
//
// Reading and writing overlap: a goroutine reads the next chunks from the
// store while this one encodes and sends the current one. At most
// prefetchChunks chunks wait between them, and written chunks go back to
// the reader to be refilled, so memory stays flat.
func StreamRows(ctx context.Context, st *store.Store, id string, v store.DatasetVersion, req RowRequest, format Format, out io.Writer, tick func() error) (int64, error) {
	bw := bufio.NewWriterSize(out, writeBuffer)
	rw := newRowWriter(format, bw, out, req.BOM)
	if err := rw.begin(req.selectedFields(v.Fields)); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full := make(chan *store.CellChunk, prefetchChunks)
	free := make(chan *store.CellChunk, prefetchChunks+2)
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		readErr <- st.SelectDatasetCells(ctx, id, v.Version, req.selection(), nil, func(c *store.CellChunk) (*store.CellChunk, error) {
			select {
			case full <- c:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			select {
			case next := <-free:
				return next, nil
			default:
				return new(store.CellChunk), nil
			}
		})
	}()

	var n int64
	var err error
	var cells [][]byte
	for chunk := range full {
		for i := range chunk.Len() {
			cells = chunk.Row(i, cells)
			if err = rw.row(cells); err != nil {
				break
			}
			n++
		}
		if err == nil {
			err = bw.Flush()
		}
		if err == nil && tick != nil {
			err = tick()
		}
		if err != nil {
			cancel()
			for range full {
				// Let the reader see the cancellation and finish.
			}
			<-readErr
			return n, err
		}
		select {
		case free <- chunk:
		default:
		}
	}
	if err := <-readErr; err != nil {
		return n, err
	}
	if err := rw.end(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// responseSink is the writer a download streams into: it counts the bytes
// sent, extends the write deadline before writing when the last extension
// is getting old (so that a long export, or an XLSX workbook assembled
// before its first byte, is not cut off by the server's WriteTimeout),
// and compresses with gzip when asked to.
type responseSink struct {
	w        http.ResponseWriter
	rc       *http.ResponseController
	timeout  time.Duration
	extended time.Time
	bytes    int64
	started  bool // something reached the client: the status is sent
	gz       *gzip.Writer
	// keep, when set, gathers the bytes sent (as sent: compressed if gzip
	// is on) so that the whole download can be kept; it is dropped once
	// it would pass keepMax.
	keep    *bytes.Buffer
	keepMax int
}

func newResponseSink(w http.ResponseWriter, timeout time.Duration, compress bool) *responseSink {
	s := &responseSink{w: w, rc: http.NewResponseController(w), timeout: timeout}
	if compress {
		// BestSpeed: the export is bound by compression time otherwise,
		// and CSV still shrinks several times.
		s.gz, _ = gzip.NewWriterLevel(rawSink{s}, gzip.BestSpeed)
	}
	s.extend()
	return s
}

// extend moves the write deadline; errors mean the writer has no deadline
// to move (tests, HTTP/2 with its own flow control), which is fine.
func (s *responseSink) extend() {
	s.extended = time.Now()
	_ = s.rc.SetWriteDeadline(s.extended.Add(s.timeout))
}

// Write takes the document bytes (compressed if gzip is on).
func (s *responseSink) Write(p []byte) (int, error) {
	if s.gz != nil {
		return s.gz.Write(p)
	}
	return rawSink{s}.Write(p)
}

// tick pushes what is buffered to the client and extends the deadline.
func (s *responseSink) tick() error {
	if s.gz != nil {
		if err := s.gz.Flush(); err != nil {
			return err
		}
	}
	s.extend()
	s.started = true
	if err := s.rc.Flush(); err != nil && err != http.ErrNotSupported {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// close ends the gzip stream.
func (s *responseSink) close() error {
	if s.gz != nil {
		return s.gz.Close()
	}
	return nil
}

// rawSink writes to the response itself.
type rawSink struct{ s *responseSink }

func (r rawSink) Write(p []byte) (int, error) {
	s := r.s
	if time.Since(s.extended) > s.timeout/4 {
		s.extend()
	}
	s.started = true
	n, err := s.w.Write(p)
	s.bytes += int64(n)
	if s.keep != nil {
		if s.keep.Len()+n > s.keepMax {
			s.keep = nil
		} else {
			s.keep.Write(p[:n])
		}
	}
	return n, err
}
