package datasets_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// mnistFiles is a small MNIST-like set, gzipped, by file name: 5 train and
// 3 test images of 28x28 and their labels.
type mnistFiles map[string][]byte

// smallMNIST makes the set; image i holds the pattern shifted by i and its
// label is i mod 10.
func smallMNIST(t testing.TB) mnistFiles {
	t.Helper()
	set := func(n int) (img, lab []byte) {
		px := make([]byte, 0, n*28*28)
		labels := make([]byte, n)
		for i := 0; i < n; i++ {
			px = append(px, pattern(28*28 + i)[i:]...)
			labels[i] = byte(i % 10)
		}
		return idxBytes(0x803, []uint32{uint32(n), 28, 28}, px), idxBytes(0x801, []uint32{uint32(n)}, labels)
	}
	trImg, trLab := set(5)
	teImg, teLab := set(3)
	return mnistFiles{
		"train-images-idx3-ubyte.gz": gzipBytes(t, trImg),
		"train-labels-idx1-ubyte.gz": gzipBytes(t, trLab),
		"t10k-images-idx3-ubyte.gz":  gzipBytes(t, teImg),
		"t10k-labels-idx1-ubyte.gz":  gzipBytes(t, teLab),
	}
}

// checksums is the SHA-256 table of the files.
func (m mnistFiles) checksums() map[string]string {
	out := make(map[string]string, len(m))
	for name, b := range m {
		s := sha256.Sum256(b)
		out[name] = hex.EncodeToString(s[:])
	}
	return out
}

// mirror serves files and counts the requests per file. handle, when set,
// answers instead for the files it returns true for.
type mirror struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string]int
}

func newMirror(t *testing.T, files mnistFiles, handle func(w http.ResponseWriter, r *http.Request, name string, body []byte) bool) *mirror {
	t.Helper()
	m := &mirror{requests: make(map[string]int)}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/data/")
		m.mu.Lock()
		m.requests[name]++
		m.mu.Unlock()
		body, ok := files[name]
		if handle != nil && handle(w, r, name, body) {
			return
		}
		if !ok || !strings.HasPrefix(r.URL.Path, "/data/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *mirror) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, k := range m.requests {
		n += k
	}
	return n
}

// dirFiles lists the names in dir, none when it does not exist.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// checkSmall checks a split loaded from smallMNIST with n images.
func checkSmall(t *testing.T, d *datasets.Dataset, n int) {
	t.Helper()
	if d.Name != "mnist" || d.Len() != n {
		t.Fatalf("dataset %q of %d rows, want mnist of %d", d.Name, d.Len(), n)
	}
	if got, want := []int(d.X.Shape()), []int{n, 28, 28, 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("X shape %v, want %v", got, want)
	}
	x := d.X.Data().([]float32)
	for i := 0; i < n; i++ {
		if got, want := x[i*784+10], float32(pattern(784 + i)[i+10])/255; got != want {
			t.Errorf("image %d pixel 10 = %v, want %v", i, got, want)
		}
		if got := d.Y.Data().([]float32)[i]; got != float32(i%10) {
			t.Errorf("label %d = %v, want %d", i, got, i%10)
		}
	}
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
}

