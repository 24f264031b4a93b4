package extract

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// pdfObjects makes a PDF of the given objects (numbered from 1) with a
// classic cross-reference table; trailer is added to the trailer
// dictionary, with XREF standing for the table's offset.
func pdfObjects(objs []string, trailer string) []byte {
	var out bytes.Buffer
	var offsets []int
	out.WriteString("%PDF-1.5\n")
	for i, o := range objs {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	trailer = strings.ReplaceAll(trailer, "XREF", fmt.Sprint(xref))
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, trailer, xref)
	return out.Bytes()
}

// pdfXrefStream makes a PDF of the given objects whose cross-reference
// stream (the last object, compressed with the PNG Up predictor as
// writers do) holds rows {type, field 2, field 3}; a type-1 row with
// field 2 = -k stands for object k's offset, and one for the stream
// itself is added.
func pdfXrefStream(objs []string, rows [][3]int, extra string) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.5\n")
	var offsets []int
	for i, o := range objs {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xoff := out.Len()
	rows = append(rows, [3]int{1, xoff, 0})
	var raw, prev []byte
	prev = make([]byte, 4)
	for _, r := range rows {
		f2 := r[1]
		if r[0] == 1 && f2 < 0 {
			f2 = offsets[-f2-1]
		}
		row := []byte{byte(r[0]), byte(f2 >> 8), byte(f2), byte(r[2])}
		raw = append(raw, 2)
		for i, c := range row {
			raw = append(raw, c-prev[i])
		}
		prev = row
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	fmt.Fprintf(&out, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >> %s /Length %d >>\nstream\n",
		len(objs)+1, len(rows), extra, z.Len())
	out.Write(z.Bytes())
	out.WriteString("\nendstream\nendobj\n")
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xoff)
	return out.Bytes()
}

var (
	pdfCatalog = "<< /Type /Catalog /Pages 2 0 R >>"
	pdfNoPages = "<< /Type /Pages /Kids [] /Count 0 >>"
)

// pdfWithObjectStream has its page in an object stream, as PDF 1.5
// writers put most objects.
func pdfWithObjectStream() []byte {
	objs := "4 0 << /Type /Page /Parent 2 0 R /Contents 5 0 R >>"
	content := "BT (Hello) Tj T* ET"
	return pdfXrefStream([]string{pdfCatalog, "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /ObjStm /N 1 /First 4 /Length %d >>\nstream\n%s\nendstream", len(objs), objs),
		"null", fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)},
		[][3]int{{0, 0, 255}, {1, -1, 0}, {1, -2, 0}, {1, -3, 0}, {2, 3, 0}, {1, -5, 0}}, "")
}

func pdfPageWith(resources, content string) []string {
	return []string{pdfCatalog, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /Resources " + resources + " /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)}
}

// TestPDFStructure: files whose structure would make the PDF library
// loop for ever, recurse until the process dies, or allocate gigabytes
// are refused at once; the well-formed variants read.
func TestPDFStructure(t *testing.T) {
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <0042> endbfchar endcmap"
	bigCount := strings.Replace(cmap, "1 beginbfchar", "4000000000000000000 beginbfchar", 1)
	font := func(c string) []string {
		objs := pdfPageWith("<< /Font << /F1 5 0 R >> >>", "BT /F1 12 Tf (AA) Tj ET")
		return append(objs, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /Identity-H /ToUnicode 6 0 R >>",
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c))
	}
	tests := []struct {
		name    string
		data    []byte
		refused bool
		want    string
	}{
		{"classic table", pdfObjects(pdfPageWith("<< >>", "BT (Hello) Tj ET"), ""), false, "\nHello"},
		{"cross-reference stream", pdfXrefStream([]string{pdfCatalog, pdfNoPages}, [][3]int{{0, 0, 255}, {1, -1, 0}, {1, -2, 0}}, ""), false, ""},
		{"font map", pdfObjects(font(cmap), ""), false, "\nBB"},
		{"object stream", pdfWithObjectStream(), false, "\nHello\n"},

		{"/Prev chain loops", pdfObjects([]string{pdfCatalog, pdfNoPages}, "/Prev XREF"), true, ""},
		{"table for objects from 200 million", bytes.Replace(pdfObjects([]string{pdfCatalog, pdfNoPages}, ""),
			[]byte("trailer"), []byte("200000000 1\n0000000009 00000 n \ntrailer"), 1), true, ""},
		{"stream of /Size 2^40", pdfXrefStream([]string{pdfCatalog, pdfNoPages}, [][3]int{{0, 0, 255}, {1, -1, 0}, {1, -2, 0}}, "/Size 1099511627776"), true, ""},
		{"object in an object stream in itself", pdfXrefStream([]string{pdfCatalog, pdfNoPages}, [][3]int{{0, 0, 255}, {2, 1, 0}, {1, -2, 0}}, ""), true, ""},
		{"object stream extending itself", pdfXrefStream([]string{pdfCatalog,
			"<< /Type /ObjStm /N 1 /First 6 /Extends 2 0 R /Length 11 >>\nstream\n9 0 null\nendstream"},
			[][3]int{{0, 0, 255}, {2, 2, 0}, {1, -2, 0}}, ""), true, ""},
		{"page tree in itself", pdfObjects([]string{pdfCatalog, "<< /Type /Pages /Kids [2 0 R] /Count 5 >>"}, ""), true, ""},
		{"page its own parent", pdfObjects([]string{pdfCatalog, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>", "<< /Length 0 >>\nstream\n\nendstream"}, ""), true, ""},
		{"predictor of 2^40 columns", pdfObjects(append(pdfPageWith("<< >>", "BT (x) Tj ET"),
			"<< /Length 0 /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 1099511627776 >> >>\nstream\n\nendstream"), ""), true, ""},
		{"font map counting to 4e18", pdfObjects(font(bigCount), ""), true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			text, err := Text(context.Background(), "pdf", tc.data, Limits{Timeout: 10 * time.Second})
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("ran into the deadline: %v", err)
			}
			if tc.refused {
				if !errors.Is(err, errPDFStructure) {
					t.Errorf("text %q, %v; want a refusal", text, err)
				}
				return
			}
			if err != nil || text != tc.want {
				t.Errorf("text %q, %v; want %q", text, err, tc.want)
			}
		})
	}
}
