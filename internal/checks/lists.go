package checks

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The office keeps two lists of its own (docs/checks-lists.md): people
// with their correct titles (names.txt, the name_title rule) and
// non-standard expressions with the standard form (expressions.txt, the
// expression rule). The built-in copies hold neutral, fictitious examples.

//go:embed names.txt
var namesTxt string

//go:embed expressions.txt
var expressionsTxt string

// ExpressionList is the parsed expression list; its format is the typo
// list's.
type ExpressionList []WordPair

// DefaultExpressionList returns the built-in expression list. It panics if
// the embedded file does not parse, which the package's tests rule out.
func DefaultExpressionList() ExpressionList {
	l, err := ParseExpressionList(strings.NewReader(expressionsTxt))
	if err != nil {
		panic(err)
	}
	return l
}

// ParseExpressionList reads an expression list; an error names the line
// at fault.
func ParseExpressionList(r io.Reader) (ExpressionList, error) {
	ps, err := parsePairList(r, "expression list")
	return ExpressionList(ps), err
}

// ExpressionRule reports non-standard expressions; a warning each.
type ExpressionRule struct{ m *pairMatcher }

// NewExpressionRule returns the expression rule over list.
func NewExpressionRule(list ExpressionList) *ExpressionRule {
	return &ExpressionRule{m: newPairMatcher(list)}
}

// ID is "expression".
func (r *ExpressionRule) ID() string { return "expression" }

// Check reports each non-standard expression whose context rule holds.
func (r *ExpressionRule) Check(text string) []Match {
	hits := r.m.find(text)
	if len(hits) == 0 {
		return nil
	}
	out := make([]Match, 0, len(hits))
	for _, h := range hits {
		msg := fmt.Sprintf("表述不规范：“%s”应写作“%s”", h.pair.Wrong, h.pair.Right)
		if h.pair.Note != "" {
			msg += "（" + h.pair.Note + "）"
		}
		out = append(out, Match{Start: h.start, End: h.end, Severity: Warning, Message: msg, Suggestion: h.pair.Right})
	}
	return out
}

// NameTitles is one line of the name list: a person and the titles that
// are correct for them.
type NameTitles struct {
	Name   string
	Titles []string
	Note   string
	Line   int
}

// NameList is the parsed name list: the people, and extra title words
// (lines whose name is *) that the rule should recognise next to a name.
type NameList struct {
	People []NameTitles
	Titles []string
}

// DefaultNameList returns the built-in name list (fictitious people). It
// panics if the embedded file does not parse, which the package's tests
// rule out.
func DefaultNameList() NameList {
	l, err := ParseNameList(strings.NewReader(namesTxt))
	if err != nil {
		panic(err)
	}
	return l
}

// ParseNameList reads a name list, one person a line:
//
//	name<TAB>title[、title…][<TAB>note]
//
// Titles are separated by 、 or |. A line whose name is * lists title
// words to recognise without binding them to anyone. An error names the
// line at fault.
func ParseNameList(r io.Reader) (NameList, error) {
	var l NameList
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 || len(f) > 3 {
			return NameList{}, fmt.Errorf("checks: name list line %d: want name<TAB>title[、title…][<TAB>note], got %q (are the fields separated by tabs?)", n, line)
		}
		name := strings.TrimSpace(f[0])
		var titles []string
		for _, tt := range strings.FieldsFunc(f[1], func(r rune) bool { return r == '、' || r == '|' }) {
			if tt = strings.TrimSpace(tt); tt != "" {
				titles = append(titles, tt)
			}
		}
		switch {
		case name == "":
			return NameList{}, fmt.Errorf("checks: name list line %d: empty name", n)
		case len(titles) == 0:
			return NameList{}, fmt.Errorf("checks: name list line %d: %q has no title", n, name)
		case !utf8.ValidString(line):
			return NameList{}, fmt.Errorf("checks: name list line %d: not UTF-8", n)
		}
		for _, tt := range titles {
			if strings.ContainsFunc(tt, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
				return NameList{}, fmt.Errorf("checks: name list line %d: title %q is not written in Chinese characters", n, tt)
			}
		}
		if name == "*" {
			l.Titles = append(l.Titles, titles...)
			continue
		}
		if strings.ContainsFunc(name, func(r rune) bool { return !unicode.Is(unicode.Han, r) && r != '·' }) {
			return NameList{}, fmt.Errorf("checks: name list line %d: name %q is not written in Chinese characters", n, name)
		}
		if utf8.RuneCountInString(name) < 2 {
			return NameList{}, fmt.Errorf("checks: name list line %d: name %q is too short to find safely", n, name)
		}
		if prev, dup := seen[name]; dup {
			return NameList{}, fmt.Errorf("checks: name list line %d: %q is already on line %d (list all titles on one line, separated by 、)", n, name, prev)
		}
		seen[name] = n
		p := NameTitles{Name: name, Titles: titles, Line: n}
		if len(f) == 3 {
			p.Note = strings.TrimSpace(f[2])
		}
		l.People = append(l.People, p)
	}
	if err := sc.Err(); err != nil {
		return NameList{}, fmt.Errorf("checks: name list line %d: %w", n+1, err)
	}
	return l, nil
}

