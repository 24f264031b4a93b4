package console

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Every "?done=" the console redirects with must have its message, or the
// person is told nothing after an action.
func TestEveryDoneHasANotice(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	uses := regexp.MustCompile(`done=([a-z_]+)|done\s*=\s*"([a-z_]+)"|"(?:submit|approve|return|withdraw|pin|unpin|mask)":\s*"([a-z_]+)"`)
	n := 0
	for _, f := range files {
		if filepath.Ext(f) != ".go" || f == "notices_test.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2] + m[3]
			n++
			if notices[key] == "" {
				t.Errorf("%s: ?done=%s has no notice", f, key)
			}
		}
	}
	if n < 10 {
		t.Fatalf("found only %d uses of ?done=", n)
	}
}
