package datasets_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/profundo/profundo/datasets"
	"gorgonia.org/tensor"
)

// column makes a categorical column; cells equal to "" are missing.
func column(name string, cells ...string) *datasets.Column {
	c := &datasets.Column{Name: name, Kind: datasets.Categorical, Cells: cells, Missing: make([]bool, len(cells))}
	for i, cell := range cells {
		c.Missing[i] = cell == ""
	}
	return c
}

func TestOneHotEncoder(t *testing.T) {
	var e datasets.OneHotEncoder
	if err := e.Fit(column("color", "red", "blue", "", "red", "green")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(e.Categories, []string{"blue", "green", "red"}) {
		t.Errorf("categories = %q", e.Categories)
	}
	got, err := e.Transform(column("color", "green", "", "red"))
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	if want := []float64{0, 1, 0, nan, nan, nan, 0, 0, 1}; !sameFloats(got.Data().([]float64), want) || !reflect.DeepEqual([]int(got.Shape()), []int{3, 3}) {
		t.Errorf("Transform = %v %v, want %v (3, 3)", got.Shape(), got.Data(), want)
	}
	if _, err := e.Transform(column("color", "red", "purple")); err == nil ||
		!strings.Contains(err.Error(), `one-hot encoder: column "color", row 1: unknown category "purple"; the categories are "blue", "green", "red" (set IgnoreUnknown to encode it as all zeros)`) {
		t.Errorf("unknown category: error %v", err)
	}
	e.IgnoreUnknown = true
	got, err = e.Transform(column("color", "purple"))
	if err != nil || !sameFloats(got.Data().([]float64), []float64{0, 0, 0}) {
		t.Errorf("ignored unknown = %v, %v; want zeros", got, err)
	}
	if names := e.FeatureNames("color"); !reflect.DeepEqual(names, []string{"color=blue", "color=green", "color=red"}) {
		t.Errorf("feature names = %q", names)
	}
	var back datasets.OneHotEncoder
	roundTrip(t, &e, &back)
	if !reflect.DeepEqual(back, e) {
		t.Errorf("JSON round trip: %+v, want %+v", back, e)
	}
	if err := (&datasets.OneHotEncoder{}).Fit(column("c", "", "")); err == nil || !strings.Contains(err.Error(), `column "c" has no values: all 2 cells are missing`) {
		t.Errorf("all missing: error %v", err)
	}
	if _, err := (&datasets.OneHotEncoder{}).Transform(column("c", "a")); err == nil || !strings.Contains(err.Error(), "transform before fit") {
		t.Errorf("before fit: error %v", err)
	}
}

func TestOrdinalEncoder(t *testing.T) {
	e := datasets.OrdinalEncoder{Categories: []string{"low", "medium", "high"}}
	got, err := e.Transform(column("grade", "high", "low", "", "medium"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{2, 0, math.NaN(), 1}; !sameFloats(got.Data().([]float64), want) || !reflect.DeepEqual([]int(got.Shape()), []int{4, 1}) {
		t.Errorf("Transform = %v %v, want %v (4, 1)", got.Shape(), got.Data(), want)
	}
	if _, err := e.Transform(column("grade", "top")); err == nil || !strings.Contains(err.Error(), `ordinal encoder: column "grade", row 0: unknown category "top"`) {
		t.Errorf("unknown category: error %v", err)
	}
	e.IgnoreUnknown = true
	if got, err := e.Transform(column("grade", "top")); err != nil || got.Data().([]float64)[0] != -1 {
		t.Errorf("ignored unknown = %v, %v; want -1", got, err)
	}
	var fitted datasets.OrdinalEncoder
	if err := fitted.Fit(column("n", "10", "9", "100", "9")); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fitted.Categories, []string{"9", "10", "100"}) {
		t.Errorf("numeric categories sorted as %q, want as numbers", fitted.Categories)
	}
	var back datasets.OrdinalEncoder
	roundTrip(t, &e, &back)
	if !reflect.DeepEqual(back, e) {
		t.Errorf("JSON round trip: %+v, want %+v", back, e)
	}
	dup := datasets.OrdinalEncoder{Categories: []string{"a", "a"}}
	if _, err := dup.Transform(column("x", "a")); err == nil || !strings.Contains(err.Error(), `category "a" is listed twice`) {
		t.Errorf("repeated category: error %v", err)
	}
}

func TestLabelEncoder(t *testing.T) {
	tests := []struct {
		name    string
		labels  []string
		classes []string
		ids     []int
	}{
		{"text sorted", []string{"virginica", "setosa", "versicolor", "setosa"}, []string{"setosa", "versicolor", "virginica"}, []int{2, 0, 1, 0}},
		{"numbers sorted as numbers", []string{"10", "2", "-1", "2"}, []string{"-1", "2", "10"}, []int{2, 1, 0, 1}},
		{"mixed sorted as text", []string{"10", "2", "b"}, []string{"10", "2", "b"}, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e datasets.LabelEncoder
			if err := e.Fit(tt.labels); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e.Classes, tt.classes) {
				t.Errorf("classes = %q, want %q", e.Classes, tt.classes)
			}
			ids, err := e.Encode(tt.labels)
			if err != nil || !reflect.DeepEqual(ids, tt.ids) {
				t.Errorf("Encode = %v, %v; want %v", ids, err, tt.ids)
			}
			var back datasets.LabelEncoder
			roundTrip(t, &e, &back)
			labels, err := back.Decode(ids)
			if err != nil || !reflect.DeepEqual(labels, tt.labels) {
				t.Errorf("Decode after a JSON round trip = %q, %v; want %q", labels, err, tt.labels)
			}
		})
	}
	e := datasets.LabelEncoder{Classes: []string{"no", "yes"}}
	if _, err := e.Encode([]string{"yes", "maybe"}); err == nil || !strings.Contains(err.Error(), `label encoder: row 1: unknown label "maybe"; the classes are "no", "yes"`) {
		t.Errorf("unknown label: error %v", err)
	}
	if _, err := e.Decode([]int{1, 2}); err == nil || !strings.Contains(err.Error(), "row 1: class id 2 is not in [0, 2)") {
		t.Errorf("bad id: error %v", err)
	}
	if err := (&datasets.LabelEncoder{}).Fit(nil); err == nil {
		t.Error("Fit(nil): no error")
	}
}

