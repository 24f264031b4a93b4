package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// piiSpans returns the texts a rule reports in text.
func piiSpans(r TextRule, text string) []string {
	var out []string
	for _, m := range r.Check(text) {
		out = append(out, text[m.Start:m.End])
	}
	return out
}

type piiRuleCase struct {
	name string
	text string
	want []string // the texts found, in order; nil for none
}

func piiRunRuleCases(t *testing.T, r TextRule, cases []piiRuleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := piiSpans(r, c.text)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s(%q) = %q, want %q", r.ID(), c.text, got, c.want)
			}
			for _, m := range r.Check(c.text) {
				if m.Severity != Blocking || m.Message == "" || m.Suggestion == "" {
					t.Errorf("%s(%q): match %+v lacks severity, message or suggestion", r.ID(), c.text, m)
				}
			}
		})
	}
}

func TestIDRule(t *testing.T) {
	piiRunRuleCases(t, NewIDRule(), []piiRuleCase{
		{"18 digits", "身份证号371302198709166578，", []string{"371302198709166578"}},
		{"check X", "公民身份号码：37132119551015628X", []string{"37132119551015628X"}},
		{"check x", "37132119551015628x", []string{"37132119551015628x"}},
		{"full-width", "３７１３０２１９８７０９１６６５７８", []string{"３７１３０２１９８７０９１６６５７８"}},
		{"15 digits", "身份证号：371302860206186", []string{"371302860206186"}},
		{"leap day", "371302200002291498", []string{"371302200002291498"}},
		{"Hong Kong permit", "810000199307163704", []string{"810000199307163704"}},
		{"two", "371302198709166578、371311197208180568", []string{"371302198709166578", "371311197208180568"}},
		{"grouped 6-8-4", "身份证号 371302 19870916 6578，", []string{"371302 19870916 6578"}},
		{"grouped, wrong check digit", "371302 19870916 6579", nil},
		{"grouped, more groups", "371302 19870916 6578 12", nil},
		{"wrong check digit", "371302196407094947", nil},
		{"february 30", "371302199002300600", nil},
		{"1900 not leap", "37130219000229545X", nil},
		{"1899", "371321189901011247", nil},
		{"region 99", "991302200710051132", nil},
		{"region 38", "387101195006201409", nil},
		{"prefecture 71", "377101198709166576", nil}, // check digit right
		{"17 digits", "37130219870916657", nil},
		{"inside longer digits", "3713021987091665780", nil},
		{"letters before", "SN371302198709166578", nil},
		{"letters after", "371302198709166578AB", nil},
		{"masked", "371302********6578", nil},
		{"masked head", "3713**********657X", nil},
		{"masked ×", "371302××××××××6578", nil},
		{"masked ＊", "371302＊＊＊＊＊＊＊＊6578", nil},
		{"credit code", "统一社会信用代码：91371302C9EL503YX3", nil},
		{"15-digit tax number", "税务登记证号：371302780512345", nil},
		{"15-digit with unit", "371302780512345元", nil},
		{"15-digit in a hyphenated code", "2024-371302780512345", nil},
	})
}

// TestIDRuleCreditCodeLabel: an 18-digit number that passes every check
// of an ID number is read as a credit code when labelled as one.
func TestIDRuleCreditCodeLabel(t *testing.T) {
	id := "371302198709166578"
	if got := piiSpans(NewIDRule(), "统一社会信用代码："+id); got != nil {
		t.Errorf("credit code label: got %q", got)
	}
	if got := piiSpans(NewIDRule(), "信用代码 "+id+"，法定代表人身份证号 "+id); !slices.Equal(got, []string{id}) {
		t.Errorf("the ID after its own label must still be found: got %q", got)
	}
}

