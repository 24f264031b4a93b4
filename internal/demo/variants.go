package demo

// Variants of each column. A variant fixes the kind of document (a
// training notice, a procurement result, a budget…) so that title, body
// and attachments of an entry tell the same story.
const (
	// 通知公告
	tzTraining uint8 = iota
	tzInspection
	tzMeeting
	tzPublicity
	tzReport
	tzCirculation
	tzRecruitment
	tzFollowUp
)

const (
	// 政策文件
	zcPlan uint8 = iota
	zcActionPlan
	zcOpinion
	zcAnnual
	zcKeyPoints
	zcMeasures
)

const (
	// 规范性文件
	gfMeasures uint8 = iota
	gfInterim
	gfRules
	gfProvisions
	gfFunds
)

const (
	// 公共资源配置
	gzConsultation uint8 = iota
	gzTender
	gzAward
	gzDeal
	gzIntent
	gzContract
	gzLand
	gzLandResult
)

const (
	// 重大建设项目
	zdApproval uint8 = iota
	zdBidding
	zdPermit
	zdCompletion
	zdList
	zdProgress
	zdLandAcq
)

const (
	// 统计数据
	tjBulletin uint8 = iota
	tjEconomy
	tjCPI
	tjMonthly
	tjCumulative
	tjZone
)

const (
	// 财政资金
	czBudget uint8 = iota
	czFinal
	czThreePublic
	czAllocation
	czResult
	czPerformance
)

const (
	// 计划总结
	jhPlan uint8 = iota
	jhSummary
	jhHalfYear
	jhYearEnd
	jhRuleOfLaw
	jhProgress
)

const (
	// 规划计划
	ghMidterm13 uint8 = iota
	ghSpecial
	ghFiveYear
	ghFiveYearPlain
	ghMidterm14
	ghPrep15
)

const (
	// 公共服务
	gfwGuide uint8 = iota
	gfwFAQ
	gfwHotlines
	gfwHoliday
)

const (
	// 意见征集
	yzSolicit uint8 = iota
	yzSolicitRules
	yzFeedback
)

const (
	// 政务访谈
	ftOnline uint8 = iota
	ftRadio
	ftTheme
)

const (
	// 应急管理
	yjPrevention uint8 = iota
	yjPlan
	yjAlert
	yjDrill
	yjResponse
)
