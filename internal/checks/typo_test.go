package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// typoFound runs rule over text and returns "wrong→suggestion" for each match.
func typoFound(rule TextRule, text string) []string {
	var out []string
	for _, m := range rule.Check(text) {
		out = append(out, text[m.Start:m.End]+"→"+m.Suggestion)
	}
	return out
}

func TestTypoRuleDefaultList(t *testing.T) {
	rule := NewTypoRule(DefaultTypoList())
	tests := []struct {
		name, text string
		want       []string
	}{
		{"截止 before a year", "截止2024年底，共受理128件。", []string{"截止→截至"}},
		{"截止 before 目前", "截止目前，各县区均已制定方案。", []string{"截止→截至"}},
		{"截止 before a Chinese numeral and 月", "截止十二月底，已完成全年任务。", []string{"截止→截至"}},
		{"截止 before a space and a year", "截止 2024年底，共受理128件。", []string{"截止→截至"}},
		{"截止到 is right", "征集截止到2024年底。", nil},
		{"截止日期 is right", "申报截止日期为6月30日。", nil},
		{"截止 at the end is right", "申报工作于5月20日截止。", nil},
		{"截至 before a year is right", "截至2024年底，共受理128件。", nil},
		{"截至 before 时间", "报名截至时间为3月15日。", []string{"截至→截止"}},
		{"截至 at the end of the text", "报名即日截至", []string{"截至→截止"}},
		{"其它 is a style warning", "其它事项另行通知。", []string{"其它→其他"}},
		{"尤其它们 is kept", "尤其它们的线路亟须更换。", nil},
		{"布署", "按照统一布署推进。", []string{"布署→部署"}},
		{"发布署名 is kept", "发布署名文章。", nil},
		{"按装 before 电梯", "为小区按装电梯。", []string{"按装→安装"}},
		{"按装修面积 is 按 + 装修", "按装修面积核定。", nil},
		{"上报导致 is 上报 + 导致", "未及时上报导致事故扩大。", nil},
		{"反应 before 诉求", "及时反应群众诉求。", []string{"反应→反映"}},
		{"不良反应情况 is right", "做好不良反应情况监测。", nil},
		{"快速反应 is right", "快速反应、科学处置。", nil},
		{"渡过一个…春节", "让群众渡过一个欢乐祥和的春节。", []string{"渡过→度过"}},
		{"渡过一个又一个难关 is right", "带领群众渡过一个又一个难关。", nil},
		{"渡过 before a time word", "陪伴儿童渡过暑假。", []string{"渡过→度过"}},
		{"度过难关", "帮助企业度过难关。", []string{"度过→渡过"}},
		{"渡过难关 is right", "帮助企业渡过难关。", nil},
		{"要即使整改", "发现问题要即使整改。", []string{"即使→及时"}},
		{"即使…也 is concessive", "要确保即使在高峰期也能正常供水。", nil},
		{"立即使用 is 立即 + 使用", "物资要立即使用。", nil},
		{"既使…又使 is right", "既使企业减负，又使群众受益。", nil},
		{"既使 for 即使", "既使困难再大，也要按期完成。", []string{"既使→即使"}},
		{"ahead stops at the sentence end", "既使困难再大。又使得", []string{"既使→即使"}},
		{"an idiom", "希望再接再励，取得更大成绩。", []string{"再接再励→再接再厉"}},
		{"two in one text", "其它单位按统一布署执行。", []string{"其它→其他", "布署→部署"}},
		{"longest wins: 随声附合 not 附合", "不能随声附合。", []string{"随声附合→随声附和"}},
		{"帐篷 shields 转帐", "搭建旋转帐篷。", nil},
		{"clean text", "现将有关事项通知如下。", nil},
		{"empty text", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := typoFound(rule, tc.text)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Check(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestTypoMatchFields(t *testing.T) {
	rule := NewTypoRule(DefaultTypoList())
	text := "一、总体要求。其它事项按统一布署执行。"
	ms := rule.Check(text)
	if len(ms) != 2 {
		t.Fatalf("Check(%q) = %+v, want 2 matches", text, ms)
	}
	for _, m := range ms {
		if m.Severity != Warning {
			t.Errorf("%q: severity %q, want warning (typos never block)", text[m.Start:m.End], m.Severity)
		}
		if m.Message == "" || !utf8.ValidString(text[m.Start:m.End]) {
			t.Errorf("match %+v: empty message or offsets not on rune boundaries", m)
		}
	}
	if got := text[ms[0].Start:ms[0].End]; got != "其它" || ms[0].Start != len("一、总体要求。") {
		t.Errorf("first match %q at byte %d, want 其它 at byte %d", got, ms[0].Start, len("一、总体要求。"))
	}
	if !strings.Contains(ms[0].Message, "用词不规范") || !strings.Contains(ms[1].Message, "错别字") {
		t.Errorf("messages %q, %q: want a usage note for 其它 and a typo note for 布署", ms[0].Message, ms[1].Message)
	}
	// The gate turns byte offsets into character offsets.
	f := finding("typo", ms[1], text, FieldBody, "", "")
	if f.Text != "布署" || f.Start != utf8.RuneCountInString("一、总体要求。其它事项按统一") || f.End != f.Start+2 {
		t.Errorf("finding = %+v", f)
	}
}

func TestContextRules(t *testing.T) {
	tests := []struct {
		name, rule, text string
		want             bool // is 甲乙 (at the first 甲乙 in text) reported
	}{
		{"no rule", "", "甲乙", true},
		{"next literal", "next:丙", "甲乙丙", true},
		{"next literal fails", "next:丙", "甲乙丁", false},
		{"next alternatives", "next:丙|丁", "甲乙丁", true},
		{"not-next", "not-next:丙", "甲乙丙", false},
		{"not-next at the end", "not-next:丙", "甲乙", true},
		{"next digit", "next:{d}", "甲乙2024", true},
		{"next full-width digit", "next:{d}", "甲乙２０２４", true},
		{"next digit fails", "next:{d}", "甲乙年", false},
		{"next numeral then time", "next:{n}+{t}", "甲乙十二月", true},
		{"next numeral without time", "next:{n}+{t}", "甲乙十二", false},
		{"next punctuation", "next:{p}", "甲乙。", true},
		{"next punctuation at the end", "next:{p}", "甲乙", true},
		{"next punctuation before Han fails", "next:{p}", "甲乙丙", false},
		{"next Han", "next:{h}", "甲乙丙", true},
		{"next Han fails on a digit", "next:{h}", "甲乙1", false},
		{"next skips spaces", "next:丙", "甲乙\u3000丙", true},
		{"next does not skip a line break", "next:丙", "甲乙\n丙", false},
		{"prev literal", "prev:丙", "丙甲乙", true},
		{"prev fails", "prev:丙", "丁甲乙", false},
		{"prev at the start", "prev:{p}", "甲乙", true},
		{"prev digits", "prev:{d}+年", "2024年甲乙", true},
		{"not-prev", "not-prev:丙", "丙甲乙", false},
		{"ahead", "ahead:又", "甲乙丙丁又", true},
		{"ahead beyond the sentence", "ahead:又", "甲乙丙。又", false},
		{"not-ahead", "not-ahead:又", "甲乙，又", false},
		{"behind", "behind:丙", "丙丁甲乙", true},
		{"behind beyond the sentence", "behind:丙", "丙；丁甲乙", false},
		{"all conditions must hold", "next:丙 prev:丁", "甲乙丙", false},
		{"all conditions hold", "next:丙 prev:丁", "丁甲乙丙", true},
		{"style is not a condition", "style", "甲乙", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line := "甲乙\t乙甲\t" + tc.rule
			list, err := ParseTypoList(strings.NewReader(line))
			if err != nil {
				t.Fatalf("parse %q: %v", line, err)
			}
			got := len(NewTypoRule(list).Check(tc.text)) > 0
			if got != tc.want {
				t.Errorf("rule %q on %q: reported %v, want %v", tc.rule, tc.text, got, tc.want)
			}
		})
	}
}

func TestTypoListFirstMatchingLineWins(t *testing.T) {
	list, err := ParseTypoList(strings.NewReader("甲乙\t丙\tnext:一\n甲乙\t丁\n"))
	if err != nil {
		t.Fatal(err)
	}
	rule := NewTypoRule(list)
	if got := typoFound(rule, "甲乙一"); strings.Join(got, ",") != "甲乙→丙" {
		t.Errorf("甲乙一: %q, want the first line's suggestion", got)
	}
	if got := typoFound(rule, "甲乙二"); strings.Join(got, ",") != "甲乙→丁" {
		t.Errorf("甲乙二: %q, want the second line's suggestion", got)
	}
}

func TestParseTypoListErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"no tab", "# comment\n\n截止 截至\n", "line 3"},
		{"too many fields", "甲\t乙\t-\t说明\t多余\n", "line 1"},
		{"empty wrong", "\t乙\n", "empty wrong form"},
		{"empty right", "甲\t\n", "empty right form"},
		{"same forms", "甲\t甲\n", "same as the wrong"},
		{"unknown kind", "甲\t乙\n丙\t丁\tnxt:一\n", "line 2"},
		{"unknown kind named", "丙\t丁\tnxt:一\n", `unknown kind "nxt"`},
		{"condition without colon", "甲\t乙\tnext\n", "want kind:patterns"},
		{"empty pattern", "甲\t乙\tnext:一||二\n", "empty pattern"},
		{"unknown class", "甲\t乙\tnext:{x}\n", "unknown class {x}"},
		{"unclosed class", "甲\t乙\tnext:{d\n", "without }"},
		{"plus without class", "甲\t乙\tnext:+年\n", "+ must follow a class"},
		{"kept phrase with a condition", "甲\t=\tnext:一\n", "takes no context"},
		{"duplicate", "甲\t乙\n丙\t丁\n甲\t戊\n", "line 3: \"甲\" with the same context rule is already on line 1"},
		{"space in the wrong form", "甲 乙\t丙\n", "contains a space"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTypoList(strings.NewReader(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseTypoList(%q) error = %v, want it to contain %q", tc.text, err, tc.want)
			}
		})
	}
}

