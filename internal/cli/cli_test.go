package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), append([]string{"gongkai"}, args...), &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, 0, "Commands:"},
		{[]string{"serve", "--help"}, 0, "-addr"},
		{[]string{"import", "--help"}, 0, "idempotent"},
		{[]string{"import", "entries", "--help"}, 0, "-strict"},
		{[]string{"demo", "--help"}, 0, "-entries"},
		{[]string{"nosuch"}, 2, "unknown command"},
		{[]string{"import", "things", "x.jsonl"}, 2, ""},
		{[]string{"import", "entries"}, 2, "needs a FILE"},
		{[]string{"serve", "--bogus"}, 2, "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (%s%s)", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.want) {
				t.Errorf("output lacks %q:\n%s%s", tc.want, out, errOut)
			}
		})
	}
}

func TestImportExitStatusAndLineNumbers(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	units := filepath.Join(dir, "units.jsonl")
	entries := filepath.Join(dir, "entries.jsonl")
	os.WriteFile(units, []byte(`{"code": "fgw", "name": "临沂市发展和改革委员会", "kind": "部门", "org_code": "11371300004331204K"}`+"\n"), 0o644)
	os.WriteFile(entries, []byte(strings.Join([]string{
		`{"id": "a", "unit": "fgw", "column": "tzgg", "title": "通知", "published_at": "2024-01-02", "body_text": "x"}`,
		`{"id": "b", "unit": "fgw", "column": "tzgg", "title": `,
		`{"id": "c", "unit": "fgw", "column": "tzgg", "published_at": "2024-01-02", "body_text": "x"}`,
		`{"id": "d", "unit": "fgw", "column": "nosuch", "title": "t", "published_at": "2024-01-02", "body_text": "x"}`,
		`{"id": "e", "unit": "fgw", "column": "tzgg", "title": "公告", "published_at": "2024-01-03", "body_text": "y"}`,
	}, "\n")+"\n"), 0o644)
	env := map[string]string{"GONGKAI_DATA": data}

	if code, out, errOut := run(t, env, "import", "units", units); code != 0 || !strings.Contains(out, "1 added") {
		t.Fatalf("units: %d %s %s", code, out, errOut)
	}
	code, out, _ := run(t, env, "import", "entries", entries, "--quiet")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"line 2", "line 3", "line 4", "2 added", "3 rejected"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, env, "import", "entries", "--quiet", entries)
	if code != 1 || !strings.Contains(out, "2 unchanged") || !strings.Contains(out, "0 added") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(data, "gongkai.db")); err != nil {
		t.Errorf("GONGKAI_DATA not honoured: %v", err)
	}
}
