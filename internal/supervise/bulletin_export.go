package supervise

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/docx"
)

// A bulletin's files: the Word document the office issues, with tables,
// and the league table as a spreadsheet. Both are made from the archived
// data alone, so the same archive always gives the same files.

// BulletinLeagueHeader names the league table's columns, as the page, the Word
// document and the spreadsheet show them.
var BulletinLeagueHeader = []string{"排名", "单位", "综合得分", "本季度发布", "最近发布", "超期栏目", "空白栏目", "退回", "抽查合格率", "未办结督办"}

// BulletinLeagueRow is one unit's line of the league table, as text.
func BulletinLeagueRow(u BulletinUnit) []string {
	last := "从未发布"
	if u.LastPublish != "" {
		if t, err := time.Parse(time.DateOnly, u.LastPublish); err == nil {
			last = fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
		}
	}
	return []string{strconv.Itoa(u.Rank), u.Name, ScoreLabel(u.Score), strconv.Itoa(u.Published), last,
		strconv.Itoa(len(u.Overdue)), strconv.Itoa(len(u.Empty)), strconv.Itoa(u.Returns), u.Spot.PassRateLabel(),
		strconv.Itoa(u.Notices.Open)}
}

// BulletinPartsHeader names the score's parts with their points.
var BulletinPartsHeader = []string{"单位", "发布数量(25)", "更新及时(25)", "栏目超期(15)", "空白栏目(10)", "退回(10)", "抽查(10)", "督办(5)", "合计"}

// BulletinPartsRow is one unit's points by part, as text.
func BulletinPartsRow(u BulletinUnit) []string {
	p := u.Parts
	return []string{u.Name, ScoreLabel(p.Volume), ScoreLabel(p.Freshness), ScoreLabel(p.Overdue), ScoreLabel(p.Empty),
		ScoreLabel(p.Returns), ScoreLabel(p.SpotCheck), ScoreLabel(p.Notices), ScoreLabel(u.Score)}
}

// OverviewLines are the bulletin's overview figures as sentences.
func (d *BulletinData) OverviewLines() []string {
	o := d.Overview
	from, to := dateOf(d.From), dateOf(d.To)
	rate := "尚无评定结果"
	if o.SpotPassRate != nil {
		rate = "合格率 " + strconv.FormatFloat(*o.SpotPassRate, 'f', 1, 64) + "%"
	}
	return []string{
		fmt.Sprintf("%s至%s，全市 %d 个单位在政府信息公开目录共发布信息 %d 条，截至%s累计公开 %d 条；各单位综合得分平均 %s 分。",
			from, to, o.Units, o.Published, to, o.Standing, ScoreLabel(o.AverageScore)),
		fmt.Sprintf("截至季度末，%d 个单位超过 %d 天未更新，%d 个单位发布数量不足；超期未更新栏目 %d 个，空白栏目 %d 个；本季度退回信息 %d 条。",
			o.SilentUnits, d.Settings.SilentDays, o.LowVolumeUnits, o.OverdueColumns, o.EmptyColumns, o.Returns),
		fmt.Sprintf("本季度下发督办通知 %d 件，办结 %d 件；季度末尚未办结 %d 件，其中逾期 %d 件。", o.NoticesRaised, o.NoticesClosed, o.NoticesOpen, o.NoticesOverdue),
		fmt.Sprintf("本季度开展月度抽查，共抽取信息 %d 条，已评定 %d 条，其中合格 %d 条，%s。", o.SpotSampled, o.SpotGraded, o.SpotPassed, rate),
	}
}

