package extract

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// bigFiles are files of each format holding some 200 KB of text.
func bigFiles(t *testing.T) map[string][]byte {
	line := "临沂市人民政府办公室关于印发政务公开工作要点的通知，张三 13812345678。"
	var paras, cells [][]string
	var body strings.Builder
	var objs []string
	for i := range 2000 {
		s := fmt.Sprintf("%d %s", i, line)
		body.WriteString(para(s))
		paras = append(paras, []string{s})
		cells = append(cells, []string{"s:" + s, "i:" + s, "12"})
		objs = append(objs, s)
	}
	return map[string][]byte{
		"docx": docxOf(t, body.String()+table(paras[:500]...)),
		"xlsx": xlsxOf(t, sheet{"名单", cells}),
		"ofd":  ofdOf(t, [][]string{objs[:1000], objs[1000:]}, nil),
		"pdf":  pdfOf(objs[:700], objs[700:1400], objs[1400:]),
	}
}

func TestOutputLimit(t *testing.T) {
	const max = 10000
	for format, data := range bigFiles(t) {
		t.Run(format, func(t *testing.T) {
			full, err := Text(context.Background(), format, data, Limits{MaxText: 4 << 20})
			if err != nil {
				t.Fatal(err)
			}
			text, err := Text(context.Background(), format, data, Limits{MaxText: max})
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("text: %v, want ErrTruncated", err)
			}
			if len(text) > max || len(text) < max-4 || !utf8.ValidString(text) || !strings.HasPrefix(full, text) {
				t.Errorf("text of %d bytes (valid %v) is not the first %d bytes of the whole", len(text), utf8.ValidString(text), max)
			}

			all, err := Parts(context.Background(), format, data, Limits{MaxText: 4 << 20})
			if err != nil {
				t.Fatal(err)
			}
			parts, err := Parts(context.Background(), format, data, Limits{MaxText: max})
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("parts: %v, want ErrTruncated", err)
			}
			size := 0
			for i, p := range parts {
				size += len(p.Text)
				if p.Label != all[i].Label || !strings.HasPrefix(all[i].Text, p.Text) || (i < len(parts)-1 && p.Text != all[i].Text) {
					t.Fatalf("part %d %q is not the whole's %q", i, p, all[i])
				}
				if !utf8.ValidString(p.Text) {
					t.Errorf("part %d cut inside a character", i)
				}
			}
			if size > max || size < max/2 {
				t.Errorf("parts hold %d bytes, limit %d", size, max)
			}
		})
	}
}

func TestInputLimit(t *testing.T) {
	data := docxOf(t, para("正文"))
	lim := Limits{MaxInput: int64(len(data) - 1)}
	if _, err := Text(context.Background(), "docx", data, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("text: %v, want ErrTooLarge", err)
	}
	if _, err := ReadFile(bytes.NewReader(data), lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("read: %v, want ErrTooLarge", err)
	}
	if got, err := ReadFile(bytes.NewReader(data), Limits{}); err != nil || !bytes.Equal(got, data) {
		t.Errorf("read: %d bytes, %v", len(got), err)
	}
}

// deflatedZeros is a raw deflate stream of n MB of zeros, about 1 KB per
// MB: one flushed block of a megabyte refers only to itself, so copies
// of it strung together inflate to n times as much.
func deflatedZeros(t *testing.T, n int) (data []byte, crc uint32) {
	var blk bytes.Buffer
	fw, _ := flate.NewWriter(&blk, flate.BestCompression)
	mb := make([]byte, 1<<20)
	fw.Write(mb)
	fw.Flush()
	data = append(bytes.Repeat(blk.Bytes(), n), 0x03, 0x00) // and a final empty block
	for range n {
		crc = crc32.Update(crc, crc32.IEEETable, mb)
	}
	return data, crc
}

// bomb is a DOCX whose document inflates to size bytes while its header
// says declared.
func bomb(t *testing.T, mb int, declared uint64) []byte {
	raw, crc := deflatedZeros(t, mb)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	zw.Close()
	return buf.Bytes()
}

