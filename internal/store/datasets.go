package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/catalog"
)

// KeepVersions is how many versions of a dataset keep their row tables:
// the live one and the four before it. Older tables are dropped when a new
// version is saved; their version records stay, marked dropped.
const KeepVersions = 5

// States of a dataset version.
const (
	VersionLive     = "live"    // the version readers get by default
	VersionKept     = "kept"    // an older version whose rows are still kept
	VersionDropped  = "dropped" // an older version whose rows were removed
	versionBuilding = "building"
)

// rowChunk is how many rows one read query fetches; rows are read chunk
// by chunk with keyset paging, so memory stays flat for any dataset.
const rowChunk = 1000

// maxBatchBytes bounds the text held for one multi-row insert, for
// datasets with very long cells.
const maxBatchBytes = 4 << 20

// RowSource yields a dataset's rows one at a time, so that a dataset of any
// size streams into its version table.
type RowSource interface {
	// Next returns the next row, its values in field order, or io.EOF
	// after the last row.
	Next() ([]catalog.Value, error)
}

type sliceRows struct {
	rows [][]catalog.Value
	next int
}

func (s *sliceRows) Next() ([]catalog.Value, error) {
	if s.next >= len(s.rows) {
		return nil, io.EOF
	}
	s.next++
	return s.rows[s.next-1], nil
}

// RowsOf is a RowSource over rows already in memory (small datasets, tests).
func RowsOf(rows [][]catalog.Value) RowSource { return &sliceRows{rows: rows} }

// RowHasher fingerprints a dataset's rows together with its field names and
// types, so that an importer can tell unchanged data before writing it.
// SaveDatasetVersion computes the same fingerprint while it writes.
type RowHasher struct {
	h    hash.Hash
	n    int64
	tmp  [binary.MaxVarintLen64]byte
	cols int
}

// NewRowHasher starts a fingerprint for rows of the given fields.
func NewRowHasher(fields []catalog.Field) *RowHasher {
	h := &RowHasher{h: sha256.New(), cols: len(fields)}
	for _, f := range fields {
		h.text(f.Name)
		h.text(f.Type)
	}
	return h
}

func (h *RowHasher) text(s string) {
	n := binary.PutUvarint(h.tmp[:], uint64(len(s)))
	h.h.Write(h.tmp[:n])
	io.WriteString(h.h, s)
}

// Add adds one row (in field order).
func (h *RowHasher) Add(row []catalog.Value) {
	h.h.Write([]byte{'R'})
	for _, v := range row {
		if v.Null {
			h.h.Write([]byte{'N'})
			continue
		}
		h.h.Write([]byte{'V'})
		h.text(v.Text)
	}
	h.n++
}

// Rows returns how many rows were added.
func (h *RowHasher) Rows() int64 { return h.n }