func dateOf(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// SpotMonthRows are the spot checks by sample month, as text.
func (d *BulletinData) SpotMonthRows() [][]string {
	var rows [][]string
	for _, m := range d.Spot.Months {
		rows = append(rows, []string{m.Label, strconv.Itoa(m.Sampled), strconv.Itoa(m.Graded), strconv.Itoa(m.Passed),
			strconv.Itoa(m.Problems), m.PassRateLabel()})
	}
	return rows
}

// BulletinSpotHeader names the columns of SpotMonthRows.
var BulletinSpotHeader = []string{"抽查月份", "抽取", "已评定", "合格", "存在问题", "合格率"}

// Period is the bulletin's quarter.
func (d *BulletinData) Period() Quarter {
	q, _ := ParseQuarter(d.Quarter)
	return q
}

// BulletinDOCX lays the bulletin out as a Word document: the issuer's
// mark, the title, the overview, the league table and the points by part,
// the units criticised and commended, the spot checks, how the score is
// computed, and the date it was archived.
func BulletinDOCX(d *BulletinData, archived time.Time) ([]byte, error) {
	doc := &docx.Document{Title: d.Title, Author: d.Issuer, PageNumbers: true}
	doc.Add(docx.Para{Runs: []docx.Run{{Text: d.Issuer + "文件", Font: docx.XiaoBiaoSong, Size: docx.SizeYiHao, Color: docx.Red}},
		Align: docx.Center, SpaceAfter: 12})
	doc.Rule(docx.Red)
	doc.TitleText(d.Title)
	doc.Add(docx.Para{Runs: []docx.Run{{Text: "各单位："}}})
	doc.Text(fmt.Sprintf("现将%s全市政府信息公开目录建设和更新情况通报如下。本通报依据截至%s的系统数据生成，计分办法见文末。",
		d.Period().Label(), dateOf(d.To)))

	doc.Heading(1, "一、总体情况")
	for _, l := range d.OverviewLines() {
		doc.Text(l)
	}

	doc.Heading(1, "二、综合排名")
	var rows, parts [][]string
	for _, u := range d.Units {
		rows = append(rows, BulletinLeagueRow(u))
		parts = append(parts, BulletinPartsRow(u))
	}
	right := []docx.Align{docx.Center, docx.Left, docx.Right, docx.Right, docx.Center, docx.Right, docx.Right, docx.Right, docx.Right, docx.Right}
	doc.AddTable(docx.Table{Header: BulletinLeagueHeader, Rows: rows, Size: docx.SizeWuHao, Widths: []float64{5, 22, 8, 8, 14, 7, 7, 6, 9, 8}, Align: right})
	doc.Heading(2, "（一）各项得分")
	doc.AddTable(docx.Table{Header: BulletinPartsHeader, Rows: parts, Size: docx.SizeWuHao, Widths: []float64{24, 9, 9, 9, 9, 8, 8, 8, 8},
		Align: []docx.Align{docx.Left, docx.Right, docx.Right, docx.Right, docx.Right, docx.Right, docx.Right, docx.Right, docx.Right}})

	doc.Heading(1, "三、通报批评")
	if len(d.Criticised) == 0 {
		doc.Text("本季度没有单位长期未更新或督办通知逾期未办结。")
	}
	for i, c := range d.Criticised {
		doc.Text(fmt.Sprintf("%d. %s：%s", i+1, c.Name, strings.Join(c.Reasons, "")))
	}
	if len(d.Criticised) > 0 {
		doc.Text("请被通报批评的单位认真查找原因，立即整改，并将整改情况报市政府办公室。")
	}

	doc.Heading(1, "四、通报表扬")
	if len(d.Commended) == 0 {
		doc.Text(fmt.Sprintf("本季度没有单位综合得分达到 %d 分以上且未被通报批评。", CommendMinScore))
	}
	for i, c := range d.Commended {
		doc.Text(fmt.Sprintf("%d. %s：%s", i+1, c.Name, c.Reason))
	}

	doc.Heading(1, "五、月度抽查情况")
	if len(d.Spot.Months) == 0 {
		doc.Text("本季度未开展月度抽查。")
	} else {
		doc.Table(BulletinSpotHeader, d.SpotMonthRows()).Size = docx.SizeWuHao
		var cats [][]string
		for _, c := range d.Spot.Categories {
			cats = append(cats, []string{c.Label, strconv.Itoa(c.Count)})
		}
		doc.Heading(2, "（一）发现问题的类别")
		doc.AddTable(docx.Table{Header: []string{"问题类别", "条数"}, Rows: cats, Size: docx.SizeWuHao, Widths: []float64{3, 1},
			Align: []docx.Align{docx.Left, docx.Right}})
	}

	doc.Heading(1, "六、计分办法")
	for _, l := range BulletinScoreRules(d.Settings) {
		doc.Text(l)
	}

	doc.Add(docx.Para{Runs: []docx.Run{{Text: d.Issuer}}, Align: docx.Right, RightIndent: 4, SpaceBefore: 28})
	doc.Add(docx.Para{Runs: []docx.Run{{Text: DateCN(archived)}}, Align: docx.Right, RightIndent: 4})
	return doc.Bytes()
}

// BulletinScoreRules say how the score is computed, in sentences, with the
// settings' figures (docs/supervision-score.md).
func BulletinScoreRules(set Settings) []string {
	return []string{
		"综合得分满分 100 分，由七项组成，每项按比例计分、保留一位小数（四舍五入），合计为各项之和。",
		fmt.Sprintf("（1）发布数量 %d 分：截至季度末 %d 天内发布信息数与该类单位最低要求之比，达到要求得满分；无最低要求的得满分。", PointsVolume, set.VolumeWindowDays),
		fmt.Sprintf("（2）更新及时 %d 分：距最近一次发布不超过 %d 天得满分，达到 %d 天得 0 分，其间按比例计分；从未发布的得 0 分。", PointsFreshness, FreshGraceDays, set.SilentDays),
		fmt.Sprintf("（3）栏目超期 %d 分：每个超期未更新栏目扣 %s 分，%d 个及以上得 0 分。", PointsOverdue, ScoreLabel(float64(PointsOverdue)/float64(max(1, set.NationalOverdueFailAt))), set.NationalOverdueFailAt),
		fmt.Sprintf("（4）空白栏目 %d 分：每个空白栏目扣 %s 分，%d 个及以上得 0 分。", PointsEmpty, ScoreLabel(float64(PointsEmpty)/float64(max(1, set.NationalEmptyFailAt))), set.NationalEmptyFailAt),
		fmt.Sprintf("（5）退回 %d 分：按本季度发布信息数占发布与退回之和的比例计分；既无发布也无退回的得满分。", PointsReturns),
		fmt.Sprintf("（6）抽查 %d 分：按本季度抽查已评定信息的合格率计分；无评定结果的得满分。", PointsSpotCheck),
		fmt.Sprintf("（7）督办 %d 分：季度末无未办结督办通知得满分；每件未办结的扣 2.5 分，逾期的扣 5 分，扣完为止。", PointsNotices),
		"排名按综合得分从高到低，得分相同的按单位代码排列。",
	}
}

// WriteBulletinXLSX writes the league table as a spreadsheet: one line per
// unit with every figure and part, every cell text (no formulas).
func WriteBulletinXLSX(w io.Writer, d *BulletinData) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("supervise: xlsx: %w", cerr)
		}
	}()
	const sheet = "综合排名"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	months := d.Period().Months()
	header := []string{"排名", "单位代码", "单位", "单位类型", "综合得分"}
	header = append(header, BulletinPartsHeader[1:8]...)
	header = append(header, "本季度发布")
	for _, m := range months {
		header = append(header, fmt.Sprintf("%d月发布", int(m.Mon)))
	}
	header = append(header, "累计公开", "最近发布", "连续未更新天数", "超期栏目", "空白栏目", "退回", "抽查抽取", "抽查评定", "抽查合格", "抽查合格率",
		"本季度督办", "季度末未办结督办", "其中逾期")
	rows := [][]string{header}
	for _, u := range d.Units {
		p := u.Parts
		r := []string{strconv.Itoa(u.Rank), u.Unit, u.Name, u.Kind, ScoreLabel(u.Score), ScoreLabel(p.Volume), ScoreLabel(p.Freshness),
			ScoreLabel(p.Overdue), ScoreLabel(p.Empty), ScoreLabel(p.Returns), ScoreLabel(p.SpotCheck), ScoreLabel(p.Notices),
			strconv.Itoa(u.Published)}
		for i := range months {
			n := 0
			if i < len(u.ByMonth) {
				n = u.ByMonth[i]
			}
			r = append(r, strconv.Itoa(n))
		}
		r = append(r, strconv.Itoa(u.Standing), u.LastPublish, strconv.Itoa(u.DaysSilent), strconv.Itoa(len(u.Overdue)), strconv.Itoa(len(u.Empty)),
			strconv.Itoa(u.Returns), strconv.Itoa(u.Spot.Sampled), strconv.Itoa(u.Spot.Graded), strconv.Itoa(u.Spot.Passed), u.Spot.PassRateLabel(),
			strconv.Itoa(u.Notices.Raised), strconv.Itoa(u.Notices.Open), strconv.Itoa(u.Notices.Overdue))
		rows = append(rows, r)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	for i, r := range rows {
		for j, v := range r {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return fmt.Errorf("supervise: xlsx: %w", err)
			}
			// Text cells only: a name starting with "=" stays text.
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return fmt.Errorf("supervise: xlsx: %w", err)
			}
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	if err := f.SetColWidth(sheet, "C", "C", 36); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, XSplit: 3, TopLeftCell: "D2", ActivePane: "bottomRight"}); err != nil {
		return fmt.Errorf("supervise: xlsx: %w", err)
	}
	_ = f.SetDocProps(&excelize.DocProperties{Title: d.Title, Creator: d.Issuer})
	_, err = f.WriteTo(w)
	return err
}
