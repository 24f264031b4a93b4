package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Domains are the open-data domains (领域) a dataset is filed under.
var Domains = []string{"地理信息", "道路交通", "公共服务", "经济统计", "资格资质", "环境环保", "行政管理"}

// Field types of dataset columns.
const (
	TypeString   = "string"
	TypeInteger  = "integer"
	TypeNumber   = "number"
	TypeDate     = "date"
	TypeDateTime = "datetime"
	TypeBoolean  = "boolean"
)

// FieldTypes lists the accepted field types.
var FieldTypes = []string{TypeString, TypeInteger, TypeNumber, TypeDate, TypeDateTime, TypeBoolean}

// Limits on dataset metadata. MaxFields stays well under both databases'
// column limits (SQLite 2000, PostgreSQL 1600), since every field becomes
// a column of the version's row table.
const (
	MaxFields           = 500
	maxDescriptionRunes = 10000
	maxFieldTextRunes   = 2000
	maxNumberDigits     = 1000
)

// Reasons a cell does not fit its field's type; importers report them as
// they are, so the wording is part of what users see.
const (
	ReasonInteger  = "not an integer"
	ReasonNumber   = "not a number"
	ReasonDate     = "not a date (YYYY-MM-DD)"
	ReasonCalendar = "not a calendar date"
	ReasonDateTime = "not a datetime (RFC 3339)"
	ReasonBoolean  = "not a boolean"
	ReasonUTF8     = "not valid UTF-8"
	ReasonNUL      = "contains a NUL byte"
)

// Field is one column of a dataset.
type Field struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

// Dataset is the metadata of an open-data dataset. Its rows are kept by
// version in the store.
type Dataset struct {
	ID              string     `json:"id"`
	Unit            string     `json:"unit"`
	Title           string     `json:"title"`
	Description     string     `json:"description"`
	Domain          string     `json:"domain"`
	UpdateFrequency string     `json:"update_frequency"`
	OpenType        string     `json:"open_type"`
	License         string     `json:"license"`
	Keywords        []string   `json:"keywords"`
	PublishedAt     *time.Time `json:"published_at,omitempty"`
	Fields          []Field    `json:"fields"`
}

