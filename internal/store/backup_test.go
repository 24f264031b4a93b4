package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/catalog"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// dumped is a backup held in memory: what the snapshot stood at and each
// table's rows as DumpTable wrote them.
type dumped struct {
	info store.SnapshotInfo
	data map[string][]byte
	rows map[string]int64
}

func dumpStore(t *testing.T, st *store.Store) dumped {
	t.Helper()
	ctx := context.Background()
	d := dumped{data: map[string][]byte{}, rows: map[string]int64{}}
	err := st.Snapshot(ctx, func(sn *store.Snapshot) error {
		d.info = sn.Info()
		for _, tb := range d.info.Tables {
			var buf bytes.Buffer
			n, err := sn.DumpTable(ctx, tb.Name, &buf)
			if err != nil {
				return err
			}
			d.data[tb.Name], d.rows[tb.Name] = buf.Bytes(), n
		}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return d
}

func (d dumped) plan() store.RestorePlan {
	p := store.RestorePlan{SchemaVersion: d.info.SchemaVersion, ChangeSeq: d.info.ChangeSeq, AuditSeq: d.info.AuditSeq,
		AuditHash: d.info.AuditHash, Sequences: d.info.Sequences}
	for _, tb := range d.info.Tables {
		p.Tables = append(p.Tables, store.RestoreTable{TableSchema: tb, Rows: d.rows[tb.Name]})
	}
	return p
}

func (d dumped) input() store.RestoreInput {
	return store.RestoreInput{Plan: d.plan(), Open: func(name string) (io.ReadCloser, error) {
		b, ok := d.data[name]
		if !ok {
			return nil, fmt.Errorf("no data for %s", name)
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}}
}

// hostile is text that every layer must carry unchanged: quotes,
// backslashes, control characters, JSON's line separators, markup, CJK,
// an emoji and a leading and trailing space.
const hostile = " \"引号\" \\反斜杠\\ \x01\x1f\t\r\n \u2028\u2029 </script><b>&amp; 🏛️ 临政办发〔2018〕12号 "

// fillStore writes a small but complete store: a row in every table, with
// NULLs, booleans both ways, the extremes of 64-bit integers, numbers kept
// to their digits and hostile text.
func fillStore(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	storetest.Unit(t, st, "fgw")
	storetest.Unit(t, st, "czj")
	_, err := st.SaveUnit(ctx, catalog.Unit{Code: "gxq", Name: "临沂高新技术产业开发区管委会" + hostile, Kind: catalog.KindCommittee, OrgCode: "11371300MB28562231", Parent: "fgw"})
	must(err)
	must(st.WithTx(ctx, func(tx *store.Tx) error { return tx.SetFilingsNeedApproval(ctx, "gxq", true) }))
	_, err = st.ChangeTree(ctx, catalog.ColumnChange{Unit: "fgw", Action: catalog.FilingAdd, Column: catalog.Column{Code: "xmsp", Name: "项目审批", Parent: catalog.GroupColumn},
		Reason: "新增项目审批信息" + hostile, By: "ed"}, false)
	must(err)

	policy := entry("fgw-2018-0012", "fgw", "zcwj")
	policy.Title, policy.DocNo, policy.Summary = "关于印发"+hostile+"的通知", "临发改发〔2018〕12号", hostile
	policy.BodyHTML = "<p>" + strings.Repeat("正文很长。", 20000) + "</p>"
	policy.Attachments = []catalog.Attachment{{Name: "附件1.docx", SHA256: strings.Repeat("ab", 32), Size: 1234, MediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{Name: "附件2.pdf", SHA256: strings.Repeat("cd", 32), Size: 99, MediaType: "application/pdf"}}
	policy.Related = []string{"fgw-2018-0013"}
	reading := entry("fgw-2018-0013", "fgw", "zcjd")
	reading.Form, reading.Related = "图解", []string{"fgw-2018-0012"}
	withdrawn := entry("czj-1", "czj", "tzgg")
	withdrawn.Status, withdrawn.WithdrawnAt, withdrawn.WithdrawReason = catalog.StatusWithdrawn, pubTime("2019-01-01T08:00:00+08:00"), "已失效"
	draft := entry("czj-2", "czj", "tzgg")
	draft.Status, draft.PublishedAt = catalog.StatusDraft, nil
	_, err = st.SaveEntries(ctx, []store.EntryWrite{write(policy, "h1"), write(reading, "h2"), write(withdrawn, "h3"), write(draft, "h4")})
	must(err)
	policy.Title = "修订后的标题"
	_, err = st.SaveEntries(ctx, []store.EntryWrite{write(policy, "h1b")})
	must(err)
	must(st.WithTx(ctx, func(tx *store.Tx) error { return tx.SetPinned(ctx, "fgw-2018-0012", true, "admin", time.Now()) }))

	fields := []catalog.Field{{Name: "code", Type: catalog.TypeString}, {Name: "n", Type: catalog.TypeInteger}, {Name: "amount", Type: catalog.TypeNumber},
		{Name: "day", Type: catalog.TypeDate}, {Name: "at", Type: catalog.TypeDateTime}, {Name: "ok", Type: catalog.TypeBoolean}}
	meta := catalog.Dataset{ID: "czj-budget", Unit: "czj", Title: "预算" + hostile, Domain: "经济统计", Keywords: []string{"财政"}, PublishedAt: pubTime("2024-03-15"), Fields: fields}
	rows := func(variant string) [][]catalog.Value {
		out := [][]catalog.Value{
			{catalog.TextValue(catalog.TypeString, "007"), catalog.IntegerValue(9223372036854775807), catalog.TextValue(catalog.TypeNumber, "-0.50"),
				catalog.TextValue(catalog.TypeDate, "2024-02-29"), catalog.TextValue(catalog.TypeDateTime, "2024-09-28T21:13:32+08:00"), catalog.BooleanValue(true)},
			{catalog.TextValue(catalog.TypeString, hostile), catalog.IntegerValue(-9223372036854775808), catalog.TextValue(catalog.TypeNumber, "0.30000000000000004"),
				catalog.NullValue(catalog.TypeDate), catalog.NullValue(catalog.TypeDateTime), catalog.BooleanValue(false)},
			{catalog.NullValue(catalog.TypeString), catalog.NullValue(catalog.TypeInteger), catalog.NullValue(catalog.TypeNumber),
				catalog.NullValue(catalog.TypeDate), catalog.NullValue(catalog.TypeDateTime), catalog.NullValue(catalog.TypeBoolean)},
		}
		for i := range 200 {
			out = append(out, []catalog.Value{catalog.TextValue(catalog.TypeString, fmt.Sprintf("%s-%04d", variant, i)), catalog.IntegerValue(int64(i)),
				catalog.TextValue(catalog.TypeNumber, fmt.Sprintf("%d.%02d", i, i%100)), catalog.TextValue(catalog.TypeDate, "2024-01-31"),
				catalog.TextValue(catalog.TypeDateTime, "2024-01-31T00:00:00+08:00"), catalog.BooleanValue(i%2 == 0)})
		}
		return out
	}
	for _, v := range []string{"a", "b", "b"} { // the second "b" is identical: its version number is used and given back
		_, _, err = st.SaveDatasetVersion(ctx, meta, store.RowsOf(rows(v)))
		must(err)
	}

	office, err := st.CreateUser(ctx, store.User{Login: "admin", Name: "管理员", Role: "admin", PasswordHash: "$argon2id$v=19$x", MustChange: false})
	must(err)
	_, err = st.CreateUser(ctx, store.User{Login: "zhang.wei", Name: "张伟" + hostile, Role: "editor", Unit: "fgw", PasswordHash: "$h", MustChange: true})
	must(err)
	must(st.CreateSession(ctx, store.Session{Hash: strings.Repeat("e", 64), UserID: office.ID, CSRFToken: "csrf", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour), IP: "10.0.0.8", UserAgent: hostile}))
	tok, err := st.CreateToken(ctx, store.APIToken{Name: "办公系统", Role: "editor", Unit: "fgw", Hash: strings.Repeat("f", 64)})
	must(err)
	_, err = st.RevokeToken(ctx, tok.ID)
	must(err)
	for i := range 5 {
		_, err := st.AppendAudit(ctx, audit.Record{Actor: audit.Actor{UserID: office.ID, Login: "admin", Role: "admin", IP: "10.0.0.8", UserAgent: hostile},
			Action: "entry.approve", ObjectKind: "entry", ObjectID: fmt.Sprintf("fgw-%d", i), ObjectUnit: "fgw", Summary: hostile})
		must(err)
	}
	must(st.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertNotice(ctx, store.NewNotice{Prefix: "临政公开督", Unit: "czj", Rule: "silent", Facts: `["一个月未发布"]`, Requirement: hostile,
			AsOf: "2024-03-01", RaisedAt: time.Now(), RaisedBy: "office", DueAt: time.Now().Add(240 * time.Hour), Year: 2024})
		return err
	}))
	must(st.SetSetting(ctx, "index_no_format", hostile))
	_, err = st.ClaimJobRun(ctx, "supervise", "2024-03-01", "host-1", time.Now())
	must(err)
	must(st.ExecRawForTest(ctx, `INSERT INTO spot_checks (month, entry_id, unit, position, seed, drawn_at, drawn_by, grade, categories, note, graded_by, graded_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"2024-03", "fgw-2018-0012", "fgw", 1, "seed", 1709251200000, "office", "problems", `["栏目不符"]`, hostile, "office", 1709337600000,
		"2024-03", "czj-1", "czj", 2, "seed", 1709251200000, "office", "", "[]", "", "", nil))
	must(st.ExecRawForTest(ctx, `INSERT INTO bulletins (quarter, generated_at, generated_by, data, sha256) VALUES (?, ?, ?, ?, ?)`,
		"2024Q1", 1711900800000, "office", `{"units":[]}`, strings.Repeat("0", 64)))
	must(st.ExecRawForTest(ctx, `INSERT INTO campaigns (title, starts_at, deadline, columns, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"7月15日前完成目录更新", 1719763200000, 1721001600000, `["tzgg","zcwj"]`, "office", 1719763200000))
	must(st.ExecRawForTest(ctx, `INSERT INTO popular_query_days (query, day, clients, asks) VALUES (?, ?, ?, ?), (?, ?, ?, ?)`,
		"公租房", "2024-03-01", 25, 40, hostile, "2024-03-02", 1, 9007199254740993))
	must(st.ExecRawForTest(ctx, `INSERT INTO popular_query_marks (query, state, marked_at, marked_by) VALUES (?, ?, ?, ?)`,
		"公租房", "pinned", 1709251200000, "office"))
}

// destination is a store a backup is restored into.
type destination struct {
	name string
	open func(t *testing.T) *store.Store
}

var destinations = []destination{
	{"sqlite", func(t *testing.T) *store.Store { return storetest.SQLite(t) }},
	{"postgres", func(t *testing.T) *store.Store {
		if os.Getenv(storetest.EnvPG) == "" {
			t.Skip(storetest.EnvPG + " not set")
		}
		return storetest.Postgres(t)
	}},
}

func compareDumps(t *testing.T, want, got map[string][]string) {
	t.Helper()
	for name, rows := range want {
		have, ok := got[name]
		if !ok {
			t.Errorf("table %s is missing after the restore", name)
			continue
		}
		if len(have) != len(rows) {
			t.Errorf("table %s: %d rows after the restore, %d before", name, len(have), len(rows))
			continue
		}
		for i := range rows {
			if have[i] != rows[i] {
				t.Errorf("table %s row %d:\n got  %s\n want %s", name, i, clipText(have[i]), clipText(rows[i]))
				break
			}
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("table %s appeared in the restore", name)
		}
	}
}

func clipText(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// restore(backup(x)) = x, table by table and row by row, for each pair of
// databases; the next numbers handed out continue where the source's
// would, and the audit chain still verifies.
func TestBackupRestoreRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.Store) {
		ctx := context.Background()
		fillStore(t, src)
		before := storetest.Dump(t, src)
		for name, rows := range before {
			if len(rows) == 0 {
				t.Errorf("table %s is empty in the fixture: give it rows so that the round trip covers it", name)
			}
		}
		d := dumpStore(t, src)
		if d.info.ChangeSeq == 0 || d.info.AuditSeq != 5 || d.info.Dialect != src.Dialect() || d.info.SchemaVersion != store.LatestSchemaVersion() {
			t.Errorf("snapshot info: %+v", d.info)
		}
		var names []string
		for _, tb := range d.info.Tables {
			names = append(names, tb.Name)
		}
		if len(names) != len(before) {
			t.Errorf("snapshot has tables %v, the database %d", names, len(before))
		}
		// The dataset was saved three times: two versions and a number
		// given back.
		if got := d.info.Sequences["dataset_versions"]; got != 3 {
			t.Errorf("dataset_versions sequence %d, want 3", got)
		}
		for _, dst := range destinations {
			t.Run("to_"+dst.name, func(t *testing.T) {
				target := dst.open(t)
				if err := target.Restore(ctx, d.input()); err != nil {
					t.Fatalf("restore: %v", err)
				}
				compareDumps(t, before, storetest.Dump(t, target))
				res, err := target.VerifyAudit(ctx)
				if err != nil || !res.OK() || res.Count != 5 {
					t.Errorf("audit after restore: %+v %v", res, err)
				}
				// New rows continue the numbering of the source: the next
				// dataset version is number 4 (3 was given back) and the
				// next user number 3.
				if _, _, err := target.SaveDatasetVersion(ctx, catalog.Dataset{ID: "czj-new", Unit: "czj", Title: "新", Domain: "经济统计", Fields: []catalog.Field{{Name: "x", Type: catalog.TypeInteger}}},
					store.RowsOf([][]catalog.Value{{catalog.IntegerValue(1)}})); err != nil {
					t.Fatal(err)
				}
				if got := rowTables(storetest.Dump(t, target)); got != "[dsrows_1 dsrows_2 dsrows_4]" {
					t.Errorf("row tables after a new version: %s", got)
				}
				u, err := target.CreateUser(ctx, store.User{Login: "new", Role: "auditor", PasswordHash: "$h"})
				if err != nil || u.ID != d.info.Sequences["users"]+1 || u.ID != 3 {
					t.Errorf("next user: %d (%v), the source's sequence at %d", u.ID, err, d.info.Sequences["users"])
				}
			})
		}
	})
}

