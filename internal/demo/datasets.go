package demo

import (
	"bufio"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"gongkai/internal/catalog"
)

// datasetDef describes an open dataset and how to make its rows.
type datasetDef struct {
	ID, Unit, Title, Description, Domain, Frequency, OpenType string
	Keywords                                                  []string
	// Age is how long before Now the dataset was first published.
	Age    time.Duration
	Share  float64 // share of Options.DatasetRows
	Fields []catalog.Field
	// Rows prepares a generator of n rows; the returned function is called
	// for i = 0..n-1 in order and returns the values in Fields order.
	Rows func(g *rowGen, n int) func(i int) []string
}

// rowGen carries what row generators share.
type rowGen struct {
	r   *rand.Rand
	now time.Time
}

const (
	licenseBy   = "临沂市公共数据开放许可协议（署名）"
	licenseBySA = "临沂市公共数据开放许可协议（署名—相同方式共享）"
	day         = 24 * time.Hour
)

// datasetRowCounts splits total over the datasets by share; every dataset
// gets at least one row when there are enough, and the rounding rest goes
// to the largest.
func datasetRowCounts(total int) []int {
	counts := make([]int, len(datasets))
	used, largest := 0, 0
	for i, d := range datasets {
		counts[i] = int(float64(total) * d.Share)
		if counts[i] == 0 && total >= len(datasets) {
			counts[i] = 1
		}
		used += counts[i]
		if d.Share > datasets[largest].Share {
			largest = i
		}
	}
	counts[largest] += total - used
	for counts[largest] < 0 { // only for totals below the dataset count
		for i := range counts {
			if counts[i] > 0 && counts[largest] < 0 {
				counts[i]--
				counts[largest]++
			}
		}
	}
	return counts
}

// writeDatasets writes datasets.jsonl and one CSV per dataset.
func writeDatasets(ctx context.Context, w *bufio.Writer, dir string, seed int64, total int, now time.Time, m *Manifest) error {
	enc := newLineEncoder(w)
	counts := datasetRowCounts(total)
	for i := range datasets {
		d := &datasets[i]
		rel := "data/" + d.ID + ".csv"
		g := &rowGen{r: newRand(seed, "dataset:"+d.ID), now: now}
		if err := writeCSV(ctx, filepath.Join(dir, filepath.FromSlash(rel)), d, g, counts[i]); err != nil {
			return err
		}
		published := now.Add(-d.Age)
		if published.Before(catalogStart) {
			published = catalogStart.AddDate(1, 2, 0)
		}
		line := catalog.DatasetInput{
			ID: d.ID, Unit: d.Unit, Title: d.Title, Description: d.Description, Domain: d.Domain,
			UpdateFrequency: d.Frequency, OpenType: d.OpenType, License: licenseBy, Keywords: d.Keywords,
			PublishedAt: published.Format(time.DateOnly), CSV: rel, Fields: d.Fields,
		}
		if d.OpenType == "有条件开放" {
			line.License = licenseBySA
		}
		if err := enc.Encode(&line); err != nil {
			return err
		}
		m.Datasets++
		m.DatasetRows += counts[i]
	}
	return nil
}

func writeCSV(ctx context.Context, path string, d *datasetDef, g *rowGen, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	cw := csv.NewWriter(bw)
	header := make([]string, len(d.Fields))
	for i, fd := range d.Fields {
		header[i] = fd.Name
	}
	err = cw.Write(header)
	next := d.Rows(g, n)
	for i := 0; i < n && err == nil; i++ {
		if i%1024 == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
		err = cw.Write(next(i))
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
