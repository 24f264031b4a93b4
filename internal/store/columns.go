package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gongkai/internal/catalog"
)

const columnFields = `code, name, parent, description, stale_days, due_month_day, delegated, leaf, position`

// EnsureTemplate stores t as the first column template when the store has
// none yet, so a fresh store starts from the city office's default.
func (s *Store) EnsureTemplate(ctx context.Context, t catalog.Template) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		if tx.dialect == Postgres {
			// Replicas starting together on a new database: one stores the
			// template, the others then find it.
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(0x746d706c)); err != nil {
				return fmt.Errorf("store: template lock: %w", err)
			}
		}
		var n int
		if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM column_templates`); err != nil {
			return fmt.Errorf("store: count templates: %w", err)
		}
		if n > 0 {
			return nil
		}
		return tx.insertTemplate(ctx, t, "默认栏目模板")
	})
}

func (t *Tx) insertTemplate(ctx context.Context, tmpl catalog.Template, note string) error {
	if _, err := t.exec(ctx, `INSERT INTO column_templates (version, note, created_at) VALUES (?, ?, ?)`, tmpl.Version, note, nowMillis()); err != nil {
		return fmt.Errorf("store: insert template %d: %w", tmpl.Version, err)
	}
	rows := make([][]any, len(tmpl.Columns))
	for i, c := range tmpl.Columns {
		rows[i] = []any{tmpl.Version, c.Code, c.Name, c.Parent, c.Description, c.StaleDays, c.DueMonthDay, c.Delegated, c.Leaf, c.Position}
	}
	return t.insertRows(ctx, "template_columns", []string{"version", "code", "name", "parent", "description", "stale_days", "due_month_day", "delegated", "leaf", "position"}, rows, "")
}

// Template returns the newest column template.
func (s *Store) Template(ctx context.Context) (catalog.Template, error) {
	var tmpl catalog.Template
	err := s.inTx(ctx, func(t *Tx) error {
		var err error
		tmpl, err = t.currentTemplate(ctx)
		return err
	})
	return tmpl, err
}

func (t *Tx) currentTemplate(ctx context.Context) (catalog.Template, error) {
	var tmpl catalog.Template
	err := t.get(ctx, &tmpl.Version, `SELECT version FROM column_templates ORDER BY version DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return tmpl, fmt.Errorf("store: no column template yet (run EnsureTemplate first): %w", ErrNotFound)
	}
	if err != nil {
		return tmpl, fmt.Errorf("store: current template: %w", err)
	}
	if err := t.sel(ctx, &tmpl.Columns, `SELECT `+columnFields+` FROM template_columns WHERE version = ? ORDER BY position`, tmpl.Version); err != nil {
		return tmpl, fmt.Errorf("store: template columns: %w", err)
	}
	return tmpl, nil
}

func (t *Tx) insertTree(ctx context.Context, tree catalog.Tree, version int) error {
	rows := make([][]any, len(tree))
	for i, c := range tree {
		rows[i] = []any{c.Unit, c.Code, c.Name, c.Parent, c.Description, c.StaleDays, c.DueMonthDay, c.Delegated, c.Leaf, c.Position, c.Origin, version, c.State}
	}
	return t.insertRows(ctx, "unit_columns", []string{"unit", "code", "name", "parent", "description", "stale_days", "due_month_day", "delegated", "leaf", "position", "origin", "template_version", "state"}, rows, "")
}

const treeQuery = `SELECT unit, ` + columnFields + `, origin, state FROM unit_columns WHERE unit = ? ORDER BY position, code`

// Tree returns a unit's catalog tree, removed columns included.
func (s *Store) Tree(ctx context.Context, unit string) (catalog.Tree, error) {
	var tree catalog.Tree
	if err := s.sel(ctx, &tree, treeQuery, unit); err != nil {
		return nil, fmt.Errorf("store: tree of %q: %w", unit, err)
	}
	if len(tree) == 0 {
		if _, err := s.Unit(ctx, unit); err != nil {
			return nil, err
		}
	}
	return tree, nil
}

func (t *Tx) tree(ctx context.Context, unit string) (catalog.Tree, error) {
	var tree catalog.Tree
	if err := t.sel(ctx, &tree, treeQuery, unit); err != nil {
		return nil, fmt.Errorf("store: tree of %q: %w", unit, err)
	}
	return tree, nil
}

// TreeColumnStats is a column of a unit's tree with its published entries.
type TreeColumnStats struct {
	catalog.TreeColumn
	Entries     int
	LastPublish *time.Time
}

