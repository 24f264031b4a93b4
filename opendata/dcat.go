package opendata

import (
	"net/url"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
)

// EU vocabularies DCAT-AP asks for.
const (
	euFrequency   = "http://publications.europa.eu/resource/authority/frequency/"
	euAccessRight = "http://publications.europa.eu/resource/authority/access-right/"
	euTheme       = "http://publications.europa.eu/resource/authority/data-theme/"
	euFileType    = "http://publications.europa.eu/resource/authority/file-type/"
	euLanguage    = "http://publications.europa.eu/resource/authority/language/ZHO"
	ianaMedia     = "http://www.iana.org/assignments/media-types/"
)

// dcatContext is the JSON-LD context of the catalog.
var dcatContext = map[string]string{
	"dcat":  "http://www.w3.org/ns/dcat#",
	"dct":   "http://purl.org/dc/terms/",
	"foaf":  "http://xmlns.com/foaf/0.1/",
	"vcard": "http://www.w3.org/2006/vcard/ns#",
	"skos":  "http://www.w3.org/2004/02/skos/core#",
	"xsd":   "http://www.w3.org/2001/XMLSchema#",
}

// frequencyCodes maps update frequencies (更新频率) to the EU frequency
// vocabulary. A frequency not listed is left out of the DCAT record.
var frequencyCodes = map[string]string{
	"实时": "UPDATE_CONT", "每小时": "HOURLY", "每日": "DAILY", "每天": "DAILY", "每周": "WEEKLY",
	"每两周": "BIWEEKLY", "每月": "MONTHLY", "每季度": "QUARTERLY", "每半年": "ANNUAL_2",
	"每年": "ANNUAL", "不定期": "IRREG",
}

// accessRightCodes maps open types (开放类型) to the EU access-right
// vocabulary.
var accessRightCodes = map[string]string{
	"无条件开放": "PUBLIC", "有条件开放": "RESTRICTED", "不予开放": "NON_PUBLIC",
}

// domainThemes maps the notice's domains to the EU data themes.
var domainThemes = map[string]string{
	"地理信息": "REGI", "道路交通": "TRAN", "公共服务": "SOCI", "经济统计": "ECON",
	"资格资质": "GOVE", "环境环保": "ENVI", "行政管理": "GOVE",
}

type ldRef struct {
	ID string `json:"@id"`
}

type ldText struct {
	Value    string `json:"@value"`
	Language string `json:"@language,omitempty"`
}

type ldDate struct {
	Value string `json:"@value"`
	Type  string `json:"@type"`
}

func zh(s string) ldText { return ldText{Value: s, Language: "zh"} }

func dateTimeLiteral(t time.Time) ldDate {
	return ldDate{Value: t.In(catalog.Shanghai).Format(time.RFC3339), Type: "xsd:dateTime"}
}

type dcatCatalog struct {
	Context     map[string]string `json:"@context"`
	ID          string            `json:"@id"`
	Type        string            `json:"@type"`
	Title       ldText            `json:"dct:title"`
	Description ldText            `json:"dct:description"`
	Publisher   dcatAgent         `json:"dct:publisher"`
	Language    ldRef             `json:"dct:language"`
	Homepage    ldRef             `json:"foaf:homepage"`
	Modified    *ldDate           `json:"dct:modified,omitempty"`
	Datasets    []dcatDataset     `json:"dcat:dataset"`
}

type dcatAgent struct {
	ID   string `json:"@id,omitempty"`
	Type string `json:"@type"`
	Name ldText `json:"foaf:name"`
}

type dcatTheme struct {
	ID    string `json:"@id"`
	Label ldText `json:"skos:prefLabel"`
}

type dcatContact struct {
	Type string `json:"@type"`
	Name string `json:"vcard:fn"`
}

type dcatDataset struct {
	ID           string             `json:"@id"`
	Type         string             `json:"@type"`
	Identifier   string             `json:"dct:identifier"`
	Title        ldText             `json:"dct:title"`
	Description  ldText             `json:"dct:description"`
	Keywords     []ldText           `json:"dcat:keyword,omitempty"`
	Theme        *dcatTheme         `json:"dcat:theme,omitempty"`
	Publisher    dcatAgent          `json:"dct:publisher"`
	ContactPoint dcatContact        `json:"dcat:contactPoint"`
	Periodicity  *ldRef             `json:"dct:accrualPeriodicity,omitempty"`
	AccessRights *ldRef             `json:"dct:accessRights,omitempty"`
	License      *dcatLicense       `json:"dct:license,omitempty"`
	Issued       *ldDate            `json:"dct:issued,omitempty"`
	Modified     ldDate             `json:"dct:modified"`
	LandingPage  ldRef              `json:"dcat:landingPage"`
	Language     ldRef              `json:"dct:language"`
	Distribution []dcatDistribution `json:"dcat:distribution"`
}

