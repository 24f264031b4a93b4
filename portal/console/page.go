package console

import (
	"context"
	"net/http"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// page is what every console page renders from.
type page struct {
	Site   string
	Path   string
	Title  string
	User   *userView
	CSRF   string
	Menu   []menuItem
	Tree   []treeItem // the unit's catalog tree, for unit roles
	Unit   string
	Notice string // a message after an action succeeded
	Data   any
}

type userView struct {
	Login    string
	Role     auth.Role
	Unit     string
	UnitName string
}

type menuItem struct {
	Label   string
	URL     string
	Current bool
	Count   int // items waiting, shown as a badge
}

// treeItem is one column of the unit's tree in the side bar.
type treeItem struct {
	Code     string
	Name     string
	Depth    int
	Leaf     bool
	State    string
	URL      string
	Current  bool
	Counts   map[string]int // by status
	Overdue  bool
	LastPub  *time.Time
	Filtered bool
}

// notices are the fixed messages shown after an action (?done=…); only
// these are ever shown, so nothing a link carries is reflected.
var notices = map[string]string{
	"saved":            "已保存。",
	"created":          "草稿已创建。",
	"submitted":        "已提交。",
	"submitted_remind": "已提交。提醒：该政策文件尚未关联政策解读，请同步起草解读并在解读中关联本文件。",
	"approved":         "已审核通过。",
	"published":        "已审核通过并发布。",
	"returned":         "已退回，退回理由已告知单位。",
	"withdrawn":        "已撤回，公开页面将显示撤回说明。",
	"pinned":           "已置顶到门户首页。",
	"unpinned":         "已取消置顶。",
	"filed":            "目录调整已报备。",
	"decided":          "报备已处理。",
	"delegated":        "维护权限设置已保存。",
	"password":         "密码已修改。",
	"unlocked":         "账号已解锁。",
	"blocked":          "未提交：质量检查发现须处理的问题，请按下列提示修改；单位审核人可说明理由后强制提交。",
	"masked":           "已对正文、标题和摘要中的个人信息脱敏，并保存为新版本。",
	"masked_none":      "没有可以自动脱敏的个人信息。",
	"retraining":       "已开始重新训练栏目归属模型，稍后刷新查看结果。",
}

// addNotices adds the messages of one part of the console (its file
// declares them beside its handlers); a key given twice is a mistake.
func addNotices(m map[string]string) bool {
	for k, v := range m {
		if _, dup := notices[k]; dup {
			panic("console: notice " + k + " declared twice")
		}
		notices[k] = v
	}
	return true
}

// newPage starts a page for the logged-in caller, with the menu for its
// role and, for unit roles, the unit's tree.
func (c *Console) newPage(r *http.Request, title string) *page {
	p, _ := principalFrom(r.Context())
	pg := &page{Title: title, Notice: notices[r.URL.Query().Get("done")]}
	if sess, ok := sessionFrom(r.Context()); ok {
		pg.CSRF = sess.CSRFToken
	}
	if p.Role == "" {
		return pg
	}
	u := &userView{Login: p.Login, Role: p.Role, Unit: p.Unit}
	if p.Unit != "" {
		if unit, err := c.Store.Unit(r.Context(), p.Unit); err == nil {
			u.UnitName = unit.Name
		}
		pg.Unit = p.Unit
	}
	pg.User = u
	pg.Menu = c.menu(r.Context(), p, r.URL.Path)
	if p.Role.NeedsUnit() {
		pg.Tree = c.tree(r.Context(), p.Unit, r.URL.Query().Get("column"))
	}
	return pg
}

func (c *Console) menu(ctx context.Context, p auth.Principal, current string) []menuItem {
	var items []menuItem
	add := func(label, url string, n int) {
		items = append(items, menuItem{Label: label, URL: url, Current: url == current, Count: n})
	}
	count := func(units []string, statuses ...string) int {
		n, err := c.Store.CountConsoleEntries(ctx, store.ConsoleList{Units: units, Statuses: statuses})
		if err != nil {
			return 0
		}
		return n
	}
	switch {
	case p.Role.NeedsUnit():
		add("本单位信息", "/console/entries", 0)
		add("新建信息", "/console/entries/new", 0)
		if p.Role == auth.RoleApprover {
			add("待我审核", "/console/approvals", count([]string{p.Unit}, catalog.StatusPending))
		}
		add("目录报备", "/console/filings", 0)
		add("督办通知", "/console/notices", c.openNotices(ctx, p))
		add("年报统计", "/console/annual", 0)
	case auth.IsOffice(p):
		add("审核队列", "/console/review", count(nil, catalog.StatusSubmitted))
		add("已发布信息", "/console/published", 0)
		add("目录报备", "/console/filings", 0)
		add("维护权限下放", "/console/delegation", 0)
		add("质量检查", "/console/checks", 0)
		add("监督考核", "/console/supervision", 0)
		add("督办通知", "/console/notices", c.openNotices(ctx, p))
		add("月度抽查", "/console/spotchecks", 0)
		add("季度通报", "/console/bulletins", 0)
		add("专项督查", "/console/campaigns", 0)
		add("年报统计", "/console/annual", 0)
		add("热门搜索", "/console/popular", 0)
	}
	if auth.CanReadAudit(p) == nil {
		add("审计日志", "/console/audit", 0)
	}
	if auth.CanManageUsers(p) == nil {
		add("账号管理", "/console/users", 0)
	}
	add("修改密码", "/console/password", 0)
	return items
}

// tree is the unit's catalog tree with counts by state and overdue marks.
func (c *Console) tree(ctx context.Context, unit, current string) []treeItem {
	cols, err := c.Store.TreeWithStats(ctx, unit)
	if err != nil {
		return nil
	}
	counts, _ := c.Store.UnitStatusCounts(ctx, unit)
	by := map[string]map[string]int{}
	for _, n := range counts {
		if by[n.Column] == nil {
			by[n.Column] = map[string]int{}
		}
		by[n.Column][n.Status] = n.N
	}
	now := c.Now()
	out := make([]treeItem, 0, len(cols))
	for _, col := range cols {
		it := treeItem{Code: col.Code, Name: col.Name, Leaf: col.Leaf, State: col.State, Counts: by[col.Code],
			LastPub: col.LastPublish, Current: col.Code == current}
		if col.Parent != "" {
			it.Depth = 1
		}
		if col.Leaf {
			it.URL = "/console/entries?column=" + col.Code
			it.Overdue = overdue(col.Column, col.LastPublish, now)
		}
		out = append(out, it)
	}
	return out
}

// overdue reports whether a column has gone too long without a new entry:
// past its stale days, or past this year's due date without an entry
// published since the year began.
func overdue(col catalog.Column, last *time.Time, now time.Time) bool {
	if col.DueMonthDay != "" {
		now = now.In(catalog.Shanghai)
		due, err := time.ParseInLocation("2006-01-02", now.Format("2006")+"-"+col.DueMonthDay, catalog.Shanghai)
		if err != nil || now.Before(due) {
			return false
		}
		return last == nil || last.In(catalog.Shanghai).Year() < now.Year()
	}
	if col.StaleDays <= 0 {
		return false
	}
	return last == nil || now.Sub(*last) > time.Duration(col.StaleDays)*24*time.Hour
}
