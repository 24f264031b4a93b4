package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"gongkai/internal/catalog"
)

// ErrNewerSchema refuses a backup made by a newer program than this one.
var ErrNewerSchema = errors.New("store: the backup is from a newer schema than this program knows")

// ErrNotEmpty refuses a restore into a store that holds anything.
var ErrNotEmpty = errors.New("store: the target store is not empty")

// LatestSchemaVersion is the schema version this program migrates a store to.
func LatestSchemaVersion() int { return migrations[len(migrations)-1].version }

// OpenForRestore connects to the database named by dsn and migrates it to
// version exactly, the schema a backup was taken at, so that the backup's
// rows go into the tables they came from; a restore of an older backup is
// followed by opening the store as usual, which migrates it on like any
// store. A target already past version is refused: a schema never goes
// back.
func OpenForRestore(ctx context.Context, dsn string, version int) (*Store, error) {
	latest := LatestSchemaVersion()
	if version > latest {
		return nil, fmt.Errorf("%w: the backup is at schema version %d, this program at %d; restore it with the newer gongkai that made it", ErrNewerSchema, version, latest)
	}
	if version < 1 {
		return nil, fmt.Errorf("store: restore: bad schema version %d", version)
	}
	s, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.migrateTo(ctx, version); err != nil {
		s.Close()
		return nil, err
	}
	have, err := s.SchemaVersion(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: restore: schema version: %w", err)
	}
	if have != version {
		s.Close()
		return nil, fmt.Errorf("store: restore: the target store is at schema version %d and the backup at %d: restore into a new database (an empty PostgreSQL database or a new SQLite file), which restore migrates to %d first", have, version, version)
	}
	return s, nil
}

// RestoreTable is a table of a backup with the number of rows it holds.
type RestoreTable struct {
	TableSchema
	Rows int64
}

// RestorePlan is what a backup says it holds.
type RestorePlan struct {
	SchemaVersion int
	ChangeSeq     int64
	AuditSeq      int64
	AuditHash     string
	Tables        []RestoreTable
	Sequences     map[string]int64
}

// RestoreInput is a restore's plan and where its data comes from.
type RestoreInput struct {
	Plan RestorePlan
	// Open returns a table's rows as Snapshot.DumpTable wrote them. The
	// reader may fail instead of ending, e.g. when the data does not match
	// its checksum: the restore then writes nothing.
	Open func(table string) (io.ReadCloser, error)
	// Loaded, when set, is told of each table once its rows are in.
	Loaded func(table string, rows int64)
	// BeforeCommit, when set, runs after every row is in and checked and
	// before the commit; its error undoes the restore.
	BeforeCommit func(ctx context.Context) error
}

// replacedOnRestore are the tables a fresh store already fills: the column
// template that opening a store writes, and the seed rows of the change
// log's and the audit log's counters. A restore replaces them with the
// backup's rows; every other table must be empty.
var replacedOnRestore = map[string]bool{"column_templates": true, "template_columns": true, "change_seq": true, "audit_head": true}

// CheckRestoreTarget tells whether the store is empty enough to restore
// into: ErrNotEmpty names what it holds.
func (s *Store) CheckRestoreTarget(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	tables, err := readTables(ctx, s.r, s.dialect)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	return checkEmpty(ctx, s.r, tables)
}

func checkEmpty(ctx context.Context, q queryer, tables []TableSchema) error {
	var held []string
	rowTables := 0
	for _, t := range tables {
		if rowTableRE.MatchString(t.Name) {
			rowTables++
			continue
		}
		var n int64
		switch {
		case t.Name == "change_seq" || t.Name == "audit_head":
			if err := sqlx.GetContext(ctx, q, &n, `SELECT COALESCE(MAX(seq), 0) FROM `+quoteIdent(t.Name)); err != nil {
				return fmt.Errorf("store: restore: %s: %w", t.Name, err)
			}
			if n != 0 {
				held = append(held, fmt.Sprintf("%s (standing at %d)", t.Name, n))
			}
			continue
		case replacedOnRestore[t.Name]:
			continue
		}
		var some int64
		if err := sqlx.GetContext(ctx, q, &some, `SELECT COUNT(*) FROM (SELECT 1 FROM `+quoteIdent(t.Name)+` LIMIT 1) AS one`); err != nil {
			return fmt.Errorf("store: restore: %s: %w", t.Name, err)
		}
		if some == 0 {
			continue
		}
		if err := sqlx.GetContext(ctx, q, &n, `SELECT COUNT(*) FROM `+quoteIdent(t.Name)); err != nil {
			return fmt.Errorf("store: restore: %s: %w", t.Name, err)
		}
		unit := "rows"
		if n == 1 {
			unit = "row"
		}
		held = append(held, fmt.Sprintf("%s (%d %s)", t.Name, n, unit))
	}
	if rowTables > 0 {
		held = append(held, fmt.Sprintf("%d dataset row tables (dsrows_…)", rowTables))
	}
	if len(held) > 0 {
		return fmt.Errorf("%w: it holds %s", ErrNotEmpty, strings.Join(held, ", "))
	}
	return nil
}

