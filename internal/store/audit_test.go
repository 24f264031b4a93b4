package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// auditT0 is the time of the first test record.
var auditT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, catalog.Shanghai)

// appendN appends n records in one transaction, a minute apart from
// auditT0 on, cycling through a few actors, actions and outcomes.
func appendN(t *testing.T, st *store.Store, n int) []audit.Record {
	t.Helper()
	ctx := context.Background()
	actors := []audit.Actor{
		{UserID: 1, Login: "wang", Role: "editor", Unit: "jtj", IP: "10.0.0.8", UserAgent: "Mozilla/5.0"},
		{TokenID: 4, Role: "editor", Unit: "fgw", IP: "10.0.0.9"},
		{UserID: 2, Login: "li", Role: "reviewer", IP: "10.0.0.10"},
	}
	actions := []string{"entry.submit", "entry.approve", "dataset.publish", "auth.refused", "entry_x.odd"}
	var out []audit.Record
	err := st.WithTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			r := audit.Record{At: auditT0.Add(time.Duration(i) * time.Minute), Actor: actors[i%len(actors)],
				Action: actions[i%len(actions)], ObjectKind: "entry", ObjectID: fmt.Sprintf("e-%d", i), ObjectUnit: []string{"jtj", "fgw", "sfj"}[i%3],
				Summary: fmt.Sprintf("第 %d 次", i)}
			if r.Action == "auth.refused" {
				r.Outcome = audit.OutcomeRefused
			}
			got, err := tx.AppendAudit(ctx, r)
			if err != nil {
				return err
			}
			out = append(out, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func seqs(rs []audit.Record) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.Seq
	}
	return out
}

func TestAuditRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if seq, hash, err := st.AuditHead(ctx); err != nil || seq != 0 || hash != "" {
			t.Errorf("empty head = %d %q %v", seq, hash, err)
		}
		if res, err := st.VerifyAudit(ctx); err != nil || !res.OK() || res.Count != 0 {
			t.Errorf("empty log: %+v %v", res, err)
		}
		const n = 2345 // three pages
		all := appendN(t, st, n)

		t.Run("head", func(t *testing.T) {
			seq, hash, err := st.AuditHead(ctx)
			if err != nil || seq != n || hash != all[n-1].Hash {
				t.Errorf("head = %d %q %v, want %d %q", seq, hash, err, n, all[n-1].Hash)
			}
		})
		t.Run("each in order", func(t *testing.T) {
			var got []audit.Record
			if err := st.EachAudit(ctx, func(r audit.Record) error { got = append(got, r); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("%d records, want %d", len(got), n)
			}
			for i, r := range got {
				w := all[i]
				if r.Seq != w.Seq || !r.At.Equal(w.At) || r.Actor != w.Actor || r.Action != w.Action || r.ObjectID != w.ObjectID ||
					r.ObjectUnit != w.ObjectUnit || r.Outcome != w.Outcome || r.Summary != w.Summary || r.PrevHash != w.PrevHash || r.Hash != w.Hash {
					t.Fatalf("record %d:\n got %+v\nwant %+v", i+1, r, w)
				}
			}
		})
		t.Run("one record", func(t *testing.T) {
			if r, err := st.AuditRecord(ctx, 5); err != nil || r.Hash != all[4].Hash || r.ObjectID != all[4].ObjectID {
				t.Errorf("AuditRecord(5) = %+v, %v", r, err)
			}
			if _, err := st.AuditRecord(ctx, n+1); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("AuditRecord past the end: %v", err)
			}
		})
		t.Run("each stops at fn's error", func(t *testing.T) {
			stop := errors.New("enough")
			calls := 0
			err := st.EachAudit(ctx, func(r audit.Record) error {
				if calls++; r.Seq == 1500 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || calls != 1500 {
				t.Errorf("err %v after %d calls", err, calls)
			}
		})
		t.Run("sequence", func(t *testing.T) {
			var got []int64
			for r, err := range st.AuditLog(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				if got = append(got, r.Seq); len(got) == 1001 {
					break
				}
			}
			if len(got) != 1001 || got[1000] != 1001 {
				t.Errorf("read %d records, the last %d", len(got), got[len(got)-1])
			}
		})
		t.Run("verify", func(t *testing.T) {
			res, err := st.VerifyAudit(ctx)
			if err != nil || !res.OK() || res.Count != n || res.HeadSeq != n {
				t.Errorf("VerifyAudit = %+v, %v", res, err)
			}
		})
		t.Run("actions", func(t *testing.T) {
			got, err := st.AuditActions(ctx)
			want := []string{"auth.refused", "dataset.publish", "entry.approve", "entry.submit", "entry_x.odd"}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("AuditActions = %q %v, want %q", got, err, want)
			}
		})

		// count is how many of all match, newest first.
		matching := func(keep func(r audit.Record) bool) []int64 {
			var out []int64
			for i := len(all) - 1; i >= 0; i-- {
				if keep(all[i]) {
					out = append(out, all[i].Seq)
				}
			}
			return out
		}
		tests := []struct {
			name  string
			q     store.AuditQuery
			total []int64 // every match, newest first
			page  []int64 // the page returned; nil: the first 50 of total
		}{
			{"everything", store.AuditQuery{}, matching(func(audit.Record) bool { return true }), nil},
			{"login", store.AuditQuery{Login: "li"}, matching(func(r audit.Record) bool { return r.Actor.Login == "li" }), nil},
			{"unit of the actor or the object", store.AuditQuery{Unit: "fgw"},
				matching(func(r audit.Record) bool { return r.Actor.Unit == "fgw" || r.ObjectUnit == "fgw" }), nil},
			{"action prefix", store.AuditQuery{Action: "entry."},
				matching(func(r audit.Record) bool { return strings.HasPrefix(r.Action, "entry.") }), nil},
			{"whole action", store.AuditQuery{Action: "entry.submit"},
				matching(func(r audit.Record) bool { return r.Action == "entry.submit" }), nil},
			{"no wildcards", store.AuditQuery{Action: "entry%"}, nil, nil},
			{"underscore is a character", store.AuditQuery{Action: "entry_"},
				matching(func(r audit.Record) bool { return r.Action == "entry_x.odd" }), nil},
			{"case counts", store.AuditQuery{Action: "ENTRY."}, nil, nil},
			{"outcome", store.AuditQuery{Outcome: audit.OutcomeRefused},
				matching(func(r audit.Record) bool { return r.Outcome == audit.OutcomeRefused }), nil},
			{"time from and to", store.AuditQuery{From: auditT0.Add(10 * time.Minute), To: auditT0.Add(20 * time.Minute)},
				[]int64{20, 19, 18, 17, 16, 15, 14, 13, 12, 11}, nil},
			{"filters together", store.AuditQuery{Login: "wang", Unit: "jtj", Action: "entry.", To: auditT0.Add(31 * time.Minute)},
				matching(func(r audit.Record) bool {
					return r.Actor.Login == "wang" && (r.Actor.Unit == "jtj" || r.ObjectUnit == "jtj") && strings.HasPrefix(r.Action, "entry.") &&
						r.At.Before(auditT0.Add(31*time.Minute))
				}), nil},
			{"page 3 of 100", store.AuditQuery{Page: 3, Size: 100}, matching(func(audit.Record) bool { return true }),
				seqsFrom(n-200, n-299)},
			{"size capped", store.AuditQuery{Size: 10000}, matching(func(audit.Record) bool { return true }), seqsFrom(n, n-499)},
			{"past the end", store.AuditQuery{Page: 1000}, matching(func(audit.Record) bool { return true }), []int64{}},
			{"no such login", store.AuditQuery{Login: "nobody"}, nil, nil},
			{"a quote is just text", store.AuditQuery{Login: "' OR 1=1 --"}, nil, nil},
		}
		for _, tc := range tests {
			t.Run("query "+tc.name, func(t *testing.T) {
				got, total, err := st.AuditRecords(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(tc.total) {
					t.Errorf("total %d, want %d", total, len(tc.total))
				}
				want := tc.page
				if want == nil {
					want = tc.total[:min(len(tc.total), store.AuditDefaultSize)]
				}
				if g := seqs(got); !slices.Equal(g, want) {
					t.Errorf("page %v,\nwant %v", g, want)
				}
			})
		}
		if len(matching(func(r audit.Record) bool { return r.Actor.Login == "wang" && r.Actor.Unit == "jtj" })) == 0 {
			t.Error("the test data lack wang of jtj")
		}
	})
}