// Sum returns the fingerprint as hex.
func (h *RowHasher) Sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// MetaHash fingerprints a dataset's metadata (fields with their titles and
// descriptions included).
func MetaHash(d catalog.Dataset) string {
	var pub *int64
	if d.PublishedAt != nil {
		ms := Millis(*d.PublishedAt)
		pub = &ms
	}
	b, _ := json.Marshal(struct {
		catalog.Dataset
		PublishedAt *int64 `json:"published_at"`
	}{d, pub})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// DatasetRecord is a dataset's metadata with the state of its live version.
type DatasetRecord struct {
	catalog.Dataset
	Version   int       `json:"version"`
	RowCount  int64     `json:"row_count"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DatasetVersion is one version of a dataset's rows.
type DatasetVersion struct {
	Version      int             `json:"version"`
	RowCount     int64           `json:"row_count"`
	Fields       []catalog.Field `json:"fields"`
	PublishedAt  *time.Time      `json:"published_at,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	RejectedRows int64           `json:"rejected_rows"`
	State        string          `json:"state"`
}

type datasetRecord struct {
	ID              string `db:"id"`
	Unit            string `db:"unit"`
	Title           string `db:"title"`
	Description     string `db:"description"`
	Domain          string `db:"domain"`
	UpdateFrequency string `db:"update_frequency"`
	OpenType        string `db:"open_type"`
	License         string `db:"license"`
	Keywords        string `db:"keywords"`
	Fields          string `db:"fields"`
	PublishedAt     *int64 `db:"published_at"`
	CurrentVersion  int    `db:"current_version"`
	RowCount        int64  `db:"row_count"`
	CreatedAt       int64  `db:"created_at"`
	UpdatedAt       int64  `db:"updated_at"`
}

const datasetSelect = `SELECT id, unit, title, description, domain, update_frequency, open_type, license,
 keywords, fields, published_at, current_version, row_count, created_at, updated_at FROM datasets`

func (r datasetRecord) record() (DatasetRecord, error) {
	d := DatasetRecord{Dataset: catalog.Dataset{ID: r.ID, Unit: r.Unit, Title: r.Title, Description: r.Description,
		Domain: r.Domain, UpdateFrequency: r.UpdateFrequency, OpenType: r.OpenType, License: r.License},
		Version: r.CurrentVersion, RowCount: r.RowCount, CreatedAt: FromMillis(r.CreatedAt), UpdatedAt: FromMillis(r.UpdatedAt)}
	if r.PublishedAt != nil {
		t := FromMillis(*r.PublishedAt)
		d.PublishedAt = &t
	}
	if err := json.Unmarshal([]byte(r.Keywords), &d.Keywords); err != nil {
		return d, fmt.Errorf("store: keywords of dataset %q: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Fields), &d.Fields); err != nil {
		return d, fmt.Errorf("store: fields of dataset %q: %w", r.ID, err)
	}
	if d.Keywords == nil {
		d.Keywords = []string{}
	}
	return d, nil
}

// SaveDatasetVersion stores a dataset's metadata and rows in its own
// transaction; see Tx.SaveDatasetVersion.
func (s *Store) SaveDatasetVersion(ctx context.Context, meta catalog.Dataset, rows RowSource) (WriteResult, int, error) {
	var res WriteResult
	var version int
	err := s.inTx(ctx, func(t *Tx) error {
		var err error
		res, version, err = t.SaveDatasetVersion(ctx, meta, rows)
		return err
	})
	return res, version, err
}

// SaveDatasetVersion writes rows into a new version table and, in the same
// transaction, makes it the live version, so readers see the old rows or
// the new ones and never a mix. It returns the live version number after
// the write.
//
// Identical content (same metadata, same rows) changes nothing: Unchanged.
// Changed metadata over identical rows updates the metadata of the live
// version in place (Updated, same version number): a new version is made
// only when the rows, or their field names or types, change. A version
// table is always written first and dropped again when the rows turn out
// identical; importers that want to skip that work compare
// DatasetFingerprint with a RowHasher beforehand.
//
// The rows' values must have the types of meta.Fields, in field order. The
// unit must exist. The row tables of the last KeepVersions versions are
// kept; older ones are dropped in the same transaction.
func (t *Tx) SaveDatasetVersion(ctx context.Context, meta catalog.Dataset, rows RowSource) (WriteResult, int, error) {
	if err := meta.Validate(); err != nil {
		return 0, 0, err
	}
	var n int
	if err := t.get(ctx, &n, `SELECT COUNT(*) FROM units WHERE code = ?`, meta.Unit); err != nil {
		return 0, 0, fmt.Errorf("store: dataset unit: %w", err)
	}
	if n == 0 {
		return 0, 0, catalog.FieldErrors{{Field: "unit", Reason: fmt.Sprintf("单位 %q 不存在，请先导入单位 (unknown unit)", meta.Unit)}}
	}
	kw, err := json.Marshal(meta.Keywords)
	if err != nil {
		return 0, 0, fmt.Errorf("store: dataset %q keywords: %w", meta.ID, err)
	}
	fields, err := json.Marshal(meta.Fields)
	if err != nil {
		return 0, 0, fmt.Errorf("store: dataset %q fields: %w", meta.ID, err)
	}
	var pub any
	if meta.PublishedAt != nil {
		pub = Millis(*meta.PublishedAt)
	}
	metaHash := MetaHash(meta)
	now := nowMillis()

	// A placeholder row for a new dataset, so that there is a row to lock;
	// nobody sees it before the commit, when it has its version.
	res, err := t.exec(ctx, `INSERT INTO datasets (id, unit, title, keywords, fields, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, meta.ID, meta.Unit, meta.Title, string(kw), string(fields), now, now)
	if err != nil {
		return 0, 0, fmt.Errorf("store: insert dataset %q: %w", meta.ID, err)
	}
	affected, err := res.RowsAffected()
	if err != nil {
		return 0, 0, fmt.Errorf("store: insert dataset %q: %w", meta.ID, err)
	}
	added := affected == 1
	lock := ""
	if t.dialect == Postgres {
		lock = " FOR UPDATE" // serialises concurrent imports of one dataset
	}
	var cur struct {
		Version  int    `db:"current_version"`
		MetaHash string `db:"meta_hash"`
		RowsHash string `db:"rows_hash"`
	}
	if err := t.get(ctx, &cur, `SELECT current_version, meta_hash, rows_hash FROM datasets WHERE id = ?`+lock, meta.ID); err != nil {
		return 0, 0, notFound(err, fmt.Sprintf("dataset %q", meta.ID))
	}

	version := cur.Version + 1
	var vid int64
	if err := t.get(ctx, &vid, `INSERT INTO dataset_versions (dataset_id, version, fields, meta_hash, published_at, created_at, state)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, meta.ID, version, string(fields), metaHash, pub, now, versionBuilding); err != nil {
		return 0, 0, fmt.Errorf("store: add version %d of dataset %q: %w", version, meta.ID, err)
	}
	table := rowTableName(vid)
	if err := t.createRowTable(ctx, table, meta.Fields); err != nil {
		return 0, 0, err
	}
	count, rowsHash, err := t.fillRowTable(ctx, table, meta, rows)
	if err != nil {
		return 0, 0, err
	}
	if t.dialect == Postgres {
		// A new table has no statistics until autovacuum comes by: without
		// them a filtered row page is planned as a full scan.
		if _, err := t.exec(ctx, `ANALYZE `+table); err != nil {
			return 0, 0, fmt.Errorf("store: analyze %s: %w", table, err)
		}
	}

	metaSets := `unit = ?, title = ?, description = ?, domain = ?, update_frequency = ?, open_type = ?, license = ?,
 keywords = ?, fields = ?, published_at = ?, meta_hash = ?, updated_at = ?`
	metaArgs := []any{meta.Unit, meta.Title, meta.Description, meta.Domain, meta.UpdateFrequency, meta.OpenType, meta.License,
		string(kw), string(fields), pub, metaHash, now}

	if cur.Version > 0 && rowsHash == cur.RowsHash {
		if _, err := t.exec(ctx, `DROP TABLE `+table); err != nil {
			return 0, 0, fmt.Errorf("store: drop %s: %w", table, err)
		}
		if _, err := t.exec(ctx, `DELETE FROM dataset_versions WHERE id = ?`, vid); err != nil {
			return 0, 0, fmt.Errorf("store: dataset %q: %w", meta.ID, err)
		}
		if metaHash == cur.MetaHash {
			return Unchanged, cur.Version, nil
		}
		if _, err := t.exec(ctx, `UPDATE datasets SET `+metaSets+` WHERE id = ?`, append(metaArgs, meta.ID)...); err != nil {
			return 0, 0, fmt.Errorf("store: update dataset %q: %w", meta.ID, err)
		}
		if _, err := t.exec(ctx, `UPDATE dataset_versions SET fields = ?, meta_hash = ?, published_at = ? WHERE dataset_id = ? AND version = ?`,
			string(fields), metaHash, pub, meta.ID, cur.Version); err != nil {
			return 0, 0, fmt.Errorf("store: update dataset %q: %w", meta.ID, err)
		}
		return Updated, cur.Version, t.appendChanges(ctx, []ChangeRef{{ChangeDataset, meta.ID, OpUpsert}})
	}

	if _, err := t.exec(ctx, `UPDATE dataset_versions SET state = ? WHERE dataset_id = ? AND state = ?`, VersionKept, meta.ID, VersionLive); err != nil {
		return 0, 0, fmt.Errorf("store: dataset %q: %w", meta.ID, err)
	}
	if _, err := t.exec(ctx, `UPDATE dataset_versions SET row_table = ?, row_count = ?, rows_hash = ?, state = ? WHERE id = ?`,
		table, count, rowsHash, VersionLive, vid); err != nil {
		return 0, 0, fmt.Errorf("store: dataset %q: %w", meta.ID, err)
	}
	args := append(metaArgs, version, count, rowsHash, meta.ID)
	if _, err := t.exec(ctx, `UPDATE datasets SET `+metaSets+`, current_version = ?, row_count = ?, rows_hash = ? WHERE id = ?`, args...); err != nil {
		return 0, 0, fmt.Errorf("store: update dataset %q: %w", meta.ID, err)
	}
	if err := t.dropOldVersions(ctx, meta.ID); err != nil {
		return 0, 0, err
	}
	result := Updated
	if added {
		result = Added
	}
	return result, version, t.appendChanges(ctx, []ChangeRef{{ChangeDataset, meta.ID, OpUpsert}})
}

// Row tables are named from the version's serial number only, never from
// anything a user wrote; rowTableRE double-checks names read back.
var rowTableRE = regexp.MustCompile(`^dsrows_[0-9]+$`)

func rowTableName(versionID int64) string { return "dsrows_" + strconv.FormatInt(versionID, 10) }

// rowColumn returns the row table's column for the field at position i.
func rowColumn(i int) string { return "c" + strconv.Itoa(i+1) }

// rowColumnType is the SQL type a field's values are kept in. Numbers are
// exact NUMERIC on PostgreSQL and TEXT on SQLite, whose NUMERIC would turn
// them into floating point; either way the digits come back as written.
func rowColumnType(d Dialect, typ string) string {
	switch typ {
	case catalog.TypeInteger:
		return "BIGINT"
	case catalog.TypeNumber:
		if d == Postgres {
			return "NUMERIC"
		}
		return "TEXT"
	case catalog.TypeBoolean:
		return "BOOLEAN"
	default:
		return "TEXT"
	}
}

func (t *Tx) createRowTable(ctx context.Context, table string, fields []catalog.Field) error {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + table + " (_row ")
	if t.dialect == Postgres {
		b.WriteString("BIGINT PRIMARY KEY")
	} else {
		b.WriteString("INTEGER PRIMARY KEY") // the rowid itself: no second index
	}
	for i, f := range fields {
		b.WriteString(", " + rowColumn(i) + " " + rowColumnType(t.dialect, f.Type))
	}
	b.WriteString(")")
	if _, err := t.exec(ctx, b.String()); err != nil {
		return fmt.Errorf("store: create %s: %w", table, err)
	}
	return nil
}

// fillRowTable streams rows into table with multi-row inserts, numbering
// them from 1, and returns their count and fingerprint.
func (t *Tx) fillRowTable(ctx context.Context, table string, meta catalog.Dataset, rows RowSource) (int64, string, error) {
	cols := make([]string, len(meta.Fields)+1)
	cols[0] = "_row"
	for i := range meta.Fields {
		cols[i+1] = rowColumn(i)
	}
	perBatch := max(1, min(rowChunk, maxParams/len(cols)))
	hasher := NewRowHasher(meta.Fields)
	batch := make([][]any, 0, perBatch)
	batchBytes := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := t.insertRows(ctx, table, cols, batch, ""); err != nil {
			return fmt.Errorf("store: dataset %q: %w", meta.ID, err)
		}
		batch, batchBytes = batch[:0], 0
		return nil
	}
	var n int64
	for {
		row, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, "", fmt.Errorf("store: dataset %q: %w", meta.ID, err)
		}
		n++
		if len(row) != len(meta.Fields) {
			return 0, "", fmt.Errorf("store: dataset %q row %d has %d values for %d fields", meta.ID, n, len(row), len(meta.Fields))
		}
		vals := make([]any, len(cols))
		vals[0] = n
		for i, v := range row {
			if !v.Null && v.Type != meta.Fields[i].Type {
				return 0, "", fmt.Errorf("store: dataset %q row %d field %s: a %s value for a %s field", meta.ID, n, meta.Fields[i].Name, v.Type, meta.Fields[i].Type)
			}
			vals[i+1] = v.Native()
			batchBytes += len(v.Text)
		}
		hasher.Add(row)
		batch = append(batch, vals)
		if len(batch) == perBatch || batchBytes >= maxBatchBytes {
			if err := flush(); err != nil {
				return 0, "", err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, "", err
	}
	return n, hasher.Sum(), nil
}

// dropOldVersions drops the row tables of all but the newest KeepVersions
// versions of a dataset.
func (t *Tx) dropOldVersions(ctx context.Context, id string) error {
	var kept []struct {
		ID    int64  `db:"id"`
		Table string `db:"row_table"`
	}
	if err := t.sel(ctx, &kept, `SELECT id, row_table FROM dataset_versions WHERE dataset_id = ? AND row_table <> '' ORDER BY version DESC`, id); err != nil {
		return fmt.Errorf("store: versions of dataset %q: %w", id, err)
	}
	for _, v := range kept[min(KeepVersions, len(kept)):] {
		if !rowTableRE.MatchString(v.Table) {
			return fmt.Errorf("store: dataset %q: unexpected row table name %q", id, v.Table)
		}
		if _, err := t.exec(ctx, `DROP TABLE IF EXISTS `+v.Table); err != nil {
			return fmt.Errorf("store: drop %s: %w", v.Table, err)
		}
		if _, err := t.exec(ctx, `UPDATE dataset_versions SET row_table = '', state = ? WHERE id = ?`, VersionDropped, v.ID); err != nil {
			return fmt.Errorf("store: dataset %q: %w", id, err)
		}
	}
	return nil
}

// Dataset returns one dataset with its live version.
func (s *Store) Dataset(ctx context.Context, id string) (DatasetRecord, error) {
	var r datasetRecord
	if err := s.get(ctx, &r, datasetSelect+` WHERE id = ? AND current_version > 0`, id); err != nil {
		return DatasetRecord{}, notFound(err, fmt.Sprintf("dataset %q", id))
	}
	return r.record()
}

// Datasets returns every dataset, ordered by id.
func (s *Store) Datasets(ctx context.Context) ([]DatasetRecord, error) {
	var rs []datasetRecord
	if err := s.sel(ctx, &rs, datasetSelect+` WHERE current_version > 0 ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: datasets: %w", err)
	}
	out := make([]DatasetRecord, len(rs))
	for i, r := range rs {
		d, err := r.record()
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// DatasetFingerprint returns the metadata and row fingerprints of a
// dataset's live version (ErrNotFound when there is none), to compare with
// MetaHash and a RowHasher before importing.
func (s *Store) DatasetFingerprint(ctx context.Context, id string) (metaHash, rowsHash string, err error) {
	var r struct {
		Meta string `db:"meta_hash"`
		Rows string `db:"rows_hash"`
	}
	if err := s.get(ctx, &r, `SELECT meta_hash, rows_hash FROM datasets WHERE id = ? AND current_version > 0`, id); err != nil {
		return "", "", notFound(err, fmt.Sprintf("dataset %q", id))
	}
	return r.Meta, r.Rows, nil
}

type datasetVersionRecord struct {
	Version      int    `db:"version"`
	Table        string `db:"row_table"`
	RowCount     int64  `db:"row_count"`
	Fields       string `db:"fields"`
	PublishedAt  *int64 `db:"published_at"`
	CreatedAt    int64  `db:"created_at"`
	RejectedRows int64  `db:"rejected_rows"`
	State        string `db:"state"`
}

const datasetVersionSelect = `SELECT v.version, v.row_table, v.row_count, v.fields, v.published_at, v.created_at, v.rejected_rows, v.state FROM dataset_versions v`

func (r datasetVersionRecord) version() (DatasetVersion, error) {
	v := DatasetVersion{Version: r.Version, RowCount: r.RowCount, CreatedAt: FromMillis(r.CreatedAt),
		RejectedRows: r.RejectedRows, State: r.State}
	if r.PublishedAt != nil {
		t := FromMillis(*r.PublishedAt)
		v.PublishedAt = &t
	}
	if err := json.Unmarshal([]byte(r.Fields), &v.Fields); err != nil {
		return v, fmt.Errorf("store: fields of version %d: %w", r.Version, err)
	}
	return v, nil
}

// DatasetVersions returns a dataset's versions, newest first.
func (s *Store) DatasetVersions(ctx context.Context, id string) ([]DatasetVersion, error) {
	var rs []datasetVersionRecord
	if err := s.sel(ctx, &rs, datasetVersionSelect+` WHERE v.dataset_id = ? AND v.state <> ? ORDER BY v.version DESC`, id, versionBuilding); err != nil {
		return nil, fmt.Errorf("store: versions of dataset %q: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("store: dataset %q: %w", id, ErrNotFound)
	}
	out := make([]DatasetVersion, len(rs))
	for i, r := range rs {
		v, err := r.version()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

type pinnedVersion struct {
	DatasetVersion
	table string
}

// pinDatasetVersion resolves the version a read uses: the given one, or
// the live one when version is 0. Reading a pinned version is unaffected
// by newer versions committed meanwhile.
func (s *Store) pinDatasetVersion(ctx context.Context, id string, version int) (pinnedVersion, error) {
	var r datasetVersionRecord
	var err error
	if version == 0 {
		err = s.get(ctx, &r, datasetVersionSelect+` JOIN datasets d ON d.id = v.dataset_id AND d.current_version = v.version WHERE d.id = ?`, id)
	} else {
		err = s.get(ctx, &r, datasetVersionSelect+` WHERE v.dataset_id = ? AND v.version = ? AND v.state <> ?`, id, version, versionBuilding)
	}
	if err != nil {
		return pinnedVersion{}, notFound(err, fmt.Sprintf("dataset %q version %d", id, version))
	}
	if r.Table == "" {
		return pinnedVersion{}, fmt.Errorf("store: dataset %q version %d is no longer kept: %w", id, r.Version, ErrNotFound)
	}
	if !rowTableRE.MatchString(r.Table) {
		return pinnedVersion{}, fmt.Errorf("store: dataset %q: unexpected row table name %q", id, r.Table)
	}
	v, err := r.version()
	if err != nil {
		return pinnedVersion{}, err
	}
	return pinnedVersion{DatasetVersion: v, table: r.Table}, nil
}

func datasetFieldIndex(fields []catalog.Field, name string) int {
	return slices.IndexFunc(fields, func(f catalog.Field) bool { return f.Name == name })
}

// readChunk runs one chunk query and returns its rows, so that the
// connection is free again before the caller's function runs.
func (s *Store) readChunk(ctx context.Context, query string, args []any, fields []catalog.Field, idx []int) ([]int64, [][]catalog.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	rs, err := s.r.QueryContext(ctx, s.r.Rebind(query), args...)
	if err != nil {
		return nil, nil, err
	}
	defer rs.Close()
	var nums []int64
	var out [][]catalog.Value
	dest := make([]any, len(idx)+1)
	var num int64
	dest[0] = &num
	ints := make([]sql.NullInt64, len(idx))
	bools := make([]sql.NullBool, len(idx))
	texts := make([]sql.NullString, len(idx))
	for k, i := range idx {
		switch fields[i].Type {
		case catalog.TypeInteger:
			dest[k+1] = &ints[k]
		case catalog.TypeBoolean:
			dest[k+1] = &bools[k]
		default:
			dest[k+1] = &texts[k]
		}
	}
	for rs.Next() {
		if err := rs.Scan(dest...); err != nil {
			return nil, nil, err
		}
		row := make([]catalog.Value, len(idx))
		for k, i := range idx {
			typ := fields[i].Type
			switch {
			case typ == catalog.TypeInteger && ints[k].Valid:
				row[k] = catalog.IntegerValue(ints[k].Int64)
			case typ == catalog.TypeBoolean && bools[k].Valid:
				row[k] = catalog.BooleanValue(bools[k].Bool)
			case typ != catalog.TypeInteger && typ != catalog.TypeBoolean && texts[k].Valid:
				row[k] = catalog.TextValue(typ, texts[k].String)
			default:
				row[k] = catalog.NullValue(typ)
			}
		}
		nums = append(nums, num)
		out = append(out, row)
	}
	return nums, out, rs.Err()
}

// missingRowTable words the failure of a read whose version table was dropped
// after the read pinned it.
func missingRowTable(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "no such table") || (strings.Contains(msg, "relation") && strings.Contains(msg, "does not exist")) {
		return fmt.Errorf("the version is no longer kept: %w", ErrNotFound)
	}
	return err
}
