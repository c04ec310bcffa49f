package profundo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's quickstart compiles exactly as written: the test takes the
// first Go block after "## Quickstart" and builds it as a program.
func TestReadmeQuickstartBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program: not in -short runs")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## Quickstart\n")
	if !ok {
		t.Fatal("README.md has no Quickstart section")
	}
	_, rest, ok = strings.Cut(rest, "```go\n")
	if !ok {
		t.Fatal("the Quickstart section has no Go block")
	}
	src, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the Quickstart's Go block does not end")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "quickstart"), filepath.Join(dir, "main.go"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's quickstart does not build: %v\n%s", err, out)
	}
}