func TestParseTypoListAcceptsOfficeEdits(t *testing.T) {
	// A copy saved by Notepad or WPS: a BOM, CRLF line ends, - for "no
	// context", and a note.
	text := "\ufeff# 本单位补充\r\n甲乙\t丙丁\t-\t说明\r\n戊\t己\r\n"
	list, err := ParseTypoList(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Wrong != "甲乙" || list[0].Right != "丙丁" || list[0].Note != "说明" || list[0].Context != "" || list[0].Line != 2 {
		t.Fatalf("list = %+v", list)
	}
	if got := typoFound(NewTypoRule(list), "甲乙"); strings.Join(got, ",") != "甲乙→丙丁" {
		t.Errorf("got %q", got)
	}
}

func TestDefaultTypoList(t *testing.T) {
	list := DefaultTypoList()
	wrongs := map[string]bool{}
	for _, p := range list {
		if !p.Keep {
			wrongs[p.Wrong] = true
		}
	}
	if len(wrongs) < 200 {
		t.Errorf("the built-in typo list has %d pairs, want at least 200", len(wrongs))
	}
	rule := NewTypoRule(list)
	for _, p := range list {
		if p.Keep {
			continue
		}
		// A right form must not itself look wrong to the list, unless the
		// two are a confusion both ways that context decides (截止/截至).
		if got := typoFound(rule, p.Right); len(got) > 0 && !wrongs[p.Right] {
			t.Errorf("line %d: the right form %q is reported: %q", p.Line, p.Right, got)
		}
		// A pair without conditions fires on its wrong form alone, so no
		// longer pair or kept phrase hides it.
		if p.Context == "" {
			if got := typoFound(rule, "，"+p.Wrong+"，"); strings.Join(got, ",") != p.Wrong+"→"+p.Right {
				t.Errorf("line %d: %q alone gives %q, want %q", p.Line, p.Wrong, got, p.Wrong+"→"+p.Right)
			}
		}
	}
}

// TestTypoRuleCopiesItsList: changing the list after building the rule
// changes nothing.
func TestTypoRuleCopiesItsList(t *testing.T) {
	list, err := ParseTypoList(strings.NewReader("甲\t乙\n"))
	if err != nil {
		t.Fatal(err)
	}
	rule := NewTypoRule(list)
	list[0].Right = "丙"
	if got := typoFound(rule, "甲"); strings.Join(got, ",") != "甲→乙" {
		t.Errorf("got %q after changing the list", got)
	}
}

func readEvalFile(t *testing.T, name string) []EvalCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadEval(f)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// holdScore fails the test when a rule's score is under its targets and
// prints what it missed and what it reported wrongly.
func holdScore(t *testing.T, s *Score, minPrecision, minRecall float64) {
	t.Helper()
	if s.TP == 0 {
		t.Errorf("%s: no true positives: the evaluation set does not exercise the rule", s.Rule)
	}
	if s.Precision() < minPrecision || s.Recall() < minRecall {
		t.Errorf("%s: precision %.3f (want ≥ %.2f), recall %.3f (want ≥ %.2f)", s.Rule, s.Precision(), minPrecision, s.Recall(), minRecall)
		for _, m := range s.Misses {
			t.Logf("%s miss: %s", s.Rule, m)
		}
		for _, fa := range s.FalseAlarms {
			t.Logf("%s false alarm: %s", s.Rule, fa)
		}
	}
}

func TestEvalTypo(t *testing.T) {
	cases := readEvalFile(t, "eval_typo.jsonl")
	scores := Evaluate(cases, NewTypoRule(DefaultTypoList()))
	var report strings.Builder
	Report(&report, scores)
	t.Logf("typo evaluation, %d cases:\n%s", len(cases), report.String())
	s := scores["typo"]
	if testing.Verbose() {
		for _, m := range s.Misses {
			t.Logf("miss: %s", m)
		}
		for _, fa := range s.FalseAlarms {
			t.Logf("false alarm: %s", fa)
		}
	}
	holdScore(t, s, 0.90, 0.80)
}
