package models_test

import (
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
)

// digits returns the embedded digits set scaled to [0, 1], split 80/20
// stratified with seed 0.
func digits(t testing.TB) (train, test *datasets.Dataset) {
	t.Helper()
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d.X.Data().([]float64) {
		d.X.Data().([]float64)[i] = v / 16
	}
	train, test, err = datasets.TrainTestSplit(d, 0.2, rand.New(rand.NewSource(0)), true)
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}

// mlp returns a compiled 64-32-10 classifier with dropout.
func mlp(t testing.TB, seed int64) *models.Sequential {
	t.Helper()
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: 32, Activation: layers.ReLU},
		&layers.Dropout{Rate: 0.2},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err := m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 3e-3},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      seed,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randomMatrix returns an [rows, cols] float32 tensor of uniform values in
// [-1, 1).
func randomMatrix(rng *rand.Rand, rows, cols int) *tensor.Dense {
	data := make([]float32, rows*cols)
	for i := range data {
		data[i] = 2*rng.Float32() - 1
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))
}

// weightsOf copies every weight of m as float64 values, by name.
func weightsOf(m models.Model) map[string][]float64 {
	out := map[string][]float64{}
	for _, w := range m.Model().Weights() {
		switch d := w.Value.Data().(type) {
		case []float32:
			v := make([]float64, len(d))
			for i, x := range d {
				v[i] = float64(x)
			}
			out[w.Name] = v
		case []float64:
			out[w.Name] = append([]float64(nil), d...)
		}
	}
	return out
}
