package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
	"gongkai/internal/supervise"
)

var _ = addNotices(map[string]string{
	"bulletin_archived":  "季度通报已生成并存档，存档的 SHA-256 见下方。",
	"bulletin_identical": "已按存档时的设置重新生成并逐字节比对：与存档完全一致。",
	"bulletin_differs":   "已按存档时的设置重新生成：结果与存档不一致，差异见下方。存档未作改动。",
})

// archivedBulletin is an archived quarter in the list.
type archivedBulletin struct {
	store.Bulletin
	Label string
}

type bulletinsView struct {
	Rows    []archivedBulletin
	Quarter string // the form's value
	Latest  string // the last quarter that has ended
	Errors  map[string]string
}

// bulletinsPage lists the archived bulletins, with the form to generate a
// quarter's.
func (c *Console) bulletinsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	c.renderBulletins(w, r, http.StatusOK, "", nil)
}

func (c *Console) renderBulletins(w http.ResponseWriter, r *http.Request, status int, typed string, fe catalog.FieldErrors) {
	sv := c.Supervise
	list, err := sv.Bulletins(r.Context())
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	latest := supervise.QuarterOf(sv.Now()).Prev().String()
	v := bulletinsView{Quarter: typed, Latest: latest, Errors: fieldMap(fe)}
	if v.Quarter == "" {
		v.Quarter = latest
	}
	for _, b := range list {
		label := b.Quarter
		if q, err := supervise.ParseQuarter(b.Quarter); err == nil {
			label = q.Label()
		}
		v.Rows = append(v.Rows, archivedBulletin{Bulletin: b, Label: label})
	}
	pg := c.newPage(r, "季度通报")
	pg.Data = v
	c.render(w, r, status, "bulletins.html", pg)
}

// generateBulletinPost generates an ended quarter's bulletin: archived the
// first time, compared with the archive afterwards.
func (c *Console) generateBulletinPost(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	typed := r.PostFormValue("quarter")
	q, err := supervise.ParseQuarter(typed)
	if err == nil {
		var g *supervise.Generated
		if g, err = c.Supervise.GenerateBulletin(r.Context(), caller(r), q); err == nil {
			done := "bulletin_archived"
			switch {
			case g.New:
			case g.Identical:
				done = "bulletin_identical"
			default:
				done = "bulletin_differs&check=1"
			}
			http.Redirect(w, r, "/console/bulletins/"+q.String()+"?done="+done, http.StatusSeeOther)
			return
		}
	}
	var fe catalog.FieldErrors
	if errors.As(err, &fe) {
		c.renderBulletins(w, r, http.StatusBadRequest, typed, fe)
		return
	}
	c.spotFail(w, r, err)
}

// bulletinChart is what bulletin.js draws, read from the page's JSON block.
type bulletinChart struct {
	Units  []string  `json:"units"`
	Scores []float64 `json:"scores"`
	Months []string  `json:"months"`
	// Volume is the entries published per month, one list per month, in
	// the units' order.
	Volume [][]int `json:"volume"`
}

type bulletinView struct {
	Archive     store.Bulletin
	Data        *supervise.BulletinData
	Quarter     supervise.Quarter
	Chart       bulletinChart
	HasCharts   bool
	Checked     bool // the page compared the archive with a fresh computation
	Check       *supervise.Generated
	Categories  []supervise.Category
	MonthLabels []string
	Rules       []string
	League      []string
	Parts       []string
	LeagueRows  [][]string
	PartsRows   [][]string
	Average     string
	FromLabel   string
	ToLabel     string
}

// bulletinOf reads the {quarter} of the path and its archive: not archived
// (or not a quarter) is 404.
func (c *Console) bulletinOf(r *http.Request) (supervise.Quarter, store.Bulletin, *supervise.BulletinData, error) {
	q, err := supervise.ParseQuarter(r.PathValue("quarter"))
	if err != nil {
		return q, store.Bulletin{}, nil, store.ErrNotFound
	}
	b, d, err := c.Supervise.ArchivedBulletin(r.Context(), q)
	return q, b, d, err
}