// DatasetInput is a dataset as an import line gives it: the metadata and
// the path of its CSV file.
type DatasetInput struct {
	ID              string   `json:"id"`
	Unit            string   `json:"unit"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Domain          string   `json:"domain"`
	UpdateFrequency string   `json:"update_frequency"`
	OpenType        string   `json:"open_type"`
	License         string   `json:"license"`
	Keywords        []string `json:"keywords"`
	PublishedAt     string   `json:"published_at"`
	CSV             string   `json:"csv"`
	Fields          []Field  `json:"fields"`
}

var fieldNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// ValidDatasetID reports whether id may key a dataset (the same form as
// entry ids).
func ValidDatasetID(id string) bool { return entryIDRE.MatchString(id) }

// ValidFieldName reports whether name may name a dataset field.
func ValidFieldName(name string) bool { return fieldNameRE.MatchString(name) }

// ToDataset validates the input and turns it into a Dataset. Whether the
// unit exists and whether the CSV can be read is for the caller to check.
func (in DatasetInput) ToDataset() (Dataset, error) {
	d := Dataset{
		ID: strings.TrimSpace(in.ID), Unit: strings.TrimSpace(in.Unit), Title: strings.TrimSpace(in.Title),
		Description: strings.TrimSpace(in.Description), Domain: strings.TrimSpace(in.Domain),
		UpdateFrequency: strings.TrimSpace(in.UpdateFrequency), OpenType: strings.TrimSpace(in.OpenType),
		License: strings.TrimSpace(in.License),
	}
	d.Keywords = make([]string, 0, len(in.Keywords))
	for _, k := range in.Keywords {
		if k = strings.TrimSpace(k); k != "" && !contains(d.Keywords, k) {
			d.Keywords = append(d.Keywords, k)
		}
	}
	d.Fields = make([]Field, len(in.Fields))
	for i, f := range in.Fields {
		d.Fields[i] = Field{Name: strings.TrimSpace(f.Name), Title: strings.TrimSpace(f.Title),
			Type: strings.ToLower(strings.TrimSpace(f.Type)), Description: strings.TrimSpace(f.Description)}
	}
	var errs FieldErrors
	if s := strings.TrimSpace(in.PublishedAt); s != "" {
		t, err := ParseTime(s)
		if err != nil {
			errs.Add("published_at", "发布日期格式不正确，应为 ISO 8601，如 2024-03-01 (got "+quote(in.PublishedAt)+")")
		} else {
			d.PublishedAt = &t
		}
	}
	if strings.TrimSpace(in.CSV) == "" {
		errs.Add("csv", "缺少 CSV 文件路径 (required)")
	}
	if err := d.Validate(); err != nil {
		fe, _ := AsFieldErrors(err)
		errs = append(errs, fe...)
	}
	return d, errs.Err()
}

// Validate checks a dataset's metadata and field list and returns every
// problem found.
func (d Dataset) Validate() error {
	var errs FieldErrors
	switch {
	case d.ID == "":
		errs.Add("id", "缺少 id (required)")
	case !ValidDatasetID(d.ID):
		errs.Add("id", "id 只能由字母、数字、. _ - 组成，最长 64 个字符 (must match [A-Za-z0-9._-]{1,64})")
	}
	switch {
	case d.Unit == "":
		errs.Add("unit", "缺少单位代码 (required)")
	case !ValidUnitCode(d.Unit):
		errs.Add("unit", "单位代码格式不正确 (got "+quote(d.Unit)+")")
	}
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		errs.Add("title", "缺少标题 (required)")
	case n > maxTitleRunes:
		errs.Add("title", "标题过长 (longer than 500 characters)")
	}
	if utf8.RuneCountInString(d.Description) > maxDescriptionRunes {
		errs.Add("description", "描述过长 (longer than 10000 characters)")
	}
	switch {
	case d.Domain == "":
		errs.Add("domain", "缺少领域 (required: "+strings.Join(Domains, "、")+")")
	case !contains(Domains, d.Domain):
		errs.Add("domain", "领域必须是 "+strings.Join(Domains, "、")+" 之一 (got "+quote(d.Domain)+")")
	}
	for field, v := range map[string]string{"update_frequency": d.UpdateFrequency, "open_type": d.OpenType} {
		if utf8.RuneCountInString(v) > maxShortRunes {
			errs.Add(field, "过长 (longer than 200 characters)")
		}
	}
	if utf8.RuneCountInString(d.License) > maxTitleRunes {
		errs.Add("license", "过长 (longer than 500 characters)")
	}
	if len(d.Keywords) > maxKeywords {
		errs.Add("keywords", "关键词过多 (more than 50)")
	}
	for _, k := range d.Keywords {
		if utf8.RuneCountInString(k) > maxShortRunes {
			errs.Add("keywords", "关键词过长 (longer than 200 characters)")
			break
		}
	}
	switch {
	case len(d.Fields) == 0:
		errs.Add("fields", "缺少字段定义 (at least one field is required)")
	case len(d.Fields) > MaxFields:
		errs.Add("fields", fmt.Sprintf("字段过多 (more than %d)", MaxFields))
	}
	seen := make(map[string]int, len(d.Fields))
	for i, f := range d.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		switch {
		case f.Name == "":
			errs.Add(at+".name", "缺少字段名 (required)")
		case !ValidFieldName(f.Name):
			errs.Add(at+".name", "字段名只能由字母、数字和 _ 组成，不以数字开头，最长 63 个字符 (must match [A-Za-z_][A-Za-z0-9_]{0,62}; got "+quote(f.Name)+")")
		default:
			if first, dup := seen[f.Name]; dup {
				errs.Add(at+".name", fmt.Sprintf("字段名 %q 与 fields[%d] 重复 (duplicate field name)", f.Name, first))
			} else {
				seen[f.Name] = i
			}
		}
		if !contains(FieldTypes, f.Type) {
			errs.Add(at+".type", "字段类型必须是 "+strings.Join(FieldTypes, "、")+" 之一 (got "+quote(f.Type)+")")
		}
		if utf8.RuneCountInString(f.Title) > maxShortRunes {
			errs.Add(at+".title", "过长 (longer than 200 characters)")
		}
		if utf8.RuneCountInString(f.Description) > maxFieldTextRunes {
			errs.Add(at+".description", "过长 (longer than 2000 characters)")
		}
	}
	return errs.Err()
}

// FieldIndex returns the position of the named field.
func (d Dataset) FieldIndex(name string) (int, bool) {
	for i, f := range d.Fields {
		if f.Name == name {
			return i, true
		}
	}
	return -1, false
}

// Value is one cell of a dataset row, checked against its field's type.
// Text is the canonical text of every non-null value: strings, dates and
// date-times exactly as written, numbers as written but for a leading "+",
// redundant leading zeros and the sign of zero (the form PostgreSQL's
// NUMERIC gives back), integers and booleans in Go's standard form.
type Value struct {
	Type string
	Null bool
	Text string
	Int  int64
	Bool bool
}

// NullValue is an empty cell of a field of type typ.
func NullValue(typ string) Value { return Value{Type: typ, Null: true} }

// IntegerValue is a cell of an integer field.
func IntegerValue(i int64) Value {
	return Value{Type: TypeInteger, Text: strconv.FormatInt(i, 10), Int: i}
}

// BooleanValue is a cell of a boolean field.
func BooleanValue(b bool) Value {
	return Value{Type: TypeBoolean, Text: strconv.FormatBool(b), Bool: b}
}

// TextValue is a cell of a string, number, date or datetime field, whose
// text is already canonical (as read back from the store).
func TextValue(typ, text string) Value { return Value{Type: typ, Text: text} }

// String returns the canonical text; "" for an empty cell.
func (v Value) String() string { return v.Text }

// Native returns the value as Go holds it: nil, int64, bool or string
// (numbers as their exact decimal text).
func (v Value) Native() any {
	switch {
	case v.Null:
		return nil
	case v.Type == TypeInteger:
		return v.Int
	case v.Type == TypeBoolean:
		return v.Bool
	default:
		return v.Text
	}
}

// MarshalJSON writes integers and numbers as JSON numbers (numbers with
// their exact digits), booleans as true/false, empty cells as null and
// everything else as strings.
func (v Value) MarshalJSON() ([]byte, error) {
	switch {
	case v.Null:
		return []byte("null"), nil
	case v.Type == TypeInteger, v.Type == TypeNumber, v.Type == TypeBoolean:
		return []byte(v.Text), nil
	default:
		return json.Marshal(v.Text)
	}
}

// Parse checks one raw cell against the field's type and returns its
// value. An empty cell is an empty value (NULL) for every type; apart from
// strings, which are kept byte for byte, surrounding spaces are ignored.
// The error's text is the reason for the report.
func (f Field) Parse(raw string) (Value, error) {
	if f.Type == TypeString {
		switch {
		case raw == "":
			return NullValue(TypeString), nil
		case !utf8.ValidString(raw):
			return Value{}, cellError(ReasonUTF8)
		case strings.IndexByte(raw, 0) >= 0:
			return Value{}, cellError(ReasonNUL)
		}
		return Value{Type: TypeString, Text: raw}, nil
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return NullValue(f.Type), nil
	}
	switch f.Type {
	case TypeInteger:
		if !isInteger(s) {
			return Value{}, cellError(ReasonInteger)
		}
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return Value{}, cellError(ReasonInteger)
		}
		return IntegerValue(i), nil
	case TypeNumber:
		text, ok := canonicalNumber(s)
		if !ok {
			return Value{}, cellError(ReasonNumber)
		}
		return Value{Type: TypeNumber, Text: text}, nil
	case TypeDate:
		if !isDateShape(s) {
			return Value{}, cellError(ReasonDate)
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return Value{}, cellError(ReasonCalendar)
		}
		return Value{Type: TypeDate, Text: s}, nil
	case TypeDateTime:
		if !isDateTime(s) {
			return Value{}, cellError(ReasonDateTime)
		}
		return Value{Type: TypeDateTime, Text: s}, nil
	case TypeBoolean:
		switch {
		case s == "1" || s == "是" || strings.EqualFold(s, "true"):
			return BooleanValue(true), nil
		case s == "0" || s == "否" || strings.EqualFold(s, "false"):
			return BooleanValue(false), nil
		}
		return Value{}, cellError(ReasonBoolean)
	}
	return Value{}, fmt.Errorf("unknown field type %q", f.Type)
}

// CellError is a cell that does not fit its field's type.
type CellError struct{ Reason string }

func (e *CellError) Error() string { return e.Reason }

func cellError(reason string) error { return &CellError{Reason: reason} }

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isInteger(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	return isDigits(s)
}

// canonicalNumber accepts a plain decimal (optional sign, digits, optional
// fraction; no exponent, no grouping) and returns it in the form
// PostgreSQL's NUMERIC prints, so that both databases give back the same
// text: no "+", no redundant leading zeros, "0.5" for ".5", "5" for "5.",
// no sign on zero. Trailing zeros of the fraction are kept: "-0.50" stays.
func canonicalNumber(s string) (string, bool) {
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return "", false
	}
	if (intPart != "" && !isDigits(intPart)) || (frac != "" && !isDigits(frac)) {
		return "", false
	}
	if len(intPart)+len(frac) > maxNumberDigits {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if hasDot && frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out, true
}

// isDateShape reports whether s is written YYYY-MM-DD.
func isDateShape(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' && isDigits(s[:4]) && isDigits(s[5:7]) && isDigits(s[8:])
}

// dateTimeLayouts are the accepted date-time shapes: RFC 3339 (with "T" or
// a space, optional fraction of a second) and the same without a zone.
var dateTimeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
}

func isDateTime(s string) bool {
	if len(s) < 16 || !isDateShape(s[:10]) {
		return false
	}
	for _, l := range dateTimeLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}
