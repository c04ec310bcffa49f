// Package atomicfile writes files so that a crash never leaves a half-written
// one: the data goes to a temporary file in the same directory, is synced,
// and is renamed over the target, and the directory is synced.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// Write writes path with what write produces. If write or any step fails,
// path keeps what it held before and no temporary file is left.
func Write(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = tmp.Chmod(perm); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = tmp.Sync(); err != nil {
		return errors.Wrapf(err, "write %s: sync", path)
	}
	if err = tmp.Close(); err != nil {
		return errors.Wrapf(err, "write %s: close", path)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return errors.Wrapf(err, "write %s: rename", path)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
