package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gongkai/internal/catalog"
	"gongkai/internal/demo"
	"gongkai/internal/store"
)

func TestShardOfSpreadsIDs(t *testing.T) {
	for _, n := range []int{2, 3, 8} {
		counts := make([]int, n)
		for i := range 30000 {
			k := shardOf(fmt.Sprintf("e%06d", i), n)
			if k < 0 || k >= n {
				t.Fatalf("shardOf(…, %d) = %d", n, k)
			}
			counts[k]++
		}
		for k, c := range counts {
			if want := 30000 / n; c < want*9/10 || c > want*11/10 {
				t.Errorf("%d shards: shard %d holds %d of 30000 ids, want about %d", n, k, c, want)
			}
		}
	}
	if shardOf("anything", 1) != 0 || shardOf("anything", 0) != 0 {
		t.Error("one shard must take every id")
	}
}

// TestShardedAnswersAsOne indexes the same demo entries (with their
// attachments) in one shard and in three, and asks both a broad mix of
// searches drawn from the stored text, with filters, sorts, facets, deep
// pages, typos and queries that find nothing: every answer must be the
// same. Then both follow the same edits and withdrawals, are reopened,
// and are asked again.
func TestShardedAnswersAsOne(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two indexes of 800 demo entries")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, fs, _ := importDemo(t, dir, demo.Options{Seed: 5, Entries: 800, DatasetRows: 10, Attachments: true})
	open := func(name string, shards int) *Index {
		ix, err := Open(ctx, Options{Dir: filepath.Join(dir, name), Store: st, Files: fs, Shards: shards, CacheSize: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	}
	one, three := open("one", 1), open("three", 3)
	for _, ix := range []*Index{one, three} {
		if err := ix.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "three", three.Status().Generation, "shard-2")); err != nil {
		t.Fatalf("three shards not laid out: %v", err)
	}
	if s1, s3 := one.Status(), three.Status(); s1.Documents != s3.Documents || s1.Shards != 1 || s3.Shards != 3 {
		t.Fatalf("status: one %+v, three %+v", s1, s3)
	}

	es, err := st.ScanPublishedEntries(ctx, "", 5000, "")
	if err != nil {
		t.Fatal(err)
	}
	reqs := shardMix(es)
	compare := func(stage string) {
		t.Helper()
		differ := 0
		for _, r := range reqs {
			a, errA := one.Search(ctx, r)
			b, errB := three.Search(ctx, r)
			if (errA == nil) != (errB == nil) {
				t.Errorf("%s %+v: errors %v / %v", stage, r, errA, errB)
				continue
			}
			if errA != nil {
				continue
			}
			for _, res := range []*Result{a, b} {
				res.Took, res.Popular = 0, nil
			}
			if !reflect.DeepEqual(a, b) {
				differ++
				if differ <= 5 {
					ja, _ := json.Marshal(a)
					jb, _ := json.Marshal(b)
					t.Errorf("%s %+v:\none shard:    %.600s\nthree shards: %.600s", stage, r, ja, jb)
				}
			}
		}
		if differ > 0 {
			t.Errorf("%s: %d of %d answers differ", stage, differ, len(reqs))
		}
		// Deep pages by cursor: the same pages, page after page.
		r := Request{Q: "通知", Sort: SortDate, Size: 40}
		for page := 0; page < 5; page++ {
			a, errA := one.Search(ctx, r)
			b, errB := three.Search(ctx, r)
			if errA != nil || errB != nil {
				t.Fatalf("%s cursor page %d: %v / %v", stage, page, errA, errB)
			}
			if a.Next != b.Next || !reflect.DeepEqual(a.Hits, b.Hits) {
				t.Fatalf("%s cursor page %d differs", stage, page)
			}
			if a.Next == "" {
				break
			}
			r.After = a.Next
		}
	}
	compare("after the rebuild")

	// Edits, withdrawals and new entries, followed by both indexes.
	rng := rand.New(rand.NewPCG(5, 6))
	var ws []store.EntryWrite
	for i, k := range rng.Perm(len(es))[:60] {
		e := es[k].Entry
		switch i % 3 {
		case 0:
			e.Title += "（修订稿）"
			e.BodyHTML += "<p>补充说明：新增乡村振兴专项资金绩效评价。</p>"
		case 1:
			e.Status = catalog.StatusWithdrawn
		case 2:
			e.ID = fmt.Sprintf("%s-copy%d", e.ID, i)
			e.IndexNo = ""
			e.Title = "关于印发临沂市测绘地理信息管理办法的通知（第" + fmt.Sprint(i) + "号）"
		}
		ws = append(ws, store.EntryWrite{Entry: e, Hash: fmt.Sprintf("edit-%d", i), Actor: "test"})
	}
	if _, err := st.SaveEntries(ctx, ws); err != nil {
		t.Fatal(err)
	}
	for _, ix := range []*Index{one, three} {
		if _, err := ix.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	compare("after following the edits")
	for _, ix := range []*Index{one, three} {
		rep, err := ix.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Errorf("verify: %v %+v", err, rep)
		}
	}
	seq := three.Status().Checkpoint
	one.Close()
	three.Close()
	one, three = open("one", 1), open("three", 3)
	if three.NeedsRebuild() || three.Status().Checkpoint != seq || three.Status().Shards != 3 {
		t.Fatalf("reopened: %+v, want checkpoint %d and no rebuild", three.Status(), seq)
	}
	compare("after reopening")
}

// shardMix is a broad set of searches over entries: title words and
// runs, body and attachment runs, document numbers, pinyin, typos,
// filters and facets, sorts and deep pages.
func shardMix(es []store.IndexEntry) []Request {
	rng := rand.New(rand.NewPCG(7, 8))
	reqs := []Request{
		{}, {Sort: SortDate}, {Page: 3, Size: 20},
		{Q: "公积金"}, {Q: "农机"}, {Q: "理事"}, {Q: "乡村振兴"}, {Q: "公租房"}, {Q: "gongjijin"},
		{Q: "zhufang gongjijin"}, {Q: "住房公基金"}, {Q: "公开招骋"}, {Q: `"专项资金管理办法"`},
		{Q: "发改委 价格"}, {Q: "通知", Sort: SortDate, Size: 50}, {Q: "工作", Page: 4},
		{Q: "无此内容的查询词组合"}, {Q: "xyzzy"}, {Q: "临"}, {Q: "政"},
		{Q: "通知", Filters: map[string][]string{"year": {"2021", "2023"}}},
		{Filters: map[string][]string{"validity": {"有效"}, "year": {"2024"}}},
		{Q: "管理", TitleOnly: true},
		{Q: "公积金 缴存", NoCorrect: true},
	}
	runes := func(s string, n int) string {
		rs := []rune(strings.TrimSpace(s))
		if len(rs) <= n {
			return string(rs)
		}
		i := rng.IntN(len(rs) - n)
		return string(rs[i : i+n])
	}
	for i := 0; i < 80 && len(es) > 0; i++ {
		e := es[rng.IntN(len(es))]
		switch i % 8 {
		case 0:
			reqs = append(reqs, Request{Q: e.Title})
		case 1:
			reqs = append(reqs, Request{Q: runes(e.Title, 2+rng.IntN(4))})
		case 2:
			reqs = append(reqs, Request{Q: runes(htmlText(e.BodyHTML), 3+rng.IntN(6))})
		case 3:
			if e.DocNo != "" {
				reqs = append(reqs, Request{Q: e.DocNo})
			}
		case 4:
			reqs = append(reqs, Request{Q: runes(e.Title, 4), Filters: map[string][]string{"unit": {e.Unit}}})
		case 5:
			reqs = append(reqs, Request{Q: runes(e.Title, 2), Sort: SortDate, Page: 2})
		case 6:
			if len(e.Keywords) > 0 {
				reqs = append(reqs, Request{Q: strings.Join(e.Keywords, " ")})
			}
		case 7:
			// A typo: one character of a title run replaced.
			rs := []rune(runes(e.Title, 5))
			if len(rs) == 5 {
				rs[2] = []rune("的是不了在有人这中大为上个国我以要他")[rng.IntN(18)]
				reqs = append(reqs, Request{Q: string(rs)})
			}
		}
	}
	return reqs
}