func TestIDCheckChar(t *testing.T) {
	for _, c := range []struct {
		first17 string
		want    byte
	}{
		{"37130219870916657", '8'},
		{"37132119551015628", 'X'},
		{"11010519491231002", 'X'}, // the standard's own example
		{"44030519491027446", '4'},
	} {
		if got := idCheckChar(c.first17); got != c.want {
			t.Errorf("idCheckChar(%s) = %c, want %c", c.first17, got, c.want)
		}
	}
}

func TestIDRuleWithKeep(t *testing.T) {
	text := "身份证号371302198709166578"
	ms := NewIDRule().WithKeep(MaskKeep{Head: 3, Tail: 2}).Check(text)
	if len(ms) != 1 || ms[0].Suggestion != "371*************78" {
		t.Fatalf("got %+v", ms)
	}
	ms = NewIDRule().Check(text)
	if len(ms) != 1 || ms[0].Suggestion != "371302********6578" {
		t.Fatalf("default keep: got %+v", ms)
	}
}

func TestPhoneRule(t *testing.T) {
	piiRunRuleCases(t, NewPhoneRule(), []piiRuleCase{
		{"plain", "手机13805391234。", []string{"13805391234"}},
		{"spaces", "电话 138 0539 1234，", []string{"138 0539 1234"}},
		{"hyphens", "138-0539-1234", []string{"138-0539-1234"}},
		{"+86 space", "+86 13805391234", []string{"13805391234"}},
		{"+86 joined", "+8613805391234", []string{"13805391234"}},
		{"+86 hyphen groups", "+86-138-0539-1234", []string{"138-0539-1234"}},
		{"0086", "008613805391234", []string{"13805391234"}},
		{"(+86)", "（+86）13805391234", []string{"13805391234"}},
		{"full-width", "１３８０５３９１２３４", []string{"１３８０５３９１２３４"}},
		{"slash list", "0539-8123456/13805391234/13905391235", []string{"13805391234", "13905391235"}},
		{"comma list", "13805391234,13905391235", []string{"13805391234", "13905391235"}},
		{"199", "19938258851", []string{"19938258851"}},
		{"glued label", "TEL13805391234", []string{"13805391234"}},
		{"glued label, mixed case", "Mobile13805391234", []string{"13805391234"}},
		{"12 prefix", "12805391234", nil},
		{"model number", "XR13805391234", nil},
		{"landline", "0539-8888888", nil},
		{"bracketed landline", "(0539)8123456", nil},
		{"hotline", "12345", nil},
		{"bank hotline", "95588", nil},
		{"400", "400-800-1234", nil},
		{"400 in 3-4-4", "400-1234-5678", nil},
		{"inside longer run", "订单202401011380539123456", nil},
		{"ID number", "371302199001011234", nil},
		{"12 digits", "138053912340", nil},
		{"letters", "SF13805391234", nil},
		{"masked", "138****1234", nil},
		{"masked groups", "138 **** 1234", nil},
		{"decimal", "13805391234.56元", nil},
		{"thousands", "13805391234,567元", nil},
		{"unit", "18623456789千瓦时", nil},
		{"round figure", "15000000000", nil},
		{"order label", "订单编号：15612345678", nil},
		{"exam label", "准考证号15612345678", nil},
		{"four groups", "138 0539 1234 5678", nil},
		{"group before", "6222 138 0539 1234", nil},
		{"hyphenated code", "2024-13805391234", nil},
	})
}

