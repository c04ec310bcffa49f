package datasets_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
)

func TestEmbeddedSets(t *testing.T) {
	tests := []struct {
		name         string
		load         func() (*datasets.Dataset, error)
		rows, cols   int
		classNames   []string
		classCounts  []int // nil: regression
		yMin, yMax   float64
		firstX       []float64
		featureNames int
	}{
		{"iris", datasets.Iris, 150, 4, []string{"setosa", "versicolor", "virginica"}, []int{50, 50, 50}, 0, 2, []float64{5.1, 3.5, 1.4, 0.2}, 4},
		{"wine", datasets.Wine, 178, 13, []string{"class_0", "class_1", "class_2"}, []int{59, 71, 48}, 0, 2,
			[]float64{14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065}, 13},
		{"breast-cancer", datasets.BreastCancer, 569, 30, []string{"malignant", "benign"}, []int{212, 357}, 0, 1, []float64{17.99, 10.38, 122.8, 1001}, 30},
		{"diabetes", datasets.Diabetes, 442, 10, nil, nil, 25, 346, []float64{59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87}, 10},
		{"digits", datasets.Digits, 1797, 64, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, nil, 0, 9, []float64{0, 0, 5, 13, 9, 1}, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.load()
			if err != nil {
				t.Fatal(err)
			}
			byName, err := datasets.ByName(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(byName.X.Data(), d.X.Data()) || byName.Name != tt.name || d.Name != tt.name {
				t.Errorf("ByName(%q) differs from the loader, or the names %q, %q are wrong", tt.name, byName.Name, d.Name)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual([]int(d.X.Shape()), []int{tt.rows, tt.cols}) {
				t.Errorf("X shape = %v, want (%d, %d)", d.X.Shape(), tt.rows, tt.cols)
			}
			wantY := []int{tt.rows}
			if tt.name == "diabetes" {
				wantY = []int{tt.rows, 1}
			}
			if !reflect.DeepEqual([]int(d.Y.Shape()), wantY) {
				t.Errorf("Y shape = %v, want %v", d.Y.Shape(), wantY)
			}
			if !reflect.DeepEqual(d.ClassNames, tt.classNames) {
				t.Errorf("ClassNames = %q, want %q", d.ClassNames, tt.classNames)
			}
			x := d.X.Data().([]float64)
			if !reflect.DeepEqual(x[:len(tt.firstX)], tt.firstX) {
				t.Errorf("first row starts %v, want %v", x[:len(tt.firstX)], tt.firstX)
			}
			y := d.Y.Data().([]float64)
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, v := range y {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			if lo != tt.yMin || hi != tt.yMax {
				t.Errorf("Y in [%v, %v], want [%v, %v]", lo, hi, tt.yMin, tt.yMax)
			}
			if tt.classCounts != nil {
				if got := classCounts(d, len(tt.classCounts)); !reflect.DeepEqual(got, tt.classCounts) {
					t.Errorf("class counts = %v, want %v", got, tt.classCounts)
				}
			}
			names, err := datasets.FeatureNames(tt.name)
			if err != nil || len(names) != tt.featureNames {
				t.Errorf("FeatureNames = %d names, %v; want %d", len(names), err, tt.featureNames)
			}
		})
	}
}

func TestEmbeddedNames(t *testing.T) {
	names, err := datasets.FeatureNames("breast-cancer")
	if err != nil {
		t.Fatal(err)
	}
	if names[0] != "mean radius" || names[10] != "radius error" || names[29] != "worst fractal dimension" {
		t.Errorf("breast cancer names %q, %q, %q", names[0], names[10], names[29])
	}
	if names, _ := datasets.FeatureNames("digits"); names[9] != "pixel_1_1" {
		t.Errorf("digits name 9 = %q, want pixel_1_1", names[9])
	}
	for _, f := range []func(string) error{
		func(n string) error { _, err := datasets.ByName(n); return err },
		func(n string) error { _, err := datasets.FeatureNames(n); return err },
	} {
		err := f("mnist-ish")
		if err == nil || !strings.Contains(err.Error(), `unknown data set "mnist-ish"; the embedded sets are "digits", "iris", "wine", "breast-cancer", "diabetes"`) {
			t.Errorf("unknown name: error %v", err)
		}
	}
}
