package demo

import (
	"strconv"
	"strings"
	"time"
)

// Bodies of the policy columns: 政策文件, 规范性文件, 政策解读, 意见征集
// and 规划计划.

// congress names the party congress whose spirit a document of that date
// implements (the 20th opened on 16 October 2022).
func congress(t time.Time) string {
	if t.Before(time.Date(2022, 10, 16, 0, 0, 0, 0, cst)) {
		return "党的十九大和十九届历次全会精神"
	}
	return "党的二十大和二十届历次全会精神"
}

const salutation = "各县区人民政府（管委会），市直各部门、单位："

// policyTasks are task headings around a subject; %s is the subject.
var policyTasks = []string{
	"健全%s工作机制", "强化%s基础保障", "推进%s数字化建设", "加强%s监督管理",
	"优化%s服务供给", "提升%s队伍能力", "深化%s改革创新", "落实%s属地责任",
}

var taskDetails = []string{
	"建立市级统筹、县区落实、部门协同的工作格局，明确牵头单位和配合单位，制定任务清单和责任清单。",
	"统筹整合各类资金，优先保障重点项目和基层一线需求，提高资金使用效益。",
	"依托全市一体化大数据平台，推动业务系统互联互通，实现数据共享、业务协同。",
	"健全日常检查与专项检查相结合的监管机制，对发现的问题建立台账、限期整改、逐项销号。",
	"推行“一次办好”服务，精简办事环节和申请材料，压缩办理时限，提升群众满意度。",
	"分级分类开展业务培训，每年至少组织两次集中培训，培养一批业务骨干。",
	"鼓励县区先行先试，及时总结推广典型经验做法，形成可复制的制度成果。",
	"将工作任务纳入县区和部门年度综合考核，考核结果作为评先树优的重要依据。",
	"建立定期调度和通报制度，每季度通报一次工作进展情况。",
	"畅通群众反映问题渠道，对群众诉求做到件件有回应、事事有着落。",
}

func (c *entryCtx) task(i int) string {
	t := strings.ReplaceAll(policyTasks[(int(c.e.subject)+i)%len(policyTasks)], "%s", c.subj)
	if chance(c.r, 50) {
		return t + "。" + c.detail() + c.detail()
	}
	return t + "。" + c.detail()
}

func (c *entryCtx) policyBody(b *body) {
	e := c.e
	y := c.year()
	b.para(salutation)
	if strings.HasPrefix(e.title, "关于印发") {
		b.para("现将《" + e.name + "》印发给你们，请结合实际，认真贯彻落实。")
		c.signOff(b)
		b.heading(e.name)
	}
	b.para("为深入贯彻落实" + c.superior() + "关于" + c.subj + "工作的决策部署，进一步" + pick(c.r, goals) +
		"，根据" + c.twoLaws() + "等有关规定，结合我市实际，制定" + policyKind(e) + "。")
	b.heading("一、总体要求")
	b.para("以习近平新时代中国特色社会主义思想为指导，全面贯彻" + congress(e.at) + "，" + pick(c.r, principles) +
		"，着力破解" + c.subj + "工作中的难点堵点问题。")
	b.para("工作目标：到" + strconv.Itoa(y+2) + "年底，全市" + c.subj + "工作体制机制更加健全，" +
		"重点任务完成率达到" + strconv.Itoa(between(c.r, 90, 100)) + "%以上，群众满意度持续提升。")
	b.heading("二、重点任务")
	for _, t := range numbered(between(c.r, 3, 6), c.task) {
		b.para(t)
	}
	b.heading("三、保障措施")
	ms := c.measuresN(2)
	for _, m := range numbered(2, func(i int) string { return ms[i] }) {
		b.para(m)
	}
	if chance(c.r, 40) {
		b.link("相关政策文件及解读材料可登录", "临沂市人民政府网站", c.govLink(), "“政策文件”栏目查阅。")
	}
	if !strings.HasPrefix(e.title, "关于印发") {
		c.signOff(b)
	}
}

