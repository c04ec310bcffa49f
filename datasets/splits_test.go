package datasets_test

import (
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

func TestSplitSizesAndNoOverlap(t *testing.T) {
	tests := []struct {
		name           string
		counts         []int // rows per class
		f              datasets.SplitFractions
		stratify       bool
		train, val, ts int // -1: nil part
	}{
		{"70/15/15 of 100", []int{100}, datasets.SplitFractions{Train: 0.7, Validation: 0.15, Test: 0.15}, false, 70, 15, 15},
		{"rounding keeps the total", []int{10}, datasets.SplitFractions{Train: 0.6, Validation: 0.2, Test: 0.2}, false, 6, 2, 2},
		{"largest remainders", []int{11}, datasets.SplitFractions{Train: 0.5, Validation: 0.25, Test: 0.25}, false, 5, 3, 3},
		{"no validation", []int{10}, datasets.SplitFractions{Train: 0.8, Test: 0.2}, false, 8, -1, 2},
		{"train only", []int{5}, datasets.SplitFractions{Train: 1}, false, 5, -1, -1},
		{"tiny fractions still get a row", []int{10}, datasets.SplitFractions{Train: 0.98, Validation: 0.01, Test: 0.01}, false, 8, 1, 1},
		{"three rows, three parts", []int{3}, datasets.SplitFractions{Train: 0.8, Validation: 0.1, Test: 0.1}, false, 1, 1, 1},
		{"stratified 60/20/20", []int{50, 30, 20}, datasets.SplitFractions{Train: 0.6, Validation: 0.2, Test: 0.2}, true, 60, 20, 20},
		{"stratified small class in every part", []int{3, 40}, datasets.SplitFractions{Train: 0.8, Validation: 0.1, Test: 0.1}, true, 33, 5, 5},
		{"stratified single-row class", []int{1, 10}, datasets.SplitFractions{Train: 0.6, Validation: 0.2, Test: 0.2}, true, 7, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			classes := classesOf(tt.counts...)
			d := indexed(classes)
			train, val, test, err := datasets.Split(d, tt.f, rand.New(rand.NewSource(1)), tt.stratify)
			if err != nil {
				t.Fatal(err)
			}
			size := func(p *datasets.Dataset) int {
				if p == nil {
					return -1
				}
				return p.Len()
			}
			if size(train) != tt.train || size(val) != tt.val || size(test) != tt.ts {
				t.Errorf("sizes = %d, %d, %d; want %d, %d, %d", size(train), size(val), size(test), tt.train, tt.val, tt.ts)
			}
			// Every row lands in exactly one part, with its own target.
			var all []int
			for _, p := range []*datasets.Dataset{train, val, test} {
				if p == nil {
					continue
				}
				ids := rowIDs(p)
				y := p.Y.Data().([]float64)
				for i, r := range ids {
					if y[i] != float64(classes[r]) {
						t.Fatalf("row %d has target %v, want %d", r, y[i], classes[r])
					}
				}
				all = append(all, ids...)
			}
			sort.Ints(all)
			for i, r := range all {
				if r != i {
					t.Fatalf("rows of the parts together = %v, want each of 0..%d once", all, d.Len()-1)
				}
			}
			if len(all) != d.Len() {
				t.Fatalf("%d rows in the parts, want %d", len(all), d.Len())
			}
		})
	}
}

func TestSplitStratifiedShares(t *testing.T) {
	counts := []int{50, 30, 20}
	d := indexed(classesOf(counts...))
	train, val, test, err := datasets.Split(d, datasets.SplitFractions{Train: 0.6, Validation: 0.2, Test: 0.2}, rand.New(rand.NewSource(5)), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		d    *datasets.Dataset
		want []int
	}{{train, []int{30, 18, 12}}, {val, []int{10, 6, 4}}, {test, []int{10, 6, 4}}} {
		if got := classCounts(p.d, len(counts)); !reflect.DeepEqual(got, p.want) {
			t.Errorf("class counts = %v, want %v", got, p.want)
		}
	}
}

func TestSplitSeeded(t *testing.T) {
	d := indexed(classesOf(20, 20))
	f := datasets.SplitFractions{Train: 0.5, Validation: 0.25, Test: 0.25}
	for _, stratify := range []bool{false, true} {
		a, b, c, err := datasets.Split(d, f, rand.New(rand.NewSource(9)), stratify)
		if err != nil {
			t.Fatal(err)
		}
		a2, b2, c2, err := datasets.Split(d, f, rand.New(rand.NewSource(9)), stratify)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rowIDs(a), rowIDs(a2)) || !reflect.DeepEqual(rowIDs(b), rowIDs(b2)) || !reflect.DeepEqual(rowIDs(c), rowIDs(c2)) {
			t.Errorf("stratify %v: the same seed gave different splits", stratify)
		}
		other, _, _, err := datasets.Split(d, f, rand.New(rand.NewSource(10)), stratify)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(rowIDs(a), rowIDs(other)) {
			t.Errorf("stratify %v: seeds 9 and 10 gave the same train rows", stratify)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	d := indexed(classesOf(5, 5))
	rng := func() *rand.Rand { return rand.New(rand.NewSource(1)) }
	tests := []struct {
		name     string
		d        *datasets.Dataset
		f        datasets.SplitFractions
		rng      *rand.Rand
		stratify bool
		want     string
	}{
		{"sum above 1", d, datasets.SplitFractions{Train: 0.7, Validation: 0.2, Test: 0.2}, rng(), false,
			`dataset "indexed": split: fractions train 0.7 + validation 0.2 + test 0.2 sum to 1.1, want 1`},
		{"sum below 1", d, datasets.SplitFractions{Train: 0.5, Test: 0.2}, rng(), false, "sum to 0.7, want 1"},
		{"all zero", d, datasets.SplitFractions{}, rng(), false, "sum to 0, want 1"},
		{"negative", d, datasets.SplitFractions{Train: 1.2, Test: -0.2}, rng(), false, "the test fraction must be >= 0, got -0.2"},
		{"nil rng", d, datasets.SplitFractions{Train: 1}, nil, false, "rng is nil"},
		{"nil dataset", nil, datasets.SplitFractions{Train: 1}, rng(), false, "split: dataset is nil"},
		{"too few rows", indexed([]int{0, 1}), datasets.SplitFractions{Train: 0.5, Validation: 0.25, Test: 0.25}, rng(), false,
			"2 rows cannot fill 3 non-empty parts"},
		{"stratified part empty", indexed([]int{0, 1, 2}), datasets.SplitFractions{Train: 0.5, Validation: 0.25, Test: 0.25}, rng(), true,
			"the stratified validation part is empty"},
		{"stratify without labels", &datasets.Dataset{X: d.X, Name: "x"}, datasets.SplitFractions{Train: 1}, rng(), true, `dataset "x": Y is nil`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := datasets.Split(tt.d, tt.f, tt.rng, tt.stratify)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
