package archrules

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Imports    []string
}

// packages lists the project's packages (tests excluded) with go list.
func packages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "gongkai/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	rules := []struct {
		name    string
		imports string                 // a package (prefix match)
		allowed func(from string) bool // who may import it
	}{
		{"nothing but the command imports portal", "gongkai/portal",
			func(from string) bool { return from == "gongkai/internal/cli" || from == "gongkai/portal" }},
		{"only the portal mounts the console", "gongkai/portal/console",
			func(from string) bool { return from == "gongkai/portal" }},
		{"the console never imports the portal that mounts it", "gongkai/portal",
			func(from string) bool { return from != "gongkai/portal/console" }},
		{"the workflow is reached from the back office and the command only", "gongkai/internal/workflow",
			func(from string) bool {
				return from == "gongkai/portal/console" || from == "gongkai/portal" || from == "gongkai/internal/cli"
			}},
		{"the workflow, the permission checks and the audit records never speak HTTP", "net/http",
			func(from string) bool {
				return from != "gongkai/internal/workflow" && from != "gongkai/internal/auth" && from != "gongkai/internal/audit"
			}},
		{"the audit records are a leaf: they import no store", "gongkai/internal/store",
			func(from string) bool { return from != "gongkai/internal/audit" }},
		{"the audit records import no permission rules", "gongkai/internal/auth",
			func(from string) bool { return from != "gongkai/internal/audit" && from != "gongkai/internal/catalog" }},
		{"the quality gate's rules read text, not the store", "gongkai/internal/store",
			func(from string) bool { return from != "gongkai/internal/checks" }},
		{"the quality gate's rules know nothing of the workflow or the console", "gongkai/internal/workflow",
			func(from string) bool { return from != "gongkai/internal/checks" && from != "gongkai/internal/extract" }},
		{"attachment extraction stands alone: it imports nothing of the project", "gongkai",
			func(from string) bool { return from != "gongkai/internal/extract" }},
		{"attachment extraction serves the indexer, the gate's callers and the command only", "gongkai/internal/extract",
			func(from string) bool {
				switch from {
				case "gongkai/indexer", "gongkai/internal/workflow", "gongkai/portal/console", "gongkai/internal/cli":
					return true
				}
				return false
			}},
		{"SQL stays in the store (metrics read its pool statistics)", "database/sql",
			func(from string) bool {
				return strings.HasPrefix(from, "gongkai/internal/store") || from == "gongkai/internal/metrics"
			}},
		{"gorilla/mux stays in the portal's router", "github.com/gorilla/mux",
			func(from string) bool { return from == "gongkai/portal" }},
		{"the store never speaks HTTP", "net/http",
			func(from string) bool {
				return !strings.HasPrefix(from, "gongkai/internal/store") && from != "gongkai/internal/catalog"
			}},
		{"SQL drivers only in the store", "github.com/lib/pq",
			func(from string) bool { return strings.HasPrefix(from, "gongkai/internal/store") }},
		{"sqlx only in the store", "github.com/jmoiron/sqlx",
			func(from string) bool { return strings.HasPrefix(from, "gongkai/internal/store") }},
		{"Bleve only in the indexer", "github.com/blevesearch/bleve",
			func(from string) bool { return from == "gongkai/indexer" }},
		{"the catalog is plain Go", "gongkai/internal/store",
			func(from string) bool { return from != "gongkai/internal/catalog" }},
		{"the indexer does not import the portal", "gongkai/portal",
			func(from string) bool { return from != "gongkai/indexer" && from != "gongkai/opendata" }},
		{"supervision is reached from the back office and the command only", "gongkai/internal/supervise",
			func(from string) bool {
				return from == "gongkai/portal/console" || from == "gongkai/portal" || from == "gongkai/internal/cli"
			}},
		{"supervision's rules and notices never speak HTTP", "net/http",
			func(from string) bool { return from != "gongkai/internal/supervise" }},
		{"supervision knows nothing of the workflow", "gongkai/internal/workflow",
			func(from string) bool { return from != "gongkai/internal/supervise" }},
		{"the metrics are a leaf: they import nothing of the project", "gongkai",
			func(from string) bool { return from != "gongkai/internal/metrics" }},
		{"the relevance judge is a yardstick: nothing imports it", "gongkai/internal/relevance",
			func(from string) bool { return false }},
		{"the client address is a leaf: it imports nothing of the project", "gongkai",
			func(from string) bool { return from != "gongkai/internal/clientip" }},
		{"the page cache is a leaf: it imports nothing of the project", "gongkai",
			func(from string) bool { return from != "gongkai/internal/pagecache" }},
		{"the load bench's static server is Go's net/http alone: it imports nothing of the project", "gongkai",
			func(from string) bool { return from != "gongkai/scripts/staticserve" }},
	}
	pkgs := packages(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range pkgs {
				if slices.ContainsFunc(p.Imports, func(imp string) bool { return imp == r.imports || strings.HasPrefix(imp, r.imports+"/") }) && !r.allowed(p.ImportPath) {
					t.Errorf("%s imports %s", p.ImportPath, r.imports)
				}
			}
		})
	}
}
