package layers_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestNormalizationAxesPassTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		opt   layertest.Options
	}{
		{"layer norm axis 1 of 2", &layers.LayerNormalization{Axis: []int{1}}, layers.Shape{4, 3}, layertest.Options{}},
		{"layer norm two trailing axes", &layers.LayerNormalization{Axis: []int{-2, -1}}, layers.Shape{3, 4}, layertest.Options{Training: true}},
		{"layer norm every axis of an image", &layers.LayerNormalization{Axis: []int{1, 2, 3}}, layers.Shape{2, 3, 2}, layertest.Options{}},
		{"layer norm middle axes", &layers.LayerNormalization{Axis: []int{2, 1}, NoCenter: true}, layers.Shape{2, 3, 4}, layertest.Options{Training: true}},
		{"layer norm outer axes", &layers.LayerNormalization{Axis: []int{1, 3}}, layers.Shape{3, 2, 2}, layertest.Options{}},
		{"batch norm axis 1 inference", &layers.BatchNormalization{Axis: 1}, layers.Shape{3, 2, 2}, layertest.Options{}},
		{"batch norm axis 1 training", &layers.BatchNormalization{Axis: 1}, layers.Shape{3, 2, 2}, layertest.Options{Batch: 4, Training: true}},
		{"batch norm axis -2 training", &layers.BatchNormalization{Axis: -2, NoScale: true}, layers.Shape{3, 4}, layertest.Options{Batch: 4, Training: true}},
		{"group norm", &layers.GroupNormalization{Groups: 2}, layers.Shape{3, 3, 4}, layertest.Options{}},
		{"group norm training", &layers.GroupNormalization{Groups: 3}, layers.Shape{4, 6}, layertest.Options{Training: true}},
		{"group norm instance", &layers.GroupNormalization{Groups: 4, NoCenter: true}, layers.Shape{2, 2, 4}, layertest.Options{Training: true}},
		{"group norm one group", &layers.GroupNormalization{Groups: 1}, layers.Shape{3, 4}, layertest.Options{}},
		{"group norm channels first", &layers.GroupNormalization{Groups: 2, Axis: 1}, layers.Shape{4, 3, 2}, layertest.Options{Training: true}},
		{"group norm features only", &layers.GroupNormalization{Groups: 2, NoScale: true}, layers.Shape{6}, layertest.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.in, tt.opt)
		})
	}
}

// TestGroupNormalizationValues normalizes by hand one sample of 2
// positions and 4 channels in 2 groups: group 0 is channels 0-1 at both
// positions.
func TestGroupNormalizationValues(t *testing.T) {
	x := []float64{1, 2, 10, 20, 3, 4, 30, 40} // [1, 2, 4]
	l := &layers.GroupNormalization{Name: "gn", Groups: 2, Epsilon: 1e-5}
	if _, err := build(t, l, layers.Shape{2, 4}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	gamma := l.Weights()[0].Value.Data().([]float64)
	beta := l.Weights()[1].Value.Data().([]float64)
	copy(gamma, []float64{1, 2, 3, 4})
	copy(beta, []float64{0, 1, 0, -1})
	c := layers.NewCall(tensor.Float64, 1, false)
	xn := gorgonia.NewTensor(c.Graph, tensor.Float64, 3, gorgonia.WithShape(1, 2, 4), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, 2, 4), tensor.WithBacking(x))))
	out, err := l.Forward(c, xn)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	norm := func(v, mean, variance float64) float64 { return (v - mean) / math.Sqrt(variance+1e-5) }
	// group 0: 1, 2, 3, 4 (mean 2.5, variance 1.25); group 1: 10, 20, 30, 40 (mean 25, variance 125).
	want := []float64{
		norm(1, 2.5, 1.25)*1 + 0, norm(2, 2.5, 1.25)*2 + 1, norm(10, 25, 125)*3 + 0, norm(20, 25, 125)*4 - 1,
		norm(3, 2.5, 1.25)*1 + 0, norm(4, 2.5, 1.25)*2 + 1, norm(30, 25, 125)*3 + 0, norm(40, 25, 125)*4 - 1,
	}
	got := out.Value().Data().([]float64)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// TestNormalizationAxesWeights checks the weights' shapes: LayerNormalization's
// follow the axes (sorted), the others' the channel axis.
func TestNormalizationAxesWeights(t *testing.T) {
	for _, tc := range []struct {
		layer layers.Layer
		in    layers.Shape
		want  []int
	}{
		{&layers.LayerNormalization{Axis: []int{-1, 1}}, layers.Shape{3, 4, 5}, []int{3, 5}},
		{&layers.LayerNormalization{Axis: []int{2}}, layers.Shape{3, 4, 5}, []int{4}},
		{&layers.BatchNormalization{Axis: 1}, layers.Shape{3, 4, 5}, []int{3}},
		{&layers.GroupNormalization{Groups: 2, Axis: 2}, layers.Shape{3, 4, 5}, []int{4}},
	} {
		tc.layer.SetLayerName("n")
		if _, err := tc.layer.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "n"}, tc.in); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.layer.Weights() {
			if !w.Value.Shape().Eq(tensor.Shape(tc.want)) {
				t.Errorf("%s: weight %s has shape %v, want %v", tc.layer.Kind(), w.Name, w.Value.Shape(), tc.want)
			}
		}
	}
}

func TestNormalizationAxesErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  string
	}{
		{"layer norm batch axis", &layers.LayerNormalization{Axis: []int{0}}, layers.Shape{3, 4}, "axis 0 is the batch axis"},
		{"layer norm out of range", &layers.LayerNormalization{Axis: []int{3}}, layers.Shape{3, 4}, "axis 3 is out of range for input shape (None, 3, 4)"},
		{"layer norm twice", &layers.LayerNormalization{Axis: []int{1, -2}}, layers.Shape{3, 4}, "axis -2 is given twice in [1 -2]"},
		{"batch norm batch axis", &layers.BatchNormalization{Axis: -3}, layers.Shape{3, 4}, "axis -3 is the batch axis"},
		{"group norm groups", &layers.GroupNormalization{Groups: 3}, layers.Shape{3, 4}, "groups (3) must divide the 4 channels"},
		{"group norm default groups", &layers.GroupNormalization{}, layers.Shape{3, 16}, "groups (32) must divide the 16 channels"},
		{"group norm epsilon", &layers.GroupNormalization{Groups: 2, Epsilon: -1}, layers.Shape{4}, "epsilon must be > 0, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.layer.SetLayerName("n")
			_, err := tt.layer.Build(&layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "n"}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"n"`) {
				t.Fatalf("error %v, want one naming the layer and containing %q", err, tt.want)
			}
		})
	}
}

func TestNormalizationAxesSpecRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		layer layers.Layer
		want  string
	}{
		{&layers.LayerNormalization{Name: "ln", Axis: []int{1, 2}}, `"axis":[1,2]`},
		{&layers.BatchNormalization{Name: "bn", Axis: 1}, `"axis":1`},
		{&layers.GroupNormalization{Name: "gn", Groups: 4, Axis: -1, Epsilon: 1e-5}, `"groups":4`},
	} {
		spec, err := layers.Marshal(tc.layer)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(spec.Config), tc.want) {
			t.Errorf("%s: %s does not hold %s", tc.layer.Kind(), spec.Config, tc.want)
		}
		back, err := layers.Unmarshal(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		again, err := layers.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if string(again.Config) != string(spec.Config) {
			t.Errorf("round trip changed %s to %s", spec.Config, again.Config)
		}
	}
}
