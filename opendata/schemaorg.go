package opendata

import (
	"time"

	"gongkai/internal/catalog"
)

// SchemaOrgDataset describes a dataset as schema.org Dataset markup, for
// the JSON-LD script of its page (search engines' dataset search reads
// it). base is the site's configured address (Service.BaseURL).
func SchemaOrgDataset(base string, d DatasetDetail) map[string]any {
	org := map[string]any{"@type": "GovernmentOrganization", "name": d.UnitName}
	var dist []map[string]any
	for _, f := range resourceFormats {
		dist = append(dist, map[string]any{"@type": "DataDownload", "encodingFormat": f.ianaType(),
			"contentUrl": base + downloadPath(d.ID, f), "name": f.Label()})
	}
	var vars []map[string]any
	for _, f := range d.Fields {
		v := map[string]any{"@type": "PropertyValue", "name": f.Name}
		if f.Title != "" {
			v["alternateName"] = f.Title
		}
		if f.Description != "" {
			v["description"] = f.Description
		}
		vars = append(vars, v)
	}
	out := map[string]any{
		"@context": "https://schema.org", "@type": "Dataset",
		"@id": base + datasetPagePath(d.ID), "url": base + datasetPagePath(d.ID), "identifier": d.ID,
		"name": d.Title, "description": d.Description, "keywords": d.Keywords, "inLanguage": "zh-CN",
		"creator": org, "publisher": org, "isAccessibleForFree": true,
		"dateModified": d.LastUpdate.In(catalog.Shanghai).Format(time.RFC3339),
		"distribution": dist, "variableMeasured": vars,
		"includedInDataCatalog": map[string]any{"@type": "DataCatalog", "url": base + "/opendata/"},
	}
	if d.License != "" {
		out["license"] = d.License
	}
	if d.PublishedAt != nil {
		out["datePublished"] = d.PublishedAt.In(catalog.Shanghai).Format(time.DateOnly)
	}
	return out
}
