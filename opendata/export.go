package opendata

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// tickRows is how many rows are written between flushes to the client
// (and write-deadline extensions): the store reads rows in chunks of the
// same size.
const tickRows = 1000

// writeBuffer is the buffer between the row writers and the response.
const writeBuffer = 64 << 10

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
// the store in chunks and written as they come; tick runs after every
// chunk of tickRows rows, for the caller to flush and extend deadlines.
// It returns the number of rows written.
//
// Reading and writing overlap: a goroutine reads the next chunks from the
// store while this one encodes and sends the current one. At most
// prefetchChunks chunks wait between them, so memory stays flat.
func StreamRows(ctx context.Context, st *store.Store, id string, v store.DatasetVersion, req RowRequest, format Format, out io.Writer, tick func() error) (int64, error) {
	bw := bufio.NewWriterSize(out, writeBuffer)
	rw := newRowWriter(format, bw, out, req.BOM)
	if err := rw.begin(req.selectedFields(v.Fields)); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan [][]catalog.Value, prefetchChunks)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		send := func(c [][]catalog.Value) error {
			select {
			case chunks <- c:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		chunk := make([][]catalog.Value, 0, tickRows)
		err := st.SelectDatasetRows(ctx, id, v.Version, req.selection(), func(_ int64, row []catalog.Value) error {
			chunk = append(chunk, row)
			if len(chunk) < tickRows {
				return nil
			}
			err := send(chunk)
			chunk = make([][]catalog.Value, 0, tickRows)
			return err
		})
		if err == nil && len(chunk) > 0 {
			err = send(chunk)
		}
		readErr <- err
	}()

	var n int64
	var err error
	for chunk := range chunks {
		for _, row := range chunk {
			if err = rw.row(row); err != nil {
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
			for range chunks {
				// Let the reader see the cancellation and finish.
			}
			<-readErr
			return n, err
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
	return n, err
}
