package checks

import (
	"strings"
	"testing"
)

func TestRequiredRule(t *testing.T) {
	rule := NewRequiredRule(DefaultRequired())
	tests := []struct {
		name string
		doc  Document
		want []string // "part:message"
	}{
		{"policy without 文号 and 成文日期", Document{Column: "zcwj"},
			[]string{"doc_no:政策文件须填写文号", "written_at:政策文件须填写成文日期"}},
		{"policy complete", Document{Column: "zcwj", DocNo: "临政发〔2025〕3号", WrittenAt: "2025-03-01"}, nil},
		{"policy with a blank 文号", Document{Column: "zcwj", DocNo: "  ", WrittenAt: "2025-03-01"},
			[]string{"doc_no:政策文件须填写文号"}},
		{"normative document without validity", Document{Column: "gfxwj", DocNo: "临政规〔2025〕1号"},
			[]string{"validity:规范性文件须注明有效性（有效、失效或废止）"}},
		{"normative document without anything", Document{Column: "gfxwj"},
			[]string{"validity:规范性文件须注明有效性（有效、失效或废止）", "doc_no:规范性文件须填写文号"}},
		{"normative document complete", Document{Column: "gfxwj", DocNo: "临政规〔2025〕1号", Validity: "有效"}, nil},
		{"interpretation without a policy or a form", Document{Column: "zcjd"},
			[]string{"related:政策解读须关联所解读的政策文件", "form:政策解读须注明解读形式（文字、图解、问答、访谈、视频或媒体评论）"}},
		{"interpretation with an empty link", Document{Column: "zcjd", Related: []string{" "}, Form: "图解"},
			[]string{"related:政策解读须关联所解读的政策文件"}},
		{"interpretation complete", Document{Column: "zcjd", Related: []string{"zcwj-2025-01"}, Form: "文字"}, nil},
		{"a column that needs nothing", Document{Column: "tzgg"}, nil},
		{"no column", Document{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range rule.CheckDocument(tc.doc) {
				if f.Rule != "required_fields" || f.Severity != Blocking || f.Field != FieldMetadata {
					t.Errorf("finding %+v: want rule required_fields, blocking, field metadata", f)
				}
				got = append(got, f.Part+":"+f.Message)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("CheckDocument = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRequiredRuleSettings(t *testing.T) {
	needs := map[string][]string{"tzgg": {"attachments", "doc_no", "doc_no", "no_such_field"}, "custom": {"summary"}}
	rule := NewRequiredRule(needs)
	needs["tzgg"][0] = "title" // the rule keeps its own copy
	var got []string
	for _, f := range rule.CheckDocument(Document{Column: "tzgg"}) {
		got = append(got, f.Part+":"+f.Message)
	}
	if want := "attachments:通知公告须上传附件|doc_no:通知公告须填写文号"; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q (a duplicate and an unknown key are skipped)", got, want)
	}
	fs := rule.CheckDocument(Document{Column: "custom"})
	if len(fs) != 1 || fs[0].Message != "本栏目须填写摘要" {
		t.Errorf("a column outside the template: %+v", fs)
	}
	if fs := rule.CheckDocument(Document{Column: "tzgg", DocNo: "1号", Attachments: []Attachment{{Name: "a.docx"}}}); len(fs) != 0 {
		t.Errorf("complete entry: %+v", fs)
	}
}

func TestValidateRequired(t *testing.T) {
	if err := ValidateRequired(DefaultRequired()); err != nil {
		t.Errorf("the default: %v", err)
	}
	for _, tc := range []struct {
		needs map[string][]string
		want  string
	}{
		{map[string][]string{"zcwj": {"doc_number"}}, `unknown field "doc_number"`},
		{map[string][]string{"政策": {"doc_no"}}, "bad column code"},
	} {
		if err := ValidateRequired(tc.needs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateRequired(%v) = %v, want %q", tc.needs, err, tc.want)
		}
	}
}

// TestGateWithListRules runs the rules of this file set through the gate:
// character offsets, fields and document order.
func TestGateWithListRules(t *testing.T) {
	g := New([]TextRule{NewTypoRule(DefaultTypoList()), NewNameTitleRule(DefaultNameList()), NewExpressionRule(DefaultExpressionList())},
		[]MetaRule{NewRequiredRule(DefaultRequired())})
	fs := g.Check(Document{
		Column: "zcwj",
		Title:  "关于其它事项的通知",
		Body:   "副市长张三强调，要按照统一布署做好新冠肺炎防控。",
		DocNo:  "临政发〔2025〕3号",
	})
	var got []string
	for _, f := range fs {
		got = append(got, f.Field+"/"+f.Rule+"/"+f.Text+"/"+string(f.Severity))
	}
	want := []string{
		"metadata/required_fields//blocking",
		"title/typo/其它/warning",
		"body/name_title/副市长张三/blocking",
		"body/typo/布署/warning",
		"body/expression/新冠肺炎/warning",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("findings\n%q\nwant\n%q", got, want)
	}
	if f := fs[3]; f.Start != 13 || f.End != 15 || f.Suggestion != "部署" {
		t.Errorf("布署: start %d end %d suggestion %q, want characters 13–15 and 部署", f.Start, f.End, f.Suggestion)
	}
	if !HasBlocking(fs) {
		t.Error("a wrong title and a missing 成文日期 block")
	}
}
