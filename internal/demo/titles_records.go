package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// periodBefore is the reporting month a statistical release published at
// t covers: the previous month.
func periodBefore(t time.Time) (year, month int) {
	p := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, cst).AddDate(0, -1, 0)
	return p.Year(), int(p.Month())
}

func (pl *planner) describeStatistics(e *plannedEntry) {
	r, u := pl.r, e.u()
	y, m := periodBefore(e.at)
	e.docType, e.five = "其他", "结果"
	e.param = pl.r.IntN(len(u.Indicators))
	switch {
	case u.Code == "tjj" && (e.at.Month() == 3 || e.at.Month() == 4) && chance(r, 50):
		e.variant = tjBulletin
		e.title = yearStr(e.at.Year()-1) + "年临沂市国民经济和社会发展统计公报"
		e.docType = "公报"
	case u.Code == "tjj" && chance(r, 60):
		e.variant = tjEconomy
		e.title = yearStr(y) + "年" + periodName(m) + "全市经济运行情况"
	case u.Code == "tjj":
		e.variant = tjCPI
		e.title = yearStr(y) + "年" + strconv.Itoa(m) + "月全市居民消费价格变动情况"
	case isZone(u.Code) && chance(r, 60):
		e.variant = tjZone
		e.title = yearStr(y) + "年" + quarterNames[(m-1)/3] + zoneNames[u.Code] + "主要经济指标"
	case chance(r, 50):
		e.variant = tjMonthly
		e.title = yearStr(y) + "年" + strconv.Itoa(m) + "月" + u.Short + "主要统计数据"
	default:
		e.variant = tjCumulative
		name, _, _ := strings.Cut(u.Indicators[e.param], "/")
		period := "1—" + strconv.Itoa(m) + "月"
		if m == 1 {
			period = "1月"
		}
		e.title = yearStr(y) + "年" + period + "全市" + name + "情况"
	}
}

// periodName names the cumulative period ending with month m.
func periodName(m int) string {
	switch m {
	case 3:
		return "一季度"
	case 6:
		return "上半年"
	case 9:
		return "前三季度"
	case 12:
		return "全年"
	case 1:
		return "1月"
	}
	return "1—" + strconv.Itoa(m) + "月"
}

func (pl *planner) describeFunds(e *plannedEntry, subj string) {
	r, u := pl.r, e.u()
	y, m := e.at.Year(), int(e.at.Month())
	switch {
	case m <= 3 && chance(r, 70):
		e.variant = pick(r, []uint8{czBudget, czBudget, czThreePublic})
	case m >= 7 && m <= 9 && chance(r, 60):
		e.variant = czFinal
	default:
		e.variant = pick(r, []uint8{czAllocation, czResult, czPerformance})
	}
	e.docType, e.five = "报告", "结果"
	switch e.variant {
	case czBudget:
		e.title = u.Name + yearStr(y) + "年部门预算"
		e.five = "管理"
	case czThreePublic:
		e.title = u.Name + yearStr(y) + "年“三公”经费预算情况说明"
		e.five = "管理"
	case czFinal:
		e.title = u.Name + yearStr(y-1) + "年部门决算"
	case czAllocation:
		e.title = "关于下达" + yearStr(y) + "年" + subj + "专项资金的通知"
		e.docType, e.docKind = "通知", "字"
	case czResult:
		e.title = yearStr(y) + "年" + subj + "专项资金分配结果公示"
		e.docType = "公告"
	case czPerformance:
		e.title = u.Name + yearStr(y-1) + "年度" + subj + "项目支出绩效自评报告"
	}
}

// projectName invents a major project from the pattern vocabulary.
func projectName(r *rand.Rand, code string) string {
	p := projectPatterns[r.IntN(len(projectPatterns))]
	rs := pickN3(r)
	repl := strings.NewReplacer(
		"{r}", rs[0], "{r2}", rs[1], "{r3}", rs[2],
		"{d}", districts[r.IntN(len(districts))].Name,
		"{n}", strconv.Itoa(10+r.IntN(30)))
	name := repl.Replace(p)
	if z, ok := zoneNames[code]; ok && strings.Contains(p, "{d}") {
		name = strings.Replace(name, districts[districtIndex(name)].Name, z, 1)
	}
	return name
}

// pickN3 returns three different roads.
func pickN3(r *rand.Rand) [3]string {
	i := r.IntN(len(roads))
	j := (i + 1 + r.IntN(len(roads)-1)) % len(roads)
	k := i
	for k == i || k == j {
		k = r.IntN(len(roads))
	}
	return [3]string{roads[i], roads[j], roads[k]}
}

// districtIndex finds the district named in s, or -1.
func districtIndex(s string) int {
	for i, d := range districts {
		if strings.Contains(s, d.Name) {
			return i
		}
	}
	return -1
}

