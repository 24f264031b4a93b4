package demo

import (
	"strconv"
	"strings"
	"time"
)

func yearStr(y int) string { return strconv.Itoa(y) }

// describe fills title, document type, topic, five-publics class, 文号
// kind and validity of a planned entry. A title already in the catalog is
// drawn again a few times: repeated titles are rare in a real catalog and
// would blur known-item search in the demo.
func (pl *planner) describe(e *plannedEntry) {
	blank := *e
	for try := 0; ; try++ {
		pl.describeOnce(e)
		if !pl.titles[e.title] || try == 8 {
			break
		}
		*e = blank
	}
	pl.titles[e.title] = true
}

func (pl *planner) describeOnce(e *plannedEntry) {
	r := pl.r
	u := e.u()
	e.subject = int16(r.IntN(len(u.Subjects)))
	subj, topic := u.subject(int(e.subject))
	e.topic = topic
	y, m := e.at.Year(), int(e.at.Month())
	ys := yearStr(y)

	switch e.col {
	case colZyzz:
		e.title = u.Name + "主要职责（" + ys + "年版）"
		e.docType, e.five, e.topic = "其他", "管理", "国务院组织机构"
	case colGkzn:
		e.title = u.Name + "政府信息公开指南（" + ys + "年版）"
		e.docType, e.five, e.topic = "其他", "服务", "综合政务"
	case colGknb:
		e.title = u.Name + yearStr(e.param) + "年政府信息公开工作年度报告"
		e.docType, e.five = "报告", "结果"
	case colGkzd:
		names := []string{"政府信息公开保密审查制度", "政府信息主动公开工作制度", "依申请公开政府信息工作规程",
			"政务公开工作考核办法", "政府信息公开发布协调机制", "政策解读工作制度", "政务舆情回应工作制度"}
		e.variant = uint8(r.IntN(len(names)))
		e.name = names[e.variant]
		e.title = u.Name + e.name + "（" + ys + "年修订）"
		e.docType, e.five, e.topic, e.validity = "规定", "管理", "综合政务", "有效"
	case colLdfg:
		e.title = u.Name + "领导班子成员及分工（" + ys + "年" + strconv.Itoa(m) + "月）"
		e.docType, e.five = "其他", "管理"
	case colJgsz:
		if chance(r, 50) {
			e.title = u.Name + "机构设置（" + ys + "年）"
		} else {
			e.title = u.Name + "内设机构及下属单位（" + ys + "年更新）"
		}
		e.docType, e.five, e.topic = "其他", "管理", "国务院组织机构"
	case colQlqd:
		names := []string{"权责清单", "行政许可事项清单", "行政处罚事项清单", "行政权力运行流程图"}
		e.variant = uint8(r.IntN(len(names)))
		e.name = names[e.variant]
		e.title = u.Name + e.name + "（" + ys + "年版）"
		e.docType, e.five = "其他", "管理"
	case colTzgg:
		pl.describeNotice(e, subj)
	case colZcwj:
		pl.describePolicy(e, subj)
	case colGfxwj:
		pl.describeNormative(e, subj)
	case colZcjd:
		pl.describeInterpretation(e)
	case colJhzj:
		pl.describeWorkPlan(e, subj)
	case colGhjh:
		pl.describeDevPlan(e, subj)
	case colTjsj:
		pl.describeStatistics(e)
	case colCzzj:
		pl.describeFunds(e, subj)
	case colZdxm:
		pl.describeProject(e)
	case colGgzy:
		pl.describeProcurement(e)
	case colGgfw:
		switch e.variant = uint8(r.IntN(4)); e.variant {
		case gfwGuide:
			e.name = pick(r, u.Services)
			e.title = e.name + "办事指南（" + ys + "年修订）"
		case gfwFAQ:
			e.title = subj + "常见问题解答（" + ys + "年）"
		case gfwHotlines:
			e.title = u.Short + "便民服务咨询电话一览（" + ys + "年" + strconv.Itoa(m) + "月更新）"
		case gfwHoliday:
			e.name = holidayNear(e.at)
			e.title = "关于" + ys + "年" + e.name + "期间" + u.Short + "服务窗口工作安排的公告"
		}
		e.docType, e.five = "其他", "服务"
		if e.variant == gfwHoliday {
			e.docType = "公告"
		}
	case colYjzj:
		switch e.variant = uint8(pickWeighted(r, []int{45, 20, 35})); e.variant {
		case yzSolicit:
			e.name = placeOf(e.u()) + subj + "实施方案"
			e.title = "关于公开征求《" + e.name + "（征求意见稿）》意见的公告"
			e.docType = "公告"
		case yzSolicitRules:
			e.name = placeOf(e.u()) + managed(subj) + "办法"
			e.title = "关于《" + e.name + "（征求意见稿）》公开征求意见的公告"
			e.docType = "公告"
		case yzFeedback:
			e.name = placeOf(e.u()) + subj + "实施方案"
			e.title = "关于《" + e.name + "》征求意见情况的反馈"
			e.docType = "其他"
		}
		e.five = "决策"
	case colZwft:
		e.name = personName(r)
		date := e.at.Format("2006年1月2日")
		date = strings.Replace(date, "年0", "年", 1)
		switch e.variant = uint8(r.IntN(3)); e.variant {
		case ftOnline:
			e.title = "【在线访谈】" + u.Short + pick(r, []string{"主要负责同志", "分管负责同志", "局长", "副局长", "主任", "副主任"}) +
				e.name + "谈" + subj + "（" + date + "）"
		case ftRadio:
			e.title = u.Name + "做客《政风行风热线》节目实录（" + date + "）"
		case ftTheme:
			e.title = "【政务访谈】" + u.Short + "负责同志解读" + ys + "年" + subj + "工作"
		}
		e.docType, e.five = "其他", "服务"
	case colYjgl:
		pl.describeEmergency(e, subj)
	}
}

