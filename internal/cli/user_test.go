package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/config"
	"gongkai/internal/store"
	"gongkai/internal/store/storetest"
)

// eachDB runs fn with the flags naming a fresh SQLite store and, when
// GONGKAI_TEST_PG is set, a fresh PostgreSQL database; open opens the same
// store for checks.
func eachDB(t *testing.T, fn func(t *testing.T, flags []string, open func() *store.Store)) {
	t.Helper()
	opener := func(t *testing.T, dsn string) func() *store.Store {
		return func() *store.Store {
			st, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		fn(t, []string{"--data", data}, opener(t, "sqlite:"+filepath.Join(data, "gongkai.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.EnvPG) == "" {
			t.Skip(storetest.EnvPG + " not set")
		}
		dsn := storetest.NewPGDatabase(t)
		fn(t, []string{"--db", dsn, "--data", filepath.Join(t.TempDir(), "data")}, opener(t, dsn))
	})
}

// importFixture imports units fgw and jtj and, for each unit in withEntries,
// one published entry.
func importFixture(t *testing.T, flags []string, withEntries ...string) {
	t.Helper()
	dir := t.TempDir()
	units := filepath.Join(dir, "units.jsonl")
	os.WriteFile(units, []byte(`{"code": "fgw", "name": "临沂市发展和改革委员会", "kind": "部门"}`+"\n"+
		`{"code": "jtj", "name": "临沂市交通运输局", "kind": "部门"}`+"\n"), 0o644)
	if code, out, errOut := run(t, nil, append([]string{"import", "units", units, "--quiet"}, flags...)...); code != 0 {
		t.Fatalf("import units: %d %s%s", code, out, errOut)
	}
	if len(withEntries) == 0 {
		return
	}
	var lines []string
	for _, u := range withEntries {
		lines = append(lines, `{"id": "`+u+`-1", "unit": "`+u+`", "column": "tzgg", "title": "通知", "published_at": "2024-01-02", "body_text": "x"}`)
	}
	entries := filepath.Join(dir, "entries.jsonl")
	os.WriteFile(entries, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	if code, out, errOut := run(t, nil, append([]string{"import", "entries", entries, "--quiet"}, flags...)...); code != 0 {
		t.Fatalf("import entries: %d %s%s", code, out, errOut)
	}
}

func TestUserAdd(t *testing.T) {
	eachDB(t, func(t *testing.T, flags []string, open func() *store.Store) {
		importFixture(t, flags)
		tests := []struct {
			name  string
			args  []string
			code  int
			login string // the account made, when code is 0
			want  string // in stderr for failures
		}{
			{"editor of a unit", []string{"--login", "zhang.wei", "--role", "editor", "--unit", "jtj", "--name", "张伟"}, 0, "zhang.wei", ""},
			{"admin", []string{"--login", "Root", "--role", "admin"}, 0, "root", ""},
			{"login taken", []string{"--login", "zhang.wei", "--role", "admin"}, 2, "", "login taken"},
			{"no login", []string{"--role", "admin"}, 2, "", "login:"},
			{"bad login", []string{"--login", "zhang wei", "--role", "admin"}, 2, "", "login:"},
			{"unknown role", []string{"--login", "x1", "--role", "root"}, 2, "", "role: "},
			{"editor needs --unit", []string{"--login", "x2", "--role", "editor"}, 2, "", "unit: "},
			{"admin has no unit", []string{"--login", "x3", "--role", "admin", "--unit", "jtj"}, 2, "", "has no unit"},
			{"unknown unit", []string{"--login", "x4", "--role", "approver", "--unit", "nope"}, 2, "", `"nope"`},
			{"stray argument", []string{"--login", "x5", "--role", "admin", "extra"}, 2, "", "unexpected argument"},
		}
		passwords := map[string]string{}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, out, errOut := run(t, nil, append(append([]string{"user", "add"}, tc.args...), flags...)...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d: %s%s", code, tc.code, out, errOut)
				}
				if tc.code != 0 {
					if !strings.Contains(errOut, tc.want) || out != "" {
						t.Errorf("stderr lacks %q, or stdout is not empty: %q | %s", tc.want, out, errOut)
					}
					return
				}
				lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
				pw := lines[len(lines)-1]
				if len(lines) < 2 || len(pw) != 16 || auth.CheckPasswordPolicy(tc.login, pw) != nil {
					t.Errorf("last line %q is not a one-time password alone:\n%s", pw, out)
				}
				if strings.Count(out, pw) != 1 || !strings.Contains(lines[0], tc.login) {
					t.Errorf("description: %s", out)
				}
				passwords[tc.login] = pw
			})
		}

		st := open()
		ctx := context.Background()
		a := auth.NewAccounts(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		_, p, sess, err := a.Login(ctx, "zhang.wei", passwords["zhang.wei"], from, time.Now())
		if err != nil || p.Role != auth.RoleEditor || p.Unit != "jtj" || !sess.MustChange {
			t.Fatalf("the printed password logs in as %+v, %+v, %v", p, sess, err)
		}

		code, out, errOut := run(t, nil, append([]string{"user", "list"}, flags...)...)
		if code != 0 || !strings.Contains(out, "张伟") || !strings.Contains(out, "must change password") || strings.Contains(out, passwords["root"]) {
			t.Errorf("user list: %d %s%s", code, out, errOut)
		}
		code, out, _ = run(t, nil, append([]string{"user", "list", "--format", "json"}, flags...)...)
		if code != 0 || !strings.Contains(out, `"login": "root"`) || strings.Contains(out, "argon2") {
			t.Errorf("user list json: %s", out)
		}
	})
}

var from = auth.Principal{}.Actor("127.0.0.1", "test")

func TestUserUnlock(t *testing.T) {
	eachDB(t, func(t *testing.T, flags []string, open func() *store.Store) {
		importFixture(t, flags)
		if code, out, errOut := run(t, nil, append([]string{"user", "add", "--login", "li", "--role", "reviewer"}, flags...)...); code != 0 {
			t.Fatalf("user add: %d %s%s", code, out, errOut)
		}
		st := open()
		ctx := context.Background()
		u, err := st.UserByLogin(ctx, "li")
		if err != nil {
			t.Fatal(err)
		}
		if _, locked, err := st.RecordLoginFailure(ctx, u.ID, time.Now(), 1); err != nil || !locked {
			t.Fatalf("lock: %v, %v", locked, err)
		}
		if code, out, errOut := run(t, nil, append([]string{"user", "unlock", "--login", "li"}, flags...)...); code != 0 || !strings.Contains(out, "user li unlocked") {
			t.Fatalf("user unlock: %d %s%s", code, out, errOut)
		}
		if got, _ := st.UserByLogin(ctx, "li"); got.Locked() || got.FailedLogins != 0 {
			t.Errorf("still locked: %+v", got)
		}
		found := false
		for r, err := range st.AuditLog(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Action == "user.unlock" && r.ObjectID == "li" && r.Outcome == "ok" && r.Actor.Name() == "system" {
				found = true
			}
		}
		if !found {
			t.Error("the unlock is not in the audit log")
		}
		if code, _, errOut := run(t, nil, append([]string{"user", "unlock", "--login", "ghost"}, flags...)...); code != 1 || !strings.Contains(errOut, `no user "ghost"`) {
			t.Errorf("unlock unknown: %d %s", code, errOut)
		}
		if code, _, _ := run(t, nil, append([]string{"user", "unlock"}, flags...)...); code != 2 {
			t.Errorf("unlock without --login: exit %d, want 2", code)
		}
		if code, _, _ := run(t, nil, append([]string{"user", "remove"}, flags...)...); code != 2 {
			t.Errorf("unknown action: exit %d, want 2", code)
		}
	})
}

func TestDemoAccounts(t *testing.T) {
	tests := []struct {
		name        string
		withEntries []string
		unit        string // of the unit roles, or "" for an error
	}{
		{"fgw preferred", []string{"jtj", "fgw"}, "fgw"},
		{"else the first unit with entries", []string{"jtj"}, "jtj"},
		{"no entries at all", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			flags := []string{"--data", data}
			importFixture(t, flags, tc.withEntries...)
			var out bytes.Buffer
			e := &env{stdout: &out, stderr: io.Discard, getenv: func(string) string { return "" },
				log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			b, err := openBackend(context.Background(), e, config.Config{DataDir: data})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			err = seedDemoAccounts(context.Background(), e, b)
			if tc.unit == "" {
				if err == nil {
					t.Errorf("accounts made without a unit with entries:\n%s", out.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			if len(lines) != 6 || lines[0] != "演示账号 (first login asks for a new password):" {
				t.Fatalf("table:\n%s", out.String())
			}
			a := auth.NewAccounts(b.store, e.log)
			for i, r := range auth.Roles {
				f := strings.Fields(lines[i+1])
				wantUnit := "-"
				if r.NeedsUnit() {
					wantUnit = tc.unit
				}
				if len(f) != 4 || f[0] != string(r) || f[1] != "demo-"+string(r) || f[3] != wantUnit {
					t.Errorf("line %q, want %s demo-%s PASSWORD %s", lines[i+1], r, r, wantUnit)
					continue
				}
				if _, p, _, err := a.Login(context.Background(), f[1], f[2], from, time.Now()); err != nil || p.Role != r {
					t.Errorf("%s cannot log in with the printed password: %v", f[1], err)
				}
			}

			out.Reset()
			if err := seedDemoAccounts(context.Background(), e, b); err != nil || strings.Count(out.String(), "(exists already)") != 5 {
				t.Errorf("second run: %v\n%s", err, out.String())
			}
		})
	}
}
