package catalog

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFieldParse(t *testing.T) {
	long := strings.Repeat("长", 20000)
	tests := []struct {
		typ, raw string
		want     string // canonical text; ignored when reason is set
		null     bool
		reason   string
	}{
		// The sample's bad cells, with the reasons bad_rows.json gives.
		{typ: TypeInteger, raw: "12.5", reason: "not an integer"},
		{typ: TypeDate, raw: "2023/13/01", reason: "not a date (YYYY-MM-DD)"},
		{typ: TypeNumber, raw: "约300", reason: "not a number"},
		{typ: TypeDate, raw: "2023-04-31", reason: "not a calendar date"},
		{typ: TypeBoolean, raw: "2", reason: "not a boolean"},
		{typ: TypeNumber, raw: "N/A", reason: "not a number"},
		{typ: TypeDate, raw: "2023年3月", reason: "not a date (YYYY-MM-DD)"},
		// The sample's tricky cells that must be accepted.
		{typ: TypeNumber, raw: "-0.50", want: "-0.50"},
		{typ: TypeNumber, raw: "0", want: "0"},
		{typ: TypeDate, raw: "2024-02-29", want: "2024-02-29"},
		{typ: TypeInteger, raw: "-1", want: "-1"},

		{typ: TypeInteger, raw: "0539", want: "539"},
		{typ: TypeInteger, raw: "+7", want: "7"},
		{typ: TypeInteger, raw: " 42 ", want: "42"},
		{typ: TypeInteger, raw: "9223372036854775807", want: "9223372036854775807"},
		{typ: TypeInteger, raw: "-9223372036854775808", want: "-9223372036854775808"},
		{typ: TypeInteger, raw: "9223372036854775808", reason: "not an integer"},
		{typ: TypeInteger, raw: "1e3", reason: "not an integer"},
		{typ: TypeInteger, raw: "1,000", reason: "not an integer"},
		{typ: TypeInteger, raw: "-", reason: "not an integer"},
		{typ: TypeInteger, raw: "１２", reason: "not an integer"},

		{typ: TypeNumber, raw: "0.30000000000000004", want: "0.30000000000000004"},
		{typ: TypeNumber, raw: "1000000", want: "1000000"},
		{typ: TypeNumber, raw: "10792.49", want: "10792.49"},
		{typ: TypeNumber, raw: "-13.3", want: "-13.3"},
		{typ: TypeNumber, raw: "123456789012345678901234567890.000000000000000000001", want: "123456789012345678901234567890.000000000000000000001"},
		{typ: TypeNumber, raw: "+3.10", want: "3.10"},
		{typ: TypeNumber, raw: "007.5", want: "7.5"},
		{typ: TypeNumber, raw: ".5", want: "0.5"},
		{typ: TypeNumber, raw: "5.", want: "5"},
		{typ: TypeNumber, raw: "-0", want: "0"},
		{typ: TypeNumber, raw: "-0.00", want: "0.00"},
		{typ: TypeNumber, raw: "1e+06", reason: "not a number"},
		{typ: TypeNumber, raw: "1E6", reason: "not a number"},
		{typ: TypeNumber, raw: "NaN", reason: "not a number"},
		{typ: TypeNumber, raw: "Infinity", reason: "not a number"},
		{typ: TypeNumber, raw: "1,234.5", reason: "not a number"},
		{typ: TypeNumber, raw: ".", reason: "not a number"},
		{typ: TypeNumber, raw: "-.", reason: "not a number"},
		{typ: TypeNumber, raw: "1.2.3", reason: "not a number"},
		{typ: TypeNumber, raw: "0x1F", reason: "not a number"},
		{typ: TypeNumber, raw: "12%", reason: "not a number"},

		{typ: TypeDate, raw: "2023-02-29", reason: "not a calendar date"},
		{typ: TypeDate, raw: "2023-13-01", reason: "not a calendar date"},
		{typ: TypeDate, raw: "2023-1-1", reason: "not a date (YYYY-MM-DD)"},
		{typ: TypeDate, raw: "2023-01-01T00:00:00", reason: "not a date (YYYY-MM-DD)"},
		{typ: TypeDate, raw: "20230101", reason: "not a date (YYYY-MM-DD)"},

		{typ: TypeDateTime, raw: "2024-09-28T21:13:32+08:00", want: "2024-09-28T21:13:32+08:00"},
		{typ: TypeDateTime, raw: "2024-11-06T15:51:40", want: "2024-11-06T15:51:40"},
		{typ: TypeDateTime, raw: "2024-11-06T15:51:40.123Z", want: "2024-11-06T15:51:40.123Z"},
		{typ: TypeDateTime, raw: "2024-11-06 15:51:40", want: "2024-11-06 15:51:40"},
		{typ: TypeDateTime, raw: "2024-11-06T15:51", want: "2024-11-06T15:51"},
		{typ: TypeDateTime, raw: "2024-11-06", reason: "not a datetime (RFC 3339)"},
		{typ: TypeDateTime, raw: "2024-04-31T10:00:00", reason: "not a datetime (RFC 3339)"},
		{typ: TypeDateTime, raw: "2024-11-06T25:00:00", reason: "not a datetime (RFC 3339)"},
		{typ: TypeDateTime, raw: "yesterday", reason: "not a datetime (RFC 3339)"},

		{typ: TypeBoolean, raw: "true", want: "true"},
		{typ: TypeBoolean, raw: "TRUE", want: "true"},
		{typ: TypeBoolean, raw: "False", want: "false"},
		{typ: TypeBoolean, raw: "1", want: "true"},
		{typ: TypeBoolean, raw: "0", want: "false"},
		{typ: TypeBoolean, raw: "是", want: "true"},
		{typ: TypeBoolean, raw: "否", want: "false"},
		{typ: TypeBoolean, raw: "yes", reason: "not a boolean"},

		{typ: TypeString, raw: "007", want: "007"},
		{typ: TypeString, raw: " 临沂\"\"老字号\"\" ", want: " 临沂\"\"老字号\"\" "},
		{typ: TypeString, raw: "a,b\r\nc\rd\n", want: "a,b\r\nc\rd\n"},
		{typ: TypeString, raw: "（全角，标点；）", want: "（全角，标点；）"},
		{typ: TypeString, raw: " ", want: " "},
		{typ: TypeString, raw: long, want: long},
		{typ: TypeString, raw: "bad\xff", reason: "not valid UTF-8"},
		{typ: TypeString, raw: "nul\x00", reason: "contains a NUL byte"},

		{typ: TypeString, raw: "", null: true},
		{typ: TypeInteger, raw: "", null: true},
		{typ: TypeNumber, raw: "  ", null: true},
		{typ: TypeDate, raw: "", null: true},
		{typ: TypeDateTime, raw: "", null: true},
		{typ: TypeBoolean, raw: "", null: true},
	}
	for _, tc := range tests {
		name := tc.typ + "/" + tc.raw
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			v, err := Field{Name: "f", Type: tc.typ}.Parse(tc.raw)
			if tc.reason != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want error %q", tc.raw, v, tc.reason)
				}
				if err.Error() != tc.reason {
					t.Fatalf("Parse(%q) error %q, want %q", tc.raw, err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.raw, err)
			}
			if v.Null != tc.null {
				t.Fatalf("Parse(%q).Null = %v, want %v", tc.raw, v.Null, tc.null)
			}
			if v.Type != tc.typ {
				t.Fatalf("Parse(%q).Type = %q", tc.raw, v.Type)
			}
			if v.Text != tc.want {
				t.Fatalf("Parse(%q).Text = %q, want %q", tc.raw, v.Text, tc.want)
			}
		})
	}
}