func TestZipBomb(t *testing.T) {
	const gb = 1024 // MB
	tests := []struct {
		name string
		data []byte
		want error
	}{
		// The directory tells the truth: refused before inflating.
		{"declared", bomb(t, gb, gb<<20), ErrTooLarge},
		// The directory lies: the zip reader stops at the declared size.
		{"lying", bomb(t, gb, 1000), ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.data) > 2<<20 {
				t.Fatalf("bomb of %d bytes is no small file", len(tc.data))
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Text(context.Background(), "docx", tc.data, Limits{})
			_, perr := Parts(context.Background(), "docx", tc.data, Limits{})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tc.want) || !errors.Is(perr, tc.want) {
				t.Errorf("errors %v / %v, want %v", err, perr, tc.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
			t.Logf("%s: %d byte zip of a 1 GB member: %v", tc.name, len(tc.data), err)
		})
	}
}

func TestDecompressedTotal(t *testing.T) {
	row := `<row><c t="inlineStr"><is><t>` + strings.Repeat("名", 100) + `</t></is></c></row>`
	body := `<worksheet><sheetData>` + strings.Repeat(row, 2500) + `</sheetData></worksheet>` // 800 KB
	var ms []member
	for i := range 5 {
		ms = append(ms, member{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), body})
	}
	data := zipOf(t, ms...)
	lim := Limits{MaxMember: 1 << 20, MaxUnzipped: 2 << 20, MaxText: 64 << 20}
	if _, err := Text(context.Background(), "xlsx", data, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("text: %v, want ErrTooLarge", err)
	}
	lim.MaxUnzipped = 8 << 20
	if _, err := Text(context.Background(), "xlsx", data, lim); err != nil {
		t.Errorf("text within the limit: %v", err)
	}
	lim.MaxMember = 512 << 10
	if _, err := Parts(context.Background(), "xlsx", data, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("parts: %v, want ErrTooLarge", err)
	}
}

func TestEntryLimit(t *testing.T) {
	ms := []member{{"word/document.xml", `<w:document ` + wNS + `><w:body>` + para("正文") + `</w:body></w:document>`}}
	for i := range 20 {
		ms = append(ms, member{fmt.Sprintf("word/media/image%d.png", i), "x"})
	}
	data := zipOf(t, ms...)
	if _, err := Text(context.Background(), "docx", data, Limits{MaxEntries: 20}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("21 entries, limit 20: %v, want ErrTooLarge", err)
	}
	if _, err := Text(context.Background(), "docx", data, Limits{MaxEntries: 21}); err != nil {
		t.Errorf("21 entries, limit 21: %v", err)
	}
}

func TestTimeLimit(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for format, data := range bigFiles(t) {
		t.Run(format, func(t *testing.T) {
			if _, err := Text(canceled, format, data, Limits{}); !errors.Is(err, context.Canceled) {
				t.Errorf("canceled: %v", err)
			}
			if _, err := Parts(context.Background(), format, data, Limits{Timeout: time.Nanosecond}); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("past the deadline: %v", err)
			}
		})
	}
}

// TestParserPanic: the PDF library panics on an object that is not where
// the cross-reference table says; that is a malformed file, not a crash.
func TestParserPanic(t *testing.T) {
	data := pdfOf([]string{"文字"})
	// Point object 1 (the catalog) at object 2.
	i := bytes.Index(data, []byte("xref\n"))
	xref := string(data[i:])
	lines := strings.Split(xref, "\n")
	lines[3] = lines[4]
	data = append(data[:i:i], strings.Join(lines, "\n")...)
	for _, f := range []func() error{
		func() error { _, err := Text(context.Background(), "pdf", data, Limits{}); return err },
		func() error { _, err := Parts(context.Background(), "pdf", data, Limits{}); return err },
	} {
		if err := f(); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "parser failed") {
			t.Errorf("%v, want a parser failure", err)
		}
	}
}
