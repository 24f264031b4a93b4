// Package storetest opens fresh stores for tests: a SQLite file in a
// temporary directory always, and a new PostgreSQL database when
// GONGKAI_TEST_PG names a server, so every store test runs on both.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// EnvPG names the variable holding the PostgreSQL URL for tests.
const EnvPG = "GONGKAI_TEST_PG"

// Each runs fn as a subtest against a fresh SQLite store and, when
// GONGKAI_TEST_PG is set, a fresh PostgreSQL database. The stores carry
// the default column template.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(EnvPG) == "" {
			t.Skip(EnvPG + " not set")
		}
		fn(t, Postgres(t))
	})
}

// SQLite opens a store on a new SQLite file.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "gongkai.db"))
}

// Postgres creates a new database on the GONGKAI_TEST_PG server, opens a
// store on it and drops it when the test ends.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, NewPGDatabase(t))
}

// NewPGDatabase creates an empty database on the GONGKAI_TEST_PG server and
// returns its URL; the database is dropped at the end of the test.
func NewPGDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPG)
	if base == "" {
		t.Skip(EnvPG + " not set")
	}
	if !strings.Contains(base, "sslmode=") {
		if strings.Contains(base, "?") {
			base += "&sslmode=disable"
		} else {
			base += "?sslmode=disable"
		}
	}
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "gk_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", dsn, err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.EnsureTemplate(ctx, catalog.DefaultTemplate()); err != nil {
		t.Fatalf("storetest: template: %v", err)
	}
	return st
}

// Unit adds a unit with an organisation code derived from its code.
func Unit(t testing.TB, st *store.Store, code string) catalog.Unit {
	t.Helper()
	org := strings.ToUpper(code)
	for len(org) < 18 {
		org += "0"
	}
	u := catalog.Unit{Code: code, Name: "测试单位" + code, Kind: catalog.KindDepartment, OrgCode: org[:18]}
	if _, err := st.SaveUnit(context.Background(), u); err != nil {
		t.Fatalf("storetest: unit %s: %v", code, err)
	}
	return u
}
