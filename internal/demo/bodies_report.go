package demo

import (
	"strconv"
	"strings"
)

// Bodies of 统计数据, 财政资金, 信息公开年报 and 计划总结: the columns whose
// entries are mostly figures and tables.

func (c *entryCtx) indicatorRows(n int) [][]string {
	var rows [][]string
	for _, ind := range pickN(c.r, c.u.Indicators, n) {
		name, unit, _ := strings.Cut(ind, "/")
		cur := 100 + c.r.Float64()*9000
		if unit == "%" {
			cur = 60 + c.r.Float64()*39
		}
		rows = append(rows, []string{name, unit,
			strconv.FormatFloat(cur, 'f', 2, 64),
			strconv.FormatFloat(cur*(2+c.r.Float64()*8), 'f', 2, 64),
			pct(c.r, -12, 20)})
	}
	return rows
}

func (c *entryCtx) statisticsBody(b *body) {
	e := c.e
	y, m := periodBefore(e.at)
	source := c.u.Short
	switch e.variant {
	case tjBulletin:
		ry := e.at.Year() - 1
		gdp := 5000 + c.r.Float64()*1500
		b.para(strconv.Itoa(ry) + "年，面对复杂严峻的外部环境，全市上下坚持稳中求进工作总基调，经济运行总体平稳、稳中有进，社会大局和谐稳定。")
		b.heading("一、综合")
		b.para("初步核算，全年全市地区生产总值" + strconv.FormatFloat(gdp, 'f', 1, 64) + "亿元，按不变价格计算，比上年增长" + pct(c.r, 3, 8) + "%。")
		p1 := gdp * (0.08 + c.r.Float64()*0.02)
		p2 := gdp * (0.36 + c.r.Float64()*0.04)
		b.table([]string{"指标", "绝对值（亿元）", "比上年增长（%）"}, [][]string{
			{"地区生产总值", strconv.FormatFloat(gdp, 'f', 1, 64), pct(c.r, 3, 8)},
			{"第一产业增加值", strconv.FormatFloat(p1, 'f', 1, 64), pct(c.r, 2, 5)},
			{"第二产业增加值", strconv.FormatFloat(p2, 'f', 1, 64), pct(c.r, 2, 9)},
			{"第三产业增加值", strconv.FormatFloat(gdp-p1-p2, 'f', 1, 64), pct(c.r, 3, 9)},
		})
		b.heading("二、农业")
		b.para("全年粮食总产量" + money(c.r, 380, 420) + "万吨，比上年增长" + pct(c.r, 0, 3) + "%。蔬菜产量" + money(c.r, 900, 1100) + "万吨。")
		b.heading("三、工业和建筑业")
		b.para("全年规模以上工业增加值比上年增长" + pct(c.r, 4, 10) + "%。规模以上工业企业实现营业收入" + money(c.r, 6000, 9000) + "亿元。")
		b.heading("四、国内贸易")
		b.para("全年社会消费品零售总额" + money(c.r, 2800, 3500) + "亿元，比上年增长" + pct(c.r, 3, 9) + "%。临沂商城市场交易额" + money(c.r, 5000, 7000) + "亿元。")
		b.heading("五、人民生活")
		b.para("全年全体居民人均可支配收入" + strconv.Itoa(between(c.r, 25000, 38000)) + "元，比上年增长" + pct(c.r, 4, 8) + "%。")
		b.para("注：本公报部分数据为初步统计数，各项数据均未包括临沂市外驻临单位。")
	case tjEconomy:
		b.para(strconv.Itoa(y) + "年" + periodName(m) + "，全市经济运行总体平稳，主要指标保持合理区间，高质量发展取得新成效。")
		b.table([]string{"指标", "单位", "绝对值", "同比增长（%）"}, [][]string{
			{"规模以上工业增加值", "—", "—", pct(c.r, 3, 11)},
			{"固定资产投资", "—", "—", pct(c.r, -3, 12)},
			{"社会消费品零售总额", "亿元", money(c.r, 200, 3300), pct(c.r, 2, 10)},
			{"一般公共预算收入", "亿元", money(c.r, 30, 450), pct(c.r, -2, 9)},
			{"进出口总额", "亿元", money(c.r, 100, 1900), pct(c.r, -5, 25)},
			{"城镇居民人均可支配收入", "元", strconv.Itoa(between(c.r, 4000, 50000)), pct(c.r, 3, 7)},
		})
		b.para("总的来看，全市经济运行延续恢复向好态势，但外部环境不确定性因素依然较多，经济持续回升向好的基础仍需巩固。")
	case tjCPI:
		b.para(strconv.Itoa(y) + "年" + strconv.Itoa(m) + "月，全市居民消费价格同比上涨" + pct(c.r, -0.8, 3) + "%，环比" + pct(c.r, -0.6, 0.8) + "%。")
		var rows [][]string
		for _, k := range []string{"食品烟酒", "衣着", "居住", "生活用品及服务", "交通通信", "教育文化娱乐", "医疗保健", "其他用品及服务"} {
			rows = append(rows, []string{k, pct(c.r, 97.5, 103.5), pct(c.r, 98.8, 101.2)})
		}
		b.table([]string{"类别", "同比指数（上年同月=100）", "环比指数（上月=100）"}, rows)
		b.para("注：居民消费价格指数是反映一定时期内城乡居民所购买的生活消费品价格和服务项目价格变动趋势和程度的相对数。")
	case tjZone:
		b.para(quarterNames[(m-1)/3] + "，" + zoneNames[c.u.Code] + "主要经济指标总体保持平稳，部分指标增速有所回落。具体情况如下：")
		b.table([]string{"指标", "单位", "本期", "累计", "同比增长（%）"}, c.indicatorRows(len(c.u.Indicators)))
		source = strings.TrimSuffix(c.u.Short, "管委会") + "经济发展部门"
	case tjMonthly:
		b.para(strconv.Itoa(y) + "年" + strconv.Itoa(m) + "月，" + c.u.Short + "主要业务指标运行平稳。具体数据如下：")
		b.table([]string{"指标", "单位", "本月", "累计", "同比增长（%）"}, c.indicatorRows(min(4, len(c.u.Indicators))))
	case tjCumulative:
		name, unit, _ := strings.Cut(c.u.Indicators[e.param], "/")
		b.para(strconv.Itoa(y) + "年1—" + strconv.Itoa(m) + "月，全市" + name + "运行情况如下（单位：" + unit + "）：")
		var rows [][]string
		for _, d := range districts {
			v := 10 + c.r.Float64()*900
			if unit == "%" {
				v = 50 + c.r.Float64()*49
			}
			rows = append(rows, []string{d.Name, strconv.FormatFloat(v, 'f', 2, 64), pct(c.r, -10, 18)})
		}
		b.table([]string{"县区", "累计", "同比增长（%）"}, rows)
	}
	if e.variant != tjBulletin && e.variant != tjCPI {
		ds := pickN(c.r, districts, 3)
		b.para("从分县区看，" + ds[0].Name + "、" + ds[1].Name + "、" + ds[2].Name + "主要指标增速居全市前列。从走势看，主要指标增速较上期" +
			pick(c.r, []string{"回升", "回落", "持平"}) + pct(c.r, 0.1, 3) + "个百分点，" + pick(c.r, []string{"运行总体平稳", "呈稳中向好态势", "下行压力有所加大"}) + "。")
	}
	if e.variant == tjMonthly || e.variant == tjZone || e.variant == tjCumulative {
		b.para("指标解释：同比增长是指本期数据与上年同期数据相比的增长速度；累计数是指自本年1月起至本期末的合计数。")
	}
	b.para("数据来源：" + source + "业务统计报表。部分数据为初步统计数，最终数据以年度统计报表为准。")
	b.link("如需查询更多数据，可登录", "临沂市人民政府网站“统计数据”栏目", c.govLink(), "，或拨打"+c.tel()+"咨询。")
}

