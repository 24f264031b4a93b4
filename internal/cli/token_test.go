package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/internal/auth"
	"gongkai/internal/store"
)

func TestTokenCreate(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	units := filepath.Join(dir, "units.jsonl")
	os.WriteFile(units, []byte(`{"code": "jtj", "name": "临沂市交通运输局", "kind": "部门"}`+"\n"), 0o644)
	if code, out, errOut := run(t, nil, "import", "units", units, "--data", data, "--quiet"); code != 0 {
		t.Fatalf("import units: %d %s%s", code, out, errOut)
	}

	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr for failures
	}{
		{"editor of a unit", []string{"--role", "editor", "--unit", "jtj", "--name", "交通局推送"}, 0, ""},
		{"admin", []string{"--role", "admin"}, 0, ""},
		{"editor needs --unit", []string{"--role", "editor"}, 2, "needs --unit"},
		{"approver needs --unit", []string{"--role", "approver"}, 2, "needs --unit"},
		{"unknown role", []string{"--role", "root"}, 2, "unknown role"},
		{"no role", nil, 2, "unknown role"},
		{"unknown unit", []string{"--role", "editor", "--unit", "nope"}, 2, "nope"},
		{"admin has no unit", []string{"--role", "admin", "--unit", "jtj"}, 2, "has no unit"},
	}
	var secrets []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, nil, append(append([]string{"token", "create"}, tc.args...), "--data", data)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s%s", code, tc.code, out, errOut)
			}
			if tc.code != 0 {
				if !strings.Contains(errOut, tc.want) || strings.Contains(out, auth.TokenPrefix) {
					t.Errorf("stderr lacks %q or stdout has a token: %s | %s", tc.want, out, errOut)
				}
				return
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			last := lines[len(lines)-1]
			if _, err := auth.HashToken(last); err != nil {
				t.Errorf("last line %q is not a token alone", last)
			}
			if strings.Count(out, auth.TokenPrefix) != 1 {
				t.Errorf("the token appears more than once: %s", out)
			}
			secrets = append(secrets, last)
		})
	}
	if len(secrets) != 2 {
		t.Fatalf("%d tokens made", len(secrets))
	}

	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(data, "gongkai.db"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.NewVerifier(st, nil).Verify(ctx, secrets[0], time.Now())
	st.Close()
	if err != nil || p.Role != auth.RoleEditor || p.Unit != "jtj" {
		t.Fatalf("the printed token verifies as %+v, %v", p, err)
	}

	code, out, errOut := run(t, nil, "token", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "交通局推送") || !strings.Contains(out, "editor") || strings.Contains(out, auth.TokenPrefix) {
		t.Errorf("token list: %d %s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, nil, "token", "revoke", "1", "--data", data); code != 0 || !strings.Contains(out, "token 1 revoked") {
		t.Errorf("token revoke: %d %s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, nil, "token", "revoke", "99", "--data", data); code != 1 || !strings.Contains(errOut, "no token 99") {
		t.Errorf("revoke unknown: %d %s", code, errOut)
	}
	if code, _, _ := run(t, nil, "token", "revoke", "abc", "--data", data); code != 2 {
		t.Errorf("revoke abc: exit %d, want 2", code)
	}
	code, out, _ = run(t, nil, "token", "list", "--format", "json", "--data", data)
	if code != 0 || !strings.Contains(out, `"revoked_at": "`) || strings.Contains(out, "hash") {
		t.Errorf("token list json: %s", out)
	}
}
