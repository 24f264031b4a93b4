package portal_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// repeat returns a query string of n values of one parameter.
func repeat(name string, n int, value func(i int) string) string {
	q := url.Values{}
	for i := range n {
		q.Add(name, value(i))
	}
	return q.Encode()
}

// Filter lists on downloads and on the search API are bounded: too many
// values, or too long a value, is a 400 naming the parameter, never a
// database error; so is an unknown field.
func TestPublicFilterBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		importHostile(t, st)
		srv := newODServer(t, st)
		num := func(i int) string { return strconv.Itoa(i) }
		many := func(fields, each int) string {
			var parts []string
			for f := range fields {
				parts = append(parts, repeat("f.note"+strconv.Itoa(f), each, num))
			}
			return strings.Join(parts, "&")
		}
		tests := []struct {
			name, url string
			status    int
			field     string
			contains  string
		}{
			{"50 values of a field", "/opendata/datasets/tjj-hostile.csv?" + repeat("n", 50, num), 200, "", ""},
			{"51 values of a field", "/opendata/datasets/tjj-hostile.csv?" + repeat("n", 51, num), 400, "n", "at most 50 values for one field"},
			{"51 values on the JSON download", "/opendata/datasets/tjj-hostile.json?" + repeat("code", 51, num), 400, "code", "at most 50"},
			{"51 values on the rows page", "/opendata/api/datasets/tjj-hostile/rows?" + repeat("code", 51, num), 400, "code", "at most 50"},
			{"201 values in all", "/opendata/datasets/tjj-hostile.csv?" + many(5, 41), 400, "", "at most 200 filter values in all"},
			{"10,000 values of a field", "/opendata/datasets/tjj-hostile.xlsx?" + repeat("code", 10000, num), 400, "code", "at most 50"},
			{"a value of 501 bytes", "/opendata/datasets/tjj-hostile.csv?note=" + strings.Repeat("x", 501), 400, "note", "at most 500"},
			{"a value of 500 bytes", "/opendata/datasets/tjj-hostile.csv?note=" + strings.Repeat("x", 500), 200, "", ""},
			{"unknown field", "/opendata/datasets/tjj-hostile.csv?nope=1", 400, "nope", "unknown field"},
			{"search: 21 values of a facet", "/api/v1/search?q=x&" + repeat("unit", 21, func(i int) string { return "u" + strconv.Itoa(i) }), 400, "unit", "at most 20 values"},
			{"search: 20 values of a facet", "/api/v1/search?q=x&" + repeat("unit", 20, func(i int) string { return "u" + strconv.Itoa(i) }), 503, "", ""},
			{"search: a value of 101 characters", "/api/v1/search?topic=" + url.QueryEscape(strings.Repeat("字", 101)), 400, "topic", "value too long"},
			{"search: an unknown facet", "/api/v1/search?q=x&colour=red", 400, "colour", "unknown parameter"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := fetch(t, srv.URL+tc.url)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tc.status, body)
				}
				if tc.status < 400 || tc.status == 503 {
					return
				}
				var e struct {
					Error struct {
						Code, Message string
						Fields        []struct{ Field, Reason string }
					}
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
					t.Fatalf("not a JSON error: %v %.300s", err, body)
				}
				if bytes.Contains(body, []byte("sql")) || bytes.Contains(body, []byte("goroutine")) {
					t.Fatalf("a database or Go error leaks: %.300s", body)
				}
				found := false
				for _, f := range e.Error.Fields {
					if (tc.field == "" || f.Field == tc.field) && strings.Contains(f.Reason, tc.contains) {
						found = true
					}
				}
				if !found {
					t.Fatalf("no error naming %q with %q: %s", tc.field, tc.contains, body)
				}
			})
		}
	})
}

// The dataset page says which CSV is byte-exact and which is made safe
// for Excel.
func TestDatasetPageNamesTheCSVVariants(t *testing.T) {
	st := storetest.SQLite(t)
	importHostile(t, st)
	srv := newODServer(t, st)
	resp, body := fetch(t, srv.URL+"/opendata/datasets/tjj-hostile", "Accept", "text/html")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	page := string(body)
	item := func(href string) string {
		i := strings.Index(page, `href="`+href+`"`)
		if i < 0 {
			t.Fatalf("no link %s", href)
		}
		end := strings.Index(page[i:], "</li>")
		return page[i : i+end]
	}
	plain, excel := item("/opendata/datasets/tjj-hostile.csv"), item("/opendata/datasets/tjj-hostile.csv?bom=1")
	if !strings.Contains(plain, "原始数据，逐字节一致") || strings.Contains(plain, "公式注入") {
		t.Errorf("plain CSV item: %s", plain)
	}
	// html/template writes + and ' as character references.
	if !strings.Contains(excel, "适合用 Excel 打开：以 = &#43; - @ 开头的文本前加 &#39;，防止公式注入") {
		t.Errorf("Excel CSV item: %s", excel)
	}
}
