package demo

import (
	"os"
	"regexp"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// plainNumber matches cells that should be stored as numbers; codes with
// leading zeros stay text.
var plainNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// writeXLSX writes s as a one-sheet workbook: title, header, rows, footer.
func writeXLSX(path string, s *attachmentSpec) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:    s.title,
		Creator:  "临沂市人民政府",
		Created:  s.date.UTC().Format("2006-01-02T15:04:05Z"),
		Modified: s.date.UTC().Format("2006-01-02T15:04:05Z"),
	}); err != nil {
		return err
	}
	if err := f.SetCellStr(sheet, "A1", s.title); err != nil {
		return err
	}
	header := make([]any, len(s.header))
	for i, h := range s.header {
		header[i] = h
	}
	if err := f.SetSheetRow(sheet, "A2", &header); err != nil {
		return err
	}
	for i, row := range s.rows {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
			if plainNumber.MatchString(v) {
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					cells[j] = x
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	if s.footer != "" {
		cell, _ := excelize.CoordinatesToCellName(1, len(s.rows)+4)
		if err := f.SetCellStr(sheet, cell, s.footer); err != nil {
			return err
		}
	}
	last, _ := excelize.ColumnNumberToName(max(1, len(s.header)))
	if err := f.SetColWidth(sheet, "A", last, 18); err != nil {
		return err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
