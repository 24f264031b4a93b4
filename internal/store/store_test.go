package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

func pubTime(s string) *time.Time {
	t, err := catalog.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return &t
}

func entry(id, unit, column string) catalog.Entry {
	return catalog.Entry{ID: id, Unit: unit, Column: column, Title: "标题 " + id, Status: catalog.StatusPublished,
		PublishedAt: pubTime("2018-07-03T10:00:00+08:00"), BodyHTML: "<p>正文</p>", Keywords: []string{"公开"}}
}

func write(e catalog.Entry, hash string) store.EntryWrite {
	return store.EntryWrite{Entry: e, Hash: hash, Actor: "test"}
}

func TestUnitGetsTreeFromTemplate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := catalog.Unit{Code: "fgw", Name: "临沂市发展和改革委员会", Kind: catalog.KindDepartment, OrgCode: "11371300004331204K"}
		for i, want := range []store.WriteResult{store.Added, store.Unchanged} {
			got, err := st.SaveUnit(ctx, u)
			if err != nil || got != want {
				t.Fatalf("save %d: got %v, %v; want %v", i, got, err, want)
			}
		}
		u.Name = "临沂市发改委"
		if got, err := st.SaveUnit(ctx, u); err != nil || got != store.Updated {
			t.Fatalf("rename: got %v, %v", got, err)
		}
		tree, err := st.Tree(ctx, "fgw")
		if err != nil {
			t.Fatal(err)
		}
		if len(tree) != 22 {
			t.Fatalf("tree has %d columns, want 22", len(tree))
		}
		if err := tree.CheckPlacement(catalog.GroupColumn); err == nil {
			t.Error("grouping column accepted an entry")
		}
		if err := tree.CheckPlacement("zcwj"); err != nil {
			t.Errorf("zcwj refused: %v", err)
		}
		if _, err := st.Unit(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown unit: got %v, want ErrNotFound", err)
		}
		_, err = st.SaveUnit(ctx, catalog.Unit{Code: "child", Name: "下属", Kind: catalog.KindOther, Parent: "missing"})
		if _, ok := catalog.AsFieldErrors(err); !ok {
			t.Errorf("unknown parent: got %v, want a field error", err)
		}
	})
}

func TestTreeChangesAreFiled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "jtj")
		tests := []struct {
			name     string
			change   catalog.ColumnChange
			approval bool
			wantErr  bool
			state    string // column state after
		}{
			{"remove template column", catalog.ColumnChange{Unit: "jtj", Action: catalog.FilingRemove, Column: catalog.Column{Code: "zwft"}, Reason: "本单位不开展在线访谈", By: "alice"}, false, false, catalog.ColumnRemoved},
			{"remove twice", catalog.ColumnChange{Unit: "jtj", Action: catalog.FilingRemove, Column: catalog.Column{Code: "zwft"}, Reason: "再次撤销", By: "alice"}, false, true, catalog.ColumnRemoved},
			{"remove group with children", catalog.ColumnChange{Unit: "jtj", Action: catalog.FilingRemove, Column: catalog.Column{Code: "gkml"}, Reason: "不需要", By: "alice"}, false, true, catalog.ColumnActive},
			{"add without reason", catalog.ColumnChange{Unit: "jtj", Action: catalog.FilingAdd, Column: catalog.Column{Code: "jtgl", Name: "交通管理"}, By: "alice"}, false, true, ""},
			{"add own column", catalog.ColumnChange{Unit: "jtj", Action: catalog.FilingAdd, Column: catalog.Column{Code: "jtgl", Name: "交通管理", Parent: "gkml"}, Reason: "公开交通管理措施", By: "alice"}, false, false, catalog.ColumnActive},
			{"add needing approval", catalog.ColumnChange{Unit: "jtj", Action: catalog.FilingAdd, Column: catalog.Column{Code: "gjcx", Name: "公交出行", Parent: "gkml"}, Reason: "公开公交线路调整", By: "alice"}, true, false, catalog.ColumnPending},
		}
		filed := 0
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f, err := st.ChangeTree(ctx, tc.change, tc.approval)
				if (err != nil) != tc.wantErr {
					t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
				}
				if err == nil {
					filed++
					if f.ID == 0 || f.FiledBy != "alice" || f.Reason != tc.change.Reason {
						t.Errorf("filing = %+v", f)
					}
				}
				tree, err := st.Tree(ctx, "jtj")
				if err != nil {
					t.Fatal(err)
				}
				c, ok := tree.Find(tc.change.Column.Code)
				if tc.state == "" {
					if ok {
						t.Errorf("column %s exists after a refused add", tc.change.Column.Code)
					}
					return
				}
				if !ok || c.State != tc.state {
					t.Errorf("column %s state = %q, want %q", tc.change.Column.Code, c.State, tc.state)
				}
			})
		}
		fs, err := st.Filings(ctx, "jtj")
		if err != nil || len(fs) != filed {
			t.Fatalf("filings = %d (%v), want %d", len(fs), err, filed)
		}
		tree, _ := st.Tree(ctx, "jtj")
		if err := tree.CheckPlacement("zwft"); err == nil {
			t.Error("removed column still takes entries")
		}
		if err := tree.CheckPlacement("gjcx"); err == nil {
			t.Error("column waiting for approval already takes entries")
		}
	})
}

