package demo

import (
	"strconv"
)

// Bodies of 公共资源配置 and 重大建设项目.

// company invents a supplier name.
func (c *entryCtx) company() string { return c.companyIn(pick(c.r, companyTrades)) }

func (c *entryCtx) companyIn(trade string) string {
	return "临沂" + pick(c.r, companyParts) + trade + "有限公司"
}

func (c *entryCtx) procurementNo() string {
	return "LYCG" + strconv.Itoa(c.year()) + "-" + string(rune('A'+c.r.IntN(6))) + strconv.Itoa(1000+c.r.IntN(9000))
}

func (c *entryCtx) procurementBody(b *body) {
	e := c.e
	budget := money(c.r, 20, 900)
	open := workday(e.at.AddDate(0, 0, between(c.r, 20, 30)))
	switch e.variant {
	case gzConsultation, gzTender:
		b.heading("一、项目基本情况")
		b.para("项目编号：" + c.procurementNo() + "；项目名称：" + c.u.Name + strconv.Itoa(c.year()) + "年" + e.name + "项目；预算金额：" + budget + "万元；最高限价：" + budget + "万元。")
		b.para("采购需求：" + e.name + "，具体详见采购文件。合同履行期限：" + pick(c.r, []string{"一年", "两年", "合同签订后90日内"}) + "。本项目" + pick(c.r, []string{"接受", "不接受"}) + "联合体投标。")
		b.heading("二、申请人的资格要求")
		b.para("1.满足《中华人民共和国政府采购法》第二十二条规定；2.落实政府采购政策需满足的资格要求：" + pick(c.r, []string{"本项目专门面向中小企业采购", "无"}) + "；3.本项目的特定资格要求：无。")
		b.heading("三、获取采购文件")
		b.para("时间：" + dateCN(workday(e.at.AddDate(0, 0, 1))) + "至" + dateCN(workday(e.at.AddDate(0, 0, 8))) + "，每天上午8:30至11:30，下午13:30至17:00（北京时间，法定节假日除外）。")
		b.link("方式：登录", "临沂市公共资源交易网", "https://www.linyi.gov.cn/ggzy/"+strconv.Itoa(100000+c.r.IntN(800000))+".htm", "免费下载。")
		b.heading("四、提交响应文件截止时间、开启时间和地点")
		b.para(dateCN(open) + "9:30（北京时间）；地点：临沂市公共资源交易中心（临沂市北城新区）。")
		b.heading("五、其他补充事宜")
		b.para("本项目落实节约能源、保护环境、扶持不发达地区和少数民族地区、促进中小企业发展等政府采购政策。供应商须在临沂市公共资源交易平台完成注册，并使用CA数字证书参与电子投标。")
		b.heading("六、联系方式")
		b.para("采购人：" + c.u.Name + "；联系方式：" + c.tel() + "。")
		b.para("采购代理机构：" + c.company() + "；联系方式：" + c.tel() + "。")
	case gzAward, gzDeal:
		word := "中标"
		if e.variant == gzDeal {
			word = "成交"
		}
		b.heading("一、项目编号")
		b.para(c.procurementNo())
		b.heading("二、项目名称")
		b.para(c.u.Name + strconv.Itoa(c.year()) + "年" + e.name + "项目")
		b.heading("三、" + word + "信息")
		winner := c.company()
		b.table([]string{"序号", "供应商名称", "供应商地址", word + "金额（万元）"}, [][]string{
			{"1", winner, "临沂市" + pick(c.r, districts).Name + pick(c.r, roads) + strconv.Itoa(between(c.r, 1, 300)) + "号", money(c.r, 10, 800)},
		})
		b.heading("四、主要标的信息")
		b.para("服务名称：" + e.name + "；服务范围：详见采购文件；服务要求：满足采购需求；服务时间：" + pick(c.r, []string{"一年", "两年", "三年"}) + "。")
		b.heading("五、评审专家名单")
		b.para(personName(c.r) + "、" + personName(c.r) + "、" + personName(c.r) + "、" + personName(c.r) + "、" + personName(c.r) + "（采购人代表）")
		b.heading("六、公告期限")
		b.para("自本公告发布之日起1个工作日。")
		b.heading("七、其他补充事宜")
		b.para("各参加政府采购活动的供应商认为该" + word + "结果使自己的权益受到损害的，可以在知道或者应知其权益受到损害之日起7个工作日内，以书面形式向采购人或者采购代理机构提出质疑。")
		b.para("采购人：" + c.u.Name + "；联系方式：" + c.tel() + "。")
	case gzIntent:
		b.para("为便于供应商及时了解政府采购信息，根据《财政部关于开展政府采购意向公开工作的通知》等有关规定，现将" + c.u.Name + strconv.Itoa(c.year()) + "年" + strconv.Itoa(int(e.at.Month())) + "月采购意向公开如下：")
		var rows [][]string
		for i, item := range pickN(c.r, procurementItems, between(c.r, 2, 4)) {
			rows = append(rows, []string{strconv.Itoa(i + 1), item + "项目", item, money(c.r, 10, 500), strconv.Itoa(c.year()) + "年" + strconv.Itoa(between(c.r, int(e.at.Month()), 12)) + "月"})
		}
		b.table([]string{"序号", "采购项目名称", "采购需求概况", "预算金额（万元）", "预计采购时间"}, rows)
		b.para("本次公开的采购意向是本单位政府采购工作的初步安排，具体采购项目情况以相关采购公告和采购文件为准。")
	case gzContract:
		b.para("合同编号：" + c.procurementNo() + "-HT")
		b.para("合同名称：" + c.u.Name + e.name + "项目合同")
		b.para("采购人：" + c.u.Name + "；供应商：" + c.company() + "。")
		b.para("合同金额：" + money(c.r, 10, 600) + "万元；履约期限：" + pick(c.r, []string{"一年", "两年"}) + "；合同签订日期：" + dateCN(e.at.AddDate(0, 0, -between(c.r, 1, 5))) + "。")
		b.para("主要标的：" + e.name + "，具体服务内容及标准详见合同文本。")
		b.para("本合同依据《中华人民共和国政府采购法》《中华人民共和国民法典》等法律法规订立，合同双方应当按照约定全面履行各自义务。")
	case gzLand, gzLandResult:
		area := money(c.r, 5000, 120000)
		if e.variant == gzLand {
			b.para("经临沂市人民政府批准，临沂市自然资源和规划局决定以挂牌方式出让" + e.name + "国有建设用地使用权。现将有关事项公告如下：")
			b.table([]string{"地块编号", "土地位置", "出让面积（平方米）", "土地用途", "出让年限", "起始价（万元）"}, [][]string{
				{e.name, pick(c.r, roads) + "以" + pick(c.r, []string{"东", "西", "南", "北"}), area, pick(c.r, []string{"工业用地", "城镇住宅用地", "商务金融用地"}), pick(c.r, []string{"50年", "70年", "40年"}), money(c.r, 500, 30000)},
			})
			b.para("中华人民共和国境内外的法人、自然人和其他组织，除法律另有规定外，均可申请参加竞买。")
			b.para("挂牌时间：" + dateCN(open) + "至" + dateCN(open.AddDate(0, 0, 10)) + "。咨询电话：" + c.tel() + "。")
		} else {
			b.para("根据《招标拍卖挂牌出让国有建设用地使用权规定》，现将" + e.name + "国有建设用地使用权挂牌出让结果公示如下：")
			b.table([]string{"地块编号", "出让面积（平方米）", "土地用途", "成交价（万元）", "竞得人"}, [][]string{
				{e.name, area, pick(c.r, []string{"工业用地", "城镇住宅用地", "商务金融用地"}), money(c.r, 500, 40000), c.company()},
			})
			b.para("公示期：" + dateCN(e.at) + "至" + dateCN(e.at.AddDate(0, 0, 10)) + "。")
		}
	}
}

