package layers_test

import (
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestCoreLayersPassTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"dense linear", &layers.Dense{Units: 4}, layers.Shape{5}, layers.Shape{4}, layertest.Options{}},
		{"dense relu", &layers.Dense{Units: 3, Activation: layers.ReLU}, layers.Shape{6}, layers.Shape{3}, layertest.Options{}},
		{"dense softmax", &layers.Dense{Units: 4, Activation: layers.Softmax}, layers.Shape{3}, layers.Shape{4}, layertest.Options{}},
		{"dense tanh no bias", &layers.Dense{Units: 2, Activation: layers.Tanh, NoBias: true}, layers.Shape{3}, layers.Shape{2}, layertest.Options{}},
		{"dense he init", &layers.Dense{Units: 2, Activation: layers.SELU, KernelInitializer: layers.HeNormal{}}, layers.Shape{3}, layers.Shape{2}, layertest.Options{}},
		{"dense training graph", &layers.Dense{Units: 3, Activation: layers.GELU}, layers.Shape{4}, layers.Shape{3}, layertest.Options{Training: true}},
		{"dense on the last axis", &layers.Dense{Units: 4, Activation: layers.ReLU}, layers.Shape{3, 5}, layers.Shape{3, 4}, layertest.Options{}},
		{"dense softmax on the last axis", &layers.Dense{Units: 4, Activation: layers.Softmax}, layers.Shape{2, 2, 3}, layers.Shape{2, 2, 4}, layertest.Options{Training: true}},
		{"activation", &layers.Activation{Func: layers.Swish}, layers.Shape{2, 3}, layers.Shape{2, 3}, layertest.Options{}},
		{"dropout inference", &layers.Dropout{Rate: 0.5}, layers.Shape{6}, layers.Shape{6}, layertest.Options{}},
		{"dropout training", &layers.Dropout{Rate: 0.3}, layers.Shape{6}, layers.Shape{6}, layertest.Options{Training: true}},
		{"flatten", &layers.Flatten{}, layers.Shape{2, 3, 2}, layers.Shape{12}, layertest.Options{}},
		{"reshape", &layers.Reshape{Target: []int{3, -1}}, layers.Shape{6}, layers.Shape{3, 2}, layertest.Options{}},
		{"input", &layers.Input{Shape: layers.Shape{4}}, layers.Shape{4}, layers.Shape{4}, layertest.Options{}},
		{"rescaling", &layers.Rescaling{Scale: 2.5, Offset: -3}, layers.Shape{2, 2}, layers.Shape{2, 2}, layertest.Options{}},
		{"rescaling offset only", &layers.Rescaling{Offset: 7}, layers.Shape{3}, layers.Shape{3}, layertest.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

func build(t *testing.T, l layers.Layer, in layers.Shape, dt tensor.Dtype) (layers.Shape, error) {
	t.Helper()
	if l.LayerName() == "" {
		l.SetLayerName(l.Kind())
	}
	return l.Build(&layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(1)), Name: l.LayerName()}, in)
}

func TestDenseWeights(t *testing.T) {
	d := &layers.Dense{Name: "hidden", Units: 3, BiasInitializer: layers.Constant{Value: 0.5}}
	if _, err := build(t, d, layers.Shape{4}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	ws := d.Weights()
	if len(ws) != 2 || ws[0].Name != "hidden/kernel" || ws[1].Name != "hidden/bias" {
		t.Fatalf("weights %v", ws)
	}
	if s := ws[0].Value.Shape(); s[0] != 4 || s[1] != 3 || ws[0].Value.Dtype() != tensor.Float32 {
		t.Errorf("kernel is %v %v, want float32 (4, 3)", ws[0].Value.Dtype(), s)
	}
	for _, v := range ws[1].Value.Data().([]float32) {
		if v != 0.5 {
			t.Errorf("bias %v, want 0.5 from its initializer", v)
		}
	}
	// Glorot uniform: every kernel value within sqrt(6/(4+3)).
	for _, v := range ws[0].Value.Data().([]float32) {
		if v < -0.926 || v > 0.926 || v == 0 {
			t.Errorf("kernel value %v outside the Glorot uniform range", v)
		}
	}
}

func TestDropoutMask(t *testing.T) {
	d := &layers.Dropout{Name: "drop", Rate: 0.25}
	if _, err := build(t, d, layers.Shape{1000}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	c := layers.NewCall(tensor.Float64, 4, true)
	x := gorgonia.NewMatrix(c.Graph, tensor.Float64, gorgonia.WithShape(4, 1000), gorgonia.WithName("x"))
	if _, err := d.Forward(c, x); err != nil {
		t.Fatal(err)
	}
	if len(c.Feeds()) != 1 {
		t.Fatalf("training graph has %d feeds, want the mask", len(c.Feeds()))
	}
	f := c.Feeds()[0]
	f.Fill(rand.New(rand.NewSource(3)), f.Value)
	zeros := 0
	for _, v := range f.Value.Data().([]float64) {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("mask value %v, want 0 or 1/0.75", v)
		}
	}
	if frac := float64(zeros) / 4000; frac < 0.22 || frac > 0.28 {
		t.Errorf("dropped %v of the inputs, want about 0.25", frac)
	}
	inf := layers.NewCall(tensor.Float64, 4, false)
	xi := gorgonia.NewMatrix(inf.Graph, tensor.Float64, gorgonia.WithShape(4, 1000), gorgonia.WithName("x"))
	out, err := d.Forward(inf, xi)
	if err != nil {
		t.Fatal(err)
	}
	if out != xi || len(inf.Feeds()) != 0 {
		t.Error("the inference graph has a mask: it must pass inputs through")
	}
}

func TestLayerErrors(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  string
	}{
		{"dense units", &layers.Dense{Units: -3}, layers.Shape{2}, "units must be > 0, got -3"},
		{"dense rank", &layers.Dense{Units: 3}, layers.Shape{}, "expected input shape (None, ..., features), got (None)"},
		{"dense activation", &layers.Dense{Units: 3, Activation: "nope"}, layers.Shape{2}, `unknown activation "nope"`},
		{"dropout rate", &layers.Dropout{Rate: -0.1}, layers.Shape{2}, "rate must be in [0, 1), got -0.1"},
		{"reshape size", &layers.Reshape{Target: []int{5}}, layers.Shape{2, 3}, "cannot reshape input (None, 2, 3) (6 values) to [5]"},
		{"reshape two -1", &layers.Reshape{Target: []int{-1, -1}}, layers.Shape{4}, "more than one -1"},
		{"reshape empty", &layers.Reshape{}, layers.Shape{4}, "target shape is empty"},
		{"flatten nothing", &layers.Flatten{}, layers.Shape{}, "no dimensions"},
		{"input mismatch", &layers.Input{Shape: layers.Shape{3}}, layers.Shape{4}, "expected shape (None, 3), got (None, 4)"},
		{"activation name", &layers.Activation{Func: "relux"}, layers.Shape{4}, `unknown activation "relux"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.layer, tt.in, tensor.Float32)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), tt.layer.Kind()) {
				t.Errorf("error %q does not name the layer kind %q", err, tt.layer.Kind())
			}
		})
	}
}
