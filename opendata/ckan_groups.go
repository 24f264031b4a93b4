package opendata

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// ckanGroupDict is an organization (a unit) or a group (a domain) as
// organization_show, group_show and the all_fields lists return it. The
// optional parts are pointers so that a part asked for is there even when
// empty ([]), and a part not asked for is left out, as in CKAN.
type ckanGroupDict struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Title           string         `json:"title"`
	DisplayName     string         `json:"display_name"`
	Description     string         `json:"description"`
	Type            string         `json:"type"`
	IsOrganization  bool           `json:"is_organization"`
	State           string         `json:"state"`
	ApprovalStatus  string         `json:"approval_status"`
	ImageURL        string         `json:"image_url"`
	ImageDisplayURL string         `json:"image_display_url"`
	Created         string         `json:"created,omitempty"`
	PackageCount    *int           `json:"package_count,omitempty"`
	Packages        *[]ckanPackage `json:"packages,omitempty"`
	Extras          *[]ckanExtra   `json:"extras,omitempty"`
	Groups          *[]ckanGroup   `json:"groups,omitempty"`
	Users           *[]struct{}    `json:"users,omitempty"`
	NumFollowers    *int           `json:"num_followers,omitempty"`
}

// maxGroupPackages is how many datasets organization_show and group_show
// list with include_datasets.
const maxGroupPackages = 1000

// ckanMember is one organization or group with its datasets.
type ckanMember struct {
	name, title, description string
	extras                   []ckanExtra
	datasets                 []*store.DatasetSummary
}

func (m *ckanMember) created() string {
	var first time.Time
	for _, d := range m.datasets {
		if first.IsZero() || d.CreatedAt.Before(first) {
			first = d.CreatedAt
		}
	}
	if first.IsZero() {
		return ""
	}
	return ckanTime(first)
}

// ckanMembers lists the organizations (every unit, with or without
// datasets) or the groups (every domain), each with its datasets.
func (s *Service) ckanMembers(ctx context.Context, orgs bool) ([]*ckanMember, error) {
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	var out []*ckanMember
	byName := map[string]*ckanMember{}
	add := func(m *ckanMember) *ckanMember {
		if old, ok := byName[m.name]; ok {
			return old
		}
		byName[m.name] = m
		out = append(out, m)
		return m
	}
	if orgs {
		units, err := s.Store.Units(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			extras := []ckanExtra{{"kind", u.Kind}, {"org_code", u.OrgCode}}
			if u.Parent != "" {
				extras = append(extras, ckanExtra{"parent", u.Parent})
			}
			add(&ckanMember{name: u.Code, title: cmp.Or(u.Name, u.Code), extras: extras})
		}
	} else {
		for _, d := range catalog.Domains {
			add(&ckanMember{name: groupName(d), title: d, description: "数据开放领域：" + d, extras: []ckanExtra{}})
		}
	}
	for i := range all {
		d := &all[i]
		if orgs {
			m := add(&ckanMember{name: d.Unit, title: cmp.Or(d.UnitName, d.Unit), extras: []ckanExtra{}})
			m.datasets = append(m.datasets, d)
		} else {
			m := add(&ckanMember{name: groupName(d.Domain), title: d.Domain, description: "数据开放领域：" + d.Domain, extras: []ckanExtra{}})
			m.datasets = append(m.datasets, d)
		}
	}
	return out, nil
}

// dict is the member in CKAN's shape, with package_count when counted.
func (m *ckanMember) dict(orgs, count bool) ckanGroupDict {
	g := ckanGroupDict{ID: m.name, Name: m.name, Title: m.title, DisplayName: m.title, Description: m.description,
		Type: "group", State: "active", ApprovalStatus: "approved", Created: m.created()}
	if orgs {
		g.Type, g.IsOrganization = "organization", true
	}
	if count {
		n := len(m.datasets)
		g.PackageCount = &n
	}
	return g
}

// ckanGroupSort reads the sort of organization_list and group_list: one
// of name, title, package_count (packages), asc or desc; package_count
// alone sorts most first, as CKAN does.
func ckanGroupSort(spec string) (func(a, b *ckanMember) int, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		spec = "name asc"
	}
	f := strings.Fields(spec)
	field, desc := f[0], false
	if field == "packages" {
		field = "package_count"
	}
	if field == "package_count" {
		desc = true
	}
	if len(f) > 2 || strings.Contains(spec, ",") {
		return nil, ckanValidation("sort", "只能按一个字段排序 (sort by one field: name, title or package_count, then asc or desc)")
	}
	if len(f) == 2 {
		switch strings.ToLower(f[1]) {
		case "asc":
			desc = false
		case "desc":
			desc = true
		default:
			return nil, ckanValidation("sort", fmt.Sprintf("排序方向应为 asc 或 desc (got %q)", f[1]))
		}
	}
	var key func(a, b *ckanMember) int
	switch field {
	case "name":
		key = func(a, b *ckanMember) int { return cmp.Compare(a.name, b.name) }
	case "title":
		key = func(a, b *ckanMember) int { return cmp.Compare(a.title, b.title) }
	case "package_count":
		key = func(a, b *ckanMember) int { return cmp.Compare(len(a.datasets), len(b.datasets)) }
	default:
		return nil, ckanValidation("sort", fmt.Sprintf("不支持按 %q 排序 (sort by name, title or package_count)", field))
	}
	return func(a, b *ckanMember) int {
		c := key(a, b)
		if desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.name, b.name)
		}
		return c
	}, nil
}

