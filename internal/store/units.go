package store

import (
	"context"
	"fmt"
	"time"

	"gongkai/internal/catalog"
)

// WriteResult says what a write did to a record.
type WriteResult int

// Results of an idempotent write.
const (
	Unchanged WriteResult = iota
	Added
	Updated
)

func (r WriteResult) String() string {
	return [...]string{"unchanged", "added", "updated"}[r]
}

// SaveUnit adds or updates a unit. A new unit gets its catalog tree from
// the current column template, in the same transaction.
func (s *Store) SaveUnit(ctx context.Context, u catalog.Unit) (WriteResult, error) {
	var res WriteResult
	err := s.inTx(ctx, func(t *Tx) error {
		var err error
		res, err = t.SaveUnit(ctx, u)
		return err
	})
	return res, err
}

// SaveUnit is SaveUnit within a caller's transaction.
func (t *Tx) SaveUnit(ctx context.Context, u catalog.Unit) (WriteResult, error) {
	var old []catalog.Unit
	if err := t.sel(ctx, &old, `SELECT code, name, kind, org_code, parent FROM units WHERE code = ?`, u.Code); err != nil {
		return 0, fmt.Errorf("store: get unit %q: %w", u.Code, err)
	}
	if u.Parent != "" {
		var n int
		if err := t.get(ctx, &n, `SELECT COUNT(*) FROM units WHERE code = ?`, u.Parent); err != nil {
			return 0, fmt.Errorf("store: unit parent: %w", err)
		}
		if n == 0 {
			return 0, catalog.FieldErrors{{Field: "parent", Reason: fmt.Sprintf("上级单位 %q 不存在 (unknown unit)", u.Parent)}}
		}
	}
	now := nowMillis()
	var res WriteResult
	switch {
	case len(old) == 1 && old[0] == u:
		return Unchanged, nil
	case len(old) == 1:
		if _, err := t.exec(ctx, `UPDATE units SET name = ?, kind = ?, org_code = ?, parent = ?, updated_at = ? WHERE code = ?`,
			u.Name, u.Kind, u.OrgCode, u.Parent, now, u.Code); err != nil {
			return 0, fmt.Errorf("store: update unit %q: %w", u.Code, err)
		}
		res = Updated
	default:
		if _, err := t.exec(ctx, `INSERT INTO units (code, name, kind, org_code, parent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.Code, u.Name, u.Kind, u.OrgCode, u.Parent, now, now); err != nil {
			return 0, fmt.Errorf("store: insert unit %q: %w", u.Code, err)
		}
		tmpl, err := t.currentTemplate(ctx)
		if err != nil {
			return 0, err
		}
		if err := t.insertTree(ctx, catalog.TreeFromTemplate(u.Code, tmpl), tmpl.Version); err != nil {
			return 0, err
		}
		res = Added
	}
	return res, t.appendChanges(ctx, []ChangeRef{{ChangeUnit, u.Code, OpUpsert}})
}

// Unit returns one unit.
func (s *Store) Unit(ctx context.Context, code string) (catalog.Unit, error) {
	var u catalog.Unit
	err := s.get(ctx, &u, `SELECT code, name, kind, org_code, parent FROM units WHERE code = ?`, code)
	if err != nil {
		return u, notFound(err, fmt.Sprintf("unit %q", code))
	}
	return u, nil
}

// Units returns every unit, ordered by kind then code.
func (s *Store) Units(ctx context.Context) ([]catalog.Unit, error) {
	var out []catalog.Unit
	if err := s.sel(ctx, &out, `SELECT code, name, kind, org_code, parent FROM units ORDER BY `+kindOrder+`, code`); err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	return out, nil
}

// UnitStats is a unit with its published entry count and last publish time.
type UnitStats struct {
	catalog.Unit
	Entries     int        `db:"entries"`
	LastPublish *time.Time `db:"-"`
	LastMS      *int64     `db:"last_ms"`
}

// UnitsWithStats lists units with their published entries and last publish.
func (s *Store) UnitsWithStats(ctx context.Context) ([]UnitStats, error) {
	var out []UnitStats
	err := s.sel(ctx, &out, `
SELECT u.code, u.name, u.kind, u.org_code, u.parent,
       COALESCE(c.n, 0) AS entries, c.last_ms
FROM units u
LEFT JOIN (SELECT unit, COUNT(*) AS n, MAX(published_at) AS last_ms
           FROM entries WHERE status = 'published' GROUP BY unit) c ON c.unit = u.code
ORDER BY `+kindOrder+`, u.code`)
	if err != nil {
		return nil, fmt.Errorf("store: units with stats: %w", err)
	}
	for i := range out {
		if out[i].LastMS != nil {
			t := FromMillis(*out[i].LastMS)
			out[i].LastPublish = &t
		}
	}
	return out, nil
}

// kindOrder sorts units the way the city lists them: departments, then
// affiliated bodies, zone committees, and the rest.
const kindOrder = `CASE kind WHEN '部门' THEN 1 WHEN '直属机构' THEN 2 WHEN '管委会' THEN 3 ELSE 4 END`
