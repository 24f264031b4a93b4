package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/files"
	"gongkai/internal/sanitize"
)

// The fuzzers feed arbitrary import files to the line reader and the entry
// preparation, arbitrary dataset lines and CSV files to the dataset check,
// and arbitrary bytes to the CSV reader. A plain go test runs the seeds
// below and testdata/fuzz; run one for longer with
//
//	go test -run '^$' -fuzz '^FuzzEntryLines$' -fuzztime 20s ./internal/ingest
//
// None of them needs a database: they stop where the store would begin.

// fuzzFolder is an import folder with a good attachment and CSV inside
// and, beside it, a sound DOCX that no line may bring in.
func fuzzFolder(f *testing.F) (dir string, secretSum string) {
	top := f.TempDir()
	dir = filepath.Join(top, "import")
	var doc bytes.Buffer
	if err := writeZipDocx(&doc, "附件正文"); err != nil {
		f.Fatal(err)
	}
	var secret bytes.Buffer
	if err := writeZipDocx(&secret, "不得导入"); err != nil {
		f.Fatal(err)
	}
	for path, data := range map[string][]byte{
		"import/files/a.docx": doc.Bytes(), "import/data/x.csv": []byte("id,n\na,1\n"),
		"secret.docx": secret.Bytes(),
	} {
		p := filepath.Join(top, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	// A link out, where the platform has them.
	_ = os.Symlink(filepath.Join(top, "secret.docx"), filepath.Join(dir, "files", "link.docx"))
	sum := sha256.Sum256(secret.Bytes())
	return dir, hex.EncodeToString(sum[:])
}

func writeZipDocx(w io.Writer, text string) error {
	zw := zip.NewWriter(w)
	m, err := zw.Create("word/document.xml")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(m, `<w:document><w:body><w:p><w:r><w:t>`+text+`</w:t></w:r></w:p></w:body></w:document>`); err != nil {
		return err
	}
	return zw.Close()
}

var entrySeeds = []string{
	`{"id": "fgw-2018-0012", "unit": "fgw", "column": "zcwj", "title": "关于印发方案的通知", "doc_no": "临发改发〔2018〕12号", "written_at": "2018-06-28", "published_at": "2018-07-03T10:00:00+08:00", "topic": "综合政务", "doc_type": "通知", "validity": "有效", "keywords": ["营商环境"], "summary": "提升", "five_publics": "决策", "body_html": "<p>正文</p><script>alert(1)</script>", "attachments": [{"name": "附件1.docx", "file": "files/a.docx"}]}`,
	`{"id": "a", "unit": "fgw", "column": "tzgg", "title": "t", "published_at": "2020-01-01", "body_text": "x", "attachments": [{"name": "a.docx", "file": "../secret.docx"}]}`,
	`{"id": "b", "unit": "fgw", "column": "tzgg", "title": "t", "published_at": "2020-01-01", "body_text": "x", "attachments": [{"name": "a.docx", "file": "files/link.docx"}]}`,
	`{"id": "c", "unit": "fgw", "column": "tzgg", "title": "t", "published_at": "2020-01-01", "body_text": "x", "attachments": [{"file": "/etc/passwd"}, {"file": "files/../files/a.docx"}]}`,
	`{"id": "d", "unit": "fgw", "column": "zcjd", "title": "解读", "published_at": "2020-01-01", "body_text": "x", "form": "图解", "related": ["fgw-2018-0012"], "status": "withdrawn"}`,
	`{"id": "bad date", "unit": "nosuch", "column": "gkml", "published_at": "2020-13-01"}`,
	`{"id": "x", "unit": "fgw", "column": `,
	`[1, 2]`,
	"\xef\xbb\xbf{\"id\": \"bom\"}\r\n\r\n{\"id\": 5}",
}

func FuzzEntryLines(f *testing.F) {
	for _, s := range entrySeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Join(entrySeeds, "\n")))
	dir, secret := fuzzFolder(f)
	base, err := openFolder(dir)
	if err != nil {
		f.Fatal(err)
	}
	fs, err := files.New(filepath.Join(f.TempDir(), "files"))
	if err != nil {
		f.Fatal(err)
	}
	im := &Importer{files: fs, policy: sanitize.New(), MaxAttachment: 1 << 20, MaxDatasetCSV: 1 << 20}
	trees := map[string]catalog.Tree{"fgw": catalog.TreeFromTemplate("fgw", catalog.DefaultTemplate())}
	f.Fuzz(func(t *testing.T, data []byte) {
		physical := bytes.Split(data, []byte("\n"))
		err := readLines(bytes.NewReader(data), func(l line) error {
			// The line number is where the line is in the file.
			if l.n < 1 || l.n > len(physical) {
				t.Fatalf("line %d of a file of %d lines", l.n, len(physical))
			}
			want := bytes.TrimSuffix(physical[l.n-1], []byte("\r"))
			if l.n == 1 {
				want = bytes.TrimPrefix(want, []byte("\xef\xbb\xbf"))
			}
			if !bytes.Equal(l.data, want) {
				t.Fatalf("line %d reads %q, the file has %q", l.n, l.data, want)
			}
			p := im.prepare(l, base, trees, "fuzz")
			if p.n != l.n {
				t.Fatalf("line %d prepared as line %d", l.n, p.n)
			}
			if p.err != nil {
				if p.err.Error() == "" {
					t.Fatalf("line %d: an error without a reason", l.n)
				}
				if fe, ok := catalog.AsFieldErrors(p.err); ok {
					for _, e := range fe {
						if e.Field == "" || e.Reason == "" {
							t.Fatalf("line %d: field error %+v", l.n, e)
						}
					}
				}
				return nil
			}
			e := p.w.Entry
			if !catalog.ValidEntryID(e.ID) || p.w.Hash == "" || e.Unit != "fgw" {
				t.Fatalf("line %d accepted as %+v", l.n, p.w)
			}
			if strings.Contains(strings.ToLower(e.BodyHTML), "<script") {
				t.Fatalf("line %d: body keeps a script: %q", l.n, e.BodyHTML)
			}
			for _, a := range e.Attachments {
				if a.SHA256 == secret {
					t.Fatalf("line %d brought in the file outside the folder", l.n)
				}
				if a.Size > im.MaxAttachment {
					t.Fatalf("line %d: attachment of %d bytes", l.n, a.Size)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
	})
}

var datasetSeeds = []struct{ line, csv string }{
	{`{"id": "ds", "unit": "jtj", "title": "数据集", "domain": "公共服务", "csv": "data/x.csv", "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}`,
		"id,n\na,1\nb,2\n"},
	{`{"id": "ds", "unit": "jtj", "title": "数据集", "domain": "道路交通", "csv": "data/x.csv", "fields": [{"name": "n", "type": "number"}, {"name": "d", "type": "date"}, {"name": "t", "type": "datetime"}, {"name": "b", "type": "boolean"}]}`,
		"\xef\xbb\xbfb,t,d,n\r\n是,2024-09-28T21:13:32+08:00,2024-02-29,-0.50\r\nx,y,z,w\r\n\"1\r\n\",,,\r\n"},
	{`{"id": "ds", "unit": "jtj", "title": "t", "domain": "公共服务", "csv": "../secret.docx", "fields": [{"name": "id", "type": "string"}]}`, "id\n"},
	{`{"id": "ds", "unit": "jtj", "title": "t", "domain": "公共服务", "csv": "data/x.csv", "fields": [{"name": "id", "type": "float"}]}`, ""},
	{`{"id": "ds", "unit": "jtj", "csv": "data/x.csv", "fields": [{"name": "id", "type": "string"}, {"name": "id", "type": "string"}]}`, "id,id\n\"open\n"},
	{`{"id": "ds"`, "n,id\n1.5,\"b\nc\"\n3\n"},
}

func FuzzDatasetLine(f *testing.F) {
	for _, s := range datasetSeeds {
		f.Add(s.line, []byte(s.csv))
	}
	dir, _ := fuzzFolder(f)
	base, err := openFolder(dir)
	if err != nil {
		f.Fatal(err)
	}
	im := &Importer{policy: sanitize.New(), MaxAttachment: 1 << 20, MaxDatasetCSV: 1 << 20}
	csvPath := filepath.Join(dir, "data", "x.csv")
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, lineText string, csvData []byte) {
		if err := os.WriteFile(csvPath, csvData, 0o644); err != nil {
			t.Fatal(err)
		}
		var in catalog.DatasetInput
		if err := decodeLine([]byte(lineText), &in); err != nil {
			if err.Error() == "" {
				t.Fatal("a bad line without a reason")
			}
			return
		}
		meta, err := in.ToDataset()
		if err != nil {
			fe, ok := catalog.AsFieldErrors(err)
			if !ok || len(fe) == 0 {
				t.Fatalf("metadata refused without naming a field: %v", err)
			}
			return
		}
		check, err := checkDatasetCSV(ctx, im.importCSV(base, in.CSV), meta.Fields)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("a CSV refused without a reason")
			}
			return
		}
		if check.badRows > int(check.rows) || check.problems < check.badRows || len(check.errs) > maxListedRowErrors ||
			len(check.errs) > check.problems || (check.badRows > 0) != (len(check.errs) > 0) {
			t.Fatalf("check %+v", check)
		}
		last := 0
		for _, e := range check.errs {
			if e.Row < 1 || int64(e.Row) > check.rows || e.Line < e.Row+1 || e.Row < last || e.Reason == "" {
				t.Fatalf("bad row %+v of %d rows", e, check.rows)
			}
			last = e.Row
			if e.Field != "" && !slices.ContainsFunc(meta.Fields, func(f catalog.Field) bool { return f.Name == e.Field }) {
				t.Fatalf("bad row names field %q, not among the fields", e.Field)
			}
		}
		if check.badRows > 0 {
			return
		}
		// A good file streams into the store as many rows as were checked,
		// each with a value for every field, strings as they are in the file.
		src, err := openDatasetCSV(im.importCSV(base, in.CSV), meta.Fields)
		if err != nil {
			t.Fatalf("checked, then refused: %v", err)
		}
		defer src.Close()
		var n int64
		for {
			row, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("row %d: checked, then refused: %v", n+1, err)
			}
			n++
			if len(row) != len(meta.Fields) {
				t.Fatalf("row %d has %d values for %d fields", n, len(row), len(meta.Fields))
			}
			for i, v := range row {
				if meta.Fields[i].Type == catalog.TypeString && !v.Null && !bytes.Contains(csvData, []byte(v.Text)) &&
					!bytes.Contains(csvData, []byte(strings.ReplaceAll(v.Text, `"`, `""`))) {
					t.Fatalf("row %d %s = %q is not in the file", n, meta.Fields[i].Name, v.Text)
				}
			}
		}
		if n != check.rows {
			t.Fatalf("%d rows read, %d checked", n, check.rows)
		}
	})
}

