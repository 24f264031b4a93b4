package demo

import (
	"strconv"
)

// Bodies of 通知公告, 应急管理, 公共服务 and 政务访谈.

func (c *entryCtx) noticeBody(b *body) {
	e := c.e
	y := c.year()
	start := workday(e.at.AddDate(0, 0, between(c.r, 7, 20)))
	switch e.variant {
	case tzTraining:
		b.para("各县区有关部门，市直有关单位：")
		b.para(c.background())
		b.para("为进一步提升全市" + c.subj + "工作人员业务能力，经研究，决定举办" + strconv.Itoa(y) + "年全市" + c.subj + "业务培训班。现将有关事项通知如下：")
		b.heading("一、培训时间和地点")
		b.para("时间：" + dateCN(start) + "至" + dateCN(start.AddDate(0, 0, between(c.r, 1, 2))) + "。地点：" + pick(c.r, venues) + "。")
		b.heading("二、参训人员")
		b.para("各县区分管负责同志及业务科室负责人，市直有关单位业务骨干，每单位" + cn(between(c.r, 1, 3)) + "人。")
		b.heading("三、培训内容")
		b.para("主要学习" + c.law() + "等法律法规，解读" + c.subj + "最新政策，交流典型经验做法。")
		b.heading("四、有关要求")
		b.para("（一）请各单位高度重视，严格按照要求选派人员参训，不得无故缺席。培训期间严格遵守各项纪律要求。")
		b.para("（二）请各单位于" + dateCN(start.AddDate(0, 0, -3)) + "前将参训人员名单报送" + c.u.Short + c.office() + "。" + c.contact())
		c.signOff(b)
	case tzInspection:
		b.para("各县区、市直有关单位：")
		b.para("为深入贯彻落实" + c.superior() + "部署要求，切实" + pick(c.r, goals) + "，经研究，决定在全市范围内开展" + strconv.Itoa(y) + "年" + c.subj + "专项检查。现将有关事项通知如下：")
		b.para(c.background())
		b.heading("一、检查时间")
		b.para(dateCN(start) + "至" + dateCN(start.AddDate(0, 1, 0)) + "。")
		b.heading("二、检查范围")
		b.para("全市" + strconv.Itoa(len(districts)) + "个县区及临沂高新区、临沂经开区、临港区。")
		b.heading("三、检查内容")
		for _, t := range numbered(3, func(i int) string {
			return []string{"工作责任落实情况；", "制度机制建立和执行情况；", "问题隐患排查整改情况；", "资金使用和项目推进情况；"}[(i+c.r.IntN(2))%4]
		}) {
			b.para(t)
		}
		b.heading("四、工作要求")
		for _, m := range c.measuresN(2) {
			b.para(m)
		}
		c.signOff(b)
	case tzMeeting:
		b.para("各县区人民政府（管委会），市直有关部门：")
		b.para("经市政府同意，定于" + dateCN(start) + "召开全市" + c.subj + "工作会议。现将有关事项通知如下：")
		b.heading("一、会议时间")
		b.para(dateCN(start) + "上午9:00，会期半天。")
		b.heading("二、会议地点")
		b.para(pick(c.r, venues) + "。")
		b.heading("三、参会人员")
		b.para("各县区政府（管委会）分管负责同志，市直有关部门分管负责同志。")
		b.heading("四、会议议程")
		b.para("（一）通报" + strconv.Itoa(y-1) + "年全市" + c.subj + "工作情况；（二）部署" + strconv.Itoa(y) + "年重点任务；（三）有关县区作典型发言；（四）市政府领导同志讲话。")
		b.heading("五、有关事项")
		b.para("请参会人员提前15分钟到达会场，会议期间请将手机调至静音状态。" + c.contact())
		c.signOff(b)
	case tzPublicity:
		b.para("根据" + c.superior() + "有关规定，经单位推荐、资格审查、专家评审等程序，确定了" + strconv.Itoa(y) + "年度" + c.subj + e.name + "，现予以公示。")
		var rows [][]string
		for i, d := range pickN(c.r, districts, between(c.r, 4, 7)) {
			rows = append(rows, []string{strconv.Itoa(i + 1), d.Name + pick(c.r, []string{"人民政府", c.subj + "服务中心", "有关单位"}), d.Name})
		}
		b.table([]string{"序号", "单位名称", "所在县区"}, rows)
		b.para("公示期为" + dateCN(e.at) + "至" + dateCN(e.at.AddDate(0, 0, 7)) + "（5个工作日）。公示期间，如有异议，请以书面形式实名反映。")
		b.para("联系电话：" + c.tel() + "；通讯地址：" + c.u.Name + c.office() + "。")
		c.signOff(b)
	case tzReport:
		b.para("各县区、市直有关单位：")
		b.para("为全面掌握" + strconv.Itoa(y) + "年全市" + c.subj + "工作开展情况，现就报送有关材料通知如下：")
		b.para(c.background())
		b.para("一、报送内容。主要包括工作开展情况、主要做法和成效、存在的问题及下一步工作打算，字数控制在3000字以内。")
		b.para("二、报送时间。请于" + dateCN(start) + "前报送。")
		b.para("三、报送方式。通过全市协同办公系统报送" + c.u.Short + c.office() + "。" + c.contact())
		c.signOff(b)
	case tzCirculation:
		if e.param == 1 {
			b.para("因" + e.name + "道路改造施工需要，为保障施工安全和道路交通安全畅通，根据《中华人民共和国道路交通安全法》有关规定，决定对" + e.name + "部分路段实施交通管制。现通告如下：")
			b.para("一、管制时间：" + dateCN(start) + "至" + dateCN(start.AddDate(0, between(c.r, 1, 4), 0)) + "。")
			b.para("二、管制路段：" + e.name + "（" + pick(c.r, roads) + "至" + pick(c.r, roads) + "段）。")
			b.para("三、管制期间，过往车辆请按照交通标志指示绕行，行人注意安全。")
		} else {
			b.para("为规范" + c.subj + "工作，维护良好秩序，根据" + c.twoLaws() + "等有关规定，现就有关事项通告如下：")
			for _, m := range numbered(3, func(i int) string { return c.detail() }) {
				b.para(m)
			}
		}
		b.para("本通告自发布之日起施行。")
		c.signOff(b)
	case tzRecruitment:
		n := between(c.r, 3, 25)
		b.para("根据《事业单位人事管理条例》和山东省事业单位公开招聘有关规定，经研究，决定公开招聘工作人员" + strconv.Itoa(n) + "名。现将有关事项公告如下：")
		b.heading("一、招聘岗位及条件")
		b.table([]string{"岗位名称", "招聘人数", "学历要求", "专业要求"}, [][]string{
			{"综合管理岗", strconv.Itoa(between(c.r, 1, 5)), "本科及以上", "不限"},
			{"专业技术岗", strconv.Itoa(between(c.r, 1, 10)), "硕士研究生及以上", c.subj + "相关专业"},
		})
		b.heading("二、报名时间和方式")
		b.para("报名时间：" + dateCN(start) + "9:00至" + dateCN(start.AddDate(0, 0, 3)) + "16:00。报名采取网上报名方式进行。")
		b.heading("三、考试与考察")
		b.para("考试分为笔试和面试，笔试和面试成绩各占50%。根据考试成绩由高分到低分等额确定考察人选。")
		b.para("咨询电话：" + c.tel() + "；监督电话：" + c.tel() + "。")
		c.signOff(b)
	case tzFollowUp:
		b.para("各县区、市直有关单位：")
		b.para("为巩固" + c.subj + "工作成果，防止问题反弹，决定开展" + c.subj + "“回头看”工作。现将有关事项通知如下：")
		b.para("一、工作重点。对前期排查发现的问题逐项复核，重点检查整改是否到位、制度是否健全、长效机制是否建立。")
		b.para("二、方法步骤。采取单位自查、县区复查、市级抽查相结合的方式，于" + dateCN(start.AddDate(0, 1, 0)) + "前完成。")
		b.para("三、工作要求。" + c.measure() + c.measure())
		b.para("四、结果运用。“回头看”情况将纳入年度考核，对问题整改不到位的单位，予以通报。")
		c.signOff(b)
	}
}