// policyKind is how a document refers to itself.
func policyKind(e *plannedEntry) string {
	switch {
	case strings.Contains(e.name, "行动计划"):
		return "本行动计划"
	case strings.Contains(e.name, "工作要点"):
		return "本工作要点"
	case strings.HasSuffix(e.name, "方案"):
		return "本方案"
	case strings.HasSuffix(e.name, "意见"):
		return "本意见"
	case strings.HasSuffix(e.name, "措施"):
		return "以下措施"
	case strings.HasSuffix(e.name, "细则"):
		return "本细则"
	case strings.HasSuffix(e.name, "规定"):
		return "本规定"
	case strings.HasSuffix(e.name, "办法"):
		return "本办法"
	}
	return "本通知"
}

// articles accumulates numbered 条 of a normative document.
type articles struct {
	b *body
	n int
}

func (a *articles) add(text string) {
	a.n++
	a.b.para("第" + cnLong(a.n) + "条　" + text)
}

// cnLong writes numbers up to 99 in Chinese, for article numbers.
func cnLong(n int) string {
	if n <= 30 {
		return cn(n)
	}
	tens, ones := n/10, n%10
	s := cn(tens) + "十"
	if ones > 0 {
		s += cn(ones)
	}
	return s
}

var normativeDuties = []string{
	"应当建立%s工作台账，定期向社会公布工作进展情况",
	"应当将%s纳入本地区经济社会发展规划，所需经费列入本级财政预算",
	"应当加强%s信息化建设，推动数据共享和业务协同",
	"应当组织开展%s业务培训，提高从业人员业务水平",
	"应当建立%s投诉举报受理机制，依法及时处理并反馈结果",
	"应当会同有关部门制定%s年度工作计划，并组织实施",
	"应当定期对%s工作开展评估，评估结果向社会公开",
}

func (c *entryCtx) normativeBody(b *body) {
	e := c.e
	kind := policyKind(e)
	self := strings.TrimPrefix(kind, "本")
	if e.variant == gfInterim || e.variant == gfFunds {
		b.para(salutation)
		b.para("《" + e.name + "》已经" + c.u.Short + "研究同意，现印发给你们，请认真遵照执行。")
		b.heading(e.name)
	}
	b.para("登记编号：LYDR-" + strconv.Itoa(c.year()) + "-" + strconv.Itoa(1000000+c.r.IntN(8999999)))
	a := &articles{b: b}
	b.heading("第一章　总则")
	a.add("为了规范" + c.subj + "工作，" + pick(c.r, goals) + "，根据" + c.twoLaws() + "等法律法规规定，结合本市实际，制定" + kind + "。")
	a.add(kind + "适用于本市行政区域内" + c.subj + "及其相关监督管理活动。")
	a.add(c.subj + "工作应当坚持" + pick(c.r, []string{"公开透明、公平公正、便民高效", "依法规范、分级负责、动态管理", "统筹规划、突出重点、注重实效"}) + "的原则。")
	a.add(c.u.Name + "负责全市" + c.subj + "工作的统筹协调和监督管理；县区有关部门负责本行政区域内" + c.subj + "的具体工作。发展改革、财政等部门按照各自职责做好相关工作。")
	b.heading("第二章　管理措施")
	for _, d := range pickN(c.r, normativeDuties, between(c.r, 3, 6)) {
		a.add(pick(c.r, []string{"主管部门", "县区人民政府", "相关单位"}) + strings.ReplaceAll(d, "%s", c.subj) + "。")
	}
	b.heading("第三章　监督检查")
	a.add("主管部门应当加强对" + c.subj + "工作的监督检查，发现问题的，应当责令限期整改。")
	a.add("任何单位和个人有权对违反" + kind + "的行为进行投诉举报。主管部门应当公布投诉举报方式，依法及时处理。")
	b.heading("第四章　法律责任")
	a.add("违反" + kind + "规定的，由主管部门责令限期改正；法律、法规另有规定的，从其规定。")
	a.add("国家机关工作人员在" + c.subj + "工作中滥用职权、玩忽职守、徇私舞弊的，依法给予处分；构成犯罪的，依法追究刑事责任。")
	b.heading("第五章　附则")
	a.add(kind + "由" + c.u.Name + "负责解释。")
	start := e.at.AddDate(0, 1, 0)
	a.add(kind + "自" + dateCN(start) + "起施行，有效期至" + dateCN(start.AddDate(e.param, 0, -1)) + "。")
	if e.validity == "废止" {
		b.para("（注：本" + self + "已于" + dateCN(workday(start.AddDate(2, between(c.r, 0, 10), 0))) + "废止。）")
	}
	c.signOff(b)
}

