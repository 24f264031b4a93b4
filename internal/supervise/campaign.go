package supervise

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/audit"
	"gongkai/internal/auth"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// Deadline campaigns (专项督查): "every unit completes its catalog update
// by 15 July". The office names the columns; a unit is done when each of
// them that its tree has holds an entry published from the campaign's
// start on — counted as of now, or as of the deadline once it passed, so
// that only entries published by the deadline count.

// CampaignForm is a new campaign as the office typed it.
type CampaignForm struct {
	Title    string
	Start    string // 2026-07-01
	Deadline string // 2026-07-15
	Columns  []string
}

// Parse checks the form against the template's leaf columns and names
// every bad field. The start is the first instant of its day, the
// deadline the last of its.
func (f CampaignForm) Parse(leaves []catalog.Column) (store.NewCampaign, error) {
	var fe catalog.FieldErrors
	n := store.NewCampaign{Title: strings.TrimSpace(f.Title)}
	if n.Title == "" || utf8.RuneCountInString(n.Title) > 100 {
		fe.Add("title", "标题须为 1 至 100 个字")
	}
	date := func(field, s string) (time.Time, bool) {
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), catalog.Shanghai)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			fe.Add(field, "请填写日期，格式为 2026-07-15")
			return time.Time{}, false
		}
		return t, true
	}
	start, okStart := date("start", f.Start)
	deadline, okDeadline := date("deadline", f.Deadline)
	if okStart && okDeadline && deadline.Before(start) {
		fe.Add("deadline", "截止日期不能早于开始日期")
	}
	n.StartsAt, n.Deadline = Day(start), EndOfDay(deadline)
	known := map[string]bool{}
	for _, c := range leaves {
		known[c.Code] = true
	}
	for _, code := range f.Columns {
		code = strings.TrimSpace(code)
		switch {
		case !known[code]:
			fe.Add("columns", fmt.Sprintf("栏目 %q 不在栏目模板中", code))
		case !slices.Contains(n.Columns, code):
			n.Columns = append(n.Columns, code)
		}
	}
	if len(f.Columns) == 0 {
		fe.Add("columns", "请至少选择一个须更新的栏目")
	}
	if len(fe) > 0 {
		return n, fe
	}
	// The template's order, whatever order the form sent.
	slices.SortFunc(n.Columns, func(a, b string) int {
		return cmp.Compare(slices.IndexFunc(leaves, func(c catalog.Column) bool { return c.Code == a }),
			slices.IndexFunc(leaves, func(c catalog.Column) bool { return c.Code == b }))
	})
	return n, nil
}

// TemplateLeaves are the columns of the template in force that hold
// entries: what a campaign may require.
func (s *Service) TemplateLeaves(ctx context.Context) ([]catalog.Column, error) {
	t, err := s.st.Template(ctx)
	if err != nil {
		return nil, err
	}
	var out []catalog.Column
	for _, c := range t.Columns {
		if c.Leaf {
			out = append(out, c)
		}
	}
	return out, nil
}

// CreateCampaign stores a new campaign, audited in the same transaction.
func (s *Service) CreateCampaign(ctx context.Context, c auth.Caller, f CampaignForm) (store.Campaign, error) {
	if err := auth.CanSupervise(c.P); err != nil {
		return store.Campaign{}, s.refuse(ctx, c, "campaign.create", "campaign", "", "", err)
	}
	leaves, err := s.TemplateLeaves(ctx)
	if err != nil {
		return store.Campaign{}, err
	}
	n, err := f.Parse(leaves)
	if err != nil {
		return store.Campaign{}, err
	}
	n.CreatedBy, n.CreatedAt = c.P.Login, s.Now()
	var out store.Campaign
	err = s.st.WithTx(ctx, func(t *store.Tx) error {
		var err error
		if out, err = t.InsertCampaign(ctx, n); err != nil {
			return err
		}
		_, err = t.AppendAudit(ctx, audit.Record{At: s.Now(), Actor: c.Actor(), Action: "campaign.create", ObjectKind: "campaign",
			ObjectID: fmt.Sprint(out.ID), Summary: audit.Change(nil, map[string]any{"title": n.Title,
				"starts_at": n.StartsAt, "deadline": n.Deadline, "columns": n.Columns})})
		return err
	})
	return out, err
}

// CampaignProgress is a campaign's progress, unit by unit.
type CampaignProgress struct {
	Campaign store.Campaign
	Columns  []catalog.Column // the required columns, in the template's order
	// AsOf is the instant counted up to: now, or the deadline once passed.
	AsOf       time.Time
	NotStarted bool
	Closed     bool // the deadline has passed: the figures are final
	// Units: those behind first, then those done, then those the
	// campaign does not apply to (none of its columns in their tree);
	// each group in the city's order.
	Units []CampaignUnit
	Done  int
	Total int // the units the campaign applies to
}

