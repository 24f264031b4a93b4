package opendata

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseFQ runs filter queries as CKAN clients and harvesters send
// them over a small catalog whose datasets were modified on different
// days, and checks which datasets each selects.
func TestParseFQ(t *testing.T) {
	cat := slices.Clone(testCatalog)
	for i := range cat {
		// a modified 2024-03-01, b 03-02, …, f 03-06 (UTC midnight).
		cat[i].UpdatedAt = time.Date(2024, 3, 1+i, 0, 0, 0, 0, time.UTC)
		cat[i].CreatedAt = time.Date(2023, 1, 1+i, 0, 0, 0, 0, time.UTC)
	}
	tests := []struct {
		fq   string
		want string // ids selected, or the error's words
		err  bool
	}{
		{"", "abcdef", false},
		{"*:*", "abcdef", false},
		{"organization:jtj", "ab", false},
		{"owner_org:hbj", "cd", false},
		{`+groups:transport AND res_format:CSV`, "abf", false},
		{`groups:(transport OR "环境环保") tags:"公交"`, "ac", false},
		{`groups:(transport || economy)`, "abef", false},
		{`name:c`, "c", false},
		{`id:(a OR f)`, "af", false},
		{`organization:jtj OR organization:sjj`, "abef", false},
		{`organization:jtj OR organization:sjj groups:transport`, "abf", false},
		{`(organization:jtj OR organization:hbj) -tags:公交`, "bd", false},
		{`-organization:jtj -organization:hbj`, "ef", false},
		{`!organization:jtj`, "cdef", false},
		{`NOT groups:environment`, "abef", false},
		{`organization:*`, "abcdef", false},
		{`tags:*`, "abcf", false},
		{`capacity:public`, "abcdef", false},
		{`+capacity:public +state:active dataset_type:dataset`, "abcdef", false},
		{`capacity:private`, "", false},
		{`metadata_modified:[2024-03-03T00:00:00Z TO *]`, "cdef", false},
		{`metadata_modified:{2024-03-03T00:00:00Z TO *]`, "def", false},
		{`metadata_modified:[* TO 2024-03-02T00:00:00Z}`, "a", false},
		{`metadata_modified:[2024-03-02T23:00:00.123456Z TO 2024-03-05]`, "cde", false},
		{`metadata_modified:[2024-03-02T23:00:00.123456 TO NOW]`, "cdef", false},
		{`metadata_modified:[NOW-1DAY TO *]`, "", false},
		{`metadata_modified:[NOW/YEAR-100YEARS TO NOW+1HOUR]`, "abcdef", false},
		{`metadata_created:[2023-01-05T00:00:00Z TO *]`, "ef", false},
		{`organization:jtj OR organization:sjj metadata_modified:[2024-03-02T00:00:00Z TO *]`, "bef", false},
		{`res_format:xlsx license_id:署名 update_frequency:每月 open_type:无条件开放`, "ad", false},
		{`name:"a"`, "a", false},
		{`name:a\ b`, "", false},
		{"color:red", "unsupported field", true},
		{"justtext", "field:value", true},
		{"organization:", "value is missing", true},
		{"(organization:jtj", "not closed", true},
		{"organization:jtj)", "unbalanced", true},
		{"OR organization:jtj", "OR needs", true},
		{"organization:jtj OR", "OR needs", true},
		{`name:"open`, "quote is not closed", true},
		{"metadata_modified:2024-03-01", "takes a range", true},
		{"metadata_modified:[2024-03-01 TO]", "[from TO to]", true},
		{"metadata_modified:[yesterday TO *]", "not an instant", true},
		{"metadata_modified:[NOW-1FORTNIGHT TO *]", "date math", true},
		{"organization:[a TO b]", "ranges are supported", true},
		{"groups:(transport AND economy)", "only OR", true},
		{"*:x", "matches everything", true},
		{strings.Repeat("(", 11) + "name:a" + strings.Repeat(")", 11), "nested deeper", true},
		{strings.Repeat("name:a ", 201), "more than 200 terms", true},
		{strings.Repeat("x", 4001), "longer than 4000 bytes", true},
	}
	for _, tc := range tests {
		t.Run(tc.fq[:min(len(tc.fq), 60)], func(t *testing.T) {
			n, err := parseFQ(tc.fq)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one saying %q", err, tc.want)
				}
				ce, ok := err.(*ckanError)
				if !ok || ce.status != 409 || ce.field != "fq" {
					t.Fatalf("error %#v, want a 409 validation error on fq", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for i := range cat {
				if n.match(&cat[i]) {
					got.WriteString(cat[i].ID)
				}
			}
			if got.String() != tc.want {
				t.Fatalf("selects %q, want %q", got.String(), tc.want)
			}
		})
	}
}

func TestSplitQuery(t *testing.T) {
	words, terms := splitQuery("公交 organization:jtj time:now res_format:csv")
	if !slices.Equal([]string(words), []string{"公交", "time:now"}) || len(terms) != 2 {
		t.Fatalf("%q %+v", words, terms)
	}
	all := fqAnd(terms)
	var got []string
	for i := range testCatalog {
		if all.match(&testCatalog[i]) {
			got = append(got, testCatalog[i].ID)
		}
	}
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("terms of q select %v", got)
	}
}

func TestSolrDateMath(t *testing.T) {
	now := time.Date(2024, 3, 15, 13, 45, 30, 0, time.UTC)
	tests := []struct {
		math string
		want time.Time
	}{
		{"", now},
		{"-1DAY", now.AddDate(0, 0, -1)},
		{"-7DAYS", now.AddDate(0, 0, -7)},
		{"+6HOURS", now.Add(6 * time.Hour)},
		{"/DAY", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)},
		{"/MONTH-1MONTH", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"-30MINUTES/HOUR", time.Date(2024, 3, 15, 13, 0, 0, 0, time.UTC)},
		{"-1YEAR", now.AddDate(-1, 0, 0)},
	}
	for _, tc := range tests {
		got, err := solrDateMath(now, tc.math)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("NOW%s = %v, %v; want %v", tc.math, got, err, tc.want)
		}
	}
	for _, bad := range []string{"1DAY", "-DAY", "/1DAY", "-1WEEK", "-1", "*2DAYS"} {
		if _, err := solrDateMath(now, bad); err == nil {
			t.Errorf("NOW%s accepted", bad)
		}
	}
}
