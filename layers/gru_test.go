package layers_test

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestGRUPassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"last step", &layers.GRU{Units: 2}, layers.Shape{4, 3}, layers.Shape{2}, layertest.Options{}},
		{"sequences", &layers.GRU{Units: 2, ReturnSequences: true}, layers.Shape{4, 3}, layers.Shape{4, 2}, layertest.Options{}},
		{"backwards", &layers.GRU{Units: 3, GoBackwards: true}, layers.Shape{3, 2}, layers.Shape{3}, layertest.Options{}},
		{"backwards sequences", &layers.GRU{Units: 2, GoBackwards: true, ReturnSequences: true}, layers.Shape{4, 3}, layers.Shape{4, 2}, layertest.Options{}},
		{"no bias, relu", &layers.GRU{Units: 3, NoBias: true, Activation: layers.ReLU}, layers.Shape{3, 2}, layers.Shape{3}, layertest.Options{}},
		{"nonzero biases", &layers.GRU{Units: 2, BiasInitializer: layers.RandomNormal{Stddev: 0.5}}, layers.Shape{3, 2}, layers.Shape{2}, layertest.Options{}},
		{"training", &layers.GRU{Units: 2, ReturnSequences: true}, layers.Shape{4, 3}, layers.Shape{4, 2}, layertest.Options{Training: true}},
		{"training dropout", &layers.GRU{Units: 2, Dropout: 0.3, RecurrentDropout: 0.4}, layers.Shape{4, 3}, layers.Shape{2}, layertest.Options{Training: true, Seed: 2}},
		{"training recurrent dropout, sequences", &layers.GRU{Units: 3, RecurrentDropout: 0.5, ReturnSequences: true}, layers.Shape{3, 2}, layers.Shape{3, 3}, layertest.Options{Training: true, Seed: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

func TestGRUWeights(t *testing.T) {
	l := &layers.GRU{Name: "g", Units: 4, ReturnSequences: true}
	if out := rnnBuild(t, l, layers.Shape{6, 3}, tensor.Float64, 1); !out.Equal(layers.Shape{6, 4}) {
		t.Fatalf("output shape %v, want (None, 6, 4)", out)
	}
	ws := l.Weights()
	wantNames := []string{"g/kernel", "g/recurrent_kernel", "g/bias"}
	wantShapes := []tensor.Shape{{3, 12}, {4, 12}, {2, 12}}
	if len(ws) != 3 {
		t.Fatalf("%d weights, want 3", len(ws))
	}
	for i, w := range ws {
		if w.Name != wantNames[i] || !w.Value.Shape().Eq(wantShapes[i]) {
			t.Errorf("weight %d is %q %v, want %q %v", i, w.Name, w.Value.Shape(), wantNames[i], wantShapes[i])
		}
	}
	for _, v := range rnnFloats(ws[2].Value) {
		if v != 0 {
			t.Fatalf("bias %v, want zeros", rnnFloats(ws[2].Value))
		}
	}
	nb := &layers.GRU{Units: 4, NoBias: true}
	rnnBuild(t, nb, layers.Shape{6, 3}, tensor.Float64, 1)
	if n := len(nb.Weights()); n != 2 {
		t.Errorf("NoBias: %d weights, want 2", n)
	}
}
