package demo

import (
	"archive/zip"
	"bytes"
	"encoding/hex"
	"errors"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAttachments(t *testing.T) { forEachCase(t, checkAttachments) }

func checkAttachments(t *testing.T, dir string, m Manifest, _ Options) {
	lines := readLines(t, filepath.Join(dir, "entries.jsonl"))
	kinds := map[string]int{}
	files := 0
	for _, e := range lines {
		raw, _ := e["attachments"].([]any)
		for _, a := range raw {
			am := a.(map[string]any)
			name, file := str(am, "name"), str(am, "file")
			ext := filepath.Ext(file)
			if !strings.HasPrefix(file, "files/"+str(e, "id")+"-") || filepath.Ext(name) != ext {
				t.Errorf("%s: attachment %q → %q", str(e, "id"), name, file)
			}
			files++
			kinds[ext]++
			path := filepath.Join(dir, filepath.FromSlash(file))
			var text string
			var err error
			switch ext {
			case ".docx":
				text, err = docxText(path)
			case ".xlsx":
				text, err = xlsxText(path)
			case ".pdf":
				text, err = pdfText(path)
			default:
				err = errors.New("unexpected extension")
			}
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			// The attachment must add words of its own to the entry.
			own := false
			for _, w := range attachmentOnlyWords {
				if strings.Contains(text, w) && !strings.Contains(str(e, "title")+visibleText(e), w) {
					own = true
				}
			}
			if !own {
				t.Errorf("%s: no words beyond the entry's title and body", file)
			}
		}
	}
	if files == 0 || files != m.Attachments {
		t.Errorf("%d attachments listed, manifest %d", files, m.Attachments)
	}
	if len(lines) < 500 {
		return // the mix below is only stable for larger catalogs
	}
	for _, ext := range []string{".docx", ".xlsx", ".pdf"} {
		if kinds[ext] == 0 {
			t.Errorf("no %s attachments", ext)
		}
	}
	share := float64(len(attachedEntries(lines))) / float64(len(lines))
	if share < 0.08 || share > 0.25 {
		t.Errorf("%.2f of entries have attachments, want about 0.15", share)
	}
}

func attachedEntries(lines []map[string]any) []string {
	var ids []string
	for _, e := range lines {
		if _, ok := e["attachments"]; ok {
			ids = append(ids, str(e, "id"))
		}
	}
	return ids
}

func docxText(path string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	need := map[string]bool{"[Content_Types].xml": true, "_rels/.rels": true, "word/document.xml": true}
	var text string
	for _, f := range zr.File {
		delete(need, f.Name)
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		data, err := io.ReadAll(rc) // also verifies the CRC
		rc.Close()
		if err != nil {
			return "", err
		}
		if f.Name == "word/document.xml" {
			text = html.UnescapeString(tagRe.ReplaceAllString(string(data), ""))
		}
	}
	if len(need) > 0 {
		return "", errors.New("docx parts missing")
	}
	return text, nil
}

func xlsxText(path string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	zr.Close()
	f, err := excelize.OpenFile(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		return "", err
	}
	if len(rows) < 3 {
		return "", errors.New("xlsx has no table")
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " "))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

var (
	pdfHexRe = regexp.MustCompile(`<([0-9A-F]+)> Tj`)
	pdfObjRe = regexp.MustCompile(`^\d+ 0 obj`)
)

// pdfText checks the file structure (header, trailer, every xref offset
// pointing at its object) and decodes the text the content streams show.
func pdfText(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.HasSuffix(data, []byte("%%EOF")) {
		return "", errors.New("not a PDF")
	}
	i := bytes.LastIndex(data, []byte("startxref\n"))
	if i < 0 {
		return "", errors.New("no startxref")
	}
	xref, err := strconv.Atoi(strings.TrimSpace(string(data[i+len("startxref\n") : len(data)-len("%%EOF")])))
	if err != nil || !bytes.HasPrefix(data[xref:], []byte("xref\n")) {
		return "", errors.New("startxref does not point at the xref table")
	}
	table := strings.Split(string(data[xref:]), "\n")
	for _, row := range table[3:] {
		if !strings.HasSuffix(row, " n ") {
			break
		}
		off, _ := strconv.Atoi(row[:10])
		if !pdfObjRe.Match(data[off:]) {
			return "", errors.New("xref offset " + row[:10] + " does not start an object")
		}
	}
	if !bytes.Contains(data, []byte("/ToUnicode")) || !bytes.Contains(data, []byte("/UniGB-UCS2-H")) {
		return "", errors.New("font setup missing")
	}
	var b strings.Builder
	for _, m := range pdfHexRe.FindAllSubmatch(data, -1) {
		raw, err := hex.DecodeString(string(m[1]))
		if err != nil || len(raw)%2 != 0 {
			return "", errors.New("bad text string")
		}
		for k := 0; k < len(raw); k += 2 {
			b.WriteRune(rune(raw[k])<<8 | rune(raw[k+1]))
		}
	}
	return b.String(), nil
}
