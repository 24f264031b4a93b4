package indexer

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// docx builds a real, minimal Word document holding the paragraphs.
func docx(t testing.TB, paras ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	var body bytes.Buffer
	for _, p := range paras {
		// Split each paragraph over two runs, as Word does.
		r := []rune(p)
		h := len(r) / 2
		fmt.Fprintf(&body, `<w:p><w:r><w:t>%s</w:t></w:r><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`,
			html.EscapeString(string(r[:h])), html.EscapeString(string(r[h:])))
	}
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+body.String()+`</w:body></w:document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fix is a store, a file store and an index over them.
type fix struct {
	st     *store.Store
	fs     *files.Store
	ix     *Index
	dir    string
	seq    int
	shards int // Options.Shards
}

// testShards is the number of shards the package's tests build their
// indexes with: GONGKAI_TEST_SHARDS, default 1 (make test runs the
// package a second time with several).
var testShards = func() int {
	n, _ := strconv.Atoi(os.Getenv("GONGKAI_TEST_SHARDS"))
	return max(n, 1)
}()

func newFix(t *testing.T, st *store.Store) *fix {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	fs, err := files.New(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	units := []catalog.Unit{
		{Code: "fgw", Name: "临沂市发展和改革委员会", Kind: catalog.KindDepartment, OrgCode: "11371300004331204K"},
		{Code: "czj", Name: "临沂市财政局", Kind: catalog.KindDepartment, OrgCode: "113713000043312001"},
		{Code: "zfb", Name: "临沂市人民政府办公室", Kind: catalog.KindDepartment, OrgCode: "113713000043312002"},
		{Code: "rsj", Name: "临沂市人力资源和社会保障局", Kind: catalog.KindDepartment, OrgCode: "113713000043312003"},
	}
	for _, u := range units {
		if _, err := st.SaveUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	f := &fix{st: st, fs: fs, dir: dir, shards: testShards}
	f.ix = f.open(t)
	return f
}

func (f *fix) open(t *testing.T) *Index {
	t.Helper()
	ix, err := Open(context.Background(), Options{Dir: filepath.Join(f.dir, "index"), Store: f.st, Files: f.fs,
		SynonymsFile: filepath.Join(f.dir, "search", "synonyms.txt"), Shards: f.shards})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// entry makes a published entry; opts adjust it.
func (f *fix) entry(id, unit, title, body string, opts ...func(*catalog.Entry)) catalog.Entry {
	f.seq++
	pub := time.Date(2018+f.seq%6, time.Month(1+f.seq%12), 1+f.seq%27, 10, 0, 0, 0, catalog.Shanghai)
	e := catalog.Entry{ID: id, Unit: unit, Column: "zcwj", Title: title, Status: catalog.StatusPublished,
		PublishedAt: &pub, BodyHTML: "<p>" + html.EscapeString(body) + "</p>", Keywords: []string{},
		DocType: "通知", Validity: "有效", Topic: "综合政务"}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func (f *fix) save(t *testing.T, es ...catalog.Entry) {
	t.Helper()
	ws := make([]store.EntryWrite, len(es))
	for i, e := range es {
		ws[i] = store.EntryWrite{Entry: e, Hash: fmt.Sprintf("%d-%s-%s-%s", time.Now().UnixNano(), e.ID, e.Status, e.Title), Actor: "test"}
	}
	if _, err := f.st.SaveEntries(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
}

// sync brings the index up to date: a rebuild when it has none yet, then
// the change log.
func (f *fix) sync(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if f.ix.NeedsRebuild() {
		if err := f.ix.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.ix.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
}

func (f *fix) search(t *testing.T, r Request) *Result {
	t.Helper()
	res, err := f.ix.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("search %+v: %v", r, err)
	}
	return res
}

// pageAll follows the next cursors from req to the last page and returns
// every hit in order.
func (f *fix) pageAll(t *testing.T, req Request) []Hit {
	t.Helper()
	var all []Hit
	for range 1000 {
		res := f.search(t, req)
		all = append(all, res.Hits...)
		if res.Next == "" {
			return all
		}
		req.After = res.Next
	}
	t.Fatalf("paging %+v did not end", req)
	return nil
}

func hitIDs(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func ids(res *Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func testLog(t testing.TB) *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func attachmentsOf(sum string, size int64) []catalog.Attachment {
	return []catalog.Attachment{{Name: "损坏的文件.pdf", SHA256: sum, Size: size, MediaType: "application/pdf"}}
}
