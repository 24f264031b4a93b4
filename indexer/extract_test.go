package indexer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/demo"
	"gongkai/internal/extract"
	"gongkai/internal/files"
	"gongkai/internal/metrics"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func xlsxFile(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellStr("Sheet1", "A1", "参训人员回执表")
	f.SetSheetRow("Sheet1", "A2", &[]any{"姓名", "单位", "联系电话"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"张三", "临沂市财政局", 13800000000})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ofdFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"OFD.xml":                        `<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>`,
		"Doc_0/Document.xml":             `<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>`,
		"Doc_0/Pages/Page_0/Content.xml": `<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="1"><ofd:TextObject ID="2"><ofd:TextCode X="0" Y="10">临沂市人民政府</ofd:TextCode></ofd:TextObject><ofd:TextObject ID="3"><ofd:TextCode X="0" Y="20">版式文件正文</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>`,
		"Doc_0/Pages/Page_1/Content.xml": `<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="1"><ofd:TextObject ID="4"><ofd:TextCode X="0" Y="10">第二页</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>`,
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

func TestExtractText(t *testing.T) {
	tests := []struct {
		name, format string
		data         []byte
		want         []string
		fails        bool
	}{
		{"docx", "docx", docx(t, "第一段文字", "第二段：经办人"), []string{"第一段文字", "第二段：经办人"}, false},
		{"xlsx", "xlsx", xlsxFile(t), []string{"参训人员回执表", "临沂市财政局", "13800000000"}, false},
		{"ofd", "ofd", ofdFile(t), []string{"临沂市人民政府", "版式文件正文", "第二页"}, false},
		{"wps as ooxml", "wps", docx(t, "金山文字"), []string{"金山文字"}, false},
		{"broken docx", "docx", []byte("PK\x03\x04 not really"), nil, true},
		{"broken pdf", "pdf", []byte("%PDF-1.4 garbage"), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := extractText(tc.format, tc.data)
			if tc.fails {
				if err == nil {
					t.Errorf("no error, text %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("text %q lacks %q", got, w)
				}
			}
		})
	}
	if strings.Index(mustExtract(t, "ofd", ofdFile(t)), "第二页") < strings.Index(mustExtract(t, "ofd", ofdFile(t)), "版式文件正文") {
		t.Error("OFD pages out of order")
	}
}

func mustExtract(t *testing.T, format string, data []byte) string {
	s, err := extractText(format, data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExtractDemoAttachments reads the demo generator's attachments
// (DOCX, XLSX and PDF as the import brings them) and counts a broken file
// as a failure without stopping.
func TestExtractDemoAttachments(t *testing.T) {
	dir := t.TempDir()
	_, err := demo.Generate(context.Background(), dir, demo.Options{Seed: 2, Entries: 150, DatasetRows: 20, Attachments: true,
		Now: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := files.New(filepath.Join(dir, "store"))
	m := metrics.NewSearch(prometheus.NewRegistry())
	x := newExtractor(fs, testLog(t), m)
	f, err := os.Open(filepath.Join(dir, "entries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var line struct {
			ID          string `json:"id"`
			Attachments []struct{ Name, File string }
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		for _, a := range line.Attachments {
			b, err := os.ReadFile(filepath.Join(dir, a.File))
			if err != nil {
				t.Fatal(err)
			}
			format := extract.Format("", a.Name)
			text, err := extractText(format, b)
			if err != nil || len([]rune(strings.TrimSpace(text))) < 4 || !hasHan(text) {
				t.Errorf("%s %s: %v, text %q", line.ID, a.Name, err, text)
			}
			seen[format]++
		}
	}
	for _, k := range []string{"docx", "xlsx", "pdf"} {
		if seen[k] == 0 {
			t.Errorf("demo data has no %s attachment: %v", k, seen)
		}
	}
	// A damaged file is logged and counted, and the entry still indexes.
	sum, size, _ := fs.Put(strings.NewReader("%PDF-1.7 truncated"))
	if got := x.entryText("e", attachmentsOf(sum, size)); got != "" {
		t.Errorf("text of a broken file: %q", got)
	}
	var got dto.Metric
	m.ExtractFailures.WithLabelValues("pdf").Write(&got)
	if n := got.GetCounter().GetValue(); n != 1 {
		t.Errorf("extract failures = %v, want 1", n)
	}
}