// compatible tells whether a backup's column type can go into a target
// column: the same type, or a number kept as text on SQLite and as
// NUMERIC on PostgreSQL.
func compatible(from, to ColumnType) bool {
	if from == to {
		return true
	}
	pair := []ColumnType{from, to}
	return slices.Contains(pair, ColText) && slices.Contains(pair, ColNumeric)
}

// rowTableSchema is the schema of a dataset row table as this database
// makes it for the given field types.
func rowTableSchema(d Dialect, name string, fieldTypes []string) (TableSchema, []catalog.Field, error) {
	t := TableSchema{Name: name, PrimaryKey: []string{"_row"}, Columns: []TableColumn{{Name: "_row", Type: ColInteger}}}
	fields := make([]catalog.Field, len(fieldTypes))
	for i, ft := range fieldTypes {
		if !slices.Contains(catalog.FieldTypes, ft) {
			return t, nil, fmt.Errorf("store: restore: %s: unknown field type %q", name, ft)
		}
		fields[i] = catalog.Field{Name: rowColumn(i), Type: ft}
		typ, err := columnType(d, rowColumnType(d, ft))
		if err != nil {
			return t, nil, err
		}
		t.Columns = append(t.Columns, TableColumn{Name: rowColumn(i), Type: typ})
	}
	return t, fields, nil
}

// Restore loads a backup into this store, which must be empty (see
// CheckRestoreTarget) and at the backup's schema version (see
// OpenForRestore), in one transaction: it is all in, or nothing is. The
// tables are loaded each after those it references, dataset row tables
// are made as this database makes them, sequences continue after the
// largest number handed out, and the change log's and audit log's heads
// must come out as the plan says.
func (s *Store) Restore(ctx context.Context, in RestoreInput) error {
	plan := in.Plan
	if v, err := s.SchemaVersion(ctx); err != nil {
		return fmt.Errorf("store: restore: schema version: %w", err)
	} else if v != plan.SchemaVersion {
		return fmt.Errorf("store: restore: the store is at schema version %d and the backup at %d", v, plan.SchemaVersion)
	}
	return s.inTx(ctx, func(t *Tx) error {
		target, err := t.restoreTargets(ctx, plan)
		if err != nil {
			return err
		}
		planned := make(map[string]RestoreTable, len(plan.Tables))
		for _, pt := range plan.Tables {
			planned[pt.Name] = pt
		}
		for _, tt := range target {
			pt := planned[tt.Name]
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := t.restoreTable(ctx, pt, tt, in.Open); err != nil {
				return err
			}
			if in.Loaded != nil {
				in.Loaded(pt.Name, pt.Rows)
			}
		}
		if err := t.restoreSequences(ctx, target, plan.Sequences); err != nil {
			return err
		}
		if err := t.checkHeads(ctx, plan); err != nil {
			return err
		}
		if in.BeforeCommit != nil {
			return in.BeforeCommit(ctx)
		}
		return nil
	})
}

