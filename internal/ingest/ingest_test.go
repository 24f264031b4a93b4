package ingest_test

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/ingest"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

const unitsFile = `{"code": "fgw", "name": "临沂市发展和改革委员会", "kind": "部门", "org_code": "11371300004331204K"}
{"code": "gxq", "name": "临沂高新技术产业开发区管委会", "kind": "管委会", "org_code": "11371300MB2850871X"}
{"code": "gxq-jjj", "name": "高新区经济发展局", "kind": "其他", "parent": "gxq"}
`

const goodEntries = `{"id": "fgw-2018-0012", "unit": "fgw", "column": "zcwj", "title": "关于印发《临沂市营商环境提升方案》的通知", "doc_no": "临发改发〔2018〕12号", "written_at": "2018-06-28", "published_at": "2018-07-03T10:00:00+08:00", "topic": "综合政务", "doc_type": "通知", "validity": "有效", "keywords": ["营商环境"], "summary": "提升营商环境", "five_publics": "决策", "body_html": "<p style=\"text-indent:2em;\">正文第一段。</p><script>alert(1)</script><p onclick=\"x()\">第二段</p><table><tr><td>甲</td></tr></table>", "attachments": [{"name": "附件1：方案.docx", "file": "files/a.docx"}]}
{"id": "fgw-2018-0013", "unit": "fgw", "column": "zcjd", "title": "《临沂市营商环境提升方案》政策解读", "published_at": "2018-07-04", "body_text": "解读正文", "form": "图解", "related": ["fgw-2018-0012"]}
{"id": "gxq-2019-0001", "unit": "gxq", "column": "tzgg", "title": "高新区通知", "published_at": "2019-01-02T09:00:00", "body_text": "通知正文", "status": "withdrawn", "withdrawn_at": "2019-02-01", "withdraw_reason": "内容已过时"}
{"id": "gxq-2019-0002", "unit": "gxq", "column": "tzgg", "title": "草稿", "body_text": "草稿正文", "status": "draft"}
`

// setup writes the files of an import into a folder and returns a store
// with the units imported.
func setup(t *testing.T, st *store.Store, entries string) (*ingest.Importer, string) {
	t.Helper()
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "files"), 0o755))
	writeDocx(t, filepath.Join(dir, "files", "a.docx"))
	must(t, os.WriteFile(filepath.Join(dir, "files", "fake.pdf"), []byte("this is not a pdf"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "units.jsonl"), []byte(unitsFile), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "entries.jsonl"), []byte(entries), 0o644))
	fs, err := files.New(filepath.Join(dir, "store-files"))
	must(t, err)
	im := ingest.New(st, fs)
	rep, err := im.Units(context.Background(), filepath.Join(dir, "units.jsonl"), ingest.Options{})
	must(t, err)
	if !rep.OK() || rep.Added != 3 {
		t.Fatalf("units: %+v", rep)
	}
	return im, filepath.Join(dir, "entries.jsonl")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeDocx(t *testing.T, path string) {
	f, err := os.Create(path)
	must(t, err)
	zw := zip.NewWriter(f)
	w, err := zw.Create("word/document.xml")
	must(t, err)
	_, _ = w.Write([]byte(`<w:document><w:body><w:p><w:r><w:t>附件正文</w:t></w:r></w:p></w:body></w:document>`))
	must(t, zw.Close())
	must(t, f.Close())
}

func TestImportEntriesIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im, path := setup(t, st, goodEntries)
		rep, err := im.Entries(ctx, path, ingest.Options{})
		must(t, err)
		if !rep.OK() || rep.Added != 4 || rep.Lines != 4 {
			t.Fatalf("first import: %+v", rep)
		}
		rep, err = im.Entries(ctx, path, ingest.Options{})
		must(t, err)
		if rep.Unchanged != 4 || rep.Added+rep.Updated+rep.Rejected != 0 {
			t.Fatalf("second import: %+v", rep)
		}
		d, err := st.Entry(ctx, "fgw-2018-0012")
		must(t, err)
		for _, bad := range []string{"<script", "onclick", "alert"} {
			if strings.Contains(d.BodyHTML, bad) {
				t.Errorf("body kept %q: %s", bad, d.BodyHTML)
			}
		}
		for _, good := range []string{"<table>", "<td>甲</td>", `text-indent: 2em`} {
			if !strings.Contains(d.BodyHTML, good) {
				t.Errorf("body lost %q: %s", good, d.BodyHTML)
			}
		}
		if len(d.Attachments) != 1 || d.Attachments[0].Size == 0 || !strings.Contains(d.Attachments[0].MediaType, "wordprocessingml") {
			t.Errorf("attachments = %+v", d.Attachments)
		}
		if d.IndexNo != "11371300004331204K/2018-00001" {
			t.Errorf("index_no = %q", d.IndexNo)
		}
		if len(d.Links) != 1 || d.Links[0].ID != "fgw-2018-0013" {
			t.Errorf("links = %+v", d.Links)
		}
		w, _ := st.Entry(ctx, "gxq-2019-0001")
		if w.Status != catalog.StatusWithdrawn || w.WithdrawnAt == nil || w.WithdrawnAt.In(catalog.Shanghai).Format("2006-01-02") != "2019-02-01" || w.StatusReason != "内容已过时" {
			t.Errorf("withdrawn entry: status %q at %v reason %q", w.Status, w.WithdrawnAt, w.StatusReason)
		}
		if got := w.PublishedAt.Format("2006-01-02T15:04:05Z07:00"); got != "2019-01-02T01:00:00Z" {
			t.Errorf("a time without zone is Shanghai time: got %s", got)
		}

		// A changed line updates its record and only that one.
		changed := strings.Replace(goodEntries, "高新区通知", "高新区通知（修订）", 1)
		must(t, os.WriteFile(path, []byte(changed), 0o644))
		rep, err = im.Entries(ctx, path, ingest.Options{})
		must(t, err)
		if rep.Updated != 1 || rep.Unchanged != 3 {
			t.Fatalf("changed import: %+v", rep)
		}
		w, _ = st.Entry(ctx, "gxq-2019-0001")
		if w.Revision != 2 || w.WithdrawnAt == nil || w.WithdrawnAt.In(catalog.Shanghai).Format("2006-01-02") != "2019-02-01" {
			t.Errorf("after update: revision %d, withdrawn %v", w.Revision, w.WithdrawnAt)
		}
	})
}

