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

func near(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) || math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// The training rows: feature 0 is 1, 2, 3 (mean 2, std sqrt(2/3)); feature
// 1 is constant 5; feature 2 is 0, 10, NaN.
func scaleTrain() *tensor.Dense {
	return dense64([]int{3, 3}, 1, 5, 0, 2, 5, 10, 3, 5, math.NaN())
}

func TestScalersUseTrainingStatistics(t *testing.T) {
	sd := math.Sqrt(2.0 / 3)
	test := dense64([]int{2, 3}, 4, 6, 5, 0, 5, math.NaN())
	tests := []struct {
		name string
		tr   datasets.Transformer
		want []float64 // the transformed test rows
	}{
		{"standard", &datasets.StandardScaler{}, []float64{2 / sd, 1, 0, -2 / sd, 0, math.NaN()}},
		{"min-max [0, 1]", &datasets.MinMaxScaler{}, []float64{1.5, 1, 0.5, -0.5, 0, math.NaN()}},
		{"min-max [-1, 1]", &datasets.MinMaxScaler{Min: -1, Max: 1}, []float64{2, 1, 0, -2, -1, math.NaN()}},
		{"rescale 1/255", &datasets.Rescale{}, []float64{4.0 / 255, 6.0 / 255, 5.0 / 255, 0, 5.0 / 255, math.NaN()}},
		{"rescale to [-1, 1]", &datasets.Rescale{Factor: 0.5, Offset: -1}, []float64{1, 2, 1.5, -1, 1.5, math.NaN()}},
		{"imputer then scaler", &datasets.Pipeline{Steps: []datasets.Transformer{&datasets.SimpleImputer{}, &datasets.MinMaxScaler{}}},
			[]float64{1.5, 1, 0.5, -0.5, 0, 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.tr.Fit(scaleTrain()); err != nil {
				t.Fatal(err)
			}
			got, err := tt.tr.Transform(test)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got.Data().([]float64), tt.want, 1e-12) {
				t.Errorf("Transform = %v, want %v", got.Data(), tt.want)
			}
			if test.Data().([]float64)[0] != 4 {
				t.Error("Transform changed its input")
			}
			// A JSON round trip gives the same transform.
			b, err := datasets.MarshalTransformer(tt.tr)
			if err != nil {
				t.Fatal(err)
			}
			back, err := datasets.UnmarshalTransformer(b)
			if err != nil {
				t.Fatal(err)
			}
			if back.Kind() != tt.tr.Kind() {
				t.Errorf("kind after round trip = %q, want %q", back.Kind(), tt.tr.Kind())
			}
			again, err := back.Transform(test)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(nanToZero(again.Data().([]float64)), nanToZero(got.Data().([]float64))) {
				t.Errorf("after a JSON round trip (%s): %v, want %v", b, again.Data(), got.Data())
			}
		})
	}
}

func nanToZero(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		if !math.IsNaN(x) {
			out[i] = x
		}
	}
	return out
}

func TestStandardScalerStatistics(t *testing.T) {
	var s datasets.StandardScaler
	if err := s.Fit(scaleTrain()); err != nil {
		t.Fatal(err)
	}
	if !near(s.Mean, []float64{2, 5, 5}, 1e-12) || !near(s.Scale, []float64{math.Sqrt(2.0 / 3), 1, 5}, 1e-12) {
		t.Errorf("mean %v, scale %v; want [2 5 5], [0.816 1 5]", s.Mean, s.Scale)
	}
	x := dense64([]int{2, 3}, 7, 5, 3, -1, 5, 8)
	y, err := s.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.Inverse(y)
	if err != nil || !near(back.Data().([]float64), x.Data().([]float64), 1e-12) {
		t.Errorf("Inverse(Transform(x)) = %v, %v; want %v", back, err, x.Data())
	}
}

