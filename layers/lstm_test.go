package layers_test

import (
	"math"
	"reflect"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestLSTMPassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"last step", &layers.LSTM{Units: 2}, layers.Shape{4, 3}, layers.Shape{2}, layertest.Options{}},
		{"sequences", &layers.LSTM{Units: 2, ReturnSequences: true}, layers.Shape{4, 3}, layers.Shape{4, 2}, layertest.Options{}},
		{"backwards", &layers.LSTM{Units: 2, GoBackwards: true}, layers.Shape{4, 3}, layers.Shape{2}, layertest.Options{}},
		{"backwards sequences", &layers.LSTM{Units: 2, GoBackwards: true, ReturnSequences: true}, layers.Shape{4, 3}, layers.Shape{4, 2}, layertest.Options{}},
		{"no bias, relu, no forget bias", &layers.LSTM{Units: 3, NoBias: true, Activation: layers.ReLU, NoUnitForgetBias: true}, layers.Shape{3, 2}, layers.Shape{3}, layertest.Options{}},
		{"one step", &layers.LSTM{Units: 2, ReturnSequences: true}, layers.Shape{1, 3}, layers.Shape{1, 2}, layertest.Options{}},
		{"training", &layers.LSTM{Units: 2, ReturnSequences: true}, layers.Shape{4, 3}, layers.Shape{4, 2}, layertest.Options{Training: true}},
		{"training dropout", &layers.LSTM{Units: 2, Dropout: 0.3, RecurrentDropout: 0.4}, layers.Shape{4, 3}, layers.Shape{2}, layertest.Options{Training: true, Seed: 2}},
		{"training recurrent dropout, sequences", &layers.LSTM{Units: 3, RecurrentDropout: 0.5, ReturnSequences: true, GoBackwards: true}, layers.Shape{3, 2}, layers.Shape{3, 3}, layertest.Options{Training: true, Seed: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

func TestLSTMWeights(t *testing.T) {
	l := &layers.LSTM{Name: "enc", Units: 4}
	if out := rnnBuild(t, l, layers.Shape{7, 3}, tensor.Float32, 1); !out.Equal(layers.Shape{4}) {
		t.Fatalf("output shape %v, want (None, 4)", out)
	}
	ws := l.Weights()
	wantNames := []string{"enc/kernel", "enc/recurrent_kernel", "enc/bias"}
	wantShapes := []tensor.Shape{{3, 16}, {4, 16}, {16}}
	if len(ws) != 3 {
		t.Fatalf("%d weights, want 3", len(ws))
	}
	for i, w := range ws {
		if w.Name != wantNames[i] || !w.Value.Shape().Eq(wantShapes[i]) || w.Value.Dtype() != tensor.Float32 || !w.Trainable {
			t.Errorf("weight %d is %q %v %v, want trainable float32 %q %v", i, w.Name, w.Value.Dtype(), w.Value.Shape(), wantNames[i], wantShapes[i])
		}
	}
	// Glorot uniform kernel: within sqrt(6 / (3 + 16)).
	for _, v := range rnnFloats(ws[0].Value) {
		if math.Abs(v) > math.Sqrt(6.0/19) || v == 0 {
			t.Fatalf("kernel value %v outside the Glorot uniform range", v)
		}
	}
	// Orthogonal recurrent kernel, [4, 16]: its rows are orthonormal.
	u := rnnFloats(ws[1].Value)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			dot := 0.0
			for k := 0; k < 16; k++ {
				dot += u[i*16+k] * u[j*16+k]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(dot-want) > 1e-5 {
				t.Fatalf("recurrent kernel rows %d·%d = %v, want %v", i, j, dot, want)
			}
		}
	}
	// Unit forget bias: the forget gate's units (4-7) start at one.
	checkBias := func(what string, got []float64, want func(i int) float64) {
		t.Helper()
		for i, v := range got {
			if v != want(i) {
				t.Fatalf("%s: bias %v, want %v at %d", what, got, want(i), i)
			}
		}
	}
	forget := func(i int) bool { return i >= 4 && i < 8 }
	checkBias("default", rnnFloats(ws[2].Value), func(i int) float64 {
		if forget(i) {
			return 1
		}
		return 0
	})
	nf := &layers.LSTM{Units: 4, NoUnitForgetBias: true}
	rnnBuild(t, nf, layers.Shape{7, 3}, tensor.Float64, 1)
	checkBias("no unit forget bias", rnnFloats(nf.Weights()[2].Value), func(int) float64 { return 0 })
	half := &layers.LSTM{Units: 4, BiasInitializer: layers.Constant{Value: 0.5}}
	rnnBuild(t, half, layers.Shape{7, 3}, tensor.Float64, 1)
	checkBias("constant 0.5", rnnFloats(half.Weights()[2].Value), func(i int) float64 {
		if forget(i) {
			return 1
		}
		return 0.5
	})
	nb := &layers.LSTM{Units: 4, NoBias: true}
	rnnBuild(t, nb, layers.Shape{7, 3}, tensor.Float64, 1)
	if n := len(nb.Weights()); n != 2 {
		t.Errorf("NoBias: %d weights, want 2", n)
	}
	// The same seed gives the same weights.
	again := &layers.LSTM{Name: "enc", Units: 4}
	rnnBuild(t, again, layers.Shape{7, 3}, tensor.Float32, 1)
	for i, w := range again.Weights() {
		if !reflect.DeepEqual(rnnFloats(w.Value), rnnFloats(ws[i].Value)) {
			t.Errorf("weight %q differs between two builds from one seed", w.Name)
		}
	}
}
