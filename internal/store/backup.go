package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongkai/internal/catalog"
)

// A backup reads every table of the store inside one snapshot and writes
// each as JSON Lines in a form that does not depend on the database, so
// that a SQLite store can be restored into PostgreSQL and back. This file
// is the reading side; restore.go is the writing side.

// ColumnType is the database-neutral type of a column in a backup.
type ColumnType string

// The column types a backup knows. Each maps to one JSON form per value:
// integer a JSON number; boolean true/false; text a JSON string, or
// {"base64": "…"} for bytes that are not UTF-8; bytes a base64 string;
// numeric the exact decimal digits as a string; real a JSON number (or
// "NaN", "Infinity", "-Infinity"). NULL is null in every type.
const (
	ColInteger ColumnType = "integer"
	ColBoolean ColumnType = "boolean"
	ColText    ColumnType = "text"
	ColBytes   ColumnType = "bytes"
	ColNumeric ColumnType = "numeric"
	ColReal    ColumnType = "real"
)

// TableColumn is one column of a table in a backup.
type TableColumn struct {
	Name string     `json:"name"`
	Type ColumnType `json:"type"`
}

// TableSchema describes a table as a backup records it, read from the live
// schema (sqlite_master and its pragmas, or information_schema and
// pg_catalog).
type TableSchema struct {
	Name       string        `json:"name"`
	Columns    []TableColumn `json:"columns"`
	PrimaryKey []string      `json:"primary_key"`
	// References are the tables this one's foreign keys point at: they are
	// loaded before it.
	References []string `json:"references,omitempty"`
	// DatasetFields are, for a dataset row table (dsrows_N), the field
	// types of its dataset version: they decide the table's column types
	// on the target database (a number is NUMERIC on PostgreSQL and TEXT
	// on SQLite).
	DatasetFields []string `json:"dataset_fields,omitempty"`

	serial string // the column a sequence (AUTOINCREMENT, BIGSERIAL) numbers
}

// SnapshotInfo is what a snapshot stands at.
type SnapshotInfo struct {
	Dialect       Dialect
	SchemaVersion int
	// ChangeSeq is the last change-log sequence number in the snapshot:
	// every change up to it is in, none after it.
	ChangeSeq int64
	AuditSeq  int64
	AuditHash string
	// Tables are every table but schema_migrations, each after the tables
	// it references.
	Tables []TableSchema
	// Sequences hold, per table with a numbering sequence, the last number
	// it handed out (which may be above the table's largest id: numbers of
	// deleted rows are never reused).
	Sequences map[string]int64
}

// Snapshot is one consistent, read-only view of the whole store.
type Snapshot struct {
	tx     *sqlx.Tx
	info   SnapshotInfo
	tables map[string]TableSchema
}

// identRE is what a table or column name read from the schema must look
// like before it is quoted into a statement.
var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// quoteIdent quotes a checked name as an SQL identifier.
func quoteIdent(name string) string { return `"` + name + `"` }

// backupTableTimeout bounds the one query that reads a whole table; a
// table streams through it, so it is sized for millions of rows.
const backupTableTimeout = 2 * time.Hour

// snapshotAttempts bounds how often a PostgreSQL snapshot is taken again
// when a table in it was dropped (an older dataset version) before the
// snapshot could lock it.
const snapshotAttempts = 5

// Snapshot runs fn with one consistent view of every table, taken while
// the store keeps serving. On SQLite it is a read transaction, which in WAL
// mode sees one state of the database for its whole life while writers go
// on. On PostgreSQL it is a REPEATABLE READ, READ ONLY transaction holding
// ACCESS SHARE locks on the tables, so that no table in the view can be
// dropped (an old dataset version) before it is read: the tables are
// locked first and the view taken after, so that a table dropped meanwhile
// is simply not in it. fn is called once.
func (s *Store) Snapshot(ctx context.Context, fn func(*Snapshot) error) error {
	for attempt := 1; ; attempt++ {
		sn, err := s.beginSnapshot(ctx)
		if isUndefinedTable(err) && attempt < snapshotAttempts {
			continue // made and dropped while the view was taken: rare
		}
		if err != nil {
			return err
		}
		defer sn.tx.Rollback()
		return fn(sn)
	}
}

func isUndefinedTable(err error) bool {
	var pqErr *pq.Error
	return err != nil && errors.As(err, &pqErr) && pqErr.Code == "42P01"
}

