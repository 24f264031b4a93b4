package audit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// chain makes n chained records, as the store appends them.
func chain(n int) []Record {
	var out []Record
	prev := ""
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		r := Record{Seq: int64(i), At: at.Add(time.Duration(i) * time.Minute),
			Actor:  Actor{UserID: 7, Login: "wang", Role: "editor", Unit: "jtj", IP: "10.0.0.8", UserAgent: "Mozilla/5.0"},
			Action: "entry.submit", ObjectKind: "entry", ObjectID: fmt.Sprintf("jtj-2026-%04d", i), ObjectUnit: "jtj",
			Outcome: OutcomeOK, Summary: "提交审核", PrevHash: prev}
		r.Hash = ComputeHash(r)
		prev = r.Hash
		out = append(out, r)
	}
	return out
}

// rehash recomputes the hashes from record i on, as a forger who knows
// the scheme would.
func rehash(rs []Record, i int) {
	for ; i < len(rs); i++ {
		if i > 0 {
			rs[i].PrevHash = rs[i-1].Hash
		}
		rs[i].Hash = ComputeHash(rs[i])
	}
}

func TestVerify(t *testing.T) {
	const n = 10
	tests := []struct {
		name string
		edit func(rs []Record) []Record
		// head gives the head from the edited records; nil: the intact
		// chain's head when a break is expected, else the last record.
		head   func(rs []Record) (int64, string)
		count  int64
		broken int64  // 0: intact
		reason string // in the reason
	}{
		{name: "intact", count: n},
		{name: "empty log", edit: func([]Record) []Record { return nil }, head: func([]Record) (int64, string) { return 0, "" }},
		{name: "one record", edit: func(rs []Record) []Record { return rs[:1] }, head: func(rs []Record) (int64, string) { return 1, rs[0].Hash }, count: 1},
		{name: "summary edited", edit: func(rs []Record) []Record { rs[3].Summary = "撤回"; return rs },
			count: 4, broken: 4, reason: "edited"},
		{name: "actor edited", edit: func(rs []Record) []Record { rs[0].Actor.Login = "li"; return rs },
			count: 1, broken: 1, reason: "哈希与其内容不符"},
		{name: "time edited", edit: func(rs []Record) []Record { rs[9].At = rs[9].At.Add(-time.Hour); return rs },
			count: 10, broken: 10, reason: "edited"},
		{name: "edited and its hash recomputed", edit: func(rs []Record) []Record {
			rs[4].Outcome = OutcomeRefused
			rs[4].Hash = ComputeHash(rs[4])
			return rs
		}, count: 6, broken: 6, reason: "prev_hash does not match record 5"},
		{name: "middle deleted", edit: func(rs []Record) []Record { return slices.Delete(rs, 4, 5) },
			count: 5, broken: 5, reason: "第 5 条记录缺失"},
		{name: "two deleted", edit: func(rs []Record) []Record { return slices.Delete(rs, 2, 4) },
			count: 3, broken: 3, reason: "第 3 至 4 条记录缺失"},
		{name: "first deleted", edit: func(rs []Record) []Record { return rs[1:] },
			count: 1, broken: 1, reason: "deleted"},
		{name: "middle deleted, later ones renumbered and rehashed", edit: func(rs []Record) []Record {
			rs = slices.Delete(rs, 4, 5)
			for i := 4; i < len(rs); i++ {
				rs[i].Seq--
			}
			rehash(rs, 4)
			return rs
		}, count: 9, broken: 10, reason: "newest records were removed"},
		{name: "first deleted, the rest renumbered and rehashed", edit: func(rs []Record) []Record {
			rs = rs[1:]
			for i := range rs {
				rs[i].Seq--
			}
			rs[0].PrevHash = "x"
			rs[0].Hash = ComputeHash(rs[0])
			rehash(rs, 1)
			return rs
		}, head: func(rs []Record) (int64, string) { return n - 1, rs[n-2].Hash }, count: 1, broken: 1, reason: "links to a record before it"},
		{name: "newest deleted", edit: func(rs []Record) []Record { return rs[:n-1] },
			count: 9, broken: 10, reason: "第 10 条记录缺失"},
		{name: "newest three deleted", edit: func(rs []Record) []Record { return rs[:n-3] },
			count: 7, broken: 8, reason: "第 8 至 10 条记录缺失"},
		{name: "every record deleted", edit: func([]Record) []Record { return nil },
			count: 0, broken: 1, reason: "newest records were removed"},
		{name: "emptied log, head hash kept", edit: func([]Record) []Record { return nil }, head: func([]Record) (int64, string) { return 0, strings.Repeat("a", 64) },
			count: 0, broken: 1, reason: "head holds a hash"},
		{name: "forged record past the head", edit: func(rs []Record) []Record {
			f := rs[n-1]
			f.Seq, f.PrevHash, f.Summary = n+1, rs[n-1].Hash, "伪造"
			f.Hash = ComputeHash(f)
			return append(rs, f)
		}, count: n + 1, broken: n + 1, reason: "beyond the chain's head"},
		{name: "forged record replaces one", edit: func(rs []Record) []Record {
			rs[6].Summary, rs[6].ObjectID = "伪造", "fake"
			rs[6].Hash = ComputeHash(rs[6])
			return rs
		}, count: 8, broken: 8, reason: "altered or replaced"},
		{name: "repeated record", edit: func(rs []Record) []Record { return slices.Insert(rs, 3, rs[2]) },
			count: 4, broken: 3, reason: "repeated"},
		{name: "out of order", edit: func(rs []Record) []Record { rs[3], rs[4] = rs[4], rs[3]; return rs },
			count: 4, broken: 4, reason: "第 4 条记录缺失"},
		{name: "head hash altered", head: func(rs []Record) (int64, string) { return n, strings.Repeat("0", 64) },
			count: n, broken: n, reason: "does not match the head"},
		{name: "head behind the log", head: func(rs []Record) (int64, string) { return n - 2, rs[n-3].Hash },
			count: n - 1, broken: n - 1, reason: "beyond the chain's head"},
		{name: "whole chain rewritten with its head is not detected", edit: func(rs []Record) []Record {
			rs[2].Summary = "改写"
			rehash(rs, 2)
			return rs
		}, count: n},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := chain(n)
			headSeq, headHash := rs[n-1].Seq, rs[n-1].Hash
			if tc.edit != nil {
				rs = tc.edit(rs)
			}
			if tc.head != nil {
				headSeq, headHash = tc.head(rs)
			} else if tc.broken == 0 && len(rs) > 0 {
				headSeq, headHash = rs[len(rs)-1].Seq, rs[len(rs)-1].Hash
			}
			res, err := Verify(Slice(rs), headSeq, headHash)
			if err != nil {
				t.Fatal(err)
			}
			if res.Count != tc.count {
				t.Errorf("Count %d, want %d", res.Count, tc.count)
			}
			switch {
			case tc.broken == 0 && !res.OK():
				t.Errorf("broken at %d: %s", res.Broken.Seq, res.Broken.Reason)
			case tc.broken != 0 && res.OK():
				t.Errorf("intact, want broken at %d", tc.broken)
			case tc.broken != 0:
				if res.Broken.Seq != tc.broken {
					t.Errorf("broken at %d, want %d: %s", res.Broken.Seq, tc.broken, res.Broken.Reason)
				}
				if !strings.Contains(res.Broken.Reason, tc.reason) {
					t.Errorf("reason %q lacks %q", res.Broken.Reason, tc.reason)
				}
				if !strings.HasPrefix(res.Broken.Reason, fmt.Sprintf("第 %d ", res.Broken.Seq)) {
					t.Errorf("reason %q does not begin with the record's number", res.Broken.Reason)
				}
			}
		})
	}
}

