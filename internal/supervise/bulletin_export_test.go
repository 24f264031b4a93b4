package supervise_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/extract"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

func exportBulletin() *supervise.BulletinData {
	rep := &supervise.Report{Units: []supervise.UnitReport{
		{Unit: "fgw", Name: "临沂市发展和改革委员会", Kind: "部门", Recent: 4, VolumeMin: 3, Published: 40, LastPublish: at("2026-06-28 10:00"), DaysSilent: 2},
		{Unit: "evil", Name: "=HYPERLINK(\"http://x\")", Kind: "部门", VolumeMin: 3},
	}}
	in := supervise.BulletinInput{Report: rep, ByMonth: map[string][]int{"fgw": {1, 1, 2}},
		Spot:       []store.SpotRollup{{Unit: "fgw", Sampled: 5, Graded: 4, Passed: 3, Problems: 1, ByCategory: map[string]int{"late": 1}}},
		SpotMonths: []store.SpotRollup{{Unit: "fgw", Month: "2026-05", Sampled: 5, Graded: 4, Passed: 3, Problems: 1, ByCategory: map[string]int{"late": 1}}}}
	return supervise.BuildBulletin(supervise.Quarter{Year: 2026, Q: 2}, in, supervise.DefaultSettings())
}

// The Word document carries the league table and every section, and the
// same archive gives the same bytes.
func TestBulletinDOCX(t *testing.T) {
	d := exportBulletin()
	b, err := supervise.BulletinDOCX(d, *at("2026-07-05 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := supervise.BulletinDOCX(d, *at("2026-07-05 10:00"))
	if !bytes.Equal(b, again) {
		t.Error("the same bulletin gave two different documents")
	}
	text, err := extract.Text(context.Background(), "docx", b, extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026年第二季度全市政府信息公开工作情况通报", "一、总体情况", "二、综合排名", "三、通报批评", "四、通报表扬",
		"五、月度抽查情况", "六、计分办法", "临沂市发展和改革委员会", "综合得分", "2026年6月28日", "2026年5月", "75.0%", "时效滞后", "2026年7月5日"} {
		if !strings.Contains(text, want) {
			t.Errorf("the document lacks %q", want)
		}
	}
}

// The spreadsheet's cells are all text: a unit name that looks like a
// formula stays text.
func TestBulletinXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := supervise.WriteBulletinXLSX(&buf, exportBulletin()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("综合排名")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "排名" || rows[1][2] != "临沂市发展和改革委员会" || rows[1][0] != "1" || rows[1][13] != "1" {
		t.Fatalf("rows %q", rows)
	}
	for r := range rows {
		for c := range rows[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if formula, _ := f.GetCellFormula("综合排名", cell); formula != "" {
				t.Errorf("%s holds a formula %q", cell, formula)
			}
			if typ, _ := f.GetCellType("综合排名", cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("%s is of type %v, not text", cell, typ)
			}
		}
	}
}
