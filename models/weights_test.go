package models_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// rare keeps only the first keep samples of class c.
func rare(t *testing.T, d *datasets.Dataset, c float64, keep int) *datasets.Dataset {
	t.Helper()
	var rows []int
	for i, y := range d.Y.Data().([]float64) {
		if y == c {
			if keep == 0 {
				continue
			}
			keep--
		}
		rows = append(rows, i)
	}
	out, err := d.Subset(rows)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func recallOf(t *testing.T, m *models.Sequential, test *datasets.Dataset, c int) float64 {
	t.Helper()
	ps, err := m.Predict(context.Background(), test.X)
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	probs := p.Data().([]float32)
	hit, total := 0, 0
	for i, y := range test.Y.Data().([]float64) {
		if int(y) != c {
			continue
		}
		total++
		best := 0
		for k := 1; k < 10; k++ {
			if probs[i*10+k] > probs[i*10+best] {
				best = k
			}
		}
		if best == c {
			hit++
		}
	}
	return float64(hit) / float64(total)
}

// A class-weighted run on data where one class is rare recalls more of that
// class than the unweighted run with the same seed.
func TestClassWeightsRaiseMinorityRecall(t *testing.T) {
	train, test := digits(t)
	imbalanced := rare(t, train, 9, 6)
	fit := func(cw map[int]float64) float64 {
		m := models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, &layers.Dense{Units: 32, Activation: layers.ReLU}, &layers.Dense{Units: 10, Activation: layers.Softmax})
		if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 3e-3}, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Fit(context.Background(), imbalanced.X, imbalanced.Y, trainer.FitConfig{Epochs: 8, Seed: 1, Silent: true, ClassWeight: cw}); err != nil {
			t.Fatal(err)
		}
		return recallOf(t, m, test, 9)
	}
	plain, weighted := fit(nil), fit(map[int]float64{9: 20})
	t.Logf("class 9 recall: unweighted %.3f, weighted %.3f", plain, weighted)
	if !(weighted > plain) {
		t.Errorf("class 9 recall with class weights %.3f, without %.3f: the weights did not help", weighted, plain)
	}
}

// Weights of one are the unweighted run.
func TestUnitSampleWeights(t *testing.T) {
	train, _ := digits(t)
	ones := make([]float64, train.Len())
	for i := range ones {
		ones[i] = 1
	}
	run := func(w *tensor.Dense) []float64 {
		m := mlp(t, 2)
		h, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 2, Seed: 2, Silent: true, SampleWeight: w})
		if err != nil {
			t.Fatal(err)
		}
		return h.Values["loss"]
	}
	plain, weighted := run(nil), run(tensor.New(tensor.WithShape(len(ones)), tensor.WithBacking(ones)))
	for i := range plain {
		if math.Abs(plain[i]-weighted[i]) > 1e-4*plain[i] {
			t.Errorf("epoch %d: loss %v unweighted, %v with unit weights", i, plain[i], weighted[i])
		}
	}
}

func TestWeightErrors(t *testing.T) {
	train, _ := digits(t)
	bad := func(vals ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(vals))
	}
	n := train.Len()
	neg := make([]float64, n)
	neg[3] = -1
	tests := []struct {
		name string
		cfg  trainer.FitConfig
		want string
	}{
		{"unknown class", trainer.FitConfig{ClassWeight: map[int]float64{12: 2}}, "class weight for class 12, the model has classes 0 to 9"},
		{"negative class weight", trainer.FitConfig{ClassWeight: map[int]float64{1: -2}}, "class weight -2 for class 1"},
		{"short sample weights", trainer.FitConfig{SampleWeight: bad(1, 2)}, "sample weights have shape (2)"},
		{"negative sample weight", trainer.FitConfig{SampleWeight: bad(neg...)}, "sample weight -1 at row 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Silent = true
			_, err := mlp(t, 1).Fit(context.Background(), train.X, train.Y, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// A weighted metric weighs each sample as the loss does; the unweighted one
// beside it does not.
func TestWeightedMetric(t *testing.T) {
	train, _ := digits(t)
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, &layers.Dense{Units: 10, Activation: layers.Softmax})
	acc := &metrics.Accuracy{}
	wacc := &metrics.Weighted{Of: &metrics.Accuracy{}}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{acc, wacc}}); err != nil {
		t.Fatal(err)
	}
	// Only class 0 counts: the weighted accuracy is the accuracy on zeros.
	w := make([]float64, train.Len())
	for i, y := range train.Y.Data().([]float64) {
		if y == 0 {
			w[i] = 1
		}
	}
	h, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 1, BatchSize: train.Len(), NoShuffle: true, Silent: true,
		SampleWeight: tensor.New(tensor.WithShape(len(w)), tensor.WithBacking(w))})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := h.Last("weighted_accuracy")
	plain, _ := h.Last("accuracy")
	if got == plain {
		t.Errorf("weighted accuracy %v equals the unweighted %v", got, plain)
	}
	// The one batch was the whole set, scored before the step: the same
	// untrained model's accuracy on the zeros.
	twin := models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, &layers.Dense{Units: 10, Activation: layers.Softmax})
	if err := twin.Build(nil); err != nil {
		t.Fatal(err)
	}
	zeros, err := train.Subset(func() (rows []int) {
		for i, v := range w {
			if v == 1 {
				rows = append(rows, i)
			}
		}
		return rows
	}())
	if err != nil {
		t.Fatal(err)
	}
	if want := recallOf(t, twin, zeros, 0); math.Abs(got-want) > 1e-9 {
		t.Errorf("weighted accuracy %v, the accuracy on the weighted samples is %v", got, want)
	}
}
