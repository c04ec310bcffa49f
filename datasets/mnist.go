package datasets

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// The canonical mirrors of the IDX files.
const (
	// MNISTURL is the mirror MNIST is downloaded from (the one TensorFlow
	// uses; the files are those of yann.lecun.com/exdb/mnist).
	MNISTURL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
	// FashionMNISTURL is the mirror Fashion-MNIST is downloaded from, the
	// one its authors publish.
	FashionMNISTURL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
	// FashionMNISTDebianDir is where Debian's dataset-fashion-mnist package
	// installs the four gzipped files.
	FashionMNISTDebianDir = "/usr/share/datasets/fashion-mnist"
)

// The four files of an MNIST-like set, without the ".gz" they are served
// with.
const (
	mnistTrainImages = "train-images-idx3-ubyte"
	mnistTrainLabels = "train-labels-idx1-ubyte"
	mnistTestImages  = "t10k-images-idx3-ubyte"
	mnistTestLabels  = "t10k-labels-idx1-ubyte"
	mnistSide        = 28
)

// LoadOptions says where MNIST and FashionMNIST find their files. The zero
// value looks in the cache, then in the system's data directory, and else
// downloads from the canonical mirror into the cache, silently.
type LoadOptions struct {
	// Dir is a directory holding the four IDX files, each gzipped
	// (train-images-idx3-ubyte.gz...) or not (train-images-idx3-ubyte).
	// Files there are used as they are, without checksums, so any set in
	// the same format loads. Empty means none; a Dir without all four
	// files is passed over for the next place.
	Dir string
	// NoDownload forbids downloading: a set found nowhere is an error.
	// False means download what is missing into the cache directory.
	NoDownload bool
	// BaseURL is the URL the files' names are appended to, to download
	// them. Empty means the canonical mirror (MNISTURL, FashionMNISTURL).
	BaseURL string
	// Client downloads the files. Nil means a client with a 30-minute
	// timeout per file and a 30-second timeout for response headers; any
	// download also gives up after a minute without data.
	Client *http.Client
	// Progress receives a progress bar for each download: bytes done and
	// total, redrawn on a terminal, a line at the start and one at the end
	// elsewhere. Nil means silent.
	Progress io.Writer
	// Checksums maps a downloaded file's name (train-images-idx3-ubyte.gz)
	// to its lowercase hex SHA-256. Nil means the built-in table of the
	// canonical files (MNISTChecksums, FashionMNISTChecksums). A download
	// whose name is missing from the table is refused.
	Checksums map[string]string
}

// MNISTChecksums returns a new copy of the SHA-256 of the canonical gzipped
// MNIST files, by file name, as served at MNISTURL.
func MNISTChecksums() map[string]string {
	return map[string]string{
		mnistTrainImages + ".gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
		mnistTrainLabels + ".gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
		mnistTestImages + ".gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
		mnistTestLabels + ".gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
	}
}

// FashionMNISTChecksums returns a new copy of the SHA-256 of the canonical
// gzipped Fashion-MNIST files, by file name, as served at FashionMNISTURL.
// (Debian's package holds the same data gzipped with other headers, so
// other checksums.)
func FashionMNISTChecksums() map[string]string {
	return map[string]string{
		mnistTrainImages + ".gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
		mnistTrainLabels + ".gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
		mnistTestImages + ".gz":  "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
		mnistTestLabels + ".gz":  "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
	}
}

// MNIST loads the MNIST handwritten digits: train holds 60,000 images and
// test 10,000. X is float32 [n, 28, 28, 1] (channels last) with pixels
// scaled to [0, 1] as x/255; Y is float32 [n], the class ids 0..9;
// ClassNames is "0".."9" and Name "mnist".
//
// The four files are looked for, gzipped or not, in opt.Dir, then in the
// cache, CacheDir("mnist"). When they are in neither and opt.NoDownload is
// false, the missing ones are downloaded into the cache from opt.BaseURL
// (MNISTURL by default) and their SHA-256 checked against opt.Checksums
// (MNISTChecksums by default). Gzipped files already in the cache are
// checked too: one that does not match is downloaded again, or is an error
// with NoDownload. Files in opt.Dir are not checked against the table.
//
// Every file is checked for its IDX header, its size, its gzip checksum,
// images of 28x28, labels 0..9 and as many labels as images. Loading stops
// with ctx's error when ctx is cancelled.
func MNIST(ctx context.Context, opt LoadOptions) (train, test *Dataset, err error) {
	return loadIDXSet(ctx, opt, idxSet{
		name:       "mnist",
		baseURL:    MNISTURL,
		checksums:  MNISTChecksums(),
		classNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	})
}

