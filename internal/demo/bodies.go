package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// entryCtx is what a body generator knows about the entry it writes.
type entryCtx struct {
	r    *rand.Rand
	e    *plannedEntry
	u    *unitProfile
	all  []plannedEntry // the whole plan, for linked entries
	subj string

	// Decks deal sentences without repeats within one body.
	measureDeck, detailDeck, problemDeck, closingDeck, progressDeck deck
}

// deck deals indexes 0..n-1 in a random order, reshuffling when empty.
type deck struct {
	order []int
	pos   int
}

func (d *deck) next(r *rand.Rand, n int) int {
	if d.pos >= len(d.order) {
		d.order, d.pos = r.Perm(n), 0
	}
	d.pos++
	return d.order[d.pos-1]
}

// buildBody writes the body of an entry according to its column and variant.
func buildBody(c *entryCtx) *body {
	b := &body{}
	switch c.e.col {
	case colZyzz:
		c.dutiesBody(b)
	case colGkzn:
		c.guideBody(b)
	case colGknb:
		c.annualReportBody(b)
	case colGkzd:
		c.rulesBody(b)
	case colLdfg:
		c.leadersBody(b)
	case colJgsz:
		c.structureBody(b)
	case colQlqd:
		c.powersBody(b)
	case colTzgg:
		c.noticeBody(b)
	case colZcwj:
		c.policyBody(b)
	case colGfxwj:
		c.normativeBody(b)
	case colZcjd:
		c.interpretationBody(b)
	case colJhzj:
		c.workPlanBody(b)
	case colGhjh:
		c.devPlanBody(b)
	case colTjsj:
		c.statisticsBody(b)
	case colCzzj:
		c.fundsBody(b)
	case colZdxm:
		c.projectBody(b)
	case colGgzy:
		c.procurementBody(b)
	case colGgfw:
		c.serviceBody(b)
	case colYjzj:
		c.consultationBody(b)
	case colZwft:
		c.interviewBody(b)
	case colYjgl:
		c.emergencyBody(b)
	}
	// Bodies promise 300–2000 visible characters; the margins leave room
	// for the renderers' separators.
	b.fit(420, 1900, c.closingRemark)
	return b
}

// Small pieces of official prose shared by the generators.

func (c *entryCtx) tel() string {
	return "0539-" + strconv.Itoa(between(c.r, 2, 8)) + strconv.Itoa(100000+c.r.IntN(900000))
}