func (c *entryCtx) fundsBody(b *body) {
	e := c.e
	y := c.year()
	total := 2000 + c.r.Float64()*30000
	basic := total * (0.5 + c.r.Float64()*0.3)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	switch e.variant {
	case czBudget, czFinal:
		year := y
		word := "预算"
		if e.variant == czFinal {
			year, word = y-1, "决算"
		}
		subj0, _ := c.u.subject(0)
		subj1, _ := c.u.subject(1 % len(c.u.Subjects))
		b.heading("第一部分　部门概况")
		b.para("一、部门职责。贯彻执行" + c.superior() + "关于" + subj0 + "、" + subj1 + "等工作的方针政策和决策部署，负责全市相关工作的统筹协调和监督管理。")
		b.para("二、机构设置。" + c.u.Short + "内设" + cn(between(c.r, 6, 15)) + "个职能科室，纳入" + word + "编制范围的所属单位" + cn(between(c.r, 1, 5)) + "个。")
		b.heading("第二部分　" + strconv.Itoa(year) + "年部门" + word + "情况说明")
		b.para("一、收支" + word + "总体情况。" + strconv.Itoa(year) + "年收入" + word + f(total) + "万元，支出" + word + f(total) + "万元，其中基本支出" + f(basic) + "万元，项目支出" + f(total-basic) + "万元。")
		three := 10 + c.r.Float64()*80
		b.para("二、“三公”经费" + word + "情况。" + strconv.Itoa(year) + "年“三公”经费" + word + f(three) + "万元，比上年减少" + f(three*c.r.Float64()*0.1) + "万元。")
		b.para("三、政府采购情况。" + strconv.Itoa(year) + "年政府采购" + word + f(total*c.r.Float64()*0.1) + "万元。")
		b.table([]string{"项目", word + "数（万元）"}, [][]string{
			{"一般公共预算拨款收入", f(total * 0.9)},
			{"其他收入", f(total * 0.1)},
			{"基本支出", f(basic)},
			{"项目支出", f(total - basic)},
			{"收支总计", f(total)},
		})
		b.heading("第三部分　名词解释")
		b.para("基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。")
	case czThreePublic:
		car := 5 + c.r.Float64()*40
		recep := 1 + c.r.Float64()*10
		b.para("根据预算公开有关要求，现将" + c.u.Name + strconv.Itoa(y) + "年“三公”经费预算情况说明如下：")
		b.table([]string{"项目", "本年预算数（万元）", "上年预算数（万元）", "增减（%）"}, [][]string{
			{"因公出国（境）费", "0.00", "0.00", "0.0"},
			{"公务用车购置及运行费", f(car), f(car * 1.05), pct(c.r, -10, 0)},
			{"公务接待费", f(recep), f(recep * 1.08), pct(c.r, -15, 0)},
			{"合计", f(car + recep), f(car*1.05 + recep*1.08), pct(c.r, -10, 0)},
		})
		b.para("“三公”经费预算较上年减少，主要原因是认真落实过紧日子要求，进一步压减一般性支出。")
		b.para("因公出国（境）费预算为0，主要原因是本年度无因公出国（境）计划。公务接待费主要用于执行公务、开展业务活动开支的交通费、住宿费、用餐费等。")
	case czAllocation, czResult:
		var rows [][]string
		sum := 0.0
		for _, d := range pickN(c.r, districts, between(c.r, 5, 12)) {
			v := 20 + c.r.Float64()*500
			sum += v
			rows = append(rows, []string{d.Name, c.subj + "项目", f(v)})
		}
		rows = append(rows, []string{"合计", "", f(sum)})
		if e.variant == czAllocation {
			b.para("各县区财政局，市直有关部门：")
			b.para("根据" + c.superior() + "有关要求，经研究，现下达" + strconv.Itoa(y) + "年" + c.subj + "专项资金" + f(sum) + "万元，列" + strconv.Itoa(y) + "年政府收支分类科目有关款项。分配情况如下：")
			b.table([]string{"县区", "项目", "金额（万元）"}, rows)
			b.para("请按照有关规定及时将资金拨付到位，加强资金监管，确保专款专用，并按要求做好绩效自评工作。")
			c.signOff(b)
		} else {
			b.para("根据专项资金管理有关规定，经申报、审核、评审等程序，现将" + strconv.Itoa(y) + "年" + c.subj + "专项资金分配结果予以公示：")
			b.table([]string{"县区", "项目", "金额（万元）"}, rows)
			b.para("公示期为" + dateCN(e.at) + "至" + dateCN(e.at.AddDate(0, 0, 7)) + "。如有异议，请于公示期内向" + c.u.Short + "反映。联系电话：" + c.tel() + "。")
		}
	case czPerformance:
		score := between(c.r, 82, 98)
		b.heading("一、项目概况")
		b.para(strconv.Itoa(y-1) + "年" + c.subj + "项目预算资金" + f(total*0.2) + "万元，实际支出" + f(total*0.19) + "万元，预算执行率" + pct(c.r, 90, 100) + "%。")
		b.heading("二、绩效目标完成情况")
		b.table([]string{"一级指标", "二级指标", "目标值", "完成值", "得分"}, [][]string{
			{"产出指标", "数量指标", "≥" + strconv.Itoa(between(c.r, 10, 100)) + "项", "按期完成", strconv.Itoa(between(c.r, 18, 20))},
			{"产出指标", "质量指标", "合格率100%", "合格率100%", strconv.Itoa(between(c.r, 18, 20))},
			{"效益指标", "社会效益", "明显提升", "有所提升", strconv.Itoa(between(c.r, 20, 30))},
			{"满意度指标", "服务对象满意度", "≥90%", pct(c.r, 90, 99) + "%", strconv.Itoa(between(c.r, 8, 10))},
		})
		b.heading("三、自评结论")
		b.para("经综合评价，该项目绩效自评得分" + strconv.Itoa(score) + "分，评价等级为“" + map[bool]string{true: "优", false: "良"}[score >= 90] + "”。")
		b.heading("四、存在的问题及改进措施")
		b.para("存在的问题：" + c.problem() + "。改进措施：" + c.measure())
	}
}

