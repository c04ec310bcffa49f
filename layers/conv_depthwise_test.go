package layers_test

import (
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestGroupedAndDepthwisePassTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"conv2d groups 2", &layers.Conv2D{Filters: 4, KernelSize: []int{3}, Groups: 2, Padding: "same"}, layers.Shape{4, 5, 6}, layers.Shape{4, 5, 4}, layertest.Options{}},
		{"conv2d groups per channel relu", &layers.Conv2D{Filters: 6, KernelSize: []int{2}, Groups: 3, Activation: layers.ReLU}, layers.Shape{4, 4, 3}, layers.Shape{3, 3, 6}, layertest.Options{Training: true}},
		{"conv1d groups", &layers.Conv1D{Filters: 4, KernelSize: 3, Groups: 2, Strides: 2}, layers.Shape{7, 4}, layers.Shape{3, 4}, layertest.Options{}},
		{"depthwise", &layers.DepthwiseConv2D{KernelSize: []int{3}}, layers.Shape{5, 5, 3}, layers.Shape{3, 3, 3}, layertest.Options{}},
		{"depthwise multiplier same strides", &layers.DepthwiseConv2D{KernelSize: []int{3, 2}, DepthMultiplier: 2, Strides: []int{2}, Padding: "same", Activation: layers.Tanh}, layers.Shape{5, 4, 2}, layers.Shape{3, 2, 4}, layertest.Options{Training: true}},
		{"depthwise dilated no bias", &layers.DepthwiseConv2D{KernelSize: []int{2}, DilationRate: []int{2}, NoBias: true}, layers.Shape{5, 5, 2}, layers.Shape{3, 3, 2}, layertest.Options{}},
		{"separable", &layers.SeparableConv2D{Filters: 3, KernelSize: []int{3}}, layers.Shape{5, 5, 2}, layers.Shape{3, 3, 3}, layertest.Options{}},
		{"separable multiplier same", &layers.SeparableConv2D{Filters: 2, KernelSize: []int{3}, DepthMultiplier: 2, Padding: "same", Strides: []int{2}, Activation: layers.Sigmoid}, layers.Shape{4, 5, 3}, layers.Shape{2, 3, 2}, layertest.Options{Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

// TestGroupedWeights checks the kernels' shapes (Keras's) and names.
func TestGroupedWeights(t *testing.T) {
	for _, tc := range []struct {
		layer layers.Layer
		in    layers.Shape
		want  map[string][]int
	}{
		{&layers.Conv2D{Filters: 6, KernelSize: []int{3}, Groups: 3}, layers.Shape{5, 5, 9}, map[string][]int{"l/kernel": {3, 3, 3, 6}, "l/bias": {6}}},
		{&layers.DepthwiseConv2D{KernelSize: []int{3}, DepthMultiplier: 2}, layers.Shape{5, 5, 4}, map[string][]int{"l/kernel": {3, 3, 4, 2}, "l/bias": {8}}},
		{&layers.SeparableConv2D{Filters: 5, KernelSize: []int{2, 3}, DepthMultiplier: 2}, layers.Shape{5, 5, 3},
			map[string][]int{"l/depthwise_kernel": {2, 3, 3, 2}, "l/pointwise_kernel": {1, 1, 6, 5}, "l/bias": {5}}},
	} {
		tc.layer.SetLayerName("l")
		if _, err := tc.layer.Build(&layers.Builder{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1)), Name: "l"}, tc.in); err != nil {
			t.Fatal(err)
		}
		ws := tc.layer.Weights()
		if len(ws) != len(tc.want) {
			t.Fatalf("%s: %d weights, want %d", tc.layer.Kind(), len(ws), len(tc.want))
		}
		for _, w := range ws {
			if !w.Value.Shape().Eq(tensor.Shape(tc.want[w.Name])) {
				t.Errorf("%s: weight %s has shape %v, want %v", tc.layer.Kind(), w.Name, w.Value.Shape(), tc.want[w.Name])
			}
		}
	}
}

func TestGroupedErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  string
	}{
		{"groups do not divide channels", &layers.Conv2D{Filters: 4, KernelSize: []int{3}, Groups: 2}, layers.Shape{5, 5, 3}, "input channels (3) and filters (4) must both be multiples of groups (2)"},
		{"groups do not divide filters", &layers.Conv2D{Filters: 3, KernelSize: []int{3}, Groups: 2}, layers.Shape{5, 5, 4}, "must both be multiples of groups (2)"},
		{"negative groups", &layers.Conv1D{Filters: 3, KernelSize: 3, Groups: -1}, layers.Shape{5, 4}, "groups must be > 0, got -1"},
		{"depthwise rank", &layers.DepthwiseConv2D{KernelSize: []int{3}}, layers.Shape{5, 5}, "expected input shape (None, height, width, channels)"},
		{"depthwise multiplier", &layers.DepthwiseConv2D{KernelSize: []int{3}, DepthMultiplier: -2}, layers.Shape{5, 5, 2}, "depth multiplier must be > 0, got -2"},
		{"separable filters", &layers.SeparableConv2D{KernelSize: []int{3}}, layers.Shape{5, 5, 2}, "filters must be > 0, got 0"},
		{"separable too big", &layers.SeparableConv2D{Filters: 2, KernelSize: []int{6}}, layers.Shape{5, 5, 2}, "larger than the padded input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.layer.SetLayerName("g")
			_, err := tt.layer.Build(&layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "g"}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"g"`) {
				t.Fatalf("error %v, want one naming the layer and containing %q", err, tt.want)
			}
		})
	}
}

func TestGroupedSpecRoundTrip(t *testing.T) {
	for _, l := range []layers.Layer{
		&layers.Conv2D{Name: "g", Filters: 4, KernelSize: []int{3}, Groups: 2},
		&layers.DepthwiseConv2D{Name: "d", KernelSize: []int{3}, DepthMultiplier: 2, KernelInitializer: layers.HeUniform{}, KernelRegularizer: layers.L2{L2: 0.01}},
		&layers.SeparableConv2D{Name: "s", Filters: 3, KernelSize: []int{3}, DepthwiseInitializer: layers.HeNormal{}, PointwiseInitializer: layers.LecunNormal{},
			PointwiseRegularizer: layers.L1{L1: 0.1}, ActivityRegularizer: layers.L2{L2: 0.2}, Activation: layers.ReLU},
	} {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		back, err := layers.Unmarshal(spec, nil)
		if err != nil {
			t.Fatalf("%s: %v", spec.Config, err)
		}
		again, err := layers.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if string(again.Config) != string(spec.Config) {
			t.Fatalf("round trip changed %s to %s", spec.Config, again.Config)
		}
		for _, key := range map[string][]string{"conv2d": {`"groups":2`}, "depthwise_conv2d": {`"depth_multiplier":2`, `"kernel_initializer"`, `"kernel_regularizer"`},
			"separable_conv2d": {`"depthwise_initializer"`, `"pointwise_initializer"`, `"pointwise_regularizer"`, `"activity_regularizer"`}}[l.Kind()] {
			if !strings.Contains(string(spec.Config), key) {
				t.Errorf("%s: %s not saved in %s", l.Kind(), key, spec.Config)
			}
		}
	}
}