func (s *Store) beginSnapshot(ctx context.Context) (*Snapshot, error) {
	if s.dialect != Postgres {
		tx, err := s.r.BeginTxx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("store: snapshot: %w", err)
		}
		sn, err := readSnapshot(ctx, tx, s.dialect, nil)
		if err != nil {
			tx.Rollback()
			return nil, err
		}
		return sn, nil
	}
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	before, err := readTables(qctx, s.r, Postgres)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	locked, err := lockTables(qctx, tx, before)
	if err == nil {
		var sn *Snapshot
		if sn, err = readSnapshot(ctx, tx, s.dialect, locked); err == nil {
			return sn, nil
		}
	}
	tx.Rollback()
	return nil, err
}

// lockTables takes ACCESS SHARE locks on the tables before the snapshot
// is fixed (LOCK does not fix it; the first SELECT does), skipping a table
// dropped since it was listed. It returns the tables it locked.
func lockTables(ctx context.Context, tx *sqlx.Tx, tables []TableSchema) (map[string]bool, error) {
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '60s'`); err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	locked := make(map[string]bool, len(tables))
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = quoteIdent(t.Name)
	}
	// All at once, and one by one only when a table went away.
	try := func(list string) (bool, error) {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT snapshot_lock`); err != nil {
			return false, err
		}
		_, err := tx.ExecContext(ctx, `LOCK TABLE `+list+` IN ACCESS SHARE MODE`)
		if isUndefinedTable(err) {
			_, err = tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT snapshot_lock`)
			return false, err
		}
		if err != nil {
			return false, err
		}
		_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT snapshot_lock`)
		return err == nil, err
	}
	if len(names) == 0 {
		return locked, nil
	}
	ok, err := try(strings.Join(names, ", "))
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: lock tables: %w", err)
	}
	for i, t := range tables {
		if !ok {
			one, err := try(names[i])
			if err != nil {
				return nil, fmt.Errorf("store: snapshot: lock %s: %w", t.Name, err)
			}
			if !one {
				continue
			}
		}
		locked[t.Name] = true
	}
	return locked, nil
}

// readSnapshot fixes the snapshot with its first read and reads what it
// stands at. On PostgreSQL, tables made between the locking and the view
// are locked now.
func readSnapshot(ctx context.Context, tx *sqlx.Tx, d Dialect, locked map[string]bool) (*Snapshot, error) {
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	info := SnapshotInfo{Dialect: d}
	if err := tx.GetContext(qctx, &info.ChangeSeq, `SELECT seq FROM change_seq WHERE id = 1`); err != nil {
		return nil, fmt.Errorf("store: snapshot: change sequence: %w", err)
	}
	if err := tx.GetContext(qctx, &info.SchemaVersion, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return nil, fmt.Errorf("store: snapshot: schema version: %w", err)
	}
	var err error
	if info.AuditSeq, info.AuditHash, err = auditHead(qctx, tx); err != nil {
		return nil, err
	}
	tables, err := readTables(qctx, tx, d)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	if d == Postgres {
		var late []string
		for _, t := range tables {
			if !locked[t.Name] {
				late = append(late, quoteIdent(t.Name))
			}
		}
		if len(late) > 0 {
			if _, err := tx.ExecContext(qctx, `LOCK TABLE `+strings.Join(late, ", ")+` IN ACCESS SHARE MODE`); err != nil {
				return nil, fmt.Errorf("store: snapshot: lock tables: %w", err)
			}
		}
	}
	if err := datasetFields(qctx, tx, tables); err != nil {
		return nil, err
	}
	if info.Sequences, err = readSequences(qctx, tx, d, tables); err != nil {
		return nil, fmt.Errorf("store: snapshot: %w", err)
	}
	info.Tables = tables
	sn := &Snapshot{tx: tx, info: info, tables: make(map[string]TableSchema, len(tables))}
	for _, t := range tables {
		sn.tables[t.Name] = t
	}
	return sn, nil
}

// Info returns what the snapshot stands at and the tables in it.
func (sn *Snapshot) Info() SnapshotInfo { return sn.info }

