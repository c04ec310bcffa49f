package trainer_test

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// TestDirectTrainMatchesTapeMachine trains models of dense, dropout, batch
// normalization, convolutional and recurrent layers and a functional model
// of two outputs for two epochs and evaluates them, once with the training
// and evaluation graphs run directly and once on Gorgonia's tape machine:
// the losses, Evaluate's loss and the weights are the same, bit for bit, and
// no graph falls back to the machine.
func TestDirectTrainMatchesTapeMachine(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	random := func(shape ...int) *tensor.Dense {
		x := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
		for i := range x.Data().([]float32) {
			x.Data().([]float32)[i] = float32(rng.NormFloat64())
		}
		return x
	}
	labels := func(n, classes int) *tensor.Dense {
		y := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(n))
		for i := range y.Data().([]float32) {
			y.Data().([]float32)[i] = float32(rng.Intn(classes))
		}
		return y
	}
	const n = 40
	seq := func(ls ...layers.Layer) func() *models.Functional {
		return func() *models.Functional {
			m := models.NewSequential(ls...)
			if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 0.01}, Seed: 3}); err != nil {
				t.Fatal(err)
			}
			return m.Model()
		}
	}
	cases := []struct {
		name  string
		model func() *models.Functional
		x, y  []*tensor.Dense
	}{
		{"mlp", func() *models.Functional {
			return seq(&layers.Input{Shape: layers.Shape{8}}, &layers.Dense{Units: 16, Activation: layers.ReLU}, &layers.Dropout{Rate: 0.3},
				&layers.BatchNormalization{}, &layers.Dense{Units: 4, Activation: layers.Softmax})()
		}, []*tensor.Dense{random(n, 8)}, []*tensor.Dense{labels(n, 4)}},
		{"cnn", func() *models.Functional {
			return seq(&layers.Input{Shape: layers.Shape{6, 6, 1}}, &layers.Conv2D{Filters: 3, KernelSize: []int{3, 3}, Padding: "same", Activation: layers.ReLU},
				&layers.MaxPooling2D{}, &layers.Flatten{}, &layers.Dense{Units: 3, Activation: layers.Softmax})()
		}, []*tensor.Dense{random(n, 6, 6, 1)}, []*tensor.Dense{labels(n, 3)}},
		{"rnn", func() *models.Functional {
			return seq(&layers.Input{Shape: layers.Shape{5, 2}}, &layers.LSTM{Units: 4, ReturnSequences: true}, &layers.GRU{Units: 3},
				&layers.Dense{Units: 2, Activation: layers.Softmax})()
		}, []*tensor.Dense{random(n, 5, 2)}, []*tensor.Dense{labels(n, 2)}},
		{"functional", func() *models.Functional {
			a, b := models.Input("a", 4), models.Input("b", 3)
			h := models.Apply(&layers.Dense{Units: 6, Activation: layers.Tanh}, models.Merge(&layers.Concatenate{}, a, b))
			label := models.Apply(&layers.Dense{Name: "label", Units: 3, Activation: layers.Softmax}, h)
			score := models.Apply(&layers.Dense{Name: "score", Units: 1}, h)
			m, err := models.NewFunctional([]*models.Node{a, b}, []*models.Node{label, score})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Compile(models.Config{Losses: map[string]losses.Loss{"label": losses.SparseCategoricalCrossentropy{}, "score": losses.MeanSquaredError{}},
				Optimizer: optimizers.Adam{LearningRate: 0.01}, Seed: 3}); err != nil {
				t.Fatal(err)
			}
			return m
		}, []*tensor.Dense{random(n, 4), random(n, 3)}, []*tensor.Dense{labels(n, 3), random(n, 1)}},
	}
	defer func(v int) { *trainer.DirectTrainNodes = v }(*trainer.DirectTrainNodes)
	fallbacks := trainer.DirectFallbacks.Load()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var losses [2][]float64
			var weights [2][]float32
			for k, limit := range []int{0, math.MaxInt} { // direct, then the tape machine
				*trainer.DirectTrainNodes = limit
				m := c.model()
				h, err := m.Fit(context.Background(), c.x, c.y, trainer.FitConfig{Epochs: 2, BatchSize: 8, Seed: 5, Silent: true})
				if err != nil {
					t.Fatal(err)
				}
				losses[k] = h.Values["loss"]
				scores, err := m.Evaluate(context.Background(), c.x, c.y)
				if err != nil {
					t.Fatal(err)
				}
				losses[k] = append(losses[k], scores["loss"])
				for _, w := range m.Weights() {
					weights[k] = append(weights[k], w.Value.Data().([]float32)...)
				}
			}
			if len(losses[0]) != 3 || losses[0][0] != losses[1][0] || losses[0][1] != losses[1][1] || losses[0][2] != losses[1][2] {
				t.Errorf("losses of the two epochs and Evaluate's: direct %v, tape machine %v", losses[0], losses[1])
			}
			if len(weights[0]) == 0 || len(weights[0]) != len(weights[1]) {
				t.Fatalf("%d and %d weight values", len(weights[0]), len(weights[1]))
			}
			for i := range weights[0] {
				if math.Float32bits(weights[0][i]) != math.Float32bits(weights[1][i]) {
					t.Fatalf("weight value %d: direct %v, tape machine %v", i, weights[0][i], weights[1][i])
				}
			}
		})
	}
	if d := trainer.DirectFallbacks.Load() - fallbacks; d != 0 {
		t.Errorf("%d graphs fell back to the tape machine", d)
	}
}

// TestDeepSpecTrains trains a model spec of 2,000 dense layers (a training
// graph of tens of thousands of nodes, which runs directly) for an epoch:
// the loss is finite and the top layers' kernels moved. (The gradient of
// the bottom layers vanishes to zero through so many tanh layers, on any
// machine.)
func TestDeepSpecTrains(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 2,000 layers: not in -short runs")
	}
	const depth = 2000
	var spec strings.Builder
	spec.WriteString(`{"input_shape": [8], "layers": [`)
	for i := 0; i < depth; i++ {
		spec.WriteString(`{"kind": "dense", "config": {"units": 4, "activation": "tanh"}}, `)
	}
	spec.WriteString(`{"kind": "dense", "config": {"units": 3, "activation": "softmax"}}], "compile": {"loss": {"kind": "sparse_categorical_crossentropy"}, "optimizer": {"kind": "adam"}}}`)
	m, err := models.FromSpec(strings.NewReader(spec.String()), models.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ws := m.Weights()
	first := ws[len(ws)-2] // the softmax layer's kernel
	before := append([]float32(nil), first.Value.Data().([]float32)...)
	rng := rand.New(rand.NewSource(4))
	x := tensor.New(tensor.WithShape(64, 8), tensor.WithBacking(make([]float32, 64*8)))
	y := tensor.New(tensor.WithShape(64), tensor.WithBacking(make([]float32, 64)))
	for i := range x.Data().([]float32) {
		x.Data().([]float32)[i] = float32(rng.NormFloat64())
	}
	for i := range y.Data().([]float32) {
		y.Data().([]float32)[i] = float32(rng.Intn(3))
	}
	h, err := m.Fit(context.Background(), x, y, trainer.FitConfig{Epochs: 1, BatchSize: 32, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if loss := h.Values["loss"]; len(loss) != 1 || math.IsNaN(loss[0]) || math.IsInf(loss[0], 0) {
		t.Errorf("loss %v, want one finite value", loss)
	}
	moved := false
	for i, v := range first.Value.Data().([]float32) {
		moved = moved || v != before[i]
	}
	if !moved {
		t.Errorf("%s did not change in an epoch", first.Name)
	}
}
