package layers_test

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func intp(v int) *int { return &v }

// TestConvTransposePassesTheHarness checks the output sizes Keras gives
// (keras.src.utils.conv_utils.compute_conv_transpose_output_shape) and the
// gradients against finite differences.
func TestConvTransposePassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		// valid: (in-1)·s + max(ek, s)
		{"2d valid", &layers.Conv2DTranspose{Filters: 3, KernelSize: []int{3}}, layers.Shape{3, 4, 2}, layers.Shape{5, 6, 3}, layertest.Options{}},
		{"2d valid stride 2", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3, 2}, Strides: []int{2}}, layers.Shape{3, 3, 2}, layers.Shape{7, 6, 2}, layertest.Options{}},
		{"2d valid stride above kernel", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{2}, Strides: []int{3}}, layers.Shape{2, 3, 1}, layers.Shape{6, 9, 2}, layertest.Options{}},
		// same: in·s
		{"2d same stride 2", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3}, Strides: []int{2}, Padding: "same", Activation: layers.Tanh}, layers.Shape{3, 4, 2}, layers.Shape{6, 8, 2}, layertest.Options{Training: true}},
		{"2d same even kernel", &layers.Conv2DTranspose{Filters: 1, KernelSize: []int{4}, Strides: []int{2}, Padding: "same", NoBias: true}, layers.Shape{3, 3, 2}, layers.Shape{6, 6, 1}, layertest.Options{}},
		// output padding: (in-1)·s + ek + p (valid), (in-1)·s + ek%2 + p (same)
		{"2d valid output padding", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3}, Strides: []int{2}, OutputPadding: []int{1, 0}}, layers.Shape{3, 3, 1}, layers.Shape{8, 7, 2}, layertest.Options{}},
		{"2d same output padding", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3}, Strides: []int{3}, Padding: "same", OutputPadding: []int{2}}, layers.Shape{2, 3, 2}, layers.Shape{6, 9, 2}, layertest.Options{}},
		{"2d dilated same", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3}, DilationRate: []int{2}, Padding: "same"}, layers.Shape{4, 4, 2}, layers.Shape{4, 4, 2}, layertest.Options{}},
		{"2d relu", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{2}, Strides: []int{2}, Activation: layers.ReLU}, layers.Shape{3, 3, 2}, layers.Shape{6, 6, 2}, layertest.Options{Training: true}},
		{"1d valid", &layers.Conv1DTranspose{Filters: 3, KernelSize: 3, Strides: 2}, layers.Shape{4, 2}, layers.Shape{9, 3}, layertest.Options{}},
		{"1d same", &layers.Conv1DTranspose{Filters: 2, KernelSize: 3, Strides: 2, Padding: "same"}, layers.Shape{4, 2}, layers.Shape{8, 2}, layertest.Options{}},
		{"1d output padding dilated", &layers.Conv1DTranspose{Filters: 2, KernelSize: 2, DilationRate: 2, Strides: 2, OutputPadding: intp(1)}, layers.Shape{3, 2}, layers.Shape{8, 2}, layertest.Options{Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

func TestConvTransposeErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  string
	}{
		{"no filters", &layers.Conv2DTranspose{KernelSize: []int{3}}, layers.Shape{3, 3, 1}, "filters must be > 0, got 0"},
		{"no kernel", &layers.Conv2DTranspose{Filters: 2}, layers.Shape{3, 3, 1}, "kernel size is missing"},
		{"rank", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3}}, layers.Shape{3, 3}, "expected input shape (None, height, width, channels), got (None, 3, 3)"},
		{"output padding at stride", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3}, Strides: []int{2}, OutputPadding: []int{2}}, layers.Shape{3, 3, 1}, "output padding 2 must be in [0, stride 2)"},
		{"padding", &layers.Conv2DTranspose{Filters: 2, KernelSize: []int{3}, Padding: "causal"}, layers.Shape{3, 3, 1}, `unknown padding "causal"`},
		{"1d rank", &layers.Conv1DTranspose{Filters: 2, KernelSize: 3}, layers.Shape{3, 3, 1}, "expected input shape (None, steps, channels)"},
		{"1d negative output padding", &layers.Conv1DTranspose{Filters: 2, KernelSize: 3, OutputPadding: intp(-1)}, layers.Shape{3, 1}, "output padding must be >= 0, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.layer.SetLayerName("up")
			_, err := tt.layer.Build(&layers.Builder{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1)), Name: "up"}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"up"`) {
				t.Fatalf("error %v, want one naming the layer and containing %q", err, tt.want)
			}
		})
	}
}

// TestConvTransposeSpecRoundTrip saves and loads the layers' configuration,
// output padding and initializers included.
func TestConvTransposeSpecRoundTrip(t *testing.T) {
	for _, l := range []layers.Layer{
		&layers.Conv2DTranspose{Name: "up", Filters: 4, KernelSize: []int{3, 2}, Strides: []int{2}, Padding: "same", OutputPadding: []int{1}, Activation: layers.ReLU, KernelInitializer: layers.HeNormal{}},
		&layers.Conv1DTranspose{Name: "up1", Filters: 2, KernelSize: 3, Strides: 2, OutputPadding: intp(0), NoBias: true},
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
		if string(again.Config) != string(spec.Config) || again.Kind != l.Kind() {
			t.Fatalf("round trip changed %s to %s", spec.Config, again.Config)
		}
		var m map[string]any
		if err := json.Unmarshal(spec.Config, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["output_padding"]; !ok {
			t.Errorf("%s: output_padding not saved", spec.Config)
		}
	}
	if _, err := layers.Unmarshal(layers.Spec{Kind: "conv2d_transpose", Config: json.RawMessage(`{"filters": 2, "kernel": [3]}`)}, nil); err == nil {
		t.Error("an unknown field was accepted")
	}
}
