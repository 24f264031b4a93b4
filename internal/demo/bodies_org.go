package demo

import (
	"strconv"
	"strings"
)

// Bodies of the organisational columns: 主要职责, 信息公开指南, 信息公开制度,
// 领导分工, 机构设置 and 行政权力清单.

func (c *entryCtx) dutiesBody(b *body) {
	u := c.u
	b.para("根据市委、市政府关于机构改革的部署和" + u.Name + "职能配置、内设机构和人员编制规定，" + u.Short + "的主要职责是：")
	items := []string{"贯彻执行" + c.superior() + "关于" + u.field() + "工作的方针政策和决策部署，起草有关地方性法规、规章草案和政策措施，并组织实施。"}
	for i := range u.Subjects {
		s, _ := u.subject(i)
		items = append(items, "负责全市"+s+"工作的统筹协调、组织实施和监督管理。")
		if len(items) >= 7 {
			break
		}
	}
	items = append(items, "完成市委、市政府交办的其他任务。")
	for i, it := range items {
		b.para("（" + cn(i+1) + "）" + it)
	}
}

func (c *entryCtx) guideBody(b *body) {
	u := c.u
	addr := "临沂市北城新区" + pick(c.r, roads) + strconv.Itoa(between(c.r, 1, 300)) + "号"
	b.para("为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。")
	b.heading("一、主动公开")
	b.para("（一）公开范围。" + u.Short + "主动公开机构职能、政策文件、规划计划、财政资金、行政权力运行等政府信息。")
	b.link("（二）公开方式。主要通过", "临沂市人民政府网站政府信息公开目录", c.govLink(), "公开，并通过政务新媒体、新闻发布会等方式予以补充。")
	b.para("（三）公开时限。属于主动公开范围的政府信息，自形成或者变更之日起20个工作日内予以公开。")
	b.heading("二、依申请公开")
	b.para("（一）受理机构：" + u.Name + c.office() + "；地址：" + addr + "；邮政编码：276000；办公时间：工作日上午9:00—12:00，下午13:30—17:00；联系电话：" + c.tel() + "。")
	b.para("（二）申请方式。申请人可以通过当面提交、邮寄、网上申请等方式提出申请。")
	b.para("（三）办理时限。能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复。")
	b.heading("三、收费标准")
	b.para("行政机关依申请提供政府信息，不收取费用。但是，申请人申请公开政府信息的数量、频次明显超过合理范围的，可以收取信息处理费。")
	b.heading("四、监督和救济")
	b.para("公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向临沂市人民政府办公室投诉、举报，也可以依法申请行政复议或者提起行政诉讼。")
}

func (c *entryCtx) rulesBody(b *body) {
	e := c.e
	b.para("第一条　为规范" + c.u.Short + "政府信息公开工作，根据《中华人民共和国政府信息公开条例》等规定，结合工作实际，制定本制度。")
	switch e.variant {
	case 0:
		b.para("第二条　拟公开的政府信息，应当依照《中华人民共和国保守国家秘密法》以及其他法律、法规和国家有关规定进行审查。")
		b.para("第三条　保密审查实行“先审查、后公开”和“一事一审”原则，由承办科室初审、分管负责同志复审、主要负责同志终审。")
		b.para("第四条　对不能确定是否可以公开的政府信息，应当依照法律、法规和国家有关规定报有关主管部门或者保密行政管理部门确定。")
	case 1:
		b.para("第二条　各科室应当按照“谁制作、谁公开，谁保存、谁公开”的原则，做好本科室职责范围内政府信息的主动公开工作。")
		b.para("第三条　属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起20个工作日内及时公开。")
		b.para("第四条　办公室负责政府信息公开目录的日常维护，每月检查各栏目更新情况。")
	case 2:
		b.para("第二条　依申请公开工作按照登记、审核、办理、答复、归档的流程办理。")
		b.para("第三条　收到申请后，办公室应当在1个工作日内登记并转承办科室办理，承办科室应当在10个工作日内提出答复意见。")
		b.para("第四条　答复书应当载明依据和理由，并告知申请人救济途径。")
	default:
		b.para("第二条　" + e.name + "适用于本单位各科室及所属单位。")
		b.para("第三条　办公室是本单位政务公开工作的主管科室，负责组织协调、指导推进和监督检查。")
		b.para("第四条　各科室应当明确一名政务公开联络员，负责本科室信息的收集、审核和报送。")
	}
	b.para("第五条　" + c.measure())
	b.para("第六条　本制度自印发之日起施行。")
	c.signOff(b)
}