func (pl *planner) describeNotice(e *plannedEntry, subj string) {
	r, u := pl.r, e.u()
	ys := yearStr(e.at.Year())
	e.variant = uint8(pickWeighted(r, []int{18, 16, 12, 16, 10, 8, 8, 12}))
	e.docType, e.five = "通知", "执行"
	switch e.variant {
	case tzTraining:
		e.title = "关于举办" + ys + "年全市" + subj + "业务培训班的通知"
	case tzInspection:
		e.title = "关于开展" + ys + "年" + subj + "专项检查的通知"
	case tzMeeting:
		e.title = "关于召开" + ys + "年全市" + subj + pick(r, []string{"工作会议", "工作推进会议", "工作调度会议"}) + "的通知"
	case tzPublicity:
		kinds := []string{"先进集体和先进个人拟表彰名单", "拟支持项目名单", "示范单位拟认定名单", "拟奖补对象名单"}
		e.name = pick(r, kinds)
		e.title = "关于" + ys + "年度" + subj + e.name + "的公示"
		e.docType, e.five = "公告", "结果"
	case tzReport:
		e.title = "关于报送" + ys + "年" + subj + "工作情况的通知"
	case tzCirculation:
		switch u.Code {
		case "jtj", "gaj", "cgj", "zjj":
			e.name = pick(r, roads)
			e.title = "关于" + e.name + "部分路段封闭施工期间交通管制的通告"
			e.param = 1
		default:
			e.title = "关于规范" + subj + "有关事项的通告（" + ys + "年第" + strconv.Itoa(between(r, 1, 9)) + "号）"
		}
		e.docType = "通告"
	case tzRecruitment:
		if chance(r, 50) {
			e.title = u.Name + ys + "年公开招聘工作人员公告"
		} else {
			e.title = u.Name + "所属事业单位" + ys + "年公开招聘工作人员简章"
		}
		e.docType = "公告"
	case tzFollowUp:
		e.title = "关于开展" + ys + "年" + subj + "“回头看”工作的通知"
	}
	if e.docType != "公告" && chance(r, 45) {
		e.docKind = "字"
	}
}

