package layers_test

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/layers/layertest"
)

func TestSimpleRNNPassesTheHarness(t *testing.T) {
	tests := []struct {
		name  string
		layer layers.Layer
		in    layers.Shape
		want  layers.Shape
		opt   layertest.Options
	}{
		{"last step", &layers.SimpleRNN{Units: 3}, layers.Shape{4, 2}, layers.Shape{3}, layertest.Options{}},
		{"sequences", &layers.SimpleRNN{Units: 3, ReturnSequences: true}, layers.Shape{4, 2}, layers.Shape{4, 3}, layertest.Options{}},
		{"backwards", &layers.SimpleRNN{Units: 2, GoBackwards: true}, layers.Shape{5, 3}, layers.Shape{2}, layertest.Options{}},
		{"backwards sequences", &layers.SimpleRNN{Units: 2, GoBackwards: true, ReturnSequences: true}, layers.Shape{5, 3}, layers.Shape{5, 2}, layertest.Options{}},
		{"no bias, sigmoid", &layers.SimpleRNN{Units: 2, NoBias: true, Activation: layers.Sigmoid}, layers.Shape{3, 3}, layers.Shape{2}, layertest.Options{}},
		{"training", &layers.SimpleRNN{Units: 3, ReturnSequences: true}, layers.Shape{4, 2}, layers.Shape{4, 3}, layertest.Options{Training: true}},
		{"training dropout", &layers.SimpleRNN{Units: 3, Dropout: 0.3, RecurrentDropout: 0.4}, layers.Shape{4, 2}, layers.Shape{3}, layertest.Options{Training: true, Seed: 2}},
		{"training recurrent dropout, sequences", &layers.SimpleRNN{Units: 3, RecurrentDropout: 0.5, ReturnSequences: true}, layers.Shape{4, 2}, layers.Shape{4, 3}, layertest.Options{Training: true, Seed: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layertest.Check(t, tt.layer, tt.in, tt.want, tt.opt)
		})
	}
}

func TestSimpleRNNWeights(t *testing.T) {
	l := &layers.SimpleRNN{Name: "rnn", Units: 4}
	rnnBuild(t, l, layers.Shape{6, 3}, tensor.Float32, 1)
	ws := l.Weights()
	wantNames := []string{"rnn/kernel", "rnn/recurrent_kernel", "rnn/bias"}
	wantShapes := []tensor.Shape{{3, 4}, {4, 4}, {4}}
	if len(ws) != 3 {
		t.Fatalf("%d weights, want 3", len(ws))
	}
	for i, w := range ws {
		if w.Name != wantNames[i] || !w.Value.Shape().Eq(wantShapes[i]) {
			t.Errorf("weight %d is %q %v, want %q %v", i, w.Name, w.Value.Shape(), wantNames[i], wantShapes[i])
		}
	}
	if (&layers.SimpleRNN{}).Weights() != nil {
		t.Error("an unbuilt layer lists weights")
	}
}
