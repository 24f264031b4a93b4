package indexer

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The built-in synonym list (synonyms.txt) held to its rules; the rules
// and the reasons for them are in docs/abbreviations.md.

// minSynonymGroups is the least number of groups the built-in list has.
const minSynonymGroups = 300

// maxSynonymRunes is the longest a term of the list may be.
const maxSynonymRunes = 20

// sharedSynonymTerms are the terms allowed in more than one group, each
// with the reason: a shared term joins its groups into one. Empty for now.
var sharedSynonymTerms = map[string]string{}

// listedGroup is one group of the list as written: its line and terms.
type listedGroup struct {
	line  int
	terms []string
}

// listedGroups splits the list the way parseSynonyms does, keeping the
// terms as written (parseSynonyms folds them and drops short ones
// silently, which would hide mistakes).
func listedGroups(text string) []listedGroup {
	var out []listedGroup
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		terms := strings.FieldsFunc(line, func(r rune) bool {
			return r == ' ' || r == '\t' || r == ',' || r == '，' || r == '、' || r == '/' || r == '=' || r == '\u3000'
		})
		out = append(out, listedGroup{line: i + 1, terms: terms})
	}
	return out
}

func TestSynonymListSize(t *testing.T) {
	a := testAnalysis(t)
	syn := parseSynonyms(a, defaultSynonyms)
	groups := listedGroups(defaultSynonyms)
	if len(groups) < minSynonymGroups {
		t.Errorf("the list has %d groups, want at least %d", len(groups), minSynonymGroups)
	}
	// Every term of every group is one the parser kept.
	for _, g := range groups {
		for _, term := range g.terms {
			if syn.variants(a.titleKey(term)) == nil {
				t.Errorf("line %d: %q has no variants after parsing", g.line, term)
			}
		}
	}
}

func TestSynonymListTerms(t *testing.T) {
	a := testAnalysis(t)
	for _, g := range listedGroups(defaultSynonyms) {
		if n := len(g.terms); n < 2 || n > maxVariants {
			t.Errorf("line %d: %d terms %q, want 2 to %d (a word expands to %d spellings)", g.line, n, g.terms, maxVariants, maxVariants)
		}
		seen := map[string]bool{}
		for _, term := range g.terms {
			if n := utf8.RuneCountInString(term); n < 2 || n > maxSynonymRunes {
				t.Errorf("line %d: %q has %d characters, want 2 to %d", g.line, term, n, maxSynonymRunes)
			}
			// Letters and digits only: the parser strips anything else,
			// and the stripped term no longer matches the query as typed
			// (PM2.5 would become pm25).
			if k := a.titleKey(term); k != a.foldString(term) {
				t.Errorf("line %d: %q holds characters other than letters and digits", g.line, term)
			}
			for _, r := range term {
				if unicode.Is(unicode.Han, r) {
					if f := a.foldString(string(r)); f != string(r) {
						t.Errorf("line %d: %q: %c is traditional, write %s", g.line, term, r, f)
					}
				}
			}
			k := a.titleKey(term)
			if seen[k] {
				t.Errorf("line %d: %q twice in the group", g.line, term)
			}
			seen[k] = true
		}
	}
}

func TestSynonymListNoSharedTerms(t *testing.T) {
	a := testAnalysis(t)
	lines := map[string][]int{} // folded term → the lines it is on
	for _, g := range listedGroups(defaultSynonyms) {
		for _, term := range g.terms {
			k := a.titleKey(term)
			if !slices.Contains(lines[k], g.line) {
				lines[k] = append(lines[k], g.line)
			}
		}
	}
	terms := slices.Sorted(maps.Keys(lines))
	for _, term := range terms {
		if on := lines[term]; len(on) > 1 {
			if _, ok := sharedSynonymTerms[term]; !ok {
				t.Errorf("%q is in the groups of lines %v: it joins them; list it in sharedSynonymTerms with a reason if that is meant", term, on)
			}
		}
	}
	for term := range sharedSynonymTerms {
		if len(lines[a.titleKey(term)]) < 2 {
			t.Errorf("sharedSynonymTerms lists %q, which is in fewer than two groups", term)
		}
	}
}

