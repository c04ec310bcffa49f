package cli

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// checkRanges checks every numeric training flag against the range its
// help gives, so that no value is taken in silence for another.
func (f *trainFlags) checkRanges() error {
	for _, c := range []struct {
		flag   string
		v      float64
		lo, hi float64 // the range: lo <= v < hi, or lo < v < hi with open
		open   bool
	}{
		{"--dropout", f.dropout, 0, 1, false},
		{"--test-split", f.testSplit, 0, 1, true},
		{"--validation-split", f.validation, 0, 1, false},
		{"--lr", f.lr, 0, math.Inf(1), false},
	} {
		bad := math.IsNaN(c.v) || c.v < c.lo || c.v >= c.hi || (c.open && c.v == c.lo)
		if !bad {
			continue
		}
		left := "["
		if c.open {
			left = "("
		}
		hi := fmt.Sprint(c.hi)
		if math.IsInf(c.hi, 1) {
			hi = "inf"
		}
		return fmt.Errorf("%s must be in %s%v, %s), got %v", c.flag, left, c.lo, hi, c.v)
	}
	if f.dataDir != "" && f.data != "mnist" && f.data != "fashion-mnist" {
		return fmt.Errorf("--data-dir is where mnist and fashion-mnist are read from, but --data is %q", f.data)
	}
	return nil
}

// checkOutputs checks, before any data are loaded, that every file the run
// will write can be written: a run must not train for an hour and then
// fail to save.
func (f *trainFlags) checkOutputs() error {
	if err := checkModelPath("--out", f.out); err != nil {
		return err
	}
	if err := checkModelPath("--checkpoint", f.checkpoint); err != nil {
		return err
	}
	if f.out != "" && samePath(f.out, f.checkpoint) {
		return fmt.Errorf("--out and --checkpoint are both %s: the checkpoint would replace the model", f.out)
	}
	return checkFilePath("--curves", f.curves)
}

func samePath(a, b string) bool {
	a, _ = filepath.Abs(a)
	b, _ = filepath.Abs(b)
	return a == b
}

// checkModelPath checks that a model can be saved at path: a .zip file, or
// a directory that is new or holds a saved model, in a place that can be
// written. A directory holding other things is refused: saving replaces a
// model directory as a whole.
func checkModelPath(flag, path string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		if err == nil && fi.IsDir() {
			return fmt.Errorf("%s %s is a directory, not a zip file", flag, path)
		}
		return checkWritableDir(flag, path, filepath.Dir(path), false)
	}
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s %s exists and is not a directory: a model is saved as a directory (or as a file ending in .zip)", flag, path)
		}
		entries, rerr := os.ReadDir(path)
		if rerr != nil {
			return fmt.Errorf("%s %s: %w", flag, path, rerr)
		}
		if len(entries) > 0 {
			if _, serr := os.Stat(filepath.Join(path, "model.json")); serr != nil {
				return fmt.Errorf("%s %s is a directory that holds no saved model (no model.json): saving replaces it as a whole, so name a new directory or an earlier model's", flag, path)
			}
		}
	}
	return checkWritableDir(flag, path, filepath.Dir(path), true)
}

// checkFilePath checks that a file can be written at path: it is not a
// directory, and its directory exists and can be written.
func checkFilePath(flag, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %s is a directory, not a file", flag, path)
	}
	return checkWritableDir(flag, path, filepath.Dir(path), false)
}

// checkWritableDir checks that files can be made in dir, by making one;
// with mkdir, a missing dir is fine when it can be made in the nearest
// directory above it that exists.
func checkWritableDir(flag, path, dir string, mkdir bool) error {
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s %s: %s is not a directory", flag, path, dir)
			}
			break
		}
		if !os.IsNotExist(err) {
			return fmt.Errorf("%s %s: %w", flag, path, err)
		}
		if !mkdir {
			return fmt.Errorf("%s %s: the directory %s does not exist", flag, path, dir)
		}
		up := filepath.Dir(dir)
		if up == dir {
			return fmt.Errorf("%s %s: no directory above it exists", flag, path)
		}
		dir = up
	}
	probe, err := os.CreateTemp(dir, ".profundo-write-check-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s %s: cannot write in %s: %w", flag, path, dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// idxNames are the four files of an IDX data set such as MNIST.
var idxNames = []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

// checkDataDir checks that --data-dir is a directory holding the four IDX
// files (gzipped or not): a wrong --data-dir is an error, never a reason
// to look elsewhere or download.
func checkDataDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--data-dir %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("--data-dir %s is not a directory", dir)
	}
	for _, name := range idxNames {
		found := false
		for _, n := range []string{name, name + ".gz"} {
			if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("--data-dir %s has no %s (or %s.gz)", dir, name, name)
		}
	}
	return nil
}

// recordedPath is how a path the user gave is recorded in a model: made
// absolute, so that the model works from any directory.
func recordedPath(p string) string {
	if p == "" {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// checkRanges checks the tuning flags that take one value against their
// ranges (the searched ones are checked by the search space).
func (f *tuneFlags) checkRanges() error {
	b := &f.base
	if math.IsNaN(b.testSplit) || b.testSplit <= 0 || b.testSplit >= 1 {
		return fmt.Errorf("--test-split must be in (0, 1), got %v", b.testSplit)
	}
	if b.dataDir != "" && b.data != "mnist" && b.data != "fashion-mnist" {
		return fmt.Errorf("--data-dir is where mnist and fashion-mnist are read from, but --data is %q", b.data)
	}
	return nil
}

// checkOutputs checks, before any data are loaded, that the search's
// directory and the best model's path can be written.
func (f *tuneFlags) checkOutputs() error {
	if fi, err := os.Stat(f.dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("--dir %s exists and is not a directory", f.dir)
	}
	if err := checkWritableDir("--dir", f.dir, f.dir, true); err != nil {
		return err
	}
	return checkModelPath("--out", f.out)
}
