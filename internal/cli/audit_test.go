package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/audit"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// auditBackends are the databases the audit commands are tried on, as
// --db URLs.
var auditBackends = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "gongkai.db") }},
	{"postgres", func(t *testing.T) string {
		if os.Getenv(storetest.EnvPG) == "" {
			t.Skip(storetest.EnvPG + " not set")
		}
		return storetest.NewPGDatabase(t)
	}},
}

func TestAuditCommands(t *testing.T) {
	for _, be := range auditBackends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := be.dsn(t)
			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			db := []string{"--db", dsn, "--data", t.TempDir()}
			cmd := func(args ...string) (int, string, string) {
				t.Helper()
				return run(t, nil, append(args, db...)...)
			}

			code, out, errOut := cmd("audit", "verify")
			if code != 0 || !strings.Contains(out, "审计日志完整：0 条记录") {
				t.Errorf("empty log: %d %s%s", code, out, errOut)
			}
			for i := range 20 {
				r := audit.Record{Actor: audit.Actor{Login: "wang", Role: "editor", Unit: "jtj", IP: "10.0.0.8"}, Action: "entry.submit",
					ObjectKind: "entry", ObjectID: fmt.Sprintf("jtj-%02d", i), ObjectUnit: "jtj", Summary: "提交审核"}
				if i == 3 {
					r.Summary = "=cmd|' /C calc'!A0"
				}
				if _, err := st.AppendAudit(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			_, head, _ := st.AuditHead(ctx)

			code, out, errOut = cmd("audit", "verify")
			if code != 0 || !strings.Contains(out, "审计日志完整：20 条记录，哈希链无断裂 (audit log intact: 20 records)") || !strings.Contains(out, head) {
				t.Errorf("verify: %d %s%s", code, out, errOut)
			}
			code, out, _ = cmd("audit", "verify", "--format", "json")
			var rep verifyReport
			if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || !rep.Intact || rep.Records != 20 || rep.HeadSeq != 20 || rep.HeadHash != head || rep.Broken != nil {
				t.Errorf("verify json: %d %s (%v)", code, out, err)
			}

			t.Run("export csv", func(t *testing.T) {
				file := filepath.Join(t.TempDir(), "审计.csv")
				code, out, errOut := cmd("audit", "export", "--format", "csv", "--out", file)
				if code != 0 || out != "" || !strings.Contains(errOut, "20") {
					t.Fatalf("%d %s%s", code, out, errOut)
				}
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf序号,时间,")) {
					t.Errorf("no BOM and header: %q", b[:40])
				}
				rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
				if err != nil || len(rows) != 21 {
					t.Fatalf("%d rows, %v", len(rows), err)
				}
				if rows[4][0] != "4" || rows[4][13] != "'=cmd|' /C calc'!A0" || rows[20][14] != head {
					t.Errorf("rows 4 and 20: %q %q", rows[4], rows[20])
				}
				if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*")); len(matches) != 0 {
					t.Errorf("temporary files left: %v", matches)
				}
			})
			t.Run("export xlsx to stdout", func(t *testing.T) {
				code, out, errOut := cmd("audit", "export", "--format", "xlsx")
				if code != 0 {
					t.Fatalf("%d %s", code, errOut)
				}
				f, err := excelize.OpenReader(strings.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rows, err := f.GetRows("审计日志")
				if err != nil || len(rows) != 21 || rows[0][0] != "序号" || rows[4][13] != "'=cmd|' /C calc'!A0" {
					t.Errorf("%d rows, %v", len(rows), err)
				}
			})
			for _, tc := range []struct {
				args []string
				code int
				want string
			}{
				{[]string{"audit"}, 2, "verify"},
				{[]string{"audit", "--help"}, 0, "operations log"},
				{[]string{"audit", "verify", "--help"}, 0, "-format"},
				{[]string{"audit", "check"}, 2, "unknown audit action"},
				{[]string{"audit", "export", "--format", "pdf"}, 2, "csv or xlsx"},
				{[]string{"audit", "verify", "--format", "xml"}, 2, "text or json"},
				{[]string{"audit", "export", "--format", "csv", "--out", filepath.Join(t.TempDir(), "no", "such", "dir.csv")}, 1, "audit export"},
			} {
				t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
					code, out, errOut := cmd(tc.args...)
					if code != tc.code || !strings.Contains(out+errOut, tc.want) {
						t.Errorf("exit %d (want %d), output lacks %q: %s%s", code, tc.code, tc.want, out, errOut)
					}
				})
			}

			zeros := strings.Repeat("0", 64)
			for _, tc := range []struct {
				anchor string
				code   int
				want   string
			}{
				{"20:" + head, 0, "audit log intact: 20 records"},
				{"20:" + strings.ToUpper(head), 0, "intact"},
				{"5:" + zeros, 1, "第 5 条记录的哈希与此前记下的链头不符"},
				{"25:" + head, 1, "第 25 条记录缺失"},
				{"bogus", 2, "SEQ:HASH"},
				{"0:" + head, 2, "SEQ:HASH"},
				{"3:abc", 2, "SEQ:HASH"},
			} {
				t.Run("anchor "+tc.anchor, func(t *testing.T) {
					code, out, errOut := cmd("audit", "verify", "--anchor", tc.anchor)
					if code != tc.code || !strings.Contains(out+errOut, tc.want) {
						t.Errorf("exit %d (want %d), output lacks %q: %s%s", code, tc.code, tc.want, out, errOut)
					}
				})
			}

			// superuser runs statements on the database as someone with its
			// superuser rights would, the append-only trigger turned off.
			superuser := func(q string, args ...any) {
				t.Helper()
				if st.Dialect() == store.Postgres {
					if err := st.ExecRawForTest(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
						t.Fatal(err)
					}
					defer st.ExecRawForTest(ctx, `ALTER TABLE audit_log ENABLE TRIGGER USER`)
				}
				if err := st.ExecRawForTest(ctx, q, args...); err != nil {
					t.Fatal(err)
				}
			}

			// The newest record and the head rewritten together pass the
			// check by themselves, but not against the head written down.
			r20, err := st.AuditRecord(ctx, 20)
			if err != nil {
				t.Fatal(err)
			}
			r20.Summary = "无事发生"
			forged := audit.ComputeHash(r20)
			superuser(`UPDATE audit_log SET summary = ?, hash = ? WHERE seq = 20`, r20.Summary, forged)
			superuser(`UPDATE audit_head SET hash = ? WHERE id = 1`, forged)
			if code, out, errOut := cmd("audit", "verify"); code != 0 || !strings.Contains(out, "20:"+forged) {
				t.Errorf("a rewrite with its head: %d %s%s", code, out, errOut)
			}
			if code, out, errOut := cmd("audit", "verify", "--anchor", "20:"+head); code != 1 || !strings.Contains(out, "第 20 条记录的哈希与此前记下的链头不符") {
				t.Errorf("a rewrite against the head written down: %d %s%s", code, out, errOut)
			}

			superuser(`DELETE FROM audit_log WHERE seq = 12`)
			code, out, errOut = cmd("audit", "verify")
			if code != 1 || !strings.Contains(out, "第 12 条记录缺失") || strings.Contains(out, "完整") {
				t.Errorf("after a deletion: %d %s%s", code, out, errOut)
			}
			code, out, _ = cmd("audit", "verify", "--format", "json")
			rep = verifyReport{}
			if err := json.Unmarshal([]byte(out), &rep); code != 1 || err != nil || rep.Intact || rep.Broken == nil || rep.Broken.Seq != 12 {
				t.Errorf("verify json after a deletion: %d %s (%v)", code, out, err)
			}
		})
	}
}
