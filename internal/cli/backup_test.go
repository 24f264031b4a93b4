package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// backupBackend is a place for a store: its command-line flags and its
// database URL.
type backupBackend struct {
	name  string
	place func(t *testing.T) (flags []string, data, dsn string)
}

var backupBackends = []backupBackend{
	{"sqlite", func(t *testing.T) ([]string, string, string) {
		data := filepath.Join(t.TempDir(), "data")
		return []string{"--data", data}, data, "sqlite:" + filepath.Join(data, "gongkai.db")
	}},
	{"postgres", func(t *testing.T) ([]string, string, string) {
		if os.Getenv(storetest.EnvPG) == "" {
			t.Skip(storetest.EnvPG + " not set")
		}
		data := filepath.Join(t.TempDir(), "data")
		dsn := storetest.NewPGDatabase(t)
		return []string{"--db", dsn, "--data", data}, data, dsn
	}},
}

// pngBytes and pdfBytes are attachments whose content fits their names.
var (
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 300)...)
	pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
)

// fillThroughCommands makes a store the way an office would: units,
// entries with attachments, a dataset, accounts (which write the audit
// log), and edited lists under DATA.
func fillThroughCommands(t *testing.T, flags []string, data string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("files/map.png", pngBytes)
	write("files/plan.pdf", pdfBytes)
	write("files/other.pdf", append(append([]byte{}, pdfBytes...), "% 另一份\n"...))
	write("stops.csv", []byte("\ufeffstop_id,name,lines,opened,accessible\n0001,\"人民广场, 北\",12,2019-05-01,true\n0002,\"新\n站\",,2020-01-01,false\n0003, 前后有空格 ,3,,\n"))
	steps := []struct {
		kind, file string
	}{
		{"units", write("units.jsonl", []byte(`{"code": "fgw", "name": "临沂市发展和改革委员会", "kind": "部门", "org_code": "11371300004331204K"}
{"code": "jtj", "name": "临沂市交通运输局", "kind": "部门", "org_code": "113713000043312052"}
`))},
		{"entries", write("entries.jsonl", []byte(`{"id": "fgw-2018-0012", "unit": "fgw", "column": "zcwj", "title": "关于印发“引号”和\\反斜杠\\的通知", "doc_no": "临发改发〔2018〕12号", "published_at": "2018-07-03T10:00:00+08:00", "body_html": "<p>住房公积金 正文</p>", "attachments": [{"name": "附件1.pdf", "file": "files/plan.pdf"}, {"name": "示意图.png", "file": "files/map.png"}], "related": ["fgw-2018-0013"]}
{"id": "fgw-2018-0013", "unit": "fgw", "column": "zcjd", "title": "一图读懂", "form": "图解", "published_at": "2018-07-04", "body_text": "解读", "related": ["fgw-2018-0012"]}
{"id": "jtj-1", "unit": "jtj", "column": "tzgg", "title": "公交线路调整", "published_at": "2024-01-02", "body_text": "线路", "attachments": [{"name": "附件.pdf", "file": "files/other.pdf"}]}
{"id": "jtj-2", "unit": "jtj", "column": "tzgg", "title": "草稿", "status": "draft", "body_text": "未发布"}
`))},
		{"datasets", write("datasets.jsonl", []byte(`{"id": "jtj-bus-stops", "unit": "jtj", "title": "公交站点", "domain": "道路交通", "update_frequency": "每月", "open_type": "无条件开放", "published_at": "2024-03-01", "csv": "stops.csv", "fields": [{"name": "stop_id", "type": "string"}, {"name": "name", "type": "string"}, {"name": "lines", "type": "integer"}, {"name": "opened", "type": "date"}, {"name": "accessible", "type": "boolean"}]}
`))},
	}
	for _, s := range steps {
		if code, out, errOut := run(t, nil, append([]string{"import", s.kind, s.file, "--quiet"}, flags...)...); code != 0 {
			t.Fatalf("import %s: %d %s%s", s.kind, code, out, errOut)
		}
	}
	for _, u := range [][]string{{"--login", "admin", "--role", "admin"}, {"--login", "wang", "--role", "editor", "--unit", "jtj"}} {
		if code, out, errOut := run(t, nil, append(append([]string{"user", "add"}, u...), flags...)...); code != 0 {
			t.Fatalf("user add: %d %s%s", code, out, errOut)
		}
	}
	os.MkdirAll(filepath.Join(data, "checks"), 0o755)
	os.MkdirAll(filepath.Join(data, "search"), 0o755)
	os.WriteFile(filepath.Join(data, "checks", "typos.txt"), []byte("植树\t种树\n"), 0o644)
	os.WriteFile(filepath.Join(data, "search", "synonyms.txt"), []byte("发改委 = 发展和改革委员会\n"), 0o644)
}

