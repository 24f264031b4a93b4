package indexer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// corpus is made for the traps of Chinese search: each entry exists to be
// found, or not found, by one of the cases below.
func corpus(t *testing.T, f *fix) {
	t.Helper()
	sum, size, err := f.fs.Put(bytes.NewReader(docx(t, "附件：参会人员回执", "经办人填写后于会前报送蓝鲸计划工作专班。")))
	if err != nil {
		t.Fatal(err)
	}
	docNo := func(n string) func(*catalog.Entry) { return func(e *catalog.Entry) { e.DocNo = n } }
	in := func(unit, col, typ string) func(*catalog.Entry) {
		return func(e *catalog.Entry) { e.Unit, e.Column, e.DocType = unit, col, typ }
	}
	f.save(t,
		f.entry("hp1", "fgw", "关于维护世界和平的倡议书", "世界和平与发展是时代主题，各方应共同维护和平。"),
		f.entry("hp2", "fgw", "关于推进数据共享和平台建设的通知", "加快推进政务数据共享和平台建设，提升服务能力。"),
		f.entry("ny1", "czj", "中国农业发展银行临沂分行支持春耕贷款", "中国农业发展银行临沂分行发放春耕贷款。", in("czj", "tzgg", "公告")),
		f.entry("sb1", "rsj", "关于调整社会保险缴费基数的通知", "调整本年度社会保险缴费基数上下限。"),
		f.entry("fg1", "zfb", "关于转发省发展和改革委员会价格监测工作要点的通知", "请各县区认真落实价格监测工作。", in("zfb", "tzgg", "通知")),
		f.entry("gj1", "czj", "临沂市住房公积金管理中心关于调整住房公积金缴存基数的通知", "住房公积金缴存基数按上年度职工月平均工资确定。"),
		f.entry("gj2", "czj", "关于调整住房公积金缴存基数的通知", "自7月1日起调整住房公积金缴存基数。", in("czj", "zcwj", "通知")),
		f.entry("dn1", "zfb", "临沂市人民政府办公室关于进一步做好市政府网站公开目录信息内容建设工作的通知",
			"各县区人民政府，市政府各部门：现就做好公开目录信息内容建设工作通知如下。", docNo("临政办发〔2018〕12号")),
		f.entry("dn2", "zfb", "临沂市人民政府办公室关于公开目录信息内容建设工作的补充通知",
			"根据临政办发〔2018〕12号文件要求，现补充通知如下。", docNo("临政办发〔2018〕13号")),
		f.entry("tw1", "czj", "關於加強個人所得稅徵收管理的通知", "進一步加強個人所得稅徵收管理工作。"),
		f.entry("sm1", "czj", "关于个人所得税汇算清缴的公告", "个人所得税综合所得汇算清缴工作安排。", in("czj", "tzgg", "公告")),
		f.entry("at1", "rsj", "关于召开全市人社工作会议的通知", "请按附件要求报名参会。", func(e *catalog.Entry) {
			e.Attachments = []catalog.Attachment{{Name: "附件1：参会回执.docx", SHA256: sum, Size: size,
				MediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}}
		}),
		f.entry("lr1", "rsj", "关于做好年度工作的通知", "加强安全生产，做好食品生产监督管理工作。结余资金按规定提取。"),
		f.entry("bd1", "rsj", "关于生物医药研究生命周期管理的通知", "围绕药物研究生命周期开展监管。"),
		f.entry("wd1", "fgw", "关于撤回的住房公积金通知", "已撤回。", func(e *catalog.Entry) { e.Status = catalog.StatusWithdrawn }),
		f.entry("dr1", "fgw", "住房公积金草稿", "草稿。", func(e *catalog.Entry) { e.Status = catalog.StatusDraft }),
	)
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFix(t, st)
		corpus(t, f)
		f.sync(t)

		tests := []struct {
			name      string
			req       Request
			first     string   // the hit that must rank first ("" for none)
			has, lack []string // hits that must be there, and must not
			before    [2]string
		}{
			{name: "a word is not found where its characters only meet across a word boundary", req: Request{Q: "和平"}, has: []string{"hp1"}, lack: []string{"hp2"}},
			{name: "a lone character of a longer word never matches alone", req: Request{Q: "公租房"}, lack: []string{"gj1", "gj2", "sb1"}},
			{name: "an unknown run in an attachment, unquoted", req: Request{Q: "蓝鲸计划工作专班"}, first: "at1"},
			{name: "a long run is not found from its pieces apart", req: Request{Q: "安全生产监督管理"}, lack: []string{"lr1"}},
			{name: "a long run as it stands", req: Request{Q: "食品生产监督管理"}, first: "lr1"},
			{name: "word inside a longer word", req: Request{Q: "农业"}, has: []string{"ny1"}},
			{name: "synonym: abbreviation finds the full name", req: Request{Q: "发改委"}, has: []string{"fg1"}},
			{name: "synonym: 社保", req: Request{Q: "社保"}, first: "sb1"},
			{name: "synonym: 公积金 and 住房公积金", req: Request{Q: "公积金"}, has: []string{"gj1", "gj2"}, lack: []string{"wd1", "dr1"}},
			{name: "pinyin", req: Request{Q: "gongjijin"}, has: []string{"gj1", "gj2"}},
			{name: "pinyin with spaces", req: Request{Q: "zhu fang gong ji jin"}, has: []string{"gj1", "gj2"}},
			{name: "traditional query finds simplified text", req: Request{Q: "個人所得稅"}, has: []string{"tw1", "sm1"}},
			{name: "simplified query finds traditional text", req: Request{Q: "征收管理"}, first: "tw1"},
			{name: "attachment-only words", req: Request{Q: "蓝鲸计划"}, has: []string{"at1"}},
			{name: "known item: exact title", req: Request{Q: "关于调整住房公积金缴存基数的通知"}, first: "gj2", has: []string{"gj1"}},
			{name: "known item: exact title, title only", req: Request{Q: "关于调整住房公积金缴存基数的通知", TitleOnly: true}, first: "gj2"},
			{name: "title only leaves bodies out", req: Request{Q: "缴存基数按上年度", TitleOnly: true}, lack: []string{"gj1"}},
			{name: "withdrawn and drafts are not searchable", req: Request{Q: "撤回"}, lack: []string{"wd1"}},
			{name: "quoted phrase", req: Request{Q: `"公积金缴存"`}, has: []string{"gj1", "gj2"}},
			{name: "unbalanced quote", req: Request{Q: `"公积金 缴存`}, has: []string{"gj1", "gj2"}},
			{name: "wildcard flood is plain text", req: Request{Q: "****????"}, has: []string{"hp1", "gj2"}},
			{name: "single character", req: Request{Q: "税"}, has: []string{"tw1", "sm1"}},
		}
		for _, spelling := range []string{"临政办发〔2018〕12号", "临政办发[2018]12号", "临政办发（2018）12号", "临政办发(2018)12号",
			"临政办发【2018】12号", "临政办发2018 12号", "临政办发201812号", "临政办发〔2018〕12"} {
			tests = append(tests, struct {
				name      string
				req       Request
				first     string
				has, lack []string
				before    [2]string
			}{name: "文号 " + spelling, req: Request{Q: spelling}, first: "dn1"})
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := f.search(t, tc.req)
				got := ids(res)
				if tc.first != "" && (len(got) == 0 || got[0] != tc.first) {
					t.Errorf("first hit of %q: %v, want %s", tc.req.Q, got, tc.first)
				}
				for _, id := range tc.has {
					if !slices.Contains(got, id) {
						t.Errorf("%q: hits %v lack %s", tc.req.Q, got, id)
					}
				}
				for _, id := range tc.lack {
					if slices.Contains(got, id) {
						t.Errorf("%q: hits %v have %s", tc.req.Q, got, id)
					}
				}
				if tc.before[0] != "" {
					a, b := slices.Index(got, tc.before[0]), slices.Index(got, tc.before[1])
					if a < 0 || b < 0 || a > b {
						t.Errorf("%q: %s should rank above %s: %v", tc.req.Q, tc.before[0], tc.before[1], got)
					}
				}
			})
		}

		t.Run("boundary-only matches come last, flagged", func(t *testing.T) {
			res := f.search(t, Request{Q: "研究生"})
			if got := ids(res); len(got) != 1 || got[0] != "bd1" || !res.Hits[0].Boundary {
				t.Errorf("研究生: %v %+v", got, res.Hits)
			}
			res = f.search(t, Request{Q: "和平"})
			for _, h := range res.Hits {
				if h.Boundary {
					t.Errorf("和平: %s flagged though the word itself was found", h.ID)
				}
			}
		})

		t.Run("words apart only when the run is nowhere", func(t *testing.T) {
			res := f.search(t, Request{Q: "缴存基数住房公积金"})
			if got := ids(res); !res.Split || !slices.Contains(got, "gj1") || !slices.Contains(got, "gj2") {
				t.Errorf("split: %v %v", res.Split, got)
			}
			if res := f.search(t, Request{Q: "住房公积金缴存基数"}); res.Split || res.Total != 2 {
				t.Errorf("run as typed: split %v total %d", res.Split, res.Total)
			}
		})

		t.Run("typo suggestion", func(t *testing.T) {
			res := f.search(t, Request{Q: "住房公基金"})
			if res.Suggestion != "住房公积金" || !res.Corrected || res.Total != 2 {
				t.Errorf("suggestion = %q corrected %v total %d, want 住房公积金's hits", res.Suggestion, res.Corrected, res.Total)
			}
			res = f.search(t, Request{Q: "住房公基金", NoCorrect: true})
			if res.Suggestion != "住房公积金" || res.Corrected || res.Total != 0 {
				t.Errorf("as typed: suggestion = %q corrected %v total %d", res.Suggestion, res.Corrected, res.Total)
			}
			// Two good words that never stand together are no typo: 提取
			// is not turned into 调整 (调整住房公积金 is two edits away).
			if res := f.search(t, Request{Q: "提取住房公积金"}); res.Corrected || res.Suggestion != "" {
				t.Errorf("提取住房公积金: corrected %v to %q", res.Corrected, res.Suggestion)
			}
			res = f.search(t, Request{Q: "住房公基金 缴存"})
			if res.Suggestion != "住房公积金 缴存" || !res.Corrected {
				t.Errorf("whole query corrected: %q %v", res.Suggestion, res.Corrected)
			}
			if res := f.search(t, Request{Q: "住房公积金"}); res.Suggestion != "" {
				t.Errorf("a correct query got suggestion %q", res.Suggestion)
			}
		})

		t.Run("snippets mark matches in Chinese text", func(t *testing.T) {
			res := f.search(t, Request{Q: "农业"})
			if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Snippet, "中国<mark>农业</mark>发展银行") {
				t.Errorf("snippet: %+v", res.Hits)
			}
			res = f.search(t, Request{Q: "蓝鲸计划"})
			if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Snippet, "<mark>蓝鲸计划</mark>") {
				t.Errorf("attachment snippet: %+v", res.Hits)
			}
			res = f.search(t, Request{Q: "征收管理"})
			if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Snippet, "<mark>徵收管理</mark>") {
				t.Errorf("traditional snippet: %+v", res.Hits)
			}
		})

		t.Run("hit metadata", func(t *testing.T) {
			res := f.search(t, Request{Q: "临政办发〔2018〕12号"})
			h := res.Hits[0]
			if h.DocNo != "临政办发〔2018〕12号" || h.UnitName != "临沂市人民政府办公室" || h.ColumnName == "" ||
				h.PublishedAt == nil || h.IndexNo == "" || h.Title == "" {
				t.Errorf("hit: %+v", h)
			}
		})

		t.Run("empty query browses newest first", func(t *testing.T) {
			res := f.search(t, Request{})
			if res.Total != 14 || res.Sort != SortDate {
				t.Fatalf("total %d sort %s", res.Total, res.Sort)
			}
			for i := 1; i < len(res.Hits); i++ {
				if res.Hits[i].PublishedAt.After(*res.Hits[i-1].PublishedAt) {
					t.Errorf("not newest first at %d", i)
				}
			}
		})

		t.Run("zero results offer a way on", func(t *testing.T) {
			res := f.search(t, Request{Q: "公积金", Filters: map[string][]string{"unit": {"rsj"}}})
			if res.Total != 0 {
				t.Fatalf("total %d", res.Total)
			}
			if len(res.Relaxed) != 1 || res.Relaxed[0].Param != "unit" || res.Relaxed[0].Count != 2 {
				t.Errorf("relaxed = %+v", res.Relaxed)
			}
		})

		t.Run("bad requests", func(t *testing.T) {
			for _, r := range []Request{{Size: 101}, {Page: 600, Size: 20}, {Q: "x", After: "garbage"}} {
				_, err := f.ix.Search(context.Background(), r)
				if _, ok := catalog.AsFieldErrors(err); !ok {
					t.Errorf("%+v: err %v, want field errors", r, err)
				}
			}
			res := f.search(t, Request{Q: "公积金", Page: 50})
			if len(res.Hits) != 0 || res.Total == 0 {
				t.Errorf("page beyond the end: %d hits of %d", len(res.Hits), res.Total)
			}
			long := strings.Repeat("公积金 ", 300)
			if _, err := f.ix.Search(context.Background(), Request{Q: long}); err != nil {
				t.Errorf("long query: %v", err)
			}
		})
	})
}

