package relevance

import (
	"math"
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"临财发〔２０２１〕７号", "临财发〔2021〕7号"},
		{"ＡＢＣ　Def", "abc def"},
		{"（公示）", "(公示)"},
		{"住房公积金", "住房公积金"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOccurrences(t *testing.T) {
	tests := []struct {
		name          string
		text, word    string
		traps         []string
		held, outside bool
	}{
		{"absent", "市慈善总会", "理事", []string{"管理事务"}, false, false},
		{"only in a trap", "依法管理事关群众利益", "理事", []string{"管理事关"}, true, false},
		{"a trap and the word", "管理事关群众，理事会审议", "理事", []string{"管理事关"}, true, true},
		{"the word before a trap", "理事长出席。管理事务服务中心", "理事", []string{"管理事务"}, true, true},
		{"trap context cut by the text's start", "理事关", "理事", []string{"管理事关"}, true, true},
		{"two traps", "办理事业单位登记，管理事务服务", "理事", []string{"管理事务", "办理事业"}, true, false},
		{"no traps listed", "管理事关", "理事", nil, true, true},
		{"word twice in the context", "扩大学生资助", "大学", []string{"扩大学生"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held, outside := occurrences(tt.text, tt.word, tt.traps)
			if held != tt.held || outside != tt.outside {
				t.Errorf("occurrences(%q, %q) = %v, %v; want %v, %v", tt.text, tt.word, held, outside, tt.held, tt.outside)
			}
		})
	}
}

func TestNDCG(t *testing.T) {
	tests := []struct {
		name     string
		rel      []bool
		relevant int
		want     float64
	}{
		{"perfect", []bool{true, true, true}, 3, 1},
		{"nothing found", nil, 3, 0},
		{"no relevant entry", []bool{false}, 0, 0},
		{"one relevant, second", []bool{false, true}, 1, 1 / math.Log2(3)},
		{"ideal is capped at ten", []bool{true, true, true, true, true, true, true, true, true, true}, 500, 1},
		{"fewer hits than relevant", []bool{true}, 2, 1 / (1 + 1/math.Log2(3))},
	}
	for _, tt := range tests {
		if got := NDCG(tt.rel, tt.relevant, 10); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: NDCG = %.4f, want %.4f", tt.name, got, tt.want)
		}
	}
}

// testCorpus is a small corpus written by hand.
func testCorpus() *Corpus {
	docs := []struct {
		id, docNo, title, body, att, unit string
		kw                                []string
	}{
		{"a", "临财发〔2021〕7号", "关于印发住房公积金管理办法的通知", "依法管理事关群众利益的事务。", "", "市住房公积金管理中心", []string{"公积金"}},
		{"b", "", "市慈善总会理事会工作报告", "第三届理事会审议通过。", "", "市民政局", nil},
		{"c", "", "年度报告", "正文", "承办单位：临沂瑞丰达物流有限公司", "市民政局", nil},
		{"d", "", "公租房分配公示", "公共租赁住房", "", "市住房和城乡建设局", []string{"公示"}},
		{"e", "", "出租汽车管理办法", "不得擅自出租车位。", "", "市交通运输局", nil},
		{"f", "", "停车场管理", "不得擅自出租车位。", "", "市交通运输局", nil},
	}
	c := &Corpus{byID: map[string]int{}}
	for _, d := range docs {
		var doc Doc
		doc.ID, doc.DocNo = d.id, d.docNo
		doc.Facets = map[string]string{"unit": "u-" + d.unit, "year": "2024"}
		doc.Text[Title] = Fold(d.title)
		doc.Text[Body] = Fold(d.body)
		doc.Text[Attachments] = Fold(d.att)
		doc.Text[UnitName] = Fold(d.unit)
		for _, k := range d.kw {
			doc.Text[Keywords] += Fold(k) + "\n"
		}
		c.byID[d.id] = len(c.Docs)
		c.Docs = append(c.Docs, doc)
	}
	return c
}

func TestJudge(t *testing.T) {
	c := testCorpus()
	tests := []struct {
		q            Query
		relevant     []string
		traps        []string
		problems     bool
		facetUnitsOf int // facet kind: number of unit values counted
	}{
		{q: Query{Kind: KindDocNo, Q: "临财发[2021]7号", DocNo: "临财发〔2021〕7号", IDs: []string{"a"}}, relevant: []string{"a"}},
		{q: Query{Kind: KindDocNo, Q: "临财发[2021]7号", DocNo: "临财发〔2021〕7号", IDs: []string{"b"}}, relevant: []string{"a"}, problems: true},
		{q: Query{Kind: KindTitle, Q: "年度报告", IDs: []string{"c"}}, relevant: []string{"c"}},
		{q: Query{Kind: KindAttachment, Q: "临沂瑞丰达物流有限公司", IDs: []string{"c"}}, relevant: []string{"c"}},
		{q: Query{Kind: KindAttachment, Q: "年度报告", IDs: []string{"c"}}, relevant: []string{"c"}, problems: true},
		{q: Query{Kind: KindWord, Q: "理事", Traps: []string{"管理事关"}}, relevant: []string{"b"}, traps: []string{"a"}},
		{q: Query{Kind: KindWord, Q: "出租车", Full: []string{"出租汽车"}, Traps: []string{"出租车位"}}, relevant: []string{"e"}, traps: []string{"f"}},
		{q: Query{Kind: KindAbbreviation, Q: "公积金", Full: []string{"住房公积金"}}, relevant: []string{"a"}},
		{q: Query{Kind: KindAbbreviation, Q: "住建局", Full: []string{"住房和城乡建设局"}}, relevant: []string{"d"}},
		{q: Query{Kind: KindPinyin, Q: "gongshi", Term: "公示"}, relevant: []string{"d"}},
		{q: Query{Kind: KindPhrase, Q: `"第三届理事会"`, Term: "第三届理事会"}, relevant: []string{"b"}},
		{q: Query{Kind: KindTypo, Q: "住房公基金", Want: "住房公积金"}},
		{q: Query{Kind: KindTypo, Q: "公共租赁住房", Want: "公租房"}, problems: true},
		{q: Query{Kind: KindNoHit, Q: "量子计算"}},
		{q: Query{Kind: KindNoHit, Q: "慈善"}, problems: true},
		{q: Query{Kind: KindFacet, Q: "市民政局"}, relevant: []string{"b", "c"}, facetUnitsOf: 1},
	}
	for _, tt := range tests {
		t.Run(tt.q.Kind+" "+tt.q.Q, func(t *testing.T) {
			j := c.Judge(&tt.q)
			if got := keys(j.Relevant); !slices.Equal(got, tt.relevant) {
				t.Errorf("relevant %v, want %v", got, tt.relevant)
			}
			if got := keys(j.Traps); !slices.Equal(got, tt.traps) {
				t.Errorf("traps %v, want %v", got, tt.traps)
			}
			if (len(j.Problems) > 0) != tt.problems {
				t.Errorf("problems %v, want some: %v", j.Problems, tt.problems)
			}
			if tt.q.Kind == KindFacet && len(j.Facets["unit"]) != tt.facetUnitsOf {
				t.Errorf("unit facet %v", j.Facets["unit"])
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