func TestBankRule(t *testing.T) {
	piiRunRuleCases(t, NewBankRule(), []piiRuleCase{
		{"UnionPay", "6217008441103982", []string{"6217008441103982"}},
		{"19 digits", "6222020318508634520", []string{"6222020318508634520"}},
		{"groups", "卡号 6222 0203 1850 8634 520", []string{"6222 0203 1850 8634 520"}},
		{"hyphen groups", "6222-0203-1850-8634-520", []string{"6222-0203-1850-8634-520"}},
		{"mixed separators", "6222-0203 1850-8634 520", nil},
		{"Visa", "4367420620453463", []string{"4367420620453463"}},
		{"Mastercard is 16 digits", "513713001501212706", nil},
		{"Visa is 16 or 19 digits", "401234567890123454", nil},
		{"JCB", "3568894084304124", []string{"3568894084304124"}},
		{"no prefix with context", "卡号：9558808517786980438", []string{"9558808517786980438"}},
		{"context 20 before", "开户行：中国工商银行临沂分行，9558808517786980438", []string{"9558808517786980438"}},
		{"full-width", "６２１７００８４４１１０３９８２", []string{"６２１７００８４４１１０３９８２"}},
		{"no prefix, no context", "9558808517786980438", nil},
		{"context too far", "银行卡已经收到，请工作人员于本周内按照程序办理后续手续并及时反馈 9558808517786980438", nil},
		{"Luhn fails", "卡号6217008441103983", nil},
		{"ID number that passes Luhn", "440305194910274464", nil},
		{"order label", "合同编号：6217008441103982", nil},
		{"unit", "4521857479529682元", nil},
		{"five groups", "4521 8574 7952 9682 0001", nil},
		{"group before", "12 6217 0084 4110 3982", nil},
		{"inside longer run", "62170084411039820000", nil},
		{"15 digits", "621700844110398", nil},
		{"organisation's account", "非税收入汇缴结算户，账号：1610006085855855102", nil},
		{"decimal", "6217008441103982.5", nil},
	})
}

func TestEvalPII(t *testing.T) {
	cases := piiReadEvalSet(t, "eval_pii.jsonl")
	scores := Evaluate(cases, NewIDRule(), NewPhoneRule(), NewBankRule())
	piiLogReport(t, scores)
	piiCheckEvalShape(t, cases, 200, "pii_id", "pii_phone", "pii_bank")
	for _, msg := range piiMissTargets(scores, piiTargets) {
		t.Error(msg)
	}
}

// piiTargets are the issue's: personal information is never missed, and
// almost never cried wolf about.
var piiTargets = []piiEvalTarget{
	{"pii_id", 0.99, 1},
	{"pii_phone", 0.99, 1},
	{"pii_bank", 0.99, 1},
}

// TestEvalPIICatchesBrokenRules shows the evaluation set has teeth: rules
// that skip the checks (any 18 digits, any 1[3-9] and nine digits, any 16
// to 19 digits) or find nothing fail the targets.
func TestEvalPIICatchesBrokenRules(t *testing.T) {
	cases := piiReadEvalSet(t, "eval_pii.jsonl")
	broken := []TextRule{
		piiRegexpRule{"pii_id", regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)},
		piiRegexpRule{"pii_phone", regexp.MustCompile(`1[3-9]\d{9}`)},
		piiRegexpRule{"pii_bank", regexp.MustCompile(`\d{16,19}`)},
	}
	for _, r := range broken {
		if msgs := piiMissTargets(Evaluate(cases, r), piiTargets); len(msgs) == 0 {
			t.Errorf("a naive %s passes the targets: the set lacks traps", r.ID())
		}
		if msgs := piiMissTargets(Evaluate(cases, piiNothingRule(r.ID())), piiTargets); len(msgs) == 0 {
			t.Errorf("a %s that finds nothing passes the targets", r.ID())
		}
	}
}

// piiRegexpRule reports every match of a pattern: the naive rule.
type piiRegexpRule struct {
	id string
	re *regexp.Regexp
}

func (r piiRegexpRule) ID() string { return r.id }
func (r piiRegexpRule) Check(text string) []Match {
	var out []Match
	for _, loc := range r.re.FindAllStringIndex(text, -1) {
		out = append(out, Match{Start: loc[0], End: loc[1], Severity: Blocking})
	}
	return out
}

type piiNothingRule string

func (r piiNothingRule) ID() string           { return string(r) }
func (r piiNothingRule) Check(string) []Match { return nil }

type piiEvalTarget struct {
	rule              string
	precision, recall float64
}

