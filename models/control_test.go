package models_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// A kernel regularizer adds its penalty to the loss: the same model with
// and without it differ by exactly l2 * sum(W^2).
func TestRegularizerAddsToTheLoss(t *testing.T) {
	train, _ := digits(t)
	build := func(reg layers.Regularizer) *models.Sequential {
		m := models.NewSequential(&layers.Input{Shape: layers.Shape{64}},
			&layers.Dense{Name: "h", Units: 16, Activation: layers.ReLU, KernelRegularizer: reg},
			&layers.Dense{Units: 10, Activation: layers.Softmax})
		if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	plain, reg := build(nil), build(layers.L2{L2: 0.1})
	a, err := plain.Evaluate(context.Background(), train.X, train.Y)
	if err != nil {
		t.Fatal(err)
	}
	b, err := reg.Evaluate(context.Background(), train.X, train.Y)
	if err != nil {
		t.Fatal(err)
	}
	penalty := 0.0
	for _, v := range reg.Weights()[0].Value.Data().([]float32) {
		penalty += 0.1 * float64(v) * float64(v)
	}
	if got := b["loss"] - a["loss"]; math.Abs(got-penalty) > 1e-4*penalty {
		t.Errorf("regularized loss exceeds the plain one by %v, the penalty is %v", got, penalty)
	}
}

// A constraint holds after every step, and survives save and load.
func TestConstraintHoldsAfterTraining(t *testing.T) {
	train, _ := digits(t)
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Name: "h", Units: 16, Activation: layers.ReLU, KernelConstraint: layers.NonNeg{}},
		&layers.Dense{Units: 10, Activation: layers.Softmax, KernelConstraint: layers.MaxNorm{MaxValue: 0.5}})
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 2, Silent: true}); err != nil {
		t.Fatal(err)
	}
	for _, v := range m.Weights()[0].Value.Data().([]float32) {
		if v < 0 {
			t.Fatalf("kernel value %v under a non-negativity constraint", v)
		}
	}
	out := m.Weights()[2].Value.Data().([]float32) // [16, 10]
	for j := 0; j < 10; j++ {
		n := 0.0
		for i := 0; i < 16; i++ {
			n += float64(out[i*10+j]) * float64(out[i*10+j])
		}
		if math.Sqrt(n) > 0.5+1e-5 {
			t.Errorf("unit %d's incoming weights have norm %v over the max norm 0.5", j, math.Sqrt(n))
		}
	}
	path := filepath.Join(t.TempDir(), "m.zip")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Layers()[1].(*layers.Dense).KernelConstraint != (layers.NonNeg{}) {
		t.Error("the constraint did not survive save and load")
	}
}

// A learning-rate schedule sets the rate of every step, through Fit.
func TestScheduleThroughFit(t *testing.T) {
	train, _ := digits(t)
	sched := optimizers.ExponentialDecay{InitialLearningRate: 0.01, DecaySteps: 10, DecayRate: 0.5}
	m := models.NewSequential(&layers.Dense{Units: 10, Activation: layers.Softmax})
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{Schedule: sched}}); err != nil {
		t.Fatal(err)
	}
	var rates []float64
	cb := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd {
			rates = append(rates, e.Solver.LearningRate())
		}
		return nil
	})
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 1, BatchSize: 100, Silent: true, Callbacks: []trainer.Callback{cb}}); err != nil {
		t.Fatal(err)
	}
	for i, r := range rates {
		if want := sched.Rate(i + 1); math.Abs(r-want) > 1e-12 {
			t.Fatalf("after step %d the next rate is %v, the schedule says %v", i+1, r, want)
		}
	}
}