func TestSynonymListExpansions(t *testing.T) {
	a := testAnalysis(t)
	syn := parseSynonyms(a, defaultSynonyms)
	tests := []struct {
		term, want string
	}{
		{"公租房", "公共租赁住房"},
		{"公共租赁住房", "公租房"},
		{"农机", "农业机械"},
		{"退役军人局", "退役军人事务局"},
		{"放管服", "简政放权放管结合优化服务"},
		{"简政放权", "放管服"},
		{"一网通办", "政务服务一网通办"},
		{"发改委", "发展和改革委员会"},
		{"人社局", "人力资源和社会保障局"},
		{"市监局", "市场监督管理局"},
		{"医保局", "医疗保障局"},
		{"经适房", "经济适用住房"},
		{"公积金", "住房公积金"},
		{"新农合", "新型农村合作医疗"},
		{"农合", "新型农村合作医疗"},
		{"个体户", "个体工商户"},
		{"国企", "国有企业"},
		{"民企", "民营企业"},
		{"环评", "环境影响评价"},
		{"双碳", "碳达峰碳中和"},
		{"人大", "人民代表大会"},
		{"政协", "政治协商会议"},
		{"三农", "农业农村农民"},
		{"五保供养", "特困人员供养"},
	}
	for _, tc := range tests {
		if vs := syn.variants(a.titleKey(tc.term)); !slices.Contains(vs, a.titleKey(tc.want)) {
			t.Errorf("%s expands to %q, want it to include %s", tc.term, vs, tc.want)
		}
	}
}

// Words left out of the list on purpose (docs/abbreviations.md says why);
// a later edit should not bring them back without reading that.
func TestSynonymListLeftOut(t *testing.T) {
	a := testAnalysis(t)
	syn := parseSynonyms(a, defaultSynonyms)
	for _, term := range []string{
		"人行", "央行", "工行", "建行", "中行", // cut out of 人行道, 中央行政, 加工行业 …
		"中共", "中办", "台办", "人防", "防指", // 集中共享, 集中办公, 平台办理, 个人防护, 预防指南
		"义教", "高职", "职教", "学考", "国考", "省考", "能评", // 主义教育, 提高职业, 兼职教师 …
		"外企", "高企", "规上", "限上", // 境外企业, 房价高企, 常规上报
		"两新", "两高", "两院", "两委", "三资", "双控", "三项制度", // several meanings
		"特困", "高速", "电动车", "地标", "存量房", "合作社", // everyday words or several meanings
		"优化服务", "综合行政执法局", "大数据中心", "集中采购", "管理委员会", // narrower or broader than the group
	} {
		if vs := syn.variants(a.titleKey(term)); vs != nil {
			t.Errorf("%s is left out on purpose, but expands to %q", term, vs)
		}
	}
}

// Query words that hold a listed term inside them are not cut to it:
// each has a group of its own that the longer match takes.
func TestSynonymListCuts(t *testing.T) {
	a := testAnalysis(t)
	syn := parseSynonyms(a, defaultSynonyms)
	ix := &Index{an: a}
	tests := []struct {
		query, lack string
	}{
		{"人社部门", "人力资源和社会保障部"},
		{"住建部门", "住房和城乡建设部"},
		{"交通部门", "交通运输部"},
		{"科技部门", "科学技术部"},
		{"环保部门", "环境保护部"},
		{"跨国企业", "国有企业"},
		{"全民企业", "民营企业"},
		{"全国企业信用信息公示系统", "国有企业"},
		{"期中考试", "初中学业水平考试"},
		{"行政协议", "人民政治协商会议"},
		{"中医院校", "中医医院"},
		{"农合机构", "新型农村合作医疗"},
		{"个人防护", "人民防空办公室"},
		{"爱国主义教育", "义务教育"},
		{"人行道改造", "中国人民银行"},
	}
	for _, tc := range tests {
		var got []string
		for _, p := range ix.splitParts(a.foldString(tc.query), syn) {
			got = append(got, p.variants...)
		}
		if slices.Contains(got, tc.lack) {
			t.Errorf("%s is cut into %q, which expands to %s", tc.query, got, tc.lack)
		}
	}
}