// tree reads every regular file under dir, by slash path.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && p == dir {
			return filepath.SkipDir
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	for p, b := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: %s is missing", what, p)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s: %s differs (%d bytes, want %d)", what, p, len(g), len(b))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: %s appeared", what, p)
		}
	}
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func editedFiles(t *testing.T, data string) map[string][]byte {
	out := map[string][]byte{}
	for _, d := range []string{"checks", "search"} {
		for p, b := range tree(t, filepath.Join(data, d)) {
			out[d+"/"+p] = b
		}
	}
	return out
}

// restore(backup(x)) = x through the commands, for each pair of
// databases: every table row by row, every file byte by byte, the edited
// lists, an intact audit chain and a rebuilt index.
func TestBackupRestoreCommands(t *testing.T) {
	for _, src := range backupBackends {
		t.Run(src.name, func(t *testing.T) {
			flags, data, dsn := src.place(t)
			fillThroughCommands(t, flags, data)
			archive := filepath.Join(t.TempDir(), "state.zip")
			code, out, errOut := run(t, nil, append([]string{"backup", archive}, flags...)...)
			if code != 0 || !strings.Contains(out, "backup: ") || !strings.Contains(out, "3 files") || !strings.Contains(out, "2 edited files") {
				t.Fatalf("backup: %d\n%s%s", code, out, errOut)
			}
			leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(archive), ".*.tmp"))
			if len(leftovers) > 0 {
				t.Errorf("temporary files left: %v", leftovers)
			}
			srcStore := openStore(t, dsn)
			want := storetest.Dump(t, srcStore)
			wantFiles := tree(t, filepath.Join(data, "files"))
			wantEdited := editedFiles(t, data)
			if len(wantFiles) != 3 || len(wantEdited) != 2 || len(want["audit_log"]) < 2 || len(want["attachments"]) != 3 {
				t.Fatalf("fixture: %d files, %d edited, %d audit records, %d attachments", len(wantFiles), len(wantEdited), len(want["audit_log"]), len(want["attachments"]))
			}
			for _, dst := range backupBackends {
				t.Run("to_"+dst.name, func(t *testing.T) {
					dflags, ddata, ddsn := dst.place(t)
					code, out, errOut := run(t, nil, append([]string{"restore", archive, "--quiet"}, dflags...)...)
					if code != 0 {
						t.Fatalf("restore: %d\n%s%s", code, out, errOut)
					}
					for _, w := range []string{"restored: ", "3 files", "审计日志完整：", "index rebuilt: 3 entries"} {
						if !strings.Contains(out, w) {
							t.Errorf("restore output lacks %q:\n%s", w, out)
						}
					}
					target := openStore(t, ddsn)
					storetestCompare(t, want, storetest.Dump(t, target))
					sameTree(t, "file store", wantFiles, tree(t, filepath.Join(ddata, "files")))
					sameTree(t, "edited files", wantEdited, editedFiles(t, ddata))
					if res, err := target.VerifyAudit(context.Background()); err != nil || !res.OK() || res.Count != int64(len(want["audit_log"])) {
						t.Errorf("audit: %+v %v", res, err)
					}
					if code, out, errOut := run(t, nil, append([]string{"index", "verify"}, dflags...)...); code != 0 {
						t.Errorf("index verify after restore: %d %s%s", code, out, errOut)
					}
					// A second restore into the same store is refused and
					// changes nothing.
					before := storetest.Dump(t, target)
					code, out, errOut = run(t, nil, append([]string{"restore", archive, "--quiet"}, dflags...)...)
					if code != 1 || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "entries (4 rows)") || !strings.Contains(errOut, "nothing was written") {
						t.Errorf("restore into a full store: %d %s%s", code, out, errOut)
					}
					storetestCompare(t, before, storetest.Dump(t, target))
				})
			}
		})
	}
}

func storetestCompare(t *testing.T, want, got map[string][]string) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%d tables, want %d", len(got), len(want))
	}
	for name, rows := range want {
		g := got[name]
		if len(g) != len(rows) {
			t.Errorf("table %s: %d rows, want %d", name, len(g), len(rows))
			continue
		}
		for i := range rows {
			if g[i] != rows[i] {
				t.Errorf("table %s row %d:\n got  %s\n want %s", name, i, g[i], rows[i])
				break
			}
		}
	}
}

