package layers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestConvLayersPassTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"conv2d valid", &layers.Conv2D{Filters: 3, KernelSize: []int{3}}, layers.Shape{5, 6, 2}, layers.Shape{3, 4, 3}, layertest.Options{}},
		{"conv2d same relu", &layers.Conv2D{Filters: 2, KernelSize: []int{3, 2}, Padding: "same", Activation: layers.Tanh}, layers.Shape{4, 5, 2}, layers.Shape{4, 5, 2}, layertest.Options{}},
		{"conv2d strides same", &layers.Conv2D{Filters: 2, KernelSize: []int{3}, Strides: []int{2}, Padding: "same"}, layers.Shape{5, 6, 1}, layers.Shape{3, 3, 2}, layertest.Options{}},
		{"conv2d dilation", &layers.Conv2D{Filters: 2, KernelSize: []int{2}, DilationRate: []int{2}, NoBias: true}, layers.Shape{5, 5, 2}, layers.Shape{3, 3, 2}, layertest.Options{}},
		{"conv2d training graph", &layers.Conv2D{Filters: 2, KernelSize: []int{2}, Strides: []int{1, 2}, Activation: layers.Sigmoid}, layers.Shape{4, 5, 3}, layers.Shape{3, 2, 2}, layertest.Options{Training: true}},
		{"conv2d relu fused", &layers.Conv2D{Filters: 2, KernelSize: []int{3}, Activation: layers.ReLU}, layers.Shape{5, 5, 2}, layers.Shape{3, 3, 2}, layertest.Options{Training: true}},
		{"conv1d relu fused", &layers.Conv1D{Filters: 2, KernelSize: 2, Activation: layers.ReLU}, layers.Shape{5, 2}, layers.Shape{4, 2}, layertest.Options{}},
		{"conv1d valid", &layers.Conv1D{Filters: 3, KernelSize: 3}, layers.Shape{7, 2}, layers.Shape{5, 3}, layertest.Options{}},
		{"conv1d same strides", &layers.Conv1D{Filters: 2, KernelSize: 3, Strides: 2, Padding: "same"}, layers.Shape{7, 2}, layers.Shape{4, 2}, layertest.Options{}},
		{"conv1d causal dilated training", &layers.Conv1D{Filters: 2, KernelSize: 2, DilationRate: 2, Padding: "causal"}, layers.Shape{6, 3}, layers.Shape{6, 2}, layertest.Options{Training: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

// TestConv2DValues checks a hand-computed convolution in float32: a 3x3
// image of 1..9, two 2x2 kernels (all ones, and the top-left tap only),
// bias 0.5 and -1.
func TestConv2DValues(t *testing.T) {
	l := &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{2}}
	if _, err := build(t, l, layers.Shape{3, 3, 1}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	k := l.Weights()[0].Value.Data().([]float32) // [2, 2, 1, 2]
	for i := range k {
		k[i] = 0
		if i%2 == 0 || i == 1 {
			k[i] = 1
		}
	}
	copy(l.Weights()[1].Value.Data().([]float32), []float32{0.5, -1})
	c := layers.NewCall(tensor.Float32, 1, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float32, 4, gorgonia.WithShape(1, 3, 3, 1), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, 3, 3, 1), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}))))
	out, err := l.Forward(c, x)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	// Windows: [1 2 4 5]=12, [2 3 5 6]=16, [4 5 7 8]=24, [5 6 8 9]=28;
	// top-left taps: 1, 2, 4, 5.
	want := []float32{12.5, 0, 16.5, 1, 24.5, 3, 28.5, 4}
	got := out.Value().Data().([]float32)
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestConvLayersBadInput(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		error string
	}{
		{"rank", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}}, layers.Shape{28, 28}, `conv2d "c": expected input shape (None, height, width, channels), got (None, 28, 28)`},
		{"kernel too big", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{5}}, layers.Shape{4, 4, 1}, `conv2d "c": kernel 5x5 (dilation 1x1) is larger than the padded input 4x4`},
		{"zero strides", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}, Strides: []int{0}}, layers.Shape{8, 8, 1}, `conv2d "c": strides must be > 0, got [0]`},
		{"negative strides", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}, Strides: []int{1, -2}}, layers.Shape{8, 8, 1}, `strides must be > 0`},
		{"no kernel size", &layers.Conv2D{Name: "c", Filters: 2}, layers.Shape{8, 8, 1}, `conv2d "c": kernel size is missing`},
		{"no filters", &layers.Conv2D{Name: "c", KernelSize: []int{3}}, layers.Shape{8, 8, 1}, `conv2d "c": filters must be > 0`},
		{"padding", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}, Padding: "full"}, layers.Shape{8, 8, 1}, `conv2d "c": unknown padding "full"`},
		{"causal 2d", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}, Padding: "causal"}, layers.Shape{8, 8, 1}, `only for Conv1D`},
		{"stride and dilation", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}, Strides: []int{2}, DilationRate: []int{2}}, layers.Shape{8, 8, 1}, `cannot be combined`},
		{"activation", &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}, Activation: "relu6"}, layers.Shape{8, 8, 1}, `conv2d "c"`},
		{"conv1d rank", &layers.Conv1D{Name: "s", Filters: 2, KernelSize: 3}, layers.Shape{8}, `conv1d "s": expected input shape (None, steps, channels), got (None, 8)`},
		{"conv1d too long", &layers.Conv1D{Name: "s", Filters: 2, KernelSize: 9}, layers.Shape{8, 1}, `conv1d "s": kernel of 9 steps (dilation 1) is longer than the padded input of 8 steps`},
		{"conv1d strides", &layers.Conv1D{Name: "s", Filters: 2, KernelSize: 3, Strides: -1}, layers.Shape{8, 1}, `conv1d "s": strides and dilation rate must be > 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.layer, tt.in, tensor.Float32)
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("error %v, want one containing %q", err, tt.error)
			}
		})
	}
}

// TestConvChannelMismatch checks that a graph input with other channels
// than the layer was built for is refused.
func TestConvChannelMismatch(t *testing.T) {
	l := &layers.Conv2D{Name: "c", Filters: 2, KernelSize: []int{3}}
	if _, err := build(t, l, layers.Shape{8, 8, 3}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float32, 2, false)
	x := gorgonia.NewTensor(c.Graph, tensor.Float32, 4, gorgonia.WithShape(2, 8, 8, 1), gorgonia.WithName("x"))
	if _, err := l.Forward(c, x); err == nil || !strings.Contains(err.Error(), "input has 1 channels, kernel expects 3") {
		t.Fatalf("error %v", err)
	}
}

func TestConvSpecRoundTrip(t *testing.T) {
	for _, l := range []layers.Layer{
		&layers.Conv2D{Name: "c", Filters: 8, KernelSize: []int{3, 5}, Strides: []int{2}, Padding: "same", Activation: layers.ReLU,
			KernelInitializer: layers.HeNormal{}, KernelRegularizer: layers.L2{L2: 0.01}, BiasConstraint: layers.NonNeg{}},
		&layers.Conv1D{Name: "s", Filters: 4, KernelSize: 3, DilationRate: 2, Padding: "causal", NoBias: true},
	} {
		spec, err := layers.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		back, err := layers.Unmarshal(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(l)
		b, _ := json.Marshal(back)
		if string(a) != string(b) {
			t.Fatalf("round trip:\n%s\n%s", a, b)
		}
	}
	if _, err := layers.Unmarshal(layers.Spec{Kind: "conv2d", Config: json.RawMessage(`{"filters": 2, "kernal_size": [3]}`)}, nil); err == nil {
		t.Fatal("a misspelt field was accepted")
	}
}
