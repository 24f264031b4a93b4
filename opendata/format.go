package opendata

// Format is a download format.
type Format string

// The download formats.
const (
	CSV   Format = "csv"
	JSON  Format = "json"
	JSONL Format = "jsonl"
	XLSX  Format = "xlsx"
)

// Formats lists the download formats in the order pages offer them.
var Formats = []Format{CSV, JSON, JSONL, XLSX}

// resourceFormats are the formats published as CKAN resources and DCAT
// distributions (JSON Lines is a variant of the JSON download).
var resourceFormats = []Format{CSV, JSON, XLSX}

// ParseFormat reads a file extension ("csv", "json", "jsonl", "xlsx").
func ParseFormat(ext string) (Format, bool) {
	for _, f := range Formats {
		if string(f) == ext {
			return f, true
		}
	}
	return "", false
}

// MediaType is the Content-Type of a download.
func (f Format) MediaType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case JSON:
		return "application/json; charset=utf-8"
	case JSONL:
		return "application/jsonl; charset=utf-8"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// ianaType is the registered media type without parameters, for DCAT.
func (f Format) ianaType() string {
	switch f {
	case CSV:
		return "text/csv"
	case JSON:
		return "application/json"
	case JSONL:
		return "application/jsonl"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Label is the format's name as people and CKAN clients write it.
func (f Format) Label() string {
	switch f {
	case CSV:
		return "CSV"
	case JSON:
		return "JSON"
	case JSONL:
		return "JSONL"
	case XLSX:
		return "XLSX"
	}
	return string(f)
}

// compressible reports whether gzip helps; XLSX is a zip already.
func (f Format) compressible() bool { return f != XLSX }