func rowTables(dump map[string][]string) string {
	var names []string
	for n := range dump {
		if strings.HasPrefix(n, "dsrows_") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return fmt.Sprint(names)
}

// Text that is not UTF-8 survives SQLite to SQLite; PostgreSQL cannot hold
// it, and the restore says so and writes nothing.
func TestBackupRestoreBytesThatAreNotUTF8(t *testing.T) {
	ctx := context.Background()
	src := storetest.SQLite(t)
	storetest.Unit(t, src, "fgw")
	if err := src.ExecRawForTest(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, "raw", "前\xff\xfe后"); err != nil {
		t.Fatal(err)
	}
	d := dumpStore(t, src)
	if !bytes.Contains(d.data["settings"], []byte(`{"base64":`)) {
		t.Errorf("settings dump lacks the base64 form:\n%s", d.data["settings"])
	}
	for _, dst := range destinations {
		t.Run("to_"+dst.name, func(t *testing.T) {
			target := dst.open(t)
			err := target.Restore(ctx, d.input())
			if target.Dialect() == store.SQLite {
				if err != nil {
					t.Fatal(err)
				}
				compareDumps(t, storetest.Dump(t, src), storetest.Dump(t, target))
				return
			}
			if err == nil || !strings.Contains(err.Error(), "not UTF-8") || !strings.Contains(err.Error(), "settings") {
				t.Errorf("restore into PostgreSQL: %v", err)
			}
			if err := target.CheckRestoreTarget(ctx); err != nil {
				t.Errorf("a refused restore wrote something: %v", err)
			}
		})
	}
}

// A backup taken while writers keep committing holds exactly the changes
// up to the sequence it names, every entry with the revisions and audit
// records written with it, and datasets whose versions have their rows.
func TestBackupUnderConcurrentWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.Store) {
		ctx := context.Background()
		storetest.Unit(t, src, "fgw")
		storetest.Unit(t, src, "czj")
		const writers = 3
		var committed atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; ; k++ {
					select {
					case <-stop:
						return
					default:
					}
					id := fmt.Sprintf("w%d-%d", w, k%7)
					e := entry(id, "fgw", "tzgg")
					e.Title = fmt.Sprintf("%s 第%d次", id, k)
					err := src.WithTx(ctx, func(tx *store.Tx) error {
						if _, err := tx.SaveEntries(ctx, []store.EntryWrite{write(e, strconv.Itoa(k))}); err != nil {
							return err
						}
						_, err := tx.AppendAudit(ctx, audit.Record{Actor: audit.Actor{Login: "writer"}, Action: "entry.save", ObjectKind: "entry", ObjectID: id, Summary: e.Title})
						return err
					})
					if err != nil {
						errs <- err
						return
					}
					committed.Add(1)
				}
			}()
		}
		// A dataset writer makes new versions, so row tables are made and
		// old ones dropped while the snapshot is read.
		wg.Add(1)
		go func() {
			defer wg.Done()
			meta := catalog.Dataset{ID: "czj-live", Unit: "czj", Title: "实时", Domain: "经济统计", Fields: []catalog.Field{{Name: "v", Type: catalog.TypeInteger}}}
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				rows := make([][]catalog.Value, 50+k%5)
				for i := range rows {
					rows[i] = []catalog.Value{catalog.IntegerValue(int64(k*1000 + i))}
				}
				if _, _, err := src.SaveDatasetVersion(ctx, meta, store.RowsOf(rows)); err != nil {
					errs <- err
					return
				}
			}
		}()
		waitFor := func(n int64) {
			for committed.Load() < n {
				select {
				case err := <-errs:
					close(stop)
					wg.Wait()
					t.Fatalf("writer: %v", err)
				default:
					time.Sleep(time.Millisecond)
				}
			}
		}
		waitFor(30)
		d := dumped{data: map[string][]byte{}, rows: map[string]int64{}}
		err := src.Snapshot(ctx, func(sn *store.Snapshot) error {
			d.info = sn.Info()
			// Writers go on committing after the snapshot was taken, and
			// while it is read.
			waitFor(committed.Load() + 2*writers + 10)
			for _, tb := range d.info.Tables {
				var buf bytes.Buffer
				n, err := sn.DumpTable(ctx, tb.Name, &buf)
				if err != nil {
					return err
				}
				d.data[tb.Name], d.rows[tb.Name] = buf.Bytes(), n
			}
			return nil
		})
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("writer: %v", err)
		}
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		last, _, err := src.LastChange(ctx)
		if err != nil || last <= d.info.ChangeSeq {
			t.Fatalf("the source's change log stands at %d (%v), the snapshot at %d: no write came after it", last, err, d.info.ChangeSeq)
		}

		for _, dst := range destinations {
			t.Run("to_"+dst.name, func(t *testing.T) {
				target := dst.open(t)
				if err := target.Restore(ctx, d.input()); err != nil {
					t.Fatalf("restore: %v", err)
				}
				checkConsistent(t, target, d)
			})
		}
	})
}