func TestScalersOnImagesAndFloat32(t *testing.T) {
	// Two 2x2 float32 images: each pixel is a feature.
	x := tensor.New(tensor.WithShape(2, 2, 2), tensor.WithBacking([]float32{0, 10, 20, 30, 2, 10, 40, 50}))
	var s datasets.StandardScaler
	if err := s.Fit(x); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Features, []int{2, 2}) || !near(s.Mean, []float64{1, 10, 30, 40}, 1e-12) {
		t.Errorf("features %v, mean %v; want [2 2], [1 10 30 40]", s.Features, s.Mean)
	}
	y, err := s.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	if y.Dtype() != tensor.Float32 || !reflect.DeepEqual([]int(y.Shape()), []int{2, 2, 2}) {
		t.Errorf("result %v %v, want float32 (2, 2, 2)", y.Dtype(), y.Shape())
	}
	if want := []float32{-1, 0, -1, -1, 1, 0, 1, 1}; !reflect.DeepEqual(y.Data(), want) {
		t.Errorf("result = %v, want %v", y.Data(), want)
	}
	r, err := (&datasets.Rescale{}).Transform(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{0, 255})))
	if err != nil || !reflect.DeepEqual(r.Data(), []float32{0, 1}) {
		t.Errorf("pixel rescale = %v, %v; want [0 1]", r, err)
	}
}

func TestTransformerErrors(t *testing.T) {
	fitted := &datasets.StandardScaler{}
	if err := fitted.Fit(scaleTrain()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"transform before fit", func() error { _, err := (&datasets.StandardScaler{}).Transform(scaleTrain()); return err },
			"standard_scaler: transform before fit"},
		{"min-max before fit", func() error { _, err := (&datasets.MinMaxScaler{}).Transform(scaleTrain()); return err },
			"min_max_scaler: transform before fit"},
		{"feature shape mismatch", func() error { _, err := fitted.Transform(dense64([]int{1, 2}, 1, 2)); return err },
			"standard_scaler: transform: x shape (1, 2) has features (2), fitted on features (3)"},
		{"int tensor", func() error {
			return (&datasets.StandardScaler{}).Fit(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]int{1, 2})))
		}, "standard_scaler: fit: x dtype must be float32 or float64, got int"},
		{"nil x", func() error { return (&datasets.MinMaxScaler{}).Fit(nil) }, "min_max_scaler: fit: x is nil"},
		{"bad range", func() error { return (&datasets.MinMaxScaler{Min: 1, Max: 1}).Fit(scaleTrain()) },
			"min_max_scaler: range [1, 1]: Max must be greater than Min"},
		{"infinite value", func() error { return (&datasets.StandardScaler{}).Fit(dense64([]int{2, 1}, 1, math.Inf(1))) },
			"standard_scaler: fit: feature 0: mean +Inf is not finite"},
		{"bad factor", func() error { _, err := (&datasets.Rescale{Factor: math.NaN()}).Transform(scaleTrain()); return err },
			"rescale: factor NaN and offset 0 must be finite"},
		{"nil pipeline step", func() error { return (&datasets.Pipeline{Steps: []datasets.Transformer{nil}}).Fit(scaleTrain()) },
			"pipeline: fit: step 0 is nil"},
		{"unknown kind", func() error {
			_, err := datasets.UnmarshalTransformer([]byte(`{"kind":"pca","config":{}}`))
			return err
		},
			`unmarshal transformer: unknown kind "pca"; the kinds are "min_max_scaler", "pipeline"`},
		{"statistics of the wrong length", func() error {
			_, err := (&datasets.StandardScaler{Features: []int{3}, Mean: []float64{0}, Scale: []float64{1}}).Transform(scaleTrain())
			return err
		}, "standard_scaler: fitted statistics hold 1 values for features (3), want 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPipelineJSON(t *testing.T) {
	p := &datasets.Pipeline{Steps: []datasets.Transformer{
		&datasets.SimpleImputer{Strategy: datasets.ImputeMedian},
		&datasets.StandardScaler{},
		&datasets.Pipeline{Steps: []datasets.Transformer{&datasets.Rescale{Factor: 2}}},
	}}
	if err := p.Fit(scaleTrain()); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back datasets.Pipeline
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, p) {
		t.Errorf("round trip changed the pipeline: %s", b)
	}
	for _, want := range []string{`"kind":"simple_imputer"`, `"strategy":"median"`, `"kind":"pipeline"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	x := dense64([]int{1, 3}, math.NaN(), 1, 2)
	a, err1 := p.Transform(x)
	c, err2 := back.Transform(x)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(a.Data(), c.Data()) {
		t.Errorf("transforms differ: %v %v, %v %v", a, err1, c, err2)
	}
	empty, err := (&datasets.Pipeline{}).Transform(x)
	if err != nil || !sameFloats(empty.Data().([]float64), x.Data().([]float64)) {
		t.Errorf("empty pipeline = %v, %v; want a copy of x", empty, err)
	}
}
