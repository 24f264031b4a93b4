package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/indexer"
	"gongkai/internal/store"
)

func TestIndexRebuildAndVerify(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	units := filepath.Join(dir, "units.jsonl")
	first := filepath.Join(dir, "first.jsonl")
	second := filepath.Join(dir, "second.jsonl")
	os.WriteFile(units, []byte(`{"code": "fgw", "name": "临沂市发展和改革委员会", "kind": "部门", "org_code": "11371300004331204K"}`+"\n"), 0o644)
	os.WriteFile(first, []byte(strings.Join([]string{
		`{"id": "a", "unit": "fgw", "column": "tzgg", "title": "关于住房公积金的通知", "published_at": "2024-01-02", "body_text": "公积金"}`,
		`{"id": "b", "unit": "fgw", "column": "tzgg", "title": "价格监测公告", "published_at": "2024-01-03", "body_text": "价格"}`,
		`{"id": "c", "unit": "fgw", "column": "tzgg", "title": "草稿", "status": "draft", "body_text": "草稿"}`,
	}, "\n")+"\n"), 0o644)
	os.WriteFile(second, []byte(`{"id": "d", "unit": "fgw", "column": "tzgg", "title": "新的通知", "published_at": "2024-02-01", "body_text": "新"}`+"\n"), 0o644)
	env := map[string]string{"GONGKAI_DATA": data}
	if code, out, errOut := run(t, env, "import", "units", units, "--quiet"); code != 0 {
		t.Fatalf("import units: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := run(t, env, "import", "entries", first, "--quiet"); code != 0 {
		t.Fatalf("import entries: %d %s %s", code, out, errOut)
	}

	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"verify before any index", []string{"index", "verify"}, 1, []string{"no search index yet"}},
		{"rebuild", []string{"index", "rebuild", "--quiet"}, 0, []string{"index rebuilt: 2 entries"}},
		{"verify clean", []string{"index", "verify"}, 0, []string{"2 published entries, 2 indexed; 0 missing, 0 stale, 0 extra"}},
		{"verify json", []string{"index", "verify", "--format", "json"}, 0, []string{`"ok": true`, `"missing": []`}},
		{"rebuild in shards", []string{"index", "rebuild", "--quiet", "--index-shards", "3"}, 0, []string{"index rebuilt: 2 entries", "3 shard(s)"}},
		{"verify shards", []string{"index", "verify"}, 0, []string{"2 published entries, 2 indexed; 0 missing, 0 stale, 0 extra"}},
		{"too many shards", []string{"index", "rebuild", "--index-shards", "65"}, 2, []string{"--index-shards must be a whole number from 1 to 64"}},
		{"no action", []string{"index"}, 2, []string{"rebuild|verify"}},
		{"unknown action", []string{"index", "repair"}, 2, []string{"unknown index action"}},
		{"help", []string{"index", "rebuild", "--help"}, 0, []string{"stopped server"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, env, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q:\n%s%s", w, out, errOut)
				}
			}
		})
	}

	// A change the index has not followed is a difference.
	if code, out, errOut := run(t, env, "import", "entries", second, "--quiet"); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	code, out, _ := run(t, env, "index", "verify")
	if code != 1 || !strings.Contains(out, "missing: d") || !strings.Contains(out, "behind the store by 1 change") {
		t.Errorf("planted difference: exit %d\n%s", code, out)
	}
	if code, out, errOut := run(t, env, "index", "rebuild", "--quiet"); code != 0 || !strings.Contains(out, "3 entries") {
		t.Errorf("second rebuild: %d %s %s", code, out, errOut)
	}
	if code, out, _ := run(t, env, "index", "verify"); code != 0 {
		t.Errorf("after rebuild: exit %d\n%s", code, out)
	}
	if gens, _ := filepath.Glob(filepath.Join(data, "index", "gen-*")); len(gens) != 1 {
		t.Errorf("generations left: %v", gens)
	}

	// While a server holds the index, the commands say so.
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(data, "gongkai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	held, err := indexer.Open(context.Background(), indexer.Options{Dir: filepath.Join(data, "index"), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	code, out, errOut := run(t, env, "index", "rebuild", "--quiet")
	if code != 1 || !strings.Contains(errOut, "in use by another process") || !strings.Contains(errOut, "stop the server first") {
		t.Errorf("rebuild beside a server: exit %d\n%s%s", code, out, errOut)
	}
}
