package supervise

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// The annual report's tables (政府信息公开工作年度报告): the part of the
// national form on proactive disclosure (主动公开政府信息情况) filled as far
// as the catalog knows, the rest left for the unit to complete, and the
// entries the unit published per column in the year.

// NormativeColumn is the column of administrative normative documents
// (规范性文件), whose validity (有效性) the catalog keeps.
const NormativeColumn = "gfxwj"

// AnnualReport is a unit's tables for a year.
type AnnualReport struct {
	Unit      catalog.Unit
	Year      int
	Generated time.Time
	Normative store.Normative
	Sections  []AnnualSection
	Columns   []AnnualColumn
	Total     int // entries published in the year
}

// AnnualSection is one item of the national form's proactive-disclosure
// table: its heading, its columns' headers and its rows.
type AnnualSection struct {
	Item    string // 第二十条第（一）项
	Headers []string
	Rows    []AnnualRow
}

// AnnualRow is one line of a section; a nil cell is for the unit to fill.
type AnnualRow struct {
	Label string
	Cells []*int
}

// AnnualColumn is the entries one column got in the year.
type AnnualColumn struct {
	Code, Name string
	Count      int
}

// AnnualSections lays out the national form's proactive-disclosure table
// with what the catalog knows: normative documents issued, abolished and
// in force. 规章 (rules) are the city government's, not a department's
// catalog's; licences, penalties, enforcement and fees are not in it.
func AnnualSections(n store.Normative) []AnnualSection {
	v := func(i int) *int { return &i }
	return []AnnualSection{
		{Item: "第二十条第（一）项", Headers: []string{"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"}, Rows: []AnnualRow{
			{Label: "规章", Cells: []*int{nil, nil, nil}},
			{Label: "行政规范性文件", Cells: []*int{v(n.Issued), v(n.Abolished), v(n.InForce)}},
		}},
		{Item: "第二十条第（五）项", Headers: []string{"信息内容", "本年处理决定数量"}, Rows: []AnnualRow{
			{Label: "行政许可", Cells: []*int{nil}},
		}},
		{Item: "第二十条第（六）项", Headers: []string{"信息内容", "本年处理决定数量"}, Rows: []AnnualRow{
			{Label: "行政处罚", Cells: []*int{nil}},
			{Label: "行政强制", Cells: []*int{nil}},
		}},
		{Item: "第二十条第（八）项", Headers: []string{"信息内容", "本年收费金额（单位：万元）"}, Rows: []AnnualRow{
			{Label: "行政事业性收费", Cells: []*int{nil}},
		}},
	}
}

// YearBounds are the first and last instants of a year in China.
func YearBounds(year int) (time.Time, time.Time) {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, catalog.Shanghai)
	return start, start.AddDate(1, 0, 0).Add(-time.Millisecond)
}

// CanReadAnnual says whether the caller may read a unit's annual report
// tables: the office any unit's, a unit's staff and approver their own.
// Another unit's is not found (its existence is not the caller's to
// learn); the auditor is refused.
func CanReadAnnual(p auth.Principal, unit string) error {
	switch {
	case auth.SeesUnit(p, unit):
		return nil
	case p.Role.NeedsUnit():
		return &auth.Refusal{Err: auth.ErrHidden, Reason: "未找到该单位 (not found)"}
	}
	return &auth.Refusal{Err: auth.ErrForbidden, Reason: "只有市政府办公室和本单位人员可以查看年报统计 (office and the unit only)"}
}