var writtenTitle = regexp.MustCompile(`^(w\d+-\d+) 第(\d+)次$`)

func checkConsistent(t *testing.T, st *store.Store, d dumped) {
	t.Helper()
	ctx := context.Background()
	dump := storetest.Dump(t, st)
	for name, n := range d.rows {
		if int64(len(dump[name])) != n {
			t.Errorf("table %s: %d rows restored, %d in the backup", name, len(dump[name]), n)
		}
	}
	changes, err := st.ChangesAfter(ctx, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(changes)) != d.info.ChangeSeq {
		t.Errorf("%d changes restored, the backup stands at %d", len(changes), d.info.ChangeSeq)
	}
	entryRefs := map[string]bool{}
	for i, c := range changes {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has sequence %d: a gap or a change after the snapshot", i+1, c.Seq)
		}
		if c.Kind == store.ChangeEntry {
			entryRefs[c.Ref] = true
		}
	}
	res, err := st.VerifyAudit(ctx)
	if err != nil || !res.OK() || res.HeadSeq != d.info.AuditSeq {
		t.Fatalf("audit after restore: %+v %v (backup head %d)", res, err, d.info.AuditSeq)
	}
	// Every saved revision has the audit record of its transaction, and
	// every audit record its revision.
	audited := map[string]bool{}
	for r, err := range st.AuditLog(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Action == "entry.save" {
			audited[r.Summary] = true
		}
	}
	revised := map[string]bool{}
	entries, err := st.EntriesByID(ctx, keys(entryRefs))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(entryRefs) {
		t.Errorf("%d entries in the change log, %d restored", len(entryRefs), len(entries))
	}
	for _, e := range entries {
		revs, err := st.EntryRevisions(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != e.Revision || revs[0].Revision != e.Revision {
			t.Errorf("entry %s at revision %d has %d revisions (newest %d)", e.ID, e.Revision, len(revs), revs[0].Revision)
		}
		for _, r := range revs {
			var snap catalog.Entry
			if err := json.Unmarshal([]byte(r.Snapshot), &snap); err != nil {
				t.Fatal(err)
			}
			revised[snap.Title] = true
		}
		if m := writtenTitle.FindStringSubmatch(e.Title); m == nil || m[1] != e.ID {
			t.Errorf("entry %s has title %q", e.ID, e.Title)
		}
	}
	for title := range revised {
		if !audited[title] {
			t.Errorf("revision %q has no audit record", title)
		}
	}
	for title := range audited {
		if !revised[title] {
			t.Errorf("audit record %q has no revision", title)
		}
	}
	if len(audited) == 0 {
		t.Error("no write made it into the backup")
	}
	versions, err := st.DatasetVersions(ctx, "czj-live")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		if v.State == store.VersionDropped {
			continue
		}
		var n int64
		err := st.SelectDatasetRows(ctx, "czj-live", v.Version, store.RowSelect{}, func(int64, []catalog.Value) error { n++; return nil })
		if err != nil || n != v.RowCount {
			t.Errorf("dataset version %d: %d rows read (%v), %d recorded", v.Version, n, err, v.RowCount)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Restores that must write nothing.
func TestRestoreRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.Store) {
		ctx := context.Background()
		fillStore(t, src)
		d := dumpStore(t, src)
		corrupt := func(name string) func(store.RestoreInput) store.RestoreInput {
			return func(in store.RestoreInput) store.RestoreInput {
				open := in.Open
				in.Open = func(table string) (io.ReadCloser, error) {
					r, err := open(table)
					if table == name {
						return io.NopCloser(io.MultiReader(r, failing{})), err
					}
					return r, err
				}
				return in
			}
		}
		tests := []struct {
			name   string
			target func(t *testing.T) *store.Store
			change func(store.RestoreInput) store.RestoreInput
			want   []string
		}{
			{"into a store with data", func(t *testing.T) *store.Store {
				st := storetest.SQLite(t)
				storetest.Unit(t, st, "jtj")
				return st
			}, nil, []string{"not empty: it holds", "units (1 row)", "unit_columns (22 rows)", "change_seq (standing at 1)"}},
			{"a table whose data fails its check", nil, corrupt("audit_log"), []string{"checksum mismatch"}},
			{"a table with fewer rows than the backup says", nil, func(in store.RestoreInput) store.RestoreInput {
				for i := range in.Plan.Tables {
					if in.Plan.Tables[i].Name == "entries" {
						in.Plan.Tables[i].Rows++
					}
				}
				return in
			}, []string{"4 rows read, the backup says 5"}},
			{"a backup without a table", nil, func(in store.RestoreInput) store.RestoreInput {
				var kept []store.RestoreTable
				for _, tb := range in.Plan.Tables {
					if tb.Name != "notices" {
						kept = append(kept, tb)
					}
				}
				in.Plan.Tables = kept
				return in
			}, []string{"lacks table notices"}},
			{"a change log that does not match", nil, func(in store.RestoreInput) store.RestoreInput {
				in.Plan.ChangeSeq++
				return in
			}, []string{"the change log stands at"}},
			{"an audit head that does not match", nil, func(in store.RestoreInput) store.RestoreInput {
				in.Plan.AuditHash = strings.Repeat("0", 64)
				return in
			}, []string{"the audit log's head"}},
			{"a file step that fails", nil, func(in store.RestoreInput) store.RestoreInput {
				in.BeforeCommit = func(context.Context) error { return errors.New("files: disk full") }
				return in
			}, []string{"disk full"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				open := tc.target
				if open == nil {
					open = destinations[0].open
				}
				target := open(t)
				before := storetest.Dump(t, target)
				in := d.input()
				if tc.change != nil {
					in = tc.change(in)
				}
				err := target.Restore(ctx, in)
				for _, w := range tc.want {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Fatalf("restore: %v, want an error with %q", err, w)
					}
				}
				compareDumps(t, before, storetest.Dump(t, target))
			})
		}
	})
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("checksum mismatch") }

// A backup from a newer program is refused before anything is written;
// a target already past the backup's schema is refused too.
func TestRestoreSchemaVersions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	_, err := store.OpenForRestore(ctx, "sqlite:"+path, store.LatestSchemaVersion()+1)
	if !errors.Is(err, store.ErrNewerSchema) || !strings.Contains(err.Error(), "newer gongkai") {
		t.Errorf("newer backup: %v", err)
	}
	if _, statErr := os.Stat(path); statErr == nil {
		t.Errorf("a refused restore made %s", path)
	}
	st := storetest.SQLite(t) // at the latest version
	_, err = store.OpenForRestore(ctx, st.Redacted(), store.LatestSchemaVersion()-1)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("at schema version %d and the backup at %d", store.LatestSchemaVersion(), store.LatestSchemaVersion()-1)) {
		t.Errorf("target past the backup: %v", err)
	}
}