func (c *entryCtx) interpretationBody(b *body) {
	e := c.e
	p := &c.all[e.related]
	short := shortName(e.name)
	ref := "《" + e.name + "》"
	if p.docNo != "" {
		ref += "（" + p.docNo + "）"
	}
	switch interpretationForms[e.form] {
	case "文字":
		b.para("近日，" + c.u.Short + "印发了" + ref + "（以下简称《" + short + "》）。为便于社会公众更好地理解和执行，现就有关内容解读如下。")
		b.heading("一、起草背景")
		b.para(c.subj + "是推动高质量发展的重要内容。近年来，我市" + c.subj + "工作取得积极成效，但与群众期盼相比，仍存在" +
			c.problem() + "等问题，有必要出台相关政策予以规范和推动。")
		b.heading("二、起草依据")
		b.para("主要依据" + c.twoLaws() + "等法律法规和政策文件。")
		b.heading("三、主要内容")
		b.para("《" + short + "》共分为" + cn(between(c.r, 3, 6)) + "个部分，主要内容包括：")
		for _, t := range numbered(3, c.task) {
			b.para(t)
		}
		b.heading("四、解读机关及联系方式")
		b.para("解读机关：" + c.u.Name + "；解读人：" + personName(c.r) + "；联系电话：" + c.tel() + "。")
	case "图解":
		b.para("一图读懂《" + short + "》。" + c.u.Short + "以图解形式对" + ref + "的出台背景、主要目标和重点任务进行解读。")
		b.heading("【出台背景】")
		b.para("为深入贯彻落实" + c.superior() + "关于" + c.subj + "工作的部署要求，结合我市实际，制定《" + short + "》。")
		b.heading("【主要目标】")
		b.para("到" + strconv.Itoa(e.at.Year()+2) + "年，" + c.subj + "工作体制机制更加健全，群众满意度明显提升。")
		b.heading("【重点任务】")
		for i := 0; i < 3; i++ {
			t, _, _ := strings.Cut(c.task(i), "。")
			b.para("任务" + cn(i+1) + "：" + t)
		}
		b.link("政策原文：", "《"+e.name+"》", c.govLink(), "")
	case "问答":
		b.para("为帮助社会公众准确理解" + ref + "，" + c.u.Short + "对群众关心的问题进行了梳理解答。")
		b.para("问：《" + short + "》出台的背景是什么？")
		b.para("答：为深入贯彻落实" + c.superior() + "关于" + c.subj + "工作的决策部署，解决" + c.problem() + "等问题，我们在深入调研、广泛征求意见的基础上起草了《" + short + "》。")
		b.para("问：《" + short + "》的适用范围是什么？")
		b.para("答：适用于本市行政区域内" + c.subj + "相关工作，各县区、各有关部门按照职责分工抓好落实。")
		b.para("问：《" + short + "》提出了哪些主要措施？")
		t, _, _ := strings.Cut(c.task(0), "。")
		t2, _, _ := strings.Cut(c.task(1), "。")
		b.para("答：主要包括" + t + "、" + t2 + "等方面的措施。" + c.measure())
		b.para("问：群众遇到问题如何咨询？")
		b.para("答：可拨打" + c.u.Short + "咨询电话" + c.tel() + "，或拨打12345政务服务便民热线。")
	case "访谈":
		guest := personName(c.r)
		b.para("访谈时间：" + dateCN(e.at))
		b.para("访谈嘉宾：" + c.u.Short + "负责同志" + guest)
		b.para("主持人：各位网友大家好！" + c.u.Short + "近期印发了" + ref + "，今天我们邀请到" + guest + "为大家解读。")
		b.para("主持人：请您介绍一下《" + short + "》出台的主要考虑。")
		b.para(guest + "：出台《" + short + "》，主要是为了进一步" + pick(c.r, goals) + "。" + c.measure())
		b.para("主持人：《" + short + "》有哪些亮点？")
		t, _, _ := strings.Cut(c.task(2), "。")
		b.para(guest + "：最大的亮点是" + t + "。" + c.detail())
		b.para("主持人：感谢您的解读！")
	case "视频":
		b.para("视频解读：" + c.u.Short + "负责同志解读" + ref + "。视频时长" + strconv.Itoa(between(c.r, 3, 12)) + "分" + strconv.Itoa(between(c.r, 10, 59)) + "秒。")
		b.para("视频内容摘要：《" + short + "》围绕" + c.subj + "提出了一系列务实举措。" + c.detail())
		b.link("点击观看：", "视频解读《"+short+"》", c.govLink(), "（建议使用手机或电脑浏览器观看）")
		b.para("文字实录：" + c.task(0))
	case "媒体评论":
		b.para("近日，" + c.u.Short + "印发" + ref + "，在社会上引起广泛关注。")
		b.para("政策的生命力在于落实。《" + short + "》直面" + c.problem() + "等现实问题，提出了一系列务实举措，回应了群众期盼。")
		b.para(c.measure() + "只有把政策转化为实实在在的工作成效，才能让群众真正享受到政策红利。")
		b.para("期待各有关部门以钉钉子精神抓好落实，让" + c.subj + "工作惠及更多群众。")
		b.para("（来源：" + mediaOutlets[e.param] + "）")
	}
}

