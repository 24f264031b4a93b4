package opendata

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gongkai/internal/catalog"
)

// Limits of the XLSX format.
const (
	xlsxMaxRows = 1048576 // rows per sheet, the header row included
	// xlsxDigits is the precision of a spreadsheet number (a double as
	// Excel shows it); longer numbers are written as text so that no digit
	// is lost.
	xlsxDigits = 15
	// xlsxMaxDecimals bounds the decimal places of a number format.
	xlsxMaxDecimals = 30
)

// Buffers of the XLSX writer: rows are encoded into the first, which
// feeds the compressor of the current zip entry; the zip goes out through
// the second.
const (
	xlsxEntryBuffer = 32 << 10
	xlsxOutBuffer   = 64 << 10
)

// xlsxCompression is the deflate level of the zip entries. Measured on
// typical tables: the default level (6) takes twice the time of 3 for a
// tenth less size, the fastest (1) a fifth less time for a fifth more.
const xlsxCompression = 3

// xlsxWriter writes an XLSX workbook as the rows come, straight into a
// zip stream to out: sheet "数据" (then "数据2", … every 1,048,575 rows), a
// bold header row of field titles frozen at the top, and a sheet "字段说明"
// with the field dictionary. Each row is encoded and compressed at once;
// nothing of a sheet is kept, so memory stays at the size of the buffers
// and the compressor whatever the number of rows. The parts that list the
// sheets and styles are written after the sheets (a zip's parts may come
// in any order).
//
// Cells keep their values: strings (dates and date-times too) as inline
// text, so leading zeros and line breaks stay; booleans as booleans;
// integers and numbers as numeric cells holding the stored digits as they
// are, with a number format of exactly their decimal places, so "3.10"
// shows as 3.10, unless they have more than 15 significant digits, which
// a spreadsheet number cannot hold: those are written as text. Empty
// cells are left out.
//
// excelize is not used here: its StreamWriter keeps each sheet in a
// memory buffer of up to 16 MB before spilling to a file, which alone
// breaks the memory bound of downloads.
type xlsxWriter struct {
	out      *bufio.Writer
	zw       *zip.Writer
	w        *bufio.Writer // the current worksheet entry
	perSheet int           // data rows per sheet
	fields   []catalog.Field
	cols     []string // column letters
	sheets   []string // names of the sheets written or being written
	rowNum   int      // the last row written to the current sheet, 1 the header
	num      []byte   // rowNum in digits
	// numStyles maps decimal places to their style index (0: none yet);
	// decimals lists the decimal places of each number style in order.
	numStyles [xlsxMaxDecimals + 1]int
	decimals  []int
}

func newXLSXWriter(out io.Writer) *xlsxWriter {
	return &xlsxWriter{out: bufio.NewWriterSize(out, xlsxOutBuffer), perSheet: xlsxMaxRows - 1}
}

func xlsxSheetName(n int) string {
	if n == 1 {
		return "数据"
	}
	return "数据" + strconv.Itoa(n)
}

// xlsxColumn names the column of index i (from 0): A … Z, AA, ….
func xlsxColumn(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

func (x *xlsxWriter) begin(fields []catalog.Field) error {
	x.fields = fields
	x.cols = make([]string, max(len(fields), 4))
	for i := range x.cols {
		x.cols[i] = xlsxColumn(i)
	}
	x.zw = zip.NewWriter(x.out)
	x.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, xlsxCompression)
	})
	x.w = bufio.NewWriterSize(nil, xlsxEntryBuffer)
	return x.startSheet(xlsxSheetName(1), len(fields), 16, x.titles())
}

// titles are the header cells of the data sheets: field titles, or names
// where a field has no title.
func (x *xlsxWriter) titles() [][]byte {
	h := make([][]byte, len(x.fields))
	for i, f := range x.fields {
		t := f.Title
		if t == "" {
			t = f.Name
		}
		h[i] = []byte(t)
	}
	return h
}

// startSheet opens the next worksheet entry and writes its bold header.
func (x *xlsxWriter) startSheet(name string, cols, width int, header [][]byte) error {
	x.sheets = append(x.sheets, name)
	entry, err := x.zw.Create("xl/worksheets/sheet" + strconv.Itoa(len(x.sheets)) + ".xml")
	if err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	x.w.Reset(entry)
	if _, err := x.w.WriteString(xlsxWorksheetStart(cols, width, len(x.sheets) == 1)); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	x.rowNum = 0
	return x.writeRow(header, func(b []byte, _ int, cell []byte) []byte {
		return appendXLSXString(b, xlsxStyleBold, cell)
	})
}

