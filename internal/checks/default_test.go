package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSettings(t *testing.T) {
	dir := t.TempDir()
	s, err := LoadSettings(dir)
	if err != nil || s.Typos != nil || s.IDKeep != nil || s.Required != nil {
		t.Fatalf("an empty directory: %+v, %v", s, err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("gate.json", `{"id_mask": {"head": 4, "tail": 2}, "required": {"tzgg": ["doc_no"]}}`)
	s, err = LoadSettings(dir)
	if err != nil {
		t.Fatal(err)
	}
	g := Default(s)
	fs := g.Check(Document{Column: "tzgg", Body: "身份证号 11010519491231002X。"})
	var id, req bool
	for _, f := range fs {
		id = id || (f.Rule == "pii_id" && f.Suggestion == "1101************2X")
		req = req || (f.Rule == "required_fields" && f.Part == "doc_no")
	}
	if !id || !req {
		t.Errorf("with the office's settings: %+v", fs)
	}
	for _, bad := range []string{`{"id_mask": {"head": 9, "tail": 9}}`, `{"required": {"tzgg": ["nosuch"]}}`, `{"unknown": 1}`, `{`} {
		write("gate.json", bad)
		if _, err := LoadSettings(dir); err == nil || !strings.Contains(err.Error(), "gate.json") {
			t.Errorf("%s: %v, want an error naming gate.json", bad, err)
		}
	}
}