// TreeWithStats returns a unit's columns in force with entry counts.
func (s *Store) TreeWithStats(ctx context.Context, unit string) ([]TreeColumnStats, error) {
	tree, err := s.Tree(ctx, unit)
	if err != nil {
		return nil, err
	}
	var counts []struct {
		Column string `db:"column_code"`
		N      int    `db:"n"`
		Last   int64  `db:"last_ms"`
	}
	if err := s.sel(ctx, &counts, `SELECT column_code, COUNT(*) AS n, COALESCE(MAX(published_at), 0) AS last_ms
FROM entries WHERE unit = ? AND status = 'published' GROUP BY column_code`, unit); err != nil {
		return nil, fmt.Errorf("store: column counts of %q: %w", unit, err)
	}
	out := make([]TreeColumnStats, 0, len(tree))
	for _, c := range tree {
		if c.State == catalog.ColumnRemoved {
			continue
		}
		st := TreeColumnStats{TreeColumn: c}
		for _, n := range counts {
			if n.Column == c.Code {
				st.Entries = n.N
				if n.Last > 0 {
					l := FromMillis(n.Last)
					st.LastPublish = &l
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// Filing is a recorded change of a unit's tree (报备).
type Filing struct {
	ID         int64  `db:"id" json:"id"`
	Unit       string `db:"unit" json:"unit"`
	Action     string `db:"action" json:"action"`
	ColumnCode string `db:"column_code" json:"column"`
	ColumnName string `db:"column_name" json:"column_name"`
	Reason     string `db:"reason" json:"reason"`
	FiledBy    string `db:"filed_by" json:"filed_by"`
	FiledAtMS  int64  `db:"filed_at" json:"-"`
	State      string `db:"state" json:"state"`
	DecidedBy  string `db:"decided_by" json:"decided_by,omitempty"`
	DecidedMS  int64  `db:"decided_at" json:"-"`
	Decision   string `db:"decision" json:"decision,omitempty"`
}

// ChangeTree adds or removes a column of a unit's tree and files the change
// with the city office in the same transaction. With needsApproval the
// filing waits for the office and an added column is not yet in force.
func (s *Store) ChangeTree(ctx context.Context, ch catalog.ColumnChange, needsApproval bool) (Filing, error) {
	var f Filing
	err := s.inTx(ctx, func(t *Tx) error {
		var err error
		f, err = t.ChangeTree(ctx, ch, needsApproval)
		return err
	})
	return f, err
}

// ChangeTree is Store.ChangeTree inside a transaction.
func (t *Tx) ChangeTree(ctx context.Context, ch catalog.ColumnChange, needsApproval bool) (Filing, error) {
	var f Filing
	err := func() error {
		tree, err := t.tree(ctx, ch.Unit)
		if err != nil {
			return err
		}
		if len(tree) == 0 {
			return fmt.Errorf("store: unit %q: %w", ch.Unit, ErrNotFound)
		}
		if err := ch.Validate(tree); err != nil {
			return err
		}
		state, colState := catalog.FilingFiled, catalog.ColumnActive
		if needsApproval {
			state, colState = catalog.FilingPending, catalog.ColumnPending
		}
		switch ch.Action {
		case catalog.FilingAdd:
			pos := len(tree) + 1
			if _, err := t.exec(ctx, `DELETE FROM unit_columns WHERE unit = ? AND code = ? AND state = ?`, ch.Unit, ch.Column.Code, catalog.ColumnRemoved); err != nil {
				return fmt.Errorf("store: re-add column: %w", err)
			}
			c := catalog.TreeColumn{Column: ch.Column, Unit: ch.Unit, Origin: catalog.OriginUnit, State: colState}
			c.Leaf, c.Position = true, pos
			if err := t.insertTree(ctx, catalog.Tree{c}, 0); err != nil {
				return err
			}
		case catalog.FilingRemove:
			// A removal is in force at once even when the filing waits:
			// units may always stop publishing into a column of their own.
			if _, err := t.exec(ctx, `UPDATE unit_columns SET state = ? WHERE unit = ? AND code = ?`, catalog.ColumnRemoved, ch.Unit, ch.Column.Code); err != nil {
				return fmt.Errorf("store: remove column: %w", err)
			}
			if c, ok := tree.Find(ch.Column.Code); ok {
				ch.Column.Name = c.Name
			}
		}
		f = Filing{Unit: ch.Unit, Action: ch.Action, ColumnCode: ch.Column.Code, ColumnName: ch.Column.Name,
			Reason: ch.Reason, FiledBy: ch.By, FiledAtMS: nowMillis(), State: state}
		if err := t.get(ctx, &f.ID, `INSERT INTO column_filings (unit, action, column_code, column_name, reason, filed_by, filed_at, state)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.Unit, f.Action, f.ColumnCode, f.ColumnName, f.Reason, f.FiledBy, f.FiledAtMS, f.State); err != nil {
			return fmt.Errorf("store: insert filing: %w", err)
		}
		return t.appendChanges(ctx, []ChangeRef{{ChangeTree, ch.Unit, OpUpsert}})
	}()
	return f, err
}

// Filings returns a unit's filings, newest first ("" for every unit).
func (s *Store) Filings(ctx context.Context, unit string) ([]Filing, error) {
	var out []Filing
	q := `SELECT id, unit, action, column_code, column_name, reason, filed_by, filed_at, state, decided_by, decided_at, decision FROM column_filings`
	var err error
	if unit == "" {
		err = s.sel(ctx, &out, q+` ORDER BY filed_at DESC, id DESC`)
	} else {
		err = s.sel(ctx, &out, q+` WHERE unit = ? ORDER BY filed_at DESC, id DESC`, unit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: filings: %w", err)
	}
	return out, nil
}