func TestMNISTDownloadThenCache(t *testing.T) {
	root := t.TempDir()
	t.Setenv(datasets.DataEnv, root)
	files := smallMNIST(t)
	srv := newMirror(t, files, nil)
	var progress bytes.Buffer
	opt := datasets.LoadOptions{BaseURL: srv.URL + "/data", Progress: &progress, Checksums: files.checksums()}

	train, test, err := datasets.MNIST(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	checkSmall(t, train, 5)
	checkSmall(t, test, 3)
	if want := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; !reflect.DeepEqual(train.ClassNames, want) {
		t.Errorf("ClassNames %v, want %v", train.ClassNames, want)
	}
	if srv.total() != 4 {
		t.Errorf("%d requests %v, want one per file", srv.total(), srv.requests)
	}
	cache := filepath.Join(root, "mnist")
	if got, want := dirFiles(t, cache), []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}; !reflect.DeepEqual(got, want) {
		t.Errorf("cache holds %v, want %v", got, want)
	}
	for name, b := range files {
		got, err := os.ReadFile(filepath.Join(cache, name))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("cached %s differs from the served file (%v)", name, err)
		}
	}
	out := progress.String()
	n := len(files["train-images-idx3-ubyte.gz"])
	for _, want := range []string{
		"downloading " + srv.URL + "/data/train-images-idx3-ubyte.gz (",
		"train-images-idx3-ubyte.gz [====================] " + strconv.Itoa(n) + "/" + strconv.Itoa(n) + " B 100% done in ",
		"t10k-labels-idx1-ubyte.gz [====================] ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("progress %q does not contain %q", out, want)
		}
	}

	// The second load finds the cache, checks it, and asks for nothing.
	progress.Reset()
	train2, _, err := datasets.MNIST(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if srv.total() != 4 || progress.Len() != 0 {
		t.Errorf("second load made %d requests in all and showed %q, want no new request and no progress", srv.total(), progress.String())
	}
	if !reflect.DeepEqual(train2.X.Data(), train.X.Data()) {
		t.Error("second load read other images")
	}

	// A stale file in the cache is downloaded again.
	stale := filepath.Join(cache, "t10k-labels-idx1-ubyte.gz")
	if err := os.WriteFile(stale, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = datasets.MNIST(context.Background(), datasets.LoadOptions{BaseURL: opt.BaseURL, Checksums: opt.Checksums, NoDownload: true})
	if err == nil || !strings.Contains(err.Error(), "cache file "+stale+" has SHA-256 ") {
		t.Errorf("stale cache without downloads: error %v, want one naming the stale file", err)
	}
	if _, test, err = datasets.MNIST(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	checkSmall(t, test, 3)
	if srv.total() != 5 || srv.requests["t10k-labels-idx1-ubyte.gz"] != 2 {
		t.Errorf("requests %v, want the stale file fetched again and nothing else", srv.requests)
	}
}

func TestMNISTDownloadFailures(t *testing.T) {
	files := smallMNIST(t)
	good := files.checksums()
	const first = "train-images-idx3-ubyte.gz" // downloaded first
	wrong := make(map[string]string)
	for k, v := range good {
		wrong[k] = v
	}
	wrong[first] = strings.Repeat("ab", 32)
	noEntry := make(map[string]string)
	for k, v := range good {
		if k != first {
			noEntry[k] = v
		}
	}
	half := func(w http.ResponseWriter, _ *http.Request, name string, body []byte) bool {
		if name != first {
			return false
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		return true // the server closes the connection: the length is not met
	}
	halfChunked := func(w http.ResponseWriter, _ *http.Request, name string, body []byte) bool {
		if name != first {
			return false
		}
		w.Write(body[:len(body)/2])
		return true
	}
	notFound := func(w http.ResponseWriter, r *http.Request, name string, _ []byte) bool {
		if name != first {
			return false
		}
		http.NotFound(w, r)
		return true
	}
	for _, tc := range []struct {
		name      string
		checksums map[string]string
		handle    func(http.ResponseWriter, *http.Request, string, []byte) bool
		noDown    bool
		want      []string // substrings of the error; "URL" stands for the file's URL
		requests  int
	}{
		{"checksum mismatch", wrong, nil, false, []string{"download URL: SHA-256 mismatch: got " + good[first] + ", want " + wrong[first]}, 1},
		{"not found", good, notFound, false, []string{"download URL: HTTP status 404 Not Found"}, 1},
		{"truncated body", good, half, false, []string{"download URL: got ", " of " + strconv.Itoa(len(files[first])) + " bytes: unexpected EOF"}, 1},
		{"truncated chunked body", good, halfChunked, false, []string{"download URL: SHA-256 mismatch: got "}, 1},
		{"no checksum", noEntry, nil, false, []string{`no SHA-256 for "train-images-idx3-ubyte.gz" in the checksum table`}, 0},
		{"no download", good, nil, true, []string{"mnist: files not found and downloading is off (LoadOptions.NoDownload): cache ", "has no train-images-idx3-ubyte[.gz]"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			t.Setenv(datasets.DataEnv, root)
			srv := newMirror(t, files, tc.handle)
			_, _, err := datasets.MNIST(context.Background(), datasets.LoadOptions{
				BaseURL: srv.URL + "/data/", Checksums: tc.checksums, NoDownload: tc.noDown,
			})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				w = strings.ReplaceAll(w, "URL", srv.URL+"/data/"+first)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if srv.total() != tc.requests {
				t.Errorf("%d requests, want %d", srv.total(), tc.requests)
			}
			if got := dirFiles(t, filepath.Join(root, "mnist")); len(got) != 0 {
				t.Errorf("cache holds %v, want nothing", got)
			}
		})
	}
}

func TestMNISTDownloadCancelled(t *testing.T) {
	files := smallMNIST(t)
	started := make(chan struct{})
	var once sync.Once
	srv := newMirror(t, files, func(w http.ResponseWriter, r *http.Request, name string, body []byte) bool {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		once.Do(func() { close(started) })
		<-r.Context().Done() // hold the rest until the client goes
		return true
	})
	root := t.TempDir()
	t.Setenv(datasets.DataEnv, root)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, _, err := datasets.MNIST(ctx, datasets.LoadOptions{BaseURL: srv.URL + "/data", Checksums: files.checksums()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "download "+srv.URL+"/data/train-images-idx3-ubyte.gz") {
		t.Errorf("error %q does not name the URL", err)
	}
	if got := dirFiles(t, filepath.Join(root, "mnist")); len(got) != 0 {
		t.Errorf("cache holds %v after the cancelled download, want nothing", got)
	}

	// A context cancelled before the call asks for nothing.
	_, _, err = datasets.MNIST(ctx, datasets.LoadOptions{BaseURL: srv.URL + "/data", Checksums: files.checksums()})
	if !errors.Is(err, context.Canceled) || srv.total() != 1 {
		t.Errorf("cancelled before: error %v after %d requests, want context.Canceled after the first one", err, srv.total())
	}
}

// Files in LoadOptions.Dir, gzipped or not, are read without downloading,
// and every mismatch between them is an error naming the files.
func TestMNISTFromDir(t *testing.T) {
	t.Setenv(datasets.DataEnv, t.TempDir())
	srv := newMirror(t, nil, nil)
	write := func(dir, name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := smallMNIST(t)
	good := t.TempDir()
	for name, b := range files {
		if strings.HasPrefix(name, "train") { // keep the test files gzipped
			m, err := datasets.ReadIDX(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			var raw bytes.Buffer
			if _, err := m.WriteTo(&raw); err != nil {
				t.Fatal(err)
			}
			write(good, strings.TrimSuffix(name, ".gz"), raw.Bytes())
			continue
		}
		write(good, name, b)
	}
	train, test, err := datasets.MNIST(context.Background(), datasets.LoadOptions{Dir: good, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	checkSmall(t, train, 5)
	checkSmall(t, test, 3)

	variant := func(name string, b []byte) string {
		dir := t.TempDir()
		for n, f := range files {
			write(dir, n, f)
		}
		write(dir, name, gzipBytes(t, b))
		return dir
	}
	px := pattern(4 * 28 * 28)
	for _, tc := range []struct {
		name string
		dir  string
		want string
	}{
		{"fewer labels", variant("train-labels-idx1-ubyte.gz", idxBytes(0x801, []uint32{4}, []byte{0, 1, 2, 3})),
			`mnist: train: "DIR/train-images-idx3-ubyte.gz" holds 5 images but "DIR/train-labels-idx1-ubyte.gz" holds 4 labels`},
		{"label 10", variant("t10k-labels-idx1-ubyte.gz", idxBytes(0x801, []uint32{3}, []byte{0, 10, 2})),
			`mnist: test labels "DIR/t10k-labels-idx1-ubyte.gz": label 10 at row 1 (offset 9), want 0..9`},
		{"27x28 images", variant("t10k-images-idx3-ubyte.gz", idxBytes(0x803, []uint32{3, 27, 28}, px[:3*27*28])),
			`mnist: test images "DIR/t10k-images-idx3-ubyte.gz": images are 27x28, want 28x28`},
		{"labels as images", variant("train-images-idx3-ubyte.gz", idxBytes(0x801, []uint32{5}, []byte{0, 1, 2, 3, 4})),
			`mnist: train images: idx "DIR/train-images-idx3-ubyte.gz" (gzip): magic number 0x00000801 at offset 0, want 0x00000803`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := datasets.MNIST(context.Background(), datasets.LoadOptions{Dir: tc.dir, NoDownload: true})
			want := strings.ReplaceAll(tc.want, "DIR", tc.dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want one containing %q", err, want)
			}
		})
	}

	// A cancelled context stops the loading.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := datasets.MNIST(ctx, datasets.LoadOptions{Dir: good}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
	if srv.total() != 0 {
		t.Errorf("%d requests, want none", srv.total())
	}
}

func TestCacheDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv(datasets.DataEnv, root)
	got, err := datasets.CacheDir("fashion-mnist")
	if err != nil || got != filepath.Join(root, "fashion-mnist") {
		t.Errorf("CacheDir = %q, %v; want %q", got, err, filepath.Join(root, "fashion-mnist"))
	}
	t.Setenv(datasets.DataEnv, "")
	user, err := os.UserCacheDir()
	if err == nil {
		got, err := datasets.CacheDir("mnist")
		if err != nil || got != filepath.Join(user, "profundo", "mnist") {
			t.Errorf("CacheDir without %s = %q, %v; want %q", datasets.DataEnv, got, err, filepath.Join(user, "profundo", "mnist"))
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`} {
		if _, err := datasets.CacheDir(bad); err == nil {
			t.Errorf("CacheDir(%q) succeeded, want an error", bad)
		}
	}
}
