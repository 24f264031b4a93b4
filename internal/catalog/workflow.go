package catalog

import "fmt"

// Actions on an entry in the back office.
const (
	ActionSave     = "save"     // write or edit a draft or returned entry
	ActionSubmit   = "submit"   // unit staff send it to the unit's approver
	ActionApprove  = "approve"  // the unit approver or the office reviewer passes it on
	ActionReturn   = "return"   // send it back to the unit with a reason
	ActionWithdraw = "withdraw" // take a published entry off the portal, with a reason
	ActionPin      = "pin"      // pin an emergency response to the portal home
	ActionUnpin    = "unpin"
	// ActionMask replaces the personal information the quality gate found
	// by its masked form (one-click masking): unit staff before the entry
	// leaves the unit, the office while reviewing it.
	ActionMask = "mask"
)

// Who acts, as the workflow sees it: the roles grouped by their part in
// the review chain.
const (
	PartStaff    = "staff"    // unit staff (信息员)
	PartApprover = "approver" // the unit's approver (单位审核人)
	PartOffice   = "office"   // the city office: reviewers and administrators
)

// EmergencyColumn is the column of emergency responses (应急管理), whose
// entries may be pinned to the portal home.
const EmergencyColumn = "yjgl"

// PolicyColumn holds policy documents, which ask for an interpretation.
const PolicyColumn = "zcwj"

// StatusLabel is a state's name for people.
func StatusLabel(s string) string {
	switch s {
	case StatusDraft:
		return "草稿"
	case StatusPending:
		return "待单位审核"
	case StatusSubmitted:
		return "已上报，待审核"
	case StatusReturned:
		return "已退回"
	case StatusPublished:
		return "已发布"
	case StatusWithdrawn:
		return "已撤回"
	}
	return s
}

// Route is what decides where an approved entry goes next.
type Route struct {
	// UnitApproval: staff submissions wait for the unit's approver. It is
	// always true today; a unit without an approver would switch it off.
	UnitApproval bool
	// Delegated: the column is delegated to the unit (维护权限下放), so the
	// unit's approval publishes the entry without office review.
	Delegated bool
}

// TransitionError says why an action is not possible from an entry's
// state: an illegal transition, answered as a conflict.
type TransitionError struct {
	Action, From, Part string
	Reason             string
}

func (e *TransitionError) Error() string { return e.Reason }

// RoleError says that the acting part may never take the action, whatever
// the entry's state: answered as forbidden.
type RoleError struct {
	Action, Part string
}

func (e *RoleError) Error() string {
	return fmt.Sprintf("%s无权执行“%s” (role may not %s)", partLabel(e.Part), actionLabel(e.Action), e.Action)
}

