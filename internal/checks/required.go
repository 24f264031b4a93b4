package checks

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gongkai/internal/catalog"
)

// Metadata field keys a column may require; they are the entry's JSON
// field names, and a required_fields finding's Part.
const (
	ReqTitle       = "title"
	ReqSummary     = "summary"
	ReqBody        = "body"
	ReqDocNo       = "doc_no"
	ReqWrittenAt   = "written_at"
	ReqValidity    = "validity"
	ReqRelated     = "related"
	ReqForm        = "form"
	ReqAttachments = "attachments"
)

// requiredKeys are the field keys a column may require, in the order
// RequiredFieldKeys lists them.
var requiredKeys = [...]string{ReqTitle, ReqSummary, ReqBody, ReqDocNo, ReqWrittenAt, ReqValidity, ReqRelated, ReqForm, ReqAttachments}

// requiredWording says what is missing, in the words of a finding's
// message ("政策文件须填写文号"); ok is false for an unknown key.
func requiredWording(key string) (what string, ok bool) {
	switch key {
	case ReqTitle:
		return "填写标题", true
	case ReqSummary:
		return "填写摘要", true
	case ReqBody:
		return "填写正文", true
	case ReqDocNo:
		return "填写文号", true
	case ReqWrittenAt:
		return "填写成文日期", true
	case ReqValidity:
		return "注明有效性（有效、失效或废止）", true
	case ReqRelated:
		return "关联相关信息", true
	case ReqForm:
		return "注明解读形式（文字、图解、问答、访谈、视频或媒体评论）", true
	case ReqAttachments:
		return "上传附件", true
	}
	return "", false
}

// DefaultRequired returns what each column of the standard template
// needs: 文号 and 成文日期 for 政策文件, 有效性 and 文号 for 规范性文件, and
// for 政策解读 the policy it interprets and its form. The column settings
// may change it; ValidateRequired checks a changed copy.
func DefaultRequired() map[string][]string {
	return map[string][]string{
		catalog.PolicyColumn:         {ReqDocNo, ReqWrittenAt},
		"gfxwj":                      {ReqValidity, ReqDocNo},
		catalog.InterpretationColumn: {ReqRelated, ReqForm},
	}
}

// ValidateRequired reports a malformed column code or a field key the
// rule does not know.
func ValidateRequired(needs map[string][]string) error {
	codes := make([]string, 0, len(needs))
	for c := range needs {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		if !catalog.ValidUnitCode(c) {
			return fmt.Errorf("checks: required fields: bad column code %q", c)
		}
		for _, k := range needs[c] {
			if _, ok := requiredWording(k); !ok {
				return fmt.Errorf("checks: required fields: column %q: unknown field %q (known: %s)", c, k, strings.Join(RequiredFieldKeys(), ", "))
			}
		}
	}
	return nil
}

// RequiredFieldKeys lists the field keys a column may require.
func RequiredFieldKeys() []string { return append([]string(nil), requiredKeys[:]...) }

// RequiredRule is the required_fields rule: a blocking finding for each
// field the entry's column needs and the entry leaves empty.
type RequiredRule struct {
	needs map[string][]string
	names map[string]string // column code → name, for messages
}

// NewRequiredRule returns the rule over needs (column code → field keys,
// in the order findings are reported). Keys ValidateRequired would refuse
// are skipped.
func NewRequiredRule(needs map[string][]string) *RequiredRule {
	r := &RequiredRule{needs: map[string][]string{}, names: map[string]string{}}
	for c, keys := range needs {
		for _, k := range keys {
			if _, ok := requiredWording(k); ok && !slices.Contains(r.needs[c], k) {
				r.needs[c] = append(r.needs[c], k)
			}
		}
	}
	for _, col := range catalog.DefaultTemplate().Columns {
		r.names[col.Code] = col.Name
	}
	return r
}

// ID is "required_fields".
func (r *RequiredRule) ID() string { return "required_fields" }

// CheckDocument reports each required field d leaves empty.
func (r *RequiredRule) CheckDocument(d Document) []Finding {
	keys := r.needs[d.Column]
	if len(keys) == 0 {
		return nil
	}
	column := r.names[d.Column]
	if column == "" {
		column = "本栏目"
	}
	var out []Finding
	for _, k := range keys {
		if requiredPresent(d, k) {
			continue
		}
		what, _ := requiredWording(k)
		if k == ReqRelated && d.Column == catalog.InterpretationColumn {
			what = "关联所解读的政策文件"
		}
		out = append(out, Finding{Rule: r.ID(), Severity: Blocking, Field: FieldMetadata, Part: k,
			Message: column + "须" + what})
	}
	return out
}

func requiredPresent(d Document, key string) bool {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	switch key {
	case ReqTitle:
		return !blank(d.Title)
	case ReqSummary:
		return !blank(d.Summary)
	case ReqBody:
		return !blank(d.Body)
	case ReqDocNo:
		return !blank(d.DocNo)
	case ReqWrittenAt:
		return !blank(d.WrittenAt)
	case ReqValidity:
		return !blank(d.Validity)
	case ReqForm:
		return !blank(d.Form)
	case ReqRelated:
		for _, id := range d.Related {
			if !blank(id) {
				return true
			}
		}
		return false
	case ReqAttachments:
		return len(d.Attachments) > 0
	}
	return true
}