func TestToCategorical(t *testing.T) {
	tests := []struct {
		name    string
		y       *tensor.Dense
		classes int
		shape   []int
		want    []float64
		dtype   tensor.Dtype
		err     string
	}{
		{"float64 ids", dense64([]int{3}, 2, 0, 1), 3, []int{3, 3}, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}, tensor.Float64, ""},
		{"float32 [n, 1] keeps float32", tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{1, 0})), 2, []int{2, 2}, []float64{0, 1, 1, 0}, tensor.Float32, ""},
		{"int ids, classes inferred", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, 3})), 0, []int{2, 4}, []float64{1, 0, 0, 0, 0, 0, 0, 1}, tensor.Float64, ""},
		{"more classes than seen", dense64([]int{1}, 0), 3, []int{1, 3}, []float64{1, 0, 0}, tensor.Float64, ""},
		{"id too large", dense64([]int{3}, 0, 1, 3), 3, nil, nil, tensor.Dtype{}, "to categorical: row 2: label 3 is not an integer in [0, 3)"},
		{"negative id", dense64([]int{2}, 0, -1), 2, nil, nil, tensor.Dtype{}, "row 1: label -1 is not an integer"},
		{"fractional id", dense64([]int{2}, 0.5, 1), 2, nil, nil, tensor.Dtype{}, "row 0: label 0.5 is not an integer"},
		{"NaN id", dense64([]int{2}, 1, math.NaN()), 0, nil, nil, tensor.Dtype{}, "row 1: label NaN is not an integer in [0, 2)"},
		{"wrong shape", dense64([]int{2, 2}, 0, 1, 1, 0), 2, nil, nil, tensor.Dtype{}, "y must be class ids [n] or [n, 1], got shape (2, 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := datasets.ToCategorical(tt.y, tt.classes)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Dtype() != tt.dtype || !reflect.DeepEqual([]int(got.Shape()), tt.shape) {
				t.Fatalf("got %v %v, want %v %v", got.Dtype(), got.Shape(), tt.dtype, tt.shape)
			}
			if !sameFloats(floats(got), tt.want) {
				t.Errorf("got %v, want %v", got.Data(), tt.want)
			}
		})
	}
}

// floats reads a float32 or float64 tensor as float64 values.
func floats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// roundTrip marshals v to JSON and unmarshals it into back.
func roundTrip(t *testing.T, v, back any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, back); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
}
