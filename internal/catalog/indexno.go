package catalog

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultIndexFormat is the national scheme: organisation code / year - serial.
const DefaultIndexFormat = "{org}/{year}-{serial:5}"

// IndexFormat renders index numbers (索引号) from a pattern such as
// "{org}/{year}-{serial:5}" or Linyi's "{code}/{abbr}/{year}-{serial:7}".
// Placeholders: {org} organisation code, {code} unit code, {abbr} upper-case
// unit code, {year}, and {serial:N} zero-padded to N digits (once, last).
type IndexFormat struct {
	pattern string
	width   int
}

// ParseIndexFormat checks a pattern and returns the format.
func ParseIndexFormat(pattern string) (IndexFormat, error) {
	if pattern == "" {
		pattern = DefaultIndexFormat
	}
	i := strings.Index(pattern, "{serial")
	if i < 0 || strings.Count(pattern, "{serial") != 1 {
		return IndexFormat{}, fmt.Errorf("catalog: index format %q must contain {serial:N} once", pattern)
	}
	j := strings.Index(pattern[i:], "}")
	if j < 0 {
		return IndexFormat{}, fmt.Errorf("catalog: index format %q: unclosed {serial", pattern)
	}
	spec := pattern[i+1 : i+j]
	width := 5
	if rest, ok := strings.CutPrefix(spec, "serial:"); ok {
		w, err := strconv.Atoi(rest)
		if err != nil || w < 1 || w > 12 {
			return IndexFormat{}, fmt.Errorf("catalog: index format %q: serial width must be 1..12", pattern)
		}
		width = w
	} else if spec != "serial" {
		return IndexFormat{}, fmt.Errorf("catalog: index format %q: bad placeholder {%s}", pattern, spec)
	}
	if !strings.Contains(pattern, "{year}") {
		return IndexFormat{}, fmt.Errorf("catalog: index format %q must contain {year}", pattern)
	}
	return IndexFormat{pattern: pattern[:i] + "{serial}" + pattern[i+j+1:], width: width}, nil
}

// Scope is the part of an index number shared by every number of one unit
// and year; serials count up within a scope and are never reused.
func (f IndexFormat) Scope(u Unit, year int) string {
	org := u.OrgCode
	if org == "" {
		org = strings.ToUpper(u.Code)
	}
	r := strings.NewReplacer("{org}", org, "{code}", u.Code, "{abbr}", strings.ToUpper(u.Code), "{year}", strconv.Itoa(year))
	return r.Replace(f.pattern)
}

// Format renders the index number for serial within scope.
func (f IndexFormat) Format(scope string, serial int64) string {
	s := strconv.FormatInt(serial, 10)
	if pad := f.width - len(s); pad > 0 {
		s = strings.Repeat("0", pad) + s
	}
	return strings.Replace(scope, "{serial}", s, 1)
}