func (c *entryCtx) projectCode() string {
	return strconv.Itoa(c.year()) + "-371300-" + strconv.Itoa(between(c.r, 40, 78)) + "-0" + strconv.Itoa(between(c.r, 1, 3)) + "-" + strconv.Itoa(100000+c.r.IntN(900000))
}

func (c *entryCtx) projectBody(b *body) {
	e := c.e
	invest := money(c.r, 2000, 200000)
	rows := func(pairs ...string) [][]string {
		var out [][]string
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, []string{pairs[i], pairs[i+1]})
		}
		return out
	}
	switch e.variant {
	case zdApproval:
		b.para("根据重大建设项目信息公开有关要求，现将" + e.name + "批准信息公开如下：")
		b.table([]string{"项目", "内容"}, rows(
			"项目名称", e.name,
			"项目代码", c.projectCode(),
			"建设单位", "临沂市"+pick(c.r, []string{"城市建设投资集团有限公司", "城市发展集团有限公司", "水务集团有限公司", "交通投资发展集团有限公司"}),
			"建设地点", "临沂市"+pick(c.r, districts).Name,
			"总投资（万元）", invest,
			"批复文号", "临发改投资〔"+strconv.Itoa(c.year())+"〕"+strconv.Itoa(between(c.r, 1, 180))+"号",
			"批复日期", dateCN(e.written),
		))
		b.para("建设规模及内容：" + pick(c.r, []string{"新建道路全长约" + strconv.Itoa(between(c.r, 2, 15)) + "公里，同步建设排水、照明、绿化等附属工程。",
			"新建建筑面积约" + strconv.Itoa(between(c.r, 2, 20)) + "万平方米，配套建设室外工程及设备购置。",
			"治理河道长度约" + strconv.Itoa(between(c.r, 3, 30)) + "公里，建设堤防、护岸及配套设施。"}))
		b.para("审批部门：临沂市发展和改革委员会。如有疑问，请拨打" + c.tel() + "咨询。")
	case zdBidding:
		b.para(e.name + "已由临沂市发展和改革委员会批准建设，项目资金来自财政资金及自筹，已落实。现对该项目施工进行公开招标。")
		b.para("建设地点：临沂市" + pick(c.r, districts).Name + "；计划工期：" + strconv.Itoa(between(c.r, 180, 900)) + "日历天；招标范围：施工图纸范围内的全部内容。")
		b.para("投标人资格要求：具备" + pick(c.r, []string{"市政公用工程施工总承包二级及以上", "建筑工程施工总承包一级及以上", "水利水电工程施工总承包二级及以上"}) + "资质，并在人员、设备、资金等方面具有相应的施工能力。")
		b.para("招标文件获取时间：" + dateCN(workday(e.at.AddDate(0, 0, 1))) + "至" + dateCN(workday(e.at.AddDate(0, 0, 7))) + "。")
		b.para("招标人：临沂市" + pick(c.r, []string{"城市建设投资集团有限公司", "水务集团有限公司"}) + "；招标代理机构：" + c.companyIn("招标代理") + "；联系电话：" + c.tel() + "。")
	case zdPermit:
		b.table([]string{"项目", "内容"}, rows(
			"项目名称", e.name,
			"施工许可证编号", "371300-"+e.at.Format("200601")+"-"+strconv.Itoa(1000+c.r.IntN(9000)),
			"建设规模", strconv.Itoa(between(c.r, 5000, 200000))+"平方米",
			"合同价格（万元）", money(c.r, 1000, 90000),
			"施工单位", c.companyIn(pick(c.r, []string{"建设工程", "建设集团", "路桥工程", "水利工程"})),
			"监理单位", c.companyIn("工程监理"),
			"发证机关", "临沂市行政审批服务局",
			"发证日期", dateCN(e.written),
		))
		b.para("以上信息依据" + c.law() + "和《建筑工程施工许可管理办法》公开。")
		b.para("施工许可证自领取之日起三个月内未开工的，应当向发证机关申请延期。项目施工期间，建设单位应当严格落实安全生产和文明施工各项要求，接受社会监督。")
	case zdCompletion:
		b.para(e.name + "于" + dateCN(e.written) + "组织竣工验收。验收组由建设、勘察、设计、施工、监理等单位组成，经现场检查和资料审查，一致认为工程质量符合设计和规范要求，同意通过竣工验收。")
		b.table([]string{"项目", "内容"}, rows(
			"项目名称", e.name,
			"开工日期", dateCN(e.at.AddDate(-between(c.r, 1, 3), -between(c.r, 0, 11), 0)),
			"竣工日期", dateCN(e.written),
			"实际完成投资（万元）", invest,
		))
		b.para("监督电话：" + c.tel() + "。")
	case zdList:
		b.para(salutation)
		b.para("经市政府同意，现将" + strconv.Itoa(c.year()) + "年市级重点建设项目名单予以公布。请各县区、各有关部门加强项目调度，强化要素保障，确保项目顺利实施。")
		var rs [][]string
		for i := 0; i < between(c.r, 5, 8); i++ {
			rs = append(rs, []string{strconv.Itoa(i + 1), projectName(c.r, c.u.Code), money(c.r, 5000, 500000), pick(c.r, []string{"新开工", "续建", "竣工"})})
		}
		b.table([]string{"序号", "项目名称", "总投资（万元）", "建设性质"}, rs)
		c.signOff(b)
	case zdProgress:
		n := between(c.r, 150, 400)
		b.para("本季度，全市" + strconv.Itoa(n) + "个市级重点项目完成投资" + money(c.r, 100, 900) + "亿元，占年度计划的" + pct(c.r, 20, 95) + "%。")
		b.table([]string{"类别", "项目数（个）", "完成投资（亿元）", "同比增长（%）"}, [][]string{
			{"产业项目", strconv.Itoa(n * 6 / 10), money(c.r, 50, 500), pct(c.r, -5, 20)},
			{"基础设施项目", strconv.Itoa(n * 3 / 10), money(c.r, 20, 300), pct(c.r, -5, 20)},
			{"民生项目", strconv.Itoa(n - n*6/10 - n*3/10), money(c.r, 5, 100), pct(c.r, -5, 20)},
		})
		b.para("存在的问题：部分项目" + pick(c.r, []string{"用地手续办理进度偏慢", "资金到位率不高", "前期手续推进缓慢"}) + "。" + c.measure())
	case zdLandAcq:
		b.para("因" + e.name + "建设需要，拟征收临沂市" + districts[max(0, districtIndex(e.name))].Name + "集体土地。根据《中华人民共和国土地管理法》等有关规定，现将征地补偿安置方案公告如下：")
		b.para("一、征收范围：涉及" + townIn(c.r, max(0, districtIndex(e.name))) + strconv.Itoa(between(c.r, 1, 5)) + "个村，面积" + money(c.r, 5, 80) + "公顷。")
		b.para("二、补偿标准：执行山东省人民政府公布的区片综合地价，地上附着物和青苗补偿按市政府规定标准执行。")
		b.para("三、安置方式：被征地农民按规定纳入社会保障体系。")
		b.para("被征地农村集体经济组织、农村村民或者其他权利人对方案有异议的，可在公告之日起30日内提出。联系电话：" + c.tel() + "。")
	}
}