func TestFacetCountsUnderMultiSelect(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	var es []catalog.Entry
	units := []string{"fgw", "czj", "zfb", "rsj"}
	cols := []string{"zcwj", "tzgg", "gzdt"}
	types := []string{"通知", "公告", "意见", "办法"}
	for i := range 60 {
		u, c, d := units[i%4], cols[i%3], types[(i/2)%4]
		es = append(es, f.entry(fmt.Sprintf("f%02d", i), u, fmt.Sprintf("关于第%d项政务公开工作的%s", i, d), "政务公开工作安排。",
			func(e *catalog.Entry) {
				e.Column, e.DocType = c, d
				e.Validity = []string{"有效", "失效"}[i%2]
			}))
	}
	f.save(t, es...)
	f.sync(t)

	selections := []map[string][]string{
		{"unit": {"fgw", "czj"}},
		{"unit": {"fgw", "czj"}, "doc_type": {"通知", "公告"}},
		{"unit": {"rsj"}, "year": {"2019", "2020", "2021"}, "validity": {"有效"}},
		{"column": {"tzgg"}, "doc_type": {"意见"}},
	}
	for _, q := range []string{"", "政务公开"} {
		for _, sel := range selections {
			t.Run(fmt.Sprintf("%q %v", q, sel), func(t *testing.T) {
				res := f.search(t, Request{Q: q, Filters: sel})
				for _, fc := range res.Facets {
					for _, v := range fc.Values {
						// Selecting just this value in its facet, keeping the
						// other facets' selections, must give its count.
						alone := map[string][]string{}
						for k, vs := range sel {
							alone[k] = vs
						}
						alone[fc.Field] = []string{v.Value}
						got := f.search(t, Request{Q: q, Filters: alone})
						if int(got.Total) != v.Count {
							t.Errorf("%s=%s: facet says %d, filter gives %d", fc.Field, v.Value, v.Count, got.Total)
						}
						if v.Selected != slices.Contains(sel[fc.Field], v.Value) {
							t.Errorf("%s=%s: selected %v", fc.Field, v.Value, v.Selected)
						}
					}
					if len(sel[fc.Field]) > 0 && len(fc.Values) <= len(sel[fc.Field]) && fc.Field == "unit" {
						t.Errorf("a selected facet lists only its selection: %+v", fc.Values)
					}
				}
			})
		}
	}
}

