package checks

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// typoBenchDocument is a work report of n characters: ordinary official
// prose with the list's traps (截止时间, 渡过难关, 按装修面积 …) and a few
// real typos, so the rule does its context work as in practice.
func typoBenchDocument(n int) string {
	paras := []string{
		"2025年，在市委、市政府的坚强领导下，我局认真落实各项决策部署，各项工作取得新成效。现将有关情况报告如下。",
		"一、主要工作完成情况。截至2025年底，全市累计发放创业担保贷款3.2亿元，帮助1.1万名劳动者实现创业就业。",
		"（一）优化营商环境。深化“放管服”改革，推行“一网通办”，政务服务事项网上可办率达到98.6%，群众满意度持续提高。",
		"（二）保障改善民生。为全市126个老旧小区按装电梯，改造补助资金按装修面积核定，每平方米补助47元。",
		"（三）防范化解风险。出台纾困措施，帮助中小企业渡过难关；对检查中发现的问题建立台账，实行销号管理，确保整改到位。",
		"（四）加强作风建设。坚持问题导向，着力解决群众反映强烈的突出问题，畅通12345热线渠道，及时回应群众诉求。",
		"二、存在的问题。一是部分工作进展不够平衡；二是基层工作力量相对薄弱；三是其它方面的创新性还需进一步增强。",
		"三、下一步工作打算。报名截止时间为2026年3月15日17:00；截止目前，各县区均已制定实施方案，既要立足当前，又要着眼长远。",
		"市长张三强调，要按照市政府统一部署，再接再厉，全力以赴完成全年目标任务，让群众度过一个欢乐祥和的春节。",
	}
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < n {
		for _, p := range paras {
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	s := b.String()
	for utf8.RuneCountInString(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// BenchmarkTypo measures the typo rule over a 10,000-character document
// (MB/s is bytes of UTF-8 text, three bytes a character).
func BenchmarkTypo(b *testing.B) {
	doc := typoBenchDocument(10000)
	rule := NewTypoRule(DefaultTypoList())
	if len(rule.Check(doc)) == 0 {
		b.Fatal("the benchmark document has no typos to find")
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rule.Check(doc)
	}
}

// BenchmarkListRules measures typo, name_title and expression together.
func BenchmarkListRules(b *testing.B) {
	doc := typoBenchDocument(10000)
	rules := []TextRule{NewTypoRule(DefaultTypoList()), NewNameTitleRule(DefaultNameList()), NewExpressionRule(DefaultExpressionList())}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, r := range rules {
			r.Check(doc)
		}
	}
}