// CampaignUnit is one unit's part of a campaign.
type CampaignUnit struct {
	Unit, Name, Kind string
	Done             bool
	Applies          bool
	Cells            []CampaignCellView // one per required column
	Missing          []string           // names of the required columns without an entry
}

// CampaignCellView is one required column of one unit.
type CampaignCellView struct {
	Column  string
	Applies bool // the unit's tree has the column
	Count   int
	Last    *time.Time
}

// Progress works out a campaign's progress as of asOf from the units,
// their leaf columns and the grouped counts of CampaignCells. It reads no
// clock.
func Progress(c store.Campaign, columns []catalog.Column, units []store.SupervisedUnit, leaves []catalog.TreeColumn,
	cells []store.CampaignCell, asOf time.Time) CampaignProgress {
	p := CampaignProgress{Campaign: c, Columns: columns, AsOf: asOf,
		NotStarted: asOf.Before(c.StartsAt()), Closed: !asOf.Before(c.Deadline())}
	has := map[[2]string]bool{}
	for _, l := range leaves {
		has[[2]string{l.Unit, l.Code}] = true
	}
	got := map[[2]string]store.CampaignCell{}
	for _, cell := range cells {
		got[[2]string{cell.Unit, cell.Column}] = cell
	}
	var behind, done, none []CampaignUnit
	for _, u := range units {
		cu := CampaignUnit{Unit: u.Code, Name: u.Name, Kind: u.Kind, Done: true}
		for _, col := range columns {
			k := [2]string{u.Code, col.Code}
			v := CampaignCellView{Column: col.Code, Applies: has[k]}
			if cell, ok := got[k]; ok && cell.Count > 0 {
				last := cell.Last()
				v.Count, v.Last = cell.Count, &last
			}
			if v.Applies {
				cu.Applies = true
				if v.Count == 0 {
					cu.Done = false
					cu.Missing = append(cu.Missing, col.Name)
				}
			}
			cu.Cells = append(cu.Cells, v)
		}
		switch {
		case !cu.Applies:
			cu.Done = false
			none = append(none, cu)
		case cu.Done:
			done = append(done, cu)
		default:
			behind = append(behind, cu)
		}
	}
	p.Done, p.Total = len(done), len(done)+len(behind)
	p.Units = slices.Concat(behind, done, none)
	return p
}

// countedUntil is the instant a campaign is counted up to at now.
func countedUntil(c store.Campaign, now time.Time) time.Time {
	if now.After(c.Deadline()) {
		return c.Deadline()
	}
	return now
}

// CampaignProgress reads one campaign's progress as of now (or its
// deadline, once passed).
func (s *Service) CampaignProgress(ctx context.Context, id int64) (*CampaignProgress, error) {
	c, err := s.st.Campaign(ctx, id)
	if err != nil {
		return nil, err
	}
	base, err := s.campaignBase(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.progress(ctx, c, base)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// campaignBase is what every campaign's progress reads besides its
// entries: the template, the units and their trees.
type campaignBase struct {
	leaves []catalog.Column
	units  []store.SupervisedUnit
	tree   []catalog.TreeColumn
}

func (s *Service) campaignBase(ctx context.Context) (campaignBase, error) {
	var b campaignBase
	var err error
	if b.leaves, err = s.TemplateLeaves(ctx); err != nil {
		return b, err
	}
	if b.units, err = s.st.SupervisedUnits(ctx); err != nil {
		return b, err
	}
	b.tree, err = s.st.LeafColumns(ctx)
	return b, err
}

func (s *Service) progress(ctx context.Context, c store.Campaign, b campaignBase) (CampaignProgress, error) {
	var cols []catalog.Column
	for _, code := range c.Columns() {
		col := catalog.Column{Code: code, Name: code} // a column since taken out of the template keeps its code
		if i := slices.IndexFunc(b.leaves, func(l catalog.Column) bool { return l.Code == code }); i >= 0 {
			col = b.leaves[i]
		}
		cols = append(cols, col)
	}
	asOf := countedUntil(c, s.Now())
	cells, err := s.st.CampaignCells(ctx, c.Columns(), c.StartsAt(), asOf)
	if err != nil {
		return CampaignProgress{}, err
	}
	return Progress(c, cols, b.units, b.tree, cells, asOf), nil
}

// Campaigns lists the campaigns, the latest deadline first, each with its
// progress.
func (s *Service) Campaigns(ctx context.Context) ([]CampaignProgress, error) {
	cs, err := s.st.Campaigns(ctx, 100)
	if err != nil {
		return nil, err
	}
	base, err := s.campaignBase(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CampaignProgress, 0, len(cs))
	for _, c := range cs {
		p, err := s.progress(ctx, c, base)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