func TestSaveEntriesIsIdempotentAndKeepsRevisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := storetest.Unit(t, st, "fgw")
		pol := entry("fgw-2018-0001", "fgw", "zcwj")
		pol.Attachments = []catalog.Attachment{{Name: "附件1.docx", SHA256: strings.Repeat("a", 64), Size: 10, MediaType: "application/x"}}
		interp := entry("fgw-2018-0002", "fgw", "zcjd")
		interp.Related = []string{"fgw-2018-0001"}
		interp.Form = "图解"

		res, err := st.SaveEntries(ctx, []store.EntryWrite{write(pol, "h1"), write(interp, "h2")})
		if err != nil || res[0] != store.Added || res[1] != store.Added {
			t.Fatalf("first save: %v %v", res, err)
		}
		res, err = st.SaveEntries(ctx, []store.EntryWrite{write(pol, "h1"), write(interp, "h2")})
		if err != nil || res[0] != store.Unchanged || res[1] != store.Unchanged {
			t.Fatalf("second save: %v %v", res, err)
		}
		d, err := st.Entry(ctx, pol.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantNo := u.OrgCode + "/2018-00001"
		if d.IndexNo != wantNo {
			t.Errorf("index_no = %q, want %q", d.IndexNo, wantNo)
		}
		if len(d.Attachments) != 1 || d.Attachments[0].Name != "附件1.docx" {
			t.Errorf("attachments = %+v", d.Attachments)
		}
		// The link is declared by the interpretation and seen from both ends.
		if len(d.Links) != 1 || d.Links[0].ID != interp.ID {
			t.Errorf("policy links = %+v", d.Links)
		}
		di, _ := st.Entry(ctx, interp.ID)
		if len(di.Links) != 1 || di.Links[0].ID != pol.ID {
			t.Errorf("interpretation links = %+v", di.Links)
		}

		pol.Title = "新标题"
		pol.Attachments = nil
		res, err = st.SaveEntries(ctx, []store.EntryWrite{write(pol, "h1b")})
		if err != nil || res[0] != store.Updated {
			t.Fatalf("update: %v %v", res, err)
		}
		d, _ = st.Entry(ctx, pol.ID)
		if d.Title != "新标题" || d.Revision != 2 || d.IndexNo != wantNo || len(d.Attachments) != 0 {
			t.Errorf("after update: title %q rev %d index %q attachments %d", d.Title, d.Revision, d.IndexNo, len(d.Attachments))
		}
	})
}

func TestIndexNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := storetest.Unit(t, st, "czj")
		// Someone brings the number the counter would hand out next.
		given := entry("given", "czj", "tzgg")
		given.IndexNo = u.OrgCode + "/2018-00002"
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(given, "g")}); err != nil {
			t.Fatal(err)
		}
		var ws []store.EntryWrite
		for i := range 3 {
			ws = append(ws, write(entry(fmt.Sprintf("e%d", i), "czj", "tzgg"), "x"))
		}
		if _, err := st.SaveEntries(ctx, ws); err != nil {
			t.Fatal(err)
		}
		want := []string{"00001", "00003", "00004"}
		for i, w := range want {
			d, _ := st.Entry(ctx, fmt.Sprintf("e%d", i))
			if d.IndexNo != u.OrgCode+"/2018-"+w {
				t.Errorf("e%d index_no = %q, want …%s", i, d.IndexNo, w)
			}
		}
		// Withdrawing keeps the number; the next entry gets a new one.
		e0 := entry("e0", "czj", "tzgg")
		e0.Status = catalog.StatusWithdrawn
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(e0, "y")}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(entry("e9", "czj", "tzgg"), "z")}); err != nil {
			t.Fatal(err)
		}
		d, _ := st.Entry(ctx, "e9")
		if d.IndexNo != u.OrgCode+"/2018-00005" {
			t.Errorf("after withdrawal: %q", d.IndexNo)
		}
		// A clashing given number is a conflict, not a silent overwrite.
		clash := entry("clash", "czj", "tzgg")
		clash.IndexNo = d.IndexNo
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(clash, "c")}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("clash: got %v, want ErrConflict", err)
		}
		// The format is a setting.
		if err := st.SetSetting(ctx, store.SettingIndexFormat, "{code}/{abbr}/{year}-{serial:7}"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(entry("linyi", "czj", "tzgg"), "l")}); err != nil {
			t.Fatal(err)
		}
		d, _ = st.Entry(ctx, "linyi")
		if d.IndexNo != "czj/CZJ/2018-0000001" {
			t.Errorf("Linyi format: %q", d.IndexNo)
		}
	})
}

// TestConcurrentWriters has 8 goroutines create entries at once: index
// numbers never collide and the change log has every change once, in a
// gap-free sequence, even read while the writers run.
func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, st, "fgw")
		const workers, perWorker = 8, 40
		base, _, err := st.LastChange(ctx)
		if err != nil {
			t.Fatal(err)
		}

		// A follower reads the log while the writers run, as the indexer
		// will: it must never see a sequence number jump past one that
		// commits later.
		stop := make(chan struct{})
		followed := make(chan []int64)
		go func() {
			var seen []int64
			after := base
			for {
				cs, err := st.ChangesAfter(ctx, after, 100)
				if err != nil {
					t.Error(err)
					break
				}
				for _, c := range cs {
					seen = append(seen, c.Seq)
					after = c.Seq
				}
				if len(cs) == 0 {
					select {
					case <-stop:
						cs, _ = st.ChangesAfter(ctx, after, 100000)
						for _, c := range cs {
							seen = append(seen, c.Seq)
						}
						followed <- seen
						return
					case <-time.After(time.Millisecond):
					}
				}
			}
			followed <- seen
		}()

		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWorker {
					e := entry(fmt.Sprintf("w%d-%03d", w, i), "fgw", "tzgg")
					// Small batches, a mix of sizes, so transactions interleave.
					if _, err := st.SaveEntries(ctx, []store.EntryWrite{write(e, "h")}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		seen := <-followed

		if len(seen) != workers*perWorker {
			t.Fatalf("follower saw %d changes, want %d", len(seen), workers*perWorker)
		}
		for i, s := range seen {
			if s != base+int64(i)+1 {
				t.Fatalf("change %d has seq %d, want %d (skipped or out of order)", i, s, base+int64(i)+1)
			}
		}
		n, err := st.EntryCount(ctx, catalog.StatusPublished)
		if err != nil || n != workers*perWorker {
			t.Fatalf("entries = %d (%v)", n, err)
		}
		all, err := st.ChangesAfter(ctx, base, 100000)
		if err != nil {
			t.Fatal(err)
		}
		refs := map[string]bool{}
		for _, c := range all {
			if refs[c.Ref] {
				t.Errorf("entry %s logged twice", c.Ref)
			}
			refs[c.Ref] = true
		}
		numbers := map[string]string{}
		for w := range workers {
			for i := range perWorker {
				id := fmt.Sprintf("w%d-%03d", w, i)
				d, err := st.Entry(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if other, dup := numbers[d.IndexNo]; dup {
					t.Fatalf("index number %s given to %s and %s", d.IndexNo, other, id)
				}
				numbers[d.IndexNo] = id
			}
		}
	})
}

func TestMigrationsAreIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		v, err := st.SchemaVersion(context.Background())
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
	})
}