func (c *entryCtx) leadersBody(b *body) {
	u := c.u
	head, deputy := "局长", "副局长"
	switch {
	case strings.HasSuffix(u.Name, "委员会") || strings.HasSuffix(u.Name, "办公室") || strings.HasSuffix(u.Name, "中心") || u.Kind == "管委会":
		head, deputy = "主任", "副主任"
	case strings.HasSuffix(u.Name, "联合社") || strings.HasSuffix(u.Name, "联合会"):
		head, deputy = "理事长", "副理事长"
	case strings.HasSuffix(u.Name, "档案馆"):
		head, deputy = "馆长", "副馆长"
	}
	b.para("根据工作需要，现将" + u.Name + "领导班子成员及分工情况公布如下：")
	n := between(c.r, 4, 6)
	subjects := make([]string, len(u.Subjects))
	for i := range u.Subjects {
		subjects[i], _ = u.subject(i)
	}
	for i := 0; i < n; i++ {
		name := personName(c.r)
		var post string
		if i == 0 {
			post = "党组书记、" + head
		} else if i == n-1 && n > 4 {
			post = "党组成员、" + pick(c.r, []string{"二级调研员", "总经济师", "一级调研员"})
		} else {
			post = "党组成员、" + deputy
		}
		b.heading(name + "　" + post)
		born := strconv.Itoa(between(c.r, 1966, 1982)) + "年" + strconv.Itoa(between(c.r, 1, 12)) + "月生"
		b.para(pick(c.r, []string{"男", "女"}) + "，汉族，" + born + "，" + pick(c.r, []string{"大学学历", "研究生学历", "在职研究生学历"}) + "，中共党员。")
		if i == 0 {
			b.para("负责" + u.Short + "全面工作。")
		} else {
			b.para("负责" + strings.Join(pickN(c.r, subjects, 2), "、") + "等方面工作。分管" + c.office() + "。")
		}
	}
}

func (c *entryCtx) structureBody(b *body) {
	u := c.u
	b.para("根据" + u.Name + "职能配置、内设机构和人员编制规定，" + u.Short + "设下列内设机构：")
	sections := []string{"办公室", "政策法规科"}
	for i := range u.Subjects {
		s, _ := u.subject(i)
		if len([]rune(s)) <= 6 && !strings.ContainsAny(s, "“”") {
			sections = append(sections, s+"科")
		}
		if len(sections) >= 7 {
			break
		}
	}
	sections = append(sections, "机关党委（人事科）")
	for i, s := range sections {
		duty := "负责机关日常运转，承担文电、会务、机要、档案、政务公开、安全保密等工作。"
		if i == 1 {
			duty = "负责起草有关规范性文件草案，承担行政执法监督、行政复议应诉和普法工作。"
		} else if i == len(sections)-1 {
			duty = "负责机关和所属单位的党群工作、机构编制和人事管理工作。"
		} else if i > 1 {
			duty = "承担全市" + strings.TrimSuffix(s, "科") + "工作的组织实施和监督指导。"
		}
		b.para("（" + cn(i+1) + "）" + s + "。" + duty)
	}
	b.para("所属单位：" + strings.TrimSuffix(strings.TrimPrefix(u.Short, "市"), "局") + "事务服务中心（公益一类事业单位）。")
	b.para("办公地址：临沂市北城新区" + pick(c.r, roads) + strconv.Itoa(between(c.r, 1, 300)) + "号；联系电话：" + c.tel() + "。")
}

func (c *entryCtx) powersBody(b *body) {
	e := c.e
	u := c.u
	b.para("根据市委、市政府关于推行权责清单制度的部署要求，现将" + u.Name + e.name + "公布如下。清单实行动态调整，调整情况及时向社会公布。")
	var rows [][]string
	add := func(item, kind string) {
		for _, r := range rows {
			if r[1] == item {
				return
			}
		}
		rows = append(rows, []string{strconv.Itoa(len(rows) + 1), item, kind, c.law(), pick(c.r, []string{"受理、审查、决定、送达、事后监管", "立案、调查、告知、决定、执行", "检查、处理、反馈"})})
	}
	for _, s := range pickN(c.r, u.Services, 3) {
		kind := pick(c.r, []string{"行政许可", "行政许可", "行政确认", "公共服务"})
		if e.variant == 1 {
			kind = "行政许可"
		}
		add(s, kind)
	}
	for i := 0; i < between(c.r, 3, 5); i++ {
		s, _ := u.subject(c.r.IntN(len(u.Subjects)))
		if e.variant == 1 {
			add(s+"有关事项审批", "行政许可")
			continue
		}
		if e.variant == 2 || c.r.IntN(2) == 0 {
			add("对违反"+s+"管理规定行为的处罚", "行政处罚")
		} else {
			add("对"+s+"工作的监督检查", "行政检查")
		}
	}
	b.table([]string{"序号", "事项名称", "权力类型", "实施依据", "责任事项"}, rows)
	b.para("监督电话：" + c.tel() + "。")
}