// CountRows counts a table's rows in the snapshot.
func (sn *Snapshot) CountRows(ctx context.Context, table string) (int64, error) {
	if _, ok := sn.tables[table]; !ok {
		return 0, fmt.Errorf("store: snapshot has no table %q", table)
	}
	ctx, cancel := context.WithTimeout(ctx, backupTableTimeout)
	defer cancel()
	var n int64
	if err := sn.tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+quoteIdent(table)); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", table, err)
	}
	return n, nil
}

// DumpTable writes every row of a table, in primary-key order, to w: one
// JSON array a line, its values in the order of the table's columns, typed
// as ColumnType says. It returns the number of rows written. Rows stream
// from one query: the table is never held in memory.
func (sn *Snapshot) DumpTable(ctx context.Context, table string, w io.Writer) (int64, error) {
	t, ok := sn.tables[table]
	if !ok {
		return 0, fmt.Errorf("store: snapshot has no table %q", table)
	}
	ctx, cancel := context.WithTimeout(ctx, backupTableTimeout)
	defer cancel()
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quoteIdent(c.Name)
	}
	order := t.PrimaryKey
	if len(order) == 0 {
		order = make([]string, len(t.Columns))
		for i, c := range t.Columns {
			order[i] = c.Name
		}
	}
	textCols := map[string]bool{}
	for _, c := range t.Columns {
		textCols[c.Name] = c.Type == ColText
	}
	keys := make([]string, len(order))
	for i, k := range order {
		keys[i] = quoteIdent(k)
		if sn.info.Dialect == Postgres && textCols[k] {
			// Byte order, as on SQLite, whatever the database's collation:
			// the same data makes the same file on both databases.
			keys[i] += ` COLLATE "C"`
		}
	}
	rows, err := sn.tx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quoteIdent(table)+` ORDER BY `+strings.Join(keys, ", "))
	if err != nil {
		return 0, fmt.Errorf("store: read %s: %w", table, err)
	}
	defer rows.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	vals := make([]any, len(t.Columns))
	dest := make([]any, len(t.Columns))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var n int64
	var line []byte
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, fmt.Errorf("store: read %s: %w", table, err)
		}
		line, err = appendRow(line[:0], t.Columns, vals)
		if err != nil {
			return n, fmt.Errorf("store: read %s row %d: %w", table, n+1, err)
		}
		if _, err := bw.Write(line); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("store: read %s: %w", table, err)
	}
	return n, bw.Flush()
}

