package datasets_test

import (
	"math"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

func TestTrainTestSplitSizes(t *testing.T) {
	tests := []struct {
		name                string
		counts              []int // rows per class
		fraction            float64
		stratify            bool
		wantTrain, wantTest int
	}{
		{"30 percent of 10", []int{10}, 0.3, false, 7, 3},
		{"rounds half up", []int{5}, 0.5, false, 2, 3},
		{"tiny fraction keeps one test row", []int{10}, 0.01, false, 9, 1},
		{"large fraction keeps one train row", []int{10}, 0.99, false, 1, 9},
		{"two rows", []int{1, 1}, 0.5, false, 1, 1},
		{"stratified 50/30/20", []int{50, 30, 20}, 0.2, true, 80, 20},
		{"stratified per-class rounding", []int{7, 7, 7}, 0.2, true, 18, 3},
		{"stratified small classes keep one on each side", []int{2, 3, 40}, 0.1, true, 39, 6},
		{"stratified single-row class stays in train", []int{1, 10}, 0.3, true, 8, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := indexed(classesOf(tt.counts...))
			train, test, err := datasets.TrainTestSplit(d, tt.fraction, rand.New(rand.NewSource(1)), tt.stratify)
			if err != nil {
				t.Fatal(err)
			}
			if train.Len() != tt.wantTrain || test.Len() != tt.wantTest {
				t.Errorf("train, test rows = %d, %d, want %d, %d", train.Len(), test.Len(), tt.wantTrain, tt.wantTest)
			}
			// Every row lands on exactly one side, with its own target.
			all := append(rowIDs(train), rowIDs(test)...)
			sort.Ints(all)
			for i, r := range all {
				if r != i {
					t.Fatalf("rows of train and test together = %v, want each of 0..%d once", all, d.Len()-1)
				}
			}
			want := classesOf(tt.counts...)
			for _, part := range []*datasets.Dataset{train, test} {
				y := part.Y.Data().([]float64)
				for i, r := range rowIDs(part) {
					if y[i] != float64(want[r]) {
						t.Fatalf("row %d has target %v, want %d", r, y[i], want[r])
					}
				}
				if part.Name != d.Name {
					t.Errorf("part Name = %q, want %q", part.Name, d.Name)
				}
			}
		})
	}
}

func TestTrainTestSplitStratifiedProportions(t *testing.T) {
	counts := []int{50, 30, 20, 2, 9}
	d := indexed(classesOf(counts...))
	for _, f := range []float64{0.1, 0.25, 0.5, 0.8} {
		train, test, err := datasets.TrainTestSplit(d, f, rand.New(rand.NewSource(3)), true)
		if err != nil {
			t.Fatal(err)
		}
		trainCounts, testCounts := classCounts(train, len(counts)), classCounts(test, len(counts))
		for c, n := range counts {
			want := int(math.Round(float64(n) * f))
			want = max(1, min(want, n-1))
			if testCounts[c] != want || trainCounts[c] != n-want {
				t.Errorf("fraction %v, class %d of %d rows: train %d, test %d, want %d, %d", f, c, n, trainCounts[c], testCounts[c], n-want, want)
			}
		}
	}
}

func TestTrainTestSplitDigitsStratified(t *testing.T) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := datasets.TrainTestSplit(d, 0.2, rand.New(rand.NewSource(42)), true)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len()+test.Len() != d.Len() {
		t.Fatalf("train %d + test %d rows != %d", train.Len(), test.Len(), d.Len())
	}
	if got, want := []int(test.X.Shape()), []int{test.Len(), 64}; !reflect.DeepEqual(got, want) {
		t.Errorf("test X shape = %v, want %v", got, want)
	}
	all, tr, te := classCounts(d, 10), classCounts(train, 10), classCounts(test, 10)
	for c := range all {
		if p := float64(te[c]) / float64(all[c]); math.Abs(p-0.2) > 0.5/float64(all[c]) {
			t.Errorf("class %d: %d of %d rows in test (%.3f), want 0.2 within rounding", c, te[c], all[c], p)
		}
		if tr[c]+te[c] != all[c] {
			t.Errorf("class %d: train %d + test %d != %d", c, tr[c], te[c], all[c])
		}
	}
}

func classCounts(d *datasets.Dataset, k int) []int {
	counts := make([]int, k)
	for _, y := range d.Y.Data().([]float64) {
		counts[int(y)]++
	}
	return counts
}

