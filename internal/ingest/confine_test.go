//go:build unix

package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// confineTree lays out an import folder and, beside it, files that a line
// must not reach. Every file outside is one the importer would take if it
// were inside (a sound DOCX, a CSV with the right header), so a refusal
// can only come from where it lies.
//
//	top/secret.docx, top/secret.csv        outside the import folder
//	top/outside/secret.docx, secret.csv    a folder outside
//	top/import/                            the folder of the JSONL file
//	  files/a.docx, files/sub/deep/b.docx  good, nested
//	  data/ok.csv, data/sub/deep/ok.csv    good, nested
//	  link-abs.docx  -> top/secret.docx    absolute link out
//	  link-rel.docx  -> ../secret.docx     relative link out
//	  link-passwd    -> /etc/passwd
//	  linkdir        -> top/outside        a linked folder out
//	  link-in.docx   -> top/import/files/a.docx (absolute, but inside: fine)
//	  link-in-rel.docx -> files/a.docx     relative and inside: fine
//	  fifo, fifo.csv                       named pipes
//	  big.docx, big.csv                    over the bounds the test sets
func confineTree(t *testing.T) (dir string) {
	t.Helper()
	top := t.TempDir()
	dir = filepath.Join(top, "import")
	doc := confineDocx(t, 10)
	csvText := "id,n\nout,1\n"
	for _, p := range []string{"secret.docx", "outside/secret.docx", "import/files/a.docx", "import/files/sub/deep/b.docx"} {
		dsWrite(t, filepath.Join(top, p), string(doc))
	}
	for _, p := range []string{"secret.csv", "outside/secret.csv", "import/data/ok.csv", "import/data/sub/deep/ok.csv"} {
		dsWrite(t, filepath.Join(top, p), csvText)
	}
	dsWrite(t, filepath.Join(dir, "big.docx"), string(confineDocx(t, 8000)))
	dsWrite(t, filepath.Join(dir, "big.csv"), "id,n\n"+strings.Repeat("abcdefgh,1\n", 300))
	links := map[string]string{
		"link-abs.docx":    filepath.Join(top, "secret.docx"),
		"link-rel.docx":    "../secret.docx",
		"link-abs.csv":     filepath.Join(top, "secret.csv"),
		"link-rel.csv":     "../secret.csv",
		"link-passwd":      "/etc/passwd",
		"linkdir":          filepath.Join(top, "outside"),
		"linkdir-rel":      "../outside",
		"link-in.docx":     filepath.Join(dir, "files", "a.docx"),
		"link-in-rel.docx": "files/a.docx",
		"link-in.csv":      filepath.Join(dir, "data", "ok.csv"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"fifo", "fifo.csv"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// confineDocx is a sound DOCX whose body holds n bytes of text, stored
// uncompressed so that its size follows.
func confineDocx(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "word/document.xml", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<w:document><w:body><w:p><w:r><w:t>`+strings.Repeat("x", n)+`</w:t></w:r></w:p></w:body></w:document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// confineCases are the paths a line may name: "" wants the line in,
// otherwise part of the reason it is refused for.
var confineCases = []struct {
	name, docx, csv, reason string
}{
	{"good nested", "files/sub/deep/b.docx", "data/sub/deep/ok.csv", ""},
	{".. that stays inside", "files/sub/../a.docx", "data/sub/../ok.csv", ""},
	{"absolute link back inside", "link-in.docx", "link-in.csv", ""},
	{"relative link inside", "link-in-rel.docx", "data/./ok.csv", ""},
	{"absolute path", "<abs>/secret.docx", "<abs>/secret.csv", "absolute path"},
	{"../x", "../secret.docx", "../secret.csv", "leaves the folder of the import file through .."},
	{"a/../../x", "files/../../secret.docx", "data/../../secret.csv", "leaves the folder of the import file through .."},
	{"absolute link out", "link-abs.docx", "link-abs.csv", "symbolic link leads out"},
	{"relative link out", "link-rel.docx", "link-rel.csv", "symbolic link leads out"},
	{"link to /etc/passwd", "link-passwd", "link-passwd", "symbolic link leads out"},
	{"linked folder out", "linkdir/secret.docx", "linkdir/secret.csv", "symbolic link leads out"},
	{"relative linked folder out", "linkdir-rel/secret.docx", "linkdir-rel/secret.csv", "symbolic link leads out"},
	{"FIFO", "fifo", "fifo.csv", "not a regular file: a named pipe"},
	{"directory", "files", "data", "not a regular file: a directory"},
	{"over the size bound", "big.docx", "big.csv", "larger than 2048 bytes"},
	{"missing", "files/none.docx", "data/none.csv", "no such file"},
}

// confinePath puts the folder's parent in place of <abs>.
func confinePath(dir, p string) string {
	return strings.Replace(p, "<abs>", filepath.Dir(dir), 1)
}

func TestImportEntriesConfinesPaths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dir := confineTree(t)
		var lines []string
		for i, tc := range confineCases {
			b, _ := json.Marshal(map[string]any{"id": "e" + strconv.Itoa(i+1), "unit": "fgw", "column": "tzgg", "title": tc.name,
				"published_at": "2020-01-01", "body_text": "x",
				"attachments": []map[string]string{{"name": "附件.docx", "file": confinePath(dir, tc.docx)}}})
			lines = append(lines, string(b))
		}
		jsonl := dsWrite(t, filepath.Join(dir, "entries.jsonl"), strings.Join(lines, "\n")+"\n")
		im := dsImporter(t, st, "fgw")
		im.MaxAttachment = 2048

		rep, err := im.Entries(ctx, jsonl, Options{Strict: true})
		if err != nil || rep.Added+rep.Updated != 0 || rep.OK() {
			t.Fatalf("strict: %+v, %v", rep, err)
		}
		if n, _ := st.EntryCount(ctx, ""); n != 0 {
			t.Fatalf("strict import stored %d entries", n)
		}

		rep, err = im.Entries(ctx, jsonl, Options{})
		if err != nil {
			t.Fatal(err)
		}
		byLine := map[int]LineError{}
		for _, e := range rep.Errors {
			byLine[e.Line] = e
		}
		good := 0
		for i, tc := range confineCases {
			t.Run(tc.name, func(t *testing.T) {
				e, bad := byLine[i+1]
				_, stored := st.Entry(ctx, "e"+strconv.Itoa(i+1))
				if tc.reason == "" {
					good++
					if bad || stored != nil {
						t.Fatalf("refused: %+v (%v)", e, stored)
					}
					return
				}
				if !bad || !errors.Is(stored, store.ErrNotFound) {
					t.Fatalf("line %d (%s) was imported", i+1, tc.docx)
				}
				if !strings.Contains(e.Reason, tc.reason) ||
					!slices.ContainsFunc(e.Fields, func(f catalog.FieldError) bool { return f.Field == "attachments[0]" }) {
					t.Errorf("line %d: %+v, want field attachments[0] and %q", i+1, e, tc.reason)
				}
			})
		}
		if rep.Added != good {
			t.Errorf("added %d, want %d", rep.Added, good)
		}
		// Nothing of a refused file reached the file store.
		leftovers, _ := filepath.Glob(filepath.Join(im.files.Root(), ".put-*"))
		blobs, _ := filepath.Glob(filepath.Join(im.files.Root(), "*", "*"))
		if len(leftovers) > 0 || len(blobs) != 1 {
			t.Errorf("file store holds %q and temp files %q; want one blob (the good DOCX)", blobs, leftovers)
		}
	})
}

func TestImportDatasetsConfinesPaths(t *testing.T) {
	fields := []catalog.Field{{Name: "id", Type: "string"}, {Name: "n", Type: "integer"}}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dir := confineTree(t)
		var lines []string
		for i, tc := range confineCases {
			lines = append(lines, dsLine("d"+strconv.Itoa(i+1), "jtj", confinePath(dir, tc.csv), fields...))
		}
		jsonl := dsWrite(t, filepath.Join(dir, "datasets.jsonl"), strings.Join(lines, "\n")+"\n")
		im := dsImporter(t, st, "jtj")
		im.MaxDatasetCSV = 2048

		rep, err := im.Datasets(ctx, jsonl, Options{Strict: true})
		if err != nil || rep.Added != 0 || rep.OK() {
			t.Fatalf("strict: %+v, %v", rep, err)
		}
		if _, err := st.Dataset(ctx, "d1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("strict import stored a dataset: %v", err)
		}

		rep, err = im.Datasets(ctx, jsonl, Options{})
		if err != nil {
			t.Fatal(err)
		}
		byLine := map[int]LineError{}
		for _, e := range rep.Errors {
			byLine[e.Line] = e
		}
		for i, tc := range confineCases {
			t.Run(tc.name, func(t *testing.T) {
				id := "d" + strconv.Itoa(i+1)
				e, bad := byLine[i+1]
				d, err := st.Dataset(ctx, id)
				if tc.reason == "" {
					if bad || err != nil || d.RowCount != 1 {
						t.Fatalf("refused: %+v (%v)", e, err)
					}
					if rows := dsReadAll(t, st, id, 0); rows[0][0].Text != "out" {
						t.Fatalf("rows %v", rows)
					}
					return
				}
				if !bad || !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("line %d (%s) was imported", i+1, tc.csv)
				}
				if !strings.Contains(e.Reason, tc.reason) ||
					!slices.ContainsFunc(e.Fields, func(f catalog.FieldError) bool { return f.Field == "csv" }) {
					t.Errorf("line %d: %+v, want field csv and %q", i+1, e, tc.reason)
				}
			})
		}
	})
}

