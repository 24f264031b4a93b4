package opendata

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gongkai/internal/catalog"
)

// values returns n distinct values with a prefix.
func values(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

func TestParseRowRequestBoundsFilters(t *testing.T) {
	many := url.Values{}
	for i := range 5 {
		many["c"+strconv.Itoa(i)] = values("v", 45) // 225 values over five fields, none over 50
	}
	tests := []struct {
		name   string
		q      url.Values
		field  string // the field the 400 names; "" when the request is good
		reason string
	}{
		{"50 values of one field", url.Values{"code": values("v", 50)}, "", ""},
		{"51 values of one field", url.Values{"code": values("v", 51)}, "code", "at most 50 values for one field; got 51"},
		{"the field counted across f.", url.Values{"code": values("a", 30), "f.code": values("b", 30)}, "f.code", "got 60"},
		{"200 values in all", url.Values{"a": values("v", 50), "b": values("v", 50), "c": values("v", 50), "d": values("v", 50)}, "", ""},
		{"201 values in all", url.Values{"a": values("v", 50), "b": values("v", 50), "c": values("v", 50), "d": values("v", 50), "e": {"x"}}, "e", "at most 200 filter values in all"},
		{"225 values over five fields", many, "c4", "at most 200 filter values in all"},
		{"a value of 500 bytes", url.Values{"code": {strings.Repeat("字", 166) + "ab"}}, "", ""},
		{"a value of 501 bytes", url.Values{"code": {"a", strings.Repeat("字", 167)}}, "code", "a filter value is 501 bytes, at most 500"},
		{"500 fields listed", url.Values{"fields": {strings.Join(values("f", 500), ",")}}, "", ""},
		{"501 fields listed", url.Values{"fields": {strings.Join(values("f", 501), ",")}}, "fields", "at most 500 fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := ParseRowRequest(tc.q)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				n := 0
				for _, vs := range req.Filters {
					n += len(vs)
				}
				want := 0
				for k, vs := range tc.q {
					if k != paramFields {
						want += len(vs)
					}
				}
				if n != want {
					t.Fatalf("%d filter values kept, want %d", n, want)
				}
				return
			}
			fe, ok := catalog.AsFieldErrors(err)
			if !ok {
				t.Fatalf("err = %v, want field errors", err)
			}
			found := false
			for _, e := range fe {
				if e.Field == tc.field && strings.Contains(e.Reason, tc.reason) {
					found = true
				}
			}
			if !found {
				t.Fatalf("errors %v, want %s: …%s…", fe, tc.field, tc.reason)
			}
		})
	}
}

// A list of fields is checked in linear time: a query string of a megabyte
// of names is answered at once, not after a quadratic search for repeats.
func TestParseFieldListLong(t *testing.T) {
	names := values("f", 100000)
	if _, err := parseFieldList([]string{strings.Join(names, ",")}); err == nil || !strings.Contains(err.Error(), "at most 500 fields") {
		t.Fatalf("err = %v", err)
	}
	if _, err := parseFieldList([]string{"a,b,a"}); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("repeat: %v", err)
	}
}