func (pl *planner) describePolicy(e *plannedEntry, subj string) {
	r := pl.r
	y := e.at.Year()
	ys := yearStr(y)
	e.variant = uint8(pickWeighted(r, []int{28, 14, 18, 14, 14, 12}))
	e.docType, e.five, e.docKind = "通知", "决策", "发"
	switch e.variant {
	case zcPlan:
		e.name = placeOf(e.u()) + subj + pick(r, []string{"实施方案", "提升行动实施方案", "攻坚行动方案", "工作方案"})
		e.title = "关于印发《" + e.name + "》的通知"
	case zcActionPlan:
		e.name = placeOf(e.u()) + subj + "三年行动计划（" + ys + "—" + yearStr(y+2) + "年）"
		e.title = "关于印发《" + e.name + "》的通知"
	case zcOpinion:
		e.title = pick(r, []string{"关于进一步加强" + subj + "工作的意见", "关于加快推进" + subj + "工作的实施意见",
			"关于全面提升" + subj + "水平的意见", "关于深化" + subj + "改革的意见"})
		e.name = e.title
		e.docType = "意见"
	case zcAnnual:
		e.title = "关于做好" + ys + "年" + subj + "工作的通知"
		e.name = e.title
	case zcKeyPoints:
		e.name = ys + "年全市" + subj + "工作要点"
		e.title = "关于印发《" + e.name + "》的通知"
	case zcMeasures:
		e.title = pick(r, []string{"关于推进" + subj + "高质量发展的若干措施", "支持" + subj + "发展的若干政策措施"})
		e.name = e.title
		e.docType = "其他"
	}
	age := pl.now.Sub(e.at).Hours() / 24 / 365
	switch {
	case age > 5 && chance(r, 40):
		e.validity = "失效"
	case age > 5 && chance(r, 12):
		e.validity = "废止"
	case age > 3 && chance(r, 10):
		e.validity = "失效"
	default:
		e.validity = "有效"
	}
}

func (pl *planner) describeNormative(e *plannedEntry, subj string) {
	r := pl.r
	e.variant = uint8(pickWeighted(r, []int{30, 25, 15, 15, 15}))
	e.docType, e.five, e.docKind = "办法", "决策", "发"
	switch e.variant {
	case gfMeasures:
		e.name = placeOf(e.u()) + managed(subj) + "办法"
		e.title = e.name
	case gfInterim:
		e.name = placeOf(e.u()) + managed(subj) + "暂行办法"
		e.title = "关于印发《" + e.name + "》的通知"
		e.docType = "通知"
	case gfRules:
		e.name = placeOf(e.u()) + subj + "实施细则"
		e.title = e.name
		e.docType = "规定"
	case gfProvisions:
		e.name = "关于加强" + managed(subj) + "的若干规定"
		e.title = e.name
		e.docType = "规定"
	case gfFunds:
		e.name = placeOf(e.u()) + subj + "专项资金管理办法"
		e.title = "关于印发《" + e.name + "》的通知"
		e.docType = "通知"
	}
	// Normative documents are valid for five years (two for interim ones)
	// from a start a month after signing; a few are repealed early.
	e.param = 5
	if e.variant == gfInterim {
		e.param = 2
	}
	expires := e.at.AddDate(e.param, 1, 0)
	switch {
	case expires.Before(pl.now) && !chance(r, 15):
		e.validity = "失效"
	case pl.now.Sub(e.at) > 2*365*24*time.Hour && chance(r, 10):
		e.validity = "废止"
	default:
		e.validity = "有效"
	}
}

func (pl *planner) describeInterpretation(e *plannedEntry) {
	r := pl.r
	policy := &pl.entries[e.related]
	e.subject = policy.subject
	_, e.topic = policy.u().subject(int(policy.subject))
	name := policy.name
	if name == "" {
		name = policy.title
	}
	e.name = name
	switch interpretationForms[e.form] {
	case "文字":
		if chance(r, 50) {
			e.title = "关于《" + name + "》的政策解读"
		} else {
			e.title = "《" + name + "》政策解读"
		}
	case "图解":
		if chance(r, 50) {
			e.title = "图解：《" + name + "》"
		} else {
			e.title = "一图读懂《" + name + "》"
		}
	case "问答":
		e.title = "《" + name + "》政策问答"
	case "访谈":
		e.title = "【访谈】" + e.u().Short + "负责同志解读《" + name + "》"
	case "视频":
		e.title = "【视频解读】《" + name + "》"
	case "媒体评论":
		e.param = r.IntN(len(mediaOutlets))
		e.title = mediaOutlets[e.param] + "评论：让政策红利更好惠及群众——评《" + name + "》"
	}
	e.docType, e.five = "其他", "决策"
}