func TestVerifyReadError(t *testing.T) {
	rs := chain(3)
	boom := errors.New("disk on fire")
	i := 0
	next := func() (Record, bool, error) {
		if i == 2 {
			return Record{}, false, boom
		}
		i++
		return rs[i-1], true, nil
	}
	res, err := Verify(next, 3, rs[2].Hash)
	if !errors.Is(err, boom) || res.Count != 2 || res.Broken != nil {
		t.Errorf("Verify = %+v, %v; want the read error after 2 records", res, err)
	}
}

// The hash covers every field but the hash itself.
func TestComputeHashCoversEveryField(t *testing.T) {
	base := chain(2)[1]
	edits := map[string]func(r *Record){
		"seq":         func(r *Record) { r.Seq++ },
		"at":          func(r *Record) { r.At = r.At.Add(time.Millisecond) },
		"user id":     func(r *Record) { r.Actor.UserID++ },
		"login":       func(r *Record) { r.Actor.Login += "x" },
		"token id":    func(r *Record) { r.Actor.TokenID++ },
		"role":        func(r *Record) { r.Actor.Role = "admin" },
		"actor unit":  func(r *Record) { r.Actor.Unit = "fgw" },
		"ip":          func(r *Record) { r.Actor.IP = "10.0.0.9" },
		"user agent":  func(r *Record) { r.Actor.UserAgent = "curl" },
		"action":      func(r *Record) { r.Action = "entry.approve" },
		"object kind": func(r *Record) { r.ObjectKind = "column" },
		"object id":   func(r *Record) { r.ObjectID += "x" },
		"object unit": func(r *Record) { r.ObjectUnit = "fgw" },
		"outcome":     func(r *Record) { r.Outcome = OutcomeFailed },
		"summary":     func(r *Record) { r.Summary += "。" },
		"prev hash":   func(r *Record) { r.PrevHash = "" },
		// Moving a boundary between two fields changes the hash too.
		"login/role boundary": func(r *Record) {
			r.Actor.Login, r.Actor.Role = r.Actor.Login+"e", strings.TrimPrefix(r.Actor.Role, "e")
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			r := base
			edit(&r)
			if ComputeHash(r) == base.Hash {
				t.Errorf("hash unchanged")
			}
		})
	}
}