// indicatorPair returns a base value and a later value grown by a factor
// in [grow, grow+spread); percentages stay below 100.
func (c *entryCtx) indicatorPair(unit string, grow, spread float64) (string, string) {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	if unit == "%" {
		base := 20 + c.r.Float64()*50
		return f(base), f(min(99.5, base*(grow+c.r.Float64()*spread)))
	}
	base := 100 + c.r.Float64()*900
	return f(base), f(base * (grow + c.r.Float64()*spread))
}

// shortName abbreviates a policy name for 以下简称: the last few
// characters of the document kind (实施方案, 管理办法, 意见…).
func shortName(name string) string {
	for _, suf := range []string{"三年行动计划", "工作要点", "实施方案", "管理暂行办法", "专项资金管理办法", "管理办法", "实施细则", "若干规定", "若干措施", "意见", "规划"} {
		if strings.Contains(name, suf) {
			if suf == "三年行动计划" {
				return "行动计划"
			}
			return suf
		}
	}
	return "通知"
}

func (c *entryCtx) consultationBody(b *body) {
	e := c.e
	start := workday(e.at.AddDate(0, 0, 1))
	end := start.AddDate(0, 0, 30)
	switch e.variant {
	case yzSolicit, yzSolicitRules:
		b.para("为提高政策制定的科学性和透明度，" + c.u.Short + "起草了《" + e.name + "（征求意见稿）》，现向社会公开征求意见。")
		b.para("《征求意见稿》共" + cn(between(c.r, 4, 7)) + "章" + cnLong(between(c.r, 18, 36)) + "条，主要包括总则、" + c.subj + "工作职责、监督管理、法律责任等内容。")
		b.para("征求意见时间为" + dateCN(start) + "至" + dateCN(end) + "。社会各界可通过以下方式提出意见建议：")
		b.para("（一）电子邮件：发送至ly" + c.u.Code + "@ly.shandong.cn，邮件主题请注明“征求意见”。")
		b.para("（二）信函：邮寄至" + c.u.Name + c.office() + "（临沂市北城新区" + pick(c.r, roads) + strconv.Itoa(between(c.r, 1, 200)) + "号），邮政编码276000，请在信封上注明“征求意见”字样。")
		b.link("（三）网上提交：登录", "临沂市人民政府网站“意见征集”栏目", c.govLink(), "在线提交。")
		b.para("感谢您的参与和支持！")
		c.signOff(b)
	case yzFeedback:
		n := between(c.r, 6, 40)
		a := between(c.r, 1, n/2)
		pa := between(c.r, 0, (n-a)/2)
		b.para(dateCN(start.AddDate(0, 0, -45)) + "至" + dateCN(start.AddDate(0, 0, -15)) + "，" + c.u.Short + "就《" + e.name +
			"（征求意见稿）》公开征求社会公众意见，共收到意见建议" + strconv.Itoa(n) + "条。经认真研究，采纳" + strconv.Itoa(a) +
			"条，部分采纳" + strconv.Itoa(pa) + "条，未采纳" + strconv.Itoa(n-a-pa) + "条。现将有关情况反馈如下：")
		rows := [][]string{
			{"1", "建议进一步明确" + c.subj + "工作的责任分工", "采纳", "已在相关条款中予以明确"},
			{"2", "建议加大对基层的资金支持力度", "部分采纳", "结合财力状况统筹安排"},
			{"3", "建议延长政策执行期限", "未采纳", "按照规定，政策有效期一般不超过五年"},
			{"4", "建议增加公众参与和信息公开的内容", "采纳", "已增加相关内容"},
		}
		b.table([]string{"序号", "意见建议摘要", "采纳情况", "理由说明"}, rows[:between(c.r, 3, 4)])
		b.para("感谢社会各界对" + c.subj + "工作的关心和支持。")
		c.signOff(b)
	}
}

