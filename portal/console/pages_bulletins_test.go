package console_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

var bulletinDataRE = regexp.MustCompile(`(?s)<script type="application/json" id="bulletin-data">(.*?)</script>`)

func TestBulletinPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newSpotSite(t, st, "2026-07-05")
		s.publish(t, "fgw-0410", "fgw", "四月通知", "2026-04-10 09:00")
		s.publish(t, "fgw-0520", "fgw", "五月通知", "2026-05-20 09:00")
		s.publish(t, "fgw-0628", "fgw", "六月通知", "2026-06-28 09:00")
		s.publish(t, "jtj-0402", "jtj", "四月信息", "2026-04-02 09:00")
		// A unit's name reaches the page's tables and its chart data.
		const evil = "交通局</script><script>alert(1)</script>"
		if _, err := st.SaveUnit(t.Context(), catalog.Unit{Code: "jtj", Name: evil, Kind: catalog.KindDepartment, OrgCode: "JTJ000000000000000"}); err != nil {
			t.Fatal(err)
		}

		body := s.page(t, "rev", "/console/bulletins", http.StatusOK)
		contains(t, "the list", body, "尚未生成季度通报", `value="2026Q2"`)
		s.do(t, "ed", http.MethodGet, "/console/bulletins", nil, http.StatusForbidden)
		s.do(t, "ed", http.MethodPost, "/console/bulletins", url.Values{"quarter": {"2026Q2"}}, http.StatusForbidden)
		for _, q := range []string{"2026Q3", "2026Q9", "明年"} {
			rec := s.do(t, "rev", http.MethodPost, "/console/bulletins", url.Values{"quarter": {q}}, http.StatusBadRequest)
			if !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
				t.Errorf("quarter %q refused without saying so beside the field", q)
			}
		}
		s.do(t, "rev", http.MethodGet, "/console/bulletins/2026Q2", nil, http.StatusNotFound)

		rec := s.do(t, "rev", http.MethodPost, "/console/bulletins", url.Values{"quarter": {"2026q2"}}, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/bulletins/2026Q2?done=bulletin_archived" {
			t.Fatalf("after generating: %s", loc)
		}
		arch, err := st.Bulletin(t.Context(), "2026Q2")
		if err != nil {
			t.Fatal(err)
		}
		raw := s.do(t, "rev", http.MethodGet, "/console/bulletins/2026Q2?done=bulletin_archived", nil, http.StatusOK).Body.String()
		body = s.page(t, "rev", "/console/bulletins/2026Q2", http.StatusOK)
		contains(t, "the bulletin", body, "2026年第二季度全市政府信息公开工作情况通报", "临沂市人民政府办公室", arch.SHA256,
			"一、总体情况", "二、综合排名", "三、通报批评", "四、通报表扬", "五、月度抽查情况", "六、计分办法",
			"2026年4月1日至2026年6月30日", "测试单位fgw", "2026年6月28日", "本季度未开展月度抽查", "/console/bulletins/2026Q2/bulletin.docx")
		contains(t, "the flash", raw, "季度通报已生成并存档")
		if strings.Contains(raw, "<script>alert(1)") {
			t.Error("a unit's name reached the page unescaped")
		}
		m := bulletinDataRE.FindStringSubmatch(raw)
		if m == nil {
			t.Fatal("no chart data block")
		}
		var chart struct {
			Units  []string  `json:"units"`
			Scores []float64 `json:"scores"`
			Months []string  `json:"months"`
			Volume [][]int   `json:"volume"`
		}
		if err := json.Unmarshal([]byte(m[1]), &chart); err != nil {
			t.Fatalf("chart data %q: %v", m[1], err)
		}
		if len(chart.Units) != 2 || chart.Units[0] != "测试单位fgw" || chart.Units[1] != evil || len(chart.Volume) != 3 || chart.Volume[0][0] != 1 ||
			chart.Months[2] != "2026年6月" || chart.Scores[0] < chart.Scores[1] {
			t.Errorf("chart data %+v", chart)
		}

		// Again: compared with the archive, identical.
		rec = s.do(t, "rev", http.MethodPost, "/console/bulletins", url.Values{"quarter": {"2026Q2"}}, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/bulletins/2026Q2?done=bulletin_identical" {
			t.Errorf("regenerated: %s", loc)
		}
		contains(t, "the check", s.page(t, "rev", "/console/bulletins/2026Q2?check=1", http.StatusOK), "与存档逐字节一致")
		// An entry dated inside the quarter, imported later: the archive is
		// kept and the difference named.
		s.publish(t, "fgw-0615", "fgw", "补录的六月通知", "2026-06-15 09:00")
		rec = s.do(t, "rev", http.MethodPost, "/console/bulletins", url.Values{"quarter": {"2026Q2"}}, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/console/bulletins/2026Q2?done=bulletin_differs&check=1" {
			t.Errorf("regenerated after a change: %s", loc)
		}
		body = s.page(t, "rev", "/console/bulletins/2026Q2?done=bulletin_differs&check=1", http.StatusOK)
		contains(t, "the differing check", body, "结果与存档不一致", "概况数据", "单位“测试单位fgw”的得分、排名或数据", arch.SHA256)
		if again, _ := st.Bulletin(t.Context(), "2026Q2"); again != arch {
			t.Error("the archive changed")
		}

		// The files and the API answer the archive.
		rec = s.do(t, "rev", http.MethodGet, "/console/bulletins/2026Q2/bulletin.docx", nil, http.StatusOK)
		if !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) || rec.Header().Get("X-Bulletin-SHA256") != arch.SHA256 ||
			!strings.Contains(rec.Header().Get("Content-Type"), "wordprocessingml") || !strings.Contains(rec.Header().Get("Content-Disposition"), "bulletin-2026Q2.docx") {
			t.Errorf("docx: %v", rec.Header())
		}
		rec = s.do(t, "rev", http.MethodGet, "/console/bulletins/2026Q2/bulletin.xlsx", nil, http.StatusOK)
		x, err := excelize.OpenReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows("综合排名")
		x.Close()
		if len(rows) != 3 || rows[0][0] != "排名" || rows[1][2] != "测试单位fgw" {
			t.Errorf("xlsx rows %q", rows)
		}
		s.do(t, "ed", http.MethodGet, "/console/bulletins/2026Q2/bulletin.xlsx", nil, http.StatusForbidden)
		s.do(t, "rev", http.MethodGet, "/console/bulletins/2025Q1/bulletin.docx", nil, http.StatusNotFound)

		var api struct {
			Quarter string          `json:"quarter"`
			SHA256  string          `json:"sha256"`
			Data    json.RawMessage `json:"data"`
		}
		rec = s.do(t, "rev", http.MethodGet, "/api/v1/console/bulletins/2026Q2", nil, http.StatusOK)
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(api.Data)
		if api.Quarter != "2026Q2" || api.SHA256 != arch.SHA256 || hex.EncodeToString(sum[:]) != arch.SHA256 {
			t.Errorf("the API's data does not hash to the archive's SHA-256: %s vs %s", hex.EncodeToString(sum[:]), arch.SHA256)
		}
		s.do(t, "ed", http.MethodGet, "/api/v1/console/bulletins/2026Q2", nil, http.StatusForbidden)

		body = s.page(t, "rev", "/console/bulletins", http.StatusOK)
		contains(t, "the list", body, "2026年第二季度", arch.SHA256, `value="2026Q2"`)
	})
}
