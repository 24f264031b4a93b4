package storetest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"gongkai/internal/store"
)

// Dump reads every table of a store (schema_migrations aside) straight
// from its database, on a connection of its own and with none of the
// store's code, so that tests can compare two stores row by row. It
// returns each table's rows, sorted, each row a JSON object of its columns
// by name. Values are normalised so that the same data reads the same on
// both databases: booleans (0/1 on SQLite) as bool:true/false, integers as
// int:N, text and PostgreSQL's NUMERIC (kept as text on SQLite) as text:…,
// raw bytes as bytes:HEX, NULL as null.
func Dump(t testing.TB, st *store.Store) map[string][]string {
	t.Helper()
	dsn := st.Redacted()
	var db *sqlx.DB
	var err error
	var list string
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = sqlx.Open("sqlite", "file:"+path)
		list = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'`
	} else {
		db, err = sqlx.Open("postgres", dsn)
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`
	}
	if err != nil {
		t.Fatalf("storetest: dump: %v", err)
	}
	defer db.Close()
	var tables []string
	if err := db.Select(&tables, list); err != nil {
		t.Fatalf("storetest: dump: list tables: %v", err)
	}
	out := make(map[string][]string, len(tables))
	for _, name := range tables {
		rows, err := db.Query(`SELECT * FROM "` + name + `"`)
		if err != nil {
			t.Fatalf("storetest: dump %s: %v", name, err)
		}
		types, err := rows.ColumnTypes()
		if err != nil {
			t.Fatalf("storetest: dump %s: %v", name, err)
		}
		vals := make([]any, len(types))
		dest := make([]any, len(types))
		for i := range vals {
			dest[i] = &vals[i]
		}
		lines := []string{}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				t.Fatalf("storetest: dump %s: %v", name, err)
			}
			row := make(map[string]any, len(types))
			for i, ct := range types {
				row[ct.Name()] = normalise(strings.ToUpper(ct.DatabaseTypeName()), vals[i])
			}
			b, err := json.Marshal(row)
			if err != nil {
				t.Fatalf("storetest: dump %s: %v", name, err)
			}
			lines = append(lines, string(b))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("storetest: dump %s: %v", name, err)
		}
		rows.Close()
		slices.Sort(lines)
		out[name] = lines
	}
	return out
}

func normalise(declared string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return fmt.Sprintf("bool:%t", x)
	case int64:
		if strings.HasPrefix(declared, "BOOL") {
			return fmt.Sprintf("bool:%t", x != 0)
		}
		return fmt.Sprintf("int:%d", x)
	case float64:
		return fmt.Sprintf("real:%v", x)
	case string:
		return "text:" + hexIfNotUTF8(x)
	case []byte:
		if declared == "BYTEA" || declared == "BLOB" {
			return "bytes:" + hex.EncodeToString(x)
		}
		return "text:" + hexIfNotUTF8(string(x))
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// hexIfNotUTF8 keeps text that is not UTF-8 visible (JSON would replace
// its bytes).
func hexIfNotUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return "0x" + hex.EncodeToString([]byte(s))
}