// rewriteZip copies an archive member by member through edit, which may
// change a member's bytes or drop it (nil).
func rewriteZip(t *testing.T, src, dst string, edit func(name string, b []byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, m := range zr.File {
		r, err := m.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b = edit(m.Name, b); b == nil {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.Name, Method: m.Method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func editManifest(fn func(m map[string]any)) func(string, []byte) []byte {
	return func(name string, b []byte) []byte {
		if name != manifestName {
			return b
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			panic(err)
		}
		fn(m)
		out, _ := json.Marshal(m)
		return out
	}
}

// Archives that must be refused before, or without, writing anything.
func TestRestoreRefusesBadArchives(t *testing.T) {
	flags, data, _ := backupBackends[0].place(t)
	fillThroughCommands(t, flags, data)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.zip")
	if code, out, errOut := run(t, nil, "backup", good, "--quiet", "--data", data); code != 0 {
		t.Fatalf("backup: %d %s%s", code, out, errOut)
	}
	flipped := filepath.Join(dir, "flipped.zip")
	{
		b, _ := os.ReadFile(good)
		zr, _ := zip.OpenReader(good)
		for _, f := range zr.File {
			if strings.HasPrefix(f.Name, filesDir) {
				off, _ := f.DataOffset()
				b[off+10] ^= 0xff // a byte inside a stored attachment
				break
			}
		}
		zr.Close()
		os.WriteFile(flipped, b, 0o644)
	}
	notZip := filepath.Join(dir, "not.zip")
	os.WriteFile(notZip, []byte("PK but not really"), 0o644)
	tests := []struct {
		name string
		file func(t *testing.T) string
		want []string
	}{
		{"a table changed after the backup", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "a.zip")
			rewriteZip(t, good, p, func(name string, b []byte) []byte {
				if name == tablesDir+"units.jsonl" {
					return bytes.Replace(b, []byte("交通运输局"), []byte("交通运输厅"), 1)
				}
				return b
			})
			return p
		}, []string{"tables/units.jsonl has", "SHA-256", "the manifest says", "nothing was written"}},
		{"an attachment's bytes flipped", func(*testing.T) string { return flipped }, []string{"damaged", "files/", "nothing was written"}},
		{"an attachment missing", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "a.zip")
			dropped := false
			rewriteZip(t, good, p, func(name string, b []byte) []byte {
				if strings.HasPrefix(name, filesDir) && !dropped {
					dropped = true
					return nil
				}
				return b
			})
			return p
		}, []string{"damaged or incomplete", "is missing"}},
		{"a newer schema", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "a.zip")
			rewriteZip(t, good, p, editManifest(func(m map[string]any) { m["schema_version"] = store.LatestSchemaVersion() + 1 }))
			return p
		}, []string{fmt.Sprintf("schema version %d, this gongkai at %d", store.LatestSchemaVersion()+1, store.LatestSchemaVersion()), "newer gongkai"}},
		{"a newer format", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "a.zip")
			rewriteZip(t, good, p, editManifest(func(m map[string]any) { m["format_version"] = 2 }))
			return p
		}, []string{"format version 2"}},
		{"not a backup", func(*testing.T) string { return notZip }, []string{"not a gongkai backup"}},
		{"no such file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "none.zip") }, []string{"none.zip"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "data")
			code, out, errOut := run(t, nil, "restore", tc.file(t), "--quiet", "--data", target)
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s%s", code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("error lacks %q:\n%s", w, errOut)
				}
			}
			if files := tree(t, filepath.Join(target, "files")); len(files) > 0 {
				t.Errorf("files written: %d", len(files))
			}
			if edited := editedFiles(t, target); len(edited) > 0 {
				t.Errorf("edited files written: %v", edited)
			}
			if _, err := os.Stat(filepath.Join(target, "gongkai.db")); err == nil {
				st := openStore(t, "sqlite:"+filepath.Join(target, "gongkai.db"))
				if err := st.CheckRestoreTarget(context.Background()); err != nil {
					t.Errorf("the store was written: %v", err)
				}
			}
		})
	}
}

// A backup that fails leaves no archive and no temporary file behind.
func TestBackupFailureLeavesNothing(t *testing.T) {
	flags, data, _ := backupBackends[0].place(t)
	fillThroughCommands(t, flags, data)
	files := tree(t, filepath.Join(data, "files"))
	for p := range files {
		os.WriteFile(filepath.Join(data, "files", filepath.FromSlash(p)), []byte("not what it was"), 0o644)
		break
	}
	dir := t.TempDir()
	archive := filepath.Join(dir, "state.zip")
	code, out, errOut := run(t, nil, "backup", archive, "--data", data)
	if code != 1 || !strings.Contains(errOut, "is damaged") || !strings.Contains(errOut, "no archive written") {
		t.Errorf("backup over a damaged file store: %d %s%s", code, out, errOut)
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	for _, args := range [][]string{{"backup"}, {"restore"}, {"backup", "a.zip", "b.zip"}} {
		if code, _, errOut := run(t, nil, append(args, "--data", data)...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
}
