package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
)

// DataEnv names the environment variable that, when set and non-empty, is
// the root of Profundo's data cache (see CacheDir).
const DataEnv = "PROFUNDO_DATA"

// CacheDir is the directory where the downloaded files of the data set name
// ("mnist", "fashion-mnist") are kept: $PROFUNDO_DATA/<name> when the
// environment variable PROFUNDO_DATA is set and non-empty, else
// <os.UserCacheDir()>/profundo/<name> (~/.cache/profundo/<name> on Linux).
// It does not create the directory. It returns an error when name is empty
// or not a single path element, or when neither PROFUNDO_DATA nor the user
// cache directory is known.
func CacheDir(name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return "", errors.Errorf("cache: data set name must be one path element, got %q", name)
	}
	if root := os.Getenv(DataEnv); root != "" {
		return filepath.Join(root, name), nil
	}
	root, err := os.UserCacheDir()
	if err != nil {
		return "", errors.Wrapf(err, "cache: %s is not set and there is no user cache directory", DataEnv)
	}
	return filepath.Join(root, "profundo", name), nil
}

// findFile returns the path of base+".gz" in dir, or else of base, when it
// is a regular file.
func findFile(dir, base string) (string, bool) {
	for _, name := range []string{base + ".gz", base} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// fileSHA256 is the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", errors.Wrapf(err, "read %q", path)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
