package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Published is the outcome of publishing one dataset.
type Published struct {
	Dataset string            `json:"dataset"`
	Result  store.WriteResult `json:"-"`
	Version int               `json:"version"` // the live version afterwards
	Rows    int64             `json:"rows"`    // rows of the CSV given
}

// BadRowsError is a dataset whose CSV has cells that do not fit their
// fields: nothing was written and the previous version stays live.
type BadRowsError struct {
	Dataset  string
	BadRows  int        // rows with at least one bad cell
	Problems int        // bad cells (or rows with the wrong cell count)
	Rows     []RowError // the first of them, in file order
	check    csvCheck
}

func (e *BadRowsError) Error() string { return e.check.rejection().Error() }

// PublishDataset publishes a new version of one dataset from its metadata
// and a CSV file at csvPath, the way an import line does: the CSV is
// checked in full first, and any bad row rejects the whole version (a
// *BadRowsError listing the rows) with the previous version left live;
// identical content changes nothing; otherwise the rows replace the old
// ones atomically and the change log records it. in.CSV only names the
// file in messages. Problems with the metadata, or a CSV whose header does
// not match the fields or that cannot be read as CSV, are
// catalog.FieldErrors.
func (im *Importer) PublishDataset(ctx context.Context, in catalog.DatasetInput, csvPath string) (Published, error) {
	name := strings.TrimSpace(in.CSV)
	if name == "" {
		name = "csv"
		in.CSV = name
	}
	meta, err := in.ToDataset()
	fe, _ := catalog.AsFieldErrors(err)
	if catalog.ValidUnitCode(meta.Unit) {
		if _, err := im.st.Unit(ctx, meta.Unit); errors.Is(err, store.ErrNotFound) {
			fe.Add("unit", fmt.Sprintf("单位 %q 不存在 (unknown unit)", meta.Unit))
		} else if err != nil {
			return Published{}, err
		}
	}
	if len(fe) > 0 {
		return Published{}, fe
	}
	out := Published{Dataset: meta.ID}

	file := im.pathCSV(csvPath, name)
	check, err := checkDatasetCSV(ctx, file, meta.Fields)
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		return out, catalog.FieldErrors{{Field: "csv", Reason: err.Error()}}
	}
	out.Rows = check.rows
	if check.badRows > 0 {
		for i := range check.errs {
			check.errs[i].Dataset = meta.ID
		}
		return out, &BadRowsError{Dataset: meta.ID, BadRows: check.badRows, Problems: check.problems, Rows: check.errs, check: check}
	}

	// Leave identical content alone without writing its rows again.
	metaHash, rowsHash, err := im.st.DatasetFingerprint(ctx, meta.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return out, err
	case metaHash == store.MetaHash(meta) && rowsHash == check.rowsHash:
		cur, err := im.st.Dataset(ctx, meta.ID)
		if err != nil {
			return out, err
		}
		out.Result, out.Version = store.Unchanged, cur.Version
		return out, nil
	}

	err = im.st.WithTx(ctx, func(t *store.Tx) error {
		src, err := openDatasetCSV(file, meta.Fields)
		if err != nil {
			return err
		}
		defer src.Close()
		out.Result, out.Version, err = t.SaveDatasetVersion(ctx, meta, src)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("ingest: publish dataset %q: %w", meta.ID, err)
	}
	return out, nil
}
