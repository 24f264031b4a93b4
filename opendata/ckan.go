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

func ckanValidation(field, message string) *ckanError {
	if field != "" && !strings.Contains(message, field) {
		message = field + ": " + message
	}
	return &ckanError{status: http.StatusBadRequest, kind: "Validation Error", message: message, field: field}
}

func ckanNotFound(message string) *ckanError {
	return &ckanError{status: http.StatusNotFound, kind: "Not Found Error", message: "Not found: " + message}
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

// ckanActions are the supported actions with their help texts.
var ckanActions = map[string]string{
	"package_search":    "Searches datasets. q: words (title, description, tags, organization); fq: field:value filters (organization, groups, res_format, tags, license_id, update_frequency, open_type, name), space-separated, AND; field:(a OR b) for alternatives; facet.field: JSON list; facet.limit; rows (≤1000); start; sort: metadata_modified|metadata_created|name|title_string asc|desc.",
	"package_show":      "Returns one dataset by id, with its CSV, JSON and XLSX resources.",
	"package_list":      "Lists the ids of all datasets.",
	"organization_list": "Lists the organizations (units). all_fields=true returns objects with package_count; limit, offset.",
	"resource_show":     "Returns one resource by id.",
	"datastore_search":  "Reads rows of a dataset. resource_id: a resource id or the dataset id; filters: JSON object field → value or list (OR); q: text in any field; fields: list; sort: \"field asc, other desc\"; limit (default 100, ≤32000); offset; include_total; records_format: objects|lists.",
	"help_show":         "Returns the help text of an action (name).",
	"status_show":       "Returns the site's status and API version.",
}

// CKAN answers an action of the CKAN Action API: /api/3/action/{action},
// GET with query parameters or POST with a JSON object.
func (s *Service) CKAN(w http.ResponseWriter, r *http.Request, action string) {
	base := s.BaseURL()
	help := base + "/api/3/action/help_show?name=" + url.QueryEscape(action)
	if _, ok := ckanActions[action]; !ok {
		s.ckanFail(w, r, help, &ckanError{status: http.StatusBadRequest, kind: "Bad Request", message: "Bad request - Action name not known: " + action})
		return
	}
	p, err := readCKANParams(w, r)
	if err != nil {
		s.ckanFail(w, r, help, err)
		return
	}
	ctx := r.Context()
	var result any
	switch action {
	case "package_search":
		result, err = s.ckanPackageSearch(ctx, base, p)
	case "package_show":
		result, err = s.ckanPackageShow(ctx, base, p)
	case "package_list":
		result, err = s.ckanPackageList(ctx)
	case "organization_list":
		result, err = s.ckanOrganizationList(ctx, p)
	case "resource_show":
		result, err = s.ckanResourceShow(ctx, base, p)
	case "help_show":
		var name string
		if name, err = p.required("name"); err == nil {
			h, ok := ckanActions[name]
			if !ok {
				err = ckanNotFound("action " + name)
			}
			result = h
		}
	case "status_show":
		result = map[string]any{"ckan_version": "2.10.0", "site_title": s.SiteName, "site_url": base,
			"site_description": "政府数据开放 CKAN 兼容接口（只读）", "extensions": []string{"datastore"}, "locale_default": "zh_Hans_CN"}
	case "datastore_search":
		err = s.ckanDatastoreSearch(w, r, help, p)
		if err == nil {
			return
		}
	}
	if err != nil {
		s.ckanFail(w, r, help, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"help": help, "success": true, "result": result})
}

// ckanFail answers in CKAN's error shape. Store errors map as the rest of
// the API maps them: not found 404, bad input 400, the rest 500 (logged,
// without detail).
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