func (c *entryCtx) annualReportBody(b *body) {
	ry := c.e.param
	ys := strconv.Itoa(ry)
	active := between(c.r, 120, 1500)
	apply := between(c.r, 0, 80)
	natural := apply * between(c.r, 50, 90) / 100
	b.para("本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。本报告中所列数据的统计期限自" + ys + "年1月1日起至" + ys + "年12月31日止。")
	b.heading("一、总体情况")
	b.para(ys + "年，" + c.u.Short + "认真贯彻落实《条例》和上级关于政务公开工作的部署要求，及时更新政府信息公开目录，推进政务公开标准化规范化建设。")
	b.para("（一）主动公开。全年主动公开政府信息" + strconv.Itoa(active) + "条，其中政策文件" + strconv.Itoa(active/15) + "件、政策解读" + strconv.Itoa(active/25) + "篇。")
	b.para("（二）依申请公开。全年新收政府信息公开申请" + strconv.Itoa(apply) + "件，上年结转" + strconv.Itoa(between(c.r, 0, 3)) + "件。")
	b.para("（三）政府信息管理。严格落实政府信息公开保密审查制度，规范政府信息发布流程。")
	b.para("（四）监督保障。将政务公开工作纳入年度工作考核，组织开展业务培训" + cn(between(c.r, 1, 4)) + "次。")
	b.heading("二、主动公开政府信息情况")
	b.table([]string{"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"}, [][]string{
		{"规章", "0", "0", "0"},
		{"行政规范性文件", strconv.Itoa(between(c.r, 0, 6)), strconv.Itoa(between(c.r, 0, 3)), strconv.Itoa(between(c.r, 5, 40))},
	})
	b.table([]string{"信息内容", "本年处理决定数量"}, [][]string{
		{"行政许可", strconv.Itoa(between(c.r, 0, 3000))},
		{"行政处罚", strconv.Itoa(between(c.r, 0, 600))},
		{"行政强制", strconv.Itoa(between(c.r, 0, 50))},
	})
	b.heading("三、收到和处理政府信息公开申请情况")
	granted := apply * between(c.r, 30, 70) / 100
	b.table([]string{"办理情况", "自然人", "法人或其他组织", "总计"}, [][]string{
		{"本年新收政府信息公开申请数量", strconv.Itoa(natural), strconv.Itoa(apply - natural), strconv.Itoa(apply)},
		{"予以公开", "", "", strconv.Itoa(granted)},
		{"无法提供", "", "", strconv.Itoa(apply - granted)},
	})
	b.heading("四、政府信息公开行政复议、行政诉讼情况")
	b.para("本年度因政府信息公开工作被申请行政复议" + strconv.Itoa(between(c.r, 0, 3)) + "件，提起行政诉讼" + strconv.Itoa(between(c.r, 0, 2)) + "件。")
	b.heading("五、存在的主要问题及改进情况")
	b.para("存在的问题：" + c.problem() + "。改进措施：建立栏目更新提醒机制，加强业务培训。")
	b.heading("六、其他需要报告的事项")
	b.para("本年度未收取信息处理费。")
}

