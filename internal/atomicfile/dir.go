package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// A directory written by WriteDir passes through sibling directories named
// after it: ".<name>.tmp-<random>" while it is being written (incomplete),
// ".<name>.new-<random>" once it is complete and synced, and
// ".<name>.old-<random>" for the previous directory while the two are
// switched without an atomic exchange.
const (
	tmpTag = ".tmp-"
	newTag = ".new-"
	oldTag = ".old-"
)

// WriteDir writes the directory path as a whole. write fills a new sibling
// directory (".<name>.tmp-*" beside path); its files and the directory are
// synced, and it is switched into place in one step: on Linux by an atomic
// exchange of the two directories (renameat2 RENAME_EXCHANGE), elsewhere by
// two renames that ReadDir can finish after a crash. At any instant path
// holds the complete old directory or the complete new one; if write or any
// step fails, path keeps what it held.
//
// Entries of the old directory for which owned returns false are not the
// writer's: they are carried into the new directory (regular files by hard
// link, or copied), so that nothing else kept there is lost. A
// subdirectory that is not owned is an error, before anything changes. nil
// owned means every entry is the writer's.
//
// path must not be a regular file. Two writers of one path at once are not
// supported.
func WriteDir(path string, owned func(name string) bool, write func(dir string) error) (err error) {
	path = filepath.Clean(path)
	// A symbolic link to a directory: the directory it names is replaced,
	// and the link stays.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		}
	}
	parent, base := filepath.Split(path)
	if parent == "" {
		parent = "."
	}
	old, err := os.Lstat(path)
	switch {
	case os.IsNotExist(err):
		old = nil
	case err != nil:
		return errors.Wrapf(err, "write %s", path)
	case !old.IsDir():
		return errors.Errorf("write %s: it exists and is not a directory", path)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	removeStale(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+tmpTag)
	if err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	mode := os.FileMode(0o755) // a new directory's; a replaced one keeps its own
	if old != nil {
		mode = old.Mode().Perm()
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if old != nil && owned != nil {
		if err := carry(path, tmp, owned); err != nil {
			return errors.Wrapf(err, "write %s", path)
		}
	}
	if err := write(tmp); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err := syncTree(tmp); err != nil {
		return errors.Wrapf(err, "write %s: sync", path)
	}
	if old == nil {
		if err := os.Rename(tmp, path); err != nil {
			return errors.Wrapf(err, "write %s: rename", path)
		}
		syncDir(parent)
		return nil
	}
	switched, err := exchange(tmp, path)
	if err != nil {
		return errors.Wrapf(err, "write %s: exchange", path)
	}
	if switched {
		// tmp now holds the old directory.
		syncDir(parent)
		_ = os.RemoveAll(tmp)
		return nil
	}
	return switchByRenames(parent, base, tmp, path)
}

// switchByRenames puts the complete directory tmp at path where no atomic
// exchange exists: tmp is renamed to ".<name>.new-*" (complete), path to
// ".<name>.old-*", the new one to path, and the old one removed. A crash
// between the two middle renames leaves no path but a complete new
// directory, which ReadDir finds.
func switchByRenames(parent, base, tmp, path string) error {
	suffix := strings.TrimPrefix(filepath.Base(tmp), "."+base+tmpTag)
	newDir := filepath.Join(parent, "."+base+newTag+suffix)
	oldDir := filepath.Join(parent, "."+base+oldTag+suffix)
	if err := os.Rename(tmp, newDir); err != nil {
		os.RemoveAll(tmp)
		return errors.Wrapf(err, "write %s: rename", path)
	}
	syncDir(parent)
	if err := os.Rename(path, oldDir); err != nil {
		os.RemoveAll(newDir)
		return errors.Wrapf(err, "write %s: rename", path)
	}
	if err := os.Rename(newDir, path); err != nil {
		// Put the old one back; the new one stays complete beside it.
		if rerr := os.Rename(oldDir, path); rerr != nil {
			return errors.Wrapf(err, "write %s: rename (the previous directory is at %s, the new one at %s)", path, oldDir, newDir)
		}
		os.RemoveAll(newDir)
		return errors.Wrapf(err, "write %s: rename", path)
	}
	syncDir(parent)
	_ = os.RemoveAll(oldDir)
	return nil
}

// ReadDir returns the directory to read for path, a directory WriteDir
// wrote: path itself when it exists. When a crash cut a switch without
// atomic exchange short, path is missing and a complete new directory
// waits beside it: ReadDir returns that one. Otherwise it returns the error
// of os.Stat(path), with what it found beside it when that explains it.
func ReadDir(path string) (string, error) {
	path = filepath.Clean(path)
	_, err := os.Stat(path)
	if err == nil || !os.IsNotExist(err) {
		return path, err
	}
	parent, base := filepath.Split(path)
	if parent == "" {
		parent = "."
	}
	newer := siblings(parent, base, newTag)
	older := siblings(parent, base, oldTag)
	switch {
	case len(newer) > 0:
		// The newest complete one (names are random: take the latest
		// modified).
		sort.Slice(newer, func(i, j int) bool { return modTime(newer[i]) > modTime(newer[j]) })
		return newer[0], nil
	case len(older) > 0:
		return "", errors.Errorf("%s is missing; a save into it was cut short, and the previous directory is at %s", path, older[0])
	}
	return path, err
}

func modTime(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.ModTime().UnixNano()
}

// siblings lists parent's directories ".<base><tag>*".
func siblings(parent, base, tag string) []string {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "."+base+tag) {
			out = append(out, filepath.Join(parent, e.Name()))
		}
	}
	return out
}

// removeStale removes what earlier writes of base cut short: incomplete
// ".tmp-" directories (or old directories an exchange left), and the old
// directory of a finished switch. A ".new-" directory is kept while path is
// missing: it is the complete model ReadDir finds.
func removeStale(parent, base string) {
	for _, d := range siblings(parent, base, tmpTag) {
		os.RemoveAll(d)
	}
	if _, err := os.Stat(filepath.Join(parent, base)); err == nil {
		for _, d := range append(siblings(parent, base, newTag), siblings(parent, base, oldTag)...) {
			os.RemoveAll(d)
		}
	}
}

// carry links or copies the entries of dir that owned does not claim into
// into.
func carry(dir, into string, owned func(string) bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if owned(e.Name()) {
			continue
		}
		src, dst := filepath.Join(dir, e.Name()), filepath.Join(into, e.Name())
		switch {
		case e.Type().IsRegular():
			if os.Link(src, dst) == nil {
				continue
			}
			if err := copyFile(src, dst); err != nil {
				return err
			}
		case e.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
		default:
			return errors.Errorf("it holds %s, which is not part of what is written there; move it away first", src)
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncTree syncs every regular file under dir, then each directory.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		return err
	})
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