// appendRow appends one row as a JSON array and a new line.
func appendRow(buf []byte, cols []TableColumn, vals []any) ([]byte, error) {
	buf = append(buf, '[')
	for i, c := range cols {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		buf, err = appendValue(buf, c.Type, vals[i])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	return append(buf, ']', '\n'), nil
}

// appendValue appends one value in its column type's JSON form. Both
// drivers hand out int64, float64, bool, string, []byte or nil; SQLite
// keeps booleans as 0 and 1, PostgreSQL's NUMERIC comes as its digits.
func appendValue(buf []byte, typ ColumnType, v any) ([]byte, error) {
	if v == nil {
		return append(buf, "null"...), nil
	}
	bad := func() ([]byte, error) { return nil, fmt.Errorf("a %T value in a %s column", v, typ) }
	switch typ {
	case ColInteger:
		if x, ok := v.(int64); ok {
			return strconv.AppendInt(buf, x, 10), nil
		}
	case ColBoolean:
		switch x := v.(type) {
		case bool:
			return strconv.AppendBool(buf, x), nil
		case int64:
			if x == 0 || x == 1 {
				return strconv.AppendBool(buf, x == 1), nil
			}
		}
	case ColText:
		switch x := v.(type) {
		case string:
			return appendText(buf, x), nil
		case []byte:
			return appendText(buf, string(x)), nil
		}
	case ColBytes:
		switch x := v.(type) {
		case []byte:
			return appendBase64(buf, x), nil
		case string:
			return appendBase64(buf, []byte(x)), nil
		}
	case ColNumeric:
		switch x := v.(type) {
		case []byte:
			return appendJSONString(buf, string(x)), nil
		case string:
			return appendJSONString(buf, x), nil
		case int64:
			return appendJSONString(buf, strconv.FormatInt(x, 10)), nil
		case float64:
			return appendJSONString(buf, strconv.FormatFloat(x, 'g', -1, 64)), nil
		}
	case ColReal:
		switch x := v.(type) {
		case float64:
			switch {
			case math.IsNaN(x):
				return append(buf, `"NaN"`...), nil
			case math.IsInf(x, 1):
				return append(buf, `"Infinity"`...), nil
			case math.IsInf(x, -1):
				return append(buf, `"-Infinity"`...), nil
			}
			return strconv.AppendFloat(buf, x, 'g', -1, 64), nil
		case int64:
			return strconv.AppendInt(buf, x, 10), nil
		}
	}
	return bad()
}

// appendText writes UTF-8 text as a JSON string and any other bytes as
// {"base64": "…"}, since a JSON string cannot carry them.
func appendText(buf []byte, s string) []byte {
	if utf8.ValidString(s) {
		return appendJSONString(buf, s)
	}
	buf = append(buf, `{"base64":`...)
	return append(appendBase64(buf, []byte(s)), '}')
}

func appendBase64(buf []byte, b []byte) []byte {
	buf = append(buf, '"')
	buf = base64.StdEncoding.AppendEncode(buf, b)
	return append(buf, '"')
}

// appendJSONString writes valid UTF-8 as a JSON string, escaping only what
// JSON requires.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// decodeValue reads one value in its column type's JSON form back into
// what the drivers take: int64, bool, string, []byte, float64 or nil.
func decodeValue(typ ColumnType, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	bad := func() (any, error) { return nil, fmt.Errorf("%s is not a %s value", clip(string(raw), 40), typ) }
	switch typ {
	case ColInteger:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return bad()
		}
		return n, nil
	case ColBoolean:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return bad()
	case ColText:
		if len(raw) > 0 && raw[0] == '{' {
			var b struct {
				Base64 *string `json:"base64"`
			}
			if err := json.Unmarshal(raw, &b); err != nil || b.Base64 == nil {
				return bad()
			}
			v, err := base64.StdEncoding.DecodeString(*b.Base64)
			if err != nil {
				return bad()
			}
			return string(v), nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return bad()
		}
		return s, nil
	case ColBytes:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return bad()
		}
		v, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad()
		}
		return v, nil
	case ColNumeric:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return bad()
		}
		return s, nil
	case ColReal:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			switch s {
			case "NaN":
				return math.NaN(), nil
			case "Infinity":
				return math.Inf(1), nil
			case "-Infinity":
				return math.Inf(-1), nil
			}
			return bad()
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return bad()
		}
		return f, nil
	}
	return nil, fmt.Errorf("unknown column type %q", typ)
}

// queryer is what reading the schema needs: a transaction or the pool.
type queryer interface {
	sqlx.QueryerContext
	Rebind(string) string
}

// columnType maps a declared column type to a backup's type.
func columnType(d Dialect, declared string) (ColumnType, error) {
	t := strings.ToLower(strings.TrimSpace(declared))
	if d == Postgres {
		switch t {
		case "bigint", "integer", "smallint":
			return ColInteger, nil
		case "boolean":
			return ColBoolean, nil
		case "text", "character varying", "character":
			return ColText, nil
		case "bytea":
			return ColBytes, nil
		case "numeric":
			return ColNumeric, nil
		case "double precision", "real":
			return ColReal, nil
		}
	} else {
		switch t {
		case "integer", "bigint", "int", "smallint":
			return ColInteger, nil
		case "boolean":
			return ColBoolean, nil
		case "text":
			return ColText, nil
		case "blob":
			return ColBytes, nil
		case "numeric":
			return ColNumeric, nil
		case "real", "double", "double precision", "float":
			return ColReal, nil
		}
	}
	return "", fmt.Errorf("unsupported column type %q", declared)
}

