package opendata

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/httpjson"
	"gongkai/internal/store"
)

// CKAN facet and filter names beyond the catalog's facets.
const (
	ckanTags    = "tags"
	ckanLicense = "license_id"
	ckanName    = "name"
)

// domainGroups are the CKAN group names of the domains (groups in CKAN
// have ASCII names); fq accepts either.
var domainGroups = map[string]string{
	"地理信息": "geography", "道路交通": "transport", "公共服务": "public-services", "经济统计": "economy",
	"资格资质": "qualifications", "环境环保": "environment", "行政管理": "administration",
}

func groupName(domain string) string {
	if g, ok := domainGroups[domain]; ok {
		return g
	}
	return domain
}

func domainOfGroup(name string) string {
	for d, g := range domainGroups {
		if g == name {
			return d
		}
	}
	return name
}

// ckanFacets maps CKAN field names (fq, facet.field) to what they filter.
var ckanFacets = map[string]string{
	"organization": FacetUnit, "owner_org": FacetUnit, "unit": FacetUnit,
	"groups": FacetDomain, "domain": FacetDomain,
	"res_format": FacetFormat,
	"tags":       ckanTags, "license_id": ckanLicense,
	"update_frequency": FacetFrequency, "open_type": FacetOpenType,
	"name": ckanName, "id": ckanName,
}

// ckanDefaultFacets are the facets package_search counts when asked for
// facets without naming them.
var ckanDefaultFacets = []string{"organization", "groups", "tags", "res_format", "license_id"}

// ckanError is an action's failure in CKAN's shape.
type ckanError struct {
	status  int
	kind    string // "Validation Error", "Not Found Error", "Bad Request"
	message string
	field   string
}

func (e *ckanError) Error() string { return e.kind + ": " + e.message }

// ckanValidation is a parameter CKAN would refuse: 409, as CKAN answers
// a ValidationError, with the message under the parameter's name too.
func ckanValidation(field, message string) *ckanError {
	if field != "" && !strings.Contains(message, field) {
		message = field + ": " + message
	}
	return &ckanError{status: http.StatusConflict, kind: "Validation Error", message: message, field: field}
}

func ckanNotFound(message string) *ckanError {
	return &ckanError{status: http.StatusNotFound, kind: "Not Found Error", message: "Not found: " + message}
}

// ckanBadRequest is a request CKAN cannot read at all (unknown action,
// a body that is not JSON): 400.
func ckanBadRequest(message string) *ckanError {
	return &ckanError{status: http.StatusBadRequest, kind: "Bad Request", message: "Bad request: " + message}
}

// ckanTime is CKAN's timestamp format: UTC without a zone.
func ckanTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000") }