func TestTrainTestSplitDeterminism(t *testing.T) {
	d := indexed(classesOf(40, 60))
	for _, stratify := range []bool{false, true} {
		split := func(seed int64) ([]int, []int) {
			train, test, err := datasets.TrainTestSplit(d, 0.25, rand.New(rand.NewSource(seed)), stratify)
			if err != nil {
				t.Fatal(err)
			}
			return rowIDs(train), rowIDs(test)
		}
		train1, test1 := split(1)
		train2, test2 := split(1)
		if !reflect.DeepEqual(train1, train2) || !reflect.DeepEqual(test1, test2) {
			t.Errorf("stratify=%v: the same seed gave different splits", stratify)
		}
		_, test3 := split(2)
		if reflect.DeepEqual(test1, test3) {
			t.Errorf("stratify=%v: seeds 1 and 2 gave the same test rows %v", stratify, test1)
		}
		sorted := append([]int(nil), train1...)
		sort.Ints(sorted)
		if reflect.DeepEqual(sorted, train1) {
			t.Errorf("stratify=%v: train rows are in their original order; want them shuffled", stratify)
		}
	}
}

func TestTrainTestSplitLeavesInputAlone(t *testing.T) {
	d := indexed(classesOf(5, 5))
	before := append([]float64(nil), d.X.Data().([]float64)...)
	if _, _, err := datasets.TrainTestSplit(d, 0.4, rand.New(rand.NewSource(1)), true); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, d.X.Data().([]float64)) {
		t.Error("TrainTestSplit changed the dataset's X")
	}
}

func TestTrainTestSplitErrors(t *testing.T) {
	ok := indexed(classesOf(5, 5))
	f64 := func(shape []int, v ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	rng := rand.New(rand.NewSource(1))
	tests := []struct {
		name     string
		d        *datasets.Dataset
		fraction float64
		rng      *rand.Rand
		stratify bool
		contains string
	}{
		{"fraction 0", ok, 0, rng, false, "test fraction must be in (0, 1), got 0"},
		{"fraction 1", ok, 1, rng, false, "got 1"},
		{"fraction 1.5", ok, 1.5, rng, true, "got 1.5"},
		{"negative fraction", ok, -0.2, rng, false, "got -0.2"},
		{"NaN fraction", ok, math.NaN(), rng, false, "got NaN"},
		{"nil rng", ok, 0.2, nil, false, "rng is nil"},
		{"nil dataset", nil, 0.2, rng, false, "dataset is nil"},
		{"empty dataset", &datasets.Dataset{X: f64([]int{0, 2}), Y: f64([]int{0}), Name: "e"}, 0.2, rng, false, `dataset "e" has no rows`},
		{"no X", &datasets.Dataset{Name: "e"}, 0.2, rng, false, "X is nil"},
		{"one row", &datasets.Dataset{X: f64([]int{1, 1}, 3)}, 0.5, rng, false, "need at least 2 rows, got 1"},
		{"mismatched lengths", &datasets.Dataset{X: f64([]int{3, 1}, 1, 2, 3), Y: f64([]int{2}, 0, 1)}, 0.5, rng, false,
			"X shape (3, 1) and Y shape (2) have different numbers of rows"},
		{"stratify without Y", &datasets.Dataset{X: f64([]int{2}, 1, 2)}, 0.5, rng, true, "Y is nil"},
		{"stratify one-hot Y", &datasets.Dataset{X: f64([]int{2}, 1, 2), Y: f64([]int{2, 2}, 1, 0, 0, 1)}, 0.5, rng, true,
			"stratify needs Y of class ids [n] or [n, 1], got shape (2, 2)"},
		{"stratify fractional id", &datasets.Dataset{X: f64([]int{2}, 1, 2), Y: f64([]int{2, 1}, 0, 0.5)}, 0.5, rng, true,
			"Y row 1: class id 0.5 is not a non-negative integer"},
		{"stratify NaN id", &datasets.Dataset{X: f64([]int{2}, 1, 2), Y: f64([]int{2}, math.NaN(), 1)}, 0.5, rng, true,
			"Y row 0: class id NaN"},
		{"stratify only singletons", indexed([]int{0, 1, 2}), 0.5, rng, true, "test part of 3 rows with fraction 0.5 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, test, err := datasets.TrainTestSplit(tt.d, tt.fraction, tt.rng, tt.stratify)
			if err == nil {
				t.Fatalf("no error (train %v, test %v), want one containing %q", train, test, tt.contains)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if train != nil || test != nil {
				t.Error("parts returned with an error")
			}
		})
	}
}

func TestTrainTestSplitKeepsNaN(t *testing.T) {
	// Missing values are cleaned after the split (fitted on train only), so
	// the split itself accepts them.
	d := indexed(classesOf(3, 3))
	d.X.Data().([]float64)[1] = math.NaN()
	if _, _, err := datasets.TrainTestSplit(d, 0.5, rand.New(rand.NewSource(1)), true); err != nil {
		t.Fatal(err)
	}
}
