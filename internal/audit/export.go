package audit

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Columns are the header of an export, in order: every field the hash
// covers, and the hash.
var Columns = []string{"序号", "时间", "账号", "令牌", "角色", "单位", "IP", "客户端", "操作", "对象类型", "对象", "对象单位", "结果", "摘要", "哈希"}

// shanghai is the zone an export shows instants in (China has one zone
// and no daylight saving time).
var shanghai = time.FixedZone("CST", 8*60*60)

// TimeLayout is how an export writes an instant: ISO 8601 in Asia/Shanghai,
// to the millisecond the store keeps.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// cells are the text cells of one record, in the order of Columns.
func cells(r Record) []string {
	token := ""
	if r.Actor.TokenID != 0 {
		token = strconv.FormatInt(r.Actor.TokenID, 10)
	}
	c := []string{strconv.FormatInt(r.Seq, 10), r.At.In(shanghai).Format(TimeLayout), r.Actor.Login, token, r.Actor.Role, r.Actor.Unit,
		r.Actor.IP, r.Actor.UserAgent, r.Action, r.ObjectKind, r.ObjectID, r.ObjectUnit, r.Outcome, r.Summary, r.Hash}
	for i := range c {
		c[i] = Defuse(c[i])
	}
	return c
}

// Defuse keeps a spreadsheet from reading a cell as a formula (CSV or
// formula injection): text that begins with = + - @, a tab or a carriage
// return gets a leading apostrophe. Logins, user agents and summaries come
// from users, and the people who open an export are the office's auditors.
func Defuse(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// WriteCSV writes the records as CSV for Excel and WPS: UTF-8 with a byte
// order mark (without one they read it as the local code page), a header
// row of Columns, CRLF line ends. It stops at the first error of records
// or of w.
func WriteCSV(w io.Writer, records iter.Seq2[Record, error]) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return fmt.Errorf("audit: csv: %w", err)
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(Columns); err != nil {
		return fmt.Errorf("audit: csv: %w", err)
	}
	for r, err := range records {
		if err != nil {
			return err
		}
		if err := cw.Write(cells(r)); err != nil {
			return fmt.Errorf("audit: csv: record %d: %w", r.Seq, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("audit: csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("audit: csv: %w", err)
	}
	return nil
}

// xlsxMaxRows is the rows a worksheet holds, the header included.
const xlsxMaxRows = 1048576

// xlsxWidths are the column widths of the sheet, in characters.
var xlsxWidths = []float64{8, 26, 12, 6, 10, 10, 16, 24, 18, 10, 22, 10, 8, 48, 24}

// WriteXLSX writes the records as a workbook with one sheet "审计日志": a
// bold header row of Columns, frozen, then a row per record, with the
// same cells as WriteCSV (序号 and 令牌 as numbers). excelize's stream
// writer keeps memory bounded: past 16 MB a sheet spills to a temporary
// file. A log longer than a sheet's 1,048,575 rows is refused; export it
// as CSV.
func WriteXLSX(w io.Writer, records iter.Seq2[Record, error]) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("audit: xlsx: %w", cerr)
		}
	}()
	const sheet = "审计日志"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	for i, width := range xlsxWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("audit: xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	header := make([]any, len(Columns))
	for i, c := range Columns {
		header[i] = excelize.Cell{StyleID: bold, Value: c}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	row := 1
	values := make([]any, len(Columns))
	for r, err := range records {
		if err != nil {
			return err
		}
		if row++; row > xlsxMaxRows {
			return fmt.Errorf("audit: xlsx: more than %d records do not fit a sheet; export CSV instead", xlsxMaxRows-1)
		}
		for i, c := range cells(r) {
			values[i] = c
			if c == "" {
				values[i] = nil // no cell rather than an empty text
			}
		}
		values[0] = r.Seq
		if r.Actor.TokenID != 0 {
			values[3] = r.Actor.TokenID
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, values); err != nil {
			return fmt.Errorf("audit: xlsx: record %d: %w", r.Seq, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	return nil
}

// FromEach turns a function that calls its argument for every record (as
// the store's EachAudit does) into a sequence for WriteCSV and WriteXLSX.
// Stopping the sequence early ends each at once.
func FromEach(each func(fn func(Record) error) error) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		stopped := false
		err := each(func(r Record) error {
			if !yield(r, nil) {
				stopped = true
				return errStop
			}
			return nil
		})
		if err != nil && !stopped {
			yield(Record{}, err)
		}
	}
}

// errStop ends an each when its consumer stops.
var errStop = errors.New("audit: stopped")
