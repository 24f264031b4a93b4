// Package opendata serves the open datasets: the catalog with its facets,
// downloads that stream rows from the store as CSV, JSON, JSON Lines and
// XLSX without holding a dataset in memory, keyset paging for API clients,
// the CKAN Action API shape that existing open-data clients speak, and the
// catalog as DCAT-AP JSON-LD. Rows come from internal/store; this package
// holds no SQL and no router: the portal registers its handlers.
package opendata