// resourceID is the stable id of one format of a dataset, in UUID form
// (name-based, SHA-1) as CKAN clients expect resource ids to look.
func resourceID(dataset string, f Format) string {
	sum := sha1.Sum([]byte("gongkai:opendata:" + dataset + ":" + string(f)))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ckanAction is one read action: its help text and what answers it.
// datastore_search streams its records and is answered apart.
type ckanAction struct {
	help string
	run  func(s *Service, ctx context.Context, base string, p ckanParams) (any, error)
}

// ckanActions are the supported actions (see docs/ckan.md).
var ckanActions map[string]ckanAction

func init() {
	ckanActions = map[string]ckanAction{
		"package_search": {"Searches datasets. q: words (title, description, tags, organization); fq: Solr-style filters field:value, field:\"quoted\", field:(a OR b), -field:value, metadata_modified:[2024-01-01T00:00:00Z TO *], joined by spaces (AND) or OR, over organization, owner_org, groups, res_format, tags, license_id, update_frequency, open_type, name, id, metadata_modified, metadata_created; facet.field: JSON list; facet.limit; rows (≤1000, default 10); start; sort: metadata_modified|metadata_created|name|id|title_string asc|desc.",
			(*Service).ckanPackageSearch},
		"package_show": {"Returns one dataset by id or name, with its CSV, JSON and XLSX resources (absolute URLs).", (*Service).ckanPackageShow},
		"package_list": {"Lists the names of all datasets, by name. limit, offset; include_private, include_drafts, include_deleted are accepted and change nothing (every dataset here is public).",
			(*Service).ckanPackageList},
		"current_package_list_with_resources": {"Lists datasets with their resources, most recently modified first. limit (default 10, ≤1000), offset (or the deprecated page).",
			(*Service).ckanCurrentPackages},
		"package_autocomplete": {"Datasets whose name or title contains q: [{name, title, match_field, match_displayed}]. limit (default 10, ≤100).",
			(*Service).ckanPackageAutocomplete},
		"organization_list": {"Lists the organizations (units). all_fields=true returns objects with package_count; sort: name|title|package_count asc|desc; q; organizations (names); limit (≤1000), offset.",
			(*Service).ckanOrganizationList},
		"organization_show": {"Returns one organization (unit) by id or name: package_count; include_datasets=true adds its datasets as packages (at most 1000); include_extras (kind, org_code); include_users and include_groups give empty lists.",
			(*Service).ckanOrganizationShow},
		"group_list": {"Lists the groups: the open-data domains (地理信息 geography, 道路交通 transport, 公共服务 public-services, 经济统计 economy, 资格资质 qualifications, 环境环保 environment, 行政管理 administration). all_fields, sort, q, groups, limit, offset as organization_list.",
			(*Service).ckanGroupList},
		"group_show": {"Returns one group (domain) by its name or its Chinese title: package_count; include_datasets=true adds its datasets as packages (at most 1000).",
			(*Service).ckanGroupShow},
		"tag_list": {"Lists the tags (dataset keywords) by name. query (or q): names containing it; all_fields=true returns objects; vocabulary_id is accepted and ignored.",
			(*Service).ckanTagList},
		"resource_show": {"Returns one resource by id.", (*Service).ckanResourceShow},
		"datastore_search": {"Reads rows of a dataset. resource_id: a resource id or the dataset id; filters: JSON object field → value or list (OR), at most 50 values a field, 200 in all, 500 bytes a value; _id also takes {\"gt\"|\"gte\"|\"lt\"|\"lte\": n} (keyset paging); q: text in any field (≤500 bytes); fields: list; sort: \"field asc, other desc\" (default _id asc); limit (default 100, ≤32000); offset (sorted by a field other than _id: offset+limit ≤ 100000); include_total; include_next_page; records_format: objects|lists. _links.next continues by keyset in _id order.",
			nil},
		"datastore_info": {"Describes a dataset's rows: meta (id, count, table_type, aliases) and fields [{id, type, info: {label, notes}, schema}], with the older schema map {field: type}. resource_id (or id).",
			(*Service).ckanDatastoreInfo},
		"help_show": {"Returns the help text of an action (name).", func(_ *Service, _ context.Context, _ string, p ckanParams) (any, error) {
			name, err := p.required("name")
			if err != nil {
				return nil, err
			}
			a, ok := ckanActions[name]
			if !ok {
				return nil, ckanNotFound("action " + name)
			}
			return a.help, nil
		}},
		"status_show": {"Returns the site's status and API version.", func(s *Service, _ context.Context, base string, _ ckanParams) (any, error) {
			return map[string]any{"ckan_version": "2.10.0", "site_title": s.SiteName, "site_url": base,
				"site_description": "政府数据开放 CKAN 兼容接口（只读）", "extensions": []string{"datastore"}, "locale_default": "zh_Hans_CN"}, nil
		}},
	}
}

// CKAN answers an action of the CKAN Action API: /api/3/action/{action},
// GET with query parameters or POST with a JSON object (or a form).
func (s *Service) CKAN(w http.ResponseWriter, r *http.Request, action string) {
	base := s.BaseURL()
	help := base + "/api/3/action/help_show?name=" + url.QueryEscape(action)
	a, ok := ckanActions[action]
	if !ok {
		s.ckanFail(w, r, help, ckanBadRequest("Action name not known: "+action))
		return
	}
	p, err := readCKANParams(w, r)
	if err != nil {
		s.ckanFail(w, r, help, err)
		return
	}
	if a.run == nil {
		if err := s.ckanDatastoreSearch(w, r, help, p); err != nil {
			s.ckanFail(w, r, help, err)
		}
		return
	}
	result, err := a.run(s, r.Context(), base, p)
	if err != nil {
		s.ckanFail(w, r, help, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"help": help, "success": true, "result": result})
}

// ckanFail answers in CKAN's error shape. Store errors map as the rest of
// the API maps them: not found 404, bad input (409, as CKAN's validation
// errors), the rest 500 (logged, without detail).
func (s *Service) ckanFail(w http.ResponseWriter, r *http.Request, help string, err error) {
	var ce *ckanError
	var fe catalog.FieldErrors
	switch {
	case errors.As(err, &ce):
	case errors.Is(err, store.ErrNotFound):
		ce = ckanNotFound("not found")
	case errors.As(err, &fe):
		ce = ckanValidation(fe[0].Field, fe.Error())
	case errors.Is(err, context.Canceled):
		return
	default:
		s.Log.Error("ckan action failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		ce = &ckanError{status: http.StatusInternalServerError, kind: "Internal Server Error", message: "服务器内部错误 (internal error)"}
	}
	body := map[string]any{"__type": ce.kind, "message": ce.message}
	if ce.field != "" {
		body[ce.field] = []string{ce.message}
	}
	httpjson.Write(w, ce.status, map[string]any{"help": help, "success": false, "error": body})
}