func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a,b\r\n1,2", "\xef\xbb\xbfa,b\n1,2\n", ",\n,x,\r\n", `"say ""hi""","a,b"` + "\n",
		"h\r\n\"x\r\ny\",z\r\nnext,1\r\n", "\"a\nb\rc\"\n\"\n\n\"\n", "a\rb,c\n", "  x , \" y \" \n", "5\"3,x\n",
		"a\n\n\r\nb\n", "\"\"\n", "（，）,“引号”\n", "a\n\"open\nstill open\n", "a\n\"x\"y,z\n", "\"\r", "\n\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, lines, err := readAllCSV(data)
		var se *csvSyntaxError
		switch {
		case err == nil:
		case errors.As(err, &se):
			if se.line < 1 || se.line > bytes.Count(data, []byte("\n"))+1 {
				t.Fatalf("syntax error at line %d of a file of %d lines", se.line, bytes.Count(data, []byte("\n"))+1)
			}
			return
		default:
			t.Fatalf("not a syntax error: %v", err)
		}
		for i := 1; i < len(lines); i++ {
			if lines[i] <= lines[i-1] {
				t.Fatalf("records start at lines %v", lines)
			}
		}
		// Written back with every cell quoted, the records read the same:
		// no byte of a cell is lost or changed.
		var b bytes.Buffer
		for _, rec := range recs {
			for i, cell := range rec {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + strings.ReplaceAll(cell, `"`, `""`) + `"`)
			}
			b.WriteString("\r\n")
		}
		back, _, err := readAllCSV(b.Bytes())
		if err != nil {
			t.Fatalf("rewritten file: %v", err)
		}
		if len(back) != len(recs) {
			t.Fatalf("%d records, %d once rewritten", len(recs), len(back))
		}
		for i := range recs {
			if !slices.Equal(back[i], recs[i]) {
				t.Fatalf("record %d: %q, once rewritten %q", i+1, recs[i], back[i])
			}
		}
	})
}

func readAllCSV(data []byte) (recs [][]string, lines []int, err error) {
	r := newCSVReader(bytes.NewReader(data))
	for {
		rec, line, err := r.read()
		if errors.Is(err, io.EOF) {
			return recs, lines, nil
		}
		if err != nil {
			return recs, lines, err
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
}
