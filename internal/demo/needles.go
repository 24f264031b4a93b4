package demo

import (
	"strings"
)

// Needles are sentences and names planted in a few entries so that search
// quality can be judged against known answers (internal/relevance):
//
//   - supplierNames: fictitious firms and organisations, each written
//     into one published entry's attachment and nowhere else, so that
//     the entry is found only through its attachment's text;
//   - boundaryTraps: two- and three-character words planted in bodies
//     both where their characters only meet across a word boundary
//     (理事 in 管理事关) and where the word itself is meant (理事会).
//
// Which entries receive them depends on the seed; the sentences are fixed.

// supplierNames are invented; none is meant to name a real firm.
var supplierNames = []string{
	"临沂瑞丰达物流有限公司",
	"沂蒙恒拓建材科技有限公司",
	"兰山区翠屏岭果蔬种植专业合作社",
	"山东鲁晟泓源环保工程有限公司",
	"临沂市沭河湾生态农业开发有限公司",
	"罗庄区金岚石材加工厂",
	"临沂卓衡会计师事务所有限公司",
	"河东区汇泽家政服务中心",
	"沂南县青鸾山茶叶种植协会",
	"临沂启睿智能装备研究院",
	"郯城县银杏岭木业有限公司",
	"兰陵县蒜乡冷链仓储有限公司",
	"山东沂澜水务工程咨询有限公司",
	"费县玉岩峰板材制品厂",
	"临沂星渡文化传媒有限公司",
	"平邑县蒙阳金银花种植合作社",
	"莒南县岚海渔具制造有限公司",
	"临沂鸿祺建筑劳务有限公司",
	"蒙阴县岱崮红蜜桃产销协会",
	"临沭县柳编工艺品研究所",
	"临沂聚沅检测技术有限公司",
	"山东沂州府餐饮管理有限公司",
	"临沂博翰工程造价咨询有限公司",
	"沂水县泉庄峡谷旅游开发有限公司",
	"临沂晟昊新能源科技有限公司",
	"兰山区沁园社区养老服务站",
	"临沂云溪测绘地理信息有限公司",
}

// trapSentence is a sentence planted in bodies. When trap is true the
// word's characters only meet across a word boundary in it.
type trapSentence struct {
	word, text string
	trap       bool
	copies     int // how many entries receive it
}

// boundaryTraps lists, per word, sentences that use it and sentences that
// only look as if they did. internal/relevance/testdata/queries.jsonl
// lists the same trap contexts.
var boundaryTraps = []trapSentence{
	{"理事", "各部门要依法管理事关群众切身利益的公共事务，做到程序公开、结果公开。", true, 2},
	{"理事", "发生突发情况时，要第一时间处理事故隐患，防止发生次生灾害。", true, 2},
	{"理事", "市慈善总会第三届理事会第二次会议审议通过了年度工作报告。", false, 2},
	{"农机", "健全联农带农机制，让农户更多分享产业增值收益。", true, 2},
	{"农机", "完善利益联结和惠农机制，稳定农民经营性收入。", true, 2},
	{"农机", "全市新增农机合作社一批，农机作业服务能力明显增强。", false, 2},
	{"和平", "推进数据共享和平台整合，减少群众重复提交材料。", true, 2},
	{"和平", "坚持公开公正和平等协商，依法保障各方合法权益。", true, 2},
	{"和平", "办公地点位于兰山区和平路，群众可在工作日前往咨询。", false, 2},
	{"研究生", "局党组专题研究生态环境保护督察反馈问题整改工作。", true, 2},
	{"研究生", "会议专门研究生产安全工作，部署下一阶段重点任务。", true, 2},
	{"地面", "各地面临的困难和问题不尽相同，要坚持分类施策。", true, 2},
	{"地面", "加强地面沉降监测，严格控制地下水开采。", false, 2},
	{"员工", "按时足额发放人员工资，不得以任何理由拖欠。", true, 2},
	{"员工", "督促企业依法为员工缴纳社会保险费。", false, 2},
	{"大学", "扩大学位供给，缓解城区入学难问题。", true, 2},
	{"大学", "与临沂大学共建实习实训基地，促进产教融合。", false, 2},
	{"理发", "依法查处发布虚假违法广告的行为，及时处理发布主体。", true, 2},
	{"理发", "加强对理发店、美容院等公共场所的卫生监督检查。", false, 2},
	{"工人", "督促施工人员佩戴安全帽，规范现场作业行为。", true, 2},
	{"工人", "关心关爱产业工人，维护其合法劳动权益。", false, 2},
	{"物价", "加强进口货物价格监测，防止哄抬价格。", true, 2},
	{"物价", "保持物价总体稳定，做好重要民生商品保供工作。", false, 2},
	{"家电", "依托国家电子政务外网，实现部门数据互联互通。", true, 2},
	{"家电", "开展家电以旧换新活动，促进绿色智能消费。", false, 2},
	{"门口", "统一各部门口径，确保上报数据准确一致。", true, 2},
	{"门口", "把便民服务送到群众家门口。", false, 2},
	{"会长", "这一问题受到全社会长期关注。", true, 2},
	{"会长", "市工商联副会长、异地商会会长参加座谈。", false, 2},
	{"出租车", "物业服务企业不得擅自出租车位。", true, 2},
	{"出租车", "规范出租车行业经营秩序，推进新能源车辆更新。", false, 2},
	{"大学生", "扩大学生资助覆盖面，做到应助尽助。", true, 2},
	{"大学生", "实施大学生创业扶持行动，提供场地和贷款贴息。", false, 2},
	{"法人", "加强执法人员业务培训，规范行政执法行为。", true, 2},
	{"中学", "其中学前教育阶段毛入园率达到百分之九十以上。", true, 2},
	{"中学", "市实验中学新校区建设有序推进。", false, 2},
	{"科学", "具有本科学历的人员占比逐年提高。", true, 2},
	{"计划", "按照国家统计划分标准，将企业分为大中小微四类。", true, 2},
	{"合同", "结合同类地区经验，制定本地实施细则。", true, 2},
	{"用地", "适用地方标准的，从其规定。", true, 2},
	{"出口", "统一财政支出口径，规范部门预算编制。", true, 2},
	{"人才", "搭建干事创业平台，充分发挥个人才能。", true, 2},
}