// bulletinPage shows an archived bulletin as it was archived: overview,
// charts with their tables, the league table, the units criticised and
// commended, the spot checks, and the archive's SHA-256; with ?check=1 it
// also computes the quarter again and compares.
func (c *Console) bulletinPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	q, b, d, err := c.bulletinOf(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	v := bulletinView{Archive: b, Data: d, Quarter: q, Categories: supervise.Categories, Rules: supervise.BulletinScoreRules(d.Settings),
		League: supervise.BulletinLeagueHeader, Parts: supervise.BulletinPartsHeader, HasCharts: consoleViews.hasStatic("vendor/echarts.min.js")}
	v.Average = supervise.ScoreLabel(d.Overview.AverageScore)
	v.FromLabel, v.ToLabel = supervise.DateCN(q.Start()), supervise.DateCN(q.End())
	for _, u := range d.Units {
		v.LeagueRows = append(v.LeagueRows, supervise.BulletinLeagueRow(u))
		v.PartsRows = append(v.PartsRows, supervise.BulletinPartsRow(u))
	}
	for _, m := range q.Months() {
		v.MonthLabels = append(v.MonthLabels, m.Label())
		v.Chart.Months = append(v.Chart.Months, m.Label())
	}
	v.Chart.Volume = make([][]int, 3)
	for _, u := range d.Units {
		v.Chart.Units = append(v.Chart.Units, u.Name)
		v.Chart.Scores = append(v.Chart.Scores, u.Score)
		for i := range 3 {
			n := 0
			if i < len(u.ByMonth) {
				n = u.ByMonth[i]
			}
			v.Chart.Volume[i] = append(v.Chart.Volume[i], n)
		}
	}
	if r.URL.Query().Get("check") == "1" {
		if v.Check, err = c.Supervise.CompareBulletin(r.Context(), q); err != nil {
			c.pageFail(w, r, err)
			return
		}
		v.Checked = true
	}
	pg := c.newPage(r, d.Title)
	pg.Data = v
	c.render(w, r, http.StatusOK, "bulletin.html", pg)
}

// bulletinDOCX sends the archived bulletin as a Word document.
func (c *Console) bulletinDOCX(w http.ResponseWriter, r *http.Request) {
	c.bulletinFile(w, r, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		func(b store.Bulletin, d *supervise.BulletinData) ([]byte, error) {
			return supervise.BulletinDOCX(d, b.GeneratedAt())
		})
}

// bulletinXLSX sends the archived league table as a spreadsheet.
func (c *Console) bulletinXLSX(w http.ResponseWriter, r *http.Request) {
	c.bulletinFile(w, r, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func(_ store.Bulletin, d *supervise.BulletinData) ([]byte, error) {
			var buf bytes.Buffer
			err := supervise.WriteBulletinXLSX(&buf, d)
			return buf.Bytes(), err
		})
}

func (c *Console) bulletinFile(w http.ResponseWriter, r *http.Request, ext, contentType string,
	make func(store.Bulletin, *supervise.BulletinData) ([]byte, error)) {
	if _, ok := c.supervisorOnly(w, r); !ok {
		return
	}
	q, b, d, err := c.bulletinOf(r)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	body, err := make(b, d)
	if err != nil {
		c.pageFail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", attachment("bulletin-"+q.String()+"."+ext, q.Label()+"政府信息公开工作通报."+ext))
	h.Set("X-Bulletin-SHA256", b.SHA256)
	_, _ = w.Write(body)
}

// apiBulletin answers an archived bulletin: its data exactly as archived,
// with the archive's SHA-256 and when and by whom it was generated.
func (c *Console) apiBulletin(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	if err := auth.CanSupervise(p); err != nil {
		c.refuseAPI(w, r, err)
		return
	}
	_, b, _, err := c.bulletinOf(r)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, struct {
		Quarter     string          `json:"quarter"`
		GeneratedAt time.Time       `json:"generated_at"`
		GeneratedBy string          `json:"generated_by"`
		SHA256      string          `json:"sha256"`
		Data        json.RawMessage `json:"data"`
	}{b.Quarter, b.GeneratedAt().In(catalog.Shanghai), b.GeneratedBy, b.SHA256, json.RawMessage(b.Data)})
}
