package demo

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var valueRe = map[string]*regexp.Regexp{
	"integer": regexp.MustCompile(`^-?\d+$`),
	"number":  regexp.MustCompile(`^-?\d+(\.\d+)?$`), // plain decimals, never exponents
	"date":    regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`),
	"boolean": regexp.MustCompile(`^(true|false)$`),
}

func validValue(typ, v string) bool {
	switch typ {
	case "string":
		return utf8.ValidString(v)
	case "date":
		_, err := time.Parse(time.DateOnly, v)
		return err == nil && valueRe["date"].MatchString(v)
	case "datetime":
		_, err := time.Parse(time.RFC3339, v)
		return err == nil && strings.HasSuffix(v, "+08:00")
	}
	re := valueRe[typ]
	return re != nil && re.MatchString(v)
}

func TestDatasets(t *testing.T) { forEachCase(t, checkDatasets) }

func checkDatasets(t *testing.T, dir string, m Manifest, opt Options) {
	lines := readLines(t, filepath.Join(dir, "datasets.jsonl"))
	if len(lines) < 12 || len(lines) != m.Datasets {
		t.Fatalf("%d datasets, manifest %d", len(lines), m.Datasets)
	}
	units := map[string]bool{}
	for _, u := range readLines(t, filepath.Join(dir, "units.jsonl")) {
		units[str(u, "code")] = true
	}
	domains, types := map[string]bool{}, map[string]bool{}
	total, largest, leadingZero := 0, 0, false
	for _, d := range lines {
		id := str(d, "id")
		for _, k := range []string{"id", "unit", "title", "description", "domain", "update_frequency", "open_type", "license", "published_at", "csv"} {
			if str(d, k) == "" {
				t.Errorf("%s: missing %s", id, k)
			}
		}
		if !units[str(d, "unit")] {
			t.Errorf("%s: unknown unit %s", id, str(d, "unit"))
		}
		if ot := str(d, "open_type"); ot != "无条件开放" && ot != "有条件开放" {
			t.Errorf("%s: open_type %q", id, ot)
		}
		if !validValue("date", str(d, "published_at")) || len(strs(d, "keywords")) == 0 {
			t.Errorf("%s: published_at or keywords", id)
		}
		domains[str(d, "domain")] = true
		var fields []map[string]any
		for _, f := range d["fields"].([]any) {
			fields = append(fields, f.(map[string]any))
		}
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(str(d, "csv"))))
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		records, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(records) == 0 {
			t.Errorf("%s: CSV: %v", id, err)
			continue
		}
		if len(records[0]) != len(fields) {
			t.Fatalf("%s: header %v", id, records[0])
		}
		for i, fd := range fields {
			types[str(fd, "type")] = true
			if records[0][i] != str(fd, "name") || str(fd, "title") == "" {
				t.Errorf("%s: header column %d is %q, field %q", id, i, records[0][i], str(fd, "name"))
			}
		}
		for r, rec := range records[1:] {
			for i, v := range rec {
				typ := str(fields[i], "type")
				if !validValue(typ, v) {
					t.Errorf("%s row %d: %s=%q is not a valid %s", id, r+1, records[0][i], v, typ)
				}
				if typ == "string" && len(v) > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9' {
					leadingZero = true
				}
			}
		}
		rows := len(records) - 1
		total += rows
		largest = max(largest, rows)
	}
	if total != opt.DatasetRows || total != m.DatasetRows {
		t.Errorf("%d rows, manifest %d, want %d", total, m.DatasetRows, opt.DatasetRows)
	}
	if float64(largest) < 0.35*float64(total) {
		t.Errorf("largest dataset has %d of %d rows", largest, total)
	}
	for _, dom := range []string{"地理信息", "道路交通", "公共服务", "经济统计", "资格资质", "环境环保", "行政管理"} {
		if !domains[dom] {
			t.Errorf("no dataset in %s", dom)
		}
	}
	for _, typ := range []string{"string", "integer", "number", "date", "datetime", "boolean"} {
		if !types[typ] {
			t.Errorf("no field of type %s", typ)
		}
	}
	if !leadingZero {
		t.Error("no string value with a leading zero")
	}
}