// restoreTargets locks the target's tables, checks that the store is
// empty and that the plan's tables fit its schema, clears the rows a
// fresh store is seeded with, makes the dataset row tables, and returns
// the tables to load in dependency order.
func (t *Tx) restoreTargets(ctx context.Context, plan RestorePlan) ([]TableSchema, error) {
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	have, err := readTables(qctx, t.tx, t.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	if t.dialect == Postgres && len(have) > 0 {
		names := make([]string, len(have))
		for i, h := range have {
			names[i] = quoteIdent(h.Name)
		}
		// Nobody writes while the restore checks and fills the tables;
		// readers go on.
		if _, err := t.tx.ExecContext(qctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
			return nil, fmt.Errorf("store: restore: lock tables: %w", err)
		}
	}
	if err := checkEmpty(qctx, t.tx, have); err != nil {
		return nil, err
	}
	byName := make(map[string]TableSchema, len(have))
	for _, h := range have {
		byName[h.Name] = h
	}
	seen := map[string]bool{}
	var target []TableSchema
	var rowTables []struct {
		name   string
		fields []catalog.Field
	}
	for _, pt := range plan.Tables {
		if !identRE.MatchString(pt.Name) {
			return nil, fmt.Errorf("store: restore: unexpected table name %q", pt.Name)
		}
		if seen[pt.Name] {
			return nil, fmt.Errorf("store: restore: table %s twice in the backup", pt.Name)
		}
		seen[pt.Name] = true
		var tt TableSchema
		if rowTableRE.MatchString(pt.Name) {
			var fields []catalog.Field
			if tt, fields, err = rowTableSchema(t.dialect, pt.Name, pt.DatasetFields); err != nil {
				return nil, err
			}
			rowTables = append(rowTables, struct {
				name   string
				fields []catalog.Field
			}{pt.Name, fields})
		} else {
			var ok bool
			if tt, ok = byName[pt.Name]; !ok {
				return nil, fmt.Errorf("store: restore: the backup has a table %s that schema version %d does not have", pt.Name, plan.SchemaVersion)
			}
		}
		if err := fits(pt.TableSchema, tt); err != nil {
			return nil, err
		}
		target = append(target, tt)
	}
	for _, h := range have {
		if !seen[h.Name] {
			return nil, fmt.Errorf("store: restore: the backup lacks table %s: it is incomplete", h.Name)
		}
	}
	// Seed rows out, children before parents.
	for i := len(have) - 1; i >= 0; i-- {
		if replacedOnRestore[have[i].Name] {
			if _, err := t.tx.ExecContext(qctx, `DELETE FROM `+quoteIdent(have[i].Name)); err != nil {
				return nil, fmt.Errorf("store: restore: clear %s: %w", have[i].Name, err)
			}
		}
	}
	for _, rt := range rowTables {
		if err := t.createRowTable(qctx, rt.name, rt.fields); err != nil {
			return nil, fmt.Errorf("store: restore: %w", err)
		}
	}
	return dependencyOrder(target)
}

// fits checks that a backup's table has the target table's columns, by
// name and of compatible types.
func fits(from, to TableSchema) error {
	if len(from.Columns) != len(to.Columns) {
		return fmt.Errorf("store: restore: table %s has %d columns in the backup and %d here", from.Name, len(from.Columns), len(to.Columns))
	}
	types := make(map[string]ColumnType, len(to.Columns))
	for _, c := range to.Columns {
		types[c.Name] = c.Type
	}
	for _, c := range from.Columns {
		if !identRE.MatchString(c.Name) {
			return fmt.Errorf("store: restore: table %s: unexpected column name %q", from.Name, c.Name)
		}
		typ, ok := types[c.Name]
		if !ok {
			return fmt.Errorf("store: restore: table %s: column %s of the backup is not here", from.Name, c.Name)
		}
		if !compatible(c.Type, typ) {
			return fmt.Errorf("store: restore: table %s column %s: %s in the backup, %s here", from.Name, c.Name, c.Type, typ)
		}
	}
	return nil
}

// restoreTable streams one table's rows into the target with multi-row
// inserts, bounded in rows and bytes.
func (t *Tx) restoreTable(ctx context.Context, pt RestoreTable, target TableSchema, open func(string) (io.ReadCloser, error)) error {
	r, err := open(pt.Name)
	if err != nil {
		return fmt.Errorf("store: restore %s: %w", pt.Name, err)
	}
	defer r.Close()
	targetTypes := make(map[string]ColumnType, len(target.Columns))
	for _, c := range target.Columns {
		targetTypes[c.Name] = c.Type
	}
	cols := make([]string, len(pt.Columns))
	for i, c := range pt.Columns {
		cols[i] = quoteIdent(c.Name)
	}
	perBatch := max(1, min(rowChunk, maxParams/len(cols)))
	batch := make([][]any, 0, perBatch)
	batchBytes := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		qctx, cancel := context.WithTimeout(ctx, queryTimeout)
		defer cancel()
		if err := t.insertRows(qctx, quoteIdent(pt.Name), cols, batch, ""); err != nil {
			return fmt.Errorf("store: restore: %w", err)
		}
		batch, batchBytes = batch[:0], 0
		return nil
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	var n int64
	for {
		var raw []json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("store: restore %s after row %d: %w", pt.Name, n, err)
		}
		n++
		if len(raw) != len(cols) {
			return fmt.Errorf("store: restore %s row %d: %d values for %d columns", pt.Name, n, len(raw), len(cols))
		}
		vals := make([]any, len(raw))
		for i, c := range pt.Columns {
			v, err := decodeValue(c.Type, raw[i])
			if err != nil {
				return fmt.Errorf("store: restore %s row %d column %s: %w", pt.Name, n, c.Name, err)
			}
			if s, ok := v.(string); ok && t.dialect == Postgres && targetTypes[c.Name] == ColText && (!utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0) {
				return fmt.Errorf("store: restore %s row %d column %s: PostgreSQL text cannot hold a NUL byte or bytes that are not UTF-8", pt.Name, n, c.Name)
			}
			vals[i] = v
			batchBytes += len(raw[i])
		}
		batch = append(batch, vals)
		if len(batch) == perBatch || batchBytes >= maxBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if n != pt.Rows {
		return fmt.Errorf("store: restore %s: %d rows read, the backup says %d", pt.Name, n, pt.Rows)
	}
	return r.Close()
}

// restoreSequences sets every sequence to the largest of the number the
// backup's sequence had handed out and the largest id restored, so that
// the next row gets a number never used before.
func (t *Tx) restoreSequences(ctx context.Context, tables []TableSchema, want map[string]int64) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	serial := map[string]string{}
	for _, tt := range tables {
		if tt.serial != "" {
			serial[tt.Name] = tt.serial
		}
	}
	if t.dialect == Postgres {
		var seqs []sequenceRow
		if err := t.sel(ctx, &seqs, pgSequencesQuery); err != nil {
			return fmt.Errorf("store: restore: sequences: %w", err)
		}
		for _, sq := range seqs {
			if serial[sq.Table] != sq.Column || !identRE.MatchString(sq.Column) {
				continue
			}
			var top int64
			if err := t.get(ctx, &top, `SELECT COALESCE(MAX(`+quoteIdent(sq.Column)+`), 0) FROM `+quoteIdent(sq.Table)); err != nil {
				return fmt.Errorf("store: restore: sequence of %s: %w", sq.Table, err)
			}
			top = max(top, want[sq.Table])
			var err error
			if top > 0 {
				_, err = t.exec(ctx, `SELECT setval(CAST(? AS regclass), ?, true)`, sq.Seq, top)
			} else {
				_, err = t.exec(ctx, `SELECT setval(CAST(? AS regclass), 1, false)`, sq.Seq)
			}
			if err != nil {
				return fmt.Errorf("store: restore: sequence of %s: %w", sq.Table, err)
			}
		}
		return nil
	}
	for name := range serial {
		v := want[name]
		if v <= 0 {
			continue
		}
		res, err := t.exec(ctx, `UPDATE sqlite_sequence SET seq = ? WHERE name = ? AND seq < ?`, v, name, v)
		if err != nil {
			return fmt.Errorf("store: restore: sequence of %s: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			continue
		}
		var rows int
		if err := t.get(ctx, &rows, `SELECT COUNT(*) FROM sqlite_sequence WHERE name = ?`, name); err != nil {
			return fmt.Errorf("store: restore: sequence of %s: %w", name, err)
		}
		if rows == 0 {
			if _, err := t.exec(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, name, v); err != nil {
				return fmt.Errorf("store: restore: sequence of %s: %w", name, err)
			}
		}
	}
	return nil
}

// checkHeads checks that the change log and the audit log stand where the
// backup says: a last line of defence against a backup whose tables do
// not belong together.
func (t *Tx) checkHeads(ctx context.Context, plan RestorePlan) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	var seq int64
	if err := t.get(ctx, &seq, `SELECT COALESCE(MAX(seq), 0) FROM change_seq`); err != nil {
		return fmt.Errorf("store: restore: change sequence: %w", err)
	}
	var last int64
	if err := t.get(ctx, &last, `SELECT COALESCE(MAX(seq), 0) FROM changes`); err != nil {
		return fmt.Errorf("store: restore: change log: %w", err)
	}
	if seq != plan.ChangeSeq || last > seq {
		return fmt.Errorf("store: restore: the change log stands at %d (newest change %d), the backup says %d", seq, last, plan.ChangeSeq)
	}
	head, hash, err := auditHead(ctx, t.tx)
	if err != nil {
		return err
	}
	if head != plan.AuditSeq || hash != plan.AuditHash {
		return fmt.Errorf("store: restore: the audit log's head is %d:%s, the backup says %d:%s", head, hash, plan.AuditSeq, plan.AuditHash)
	}
	return nil
}