// seqsFrom returns from, from-1, …, to.
func seqsFrom(from, to int64) []int64 {
	var out []int64
	for s := from; s >= to; s-- {
		out = append(out, s)
	}
	return out
}

// tamper changes the log behind the store's back. On PostgreSQL it first
// checks that the trigger refuses an UPDATE or DELETE, then does it as a
// superuser would, with the table's triggers off.
func tamper(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if st.Dialect() != store.Postgres {
		if err := st.ExecRawForTest(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
		return
	}
	if verb := strings.Fields(q)[0]; verb == "UPDATE" || verb == "DELETE" {
		err := st.ExecRawForTest(ctx, q, args...)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s on audit_log: %v, want the append-only trigger's refusal", verb, err)
		}
	}
	for _, s := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, q, `ALTER TABLE audit_log ENABLE TRIGGER USER`} {
		var a []any
		if s == q {
			a = args
		}
		if err := st.ExecRawForTest(ctx, s, a...); err != nil {
			t.Fatal(err)
		}
	}
}

// insertRecord writes r as a row of audit_log.
func insertRecord(t *testing.T, st *store.Store, r audit.Record) {
	t.Helper()
	tamper(t, st, `INSERT INTO audit_log (seq, at, actor_user, actor_login, actor_token, actor_role, actor_unit, ip, user_agent,
 action, object_kind, object_id, object_unit, outcome, summary, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, store.Millis(r.At), r.Actor.UserID, r.Actor.Login, r.Actor.TokenID, r.Actor.Role, r.Actor.Unit, r.Actor.IP, r.Actor.UserAgent,
		r.Action, r.ObjectKind, r.ObjectID, r.ObjectUnit, r.Outcome, r.Summary, r.PrevHash, r.Hash)
}

func TestAuditTamper(t *testing.T) {
	const n = 20
	tests := []struct {
		name   string
		tamper func(t *testing.T, st *store.Store, rs []audit.Record)
		broken int64 // 0: not detected
		reason string
		// stays: the break is still found at the same record after the
		// store appends again (the head still names the chain's end).
		stays bool
	}{
		{"summary edited", func(t *testing.T, st *store.Store, _ []audit.Record) {
			tamper(t, st, `UPDATE audit_log SET summary = ? WHERE seq = ?`, "无事发生", 7)
		}, 7, "edited", true},
		{"summary edited and its hash recomputed", func(t *testing.T, st *store.Store, rs []audit.Record) {
			r := rs[6]
			r.Summary = "无事发生"
			tamper(t, st, `UPDATE audit_log SET summary = ?, hash = ? WHERE seq = ?`, r.Summary, audit.ComputeHash(r), 7)
		}, 8, "altered or replaced", true},
		{"middle row deleted", func(t *testing.T, st *store.Store, _ []audit.Record) {
			tamper(t, st, `DELETE FROM audit_log WHERE seq = ?`, 10)
		}, 10, "第 10 条记录缺失", true},
		{"forged row past the head", func(t *testing.T, st *store.Store, rs []audit.Record) {
			f := rs[n-1]
			f.Seq, f.At, f.PrevHash, f.Action, f.Summary = n+1, f.At.Add(time.Minute), rs[n-1].Hash, "entry.approve", "伪造的批准"
			f.Hash = audit.ComputeHash(f)
			insertRecord(t, st, f)
		}, n + 1, "beyond the chain's head", false},
		{"row replaced by a forged one", func(t *testing.T, st *store.Store, rs []audit.Record) {
			tamper(t, st, `DELETE FROM audit_log WHERE seq = ?`, 12)
			f := rs[11]
			f.Actor.Login, f.Summary = "zhao", "伪造"
			f.Hash = audit.ComputeHash(f)
			insertRecord(t, st, f)
		}, 13, "prev_hash does not match record 12", true},
		{"newest row deleted", func(t *testing.T, st *store.Store, _ []audit.Record) {
			tamper(t, st, `DELETE FROM audit_log WHERE seq = ?`, n)
		}, n, "newest records were removed", true},
		{"head altered", func(t *testing.T, st *store.Store, _ []audit.Record) {
			// audit_head has no trigger: the store updates it on every append.
			if err := st.ExecRawForTest(context.Background(), `UPDATE audit_head SET hash = ? WHERE id = 1`, strings.Repeat("0", 64)); err != nil {
				t.Fatal(err)
			}
		}, n, "does not match the head", false},
		{"newest row deleted and the head moved back is not detected", func(t *testing.T, st *store.Store, rs []audit.Record) {
			tamper(t, st, `DELETE FROM audit_log WHERE seq = ?`, n)
			if err := st.ExecRawForTest(context.Background(), `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, n-1, rs[n-2].Hash); err != nil {
				t.Fatal(err)
			}
		}, 0, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				rs := appendN(t, st, n)
				if res, err := st.VerifyAudit(ctx); err != nil || !res.OK() || res.Count != n {
					t.Fatalf("before: %+v %v", res, err)
				}
				tc.tamper(t, st, rs)
				res, err := st.VerifyAudit(ctx)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case tc.broken == 0 && !res.OK():
					t.Errorf("broken at %d: %s", res.Broken.Seq, res.Broken.Reason)
				case tc.broken == 0:
				case res.OK():
					t.Errorf("intact (%d records), want broken at %d", res.Count, tc.broken)
				case res.Broken.Seq != tc.broken || !strings.Contains(res.Broken.Reason, tc.reason):
					t.Errorf("broken at %d: %s\nwant %d, %q", res.Broken.Seq, res.Broken.Reason, tc.broken, tc.reason)
				}
				if !tc.stays {
					return
				}
				// The store keeps appending after the break, and the break
				// stays where it was.
				if _, err := st.AppendAudit(ctx, audit.Record{Action: "entry.submit"}); err != nil {
					t.Fatal(err)
				}
				if res2, err := st.VerifyAudit(ctx); err != nil || res2.OK() || res2.Broken.Seq != tc.broken {
					t.Errorf("after one more append: %+v %v", res2, err)
				}
			})
		})
	}
}

func TestAuditAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.Postgres {
			t.Skip("the trigger is PostgreSQL's")
		}
		ctx := context.Background()
		appendN(t, st, 3)
		for _, q := range []string{`UPDATE audit_log SET summary = 'x'`, `DELETE FROM audit_log WHERE seq = 2`, `TRUNCATE audit_log`} {
			if err := st.ExecRawForTest(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want the append-only refusal", q, err)
			}
		}
		if res, err := st.VerifyAudit(ctx); err != nil || !res.OK() || res.Count != 3 {
			t.Errorf("after the refusals: %+v %v", res, err)
		}
	})
}

func TestAuditConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					_, err := st.AppendAudit(ctx, audit.Record{Actor: audit.Actor{Login: fmt.Sprintf("w%d", w)},
						Action: "entry.submit", ObjectKind: "entry", ObjectID: fmt.Sprintf("%d-%d", w, i)})
					if err != nil {
						errs <- err
					}
				}
			})
		}
		// Verify while they write: each check sees a consistent snapshot.
		done := make(chan struct{})
		var checks int
		go func() {
			defer close(done)
			for range 5 {
				res, err := st.VerifyAudit(ctx)
				if err != nil {
					errs <- err
					return
				}
				if !res.OK() {
					errs <- fmt.Errorf("verify during appends: broken at %d: %s", res.Broken.Seq, res.Broken.Reason)
					return
				}
				checks++
			}
		}()
		wg.Wait()
		<-done
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		res, err := st.VerifyAudit(ctx)
		if err != nil || !res.OK() || res.Count != writers*each || res.HeadSeq != writers*each {
			t.Errorf("after %d×%d appends (and %d checks meanwhile): %+v %v", writers, each, checks, res, err)
		}
	})
}

// ExecRawForTest is for tests only: no file of the application calls it.
func TestExecRawForTestOnlyInTests(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, filepath.Join("store", "rawsql.go")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "ExecRawForTest") {
			t.Errorf("%s calls ExecRawForTest, which exists for tamper tests only", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