func (c *entryCtx) emergencyBody(b *body) {
	e := c.e
	hazard := e.name
	switch e.variant {
	case yjPrevention:
		b.para("各县区、市直有关单位：")
		b.para("当前正值" + seasonOf(e.at) + "，" + hazard + "防范形势严峻复杂。为切实做好" + hazard + "防范应对工作，保障人民群众生命财产安全，现就有关事项通知如下：")
		b.para("一、提高思想认识。各单位要坚持人民至上、生命至上，克服麻痹思想和侥幸心理，切实把各项防范措施落到实处。")
		b.para("二、强化隐患排查。对重点部位、重点场所开展拉网式排查，建立隐患清单，明确整改责任和时限。")
		b.para("三、严格值班值守。严格落实24小时值班和领导带班制度，遇有突发情况，按规定第一时间报告。值班电话：" + c.tel() + "。")
		b.para("四、做好应急准备。" + c.measure())
		b.para("五、加强宣传引导。通过政务新媒体、短信、广播等渠道及时发布预警信息和防范知识，提高群众自救互救能力。")
		c.signOff(b)
	case yjPlan:
		b.heading("1　总则")
		b.para("1.1　编制目的。为建立健全" + hazard + "应急机制，科学有序高效应对" + hazard + "，最大程度减少人员伤亡和财产损失，制定本预案。")
		b.para("1.2　编制依据。依据《中华人民共和国突发事件应对法》" + c.law() + "等法律法规。")
		b.para("1.3　适用范围。本预案适用于本市行政区域内" + hazard + "的应对工作。")
		b.heading("2　组织指挥体系")
		b.para("成立市" + hazard + "应急指挥部，由分管副市长任总指挥，" + c.u.Short + "主要负责同志任副总指挥。")
		b.heading("3　响应分级")
		b.table([]string{"响应级别", "启动条件", "指挥机构"}, [][]string{
			{"Ⅰ级", "发生特别重大" + hazard, "市应急指挥部"},
			{"Ⅱ级", "发生重大" + hazard, "市应急指挥部"},
			{"Ⅲ级", "发生较大" + hazard, c.u.Short},
			{"Ⅳ级", "发生一般" + hazard, "事发地县区"},
		})
		b.heading("4　保障措施")
		b.para(c.measure())
	case yjAlert:
		b.para("近期，" + hazard + "风险有所上升。根据监测研判，现发布" + strconv.Itoa(c.year()) + "年第" + strconv.Itoa(e.param) + "号风险提示：")
		b.para("一、" + pick(c.r, []string{"各单位要加强巡查检查，及时消除隐患。", "广大群众要提高自我防护意识，遇到险情及时撤离。", "相关经营单位要落实主体责任，严格执行安全管理制度。"}))
		b.para("二、如发现" + hazard + "苗头，请立即拨打110、119或12345热线报告。")
		b.para("三、" + c.measure())
		c.signOff(b)
	case yjDrill:
		b.para(dateCN(e.at.AddDate(0, 0, -between(c.r, 5, 20))) + "，" + c.u.Short + "会同有关单位组织开展了" + hazard + "应急演练，参演人员" + strconv.Itoa(between(c.r, 60, 400)) + "人。现将演练情况通报如下：")
		b.para("一、演练基本情况。演练模拟" + hazard + "发生后的信息报告、先期处置、人员疏散、现场救援等环节，检验了应急预案的科学性和可操作性。")
		b.para("二、演练取得的成效。参演单位反应迅速、配合紧密，各环节衔接顺畅，达到了预期目的。")
		b.para("三、发现的问题。" + c.problem() + "，部分人员对应急处置流程不够熟悉。")
		b.para("四、下一步工作。" + c.measure())
		c.signOff(b)
	case yjResponse:
		b.para("近日，有群众通过12345政务服务便民热线反映" + c.subj + "有关问题。" + c.u.Short + "高度重视，第一时间组织核查。现将有关情况回应如下：")
		b.para("一、基本情况。经核查，群众反映的问题属实（部分属实）。" + c.u.Short + "已责成有关单位立即整改。")
		b.para("二、处理措施。" + c.detail())
		b.para("三、长效机制。" + c.measure())
		b.para("感谢广大市民对" + c.subj + "工作的关心和监督。如有疑问，请拨打" + c.tel() + "咨询。")
	}
}

