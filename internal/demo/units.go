package demo

import (
	"bufio"
	"strings"
)

// unitProfile describes one body of the Linyi city government and the
// vocabulary its entries are written from. Subjects may carry a topic of
// their own after a "|" when it differs from the unit's main topic.
type unitProfile struct {
	Code       string
	Name       string
	Kind       string  // 部门 / 直属机构 / 管委会 / 其他
	Short      string  // how the unit names itself in running text
	Abbr       string  // 文号 prefix, e.g. 临发改 in 临发改发〔2021〕12号
	Topic      string  // main 主题分类
	Weight     float64 // relative publishing activity
	Subjects   []string
	Services   []string // 办事指南 items
	Indicators []string // 统计指标 as "name/unit of measure"
	Hazards    []string // emergencies the unit prepares for
}

// subject splits a subject entry into its name and topic.
func (u *unitProfile) subject(i int) (name, topic string) {
	name, topic, ok := strings.Cut(u.Subjects[i], "|")
	if !ok {
		topic = u.Topic
	}
	return name, topic
}

// units is the catalog's list of units. The first forty are the bodies of
// the shared sample (same codes and names); the rest are further real
// bodies of the city.
var units = []unitProfile{
	{Code: "zfb", Name: "临沂市人民政府办公室", Kind: "部门", Short: "市政府办公室", Abbr: "临政办", Topic: "综合政务", Weight: 3,
		Subjects:   []string{"政务公开", "重大行政决策", "政务服务“一网通办”", "督查检查", "应急值守", "12345政务服务便民热线", "营商环境", "法治政府建设", "政府网站和政务新媒体"},
		Services:   []string{"政府信息依申请公开", "12345热线诉求办理", "市长信箱留言办理"},
		Indicators: []string{"12345热线受理量/件", "热线办结率/%", "依申请公开办理量/件", "政务服务事项网办量/件"},
		Hazards:    []string{"突发事件信息报送", "极端天气", "重大活动安全保障"}},
	{Code: "fgw", Name: "临沂市发展和改革委员会", Kind: "部门", Short: "市发展改革委", Abbr: "临发改", Topic: "国民经济管理、国有资产监管", Weight: 2.5,
		Subjects:   []string{"重大项目建设", "价格监测", "粮食安全", "节能降耗|国土资源、能源", "社会信用体系建设", "新旧动能转换", "以工代赈|民政、扶贫、救灾", "新型城镇化", "服务业发展"},
		Services:   []string{"企业投资项目核准", "固定资产投资项目节能审查", "政府定价收费咨询"},
		Indicators: []string{"固定资产投资/亿元", "重点项目开工数/个", "居民消费价格指数/%", "能源消费总量/万吨标准煤"},
		Hazards:    []string{"粮食应急供应", "能源保供", "价格异常波动"}},
	{Code: "jyj", Name: "临沂市教育局", Kind: "部门", Short: "市教育局", Abbr: "临教", Topic: "科技、教育", Weight: 2,
		Subjects:   []string{"学前教育", "义务教育均衡发展", "教师队伍建设", "校园安全", "学生资助", "职业教育", "教育督导", "中小学课后服务", "招生考试"},
		Services:   []string{"教师资格认定", "民办学校设立审批", "学历证明办理", "学生资助申请"},
		Indicators: []string{"在校学生数/人", "专任教师数/人", "新建改扩建学校/所", "资助学生/人次"},
		Hazards:    []string{"校园安全事故", "学校食品安全事故", "学生溺水"}},
	{Code: "kjj", Name: "临沂市科学技术局", Kind: "部门", Short: "市科技局", Abbr: "临科", Topic: "科技、教育", Weight: 1.2,
		Subjects:   []string{"科技创新平台建设", "高新技术企业培育", "科技成果转化", "科技特派员", "科技型中小企业", "院士工作站", "研发投入", "科学普及"},
		Services:   []string{"科技成果登记", "技术合同认定登记", "外国人来华工作许可"},
		Indicators: []string{"高新技术企业/家", "技术合同成交额/万元", "科技型中小企业/家", "研发经费投入/亿元"},
		Hazards:    []string{"实验室安全事故"}},
	{Code: "gxj", Name: "临沂市工业和信息化局", Kind: "部门", Short: "市工业和信息化局", Abbr: "临工信", Topic: "工业、交通", Weight: 1.6,
		Subjects:   []string{"工业互联网", "技术改造", "专精特新企业培育", "中小企业发展", "节能监察|国土资源、能源", "电子信息产业", "制造业数字化转型", "无线电管理"},
		Services:   []string{"无线电台站设置审批", "技术改造项目备案", "中小企业公共服务平台认定"},
		Indicators: []string{"规模以上工业增加值增速/%", "规模以上工业营业收入/亿元", "工业技改投资增速/%", "规模以上工业企业/家"},
		Hazards:    []string{"工业企业安全生产事故", "电力供应紧张"}},
	{Code: "gaj", Name: "临沂市公安局", Kind: "部门", Short: "市公安局", Abbr: "临公", Topic: "公安、安全、司法", Weight: 1.6,
		Subjects:   []string{"户籍管理", "道路交通安全", "出入境管理", "治安管理", "电信网络诈骗防范", "消防安全", "居住证办理", "机动车驾驶人管理"},
		Services:   []string{"户口迁移", "居民身份证办理", "出入境证件办理", "机动车登记"},
		Indicators: []string{"刑事案件立案数/起", "道路交通事故起数/起", "户籍业务办理量/件", "电诈案件止付金额/万元"},
		Hazards:    []string{"道路交通事故", "大型活动安全", "恶劣天气交通管制"}},
	{Code: "mzj", Name: "临沂市民政局", Kind: "部门", Short: "市民政局", Abbr: "临民", Topic: "民政、扶贫、救灾", Weight: 1.6,
		Subjects:   []string{"最低生活保障", "特困人员供养", "养老服务", "社会组织管理", "婚姻登记", "殡葬管理", "儿童福利|人口与计划生育、妇女儿童工作", "地名管理", "社区治理", "民族团结进步创建|民族、宗教"},
		Services:   []string{"最低生活保障审核确认", "婚姻登记", "社会团体成立登记", "困难残疾人生活补贴申请"},
		Indicators: []string{"城乡低保对象/人", "低保资金支出/万元", "养老机构床位/张", "婚姻登记/对"},
		Hazards:    []string{"养老机构安全事故", "寒潮低温困难群众救助"}},
	{Code: "sfj", Name: "临沂市司法局", Kind: "部门", Short: "市司法局", Abbr: "临司", Topic: "公安、安全、司法", Weight: 1.3,
		Subjects:   []string{"法治政府建设", "行政执法监督", "公共法律服务", "人民调解", "法律援助", "社区矫正", "普法宣传", "行政复议"},
		Services:   []string{"法律援助申请", "公证机构执业证审核", "基层法律服务工作者执业核准"},
		Indicators: []string{"法律援助案件/件", "人民调解案件/件", "行政复议案件/件", "公共法律服务热线接听量/人次"},
		Hazards:    []string{"社区矫正对象脱管"}},
	{Code: "czj", Name: "临沂市财政局", Kind: "部门", Short: "市财政局", Abbr: "临财", Topic: "财政、金融、审计", Weight: 2.4,
		Subjects:   []string{"预算绩效管理", "政府采购", "政府债务管理", "国库集中支付", "非税收入管理", "财政资金直达", "会计管理", "惠民惠农财政补贴"},
		Services:   []string{"会计人员信息采集", "政府采购供应商投诉处理", "非税收入票据领购"},
		Indicators: []string{"一般公共预算收入/亿元", "税收收入/亿元", "一般公共预算支出/亿元", "民生支出占比/%"},
		Hazards:    []string{"财政运行风险"}},
	{Code: "rsj", Name: "临沂市人力资源和社会保障局", Kind: "部门", Short: "市人力资源社会保障局", Abbr: "临人社", Topic: "劳动、人事、监察", Weight: 2.2,
		Subjects:   []string{"社会保险", "就业创业", "养老保险", "失业保险", "工伤保险", "职业技能培训", "根治欠薪", "人才引进", "事业单位公开招聘", "劳动人事争议仲裁"},
		Services:   []string{"失业保险金申领", "就业创业证申领", "职工退休申请", "社会保障卡补换"},
		Indicators: []string{"城镇新增就业/人", "企业职工养老保险参保/万人", "失业保险金发放/万元", "职业技能培训/人次"},
		Hazards:    []string{"欠薪群体性事件", "社保经办系统故障"}},
	{Code: "zrzyj", Name: "临沂市自然资源和规划局", Kind: "部门", Short: "市自然资源和规划局", Abbr: "临自然资规", Topic: "国土资源、能源", Weight: 2,
		Subjects:   []string{"国土空间规划", "耕地保护", "不动产登记", "矿产资源管理", "林长制|农业、林业、水利", "地质灾害防治", "土地供应", "测绘地理信息"},
		Services:   []string{"不动产登记", "建设工程规划许可", "建设用地规划许可", "采矿权登记"},
		Indicators: []string{"国有建设用地供应/公顷", "不动产登记办件/件", "耕地保有量/万亩", "造林面积/亩"},
		Hazards:    []string{"地质灾害", "森林火灾"}},
	{Code: "sthjj", Name: "临沂市生态环境局", Kind: "部门", Short: "市生态环境局", Abbr: "临环", Topic: "城乡建设、环境保护", Weight: 1.9,
		Subjects:   []string{"大气污染防治", "排污许可", "秸秆禁烧", "水污染防治", "土壤污染防治", "环境影响评价", "危险废物管理", "生态环境执法", "机动车排气污染防治"},
		Services:   []string{"建设项目环境影响评价审批", "排污许可证核发", "危险废物经营许可"},
		Indicators: []string{"空气质量优良天数/天", "PM2.5平均浓度/微克每立方米", "国控断面达标率/%", "环境行政处罚案件/件"},
		Hazards:    []string{"突发环境事件", "重污染天气"}},
	{Code: "zjj", Name: "临沂市住房和城乡建设局", Kind: "部门", Short: "市住房城乡建设局", Abbr: "临建", Topic: "城乡建设、环境保护", Weight: 2,
		Subjects:   []string{"物业管理", "老旧小区改造", "建筑施工安全", "住房保障", "房地产市场监管", "城镇燃气安全", "绿色建筑", "建筑市场监管", "城市更新"},
		Services:   []string{"建筑工程施工许可", "商品房预售许可", "公租房申请", "建筑业企业资质核准"},
		Indicators: []string{"房地产开发投资/亿元", "商品房销售面积/万平方米", "老旧小区改造/个", "新开工保障性住房/套"},
		Hazards:    []string{"城镇燃气事故", "建筑施工安全事故", "房屋倒塌"}},
	{Code: "jtj", Name: "临沂市交通运输局", Kind: "部门", Short: "市交通运输局", Abbr: "临交", Topic: "工业、交通", Weight: 1.8,
		Subjects:   []string{"农村公路建设", "城乡公交一体化", "道路运输安全", "出租汽车管理", "交通运输综合执法", "“四好农村路”建设", "超限超载治理", "物流降本增效"},
		Services:   []string{"道路运输经营许可", "出租汽车驾驶员从业资格", "公路超限运输许可"},
		Indicators: []string{"公路货运量/万吨", "公路客运量/万人次", "公交客运量/万人次", "农村公路新改建/公里"},
		Hazards:    []string{"道路运输事故", "恶劣天气交通保通", "城市公交突发事件"}},
	{Code: "slj", Name: "临沂市水利局", Kind: "部门", Short: "市水利局", Abbr: "临水", Topic: "农业、林业、水利", Weight: 1.5,
		Subjects:   []string{"河长制", "防汛抗旱", "水资源管理", "农村饮水安全", "水土保持", "水库安全度汛", "节约用水", "水利工程建设"},
		Services:   []string{"取水许可", "水土保持方案审批", "河道管理范围内建设项目审批"},
		Indicators: []string{"大中型水库蓄水量/亿立方米", "水利工程投资/亿元", "农村供水受益人口/万人", "治理水土流失面积/平方公里"},
		Hazards:    []string{"暴雨洪涝", "干旱", "水库险情"}},
	{Code: "nyj", Name: "临沂市农业农村局", Kind: "部门", Short: "市农业农村局", Abbr: "临农", Topic: "农业、林业、水利", Weight: 2,
		Subjects:   []string{"乡村振兴", "粮食生产", "高标准农田建设", "农产品质量安全", "农村人居环境整治", "动物防疫", "农机购置补贴", "家庭农场培育", "农村集体产权制度改革"},
		Services:   []string{"农药经营许可", "兽药经营许可", "农机购置补贴申请", "种子生产经营许可"},
		Indicators: []string{"粮食播种面积/万亩", "粮食总产量/万吨", "蔬菜产量/万吨", "农村居民人均可支配收入/元"},
		Hazards:    []string{"重大动物疫情", "农作物病虫害", "农业气象灾害"}},
	{Code: "swj", Name: "临沂市商务局", Kind: "部门", Short: "市商务局", Abbr: "临商务", Topic: "商贸、海关、旅游", Weight: 1.7,
		Subjects:   []string{"外贸进出口", "电子商务", "招商引资", "消费促进", "市场采购贸易", "跨境电商", "外商投资", "成品油流通管理", "对外经济合作|对外事务", "台资企业服务|港澳台侨工作"},
		Services:   []string{"对外贸易经营者备案", "成品油零售经营资格审批", "单用途商业预付卡备案"},
		Indicators: []string{"社会消费品零售总额/亿元", "进出口总额/亿元", "实际使用外资/万美元", "网络零售额/亿元"},
		Hazards:    []string{"生活必需品市场供应", "商贸场所安全事故"}},
	{Code: "wlj", Name: "临沂市文化和旅游局", Kind: "部门", Short: "市文化和旅游局", Abbr: "临文旅", Topic: "文化、广电、新闻出版", Weight: 1.5,
		Subjects:   []string{"文化市场综合执法", "非物质文化遗产保护", "公共文化服务", "旅游市场秩序|商贸、海关、旅游", "A级旅游景区管理|商贸、海关、旅游", "文物保护", "广播电视公共服务", "红色文化传承"},
		Services:   []string{"营业性演出审批", "旅行社设立许可", "娱乐场所经营许可"},
		Indicators: []string{"接待游客/万人次", "旅游总收入/亿元", "文化和旅游企业/家", "公共文化活动/场次"},
		Hazards:    []string{"旅游安全事故", "景区客流超限"}},
	{Code: "wjw", Name: "临沂市卫生健康委员会", Kind: "部门", Short: "市卫生健康委", Abbr: "临卫", Topic: "卫生、体育", Weight: 2,
		Subjects:   []string{"疾病预防控制", "基本公共卫生服务", "医疗机构管理", "家庭医生签约服务", "人口监测与家庭发展|人口与计划生育、妇女儿童工作", "妇幼健康|人口与计划生育、妇女儿童工作", "爱国卫生运动", "职业健康", "中医药发展", "托育服务|人口与计划生育、妇女儿童工作"},
		Services:   []string{"医疗机构执业登记", "医师执业注册", "出生医学证明办理", "公共场所卫生许可"},
		Indicators: []string{"医疗机构诊疗人次/万人次", "出院人数/万人", "家庭医生签约率/%", "住院分娩活产数/人"},
		Hazards:    []string{"突发公共卫生事件", "传染病疫情", "食物中毒"}},
	{Code: "tyjrj", Name: "临沂市退役军人事务局", Kind: "部门", Short: "市退役军人事务局", Abbr: "临退役军人", Topic: "民政、扶贫、救灾", Weight: 1.1,
		Subjects:   []string{"退役军人安置|劳动、人事、监察", "优抚对象抚恤补助", "双拥共建|国防", "退役军人就业创业|劳动、人事、监察", "烈士纪念设施保护", "退役军人服务保障体系建设"},
		Services:   []string{"优抚对象抚恤补助申请", "退役士兵安置", "烈士褒扬金发放"},
		Indicators: []string{"接收安置退役军人/人", "抚恤补助资金/万元", "退役军人就业/人"},
		Hazards:    []string{"涉军群体信访"}},
	{Code: "yjj", Name: "临沂市应急管理局", Kind: "部门", Short: "市应急局", Abbr: "临应急", Topic: "市场监管、安全生产监管", Weight: 2,
		Subjects:   []string{"安全生产", "危险化学品安全", "防灾减灾救灾|民政、扶贫、救灾", "应急救援队伍", "非煤矿山安全", "工贸行业安全", "森林防灭火", "应急预案管理"},
		Services:   []string{"危险化学品经营许可", "安全生产许可", "烟花爆竹经营许可"},
		Indicators: []string{"生产安全事故起数/起", "事故死亡人数/人", "安全生产执法检查/家次", "受灾人口/人次"},
		Hazards:    []string{"生产安全事故", "森林火灾", "自然灾害", "危险化学品事故"}},
	{Code: "sjj", Name: "临沂市审计局", Kind: "部门", Short: "市审计局", Abbr: "临审", Topic: "财政、金融、审计", Weight: 1.1,
		Subjects:   []string{"审计整改", "经济责任审计", "政府投资审计", "预算执行审计", "内部审计指导", "民生资金审计"},
		Services:   []string{"审计结果查询", "内部审计业务咨询"},
		Indicators: []string{"审计项目/个", "查出问题金额/万元", "促进整改落实/万元"},
		Hazards:    []string{"审计现场安全"}},
	{Code: "cgj", Name: "临沂市城市管理局", Kind: "部门", Short: "市城市管理局", Abbr: "临城管", Topic: "城乡建设、环境保护", Weight: 1.6,
		Subjects:   []string{"市容环境卫生", "城市供热", "园林绿化", "生活垃圾分类", "城市管理综合执法", "户外广告设置", "城市照明", "市政设施维护"},
		Services:   []string{"城市道路挖掘许可", "户外广告设施设置审批", "城市建筑垃圾处置核准"},
		Indicators: []string{"生活垃圾无害化处理量/万吨", "新增绿地面积/公顷", "集中供热面积/万平方米", "数字城管案件/件"},
		Hazards:    []string{"城市内涝", "冬季供热保障", "降雪除冰"}},
	{Code: "xfj", Name: "临沂市信访局", Kind: "直属机构", Short: "市信访局", Abbr: "临信访", Topic: "综合政务", Weight: 0.9,
		Subjects:   []string{"信访事项办理", "初信初访", "信访积案化解", "网上信访", "领导干部接访下访", "信访工作法治化"},
		Services:   []string{"信访事项受理", "网上信访投诉"},
		Indicators: []string{"受理信访事项/件", "及时受理率/%", "群众满意率/%"},
		Hazards:    []string{"群体性上访"}},
	{Code: "gzw", Name: "临沂市人民政府国有资产监督管理委员会", Kind: "直属机构", Short: "市国资委", Abbr: "临国资", Topic: "国民经济管理、国有资产监管", Weight: 1.1,
		Subjects:   []string{"国有企业改革", "市属企业负责人薪酬", "国有资产监管", "国有企业安全生产", "国有资本投资运营", "违规经营投资责任追究"},
		Services:   []string{"国有产权登记", "国有资产评估备案"},
		Indicators: []string{"市属企业资产总额/亿元", "市属企业营业收入/亿元", "市属企业利润总额/亿元"},
		Hazards:    []string{"国有企业安全生产事故"}},
	{Code: "scjgj", Name: "临沂市市场监督管理局", Kind: "直属机构", Short: "市市场监管局", Abbr: "临市监", Topic: "市场监管、安全生产监管", Weight: 2.3,
		Subjects:   []string{"食品安全", "价格监督检查", "特种设备安全", "药品安全", "知识产权保护", "产品质量监督抽查", "计量监督", "市场主体登记", "广告监测", "消费者权益保护"},
		Services:   []string{"食品经营许可", "营业执照办理", "特种设备使用登记", "药品零售企业许可"},
		Indicators: []string{"实有市场主体/万户", "新登记市场主体/户", "食品抽检批次/批次", "消费投诉举报/件"},
		Hazards:    []string{"食品安全事故", "特种设备事故", "药品安全事件"}},
	{Code: "tjj", Name: "临沂市统计局", Kind: "直属机构", Short: "市统计局", Abbr: "临统", Topic: "国民经济管理、国有资产监管", Weight: 1.8,
		Subjects:   []string{"统计执法", "经济普查", "人口普查|人口与计划生育、妇女儿童工作", "统计调查", "统计数据质量", "农业普查|农业、林业、水利"},
		Services:   []string{"统计资料查询", "涉外调查项目审批"},
		Indicators: []string{"地区生产总值/亿元", "规模以上工业增加值增速/%", "固定资产投资增速/%", "城镇居民人均可支配收入/元"},
		Hazards:    []string{"统计数据报送中断"}},
	{Code: "ybj", Name: "临沂市医疗保障局", Kind: "直属机构", Short: "市医保局", Abbr: "临医保", Topic: "卫生、体育", Weight: 1.6,
		Subjects:   []string{"医疗保障", "异地就医", "医保基金监管", "药品集中带量采购", "城乡居民医疗保险", "门诊慢特病", "长期护理保险", "医保支付方式改革"},
		Services:   []string{"异地就医备案", "门诊慢特病认定", "医保关系转移接续"},
		Indicators: []string{"基本医疗保险参保/万人", "医保基金支出/亿元", "异地就医直接结算/人次"},
		Hazards:    []string{"医保信息系统故障"}},
	{Code: "spj", Name: "临沂市行政审批服务局", Kind: "直属机构", Short: "市行政审批服务局", Abbr: "临审批", Topic: "综合政务", Weight: 1.8,
		Subjects:   []string{"政务服务", "“一窗受理”改革", "企业开办", "工程建设项目审批", "行政许可", "证照分离改革", "告知承诺制", "“无证明城市”建设"},
		Services:   []string{"企业开办", "工程建设项目联合验收", "食品生产许可", "药品经营许可"},
		Indicators: []string{"政务服务办件量/件", "即办件占比/%", "企业开办平均时长/小时", "网上可办率/%"},
		Hazards:    []string{"政务服务中心突发事件"}},
	{Code: "dsjj", Name: "临沂市大数据局", Kind: "直属机构", Short: "市大数据局", Abbr: "临大数据", Topic: "综合政务", Weight: 1.1,
		Subjects:   []string{"公共数据开放", "数字政府建设", "政务信息系统整合", "电子政务外网", "数据资源管理|科技、教育", "新型智慧城市", "政务云"},
		Services:   []string{"公共数据开放申请", "电子证照查询"},
		Indicators: []string{"开放数据集/个", "数据共享调用量/万次", "政务云资源使用率/%"},
		Hazards:    []string{"网络安全事件", "政务云服务中断"}},
	{Code: "tyj", Name: "临沂市体育局", Kind: "直属机构", Short: "市体育局", Abbr: "临体", Topic: "卫生、体育", Weight: 1.1,
		Subjects:   []string{"全民健身", "竞技体育", "体育产业", "青少年体育", "体育场馆开放", "社会体育指导员"},
		Services:   []string{"高危险性体育项目经营许可", "体育类社会组织业务指导"},
		Indicators: []string{"全民健身活动/场次", "人均体育场地面积/平方米", "体育产业总规模/亿元"},
		Hazards:    []string{"大型赛事安全事故"}},
	{Code: "rfb", Name: "临沂市人民防空办公室", Kind: "直属机构", Short: "市人防办", Abbr: "临人防", Topic: "国防", Weight: 0.9,
		Subjects:   []string{"人防工程建设", "防空警报试鸣", "人民防空宣传教育", "人防工程维护管理", "疏散基地建设"},
		Services:   []string{"人防工程建设审批", "人防工程拆除审批"},
		Indicators: []string{"新建人防工程面积/万平方米", "防空警报器/台"},
		Hazards:    []string{"人防工程险情"}},
	{Code: "jrj", Name: "临沂市地方金融监督管理局", Kind: "直属机构", Short: "市地方金融监管局", Abbr: "临金监", Topic: "财政、金融、审计", Weight: 1,
		Subjects:   []string{"防范非法集资", "企业上市", "地方金融组织监管", "普惠金融", "金融风险防控", "融资担保"},
		Services:   []string{"小额贷款公司设立审核", "融资担保公司设立审核"},
		Indicators: []string{"本外币存款余额/亿元", "本外币贷款余额/亿元", "上市公司/家"},
		Hazards:    []string{"非法集资风险"}},
	{Code: "gjj", Name: "临沂市住房公积金管理中心", Kind: "其他", Short: "市住房公积金管理中心", Abbr: "临公积金", Topic: "城乡建设、环境保护", Weight: 1.3,
		Subjects:   []string{"住房公积金缴存", "住房公积金提取", "住房公积金贷款", "灵活就业人员缴存", "住房公积金服务", "资金风险防控|财政、金融、审计"},
		Services:   []string{"住房公积金提取", "住房公积金个人住房贷款", "单位缴存登记"},
		Indicators: []string{"住房公积金缴存额/亿元", "住房公积金提取额/亿元", "发放个人住房贷款/亿元"},
		Hazards:    []string{"业务系统中断"}},
	{Code: "gxq", Name: "临沂高新技术产业开发区管委会", Kind: "管委会", Short: "高新区管委会", Abbr: "临高新管", Topic: "工业、交通", Weight: 1.4,
		Subjects:   []string{"招商引资", "科技创新|科技、教育", "企业服务", "安全生产|市场监管、安全生产监管", "项目建设", "人才引进|劳动、人事、监察", "电子信息产业"},
		Services:   []string{"企业投资项目备案", "人才公寓申请"},
		Indicators: []string{"规模以上工业增加值增速/%", "一般公共预算收入/万元", "固定资产投资增速/%", "高新技术产业产值占比/%"},
		Hazards:    []string{"化工园区安全事故", "生产安全事故"}},
	{Code: "jkq", Name: "临沂经济技术开发区管委会", Kind: "管委会", Short: "经开区管委会", Abbr: "临经开管", Topic: "工业、交通", Weight: 1.4,
		Subjects:   []string{"招商引资", "外贸进出口|商贸、海关、旅游", "项目建设", "企业服务", "安全生产|市场监管、安全生产监管", "乡村振兴|农业、林业、水利"},
		Services:   []string{"企业投资项目备案", "施工许可"},
		Indicators: []string{"规模以上工业营业收入/亿元", "进出口总额/亿元", "实际使用外资/万美元"},
		Hazards:    []string{"生产安全事故", "汛期安全"}},
	{Code: "lgq", Name: "临沂临港经济开发区管委会", Kind: "管委会", Short: "临港区管委会", Abbr: "临港管", Topic: "工业、交通", Weight: 1.2,
		Subjects:   []string{"先进钢铁制造", "港口物流", "项目建设", "安全生产|市场监管、安全生产监管", "乡村振兴|农业、林业、水利", "招商引资"},
		Services:   []string{"企业投资项目备案", "建设工程规划许可"},
		Indicators: []string{"规模以上工业增加值增速/%", "固定资产投资/亿元", "港口货物吞吐量/万吨"},
		Hazards:    []string{"冶金企业安全事故", "危险化学品事故"}},
	{Code: "scq", Name: "临沂商城管委会", Kind: "管委会", Short: "商城管委会", Abbr: "临商城管", Topic: "商贸、海关、旅游", Weight: 1.3,
		Subjects:   []string{"商城转型升级", "市场采购贸易", "物流降本增效|工业、交通", "商城国际化", "直播电商", "商户服务"},
		Services:   []string{"市场采购贸易主体备案", "商户经营咨询"},
		Indicators: []string{"商城市场交易额/亿元", "物流总额/亿元", "市场采购贸易出口额/亿元"},
		Hazards:    []string{"市场消防安全", "物流园区安全事故"}},
	{Code: "msq", Name: "临沂蒙山旅游度假区管委会", Kind: "管委会", Short: "蒙山旅游度假区管委会", Abbr: "临蒙旅管", Topic: "商贸、海关、旅游", Weight: 1,
		Subjects:   []string{"旅游市场秩序", "景区安全", "森林防火|农业、林业、水利", "乡村旅游", "生态保护|城乡建设、环境保护", "文旅融合"},
		Services:   []string{"旅游投诉受理", "景区预约服务"},
		Indicators: []string{"接待游客/万人次", "旅游综合收入/亿元", "民宿经营户/户"},
		Hazards:    []string{"森林火灾", "景区客流超限", "山洪地质灾害"}},
	{Code: "zbq", Name: "临沂综合保税区管委会", Kind: "管委会", Short: "综合保税区管委会", Abbr: "临综保管", Topic: "商贸、海关、旅游", Weight: 1,
		Subjects:   []string{"招商引资", "保税物流", "外贸进出口", "海关监管服务", "跨境电商", "加工贸易"},
		Services:   []string{"区内企业设立咨询", "保税仓储服务"},
		Indicators: []string{"进出口总额/亿元", "保税物流货值/亿元", "入区企业/家"},
		Hazards:    []string{"保税仓库安全事故"}},
	{Code: "jgswj", Name: "临沂市机关事务服务中心", Kind: "其他", Short: "市机关事务服务中心", Abbr: "临机关", Topic: "综合政务", Weight: 0.8,
		Subjects:   []string{"公共机构节能|国土资源、能源", "公务用车管理", "办公用房管理", "机关后勤服务|其他"},
		Services:   []string{"公共机构节能咨询"},
		Indicators: []string{"公共机构能耗/吨标准煤", "公务用车/辆"},
		Hazards:    []string{"机关办公区安全"}},
	{Code: "gxs", Name: "临沂市供销合作社联合社", Kind: "其他", Short: "市供销社", Abbr: "临供销", Topic: "农业、林业、水利", Weight: 0.8,
		Subjects:   []string{"农业社会化服务", "为农服务中心建设", "农村电商|商贸、海关、旅游", "基层供销社建设"},
		Services:   []string{"农资供应咨询"},
		Indicators: []string{"系统销售总额/亿元", "土地托管服务面积/万亩"},
		Hazards:    []string{"农资储备供应"}},
	{Code: "ggzyjy", Name: "临沂市公共资源交易中心", Kind: "其他", Short: "市公共资源交易中心", Abbr: "临公共资源", Topic: "财政、金融、审计", Weight: 1,
		Subjects:   []string{"公共资源交易", "电子招投标", "评标专家管理", "交易场所管理"},
		Services:   []string{"交易主体注册", "开评标场地预约"},
		Indicators: []string{"交易项目/个", "交易额/亿元", "节约资金/亿元"},
		Hazards:    []string{"交易系统故障"}},
	{Code: "qxj", Name: "临沂市气象局", Kind: "其他", Short: "市气象局", Abbr: "临气", Topic: "农业、林业、水利", Weight: 0.8,
		Subjects:   []string{"气象灾害防御|民政、扶贫、救灾", "人工影响天气", "气象为农服务", "防雷安全"},
		Services:   []string{"雷电防护装置设计审核", "气象信息服务"},
		Indicators: []string{"平均气温/摄氏度", "降水量/毫米", "日照时数/小时"},
		Hazards:    []string{"暴雨", "寒潮", "高温", "大风"}},
	{Code: "cl", Name: "临沂市残疾人联合会", Kind: "其他", Short: "市残联", Abbr: "临残联", Topic: "民政、扶贫、救灾", Weight: 0.8,
		Subjects:   []string{"残疾人就业", "残疾人康复", "残疾人托养", "无障碍环境建设|城乡建设、环境保护"},
		Services:   []string{"残疾人证办理", "残疾儿童康复救助申请"},
		Indicators: []string{"持证残疾人/人", "残疾人康复服务/人次"},
		Hazards:    []string{"托养机构安全事故"}},
	{Code: "dag", Name: "临沂市档案馆", Kind: "其他", Short: "市档案馆", Abbr: "临档", Topic: "文化、广电、新闻出版", Weight: 0.7,
		Subjects:   []string{"档案开放", "档案数字化", "档案安全", "红色档案资源开发"},
		Services:   []string{"档案查阅利用", "婚姻档案查询"},
		Indicators: []string{"馆藏档案/卷", "档案查阅利用/人次"},
		Hazards:    []string{"档案馆库安全"}},
}

// zoneNames are the short names the development zones use for
// themselves in statistics.
var zoneNames = map[string]string{
	"gxq": "临沂高新区", "jkq": "临沂经开区", "lgq": "临港区", "scq": "临沂商城",
	"msq": "蒙山旅游度假区", "zbq": "临沂综合保税区",
}

func isZone(code string) bool { _, ok := zoneNames[code]; return ok }

// writeUnits writes units.jsonl.
func writeUnits(w *bufio.Writer) (int, error) {
	type line struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		Kind    string `json:"kind"`
		OrgCode string `json:"org_code"`
	}
	enc := newLineEncoder(w)
	for i := range units {
		u := &units[i]
		err := enc.Encode(line{u.Code, u.Name, u.Kind, unitCreditCode(u.Code, u.Kind == "其他")})
		if err != nil {
			return i, err
		}
	}
	return len(units), nil
}
