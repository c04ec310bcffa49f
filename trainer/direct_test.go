package trainer_test

import (
	"context"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// predictor is what the comparison needs of a model.
type predictor = models.Model

// TestDirectPredictMatchesTapeMachine predicts with models of every kind
// of layer, once running the prediction graphs' ops directly and once on
// Gorgonia's tape machine: the outputs are the same, bit for bit, at batch
// sizes 1 and 5, run after run.
func TestDirectPredictMatchesTapeMachine(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	random := func(shape ...int) *tensor.Dense {
		x := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
		for i := range x.Data().([]float32) {
			x.Data().([]float32)[i] = float32(rng.NormFloat64())
		}
		return x
	}
	ids := func(n, steps, vocab int) *tensor.Dense {
		x := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(n, steps))
		for i := range x.Data().([]float32) {
			x.Data().([]float32)[i] = float32(rng.Intn(vocab))
		}
		return x
	}
	seq := func(ls ...layers.Layer) predictor {
		m := models.NewSequential(ls...)
		if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	functional := func() predictor {
		a, b := models.Input("a", 6), models.Input("b", 6)
		mean := models.Apply(&layers.Dense{Units: 3}, models.Merge(&layers.Add{}, a, b))
		logVar := models.Apply(&layers.Dense{Units: 3}, models.Merge(&layers.Maximum{}, a, b))
		z := models.Merge(&layers.Sampling{KLWeight: 1}, mean, logVar)
		out1 := models.Apply(&layers.Dense{Units: 2, Activation: layers.Softmax}, models.Merge(&layers.Concatenate{}, z, a))
		out2 := models.Apply(&layers.LayerNormalization{}, z)
		m, err := models.NewFunctional([]*models.Node{a, b}, []*models.Node{out1, out2})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name   string
		model  func() predictor
		inputs func(n int) []*tensor.Dense
	}{
		{"mlp", func() predictor {
			return seq(&layers.Input{Shape: layers.Shape{8}}, &layers.Dense{Units: 16, Activation: layers.ReLU}, &layers.Dropout{Rate: 0.5},
				&layers.BatchNormalization{}, &layers.Dense{Units: 4, Activation: layers.Softmax})
		}, func(n int) []*tensor.Dense { return []*tensor.Dense{random(n, 8)} }},
		{"cnn", func() predictor {
			return seq(&layers.Input{Shape: layers.Shape{8, 8, 1}}, &layers.Conv2D{Filters: 4, KernelSize: []int{3, 3}, Padding: "same", Activation: layers.ReLU},
				&layers.MaxPooling2D{}, &layers.Conv2D{Filters: 2, KernelSize: []int{3, 3}}, &layers.UpSampling2D{}, &layers.AveragePooling2D{},
				&layers.GlobalMaxPooling2D{}, &layers.Dense{Units: 3, Activation: layers.Sigmoid})
		}, func(n int) []*tensor.Dense { return []*tensor.Dense{random(n, 8, 8, 1)} }},
		{"rnn", func() predictor {
			return seq(&layers.Input{Shape: layers.Shape{7}}, &layers.Embedding{InputDim: 10, OutputDim: 4, MaskZero: true},
				&layers.Bidirectional{Layer: &layers.LSTM{Units: 3, ReturnSequences: true}}, &layers.GRU{Units: 3, ReturnSequences: true},
				&layers.TimeDistributed{Layer: &layers.Dense{Units: 2}}, &layers.SimpleRNN{Units: 2}, &layers.Dense{Units: 1})
		}, func(n int) []*tensor.Dense { return []*tensor.Dense{ids(n, 7, 10)} }},
		{"conv1d", func() predictor {
			return seq(&layers.Input{Shape: layers.Shape{9, 2}}, &layers.Conv1D{Filters: 3, KernelSize: 3, Padding: "causal"},
				&layers.MaxPooling1D{}, &layers.GlobalAveragePooling1D{}, &layers.Dense{Units: 2, Activation: layers.Tanh})
		}, func(n int) []*tensor.Dense { return []*tensor.Dense{random(n, 9, 2)} }},
		{"functional", functional, func(n int) []*tensor.Dense { return []*tensor.Dense{random(n, 6), random(n, 6)} }},
	}
	ctx := context.Background()
	fallbacks := trainer.DirectFallbacks.Load()
	defer func() {
		if n := trainer.DirectFallbacks.Load() - fallbacks; n != 0 {
			t.Errorf("%d prediction graphs fell back to the tape machine", n)
		}
	}()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{1, 5} {
				xs := c.inputs(n)
				var runs [2][][]float32
				for k, direct := range []bool{true, false} {
					*trainer.DirectPredict = direct
					m := c.model() // fresh graphs, same seed, same weights
					for r := 0; r < 2; r++ {
						outs, err := m.Model().Predict(ctx, xs)
						if err != nil {
							t.Fatal(err)
						}
						var flat []float32
						for _, o := range outs {
							flat = append(flat, o.Data().([]float32)...)
						}
						if r == 1 && len(runs[k]) > 0 {
							for i := range flat {
								if flat[i] != runs[k][0][i] {
									t.Fatalf("batch %d, direct %v: a second run gives %v at %d, the first %v", n, direct, flat[i], i, runs[k][0][i])
								}
							}
						}
						runs[k] = append(runs[k], flat)
					}
				}
				*trainer.DirectPredict = true
				a, b := runs[0][0], runs[1][0]
				if len(a) != len(b) {
					t.Fatalf("batch %d: %d outputs direct, %d on the tape machine", n, len(a), len(b))
				}
				for i := range a {
					if a[i] != b[i] {
						t.Fatalf("batch %d: output %d is %v direct, %v on the tape machine", n, i, a[i], b[i])
					}
				}
			}
		})
	}
}