// readTables reads every table but schema_migrations from the live schema,
// ordered so that a table comes after those it references.
func readTables(ctx context.Context, q queryer, d Dialect) ([]TableSchema, error) {
	var tables []TableSchema
	var err error
	if d == Postgres {
		tables, err = readTablesPG(ctx, q)
	} else {
		tables, err = readTablesSQLite(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if !identRE.MatchString(t.Name) {
			return nil, fmt.Errorf("unexpected table name %q", t.Name)
		}
		if len(t.Columns) == 0 {
			return nil, fmt.Errorf("table %s: no columns", t.Name)
		}
		for _, c := range t.Columns {
			if !identRE.MatchString(c.Name) {
				return nil, fmt.Errorf("table %s: unexpected column name %q", t.Name, c.Name)
			}
		}
	}
	return dependencyOrder(tables)
}

func readTablesSQLite(ctx context.Context, q queryer) ([]TableSchema, error) {
	var list []struct {
		Name string         `db:"name"`
		SQL  sql.NullString `db:"sql"`
	}
	if err := sqlx.SelectContext(ctx, q, &list, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var out []TableSchema
	for _, l := range list {
		if l.Name == "schema_migrations" {
			continue
		}
		var cols []struct {
			Name string `db:"name"`
			Type string `db:"type"`
			PK   int    `db:"pk"`
		}
		if err := sqlx.SelectContext(ctx, q, &cols, q.Rebind(`SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`), l.Name); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", l.Name, err)
		}
		t := TableSchema{Name: l.Name}
		pk := map[int]string{}
		for _, c := range cols {
			typ, err := columnType(SQLite, c.Type)
			if err != nil {
				return nil, fmt.Errorf("table %s column %s: %w", l.Name, c.Name, err)
			}
			t.Columns = append(t.Columns, TableColumn{Name: c.Name, Type: typ})
			if c.PK > 0 {
				pk[c.PK] = c.Name
			}
		}
		for i := 1; i <= len(pk); i++ {
			t.PrimaryKey = append(t.PrimaryKey, pk[i])
		}
		if len(t.PrimaryKey) == 1 && strings.Contains(strings.ToUpper(l.SQL.String), "AUTOINCREMENT") {
			t.serial = t.PrimaryKey[0]
		}
		var refs []string
		if err := sqlx.SelectContext(ctx, q, &refs, q.Rebind(`SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`), l.Name); err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", l.Name, err)
		}
		t.References = refs
		out = append(out, t)
	}
	return out, nil
}

func readTablesPG(ctx context.Context, q queryer) ([]TableSchema, error) {
	var cols []struct {
		Table   string         `db:"table_name"`
		Column  string         `db:"column_name"`
		Type    string         `db:"data_type"`
		Default sql.NullString `db:"column_default"`
	}
	if err := sqlx.SelectContext(ctx, q, &cols, `SELECT c.table_name, c.column_name, c.data_type, c.column_default
FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`); err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	var pks []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := sqlx.SelectContext(ctx, q, &pks, `SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc
JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY' ORDER BY tc.table_name, k.ordinal_position`); err != nil {
		return nil, fmt.Errorf("list primary keys: %w", err)
	}
	var fks []struct {
		Table string `db:"table_name"`
		Ref   string `db:"ref"`
	}
	if err := sqlx.SelectContext(ctx, q, &fks, `SELECT DISTINCT t.relname AS table_name, r.relname AS ref FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`); err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	byName := map[string]*TableSchema{}
	var names []string
	for _, c := range cols {
		if c.Table == "schema_migrations" {
			continue
		}
		t := byName[c.Table]
		if t == nil {
			t = &TableSchema{Name: c.Table}
			byName[c.Table] = t
			names = append(names, c.Table)
		}
		typ, err := columnType(Postgres, c.Type)
		if err != nil {
			return nil, fmt.Errorf("table %s column %s: %w", c.Table, c.Column, err)
		}
		t.Columns = append(t.Columns, TableColumn{Name: c.Column, Type: typ})
		if strings.HasPrefix(c.Default.String, "nextval(") {
			t.serial = c.Column
		}
	}
	for _, p := range pks {
		if t := byName[p.Table]; t != nil {
			t.PrimaryKey = append(t.PrimaryKey, p.Column)
		}
	}
	for _, f := range fks {
		if t := byName[f.Table]; t != nil {
			t.References = append(t.References, f.Ref)
		}
	}
	out := make([]TableSchema, len(names))
	for i, n := range names {
		out[i] = *byName[n]
		slices.Sort(out[i].References)
	}
	return out, nil
}

// dependencyOrder sorts tables so that each comes after the tables its
// foreign keys reference, and by name otherwise.
func dependencyOrder(tables []TableSchema) ([]TableSchema, error) {
	slices.SortFunc(tables, func(a, b TableSchema) int { return strings.Compare(a.Name, b.Name) })
	known := map[string]bool{}
	for _, t := range tables {
		known[t.Name] = true
	}
	placed := map[string]bool{}
	out := make([]TableSchema, 0, len(tables))
	for len(out) < len(tables) {
		progress := false
		for _, t := range tables {
			if placed[t.Name] {
				continue
			}
			ready := true
			for _, r := range t.References {
				if r != t.Name && known[r] && !placed[r] {
					ready = false
					break
				}
			}
			if ready {
				placed[t.Name] = true
				out = append(out, t)
				progress = true
			}
		}
		if !progress {
			var left []string
			for _, t := range tables {
				if !placed[t.Name] {
					left = append(left, t.Name)
				}
			}
			return nil, fmt.Errorf("foreign keys form a cycle among %s", strings.Join(left, ", "))
		}
	}
	return out, nil
}