// FashionMNIST loads Zalando's Fashion-MNIST, 28x28 grey images of clothes
// in 10 classes: train holds 60,000 images (6,000 per class) and test 10,000.
// X is float32 [n, 28, 28, 1] (channels last) with pixels scaled to [0, 1]
// as x/255; Y is float32 [n], the class ids 0..9; ClassNames is
// T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag,
// Ankle boot, and Name "fashion-mnist".
//
// The files are looked for as MNIST does, in opt.Dir and in the cache,
// CacheDir("fashion-mnist"), and then where Debian's dataset-fashion-mnist
// package installs them (FashionMNISTDebianDir, used as installed, without
// checksums); else they are downloaded from opt.BaseURL (FashionMNISTURL
// by default) and checked against opt.Checksums (FashionMNISTChecksums by
// default).
func FashionMNIST(ctx context.Context, opt LoadOptions) (train, test *Dataset, err error) {
	return loadIDXSet(ctx, opt, idxSet{
		name:      "fashion-mnist",
		baseURL:   FashionMNISTURL,
		checksums: FashionMNISTChecksums(),
		classNames: []string{
			"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
			"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
		},
		systemDirs: []string{FashionMNISTDebianDir},
	})
}

// idxSet describes an MNIST-like set: four IDX files of 28x28 images and
// labels.
type idxSet struct {
	// name is the Dataset's Name and the cache folder.
	name       string
	baseURL    string
	checksums  map[string]string
	classNames []string
	// systemDirs are read-only places a package manager installs the files.
	systemDirs []string
}

// idxFiles is the four files in the order train images, train labels, test
// images, test labels.
func idxFiles() [4]string {
	return [4]string{mnistTrainImages, mnistTrainLabels, mnistTestImages, mnistTestLabels}
}

func loadIDXSet(ctx context.Context, opt LoadOptions, s idxSet) (train, test *Dataset, err error) {
	if ctx == nil {
		return nil, nil, errors.Errorf("%s: context is nil", s.name)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, errors.Wrap(err, s.name)
	}
	if opt.BaseURL != "" {
		s.baseURL = opt.BaseURL
	}
	if !strings.HasSuffix(s.baseURL, "/") {
		s.baseURL += "/"
	}
	if opt.Checksums != nil {
		s.checksums = opt.Checksums
	}
	paths, err := s.locate(ctx, opt)
	if err != nil {
		return nil, nil, errors.Wrap(err, s.name)
	}
	if train, err = s.read(ctx, "train", paths[0], paths[1]); err != nil {
		return nil, nil, errors.Wrap(err, s.name)
	}
	if test, err = s.read(ctx, "test", paths[2], paths[3]); err != nil {
		return nil, nil, errors.Wrap(err, s.name)
	}
	return train, test, nil
}

