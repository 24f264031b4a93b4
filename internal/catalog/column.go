package catalog

import "fmt"

// GroupColumn is the code of 信息公开目录, the column that groups the others
// and never holds entries itself.
const GroupColumn = "gkml"

// Column is one column of the standard template or of a unit's tree.
type Column struct {
	Code        string `json:"code" db:"code"`
	Name        string `json:"name" db:"name"`
	Parent      string `json:"parent,omitempty" db:"parent"`
	Description string `json:"description" db:"description"`
	// StaleDays is the number of days without a new entry after which the
	// column counts as overdue; 0 means "update when it changes".
	StaleDays int `json:"stale_days" db:"stale_days"`
	// DueMonthDay ("01-31") is a yearly deadline instead of a staleness clock.
	DueMonthDay string `json:"due_month_day,omitempty" db:"due_month_day"`
	// Delegated columns publish a unit's approved entry without office review.
	Delegated bool `json:"delegated" db:"delegated"`
	// Leaf columns hold entries; grouping columns only hold other columns.
	Leaf     bool `json:"leaf" db:"leaf"`
	Position int  `json:"position" db:"position"`
}

// Template is a versioned set of columns set by the city office.
type Template struct {
	Version int      `json:"version"`
	Columns []Column `json:"columns"`
}

// Column returns the template column with the given code.
func (t Template) Column(code string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Code == code {
			return c, true
		}
	}
	return Column{}, false
}

// Validate checks that codes are unique, parents exist and precede their
// children, and grouping columns are not marked as leaves.
func (t Template) Validate() error {
	seen := map[string]Column{}
	for i, c := range t.Columns {
		if !ValidUnitCode(c.Code) {
			return fmt.Errorf("catalog: template column %d: bad code %q", i+1, c.Code)
		}
		if _, dup := seen[c.Code]; dup {
			return fmt.Errorf("catalog: template column %q appears twice", c.Code)
		}
		if c.Parent != "" {
			p, ok := seen[c.Parent]
			if !ok {
				return fmt.Errorf("catalog: template column %q: parent %q must come before it", c.Code, c.Parent)
			}
			if p.Leaf {
				return fmt.Errorf("catalog: template column %q: parent %q holds entries and cannot group columns", c.Code, c.Parent)
			}
		}
		seen[c.Code] = c
	}
	return nil
}

// DefaultTemplate returns version 1 of the city office's standard template:
// five top-level columns, and 信息公开目录 grouping seventeen more.
func DefaultTemplate() Template {
	cols := []Column{
		{Code: "zyzz", Name: "主要职责", Description: "本单位的法定职责"},
		{Code: "gkzn", Name: "信息公开指南", Description: "向本单位申请获取政府信息的方式和途径，每年复核", StaleDays: 365},
		{Code: GroupColumn, Name: "信息公开目录", Description: "归集以下各栏目，本身不发布信息"},
		{Code: "gknb", Name: "信息公开年报", Description: "上一年度政府信息公开工作年度报告，每年1月31日前发布", DueMonthDay: "01-31"},
		{Code: "gkzd", Name: "信息公开制度", Description: "本单位信息公开的审查、保密审查和发布制度"},
		{Code: "ldfg", Name: "领导分工", Parent: GroupColumn, Description: "领导姓名、职务和分管工作", StaleDays: 365},
		{Code: "jgsz", Name: "机构设置", Parent: GroupColumn, Description: "内设机构和下属单位", StaleDays: 365},
		{Code: "tzgg", Name: "通知公告", Parent: GroupColumn, Description: "通知、公告和公示公告", StaleDays: 180, Delegated: true},
		{Code: "zcwj", Name: "政策文件", Parent: GroupColumn, Description: "本单位制发的政策文件和文件通知", StaleDays: 180},
		{Code: "gfxwj", Name: "规范性文件", Parent: GroupColumn, Description: "行政规范性文件及其有效性", StaleDays: 180, Delegated: true},
		{Code: "zcjd", Name: "政策解读", Parent: GroupColumn, Description: "政策文件的解读：文字、图解、问答、访谈、视频、媒体评论", StaleDays: 180, Delegated: true},
		{Code: "jhzj", Name: "计划总结", Parent: GroupColumn, Description: "年度工作计划和年终总结", StaleDays: 365},
		{Code: "ghjh", Name: "规划计划", Parent: GroupColumn, Description: "发展规划和专项规划", StaleDays: 365},
		{Code: "tjsj", Name: "统计数据", Parent: GroupColumn, Description: "统计信息发布和统计公报", StaleDays: 180, Delegated: true},
		{Code: "czzj", Name: "财政资金", Parent: GroupColumn, Description: "预算、决算、“三公”经费和专项资金", StaleDays: 365},
		{Code: "qlqd", Name: "行政权力清单", Parent: GroupColumn, Description: "行政权力和责任清单", StaleDays: 365},
		{Code: "zdxm", Name: "重大建设项目", Parent: GroupColumn, Description: "重大项目的批准、招投标、施工和竣工", StaleDays: 180},
		{Code: "ggzy", Name: "公共资源配置", Parent: GroupColumn, Description: "土地、采购、招投标和国有资产等公共资源配置", StaleDays: 180},
		{Code: "ggfw", Name: "公共服务", Parent: GroupColumn, Description: "公共服务和便民服务信息，含公共企事业单位", StaleDays: 180},
		{Code: "yjzj", Name: "意见征集", Parent: GroupColumn, Description: "公开征求意见的草案及意见采纳情况反馈", StaleDays: 365, Delegated: true},
		{Code: "zwft", Name: "政务访谈", Parent: GroupColumn, Description: "领导干部在线访谈", StaleDays: 365, Delegated: true},
		{Code: "yjgl", Name: "应急管理", Parent: GroupColumn, Description: "应急预案、预警信息和对社会关切的回应", StaleDays: 180},
	}
	for i := range cols {
		cols[i].Position = i + 1
		cols[i].Leaf = cols[i].Code != GroupColumn
	}
	return Template{Version: 1, Columns: cols}
}