func TestValueJSON(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{NullValue(TypeString), `null`},
		{IntegerValue(-7), `-7`},
		{BooleanValue(true), `true`},
		{TextValue(TypeNumber, "-0.50"), `-0.50`},
		{TextValue(TypeNumber, "0.30000000000000004"), `0.30000000000000004`},
		{TextValue(TypeString, "0539"), `"0539"`},
		{TextValue(TypeDate, "2024-02-29"), `"2024-02-29"`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil || string(b) != tc.want {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tc.want)
			}
		})
	}
}

func TestDatasetInputToDataset(t *testing.T) {
	good := func() DatasetInput {
		return DatasetInput{ID: "jtj-bus-stops", Unit: "jtj", Title: "公交站点", Domain: "道路交通",
			PublishedAt: "2024-03-01", CSV: "data/x.csv", Keywords: []string{" 公交 ", "公交", ""},
			Fields: []Field{{Name: "stop_id", Title: "站点编号", Type: "string"}, {Name: "lines", Type: " Integer "}}}
	}
	d, err := good().ToDataset()
	if err != nil {
		t.Fatalf("ToDataset: %v", err)
	}
	if d.PublishedAt == nil || d.PublishedAt.In(Shanghai).Format("2006-01-02 15:04") != "2024-03-01 00:00" {
		t.Fatalf("published_at = %v", d.PublishedAt)
	}
	if len(d.Keywords) != 1 || d.Keywords[0] != "公交" || d.Fields[1].Type != TypeInteger {
		t.Fatalf("normalised = %+v", d)
	}

	tests := []struct {
		name   string
		change func(*DatasetInput)
		fields []string
	}{
		{"no id", func(in *DatasetInput) { in.ID = "" }, []string{"id"}},
		{"bad id", func(in *DatasetInput) { in.ID = "a b" }, []string{"id"}},
		{"no unit", func(in *DatasetInput) { in.Unit = "" }, []string{"unit"}},
		{"no title", func(in *DatasetInput) { in.Title = " " }, []string{"title"}},
		{"bad domain", func(in *DatasetInput) { in.Domain = "交通" }, []string{"domain"}},
		{"no domain", func(in *DatasetInput) { in.Domain = "" }, []string{"domain"}},
		{"bad date", func(in *DatasetInput) { in.PublishedAt = "2024/03/01" }, []string{"published_at"}},
		{"no csv", func(in *DatasetInput) { in.CSV = "" }, []string{"csv"}},
		{"no fields", func(in *DatasetInput) { in.Fields = nil }, []string{"fields"}},
		{"bad field name", func(in *DatasetInput) { in.Fields[0].Name = "1st" }, []string{"fields[0].name"}},
		{"sql in field name", func(in *DatasetInput) { in.Fields[0].Name = "a; DROP TABLE x" }, []string{"fields[0].name"}},
		{"long field name", func(in *DatasetInput) { in.Fields[0].Name = "a" + strings.Repeat("b", 63) }, []string{"fields[0].name"}},
		{"duplicate field", func(in *DatasetInput) { in.Fields[1].Name = "stop_id" }, []string{"fields[1].name"}},
		{"bad type", func(in *DatasetInput) { in.Fields[1].Type = "float" }, []string{"fields[1].type"}},
		{"several", func(in *DatasetInput) { in.ID = ""; in.Fields[1].Type = "" }, []string{"id", "fields[1].type"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.change(&in)
			_, err := in.ToDataset()
			fe, ok := AsFieldErrors(err)
			if !ok {
				t.Fatalf("ToDataset error = %v, want field errors", err)
			}
			var got []string
			for _, e := range fe {
				got = append(got, e.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Fatalf("fields at fault = %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
}