// needlePlanter hands out the needles while entries stream by: one in
// sentenceStride published entries receives the next pending sentence, one
// in attachmentStride published entries with attachments the next firm's
// name. A trap sentence whose word the entry already holds waits for the
// next entry, so that a trap entry holds the word only in the trap.
type needlePlanter struct {
	sentences []trapSentence // one per copy, in order
	names     []string
	offset    int
	offsetAtt int
	seen      int // published entries so far
	seenAtt   int // published entries with attachments so far
}

// Strides spread the needles over the default catalog's 10,000-odd
// published entries and their 1,900-odd entries with attachments.
const (
	sentenceStride   = 97
	attachmentStride = 61
)

func newNeedlePlanter(seed int64) *needlePlanter {
	p := &needlePlanter{names: supplierNames}
	r := newRand(seed, "needles")
	p.offset, p.offsetAtt = r.IntN(sentenceStride), r.IntN(attachmentStride)
	for _, s := range boundaryTraps {
		for range s.copies {
			p.sentences = append(p.sentences, s)
		}
	}
	return p
}

// plant adds what the entry receives to its body and attachments.
func (p *needlePlanter) plant(c *entryCtx, b *body, specs []attachmentSpec, kw []string, summary string) {
	if p == nil {
		return
	}
	if c.e.status != statusPublished {
		return
	}
	p.seen++
	if p.seen%sentenceStride == p.offset && len(p.sentences) > 0 {
		// Attachments are left out of the check so that entries are the
		// same with and without attachment files.
		text := c.e.title + "\n" + c.u.Name + "\n" + strings.Join(kw, " ") + "\n" + summary + "\n" + b.text()
		for i, s := range p.sentences {
			if s.trap && strings.Contains(text, s.word) {
				continue
			}
			b.insertPara(s.text)
			p.sentences = append(p.sentences[:i], p.sentences[i+1:]...)
			break
		}
	}
	if len(specs) == 0 {
		return
	}
	p.seenAtt++
	if p.seenAtt%attachmentStride == p.offsetAtt && len(p.names) > 0 {
		name := p.names[0]
		p.names = p.names[1:]
		s := &specs[0]
		if s.kind == "xlsx" {
			s.footer = "报送单位：" + name + "　　" + s.footer
		} else {
			at := min(1, len(s.paras))
			line := "承办单位：" + name
			s.paras = append(s.paras[:at], append([]string{line}, s.paras[at:]...)...)
		}
	}
}

// insertPara adds a paragraph before any trailing signature lines.
func (b *body) insertPara(s string) {
	at := len(b.blocks)
	for at > 0 && b.blocks[at-1].kind == blockSign {
		at--
	}
	b.blocks = append(b.blocks, block{})
	copy(b.blocks[at+1:], b.blocks[at:])
	b.blocks[at] = block{kind: blockPara, text: s}
}
