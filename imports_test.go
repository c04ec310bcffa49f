package profundo_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/profundo/profundo/"

// rank places a package in the import order of DESIGN: a package may import
// only packages of a lower rank, or its own tree (layers/layertest imports
// layers). The building blocks share rank 1 and never import each other.
func rank(pkg string) (int, string) {
	rel := strings.TrimPrefix(pkg, module)
	top := strings.SplitN(rel, "/", 2)[0]
	switch top {
	case "internal":
		return 0, rel
	case "layers", "losses", "optimizers", "metrics", "datasets", "images":
		return 1, top
	case "trainer":
		return 2, top
	case "models":
		return 3, top
	case "tuner", "serve", "distributed", "generate":
		return 4, top
	case "cli":
		return 5, top // the profundo command, for programs of one's own
	}
	return 6, top // cmd, examples, notebooks, the module root
}

func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-test", "-f", `{{.ImportPath}}|{{join .Imports " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, "|")
		// Tests (external test packages, test binaries) may use anything.
		if strings.HasSuffix(pkg, ".test") || strings.Contains(pkg, " [") || strings.HasSuffix(pkg, "_test") {
			continue
		}
		from, fromTree := rank(pkg)
		for _, imp := range strings.Fields(imports) {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			checked++
			to, toTree := rank(imp)
			sharedByExamples := strings.HasPrefix(imp, module+"examples/internal/") && strings.HasPrefix(pkg, module+"examples/")
			if !sharedByExamples && (strings.HasPrefix(imp+"/", module+"cmd/") || strings.HasPrefix(imp, module+"examples") || strings.HasPrefix(imp, module+"notebooks")) {
				t.Errorf("%s imports %s: commands, examples and notebooks are imported by nothing", pkg, imp)
				continue
			}
			if fromTree == toTree || to < from || (from == 0 && to == 0) {
				continue
			}
			t.Errorf("%s imports %s: imports must point down (%s is rank %d, %s rank %d)", pkg, imp, fromTree, from, toTree, to)
		}
	}
	if checked == 0 {
		t.Fatal("no project imports found: the check looked at nothing")
	}
}