// commonTitles are the titles recognised next to a listed name besides
// the list's own; longer forms first wins, so 副市长 is never read as 市长.
const commonTitles = `市长 副市长 常务副市长 代市长 市长助理 区长 副区长 常务副区长 代区长 县长 副县长 常务副县长 代县长
镇长 副镇长 乡长 副乡长 主任 副主任 常务副主任 秘书长 副秘书长 局长 副局长 常务副局长 局长助理
处长 副处长 科长 副科长 股长 厅长 副厅长 部长 副部长 主席 副主席 常务副主席 书记 副书记
党组书记 党组副书记 党委书记 党委副书记 党工委书记 党工委副书记 院长 副院长 校长 副校长 所长 副所长
站长 副站长 队长 副队长 馆长 副馆长 主任委员 副主任委员 委员 会长 副会长 理事长 副理事长
董事长 副董事长 总经理 副总经理 经理 总工程师 总经济师 总会计师 总师 调研员 一级调研员 二级调研员
三级调研员 四级调研员 巡视员 一级巡视员 二级巡视员 主任科员 一级主任科员 二级主任科员 三级主任科员
四级主任科员 办公室主任 办公室副主任 街道办事处主任 街道办事处副主任 管委会主任 管委会副主任
检察长 副检察长 庭长 副庭长 审判长 行长 副行长 司令员 政委 主编 副主编 社长 副社长 组长 副组长`

// nameFollowers are words that may follow a name whose title stands
// before it ("副市长张三主持会议"): a Chinese character after a name not
// in this set may be part of a longer name (张三丰), so the title before
// is not checked.
const nameFollowers = `同志 主持 出席 指出 强调 讲话 表示 一行 参加 带队 调研 检查 慰问 走访 深入 听取 会见 察看
要求 宣布 介绍 接见 前往 实地 现场 视察 督导 陪同 分别 代表 致辞 通报 传达 部署 签署 指导 主讲 作了
作 在 等 和 与 及 到 率 对 的 向 赴 就 也 还 是 为 说 称 于 会 将 已 并 同 一同 共同 认为 希望 提出
充分 肯定 首先 先后 专程 亲自 随后 今天 昨天 日前 近日 对此 看望 参观 召集 主抓 分管 负责 兼任 任 担任`

// NameTitleRule reports a listed person written with a title that is not
// theirs (张三副市长 when 张三 is 市长). A wrong title blocks the
// submission: naming an official wrongly is a political error.
type NameTitleRule struct {
	people    map[string]*NameTitles
	starts    firstRunes
	first     map[rune][]string // names by first rune, longest first
	titles    []string          // longest first
	followers []string          // longest first
}

