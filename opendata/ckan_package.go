package opendata

import (
	"context"
	"fmt"
	"slices"

	"gongkai/internal/store"
)

// The CKAN dictionaries: a unit is an organization, a domain a group, a
// keyword a tag, a dataset a package with one resource per format.
type ckanOrg struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Title          string `json:"title"`
	DisplayName    string `json:"display_name"`
	Type           string `json:"type"`
	IsOrganization bool   `json:"is_organization"`
	State          string `json:"state"`
	ApprovalStatus string `json:"approval_status"`
	Description    string `json:"description"`
	ImageURL       string `json:"image_url"`
}

func orgOf(code, name string) ckanOrg {
	if name == "" {
		name = code
	}
	return ckanOrg{ID: code, Name: code, Title: name, DisplayName: name, Type: "organization", IsOrganization: true,
		State: "active", ApprovalStatus: "approved"}
}

type ckanGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Title       string `json:"title"`
	DisplayName string `json:"display_name"`
}

type ckanTag struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	State       string `json:"state"`
}

type ckanExtra struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type ckanResource struct {
	ID              string `json:"id"`
	PackageID       string `json:"package_id"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	Format          string `json:"format"`
	Mimetype        string `json:"mimetype"`
	URL             string `json:"url"`
	Position        int    `json:"position"`
	Created         string `json:"created"`
	LastModified    string `json:"last_modified"`
	DatastoreActive bool   `json:"datastore_active"`
	State           string `json:"state"`
}

type ckanPackage struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Title            string         `json:"title"`
	Notes            string         `json:"notes"`
	URL              string         `json:"url"`
	State            string         `json:"state"`
	Private          bool           `json:"private"`
	Type             string         `json:"type"`
	LicenseID        string         `json:"license_id"`
	LicenseTitle     string         `json:"license_title"`
	MetadataCreated  string         `json:"metadata_created"`
	MetadataModified string         `json:"metadata_modified"`
	OwnerOrg         string         `json:"owner_org"`
	Organization     ckanOrg        `json:"organization"`
	Groups           []ckanGroup    `json:"groups"`
	Tags             []ckanTag      `json:"tags"`
	NumTags          int            `json:"num_tags"`
	Resources        []ckanResource `json:"resources"`
	NumResources     int            `json:"num_resources"`
	Extras           []ckanExtra    `json:"extras"`
}

func packageOf(base string, d *store.DatasetSummary) ckanPackage {
	p := ckanPackage{ID: d.ID, Name: d.ID, Title: d.Title, Notes: d.Description, URL: base + datasetPagePath(d.ID),
		State: "active", Type: "dataset", LicenseID: d.License, LicenseTitle: d.License,
		MetadataCreated: ckanTime(d.CreatedAt), MetadataModified: ckanTime(d.UpdatedAt),
		OwnerOrg: d.Unit, Organization: orgOf(d.Unit, d.UnitName),
		Groups: []ckanGroup{{ID: groupName(d.Domain), Name: groupName(d.Domain), Title: d.Domain, DisplayName: d.Domain}},
		Tags:   []ckanTag{}, NumTags: len(d.Keywords),
		Extras: []ckanExtra{{"domain", d.Domain}, {"update_frequency", d.UpdateFrequency}, {"open_type", d.OpenType},
			{"record_count", fmt.Sprint(d.RowCount)}, {"last_update", ckanTime(d.DataUpdatedAt)}},
	}
	for _, k := range d.Keywords {
		p.Tags = append(p.Tags, ckanTag{ID: k, Name: k, DisplayName: k, State: "active"})
	}
	for i, f := range resourceFormats {
		p.Resources = append(p.Resources, ckanResource{ID: resourceID(d.ID, f), PackageID: d.ID,
			Name: d.Title + "（" + f.Label() + "）", Format: f.Label(), Mimetype: f.ianaType(),
			URL: base + downloadPath(d.ID, f), Position: i, Created: ckanTime(d.DataUpdatedAt),
			LastModified: ckanTime(d.DataUpdatedAt), DatastoreActive: true, State: "active"})
	}
	p.NumResources = len(p.Resources)
	return p
}

// summary finds one dataset among the summaries.
func (s *Service) summary(ctx context.Context, id string) (*store.DatasetSummary, error) {
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, ckanNotFound(fmt.Sprintf("dataset %q", id))
}

func (s *Service) ckanPackageShow(ctx context.Context, base string, p ckanParams) (any, error) {
	id, err := p.required("id")
	if err != nil {
		return nil, err
	}
	d, err := s.summary(ctx, id)
	if err != nil {
		return nil, err
	}
	return packageOf(base, d), nil
}

// ckanPackageList lists the dataset names in name order, a page of them
// when limit is given (0 or none: all).
func (s *Service) ckanPackageList(ctx context.Context, _ string, p ckanParams) (any, error) {
	limit, offset, err := p.page(0, maxCKANList)
	if err != nil {
		return nil, err
	}
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(all))
	for i, d := range all {
		ids[i] = d.ID
	}
	slices.Sort(ids)
	return pageOf(ids, limit, offset), nil
}

// resolveResource finds the dataset of a resource id; a dataset id is
// accepted too.
func (s *Service) resolveResource(ctx context.Context, rid string) (string, Format, error) {
	all, err := s.Store.DatasetSummaries(ctx)
	if err != nil {
		return "", "", err
	}
	for _, d := range all {
		if d.ID == rid {
			return d.ID, CSV, nil
		}
	}
	for _, d := range all {
		for _, f := range resourceFormats {
			if resourceID(d.ID, f) == rid {
				return d.ID, f, nil
			}
		}
	}
	return "", "", ckanNotFound(fmt.Sprintf("Resource %q was not found.", rid))
}

func (s *Service) ckanResourceShow(ctx context.Context, base string, p ckanParams) (any, error) {
	rid, err := p.required("id")
	if err != nil {
		return nil, err
	}
	id, f, err := s.resolveResource(ctx, rid)
	if err != nil {
		return nil, err
	}
	d, err := s.summary(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, r := range packageOf(base, d).Resources {
		if r.ID == resourceID(id, f) {
			return r, nil
		}
	}
	return nil, ckanNotFound(fmt.Sprintf("Resource %q was not found.", rid))
}