// dateCN formats a date the way documents write it: 2023年3月5日.
func dateCN(t time.Time) string {
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

// workday returns the first weekday on or after t.
func workday(t time.Time) time.Time {
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func (c *entryCtx) year() int { return c.e.at.Year() }

func (c *entryCtx) law() string {
	_, topic := c.u.subject(int(c.e.subject))
	laws := lawsByTopic[topic]
	if len(laws) == 0 || c.r.IntN(5) == 0 {
		return pick(c.r, provincialRules)
	}
	return pick(c.r, laws)
}

// twoLaws names two different legal bases.
func (c *entryCtx) twoLaws() string {
	a := c.law()
	b := pick(c.r, provincialRules)
	if a == b {
		return a
	}
	return a + "、" + b
}

func (c *entryCtx) measure() string { return measures[c.measureDeck.next(c.r, len(measures))] }

// measuresN returns n measure sentences not used before in this body.
func (c *entryCtx) measuresN(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = c.measure()
	}
	return out
}

func (c *entryCtx) detail() string { return taskDetails[c.detailDeck.next(c.r, len(taskDetails))] }

func (c *entryCtx) problem() string { return problems[c.problemDeck.next(c.r, len(problems))] }

// progress states what the city has achieved in the subject, with numbers.
func (c *entryCtx) progress() string {
	r := c.r
	items := []string{
		"累计投入资金" + money(r, 1, 30) + "亿元，建成市级示范点" + strconv.Itoa(between(r, 12, 180)) + "个",
		"相关指标增速连续" + cn(between(r, 2, 6)) + "年高于全省平均水平",
		"群众满意度由" + pct(r, 80, 88) + "%提高到" + pct(r, 90, 98) + "%",
		"办理时限平均压缩" + strconv.Itoa(between(r, 30, 70)) + "%，" + strconv.Itoa(between(r, 60, 320)) + "项事项实现“一次办好”",
		"排查整改各类问题" + strconv.Itoa(between(r, 120, 3600)) + "个，整改完成率" + pct(r, 92, 100) + "%",
		"培育省级以上典型" + strconv.Itoa(between(r, 3, 40)) + "个，" + strconv.Itoa(between(r, 2, 9)) + "项经验做法在全省推广",
	}
	return items[c.progressDeck.next(r, len(items))]
}

// background is the customary opening of a work document: what has been
// achieved, and what still needs doing.
func (c *entryCtx) background() string {
	return "近年来，全市" + c.subj + "工作扎实推进，" + c.progress() + "，" + c.progress() +
		"。但也要看到，" + c.problem() + "、" + c.problem() + "等问题依然存在，需要下大力气加以解决。"
}

func (c *entryCtx) twoProblems() string {
	return "一是" + c.problem() + "；二是" + c.problem() + "。"
}

func (c *entryCtx) superior() string { return pick(c.r, superiors) }

// office names an internal office; a unit called …办公室 does not say
// 办公室办公室, so its own general office is 秘书科.
func (c *entryCtx) office() string {
	o := pick(c.r, []string{"办公室", "政策法规科", "综合科", "业务科", "监督管理科", "规划发展科"})
	if o == "办公室" && strings.HasSuffix(c.u.Short, "办公室") {
		o = "秘书科"
	}
	return o
}

func (c *entryCtx) contact() string {
	return "联系人：" + personName(c.r) + "，联系电话：" + c.tel() + "。"
}

// signOff appends the issuing body and the date written.
func (c *entryCtx) signOff(b *body) {
	b.sign(c.u.Name)
	b.sign(dateCN(c.e.written))
}

// closingRemark pads short bodies with a sentence that fits any entry of
// the column: contact details for reference pages, a look ahead for work
// documents.
func (c *entryCtx) closingRemark() string {
	var remarks []string
	switch c.e.col {
	case colZyzz, colGkzn, colGkzd, colLdfg, colJgsz, colQlqd, colGknb, colGgfw, colTjsj, colGgzy, colZdxm, colCzzj:
		remarks = []string{
			"如对本信息有疑问，请在工作时间与" + c.u.Short + c.office() + "联系，联系电话：" + c.tel() + "。",
			"以上信息如有变动，" + c.u.Short + "将及时更新。社会公众可通过12345政务服务便民热线反映意见建议。",
			"本信息由" + c.u.Name + "负责发布和解释。通讯地址：临沂市北城新区" + pick(c.r, roads) + strconv.Itoa(between(c.r, 1, 300)) + "号，邮政编码：276000。",
		}
	default:
		remarks = []string{
			c.background(),
			"各单位要把" + c.subj + "工作摆上重要位置，" + strings.TrimPrefix(c.measure(), "要"),
			"如对本信息有疑问，请在工作时间与" + c.u.Short + c.office() + "联系，联系电话：" + c.tel() + "。",
			"下一步，" + c.u.Short + "将认真贯彻落实上级部署要求，" + strings.TrimSuffix(c.measure(), "。") + "，推动各项工作取得新成效。",
			"欢迎社会各界对" + c.subj + "工作提出意见建议。来信请寄" + c.u.Name + c.office() + "，邮政编码：276000。",
		}
	}
	return remarks[c.closingDeck.next(c.r, len(remarks))]
}

// field names the unit's line of work for running text: 市教育局 → 教育.
func (u *unitProfile) field() string {
	if u.Kind == "管委会" {
		return strings.TrimSuffix(u.Short, "管委会") + "开发建设"
	}
	s := strings.TrimPrefix(u.Short, "市")
	for _, suf := range []string{"管理局", "服务局", "事务局", "局", "委员会", "委", "办公室", "办", "管理中心", "服务中心", "中心", "社", "联", "馆"} {
		if t, ok := strings.CutSuffix(s, suf); ok && t != "" {
			return t
		}
	}
	return s
}

// govLink returns a plausible page of the city portal.
func (c *entryCtx) govLink() string {
	paths := []string{"info/1081/", "info/1124/", "zwgk/", "info/2391/", "info/1342/"}
	return "https://www.linyi.gov.cn/" + pick(c.r, paths) + strconv.Itoa(100000+c.r.IntN(800000)) + ".htm"
}

// numbered returns （一）…（n） items built by item.
func numbered(n int, item func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "（" + cn(i+1) + "）" + item(i)
	}
	return out
}

// money formats an amount of 万元 with two decimals.
func money(r *rand.Rand, lo, hi float64) string {
	return strconv.FormatFloat(lo+r.Float64()*(hi-lo), 'f', 2, 64)
}

// pct formats a growth rate with one decimal, possibly negative.
func pct(r *rand.Rand, lo, hi float64) string {
	return strconv.FormatFloat(lo+r.Float64()*(hi-lo), 'f', 1, 64)
}
