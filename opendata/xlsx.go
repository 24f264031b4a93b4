package opendata

import (
	"archive/zip"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

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

// xlsxWriter writes rows with excelize's StreamWriter: sheet "数据" (then
// "数据2", … every 1,048,575 rows), a bold header row of field titles
// frozen at the top, and a sheet "字段说明" with the field dictionary.
//
// Cells keep their values: strings (dates and date-times too) as text, so
// leading zeros and line breaks stay; booleans as booleans; integers and
// numbers as numeric cells with a number format of exactly their decimal
// places, so "3.10" shows as 3.10, unless they have more than 15
// significant digits, which a spreadsheet number cannot hold: those are
// written as text. The workbook is assembled by excelize (the sheet data
// spills to a temporary file beyond 16 MB) and then written as a zip
// straight to out, never whole in memory.
type xlsxWriter struct {
	out     io.Writer
	f       *excelize.File
	sw      *excelize.StreamWriter
	fields  []catalog.Field
	header  []any
	sheet   int // sheets of data so far
	rowInSh int // rows written to the current sheet, header included
	styles  map[int]int
	bold    int
	cells   []any
}

func newXLSXWriter(out io.Writer) *xlsxWriter {
	return &xlsxWriter{out: out, styles: map[int]int{}}
}

func xlsxSheetName(n int) string {
	if n == 1 {
		return "数据"
	}
	return "数据" + strconv.Itoa(n)
}

func (x *xlsxWriter) begin(fields []catalog.Field) error {
	x.f = excelize.NewFile()
	x.fields = fields
	x.header = make([]any, len(fields))
	for i, f := range fields {
		t := f.Title
		if t == "" {
			t = f.Name
		}
		x.header[i] = t
	}
	x.cells = make([]any, len(fields))
	var err error
	if x.bold, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return fmt.Errorf("xlsx: style: %w", err)
	}
	if err := x.f.SetSheetName("Sheet1", xlsxSheetName(1)); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return x.startSheet()
}

// startSheet opens the next data sheet and writes its header row.
func (x *xlsxWriter) startSheet() error {
	x.sheet++
	name := xlsxSheetName(x.sheet)
	if x.sheet > 1 {
		if _, err := x.f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	x.sw = sw
	if len(x.fields) > 0 {
		if err := sw.SetColWidth(1, len(x.fields), 16); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetRow("A1", x.header, excelize.RowOpts{StyleID: x.bold}); err != nil {
		return fmt.Errorf("xlsx: header: %w", err)
	}
	x.rowInSh = 1
	return nil
}

func (x *xlsxWriter) row(cells [][]byte) error {
	if x.rowInSh == xlsxMaxRows {
		if err := x.sw.Flush(); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if err := x.startSheet(); err != nil {
			return err
		}
	}
	for i, cell := range cells {
		c, err := x.cell(x.fields[i].Type, cell)
		if err != nil {
			return err
		}
		x.cells[i] = c
	}
	x.rowInSh++
	cell, err := excelize.CoordinatesToCellName(1, x.rowInSh)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := x.sw.SetRow(cell, x.cells[:len(cells)]); err != nil {
		return fmt.Errorf("xlsx: row %d: %w", x.rowInSh, err)
	}
	return nil
}

// cell converts one cell of a field of type typ, given as its canonical
// text, for the stream writer (nil: no cell).
func (x *xlsxWriter) cell(typ string, cell []byte) (any, error) {
	if cell == nil {
		return nil, nil
	}
	text := string(cell)
	switch typ {
	case catalog.TypeBoolean:
		return text == "true", nil
	case catalog.TypeInteger:
		if i, err := strconv.ParseInt(text, 10, 64); err == nil && i > -1e15 && i < 1e15 {
			st, err := x.numberStyle(0)
			return excelize.Cell{StyleID: st, Value: i}, err
		}
		return text, nil
	case catalog.TypeNumber:
		f, decimals, ok := spreadsheetNumber(text)
		if !ok {
			return text, nil
		}
		st, err := x.numberStyle(decimals)
		return excelize.Cell{StyleID: st, Value: f}, err
	default:
		return text, nil
	}
}

// numberStyle returns the style showing a number with exactly this many
// decimal places ("0", "0.0", "0.00", …), made on first use.
func (x *xlsxWriter) numberStyle(decimals int) (int, error) {
	if st, ok := x.styles[decimals]; ok {
		return st, nil
	}
	code := "0"
	if decimals > 0 {
		code += "." + strings.Repeat("0", decimals)
	}
	st, err := x.f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return 0, fmt.Errorf("xlsx: number style: %w", err)
	}
	x.styles[decimals] = st
	return st, nil
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
	if err != nil || strconv.FormatFloat(f, 'f', len(frac), 64) != text {
		return 0, 0, false
	}
	return f, len(frac), true
}

// end finishes the data sheets, adds the field dictionary and writes the
// workbook to out.
func (x *xlsxWriter) end() error {
	defer x.f.Close() // removes excelize's temporary files
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := x.writeDictionary(); err != nil {
		return err
	}
	var zw *zip.Writer
	// excelize builds the zip in a memory buffer unless it is given a zip
	// writer; this one writes through to the client.
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw = zip.NewWriter(x.out)
		return zw
	})
	if err := x.f.Write(io.Discard); err != nil {
		return fmt.Errorf("xlsx: write: %w", err)
	}
	if zw == nil {
		return fmt.Errorf("xlsx: write: the zip writer was not used")
	}
	return nil
}

// writeDictionary adds the sheet "字段说明": name, title, type and
// description of every field written.
func (x *xlsxWriter) writeDictionary() error {
	const name = "字段说明"
	if _, err := x.f.NewSheet(name); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(1, 4, 24); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetRow("A1", []any{"字段名", "中文名称", "类型", "说明"}, excelize.RowOpts{StyleID: x.bold}); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for i, f := range x.fields {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{f.Name, f.Title, TypeLabel(f.Type), f.Description}); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	return sw.Flush()
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