// dcatLicense is a licence known by its name only (licences here are
// local texts, not IRIs of a licence register).
type dcatLicense struct {
	Type  string `json:"@type"`
	Title ldText `json:"dct:title"`
}

func licenseOf(name string) *dcatLicense {
	if name == "" {
		return nil
	}
	return &dcatLicense{Type: "dct:LicenseDocument", Title: zh(name)}
}

type dcatDistribution struct {
	ID          string       `json:"@id"`
	Type        string       `json:"@type"`
	Title       string       `json:"dct:title"`
	Format      ldRef        `json:"dct:format"`
	MediaType   ldRef        `json:"dcat:mediaType"`
	DownloadURL ldRef        `json:"dcat:downloadURL"`
	AccessURL   ldRef        `json:"dcat:accessURL"`
	License     *dcatLicense `json:"dct:license,omitempty"`
	Modified    ldDate       `json:"dct:modified"`
}

// DCATCatalog describes the datasets as a DCAT-AP catalog in JSON-LD.
// base is the site's absolute URL (scheme and host), which every
// identifier is built on; site names the publisher of the catalog.
func DCATCatalog(base, siteName, publisher string, ds []store.DatasetSummary) any {
	c := dcatCatalog{
		Context: dcatContext, ID: base + "/opendata/catalog.jsonld", Type: "dcat:Catalog",
		Title:       zh(siteName + " 数据开放目录"),
		Description: zh("政府数据开放目录：各单位发布的数据集，可下载 CSV、JSON、XLSX，或通过 API 分页读取。"),
		Publisher:   dcatAgent{Type: "foaf:Organization", Name: zh(publisher)},
		Language:    ldRef{euLanguage}, Homepage: ldRef{base + "/opendata/"},
		Datasets: make([]dcatDataset, 0, len(ds)),
	}
	var latest time.Time
	for i := range ds {
		c.Datasets = append(c.Datasets, dcatDatasetOf(base, &ds[i]))
		if ds[i].UpdatedAt.After(latest) {
			latest = ds[i].UpdatedAt
		}
	}
	if !latest.IsZero() {
		m := dateTimeLiteral(latest)
		c.Modified = &m
	}
	return c
}

func dcatDatasetOf(base string, d *store.DatasetSummary) dcatDataset {
	page := base + datasetPagePath(d.ID)
	unitName := d.UnitName
	if unitName == "" {
		unitName = d.Unit
	}
	out := dcatDataset{
		ID: page, Type: "dcat:Dataset", Identifier: d.ID,
		Title: zh(d.Title), Description: zh(d.Description),
		Publisher:    dcatAgent{ID: base + "/opendata/?unit=" + url.QueryEscape(d.Unit), Type: "foaf:Organization", Name: zh(unitName)},
		ContactPoint: dcatContact{Type: "vcard:Organization", Name: unitName},
		License:      licenseOf(d.License),
		Modified:     dateTimeLiteral(d.UpdatedAt),
		LandingPage:  ldRef{page}, Language: ldRef{euLanguage},
	}
	for _, k := range d.Keywords {
		out.Keywords = append(out.Keywords, zh(k))
	}
	if code, ok := domainThemes[d.Domain]; ok {
		out.Theme = &dcatTheme{ID: euTheme + code, Label: zh(d.Domain)}
	}
	if code, ok := frequencyCodes[d.UpdateFrequency]; ok {
		out.Periodicity = &ldRef{euFrequency + code}
	}
	if code, ok := accessRightCodes[d.OpenType]; ok {
		out.AccessRights = &ldRef{euAccessRight + code}
	}
	if d.PublishedAt != nil {
		iss := dateTimeLiteral(*d.PublishedAt)
		out.Issued = &iss
	}
	for _, f := range resourceFormats {
		u := base + downloadPath(d.ID, f)
		out.Distribution = append(out.Distribution, dcatDistribution{
			ID: u, Type: "dcat:Distribution", Title: d.Title + "（" + f.Label() + "）",
			Format: ldRef{euFileType + f.Label()}, MediaType: ldRef{ianaMedia + f.ianaType()},
			DownloadURL: ldRef{u}, AccessURL: ldRef{u}, License: licenseOf(d.License),
			Modified: dateTimeLiteral(d.DataUpdatedAt),
		})
	}
	return out
}