func (pl *planner) describeProject(e *plannedEntry) {
	r, u := pl.r, e.u()
	y, m := e.at.Year(), int(e.at.Month())
	e.name = projectName(r, u.Code)
	switch {
	case u.Code == "fgw" && m <= 3 && chance(r, 40):
		e.variant = zdList
	case u.Code == "zrzyj" && chance(r, 30):
		e.variant = zdLandAcq
	case u.Code == "fgw" && chance(r, 30):
		e.variant = zdProgress // the city-wide report is the planning commission's
	default:
		e.variant = pick(r, []uint8{zdApproval, zdBidding, zdPermit, zdCompletion})
	}
	e.docType, e.five = "其他", "执行"
	switch e.variant {
	case zdApproval:
		e.title = e.name + "批准信息公开"
		e.docType, e.five = "批复", "结果"
	case zdBidding:
		e.title = e.name + "招标投标信息"
		e.docType = "公告"
	case zdPermit:
		e.title = e.name + "施工许可信息"
	case zdCompletion:
		e.title = e.name + "竣工验收信息"
		e.five = "结果"
	case zdList:
		e.title = "关于公布" + yearStr(y) + "年市级重点建设项目名单的通知"
		e.docType, e.docKind = "通知", "发"
	case zdProgress:
		q := (m - 1) / 3
		if q == 0 {
			e.title = yearStr(y-1) + "年四季度全市重大项目建设进展情况"
		} else {
			e.title = yearStr(y) + "年" + quarterNames[q-1] + "全市重大项目建设进展情况"
		}
		e.docType = "报告"
	case zdLandAcq:
		e.title = e.name + "征地补偿安置方案公告"
		e.docType = "公告"
	}
}

func (pl *planner) describeProcurement(e *plannedEntry) {
	r, u := pl.r, e.u()
	y, m := e.at.Year(), int(e.at.Month())
	ys := yearStr(y)
	e.docType, e.five = "公告", "执行"
	if u.Code == "zrzyj" && chance(r, 50) {
		e.variant = pick(r, []uint8{gzLand, gzLandResult})
	} else {
		e.variant = uint8(pickWeighted(r, []int{20, 16, 22, 14, 14, 14}))
	}
	e.name = pick(r, procurementItems)
	switch e.variant {
	case gzConsultation:
		e.title = u.Name + ys + "年" + e.name + "项目竞争性磋商公告"
	case gzTender:
		e.title = u.Name + ys + "年" + e.name + "项目公开招标公告"
	case gzAward:
		e.title = u.Name + ys + "年" + e.name + "项目中标结果公告"
		e.five = "结果"
	case gzDeal:
		e.title = u.Name + ys + "年" + e.name + "项目成交结果公告"
		e.five = "结果"
	case gzIntent:
		e.title = u.Name + ys + "年" + strconv.Itoa(m) + "月政府采购意向"
	case gzContract:
		e.title = u.Name + ys + "年" + e.name + "项目合同公告"
		e.five = "结果"
	case gzLand, gzLandResult:
		d := r.IntN(len(districts))
		e.name = districts[d].Name + townIn(r, d) + ys + "-" + strconv.Itoa(between(r, 1, 60)) + "号地块"
		if e.variant == gzLand {
			e.title = "临沂市" + e.name + "国有建设用地使用权挂牌出让公告"
		} else {
			e.title = "临沂市" + e.name + "国有建设用地使用权挂牌出让结果公示"
			e.five = "结果"
		}
	}
}

func (pl *planner) describeEmergency(e *plannedEntry, subj string) {
	r, u := pl.r, e.u()
	y := e.at.Year()
	hazard := pick(r, u.Hazards)
	e.name = hazard
	e.variant = uint8(pickWeighted(r, []int{35, 15, 20, 15, 15}))
	e.docType, e.five = "通知", "执行"
	switch e.variant {
	case yjPrevention:
		e.title = "关于做好" + yearStr(y) + "年" + seasonOf(e.at) + hazard + "防范应对工作的通知"
		if chance(r, 40) {
			e.docKind = "字"
		}
	case yjPlan:
		e.title = u.Name + hazard + "应急预案（" + yearStr(y) + "年修订）"
		e.docType, e.five = "方案", "管理"
	case yjAlert:
		e.param = between(r, 1, 12)
		e.title = yearStr(y) + "年第" + strconv.Itoa(e.param) + "号" + hazard + "风险提示"
		e.docType, e.five = "通告", "服务"
	case yjDrill:
		e.title = "关于" + yearStr(y) + "年" + hazard + "应急演练情况的通报"
		e.docType, e.five = "通报", "结果"
	case yjResponse:
		e.title = "关于群众关注的" + subj + "有关问题的回应"
		e.docType, e.five = "其他", "服务"
	}
}

// seasonOf names the period an emergency notice prepares for.
func seasonOf(t time.Time) string {
	switch t.Month() {
	case time.December, time.January:
		return "岁末年初"
	case time.February:
		return "春节期间"
	case time.March, time.April:
		return "清明节期间"
	case time.May:
		return "“五一”期间"
	case time.June, time.July, time.August:
		return "汛期"
	case time.September, time.October:
		return "国庆节期间"
	}
	return "冬季"
}

// holidayNear names the next public holiday after t.
func holidayNear(t time.Time) string {
	switch t.Month() {
	case time.December:
		return "元旦"
	case time.January, time.February:
		return "春节"
	case time.March:
		return "清明节"
	case time.April:
		return "劳动节"
	case time.May, time.June:
		return "端午节"
	case time.July, time.August, time.September:
		return "中秋节、国庆节"
	}
	return "元旦"
}