func (s *Service) ckanOrganizationList(ctx context.Context, _ string, p ckanParams) (any, error) {
	return s.listMembers(ctx, p, true)
}

func (s *Service) ckanGroupList(ctx context.Context, _ string, p ckanParams) (any, error) {
	return s.listMembers(ctx, p, false)
}

func (s *Service) ckanOrganizationShow(ctx context.Context, base string, p ckanParams) (any, error) {
	return s.showMember(ctx, base, p, true)
}

func (s *Service) ckanGroupShow(ctx context.Context, base string, p ckanParams) (any, error) {
	return s.showMember(ctx, base, p, false)
}

// listMembers answers organization_list (orgs) and group_list: names, or
// with all_fields the dictionaries with package_count.
func (s *Service) listMembers(ctx context.Context, p ckanParams, orgs bool) (any, error) {
	allFields, err := p.boolean("all_fields", false)
	if err != nil {
		return nil, err
	}
	extras, err := p.boolean("include_extras", false)
	if err != nil {
		return nil, err
	}
	count, err := p.boolean("include_dataset_count", true)
	if err != nil {
		return nil, err
	}
	limit, offset, err := p.page(maxCKANList, maxCKANList)
	if err != nil {
		return nil, err
	}
	spec, err := p.str("sort")
	if err != nil {
		return nil, err
	}
	if spec == "" {
		if spec, err = p.str("order_by"); err != nil { // CKAN 1.8's name of sort
			return nil, err
		}
	}
	order, err := ckanGroupSort(spec)
	if err != nil {
		return nil, err
	}
	q, err := p.str("q")
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	listParam := "groups"
	if orgs {
		listParam = "organizations"
	}
	only, err := p.list(listParam)
	if err != nil {
		return nil, err
	}
	members, err := s.ckanMembers(ctx, orgs)
	if err != nil {
		return nil, err
	}
	members = slices.DeleteFunc(members, func(m *ckanMember) bool {
		if len(only) > 0 && !slices.Contains(only, m.name) {
			return true
		}
		return q != "" && !strings.Contains(strings.ToLower(m.name+"\n"+m.title+"\n"+m.description), q)
	})
	slices.SortStableFunc(members, order)
	members = pageOf(members, limit, offset)
	if !allFields {
		names := make([]string, len(members))
		for i, m := range members {
			names[i] = m.name
		}
		return names, nil
	}
	out := make([]ckanGroupDict, len(members))
	for i, m := range members {
		out[i] = m.dict(orgs, count)
		if extras {
			out[i].Extras = &m.extras
		}
	}
	return out, nil
}

// showMember answers organization_show (orgs) and group_show.
func (s *Service) showMember(ctx context.Context, base string, p ckanParams, orgs bool) (any, error) {
	id, err := p.required("id")
	if err != nil {
		return nil, err
	}
	flags := map[string]bool{"include_datasets": false, "include_dataset_count": true, "include_extras": true,
		"include_users": false, "include_groups": true, "include_followers": true}
	for name, def := range flags {
		if flags[name], err = p.boolean(name, def); err != nil {
			return nil, err
		}
	}
	members, err := s.ckanMembers(ctx, orgs)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(members, func(m *ckanMember) bool { return m.name == id })
	if i < 0 {
		// A title names one too: a unit's name, a domain in Chinese.
		i = slices.IndexFunc(members, func(m *ckanMember) bool { return m.title == id })
	}
	if i < 0 {
		what := "group"
		if orgs {
			what = "organization"
		}
		return nil, ckanNotFound(fmt.Sprintf("%s %q", what, id))
	}
	m := members[i]
	g := m.dict(orgs, flags["include_dataset_count"] || flags["include_datasets"])
	if flags["include_datasets"] {
		ds := slices.Clone(m.datasets)
		slices.SortStableFunc(ds, newestFirst)
		pkgs := make([]ckanPackage, 0, min(len(ds), maxGroupPackages))
		for _, d := range ds[:min(len(ds), maxGroupPackages)] {
			pkgs = append(pkgs, packageOf(base, d))
		}
		g.Packages = &pkgs
	}
	if flags["include_extras"] {
		g.Extras = &m.extras
	}
	if flags["include_groups"] {
		g.Groups = &[]ckanGroup{}
	}
	if flags["include_users"] {
		// Staff accounts are not public.
		g.Users = &[]struct{}{}
	}
	if flags["include_followers"] {
		zero := 0
		g.NumFollowers = &zero
	}
	return g, nil
}

// newestFirst orders datasets as CKAN's default search does: most
// recently modified first, ties by name.
func newestFirst(a, b *store.DatasetSummary) int {
	if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
