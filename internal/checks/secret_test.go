package checks

import (
	"regexp"
	"testing"
)

func TestSecretRule(t *testing.T) {
	piiRunRuleCases(t, NewSecretRule(), []piiRuleCase{
		// Strong forms.
		{"level, star, period", "机密★1年\n关于某某的通知", []string{"机密★1年"}},
		{"months", "秘密★6个月", []string{"秘密★6个月"}},
		{"before use", "绝密★启用前", []string{"绝密★启用前"}},
		{"star only", "机密★", []string{"机密★"}},
		{"spaced", "绝 密 ★ 启用前", []string{"绝 密 ★ 启用前"}},
		{"ideographic space", "机　密★1年", []string{"机　密★1年"}},
		{"white star", "秘密☆1年", []string{"秘密☆1年"}},
		{"asterisk with period", "机密*1年", []string{"机密*1年"}},
		{"period without star", "秘密级 10年", []string{"秘密级 10年"}},
		{"chinese numerals", "秘密★十年", []string{"秘密★十年"}},
		{"internal, keep safe", "内部资料，注意保存", []string{"内部资料，注意保存"}},
		{"internal reference", "（仅供内部参考）", []string{"仅供内部参考"}},
		{"period field", "保密期限：5年", []string{"保密期限：5年"}},
		{"ban at clause end", "会后收回，不得外传。", []string{"不得外传"}},
		{"state secret star", "国家秘密★", []string{"国家秘密★"}},
		// Weak forms in a marking's place.
		{"line alone", "机　密\n关于", []string{"机　密"}},
		{"indented line", "　　秘密\n", []string{"秘密"}},
		{"level word", "绝密级", []string{"绝密级"}},
		{"label", "密级：秘密", []string{"秘密"}},
		{"label without colon", "密级　秘密", []string{"秘密"}},
		{"level word is no label", "绝密级国家秘密的保密期限", nil},
		{"brackets", "关于某某的请示（涉密）", []string{"涉密"}},
		{"square brackets", "【内部文件】", []string{"内部文件"}},
		{"self-description", "此件涉密，请勿上网。", []string{"涉密"}},
		{"self-description with verb", "本文件属内部资料。", []string{"内部资料"}},
		{"neighbour", "内部使用，不得外传", []string{"内部使用，不得外传"}},
		{"merged fields", "密级：机密级　保密期限：5年", []string{"机密级　保密期限：5年"}},
		{"two lines", "国家秘密\n机密★10年", []string{"国家秘密", "机密★10年"}},
		// Innocent uses.
		{"keep state secrets", "切实做好保守国家秘密工作。", nil},
		{"meeting", "全市保密工作会议召开", nil},
		{"law", "《中华人民共和国保守国家秘密法》", nil},
		{"review", "政府信息公开保密审查", nil},
		{"management title", "涉密人员管理办法", nil},
		{"confidentiality", "数据的机密性、完整性和可用性", nil},
		{"secret ballot", "秘密写票，公开计票", nil},
		{"trade secret", "涉及商业秘密、个人隐私的政府信息", nil},
		{"trade secret then ban", "本案涉及商业秘密，不得外传。", []string{"不得外传"}},
		{"regulation", "依法确定为国家秘密的政府信息，不予公开。", nil},
		{"levels listed", "绝密、机密、秘密三个密级", nil},
		{"levels quoted", "标志分别为“绝密★”“机密★”“秘密★”。", nil},
		{"level periods explained", "绝密级不超过三十年，机密级不超过二十年", nil},
		{"negated", "经审查，本文件不涉密。", nil},
		{"non-secret", "（非涉密）", nil},
		{"non-secret line", "非涉密\n", nil},
		{"negated self-description", "此件不涉密，可以公开。", nil},
		{"not a state secret", "本文件不属于国家秘密。", nil},
		{"negated label", "密级：非涉密", nil},
		{"ban with object", "严禁外传涉密文件", nil},
		{"internal documents", "加强机关内部文件流转管理", nil},
		{"car park", "该停车场仅供内部使用。", nil},
		{"password", "请勿将本机密码告知他人", nil},
		{"sealing", "有机密封材料", nil},
		{"escape room", "杜绝密室逃脱", nil},
		{"period expired", "保密期限届满的，自行解密", nil},
		{"empty period", "保密期限：\n", nil},
		{"form field", "涉密：否", nil},
	})
}

func TestEvalSecret(t *testing.T) {
	cases := piiReadEvalSet(t, "eval_secret.jsonl")
	scores := Evaluate(cases, NewSecretRule())
	piiLogReport(t, scores)
	piiCheckEvalShape(t, cases, 100, "secret_mark")
	for _, msg := range piiMissTargets(scores, secretTargets) {
		t.Error(msg)
	}
}

var secretTargets = []piiEvalTarget{{"secret_mark", 0.95, 0.95}}

// TestEvalSecretCatchesBrokenRules: a rule that takes every secrecy word
// for a marking, one that knows only the starred forms, and one that finds
// nothing all fail the targets.
func TestEvalSecretCatchesBrokenRules(t *testing.T) {
	cases := piiReadEvalSet(t, "eval_secret.jsonl")
	for _, r := range []TextRule{
		piiRegexpRule{"secret_mark", regexp.MustCompile(`[绝机秘]密级?|涉密|国家秘密|内部(资料|文件|使用)|[不严]禁?得?外传`)},
		piiRegexpRule{"secret_mark", regexp.MustCompile(`[绝机秘]\s*密\s*★\S*`)},
		piiNothingRule("secret_mark"),
	} {
		if msgs := piiMissTargets(Evaluate(cases, r), secretTargets); len(msgs) == 0 {
			t.Errorf("the broken rule %v passes the targets: the set lacks traps", r)
		}
	}
}