func TestImportEntriesReportsBadLines(t *testing.T) {
	bad := goodEntries +
		`{"id": "broken", "unit": "fgw", "column": ` + "\n" + // 5: broken JSON
		`{"id": "no-title", "unit": "fgw", "column": "tzgg", "published_at": "2020-01-01", "body_text": "x"}` + "\n" + // 6
		`{"id": "bad-column", "unit": "fgw", "column": "nosuch", "title": "t", "published_at": "2020-01-01", "body_text": "x"}` + "\n" + // 7
		"\n" + // 8: blank lines are skipped, but counted
		`{"id": "group-column", "unit": "fgw", "column": "gkml", "title": "t", "published_at": "2020-01-01", "body_text": "x"}` + "\n" + // 9
		`{"id": "no-unit", "unit": "nosuch", "column": "tzgg", "title": "t", "published_at": "2020-01-01", "body_text": "x"}` + "\n" + // 10
		`{"id": "bad date", "unit": "fgw", "column": "tzgg", "title": "t", "published_at": "2020-13-01", "body_text": "x"}` + "\n" + // 11
		`{"id": "no-pub", "unit": "fgw", "column": "tzgg", "title": "t", "body_text": "x"}` + "\n" + // 12
		`{"id": "fake-pdf", "unit": "fgw", "column": "tzgg", "title": "t", "published_at": "2020-01-01", "body_text": "x", "attachments": [{"name": "a.pdf", "file": "files/fake.pdf"}]}` + "\n" + // 13
		`{"id": "missing-file", "unit": "fgw", "column": "tzgg", "title": "t", "published_at": "2020-01-01", "body_text": "x", "attachments": [{"name": "a.pdf", "file": "files/none.pdf"}]}` + "\n" + // 14
		`{"id": "fgw-2018-0012", "unit": "fgw", "column": "tzgg", "title": "dup", "published_at": "2020-01-01", "body_text": "x"}` + "\n" + // 15
		`{"id": "script-only", "unit": "fgw", "column": "tzgg", "title": "t", "published_at": "2020-01-01", "body_html": "<script>alert(1)</script>"}` + "\n" + // 16
		`{"id": "interp-alone", "unit": "fgw", "column": "zcjd", "title": "t", "published_at": "2020-01-01", "body_text": "x"}` + "\n" + // 17
		`[1, 2]` + "\n" + // 18
		`{"id": "good-last", "unit": "fgw", "column": "tzgg", "title": "最后一条", "published_at": "2020-01-01", "body_text": "x"}` + "\n" // 19
	wantLines := []int{5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im, path := setup(t, st, bad)

		rep, err := im.Entries(ctx, path, ingest.Options{Strict: true})
		must(t, err)
		if rep.OK() || rep.Added != 0 {
			t.Fatalf("strict: %+v", rep)
		}
		if n, _ := st.EntryCount(ctx, ""); n != 0 {
			t.Fatalf("strict import stored %d entries", n)
		}

		rep, err = im.Entries(ctx, path, ingest.Options{})
		must(t, err)
		var got []int
		for _, e := range rep.Errors {
			got = append(got, e.Line)
			if e.Reason == "" {
				t.Errorf("line %d has no reason", e.Line)
			}
		}
		if !slices.Equal(got, wantLines) {
			t.Errorf("bad lines = %v, want %v\n%+v", got, wantLines, rep.Errors)
		}
		if rep.Added != 5 || rep.Rejected != len(wantLines) {
			t.Errorf("report: %+v", rep)
		}
		byLine := map[int]ingest.LineError{}
		for _, e := range rep.Errors {
			byLine[e.Line] = e
		}
		for line, field := range map[int]string{6: "title", 7: "column", 9: "column", 10: "unit", 11: "published_at", 12: "published_at", 17: "related"} {
			if !slices.ContainsFunc(byLine[line].Fields, func(f catalog.FieldError) bool { return f.Field == field }) {
				t.Errorf("line %d: want a %s error, got %+v", line, field, byLine[line])
			}
		}
		if _, err := st.Entry(ctx, "good-last"); err != nil {
			t.Errorf("the good line after bad ones was not imported: %v", err)
		}
	})
}

func TestImportUnitsReportsBadLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		dir := t.TempDir()
		path := filepath.Join(dir, "units.jsonl")
		body := "\ufeff" + `{"code": "child", "name": "下属单位", "kind": "其他", "parent": "top"}
{"code": "top", "name": "上级单位", "kind": "部门", "org_code": "11371300004331204k"}
{"code": "BAD", "name": "x"}
{"code": "nokind", "name": "x", "kind": "局"}
{"code": "noname"}
{"code": "shortorg", "name": "x", "org_code": "123"}
{"code": "top", "name": "重复"}
{"code": "orphan", "name": "x", "parent": "missing"}
`
		must(t, os.WriteFile(path, []byte(body), 0o644))
		fs, _ := files.New(filepath.Join(dir, "f"))
		rep, err := ingest.New(st, fs).Units(context.Background(), path, ingest.Options{})
		must(t, err)
		var got []int
		for _, e := range rep.Errors {
			got = append(got, e.Line)
		}
		if want := []int{3, 4, 5, 6, 7, 8}; !slices.Equal(got, want) {
			t.Errorf("bad lines = %v, want %v: %+v", got, want, rep.Errors)
		}
		if rep.Added != 2 {
			t.Errorf("added = %d, want 2 (a child before its parent in the file still goes in)", rep.Added)
		}
		u, err := st.Unit(context.Background(), "top")
		if err != nil || u.OrgCode != "11371300004331204K" {
			t.Errorf("org code is upper-cased: %+v %v", u, err)
		}
	})
}

func TestImportCatalogDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im, entries := setup(t, st, goodEntries)
		dir := filepath.Dir(entries)
		if err := im.Catalog(ctx, dir); err != nil {
			t.Fatalf("a good directory: %v", err)
		}
		must(t, os.WriteFile(entries, []byte(goodEntries+`{"id": "bad", "unit": "fgw"}`+"\n"), 0o644))
		if err := im.Catalog(ctx, dir); err == nil || !strings.Contains(err.Error(), "entries.jsonl") {
			t.Errorf("a bad entries line: err %v, want one naming entries.jsonl", err)
		}
	})
}
