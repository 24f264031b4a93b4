package supervise_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
	"gongkai/internal/supervise"
)

// normative stores a normative document with a written date and a
// validity, its one revision recorded when it was published.
func normative(t *testing.T, st *store.Store, unit, written, published, validity string) {
	t.Helper()
	serial++
	e := catalog.Entry{ID: fmt.Sprintf("%s-gfxwj-%d", unit, serial), Unit: unit, Column: supervise.NormativeColumn, Title: "规范性文件",
		WrittenAt: written, Validity: validity, Status: catalog.StatusPublished, PublishedAt: at(published), BodyHTML: "<p>x</p>"}
	ctx := context.Background()
	if _, err := st.SaveEntries(ctx, []store.EntryWrite{{Entry: e, Hash: e.ID, Actor: "test"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.ExecRawForTest(ctx, `UPDATE entry_revisions SET at = ? WHERE entry_id = ?`, store.Millis(*at(published)), e.ID); err != nil {
		t.Fatal(err)
	}
}

func TestAnnualReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = time.Date(2026, 1, 20, 10, 0, 0, 0, catalog.Shanghai)
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		normative(t, st, "fgw", "2025-03-01", "2025-03-05 09:00", "有效")
		normative(t, st, "fgw", "2025-12-30", "2026-01-08 09:00", "有效") // issued in 2025, published in 2026
		normative(t, st, "fgw", "2024-05-01", "2024-05-03 09:00", "有效")
		normative(t, st, "fgw", "2023-05-01", "2025-04-03 09:00", "废止") // recorded as repealed when published in 2025
		normative(t, st, "jtj", "2025-06-01", "2025-06-02 09:00", "有效")
		publish(t, st, "fgw", "tzgg", "2025-02-01 09:00")
		publish(t, st, "fgw", "tzgg", "2025-11-01 09:00")
		publish(t, st, "fgw", "zcjd", "2025-12-31 23:59")
		publish(t, st, "fgw", "tzgg", "2026-01-02 09:00") // next year

		rep, err := f.svc.AnnualReport(ctx, caller(auth.RoleEditor, "fgw"), "fgw", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Normative != (store.Normative{Issued: 2, Abolished: 1, InForce: 2}) {
			t.Errorf("normative documents: %+v", rep.Normative)
		}
		row := rep.Sections[0].Rows[1]
		if row.Label != "行政规范性文件" || *row.Cells[0] != 2 || *row.Cells[1] != 1 || *row.Cells[2] != 2 {
			t.Errorf("the 行政规范性文件 row: %+v", row)
		}
		if r := rep.Sections[0].Rows[0]; r.Label != "规章" || r.Cells[0] != nil {
			t.Errorf("规章 is filled: %+v", r)
		}
		labels := []string{}
		for _, sec := range rep.Sections {
			for _, r := range sec.Rows {
				labels = append(labels, r.Label)
			}
		}
		if strings.Join(labels, ",") != "规章,行政规范性文件,行政许可,行政处罚,行政强制,行政事业性收费" {
			t.Errorf("rows: %v", labels)
		}
		counts := map[string]int{}
		for _, c := range rep.Columns {
			counts[c.Code] = c.Count
		}
		if counts["tzgg"] != 2 || counts["zcjd"] != 1 || counts["gfxwj"] != 2 || counts["yjgl"] != 0 || rep.Total != 5 || len(rep.Columns) != 21 {
			t.Errorf("per column %v, total %d, %d columns", counts, rep.Total, len(rep.Columns))
		}

		// The workbook: numbers where the catalog knows, empty cells to fill.
		var buf bytes.Buffer
		if err := supervise.WriteAnnualXLSX(&buf, rep); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheet := x.GetSheetName(0)
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		find := func(label string) int {
			for i, r := range rows {
				if len(r) > 0 && r[0] == label {
					return i + 1
				}
			}
			t.Fatalf("no row %q in %q", label, rows)
			return 0
		}
		if !strings.Contains(rows[0][0], "测试单位fgw 2025年政府信息公开工作年度报告") {
			t.Errorf("title %q", rows[0][0])
		}
		n := find("行政规范性文件")
		if got := strings.Join(rows[n-1], "|"); got != "行政规范性文件|2|1|2" {
			t.Errorf("行政规范性文件 row %q", got)
		}
		for _, col := range []string{"B", "C", "D"} {
			if typ, _ := x.GetCellType(sheet, fmt.Sprintf("%s%d", col, n)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s%d is %v, want a number", col, n, typ)
			}
		}
		if h := rows[n-3]; strings.Join(h, "|") != "信息内容|本年制发件数|本年废止件数|现行有效件数" {
			t.Errorf("headers %q", h)
		}
		for _, label := range []string{"规章", "行政许可", "行政处罚", "行政强制", "行政事业性收费"} {
			if r := rows[find(label)-1]; len(r) != 1 {
				t.Errorf("%s: %q, want the label alone for the unit to fill in", label, r)
			}
		}
		if r := rows[find("通知公告")-1]; strings.Join(r, "|") != "通知公告|2" {
			t.Errorf("通知公告 %q", r)
		}
		if r := rows[find("合计")-1]; strings.Join(r, "|") != "合计|5" {
			t.Errorf("total %q", r)
		}
	})
}

// The office reads any unit's tables, a unit its own; another unit's are
// not found, the auditor is refused, both audited; a year to come, or an
// unknown unit, is refused.
func TestAnnualReportAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.now = time.Date(2026, 1, 20, 10, 0, 0, 0, catalog.Shanghai)
		storetest.Unit(t, st, "fgw")
		storetest.Unit(t, st, "jtj")
		for _, tc := range []struct {
			who  auth.Caller
			unit string
			year int
			want error
		}{
			{caller(auth.RoleReviewer, ""), "jtj", 2025, nil},
			{caller(auth.RoleAdmin, ""), "fgw", 2026, nil},
			{caller(auth.RoleApprover, "fgw"), "fgw", 2025, nil},
			{caller(auth.RoleEditor, "jtj"), "fgw", 2025, auth.ErrHidden},
			{caller(auth.RoleAuditor, ""), "fgw", 2025, auth.ErrForbidden},
			{caller(auth.RoleReviewer, ""), "nosuch", 2025, store.ErrNotFound},
			{caller(auth.RoleReviewer, ""), "fgw", 2027, catalog.FieldErrors{}},
			{caller(auth.RoleReviewer, ""), "fgw", 1999, catalog.FieldErrors{}},
		} {
			t.Run(fmt.Sprintf("%s/%s/%d", tc.who.P.Role, tc.unit, tc.year), func(t *testing.T) {
				head, _, _ := st.AuditHead(ctx)
				_, err := f.svc.AnnualReport(ctx, tc.who, tc.unit, tc.year)
				var fe catalog.FieldErrors
				switch {
				case tc.want == nil && err != nil:
					t.Fatalf("refused: %v", err)
				case tc.want == nil:
				case errors.As(tc.want, &fe):
					if !errors.As(err, &fe) || fe[0].Field != "year" {
						t.Errorf("got %v, want a problem with the year", err)
					}
				case !errors.Is(err, tc.want):
					t.Errorf("got %v, want %v", err, tc.want)
				}
				if errors.Is(tc.want, auth.ErrHidden) || errors.Is(tc.want, auth.ErrForbidden) {
					recs, _, _ := st.AuditRecords(ctx, store.AuditQuery{Outcome: audit.OutcomeRefused, Size: 1})
					if len(recs) == 0 || recs[0].Seq <= head || recs[0].Action != "annual.read" {
						t.Error("the refusal is not audited")
					}
				}
			})
		}
	})
}