// AnnualReport fills a unit's tables for a year (2000 to this year).
func (s *Service) AnnualReport(ctx context.Context, c auth.Caller, unit string, year int) (*AnnualReport, error) {
	if err := CanReadAnnual(c.P, unit); err != nil {
		return nil, s.refuse(ctx, c, "annual.read", "unit", unit, unit, err)
	}
	if now := s.Now().In(catalog.Shanghai).Year(); year < 2000 || year > now {
		return nil, catalog.FieldErrors{{Field: "year", Reason: fmt.Sprintf("年度须在 2000 至 %d 之间", now)}}
	}
	u, err := s.st.Unit(ctx, unit)
	if err != nil {
		return nil, err
	}
	start, end := YearBounds(year)
	rep := &AnnualReport{Unit: u, Year: year, Generated: s.Now()}
	if rep.Normative, err = s.st.AnnualNormative(ctx, unit, NormativeColumn, start, end); err != nil {
		return nil, err
	}
	rep.Sections = AnnualSections(rep.Normative)
	counts, err := s.st.AnnualColumnCounts(ctx, unit, start, end)
	if err != nil {
		return nil, err
	}
	by := map[string]int{}
	for _, c := range counts {
		by[c.Column] = c.Count
		rep.Total += c.Count
	}
	// Every column of the unit's tree, in its order, and any column
	// since removed that still got entries in the year.
	tree, err := s.st.Tree(ctx, unit)
	if err != nil {
		return nil, err
	}
	for _, col := range tree {
		if !col.Leaf || (col.State != catalog.ColumnActive && by[col.Code] == 0) {
			continue
		}
		rep.Columns = append(rep.Columns, AnnualColumn{Code: col.Code, Name: col.Name, Count: by[col.Code]})
		delete(by, col.Code)
	}
	for _, c := range counts {
		if n, ok := by[c.Column]; ok {
			rep.Columns = append(rep.Columns, AnnualColumn{Code: c.Column, Name: c.Column, Count: n})
		}
	}
	return rep, nil
}

// WriteAnnualXLSX writes a unit's tables as a workbook for it to
// complete: a title, the national form's items with their headers, the
// catalog's figures as numbers and empty cells where the unit fills in,
// then the entries per column.
func WriteAnnualXLSX(w io.Writer, rep *AnnualReport) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("supervise: annual xlsx: %w", cerr)
		}
	}()
	const sheet = "主动公开政府信息情况"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("supervise: annual xlsx: %w", err)
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: borders(),
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	cell, err := f.NewStyle(&excelize.Style{Border: borders(), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	fill, err := f.NewStyle(&excelize.Style{Border: borders(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF7D6"}}})
	if err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 28, "B": 18, "C": 18, "D": 18} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	row := 1
	put := func(col int, v any, style int) error {
		name, _ := excelize.CoordinatesToCellName(col, row)
		switch x := v.(type) {
		case string:
			if err := f.SetCellStr(sheet, name, x); err != nil {
				return err
			}
		case int:
			if err := f.SetCellInt(sheet, name, int64(x)); err != nil {
				return err
			}
		}
		return f.SetCellStyle(sheet, name, name, style)
	}
	if err := put(1, fmt.Sprintf("%s %d年政府信息公开工作年度报告：主动公开政府信息情况", rep.Unit.Name, rep.Year), title); err != nil {
		return err
	}
	row++
	if err := put(1, fmt.Sprintf("数字由政府信息公开目录于%s预填，空白（浅黄色）处请单位填写。", DateCN(rep.Generated)), 0); err != nil {
		return err
	}
	row += 2
	for _, sec := range rep.Sections {
		if err := put(1, sec.Item, bold); err != nil {
			return err
		}
		last, _ := excelize.CoordinatesToCellName(4, row)
		first, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.MergeCell(sheet, first, last); err != nil {
			return err
		}
		row++
		for i, h := range sec.Headers {
			if err := put(i+1, h, bold); err != nil {
				return err
			}
		}
		row++
		for _, r := range sec.Rows {
			if err := put(1, r.Label, cell); err != nil {
				return err
			}
			for i, v := range r.Cells {
				if v == nil {
					err = put(i+2, nil, fill)
				} else {
					err = put(i+2, *v, cell)
				}
				if err != nil {
					return err
				}
			}
			row++
		}
	}
	row++
	if err := put(1, fmt.Sprintf("本年主动公开信息（按栏目，%d年1月1日至12月31日发布）", rep.Year), bold); err != nil {
		return err
	}
	row++
	for i, h := range []string{"栏目", "信息数"} {
		if err := put(i+1, h, bold); err != nil {
			return err
		}
	}
	row++
	for _, c := range rep.Columns {
		if err := put(1, c.Name, cell); err != nil {
			return err
		}
		if err := put(2, c.Count, cell); err != nil {
			return err
		}
		row++
	}
	if err := put(1, "合计", bold); err != nil {
		return err
	}
	if err := put(2, rep.Total, cell); err != nil {
		return err
	}
	return f.Write(w)
}

func borders() []excelize.Border {
	var out []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		out = append(out, excelize.Border{Type: side, Color: "999999", Style: 1})
	}
	return out
}