func (pl *planner) describeWorkPlan(e *plannedEntry, subj string) {
	r, u := pl.r, e.u()
	y, m := e.at.Year(), int(e.at.Month())
	switch {
	case m <= 3:
		e.variant = pick(r, []uint8{jhPlan, jhSummary, jhRuleOfLaw})
	case m == 7 || m == 8:
		e.variant = jhHalfYear
	case m == 12:
		e.variant = jhYearEnd
	default:
		e.variant = jhProgress
	}
	e.docType, e.five = "报告", "结果"
	switch e.variant {
	case jhPlan:
		e.title = u.Name + yearStr(y) + "年工作计划"
		e.docType, e.five = "其他", "执行"
	case jhSummary:
		e.title = u.Name + yearStr(y-1) + "年工作总结"
	case jhRuleOfLaw:
		e.title = u.Name + yearStr(y-1) + "年度法治政府建设工作情况报告"
	case jhHalfYear:
		e.title = u.Name + yearStr(y) + "年上半年工作总结"
	case jhYearEnd:
		e.title = u.Name + yearStr(y) + "年工作总结和" + yearStr(y+1) + "年工作计划"
	case jhProgress:
		e.title = "关于" + yearStr(y) + "年" + subj + "工作推进情况的报告"
		e.five = "执行"
	}
}

func (pl *planner) describeDevPlan(e *plannedEntry, subj string) {
	r := pl.r
	y := e.at.Year()
	switch {
	case y <= 2019:
		e.variant = pick(r, []uint8{ghMidterm13, ghSpecial})
	case y <= 2022:
		e.variant = pick(r, []uint8{ghFiveYear, ghFiveYearPlain, ghSpecial})
	case y <= 2024:
		e.variant = pick(r, []uint8{ghMidterm14, ghSpecial})
	default:
		e.variant = pick(r, []uint8{ghPrep15, ghSpecial, ghMidterm14})
	}
	e.five = "决策"
	switch e.variant {
	case ghMidterm13:
		e.title = placeOf(e.u()) + "“十三五”" + subj + "规划中期评估报告"
		e.docType, e.five = "报告", "结果"
	case ghSpecial:
		e.name = placeOf(e.u()) + subj + "专项规划（" + yearStr(y) + "—2035年）"
		e.title = "关于印发《" + e.name + "》的通知"
		e.docType, e.docKind, e.validity = "通知", "发", "有效"
	case ghFiveYear:
		e.name = placeOf(e.u()) + "“十四五”" + subj + "规划"
		e.title = "关于印发《" + e.name + "》的通知"
		e.docType, e.docKind = "通知", "发"
		e.validity = "有效"
	case ghFiveYearPlain:
		e.name = placeOf(e.u()) + "“十四五”" + subj + "发展规划"
		e.title = e.name
		e.docType, e.validity = "规划", "有效"
	case ghMidterm14:
		e.title = placeOf(e.u()) + "“十四五”" + subj + "规划中期评估报告"
		e.docType, e.five = "报告", "结果"
	case ghPrep15:
		e.name = placeOf(e.u()) + "“十五五”" + subj + "规划编制工作方案"
		e.title = e.name
		e.docType = "方案"
	}
	if e.validity == "有效" && strings.Contains(e.name, "十四五") && pl.now.Year() > 2025 {
		e.validity = "失效"
	}
}

// placeOf is how a unit's documents name their area: the city, or the
// development zone for a zone committee.
func placeOf(u *unitProfile) string {
	if z, ok := zoneNames[u.Code]; ok {
		return z
	}
	return "临沂市"
}

// managed appends 管理 to a subject unless it already ends with it
// (危险废物管理 → 危险废物管理, not 危险废物管理管理).
func managed(subj string) string {
	if strings.HasSuffix(subj, "管理") {
		return subj
	}
	return subj + "管理"
}