// locate returns the paths of the four files: from opt.Dir, the cache or a
// system directory, the first that has them all, or else downloaded into
// the cache.
func (s idxSet) locate(ctx context.Context, opt LoadOptions) ([4]string, error) {
	var paths [4]string
	var notes []string
	if opt.Dir != "" {
		missing := s.findAll(opt.Dir, &paths)
		if missing == "" {
			return paths, nil
		}
		notes = append(notes, fmt.Sprintf("%s has no %s", opt.Dir, missing))
	}
	cache, cacheErr := CacheDir(s.name)
	var todo []int // files to download into the cache
	if cacheErr == nil {
		var err error
		if todo, err = s.checkCache(cache, &paths, &notes); err != nil {
			return paths, err
		}
		if len(todo) == 0 {
			return paths, nil
		}
	} else {
		notes = append(notes, cacheErr.Error())
	}
	for _, dir := range s.systemDirs {
		missing := s.findAll(dir, &paths)
		if missing == "" {
			return paths, nil
		}
		notes = append(notes, fmt.Sprintf("%s has no %s", dir, missing))
	}
	if opt.NoDownload {
		return paths, errors.Errorf("files not found and downloading is off (LoadOptions.NoDownload): %s", strings.Join(notes, "; "))
	}
	if cacheErr != nil {
		return paths, cacheErr
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return paths, errors.Wrap(err, "cache")
	}
	client := opt.Client
	if client == nil {
		client = defaultClient()
		defer client.CloseIdleConnections()
	}
	files := idxFiles()
	for _, i := range todo {
		name := files[i] + ".gz"
		sum, ok := s.checksums[name]
		if !ok {
			return paths, errors.Errorf("no SHA-256 for %q in the checksum table, so it is not downloaded (set LoadOptions.Checksums)", name)
		}
		paths[i] = filepath.Join(cache, name)
		if err := download(ctx, client, s.baseURL+name, paths[i], sum, opt.Progress); err != nil {
			return paths, err
		}
	}
	return paths, nil
}

// findAll sets paths to the four files in dir and returns "", or returns the
// name of the first one missing.
func (s idxSet) findAll(dir string, paths *[4]string) string {
	var found [4]string
	for i, f := range idxFiles() {
		p, ok := findFile(dir, f)
		if !ok {
			return f + "[.gz]"
		}
		found[i] = p
	}
	*paths = found
	return ""
}

// checkCache sets paths to the files in the cache and returns the indices
// of those missing, or gzipped and not matching the checksum table. Files
// of a name that is not in the table are used as they are.
func (s idxSet) checkCache(dir string, paths *[4]string, notes *[]string) ([]int, error) {
	var todo []int
	var missing []string
	defer func() {
		if len(missing) > 0 {
			*notes = append(*notes, fmt.Sprintf("cache %s has no %s", dir, strings.Join(missing, ", ")))
		}
	}()
	for i, f := range idxFiles() {
		p, ok := findFile(dir, f)
		if !ok {
			todo = append(todo, i)
			missing = append(missing, f+"[.gz]")
			continue
		}
		if want, ok := s.checksums[filepath.Base(p)]; ok {
			got, err := fileSHA256(p)
			if err != nil {
				return nil, errors.Wrap(err, "cache")
			}
			if got != strings.ToLower(want) {
				todo = append(todo, i)
				*notes = append(*notes, fmt.Sprintf("cache file %s has SHA-256 %s, want %s", p, got, strings.ToLower(want)))
				continue
			}
		}
		paths[i] = p
	}
	return todo, nil
}

// read reads one split from its images and labels files and checks it.
func (s idxSet) read(ctx context.Context, split, imagesPath, labelsPath string) (*Dataset, error) {
	x, err := readIDXFile(ctx, imagesPath, readIDXImages)
	if err != nil {
		return nil, errors.Wrapf(err, "%s images", split)
	}
	if sh := x.Shape(); sh[1] != mnistSide || sh[2] != mnistSide {
		return nil, errors.Errorf("%s images %q: images are %dx%d, want %dx%d", split, imagesPath, sh[1], sh[2], mnistSide, mnistSide)
	}
	y, err := readIDXFile(ctx, labelsPath, readIDXLabels)
	if err != nil {
		return nil, errors.Wrapf(err, "%s labels", split)
	}
	if nx, ny := x.Shape()[0], y.Shape()[0]; nx != ny {
		return nil, errors.Errorf("%s: %q holds %d images but %q holds %d labels", split, imagesPath, nx, labelsPath, ny)
	}
	if err := checkLabels(y, len(s.classNames)); err != nil {
		return nil, errors.Wrapf(err, "%s labels %q", split, labelsPath)
	}
	return &Dataset{
		X:          x,
		Y:          y,
		ClassNames: append([]string(nil), s.classNames...),
		Name:       s.name,
	}, nil
}

// checkLabels checks that the float32 labels y are class ids below k.
func checkLabels(y *tensor.Dense, k int) error {
	for i, v := range y.Data().([]float32) {
		if v >= float32(k) {
			return errors.Errorf("label %v at row %d (offset %d), want 0..%d", v, i, 8+i, k-1)
		}
	}
	return nil
}