func TestDeepPagingWithCursor(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	var es []catalog.Entry
	for i := range 45 {
		es = append(es, f.entry(fmt.Sprintf("p%02d", i), "fgw", fmt.Sprintf("关于政务公开第%d批事项的通知", i), "政务公开。"))
	}
	f.save(t, es...)
	f.sync(t)
	for _, sort := range []string{SortRelevance, SortDate} {
		t.Run(sort, func(t *testing.T) {
			all := hitIDs(f.pageAll(t, Request{Q: "政务公开", Sort: sort, Size: 10}))
			slices.Sort(all)
			if len(all) != 45 || len(slices.Compact(all)) != 45 {
				t.Errorf("cursor paging gave %d hits (%d distinct), want 45", len(all), len(slices.Compact(all)))
			}
			if _, err := f.ix.Search(context.Background(), Request{Q: "政务公开", Sort: SortDate, After: encodeCursor(cursor{Sort: SortRelevance, Values: []string{"1", "2018-01-01T00:00:00Z", "x"}})}); err == nil {
				t.Error("a cursor of another sort was accepted")
			}
		})
	}
}

func TestSearchBeforeFirstBuild(t *testing.T) {
	f := newFix(t, storetest.SQLite(t))
	if _, err := f.ix.Search(context.Background(), Request{Q: "x"}); !errors.Is(err, ErrNotReady) {
		t.Errorf("err = %v, want ErrNotReady", err)
	}
	if f.ix.Ready() == nil {
		t.Error("ready before the index caught up")
	}
}