func (c *entryCtx) devPlanBody(b *body) {
	e := c.e
	y := c.year()
	switch e.variant {
	case ghMidterm13, ghMidterm14:
		plan := "“十三五”"
		if e.variant == ghMidterm14 {
			plan = "“十四五”"
		}
		b.para("根据规划实施评估工作安排，" + c.u.Short + "对" + plan + c.subj + "规划实施情况进行了中期评估。现将评估情况报告如下。")
		b.heading("一、规划实施总体情况")
		b.para("规划实施以来，全市" + c.subj + "工作扎实推进，规划确定的主要目标任务总体进展顺利，" +
			strconv.Itoa(between(c.r, 10, 20)) + "项主要指标中，" + strconv.Itoa(between(c.r, 7, 10)) + "项达到或超过序时进度。")
		var rows [][]string
		for i, ind := range pickN(c.r, c.u.Indicators, min(3, len(c.u.Indicators))) {
			name, unit, _ := strings.Cut(ind, "/")
			base, now := c.indicatorPair(unit, 1.05, 0.3)
			rows = append(rows, []string{strconv.Itoa(i + 1), name, unit, base, now,
				pick(c.r, []string{"符合预期", "超出预期", "滞后"})})
		}
		b.table([]string{"序号", "指标名称", "单位", "基期值", "目前值", "进展评价"}, rows)
		b.heading("二、存在的主要问题")
		b.para(c.twoProblems())
		b.heading("三、下一步工作")
		b.para(c.measure() + c.measure())
	case ghPrep15:
		b.para("为科学编制“十五五”" + c.subj + "规划，根据市委、市政府关于“十五五”规划编制工作的统一部署，制定本方案。")
		b.heading("一、编制原则")
		b.para(pick(c.r, principles) + "，坚持开门问策、集思广益，广泛听取社会各界意见建议。")
		b.heading("二、时间安排")
		b.table([]string{"阶段", "时间", "主要任务"}, [][]string{
			{"前期研究", strconv.Itoa(y) + "年" + strconv.Itoa(int(e.at.Month())) + "月—" + strconv.Itoa(y) + "年12月", "开展重大课题研究，形成基本思路"},
			{"起草论证", strconv.Itoa(y+1) + "年1月—6月", "起草规划文本，组织专家论证"},
			{"审批发布", strconv.Itoa(y+1) + "年7月—12月", "按程序报批，向社会公布"},
		})
		b.heading("三、组织保障")
		b.para("成立规划编制工作专班，" + c.u.Short + "主要负责同志任组长。" + c.measure())
		c.signOff(b)
	default:
		if strings.HasPrefix(e.title, "关于印发") {
			b.para(salutation)
			b.para("《" + e.name + "》已经市政府同意，现印发给你们，请认真贯彻执行。")
			b.heading(e.name)
		}
		b.heading("第一章　发展基础")
		b.para("近年来，全市" + c.subj + "工作取得显著成效。" + c.u.Short + "牵头推进的重点工作全面完成，但仍存在" + c.problem() + "等短板。")
		b.heading("第二章　总体要求")
		b.para("以习近平新时代中国特色社会主义思想为指导，" + pick(c.r, principles) + "。")
		var rows [][]string
		for i, ind := range pickN(c.r, c.u.Indicators, min(3, len(c.u.Indicators))) {
			name, unit, _ := strings.Cut(ind, "/")
			base, target := c.indicatorPair(unit, 1.1, 0.4)
			rows = append(rows, []string{strconv.Itoa(i + 1), name, unit, base, target,
				pick(c.r, []string{"预期性", "约束性"})})
		}
		b.table([]string{"序号", "指标", "单位", "基期值", "目标值", "属性"}, rows)
		b.heading("第三章　重点任务")
		for _, t := range numbered(3, c.task) {
			b.para(t)
		}
		b.heading("第四章　保障措施")
		b.para(c.measure())
	}
}
