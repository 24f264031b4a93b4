package console_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func TestAnnualPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, _ := newSuperviseSite(t, st) // the clock: 30 June 2026
		ctx := context.Background()
		for _, e := range []struct{ written, published, validity string }{
			{"2025-03-01", "2025-03-05 09:00", "有效"},
			{"2025-09-01", "2025-09-02 09:00", "有效"},
			{"2024-01-01", "2025-02-02 09:00", "废止"},
		} {
			id := publishAt(t, st, "fgw", "gfxwj", e.published, func(en *catalog.Entry) { en.WrittenAt, en.Validity = e.written, e.validity })
			if err := st.ExecRawForTest(ctx, `UPDATE entry_revisions SET at = (SELECT published_at FROM entries WHERE id = ?) WHERE entry_id = ?`, id, id); err != nil {
				t.Fatal(err)
			}
		}
		publishAt(t, st, "fgw", "tzgg", "2025-05-05 09:00")
		publishAt(t, st, "jtj", "tzgg", "2024-05-05 09:00")

		page := html.UnescapeString(s.get(t, "rev", "/console/annual", http.StatusOK))
		for _, want := range []string{
			"<h1>年报统计</h1>", "测试单位fgw 2025年 主动公开政府信息情况", // the first unit, the past year
			`<option value="jtj" >测试单位jtj</option>`, `<option value="2025" selected>2025年</option>`,
			`<tr><th scope="row">行政规范性文件</th><td class="num">2</td><td class="num">1</td><td class="num">2</td></tr>`,
			`<tr><th scope="row">行政许可</th><td class="fill"><span class="hint">由单位填写</span></td></tr>`,
			`<tr><th scope="row">通知公告</th><td class="num">1</td></tr>`, "共 4 条",
			`href="/console/annual/export.xlsx?unit=fgw&year=2025"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the office's annual page lacks %q", want)
			}
		}
		page = html.UnescapeString(s.get(t, "adm", "/console/annual?unit=jtj&year=2024", http.StatusOK))
		if !strings.Contains(page, "测试单位jtj 2024年") || !strings.Contains(page, `<tr><th scope="row">通知公告</th><td class="num">1</td></tr>`) {
			t.Error("jtj's 2024 tables are not shown")
		}

		// A unit sees its own, without the choice of unit; another unit's
		// is not found; the auditor is refused.
		page = html.UnescapeString(s.get(t, "ed.fgw", "/console/annual?year=2025", http.StatusOK))
		if !strings.Contains(page, "测试单位fgw 2025年") || strings.Contains(page, `id="a-unit"`) {
			t.Error("a unit's editor does not see its own tables alone")
		}
		s.get(t, "ap.fgw", "/console/annual?unit=fgw", http.StatusOK)
		s.get(t, "ed.jtj", "/console/annual?unit=fgw", http.StatusNotFound)
		s.get(t, "ed.jtj", "/console/annual/export.xlsx?unit=fgw&year=2025", http.StatusNotFound)
		s.get(t, "aud", "/console/annual", http.StatusForbidden)
		s.get(t, "rev", "/console/annual?unit=nosuch", http.StatusNotFound)
		for _, bad := range []string{"abc", "2027", "1999"} {
			page = s.get(t, "rev", "/console/annual?year="+bad, http.StatusBadRequest)
			if !strings.Contains(page, `id="a-year-err"`) {
				t.Errorf("year=%s: no message beside the year", bad)
			}
		}

		rec := s.do(t, "ed.fgw", http.MethodGet, "/console/annual/export.xlsx?year=2025", nil, http.StatusOK)
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="annual-fgw-2025.xlsx"`) {
			t.Errorf("content disposition %q", cd)
		}
		x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, strings.Join(r, "|"))
		}
		all := strings.Join(got, "\n")
		for _, want := range []string{"测试单位fgw 2025年政府信息公开工作年度报告：主动公开政府信息情况", "第二十条第（一）项",
			"信息内容|本年制发件数|本年废止件数|现行有效件数", "规章\n行政规范性文件|2|1|2", "行政许可", "行政事业性收费", "通知公告|1", "合计|4"} {
			if !strings.Contains(all, want) {
				t.Errorf("the workbook lacks %q:\n%s", want, all)
			}
		}
	})
}
