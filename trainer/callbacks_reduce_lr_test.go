package trainer_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// trainedAdam returns the Adam solver of a digits classifier after one
// epoch of real steps, so its moments are not zero, and its model.
func trainedAdam(t *testing.T, lr float64) (optimizers.Solver, trainer.Model) {
	t.Helper()
	d := digitsSlices(t, 64)[0]
	m := classifier(t, 16, lr, 1)
	if _, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{BatchSize: 16, Silent: true}); err != nil {
		t.Fatal(err)
	}
	return m.Solver(), m
}

func TestReduceLROnPlateau(t *testing.T) {
	const lr0 = 0.01
	// reduced returns lr0 after n reductions by f, as the callback computes
	// them.
	reduced := func(f float64, n int) float64 {
		lr := lr0
		for range n {
			lr *= f
		}
		return lr
	}
	flat := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	cases := []struct {
		name    string
		cb      trainer.ReduceLROnPlateau
		monitor string
		values  []float64
		want    []float64 // the rate after each epoch
	}{
		{"patience 2", trainer.ReduceLROnPlateau{Factor: 0.5, Patience: 2}, "val_loss", flat(5),
			[]float64{lr0, lr0, reduced(0.5, 1), reduced(0.5, 1), reduced(0.5, 2)}},
		{"defaults: factor 0.1 after 10 epochs", trainer.ReduceLROnPlateau{}, "val_loss", flat(12),
			[]float64{lr0, lr0, lr0, lr0, lr0, lr0, lr0, lr0, lr0, lr0, reduced(0.1, 1), reduced(0.1, 1)}},
		{"cooldown", trainer.ReduceLROnPlateau{Factor: 0.5, Patience: 1, Cooldown: 2}, "val_loss", flat(6),
			[]float64{lr0, reduced(0.5, 1), reduced(0.5, 1), reduced(0.5, 2), reduced(0.5, 2), reduced(0.5, 3)}},
		{"min lr", trainer.ReduceLROnPlateau{Factor: 0.1, Patience: 1, MinLR: 0.3 * lr0}, "val_loss", flat(4),
			[]float64{lr0, 0.3 * lr0, 0.3 * lr0, 0.3 * lr0}},
		{"min delta", trainer.ReduceLROnPlateau{Factor: 0.5, Patience: 1, MinDelta: 0.1}, "val_loss", []float64{1, 0.95, 0.8, 0.79},
			[]float64{lr0, reduced(0.5, 1), reduced(0.5, 1), reduced(0.5, 2)}},
		{"improvements reset the wait", trainer.ReduceLROnPlateau{Factor: 0.5, Patience: 2}, "val_loss", []float64{5, 5, 4, 4, 3, 3, 3},
			[]float64{lr0, lr0, lr0, lr0, lr0, lr0, reduced(0.5, 1)}},
		{"auto mode maximizes val_accuracy", trainer.ReduceLROnPlateau{Factor: 0.5, Patience: 1}, "val_accuracy", []float64{0.5, 0.6, 0.7, 0.65},
			[]float64{lr0, lr0, lr0, reduced(0.5, 1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			solver, model := trainedAdam(t, lr0)
			before := solver.(optimizers.Stateful).State()
			if before.Steps == 0 || len(before.Slots) == 0 {
				t.Fatalf("the solver took %d steps, has %d slots; want some", before.Steps, len(before.Slots))
			}
			cb := c.cb
			cb.Monitor = c.monitor
			names := []string{"loss", "accuracy", "val_loss", "val_accuracy"}
			if err := cb.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names, Model: model, Solver: solver}); err != nil {
				t.Fatal(err)
			}
			for epoch, v := range c.values {
				e := &trainer.Event{Kind: trainer.EpochEnd, Epoch: epoch, Names: names, Model: model, Solver: solver,
					Logs: trainer.Logs{"loss": 1, "accuracy": 0.5, "val_loss": 1, "val_accuracy": 0.5, c.monitor: v}}
				if err := cb.On(e); err != nil {
					t.Fatal(err)
				}
				if got := solver.LearningRate(); got != c.want[epoch] {
					t.Errorf("after epoch %d the rate is %v, want %v", epoch, got, c.want[epoch])
				}
			}
			after := solver.(optimizers.Stateful).State()
			if after.Steps != before.Steps || !sameSlots(before.Slots, after.Slots) {
				t.Errorf("the rate changes touched the solver's state (steps %d -> %d)", before.Steps, after.Steps)
			}
		})
	}
}

// sameSlots reports whether two solver states hold bit-identical slots.
func sameSlots(a, b [][]*tensor.Dense) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for k := range a[i] {
			x, y := a[i][k].Data().([]float32), b[i][k].Data().([]float32)
			if len(x) != len(y) || !a[i][k].Shape().Eq(b[i][k].Shape()) {
				return false
			}
			for j := range x {
				if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
					return false
				}
			}
		}
	}
	return true
}

// In a real Fit, a loss that never improves by MinDelta lowers the rate at
// the end of every epoch after the first, and training goes on from the
// same moments.
func TestReduceLROnPlateauInFit(t *testing.T) {
	d := digitsSlices(t, 64)[0]
	m := classifier(t, 16, 0.01, 1)
	var rates []float64
	var states []optimizers.State
	record := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.EpochEnd {
			rates = append(rates, e.Solver.LearningRate())
			states = append(states, e.Solver.(optimizers.Stateful).State())
		}
		return nil
	})
	cb := &trainer.ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Patience: 1, MinDelta: 10}
	_, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 4, BatchSize: 16, Silent: true,
		Callbacks: []trainer.Callback{cb, record}})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.01, 0.005, 0.0025, 0.00125}
	if !slices.Equal(rates, want) {
		t.Errorf("rates after each epoch %v, want %v", rates, want)
	}
	// Training went on from the moments: the state moved between epochs.
	if states[1].Steps != states[0].Steps+4 || sameSlots(states[0].Slots, states[1].Slots) {
		t.Errorf("the solver's state did not move between epochs: steps %d -> %d", states[0].Steps, states[1].Steps)
	}
}