// NewNameTitleRule returns the name_title rule over list.
func NewNameTitleRule(list NameList) *NameTitleRule {
	r := &NameTitleRule{people: map[string]*NameTitles{}, first: map[rune][]string{}}
	seenTitle := map[string]bool{}
	addTitle := func(t string) {
		if !seenTitle[t] {
			seenTitle[t] = true
			r.titles = append(r.titles, t)
		}
	}
	for _, t := range strings.Fields(commonTitles) {
		addTitle(t)
	}
	for _, t := range list.Titles {
		addTitle(t)
	}
	for i := range list.People {
		p := list.People[i]
		p.Titles = append([]string(nil), p.Titles...)
		r.people[p.Name] = &p
		for _, t := range p.Titles {
			addTitle(t)
		}
		first, _ := utf8.DecodeRuneInString(p.Name)
		r.first[first] = append(r.first[first], p.Name)
		r.starts.add(first)
	}
	for k, names := range r.first {
		sort.SliceStable(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
		r.first[k] = names
	}
	sort.SliceStable(r.titles, func(i, j int) bool { return len(r.titles[i]) > len(r.titles[j]) })
	r.followers = strings.Fields(nameFollowers)
	sort.SliceStable(r.followers, func(i, j int) bool { return len(r.followers[i]) > len(r.followers[j]) })
	return r
}

// ID is "name_title".
func (r *NameTitleRule) ID() string { return "name_title" }

// Check reports each listed name written next to a title that is not one
// of theirs.
func (r *NameTitleRule) Check(text string) []Match {
	if len(r.people) == 0 {
		return nil
	}
	var out []Match
	for i := 0; i < len(text); {
		c, size := rune(text[i]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRuneInString(text[i:])
		}
		if !r.starts.mayStart(c) {
			i += size
			continue
		}
		name := ""
		for _, n := range r.first[c] {
			if strings.HasPrefix(text[i:], n) {
				name = n
				break
			}
		}
		if name == "" {
			i += size
			continue
		}
		p := r.people[name]
		end := i + len(name)
		// The title after the name: 张三副市长.
		if t := r.titleAt(text[end:]); t != "" && !p.accepts(t) {
			out = append(out, Match{Start: i, End: end + len(t), Severity: Blocking,
				Message:    fmt.Sprintf("职务有误：%s的职务是%s，此处写作“%s”", name, strings.Join(p.Titles, "、"), t),
				Suggestion: name + p.Titles[0]})
		}
		// The title before the name: 副市长张三, unless the name may run on
		// into a longer one.
		if t := r.titleBefore(text[:i]); t != "" && !p.accepts(t) && r.endsName(text[end:]) {
			out = append(out, Match{Start: i - len(t), End: end, Severity: Blocking,
				Message:    fmt.Sprintf("职务有误：%s的职务是%s，此处写作“%s”", name, strings.Join(p.Titles, "、"), t),
				Suggestion: p.Titles[0] + name})
		}
		i = end
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Start < out[b].Start })
	return out
}

// titleAt returns the longest known title s starts with.
func (r *NameTitleRule) titleAt(s string) string {
	for _, t := range r.titles {
		if strings.HasPrefix(s, t) {
			return t
		}
	}
	return ""
}

// titleBefore returns the longest known title s ends with.
func (r *NameTitleRule) titleBefore(s string) string {
	for _, t := range r.titles {
		if strings.HasSuffix(s, t) {
			return t
		}
	}
	return ""
}

// endsName reports whether the text after a name cannot continue it: the
// end, a character that is not Chinese, or a word that follows names.
func (r *NameTitleRule) endsName(after string) bool {
	c, _ := utf8.DecodeRuneInString(after)
	if after == "" || !unicode.Is(unicode.Han, c) {
		return true
	}
	for _, f := range r.followers {
		if strings.HasPrefix(after, f) {
			return true
		}
	}
	return r.titleAt(after) != ""
}

// accepts reports whether t is a correct title for p: one of theirs, or a
// short form of one that does not drop a 副 (市委书记 may be written 书记,
// 常务副市长 副市长, but 副市长 never 市长).
func (p *NameTitles) accepts(t string) bool {
	for _, c := range p.Titles {
		if c == t {
			return true
		}
		if head, ok := strings.CutSuffix(c, t); ok && !strings.HasSuffix(head, "副") {
			return true
		}
	}
	return false
}
