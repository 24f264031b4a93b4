package opendata

import (
	"bufio"
	"io"
	"sync"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// sizeCache remembers the estimated download sizes of each dataset's
// current version: estimating writes a small XLSX workbook, which is worth
// doing once per version, not once per page view. It holds one entry per
// dataset (datasets are few).
type sizeCache struct {
	mu      sync.Mutex
	entries map[string]sizeEntry
}

type sizeEntry struct {
	version int
	sizes   SizeEstimate
}

func (c *sizeCache) estimate(id string, v store.DatasetVersion, sample [][]catalog.Value) SizeEstimate {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && e.version == v.Version {
		return e.sizes
	}
	sizes := estimateSizes(v.Fields, sample, v.RowCount)
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]sizeEntry{}
	}
	c.entries[id] = sizeEntry{version: v.Version, sizes: sizes}
	c.mu.Unlock()
	return sizes
}

// estimateSizes extrapolates the sizes of the full downloads from the
// first rows: the size of the document for the sample, plus the average
// bytes per row for every row beyond it. It is exact when the sample is
// the whole dataset (XLSX aside, whose compression varies).
func estimateSizes(fields []catalog.Field, sample [][]catalog.Value, total int64) SizeEstimate {
	est := SizeEstimate{Estimated: int64(len(sample)) < total}
	measure := func(format Format, rows [][]catalog.Value) int64 {
		var cw countWriter
		bw := bufio.NewWriter(&cw)
		rw := newRowWriter(format, bw, &cw, false)
		if rw.begin(fields) != nil {
			return 0
		}
		var cells [][]byte
		for _, row := range rows {
			cells = valueCells(cells, row)
			if rw.row(cells) != nil {
				return 0
			}
		}
		if rw.end() != nil || bw.Flush() != nil {
			return 0
		}
		return cw.n
	}
	extrapolate := func(format Format) int64 {
		full := measure(format, sample)
		if len(sample) == 0 || int64(len(sample)) >= total {
			return full
		}
		empty := measure(format, nil)
		perRow := float64(full-empty) / float64(len(sample))
		return full + int64(perRow*float64(total-int64(len(sample))))
	}
	est.CSV = extrapolate(CSV)
	est.JSON = extrapolate(JSON)
	est.XLSX = extrapolate(XLSX)
	return est
}

// countWriter counts bytes and keeps none.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