func (c *entryCtx) serviceBody(b *body) {
	e := c.e
	switch e.variant {
	case gfwGuide:
		b.heading("一、事项名称")
		b.para(e.name)
		b.heading("二、设定依据")
		b.para(c.law() + "。")
		b.heading("三、申请条件")
		b.para("申请人应当符合法律、法规规定的条件，材料齐全、符合法定形式。")
		b.heading("四、申请材料")
		b.para("1.申请表（原件1份）；2.申请人有效身份证件（核验）；3.其他相关证明材料。")
		b.heading("五、办理流程")
		b.para("申请—受理—审查—决定—送达。申请人可通过“爱山东”APP或山东政务服务网在线申请，也可到窗口办理。")
		b.heading("六、办理时限")
		b.para("法定时限" + strconv.Itoa(between(c.r, 10, 20)) + "个工作日，承诺时限" + strconv.Itoa(between(c.r, 1, 5)) + "个工作日。")
		b.heading("七、收费标准")
		b.para("不收费。")
		b.heading("八、办理地点和时间")
		b.para("临沂市政务服务中心" + cn(between(c.r, 1, 4)) + "楼" + strconv.Itoa(between(c.r, 1, 60)) + "号窗口；工作时间：周一至周五上午9:00—12:00，下午13:30—17:00（法定节假日除外）。")
		b.para("咨询电话：" + c.tel() + "；投诉电话：12345。")
	case gfwFAQ:
		b.para("为方便群众办事，" + c.u.Short + "梳理了" + c.subj + "方面的常见问题，解答如下：")
		qs := []string{
			"问：办理" + c.subj + "相关业务需要到现场吗？答：大部分事项已实现网上办理，可登录山东政务服务网或“爱山东”APP提交申请。",
			"问：办理时需要提供哪些材料？答：具体材料以办事指南为准，一般包括申请表、有效身份证件等。",
			"问：办理进度如何查询？答：可通过12345政务服务便民热线或登录网上办事大厅查询办理进度。",
			"问：对办理结果有异议怎么办？答：可依法申请行政复议或者提起行政诉讼。",
		}
		for _, q := range qs {
			b.para(q)
		}
		b.link("更多办事指南请访问", "临沂市政务服务网", c.govLink(), "。")
	case gfwHotlines:
		b.para(c.u.Short + "各业务科室便民服务咨询电话如下（工作日上午9:00—12:00，下午13:30—17:00）：")
		var rows [][]string
		for i, s := range pickN(c.r, []string{"办公室", "政策法规科", "行政审批科", "业务科", "监督管理科", "规划发展科", "财务科"}, 5) {
			rows = append(rows, []string{strconv.Itoa(i + 1), s, c.tel()})
		}
		rows = append(rows, []string{strconv.Itoa(len(rows) + 1), "政务服务便民热线", "12345"})
		b.table([]string{"序号", "科室", "咨询电话"}, rows)
		b.para("如电话无人接听，请拨打12345政务服务便民热线反映诉求。")
	case gfwHoliday:
		b.para("根据国务院办公厅关于" + strconv.Itoa(c.year()) + "年部分节假日安排的通知，现将" + e.name + "期间" + c.u.Short + "服务窗口工作安排公告如下：")
		b.para("一、节假日期间，政务服务中心" + c.u.Short + "窗口暂停对外办理业务，节后第一个工作日恢复正常。")
		b.para("二、节假日期间，群众可通过山东政务服务网、“爱山东”APP等渠道在线提交申请，节后按顺序受理。")
		b.para("三、紧急事项请拨打值班电话" + c.tel() + "。")
		b.para("给您带来的不便，敬请谅解。")
		c.signOff(b)
	}
}