// A publish reads its CSV through the same bound, without trusting the
// size the file had when it was looked at.
func TestPublishDatasetBoundsTheCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im := dsImporter(t, st, "jtj")
		im.MaxDatasetCSV = 64
		fields := []catalog.Field{{Name: "id", Type: "string"}, {Name: "n", Type: "integer"}}
		in := catalog.DatasetInput{ID: "p", Unit: "jtj", Title: "数据集", Domain: "公共服务", CSV: "upload.csv", Fields: fields}
		path := dsWrite(t, filepath.Join(t.TempDir(), "upload.csv"), "id,n\n"+strings.Repeat("a,1\n", 40))
		_, err := im.PublishDataset(ctx, in, path)
		fe, ok := catalog.AsFieldErrors(err)
		if !ok || fe[0].Field != "csv" || !strings.Contains(fe[0].Reason, "larger than 64 bytes") {
			t.Fatalf("err = %v, want a csv field error naming the bound", err)
		}
		if _, err := st.Dataset(ctx, "p"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("stored: %v", err)
		}
		im.MaxDatasetCSV = 1 << 20
		if out, err := im.PublishDataset(ctx, in, path); err != nil || out.Rows != 40 {
			t.Fatalf("within the bound: %+v, %v", out, err)
		}
	})
}