// Next is the state machine of PRODUCT.md §3: where an entry in state from
// goes when part takes action, or why it cannot. It is the one place that
// says who may do what from which state.
//
//	save:     staff, approver     draft → draft, returned → returned
//	submit:   staff, approver     draft, returned → pending (→ submitted or published without unit approval)
//	approve:  approver            pending → submitted (published when delegated)
//	          office              submitted → published
//	return:   approver            pending → returned
//	          office              submitted → returned
//	withdraw: approver, office    published → withdrawn
//	pin/unpin: office             published → published
//	mask:     staff               draft, returned → unchanged
//	          approver            draft, returned, pending → unchanged
//	          office              submitted → unchanged
func Next(action, part, from string, rt Route) (string, error) {
	may := map[string][]string{
		ActionSave:     {PartStaff, PartApprover},
		ActionSubmit:   {PartStaff, PartApprover},
		ActionApprove:  {PartApprover, PartOffice},
		ActionReturn:   {PartApprover, PartOffice},
		ActionWithdraw: {PartApprover, PartOffice},
		ActionPin:      {PartOffice},
		ActionUnpin:    {PartOffice},
		ActionMask:     {PartStaff, PartApprover, PartOffice},
	}
	parts, known := may[action]
	if !known {
		return "", fmt.Errorf("catalog: unknown action %q", action)
	}
	if !contains(parts, part) {
		return "", &RoleError{Action: action, Part: part}
	}
	bad := func(reason string) (string, error) {
		return "", &TransitionError{Action: action, From: from, Part: part,
			Reason: fmt.Sprintf("信息当前状态为“%s”，%s (cannot %s an entry that is %s)", StatusLabel(from), reason, action, from)}
	}
	afterUnit := StatusSubmitted
	if rt.Delegated {
		afterUnit = StatusPublished
	}
	switch action {
	case ActionSave:
		if from == StatusDraft || from == StatusReturned {
			return from, nil
		}
		return bad("只有草稿和退回的信息可以修改")
	case ActionSubmit:
		if from != StatusDraft && from != StatusReturned {
			return bad("只有草稿和退回的信息可以提交")
		}
		if rt.UnitApproval {
			return StatusPending, nil
		}
		return afterUnit, nil
	case ActionApprove:
		switch {
		case part == PartApprover && from == StatusPending:
			return afterUnit, nil
		case part == PartOffice && from == StatusSubmitted:
			return StatusPublished, nil
		case part == PartApprover && from == StatusSubmitted:
			return bad("已上报市政府办公室，等待其审核")
		case part == PartOffice && from == StatusPending:
			return bad("尚未通过单位审核")
		}
		return bad("没有待审核的内容")
	case ActionReturn:
		switch {
		case part == PartApprover && from == StatusPending, part == PartOffice && from == StatusSubmitted:
			return StatusReturned, nil
		case part == PartApprover && from == StatusSubmitted:
			return bad("已上报市政府办公室，只能由其退回")
		case part == PartOffice && from == StatusPending:
			return bad("尚在单位审核中，由单位审核人退回")
		}
		return bad("没有待审核的内容可以退回")
	case ActionWithdraw:
		if from == StatusPublished {
			return StatusWithdrawn, nil
		}
		return bad("只有已发布的信息可以撤回")
	case ActionMask:
		switch {
		case part == PartOffice && from == StatusSubmitted,
			part == PartApprover && (from == StatusDraft || from == StatusReturned || from == StatusPending),
			part == PartStaff && (from == StatusDraft || from == StatusReturned):
			return from, nil
		}
		return bad("此时不能修改内容")
	default: // pin, unpin
		if from == StatusPublished {
			return from, nil
		}
		return bad("只有已发布的信息可以置顶")
	}
}

func partLabel(p string) string {
	switch p {
	case PartStaff:
		return "信息员"
	case PartApprover:
		return "单位审核人"
	case PartOffice:
		return "市政府办公室"
	}
	return "该角色"
}

func actionLabel(a string) string {
	switch a {
	case ActionSave:
		return "保存"
	case ActionSubmit:
		return "提交"
	case ActionApprove:
		return "审核通过"
	case ActionReturn:
		return "退回"
	case ActionWithdraw:
		return "撤回"
	case ActionPin:
		return "置顶"
	case ActionUnpin:
		return "取消置顶"
	case ActionMask:
		return "一键脱敏"
	}
	return a
}

// ActionLabel is an action's name for people.
func ActionLabel(a string) string { return actionLabel(a) }

// ReturnTemplates are the office's usual reasons for returning an entry;
// the reviewer picks one and may edit its text.
var ReturnTemplates = []string{
	"栏目不符：该信息不属于所选栏目，请调整到正确栏目后重新提交。",
	"要素不全：请补充文号、成文日期等必要的元数据。",
	"内容有误：标题或正文存在错别字、表述不规范，请核对修改。",
	"涉及个人信息：正文或附件含有未处理的身份证号、手机号等个人信息，请脱敏后重新提交。",
	"保密审查：请完成保密审查后再提交。",
	"缺少政策解读：政策文件须同步提交政策解读。",
	"附件问题：附件无法打开或与正文不一致，请重新上传。",
}