func (c *entryCtx) interviewBody(b *body) {
	e := c.e
	guest := e.name
	host := personName(c.r)
	b.para("访谈时间：" + dateCN(e.at) + " 上午9:30")
	b.para("访谈嘉宾：" + c.u.Short + "负责同志" + guest + "；主持人：" + host)
	b.para("主持人：各位网友，大家好！欢迎收看本期政务访谈节目。今天我们邀请到" + c.u.Short + "负责同志" + guest + "，围绕" + c.subj + "工作与大家在线交流。")
	b.para("主持人：请您介绍一下今年" + c.subj + "工作的总体情况。")
	b.para(guest + "：今年以来，我们认真落实" + c.superior() + "部署要求，" + c.detail() + c.subj + "工作取得了积极成效。")
	b.para("主持人：群众比较关心哪些问题？")
	b.para(guest + "：群众关心的主要是办事是否方便、政策能否落实到位。为此，我们" + c.detail())
	b.para("网友提问：" + c.subj + "方面的问题可以通过哪些渠道反映？")
	b.para(guest + "：可以拨打12345政务服务便民热线，也可以拨打我们的咨询电话" + c.tel() + "。")
	b.para("主持人：下一步有哪些打算？")
	b.para(guest + "：" + c.measure() + c.measure())
	b.para("主持人：感谢" + guest + "做客节目，也感谢各位网友的参与。本期访谈到此结束。")
}
