package indexer

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func testAnalysis(t *testing.T) *analysis {
	t.Helper()
	a, err := sharedAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestWordsSegmentation(t *testing.T) {
	a := testAnalysis(t)
	tests := []struct {
		text      string
		has, lack []string
	}{
		{"世界和平与发展", []string{"和平"}, nil},
		{"推进数据共享和平台建设", []string{"平台"}, []string{"和平"}},
		{"中国农业发展银行临沂分行", nil, []string{"农业"}}, // one word: found through n-grams
		{"临沂市发改委关于印发的通知", []string{"发改委", "通知"}, nil},
		{"市人社局", []string{"人社局"}, nil},
		{"關於加強住房公積金管理的通知", []string{"住房", "公积金", "管理"}, nil},
		{"ＡＢＣ公司２０１８年", []string{"abc", "2018"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got := a.wordTerms(tc.text)
			for _, w := range tc.has {
				if !slices.Contains(got, w) {
					t.Errorf("words %q lack %q", got, w)
				}
			}
			for _, w := range tc.lack {
				if slices.Contains(got, w) {
					t.Errorf("words %q have %q", got, w)
				}
			}
		})
	}
}

func TestTokenOffsetsPointIntoOriginal(t *testing.T) {
	a := testAnalysis(t)
	text := "關於ＡＢＣ的通知：住房公積金"
	for _, fn := range []func(string) []token{a.words, func(s string) []token { return collect(a.eachBigram, s) }} {
		for _, tk := range fn(text) {
			// A term where two runs meet spans what stands between them.
			orig := a.foldString(text[tk.start:tk.end])
			bare := strings.Map(func(r rune) rune {
				if charKind(r) == kindOther {
					return -1
				}
				return r
			}, orig)
			first, _ := utf8.DecodeRuneInString(orig)
			last, _ := utf8.DecodeLastRuneInString(orig)
			if orig != tk.term && bare != tk.term && string([]rune{first, last}) != tk.term {
				t.Errorf("token %q at %d:%d is %q in the original", tk.term, tk.start, tk.end, orig)
			}
		}
	}
}

func TestGrams(t *testing.T) {
	a := testAnalysis(t)
	var terms []string
	for _, tk := range collect(a.eachBigram, "农业银行，税 gdp增长") {
		terms = append(terms, tk.term)
	}
	if want := "农业 农业银 业银 业银行 银行 行 行税 银行税 税 税g gdp p增 gdp增长 增长 长"; strings.Join(terms, " ") != want {
		t.Errorf("bigrams = %q, want %q", strings.Join(terms, " "), want)
	}
}

func TestFoldTraditional(t *testing.T) {
	a := testAnalysis(t)
	for in, want := range map[string]string{
		"關於加強個人所得稅管理": "关于加强个人所得税管理",
		"ＡＢＣ　１２３":     "abc 123",
		"發展和改革委員會":    "发展和改革委员会",
	} {
		if got := a.foldString(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocNoSpellings(t *testing.T) {
	a := testAnalysis(t)
	want := a.docNoKey("临政办发〔2018〕12号")
	for _, s := range []string{
		"临政办发[2018]12号", "临政办发（2018）12号", "临政办发(2018)12号", "临政办发【2018】12号",
		"临政办发［2018］12号", "临政办发2018 12号", "临政办发 〔2018〕 12号", "临政办发〔２０１８〕１２号",
		"臨政辦發〔2018〕12號", "临政办发201812号",
	} {
		if got := a.docNoKey(s); got != want {
			t.Errorf("docNoKey(%q) = %q, want %q", s, got, want)
		}
	}
	if keys := a.docNoKeys("临政办发2018 12"); !slices.Contains(keys, want) {
		t.Errorf("docNoKeys without 号 = %q", keys)
	}
	if keys := a.docNoKeys("住房公积金"); keys != nil {
		t.Errorf("plain words taken for a 文号: %q", keys)
	}
}

func TestPinyinTokens(t *testing.T) {
	a := testAnalysis(t)
	got := a.pinyinTokens("住房公积金管理办法")
	for _, w := range []string{"gongjijin", "zhufang", "gjj", "zhufanggongjijin", "zhufanggongjijinguanlibanfa"} {
		if !slices.Contains(got, w) {
			t.Errorf("pinyin %q lacks %q", got, w)
		}
	}
	for in, want := range map[string]string{"gongjijin": "gongjijin", "Gong Ji Jin": "gongjijin", "公积金": "", "2018": "", "g": ""} {
		if got := pinyinQuery(in); got != want {
			t.Errorf("pinyinQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSynonymParts(t *testing.T) {
	a := testAnalysis(t)
	syn := parseSynonyms(a, defaultSynonyms)
	ix := &Index{an: a}
	tests := []struct {
		text string
		want []string // first variant of each part, and one more variant of the synonym parts
	}{
		{"发改委", []string{"发改委", "发展和改革委员会"}},
		{"临沂市发展和改革委员会", []string{"临沂市", "发展和改革委员会", "发改委"}},
		{"社保缴费", []string{"社保", "社会保险", "缴费"}},
	}
	for _, tc := range tests {
		var got []string
		for _, p := range ix.splitParts(a.foldString(tc.text), syn) {
			got = append(got, p.variants...)
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: parts %q lack %q", tc.text, got, w)
			}
		}
	}
}

func TestHighlight(t *testing.T) {
	text := "第一句。<b>农业</b>发展银行支持春耕。"
	start := strings.Index(text, "农业")
	got := highlight(text, []span{{start, start + len("农业")}}, 120)
	want := "第一句。&lt;b&gt;<mark>农业</mark>&lt;/b&gt;发展银行支持春耕。"
	if got != want {
		t.Errorf("highlight = %q\nwant        %q", got, want)
	}
	long := strings.Repeat("前文", 100) + "。关键词在这里" + strings.Repeat("后文", 100)
	k := strings.Index(long, "关键词")
	got = highlight(long, []span{{k, k + len("关键词")}}, 30)
	if !strings.HasPrefix(got, "…关键词") && !strings.HasPrefix(got, "…<mark>") {
		t.Errorf("window does not start at the sentence: %q", got)
	}
	if !strings.Contains(got, "<mark>关键词</mark>") || !strings.HasSuffix(got, "…") {
		t.Errorf("highlight = %q", got)
	}
}

func TestEditCost(t *testing.T) {
	a := testAnalysis(t)
	for _, tc := range []struct {
		a, b string
		d    float64
	}{
		{"住房公基金", "住房公积金", 0.5}, // 基 and 积 are both ji: a homophone counts half
		{"住房公职金", "住房公积金", 1},
		{"公积金", "公积金", 0}, {"abc", "", 3}, {"社会保险", "社保", 2},
	} {
		if got := a.editCost(tc.a, tc.b); got != tc.d {
			t.Errorf("editCost(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.d)
		}
	}
}

func TestIsDocNo(t *testing.T) {
	a := testAnalysis(t)
	for q, want := range map[string]bool{
		"临政办发〔2018〕12号": true, "临政办发[2018]12号": true, "临政办发2018 12号": true, "临政办发（2018）12": true,
		"臨政辦發〔2018〕12號": true, "鲁政字〔2020〕5号": true,
		"2018年 公积金": false, "公积金 2018": false, "关于2018年工作的通知": false, "住房公积金": false,
	} {
		if got := a.isDocNo(q); got != want {
			t.Errorf("isDocNo(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestGramTerms(t *testing.T) {
	a := testAnalysis(t)
	for _, tc := range []struct{ in, want string }{
		{"农业银行", "农业银 业银行"},
		{"农业", "农业"},
		{"税", "税*"},
		{"农业，银行", "农业银 业银行"},
		{"农业，税", "农业税"},
		{"12345政务服务便民热线", "12345 5政 12345政务 政务服 务服务 服务便 务便民 便民热 民热线"},
		{"gdp增长", "gdp p增 gdp增长 增长"},
		{"2019年度", "2019 9年 2019年度 年度"},
		{"2019年", "2019 9年"},
		{"3.5", "3 5"},
		{"农业农业", "农业农 业农业"},
		{"，。", ""},
	} {
		var got []string
		for _, g := range a.gramTerms(tc.in) {
			if g.single {
				g.term += "*"
			}
			got = append(got, g.term)
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("gramTerms(%s) = %s, want %s", tc.in, s, tc.want)
		}
	}
}

func TestRunsAsWords(t *testing.T) {
	a, err := sharedAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	// holds: the text has the run's edge terms, so the run begins and
	// ends where words of the text do.
	holds := func(text, run string) bool {
		edges := a.edgeTerms(text)
		for _, e := range a.runEdges(run) {
			if !slices.Contains(edges, e) {
				return false
			}
		}
		return true
	}
	tests := []struct {
		text, run string
		want      bool
	}{
		{"管理事关群众切身利益", "理事", false},
		{"联农带农机制", "农机", false},
		{"数据共享和平台建设", "和平", false},
		{"研究生命起源", "研究生", false},
		{"全市新增绿地面积情况", "地面", false},
		{"办公地点位于兰山区和平路", "和平", true},
		{"坚持公开公正和平等协商", "和平", false},
		{"推进数据共享和平台整合", "和平", false},
		{"中国农业发展银行临沂分行", "农业", true},
		{"中国农业发展银行临沂分行", "银行", true},
		{"理事会理事长", "理事", true},
		{"维护世界和平", "和平", true},
		{"依据中华人民共和国食品安全法", "食品安全", true},
		{"农机购置补贴", "农机", true},
		{"由临沂瑞丰达物流有限公司承担", "临沂瑞丰达物流有限公司", true},
		{"2019年度部门预算", "2019年度", true},
		{"印发《临沂市乡村振兴工作方案》的通知", "《临沂市乡村振兴", true},
	}
	for _, tc := range tests {
		if got := holds(tc.text, tc.run); got != tc.want {
			t.Errorf("%q holds %q as words: %v, want %v (edges %v, run %v)", tc.text, tc.run, got, tc.want, a.edgeTerms(tc.text), a.runEdges(tc.run))
		}
	}
	if got := a.runEdges("税"); len(got) != 0 {
		t.Errorf("runEdges(税) = %v", got)
	}
	c := a.cutShort("临沂市应急管理局农业发展银行")
	if !slices.Contains(c.inner, "银行") || !slices.Contains(c.inner, "农业") || !slices.Equal(c.words, a.wordTerms("临沂市应急管理局农业发展银行")) {
		t.Errorf("cutShort = %+v", c)
	}
	if !slices.Contains(c.fine, "应急") || !slices.Contains(c.fine, "管理") {
		t.Errorf("cutShort fine = %v", c.fine)
	}
}
