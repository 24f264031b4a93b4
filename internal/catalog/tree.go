package catalog

import "fmt"

// Where a column of a unit's tree came from.
const (
	OriginTemplate = "template" // copied from the city office's template
	OriginUnit     = "unit"     // added by the unit itself, with a filing
)

// States of a column in a unit's tree.
const (
	ColumnActive  = "active"  // in force: entries may be placed here
	ColumnPending = "pending" // added by the unit, waiting for the office's approval
	ColumnRemoved = "removed" // removed by the unit; kept so history still resolves
)

// TreeColumn is one column of one unit's catalog tree.
type TreeColumn struct {
	Column
	Unit   string `json:"unit" db:"unit"`
	Origin string `json:"origin" db:"origin"`
	State  string `json:"state" db:"state"`
}

// Tree is a unit's catalog tree, in display order.
type Tree []TreeColumn

// TreeFromTemplate gives a new unit its tree: every template column, active.
func TreeFromTemplate(unit string, t Template) Tree {
	tree := make(Tree, len(t.Columns))
	for i, c := range t.Columns {
		tree[i] = TreeColumn{Column: c, Unit: unit, Origin: OriginTemplate, State: ColumnActive}
	}
	return tree
}

// Find returns the tree's column with the given code.
func (t Tree) Find(code string) (TreeColumn, bool) {
	for _, c := range t {
		if c.Code == code {
			return c, true
		}
	}
	return TreeColumn{}, false
}

// CheckPlacement reports why an entry may not be placed in column code, or
// nil when it may: the column must exist, be in force and hold entries.
func (t Tree) CheckPlacement(code string) error {
	c, ok := t.Find(code)
	switch {
	case !ok:
		return fmt.Errorf("栏目 %q 不在本单位目录树中 (unknown column)", code)
	case !c.Leaf:
		return fmt.Errorf("栏目 %q（%s）只用于归集其他栏目，不能直接发布信息 (grouping column)", code, c.Name)
	case c.State == ColumnRemoved:
		return fmt.Errorf("栏目 %q（%s）已被本单位撤销 (column removed)", code, c.Name)
	case c.State != ColumnActive:
		return fmt.Errorf("栏目 %q（%s）尚未生效，等待市政府办公室审核 (column not yet in force)", code, c.Name)
	}
	return nil
}

// Filing actions: every change a unit makes to its tree is filed (报备).
const (
	FilingAdd    = "add"
	FilingRemove = "remove"
)

// Filing states.
const (
	FilingFiled    = "filed"    // in force once filed
	FilingPending  = "pending"  // the office requires approval for this unit
	FilingApproved = "approved" // approved by the office
	FilingRejected = "rejected" // rejected by the office
	// FilingAcknowledged: the office has seen a change that was in force
	// once filed.
	FilingAcknowledged = "acknowledged"
)

// ColumnChange is a unit's request to add or remove a column of its tree.
type ColumnChange struct {
	Unit   string
	Action string // FilingAdd or FilingRemove
	Column Column // for FilingRemove only Code matters
	Reason string
	By     string
}

// Validate checks the change against the unit's current tree.
func (c ColumnChange) Validate(t Tree) error {
	var errs FieldErrors
	if len([]rune(c.Reason)) < 2 {
		errs.Add("reason", "调整目录须说明理由 (a reason is required)")
	}
	switch c.Action {
	case FilingAdd:
		if !ValidUnitCode(c.Column.Code) {
			errs.Add("code", "栏目代码格式不正确 (must match [a-z0-9_-]{1,32})")
		} else if old, ok := t.Find(c.Column.Code); ok && old.State != ColumnRemoved {
			errs.Add("code", fmt.Sprintf("栏目 %q 已存在 (column exists)", c.Column.Code))
		}
		if c.Column.Name == "" {
			errs.Add("name", "缺少栏目名称 (required)")
		}
		if c.Column.Parent != "" {
			p, ok := t.Find(c.Column.Parent)
			if !ok || p.State == ColumnRemoved || p.Leaf {
				errs.Add("parent", fmt.Sprintf("上级栏目 %q 不存在或不能归集栏目", c.Column.Parent))
			}
		}
	case FilingRemove:
		old, ok := t.Find(c.Column.Code)
		if !ok || old.State == ColumnRemoved {
			errs.Add("code", fmt.Sprintf("栏目 %q 不在本单位目录树中 (unknown column)", c.Column.Code))
		} else if !old.Leaf {
			for _, child := range t {
				if child.Parent == old.Code && child.State != ColumnRemoved {
					errs.Add("code", fmt.Sprintf("栏目 %q 下还有栏目，不能撤销 (has child columns)", old.Code))
					break
				}
			}
		}
	default:
		errs.Add("action", "action must be add or remove")
	}
	return errs.Err()
}
