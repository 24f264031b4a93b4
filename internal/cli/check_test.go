package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckAll(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	units := filepath.Join(dir, "units.jsonl")
	entries := filepath.Join(dir, "entries.jsonl")
	os.WriteFile(units, []byte(`{"code": "fgw", "name": "临沂市发展和改革委员会", "kind": "部门", "org_code": "11371300004331204K"}`+"\n"+
		`{"code": "jtj", "name": "临沂市交通运输局", "kind": "部门", "org_code": "113713000043312052"}`+"\n"), 0o644)
	os.WriteFile(entries, []byte(strings.Join([]string{
		`{"id": "fgw-1", "unit": "fgw", "column": "tzgg", "title": "补贴发放公示", "published_at": "2024-01-02", "body_text": "王某某，身份证号11010519491231002X，补贴1200元。"}`,
		`{"id": "fgw-2", "unit": "fgw", "column": "tzgg", "title": "关于春季植树的通知", "published_at": "2024-01-03", "body_text": "请各单位按时参加。"}`,
		`{"id": "jtj-1", "unit": "jtj", "column": "zcwj", "title": "关于公交线路调整的通知", "published_at": "2024-01-04", "body_text": "联系人 13805391234。"}`,
	}, "\n")+"\n"), 0o644)
	env := map[string]string{"GONGKAI_DATA": data}
	if code, out, errOut := run(t, env, "import", "units", units); code != 0 {
		t.Fatalf("units: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := run(t, env, "import", "entries", entries, "--quiet"); code != 0 {
		t.Fatalf("entries: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, env, "check"); code != 2 || !strings.Contains(errOut, "--all") {
		t.Errorf("check without --all: %d %s", code, errOut)
	}
	code, out, errOut := run(t, env, "check", "--all", "--format", "json")
	if code != 0 {
		t.Fatalf("check --all: %d %s", code, errOut)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	got := map[string]*unitCheck{}
	for _, u := range rep.Units {
		got[u.Unit] = u
	}
	if rep.Entries != 3 || got["fgw"].Entries != 2 || got["fgw"].WithFindings != 1 || got["fgw"].ByRule["pii_id"] != 1 ||
		got["jtj"].ByRule["pii_phone"] != 1 || got["jtj"].ByRule["required_fields"] == 0 {
		t.Errorf("report: %s", out)
	}
	f := got["fgw"].Findings[0]
	if f.Entry != "fgw-1" || f.Field != "body" || f.Text != "11010519491231002X" || f.Start != 8 || f.Suggestion == "" {
		t.Errorf("finding: %+v", f)
	}
	// The office's edited list replaces the built-in one; a bad line stops the run with its number.
	os.MkdirAll(filepath.Join(data, "checks"), 0o755)
	os.WriteFile(filepath.Join(data, "checks", "typos.txt"), []byte("植树\t种树\n坏行\n"), 0o644)
	if code, _, errOut := run(t, env, "check", "--all"); code == 0 || !strings.Contains(errOut, "typos.txt") || !strings.Contains(errOut, "2") {
		t.Errorf("a bad list line: %d %s", code, errOut)
	}
	os.WriteFile(filepath.Join(data, "checks", "typos.txt"), []byte("植树\t种树\n"), 0o644)
	code, out, errOut = run(t, env, "check", "--all")
	if code != 0 || !strings.Contains(out, "typo 1") || !strings.Contains(out, "3 published entries checked") {
		t.Errorf("with the office's list: %d %s %s", code, out, errOut)
	}
}