// datasetFields records, for every dataset row table, the field types of
// the dataset version it holds. A table no version names (there should be
// none) gets types read off its columns.
func datasetFields(ctx context.Context, q queryer, tables []TableSchema) error {
	var versions []struct {
		Table  string `db:"row_table"`
		Fields string `db:"fields"`
	}
	if err := sqlx.SelectContext(ctx, q, &versions, `SELECT row_table, fields FROM dataset_versions WHERE row_table <> ''`); err != nil {
		return fmt.Errorf("store: snapshot: dataset versions: %w", err)
	}
	byTable := make(map[string]string, len(versions))
	for _, v := range versions {
		byTable[v.Table] = v.Fields
	}
	for i := range tables {
		t := &tables[i]
		if !rowTableRE.MatchString(t.Name) {
			continue
		}
		want := make([]string, len(t.Columns))
		want[0] = "_row"
		for k := 1; k < len(want); k++ {
			want[k] = rowColumn(k - 1)
		}
		for k, c := range t.Columns {
			if c.Name != want[k] {
				return fmt.Errorf("store: snapshot: dataset row table %s has column %s where %s was expected", t.Name, c.Name, want[k])
			}
		}
		if raw, ok := byTable[t.Name]; ok {
			var fields []catalog.Field
			if err := json.Unmarshal([]byte(raw), &fields); err != nil {
				return fmt.Errorf("store: snapshot: fields of %s: %w", t.Name, err)
			}
			if len(fields) != len(t.Columns)-1 {
				return fmt.Errorf("store: snapshot: %s has %d value columns for %d fields", t.Name, len(t.Columns)-1, len(fields))
			}
			for _, f := range fields {
				t.DatasetFields = append(t.DatasetFields, f.Type)
			}
			continue
		}
		for _, c := range t.Columns[1:] {
			ft := catalog.TypeString
			switch c.Type {
			case ColInteger:
				ft = catalog.TypeInteger
			case ColBoolean:
				ft = catalog.TypeBoolean
			case ColNumeric:
				ft = catalog.TypeNumber
			}
			t.DatasetFields = append(t.DatasetFields, ft)
		}
	}
	return nil
}

// readSequences reads the last number each table's sequence handed out.
func readSequences(ctx context.Context, q queryer, d Dialect, tables []TableSchema) (map[string]int64, error) {
	out := map[string]int64{}
	serial := map[string]bool{}
	for _, t := range tables {
		if t.serial != "" {
			serial[t.Name] = true
			out[t.Name] = 0 // SQLite lists a table only once it handed out a number
		}
	}
	if len(serial) == 0 {
		return out, nil
	}
	var rows []sequenceRow
	var err error
	if d == Postgres {
		err = sqlx.SelectContext(ctx, q, &rows, pgSequencesQuery)
	} else {
		err = sqlx.SelectContext(ctx, q, &rows, `SELECT name AS tbl, '' AS seq, '' AS col, seq AS last FROM sqlite_sequence`)
	}
	if err != nil {
		return nil, fmt.Errorf("sequences: %w", err)
	}
	for _, r := range rows {
		if serial[r.Table] {
			out[r.Table] = r.Last
		}
	}
	return out, nil
}

type sequenceRow struct {
	Table  string `db:"tbl"`
	Seq    string `db:"seq"`
	Column string `db:"col"`
	Last   int64  `db:"last"`
}

// pgSequencesQuery lists the sequences owned by a column of a table in the
// current schema, with the last number each handed out (0 before the
// first). A sequence is not transactional: it may stand past the snapshot,
// which only leaves a gap in the numbers after a restore.
const pgSequencesQuery = `SELECT t.relname AS tbl, s.oid::regclass::text AS seq, a.attname AS col, COALESCE(ps.last_value, 0) AS last
FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
JOIN pg_sequences ps ON ps.schemaname = current_schema() AND ps.sequencename = s.relname
WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace`