// piiMissTargets says which targets the scores miss, with the misses and
// false alarms behind each.
func piiMissTargets(scores map[string]*Score, targets []piiEvalTarget) []string {
	var out []string
	for _, tg := range targets {
		s, ok := scores[tg.rule]
		if !ok {
			continue
		}
		if s.Precision() < tg.precision || s.Recall() < tg.recall {
			out = append(out, fmt.Sprintf("%s: precision %.3f (target %.2f), recall %.3f (target %.2f)\n  misses: %s\n  false alarms: %s",
				tg.rule, s.Precision(), tg.precision, s.Recall(), tg.recall,
				strings.Join(s.Misses, "; "), strings.Join(s.FalseAlarms, "; ")))
		}
	}
	return out
}

func piiReadEvalSet(t *testing.T, name string) []EvalCase {
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

func piiLogReport(t *testing.T, scores map[string]*Score) {
	t.Helper()
	var b strings.Builder
	Report(&b, scores)
	t.Log("\n" + b.String())
}

// piiCheckEvalShape holds a set to its size, a third of it clean, and enough
// expected findings of each rule that its recall means something; every
// expected text must be in its case.
func piiCheckEvalShape(t *testing.T, cases []EvalCase, minCases int, rules ...string) {
	t.Helper()
	clean := 0
	per := map[string]int{}
	for _, c := range cases {
		if len(c.Findings) == 0 {
			clean++
		}
		for _, f := range c.Findings {
			per[f.Rule]++
			if !strings.Contains(c.Text, f.Text) {
				t.Errorf("line %d: expected text %q is not in the case", c.Line, f.Text)
			}
		}
	}
	if len(cases) < minCases {
		t.Errorf("%d cases, want at least %d", len(cases), minCases)
	}
	if 3*clean < len(cases) {
		t.Errorf("%d clean cases of %d, want at least a third", clean, len(cases))
	}
	for _, r := range rules {
		if per[r] < 30 {
			t.Errorf("%s: %d expected findings, want at least 30", r, per[r])
		}
	}
	t.Logf("%d cases, %d clean (%.0f%%), expected findings %v", len(cases), clean, 100*float64(clean)/float64(len(cases)), per)
}

// FuzzTextRules: on any text the rules neither panic nor report piiSpans
// that are out of order, overlapping or not on character boundaries, and
// masking what they find leaves no personal information behind.
func FuzzTextRules(f *testing.F) {
	for _, s := range []string{
		"身份证号371302198709166578，电话138 0539 1234，卡号6217008441103982",
		"机密★1年\n内部资料，注意保存", "+86-138-0539-1234", "绝 密 ★ 启用前", "\xef\xbc", "\xff密★",
		"６２１７ ００８４ ４１１０ ３９８２", "TEL13805391234", "G371302198709166578", "仅供领导参阅",
	} {
		f.Add(s)
	}
	rules := []TextRule{NewIDRule(), NewPhoneRule(), NewBankRule(), NewSecretRule()}
	g := New(rules[:3], nil)
	f.Fuzz(func(t *testing.T, text string) {
		for _, r := range rules {
			last := 0
			for _, m := range r.Check(text) {
				if m.Start < last || m.End <= m.Start || m.End > len(text) {
					t.Fatalf("%s: bad span %d–%d after %d in %q", r.ID(), m.Start, m.End, last, text)
				}
				if utf8.ValidString(text) && (!utf8.RuneStart(text[m.Start]) || m.End < len(text) && !utf8.RuneStart(text[m.End])) {
					t.Fatalf("%s: span %d–%d splits a character in %q", r.ID(), m.Start, m.End, text)
				}
				last = m.End
			}
		}
		if !utf8.ValidString(text) {
			return
		}
		masked := ApplyMasks(text, g.Check(Document{Body: text}))
		if left := g.Check(Document{Body: masked}); len(left) > 0 {
			t.Fatalf("masked %q → %q still has %+v", text, masked, left[0])
		}
	})
}
