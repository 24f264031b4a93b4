package checks

import (
	"strings"
	"testing"
)

// listFound runs rule over text and returns "span→suggestion" per match.
func listFound(rule TextRule, text string) []string {
	var out []string
	for _, m := range rule.Check(text) {
		out = append(out, text[m.Start:m.End]+"→"+m.Suggestion)
	}
	return out
}

func TestNameTitleRule(t *testing.T) {
	list, err := ParseNameList(strings.NewReader(strings.Join([]string{
		"张三\t市长",
		"李四\t副市长",
		"王五\t常务副市长",
		"钱七\t局长、党组书记",
		"赵六\t市政府秘书长",
		"张三丰\t主任",
		"*\t首席代表",
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	rule := NewNameTitleRule(list)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"wrong title after", "张三副市长主持会议。", []string{"张三副市长→张三市长"}},
		{"wrong title before", "副市长张三主持会议。", []string{"副市长张三→市长张三"}},
		{"right title after", "张三市长主持会议。", nil},
		{"right title before", "市长张三主持会议。", nil},
		{"a 副 dropped is wrong", "市长李四出席。", []string{"市长李四→副市长李四"}},
		{"a 副 dropped, after", "李四市长出席。", []string{"李四市长→李四副市长"}},
		{"常务 may be dropped", "王五副市长出席。", nil},
		{"常务副 may not become 市长", "王五市长出席。", []string{"王五市长→王五常务副市长"}},
		{"a second title", "钱七书记主持党组会议。", nil},
		{"an organisation prefix may be dropped", "赵六秘书长出席。", nil},
		{"副秘书长 is another title", "赵六副秘书长出席。", []string{"赵六副秘书长→赵六市政府秘书长"}},
		{"a listed longer name wins", "张三丰副市长出席。", []string{"张三丰副市长→张三丰主任"}},
		{"the list's own title words count", "首席代表张三出席。", []string{"首席代表张三→市长张三"}},
		{"no title", "张三同志出席会议。", nil},
		{"a longer unlisted name is not checked before", "副市长张三强出席。", nil},
		{"a follower ends the name", "副市长张三强调，要抓好落实。", []string{"副市长张三→市长张三"}},
		{"at the end of the text", "会议由副市长张三", []string{"副市长张三→市长张三"}},
		{"inside another word", "各方主张三方共同出资。", nil},
		{"listed people in a row", "市长张三、副市长李四、常务副市长王五出席。", nil},
		{"two in a row, one wrong", "市长张三、市长李四出席。", []string{"市长李四→副市长李四"}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := listFound(rule, tc.text)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Check(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	for _, m := range rule.Check("副市长张三出席") {
		if m.Severity != Blocking || !strings.Contains(m.Message, "张三的职务是市长") {
			t.Errorf("match %+v: want a blocking finding naming the right title", m)
		}
	}
}

func TestNameTitleRuleEmptyList(t *testing.T) {
	if got := NewNameTitleRule(NameList{}).Check("副市长张三出席。"); got != nil {
		t.Errorf("an empty list reports %+v", got)
	}
}

func TestParseNameList(t *testing.T) {
	l, err := ParseNameList(strings.NewReader("\ufeff# 名单\r\n\r\n张三\t市长、市委副书记\t说明\r\n李四\t副市长|党组成员\r\n*\t首席代表\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.People) != 2 || l.People[0].Name != "张三" || strings.Join(l.People[0].Titles, ",") != "市长,市委副书记" ||
		l.People[0].Note != "说明" || l.People[0].Line != 3 || strings.Join(l.People[1].Titles, ",") != "副市长,党组成员" {
		t.Errorf("people = %+v", l.People)
	}
	if strings.Join(l.Titles, ",") != "首席代表" {
		t.Errorf("titles = %q", l.Titles)
	}
}

func TestParseNameListErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"no tab", "# 名单\n张三 市长\n", "line 2"},
		{"no title", "张三\t、\n", "has no title"},
		{"empty name", "\t市长\n", "empty name"},
		{"too many fields", "张三\t市长\t说明\t多余\n", "line 1"},
		{"one character", "张\t市长\n", "too short"},
		{"latin name", "Zhang\t市长\n", "not written in Chinese"},
		{"latin title", "张三\tmayor\n", "not written in Chinese"},
		{"duplicate", "张三\t市长\n李四\t副市长\n张三\t书记\n", "line 3: \"张三\" is already on line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseNameList(strings.NewReader(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseNameList(%q) error = %v, want it to contain %q", tc.text, err, tc.want)
			}
		})
	}
}

func TestExpressionRule(t *testing.T) {
	rule := NewExpressionRule(DefaultExpressionList())
	tests := []struct {
		name, text string
		want       []string
	}{
		{"a renamed disease", "做好新冠肺炎防控。", []string{"新冠肺炎→新型冠状病毒感染"}},
		{"原 keeps an old name", "原新冠肺炎定点医院。", nil},
		{"a legal term", "法人代表签字。", []string{"法人代表→法定代表人"}},
		{"an old body", "到区工商局办理。", []string{"工商局→市场监督管理局"}},
		{"an old body named as such", "原工商局的职责划入市场监督管理局。", nil},
		{"a slogan without its marks", "深化放管服改革。", []string{"放管服改革→“放管服”改革"}},
		{"the slogan written right", "深化“放管服”改革。", nil},
		{"a year with 零", "二零二四年", []string{"二零二→二〇二"}},
		{"two of a kind", "120平米，每平米1万元", []string{"平米→平方米", "平米→平方米"}},
		{"clean", "建筑面积120平方米。", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := listFound(rule, tc.text)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Check(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	for _, m := range rule.Check("法人代表") {
		if m.Severity != Warning || !strings.Contains(m.Message, "表述不规范") {
			t.Errorf("match %+v: want a warning", m)
		}
	}
}

func TestParseExpressionListErrors(t *testing.T) {
	_, err := ParseExpressionList(strings.NewReader("# 本地提法\n甲\t乙\n丙\t丁\tprevious:一\n"))
	if err == nil || !strings.Contains(err.Error(), "expression list line 3") {
		t.Errorf("error = %v, want it to name expression list line 3", err)
	}
}

func TestDefaultListsParse(t *testing.T) {
	// The Default… functions panic on a bad embedded file; parse each here
	// to report the line instead.
	for name, parse := range map[string]func(string) (int, error){
		"typos.txt": func(s string) (int, error) {
			l, err := ParseTypoList(strings.NewReader(s))
			return len(l), err
		},
		"expressions.txt": func(s string) (int, error) {
			l, err := ParseExpressionList(strings.NewReader(s))
			return len(l), err
		},
		"names.txt": func(s string) (int, error) {
			l, err := ParseNameList(strings.NewReader(s))
			return len(l.People), err
		},
	} {
		src := map[string]string{"typos.txt": typosTxt, "expressions.txt": expressionsTxt, "names.txt": namesTxt}[name]
		n, err := parse(src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if n == 0 {
			t.Errorf("%s: no entries", name)
		}
	}
	if len(DefaultExpressionList()) < 20 || len(DefaultNameList().People) < 5 || len(DefaultTypoList()) < 200 {
		t.Errorf("default lists too small: %d expressions, %d people, %d typo lines",
			len(DefaultExpressionList()), len(DefaultNameList().People), len(DefaultTypoList()))
	}
	// Every built-in expression fires on its own wrong form unless a
	// context rule asks for more.
	rule := NewExpressionRule(DefaultExpressionList())
	for _, p := range DefaultExpressionList() {
		if p.Keep || p.Context != "" {
			continue
		}
		if got := listFound(rule, "，"+p.Wrong+"，"); strings.Join(got, ",") != p.Wrong+"→"+p.Right {
			t.Errorf("expressions.txt line %d: %q alone gives %q", p.Line, p.Wrong, got)
		}
	}
}

func TestEvalLists(t *testing.T) {
	cases := readEvalFile(t, "eval_lists.jsonl")
	scores := Evaluate(cases, NewNameTitleRule(DefaultNameList()), NewExpressionRule(DefaultExpressionList()))
	var report strings.Builder
	Report(&report, scores)
	t.Logf("name_title and expression evaluation, %d cases:\n%s", len(cases), report.String())
	holdScore(t, scores["name_title"], 0.95, 0.95)
	holdScore(t, scores["expression"], 0.95, 0.95)
}

// TestEvalSetsShape holds the labelled sets to their promise: enough
// cases, at least a third of them clean, every case meant for the rules
// evaluated on it.
func TestEvalSetsShape(t *testing.T) {
	rulesOf := map[string][]string{
		"eval_typo.jsonl":  {"typo"},
		"eval_lists.jsonl": {"name_title", "expression"},
	}
	total, clean := 0, 0
	for file, rules := range rulesOf {
		for _, c := range readEvalFile(t, file) {
			total++
			if len(c.Findings) == 0 {
				clean++
			}
			for _, f := range c.Findings {
				if !strings.Contains(strings.Join(rules, " "), f.Rule) {
					t.Errorf("%s line %d: finding for rule %q, which this set does not evaluate", file, c.Line, f.Rule)
				}
				if !strings.Contains(c.Text, f.Text) {
					t.Errorf("%s line %d: %q is not in the text", file, c.Line, f.Text)
				}
			}
		}
	}
	if total < 150 || clean*3 < total {
		t.Errorf("%d cases, %d clean: want at least 150, a third of them clean", total, clean)
	}
}