func (c *entryCtx) workPlanBody(b *body) {
	e := c.e
	y := c.year()
	done := func() {
		for _, t := range numbered(3, c.task) {
			b.para(t)
		}
	}
	switch e.variant {
	case jhPlan:
		b.para(strconv.Itoa(y) + "年，" + c.u.Short + "将坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻" + congress(e.at) + "，重点抓好以下工作：")
		done()
		b.para("（四）加强自身建设。" + c.measure())
	case jhSummary, jhHalfYear, jhYearEnd:
		period := strconv.Itoa(y-1) + "年"
		if e.variant == jhHalfYear {
			period = strconv.Itoa(y) + "年上半年"
		} else if e.variant == jhYearEnd {
			period = strconv.Itoa(y) + "年"
		}
		b.para(period + "，" + c.u.Short + "在市委、市政府的坚强领导下，围绕中心、服务大局，各项工作取得积极成效。")
		b.heading("一、主要工作完成情况")
		done()
		b.heading("二、存在的问题")
		b.para(c.twoProblems())
		b.heading("三、下一步工作打算")
		b.para(c.measure() + c.measure())
	case jhRuleOfLaw:
		b.para(strconv.Itoa(y-1) + "年，" + c.u.Short + "深入学习贯彻习近平法治思想，全面落实法治政府建设各项任务。现将有关情况报告如下：")
		b.heading("一、主要举措和成效")
		b.para("（一）健全依法决策机制。严格落实重大行政决策程序，全年提请合法性审核的文件" + strconv.Itoa(between(c.r, 5, 40)) + "件。")
		b.para("（二）严格规范公正文明执法。全面推行行政执法公示、执法全过程记录、重大执法决定法制审核制度。")
		b.para("（三）强化行政权力监督。自觉接受人大监督、民主监督、司法监督和社会监督。")
		b.heading("二、存在的不足")
		b.para(c.problem() + "。")
		b.heading("三、下一年度工作安排")
		b.para(c.measure())
		c.signOff(b)
	case jhProgress:
		b.para("今年以来，" + c.u.Short + "认真贯彻落实" + c.superior() + "部署要求，扎实推进" + c.subj + "各项工作。现将推进情况报告如下：")
		b.heading("一、工作进展")
		done()
		b.heading("二、下一步工作")
		b.para(c.measure())
		c.signOff(b)
	}
}