// endSheet closes the current worksheet.
func (x *xlsxWriter) endSheet() error {
	if _, err := x.w.WriteString(xlsxWorksheetEnd); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := x.w.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func (x *xlsxWriter) row(cells [][]byte) error {
	if x.rowNum > x.perSheet {
		if err := x.endSheet(); err != nil {
			return err
		}
		if err := x.startSheet(xlsxSheetName(len(x.sheets)+1), len(x.fields), 16, x.titles()); err != nil {
			return err
		}
	}
	return x.writeRow(cells, x.appendCell)
}

// writeRow writes the next row of the current sheet; cell appends one
// non-empty cell, whose reference ends the buffer it is given.
func (x *xlsxWriter) writeRow(cells [][]byte, cell func(b []byte, i int, cell []byte) []byte) error {
	x.rowNum++
	x.num = strconv.AppendInt(x.num[:0], int64(x.rowNum), 10)
	// Encoded straight into the writer's free buffer: no copy when it fits.
	b := x.w.AvailableBuffer()
	b = append(b, `<row r="`...)
	b = append(b, x.num...)
	b = append(b, `">`...)
	for i, c := range cells {
		if len(c) == 0 {
			continue
		}
		b = append(b, `<c r="`...)
		b = append(b, x.cols[i]...)
		b = append(b, x.num...)
		b = append(b, '"')
		b = cell(b, i, c)
	}
	b = append(b, `</row>`...)
	if _, err := x.w.Write(b); err != nil {
		return fmt.Errorf("xlsx: row %d: %w", x.rowNum, err)
	}
	return nil
}

// appendCell appends the rest of one data cell (after its reference) by
// the type of field i.
func (x *xlsxWriter) appendCell(b []byte, i int, cell []byte) []byte {
	switch x.fields[i].Type {
	case catalog.TypeBoolean:
		if string(cell) == "true" {
			return append(b, ` t="b"><v>1</v></c>`...)
		}
		return append(b, ` t="b"><v>0</v></c>`...)
	case catalog.TypeInteger:
		if spreadsheetInteger(cell) {
			return appendXLSXNumber(b, x.numberStyle(0), cell)
		}
	case catalog.TypeNumber:
		if _, decimals, ok := spreadsheetNumber(string(cell)); ok {
			return appendXLSXNumber(b, x.numberStyle(decimals), cell)
		}
	}
	return appendXLSXString(b, xlsxStyleText, cell)
}

func appendXLSXNumber(b []byte, style int, digits []byte) []byte {
	b = append(b, ` s="`...)
	b = strconv.AppendInt(b, int64(style), 10)
	b = append(b, `"><v>`...)
	b = append(b, digits...)
	return append(b, `</v></c>`...)
}

func appendXLSXString(b []byte, style int, text []byte) []byte {
	b = append(b, ` s="`...)
	b = strconv.AppendInt(b, int64(style), 10)
	b = append(b, `" t="inlineStr"><is><t xml:space="preserve">`...)
	b = appendXLSXText(b, text)
	return append(b, `</t></is></c>`...)
}

// numberStyle returns the style showing a number with exactly this many
// decimal places ("0", "0.0", "0.00", …), made on first use.
func (x *xlsxWriter) numberStyle(decimals int) int {
	if st := x.numStyles[decimals]; st != 0 {
		return st
	}
	st := xlsxStyleNums + len(x.decimals)
	x.decimals = append(x.decimals, decimals)
	x.numStyles[decimals] = st
	return st
}

// spreadsheetInteger reports whether canonical integer digits fit a
// spreadsheet number: at most 15 digits.
func spreadsheetInteger(digits []byte) bool {
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > xlsxDigits {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// spreadsheetNumber reads a canonical decimal as a double when that loses
// nothing: at most 15 significant digits (what a spreadsheet keeps), and
// printing the double with the same decimal places gives the text back.
func spreadsheetNumber(text string) (float64, int, bool) {
	digits := strings.TrimPrefix(text, "-")
	intPart, frac, _ := strings.Cut(digits, ".")
	if len(frac) > xlsxMaxDecimals || len(strings.TrimLeft(intPart+frac, "0")) > xlsxDigits {
		return 0, 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, 0, false
	}
	var buf [64]byte
	if string(strconv.AppendFloat(buf[:0], f, 'f', len(frac), 64)) != text {
		return 0, 0, false
	}
	return f, len(frac), true
}

// end closes the last data sheet, adds the field dictionary and the
// parts that list the sheets, and finishes the zip.
func (x *xlsxWriter) end() error {
	if err := x.endSheet(); err != nil {
		return err
	}
	if err := x.writeDictionary(); err != nil {
		return err
	}
	if err := writeXLSXPackage(x.zw, x.sheets, x.decimals); err != nil {
		return err
	}
	if err := x.zw.Close(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := x.out.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// writeDictionary adds the sheet "字段说明": name, title, type and
// description of every field written.
func (x *xlsxWriter) writeDictionary() error {
	header := [][]byte{[]byte("字段名"), []byte("中文名称"), []byte("类型"), []byte("说明")}
	if err := x.startSheet("字段说明", len(header), 24, header); err != nil {
		return err
	}
	text := func(b []byte, _ int, cell []byte) []byte { return appendXLSXString(b, xlsxStyleText, cell) }
	for _, f := range x.fields {
		if err := x.writeRow([][]byte{[]byte(f.Name), []byte(f.Title), []byte(TypeLabel(f.Type)), []byte(f.Description)}, text); err != nil {
			return err
		}
	}
	return x.endSheet()
}

// TypeLabel names a field type for people.
func TypeLabel(t string) string {
	switch t {
	case catalog.TypeString:
		return "文本"
	case catalog.TypeInteger:
		return "整数"
	case catalog.TypeNumber:
		return "数值"
	case catalog.TypeDate:
		return "日期"
	case catalog.TypeDateTime:
		return "日期时间"
	case catalog.TypeBoolean:
		return "是/否"
	}
	return t
}
