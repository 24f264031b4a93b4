package opendata

import (
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"gongkai/internal/catalog"
)

var testFields = []catalog.Field{
	{Name: "code", Type: catalog.TypeString},
	{Name: "n", Type: catalog.TypeInteger},
	{Name: "limit", Type: catalog.TypeString},
}

func TestParseRowRequest(t *testing.T) {
	tests := []struct {
		query   string
		want    RowRequest
		errs    []string // fields named by errors from parsing and checking
		checked bool
	}{
		{"", RowRequest{}, nil, true},
		{"code=a&code=b&n=1", RowRequest{Filters: map[string][]string{"code": {"a", "b"}, "n": {"1"}}}, nil, true},
		{"limit=10&offset=5&bom=1&fields=n,code", RowRequest{Limit: 10, Offset: 5, BOM: true, Fields: []string{"n", "code"}}, nil, true},
		{"f.limit=L1&limit=2", RowRequest{Limit: 2, Filters: map[string][]string{"limit": {"L1"}}}, nil, true},
		{"code=", RowRequest{Filters: map[string][]string{"code": {""}}}, nil, true},
		{"limit=0", RowRequest{}, []string{"limit"}, false},
		{"limit=x&offset=-1&bom=maybe&after=%21", RowRequest{}, []string{"after", "bom", "limit", "offset"}, false},
		{"fields=code,code", RowRequest{}, []string{"fields"}, false},
		{"fields=", RowRequest{}, []string{"fields"}, false},
		{"nope=1&n=x&fields=code,zz", RowRequest{}, []string{"fields", "n", "nope"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			req, err := ParseRowRequest(q)
			if err == nil && tc.checked {
				err = req.Check(testFields)
			}
			var named []string
			if fe, ok := catalog.AsFieldErrors(err); ok {
				for _, e := range fe {
					named = append(named, e.Field)
				}
			} else if err != nil {
				t.Fatalf("not field errors: %v", err)
			}
			if !reflect.DeepEqual(named, tc.errs) {
				t.Fatalf("errors name %v, want %v (%v)", named, tc.errs, err)
			}
			if tc.errs == nil && !reflect.DeepEqual(req, tc.want) {
				t.Fatalf("got %+v, want %+v", req, tc.want)
			}
		})
	}
}

func TestCursor(t *testing.T) {
	for _, c := range []Cursor{{1, 0}, {3, 1000}, {99, 1 << 40}} {
		back, err := ParseCursor(c.String())
		if err != nil || back != c {
			t.Fatalf("%+v → %q → %+v, %v", c, c.String(), back, err)
		}
	}
	for _, bad := range []string{"", "!!", "djA", "eDEuMg", "djEuLTE"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := map[string]bool{
		"": false, "gzip": true, "deflate, gzip;q=1.0, *;q=0.5": true, "gzip;q=0": false, "br": false,
		"*": true, "*;q=0": false, "identity, *": true, "GZIP": true, "x-gzip": true, "gzip;q=0, *": false,
	}
	for h, want := range tests {
		if got := acceptsGzip(h); got != want {
			t.Errorf("%q: %v, want %v", h, got, want)
		}
	}
}

func TestNotModified(t *testing.T) {
	mod := time.Date(2024, 3, 1, 10, 0, 0, 500e6, time.UTC)
	etag := `W/"ds-v2-abc"`
	tests := []struct {
		header, value string
		want          bool
	}{
		{"If-None-Match", `W/"ds-v2-abc"`, true},
		{"If-None-Match", `"ds-v2-abc"`, true},
		{"If-None-Match", `"x", W/"ds-v2-abc"`, true},
		{"If-None-Match", `*`, true},
		{"If-None-Match", `W/"ds-v1-abc"`, false},
		{"If-Modified-Since", "Fri, 01 Mar 2024 10:00:00 GMT", true},
		{"If-Modified-Since", "Fri, 01 Mar 2024 09:59:59 GMT", false},
		{"If-Modified-Since", "garbage", false},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(tc.header, tc.value)
		if got := notModified(r, etag, mod); got != tc.want {
			t.Errorf("%s: %s: %v, want %v", tc.header, tc.value, got, tc.want)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	got := contentDisposition("ds.csv", downloadName("临沂/公交 站点:\"2024\"", "ds", CSV))
	want := `attachment; filename="ds.csv"; filename*=UTF-8''%E4%B8%B4%E6%B2%82_%E5%85%AC%E4%BA%A4%20%E7%AB%99%E7%82%B9__2024_.csv`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if downloadName("  ", "ds", XLSX) != "ds.xlsx" {
		t.Fatal("empty title")
	}
}

func TestExportLimiter(t *testing.T) {
	l := NewExportLimiter(2)
	r1, ok1 := l.Acquire("a")
	_, ok2 := l.Acquire("a")
	_, ok3 := l.Acquire("a")
	_, okB := l.Acquire("b")
	if !ok1 || !ok2 || ok3 || !okB {
		t.Fatalf("acquire: %v %v %v %v", ok1, ok2, ok3, okB)
	}
	r1()
	r1() // a second release is harmless
	if l.Active("a") != 1 {
		t.Fatalf("active %d", l.Active("a"))
	}
	if _, ok := l.Acquire("a"); !ok {
		t.Fatal("slot not released")
	}
	if strings.Contains(clientKey(httptest.NewRequest("GET", "/", nil)), ":") {
		t.Fatal("client key keeps the port")
	}
}
