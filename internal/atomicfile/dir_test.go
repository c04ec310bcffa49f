package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(files map[string]string) func(dir string) error {
	return func(dir string) error {
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func isModelFile(name string) bool { return strings.HasSuffix(name, ".json") || name == "w" }

func TestWriteDirReplacesAsAWhole(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "model")
	if err := WriteDir(path, isModelFile, writeFiles(map[string]string{"a.json": "1", "w": "old", "gone.json": "x"})); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("a new directory: %v, %v; want mode 0755", fi.Mode(), err)
	}
	if err := os.Chmod(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(path, isModelFile, writeFiles(map[string]string{"a.json": "2", "w": "new"})); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("a replaced directory: %v, %v; want its mode 0700 kept", fi.Mode(), err)
	}
	got := readAll(t, path)
	want := map[string]string{"a.json": "2", "w": "new", "notes.txt": "mine"}
	if len(got) != len(want) {
		t.Fatalf("directory holds %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s holds %q, want %q", k, got[k], v)
		}
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("the parent holds %d entries, want the directory alone", len(entries))
	}
}

func TestWriteDirFailureKeepsTheOld(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "model")
	if err := WriteDir(path, nil, writeFiles(map[string]string{"a.json": "old"})); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	err := WriteDir(path, nil, func(dir string) error {
		_ = os.WriteFile(filepath.Join(dir, "a.json"), []byte("half"), 0o644)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := readAll(t, path); got["a.json"] != "old" || len(got) != 1 {
		t.Errorf("directory holds %v", got)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("the parent holds %d entries, want the directory alone", len(entries))
	}
}

func TestWriteDirRefuses(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, []byte("user data"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteDir(file, nil, writeFiles(map[string]string{"a.json": "1"}))
	if err == nil || !strings.Contains(err.Error(), "exists and is not a directory") {
		t.Errorf("writing over a file: err = %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "user data" {
		t.Errorf("the file holds %q", b)
	}
	dir := filepath.Join(parent, "dir")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	err = WriteDir(dir, isModelFile, writeFiles(map[string]string{"a.json": "1"}))
	if err == nil || !strings.Contains(err.Error(), "sub, which is not part of what is written there") {
		t.Errorf("writing over a directory with a subdirectory: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); err != nil {
		t.Error(err)
	}
}

// Without an atomic exchange, a crash between the two renames leaves no
// path but the complete new directory, which ReadDir finds; the next write
// puts things right.
func TestSwitchByRenamesAndRecovery(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "model")
	if err := WriteDir(path, nil, writeFiles(map[string]string{"a.json": "old"})); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(parent, ".model"+tmpTag+"123")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFiles(map[string]string{"a.json": "new"})(tmp); err != nil {
		t.Fatal(err)
	}
	if err := switchByRenames(parent, "model", tmp, path); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, path); got["a.json"] != "new" {
		t.Errorf("after the switch: %v", got)
	}

	// The state a crash between the renames leaves.
	if err := os.Rename(path, filepath.Join(parent, ".model"+oldTag+"9")); err != nil {
		t.Fatal(err)
	}
	newDir := filepath.Join(parent, ".model"+newTag+"9")
	if err := os.Mkdir(newDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFiles(map[string]string{"a.json": "newer"})(newDir); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(path)
	if err != nil || got != newDir {
		t.Fatalf("ReadDir = %q, %v; want %q", got, err, newDir)
	}
	os.RemoveAll(newDir)
	if _, err := ReadDir(path); err == nil || !strings.Contains(err.Error(), "the previous directory is at") {
		t.Errorf("ReadDir with only the old directory: %v", err)
	}
	if err := WriteDir(path, nil, writeFiles(map[string]string{"a.json": "again"})); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(path, nil, writeFiles(map[string]string{"a.json": "last"})); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("the parent holds %d entries after two writes, want the directory alone", len(entries))
	}
	if got, err := ReadDir(path); err != nil || got != path {
		t.Errorf("ReadDir = %q, %v", got, err)
	}
}

// Through a symbolic link, the directory it names is replaced and the link
// stays.
func TestWriteDirThroughLink(t *testing.T) {
	parent := t.TempDir()
	real := filepath.Join(parent, "real")
	if err := WriteDir(real, nil, writeFiles(map[string]string{"a.json": "old"})); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(parent, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(link, nil, writeFiles(map[string]string{"a.json": "new"})); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is gone: %v", err)
	}
	if got := readAll(t, real); got["a.json"] != "new" {
		t.Errorf("the directory holds %v", got)
	}
}
