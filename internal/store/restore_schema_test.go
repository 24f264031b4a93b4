package store

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"gongkai/internal/catalog"
)

// A backup taken at an older schema is loaded at that schema and then
// migrated like any store: the later migrations run over its rows.
func TestRestoreOlderSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const old = 7
	src, err := connect(ctx, "sqlite:"+filepath.Join(dir, "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.migrateTo(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := src.EnsureTemplate(ctx, catalog.DefaultTemplate()); err != nil {
		t.Fatal(err)
	}
	if _, err := src.SaveUnit(ctx, catalog.Unit{Code: "fgw", Name: "临沂市发展和改革委员会", Kind: catalog.KindDepartment, OrgCode: "11371300004331204K"}); err != nil {
		t.Fatal(err)
	}
	pub, _ := catalog.ParseTime("2024-01-02")
	e := catalog.Entry{ID: "fgw-1", Unit: "fgw", Column: "tzgg", Title: "通知", Status: catalog.StatusPublished, PublishedAt: &pub, BodyText: "正文", Keywords: []string{}}
	if _, err := src.SaveEntries(ctx, []EntryWrite{{Entry: e, Hash: "h", Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
	plan := RestorePlan{Sequences: map[string]int64{}}
	data := map[string][]byte{}
	err = src.Snapshot(ctx, func(sn *Snapshot) error {
		info := sn.Info()
		plan = RestorePlan{SchemaVersion: info.SchemaVersion, ChangeSeq: info.ChangeSeq, AuditSeq: info.AuditSeq, AuditHash: info.AuditHash, Sequences: info.Sequences}
		for _, tb := range info.Tables {
			var buf bytes.Buffer
			n, err := sn.DumpTable(ctx, tb.Name, &buf)
			if err != nil {
				return err
			}
			plan.Tables = append(plan.Tables, RestoreTable{TableSchema: tb, Rows: n})
			data[tb.Name] = buf.Bytes()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if plan.SchemaVersion != old {
		t.Fatalf("snapshot at schema %d, want %d", plan.SchemaVersion, old)
	}
	for _, tb := range plan.Tables {
		if tb.Name == "notices" {
			t.Fatalf("schema %d has no notices table, the snapshot has", old)
		}
	}
	dsn := "sqlite:" + filepath.Join(dir, "new.db")
	dst, err := OpenForRestore(ctx, dsn, old)
	if err != nil {
		t.Fatal(err)
	}
	err = dst.Restore(ctx, RestoreInput{Plan: plan, Open: func(name string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data[name])), nil
	}})
	dst.Close()
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	st, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.SchemaVersion(ctx); err != nil || v != LatestSchemaVersion() {
		t.Errorf("after opening: schema %d (%v), want %d", v, err, LatestSchemaVersion())
	}
	var notices int
	if err := st.get(ctx, &notices, `SELECT COUNT(*) FROM notices`); err != nil || notices != 0 {
		t.Errorf("notices after the migration: %d %v", notices, err)
	}
	got, err := st.EntriesByID(ctx, []string{"fgw-1"})
	if err != nil || len(got) != 1 || got[0].Title != "通知" || got[0].Revision != 1 {
		t.Errorf("entry after restore: %+v %v", got, err)
	}
	if u, err := st.Unit(ctx, "fgw"); err != nil || u.Name != "临沂市发展和改革委员会" {
		t.Errorf("unit after restore: %+v %v", u, err)
	}
	if _, err := OpenForRestore(ctx, "sqlite:"+filepath.Join(dir, "other.db"), 0); err == nil {
		t.Error("schema version 0 accepted")
	}
}
