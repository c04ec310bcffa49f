package trainer_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/trainer"
)

func TestLearningRateSchedulerSetsEachEpoch(t *testing.T) {
	d := digitsSlices(t, 64)[0]
	m := classifier(t, 16, 0.01, 1)
	var got, seen []float64
	sched := &trainer.LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 {
		seen = append(seen, lr)
		return 0.01 / float64(epoch+1)
	}}
	record := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchBegin && e.Batch == 0 {
			got = append(got, e.Solver.LearningRate())
		}
		return nil
	})
	if _, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 4, BatchSize: 16, Silent: true,
		Callbacks: []trainer.Callback{sched, record}}); err != nil {
		t.Fatal(err)
	}
	want := []float64{0.01, 0.01 / 2, 0.01 / 3, 0.01 / 4}
	if !slices.Equal(got, want) {
		t.Errorf("rates of the epochs' first batches %v, want %v", got, want)
	}
	// The schedule is given the rate in force: the last epoch's.
	if wantSeen := []float64{0.01, 0.01, 0.01 / 2, 0.01 / 3}; !slices.Equal(seen, wantSeen) {
		t.Errorf("the schedule was given %v, want %v", seen, wantSeen)
	}
}

func TestLearningRateSchedulerBadRates(t *testing.T) {
	d := digitsSlices(t, 32)[0]
	for _, bad := range []float64{-0.1, 0, math.NaN(), math.Inf(1)} {
		m := classifier(t, 8, 0.01, 1)
		sched := &trainer.LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 {
			if epoch == 2 {
				return bad
			}
			return lr
		}}
		hist, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 5, Silent: true,
			Callbacks: []trainer.Callback{sched}})
		if err == nil {
			t.Errorf("schedule giving %v: no error", bad)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "epoch 3") || !strings.Contains(msg, "= "+fmt.Sprint(bad)) {
			t.Errorf("schedule giving %v: error %q does not name epoch 3 and the value", bad, msg)
		}
		if len(hist.Epochs) != 2 {
			t.Errorf("schedule giving %v: %d epochs ran, want 2", bad, len(hist.Epochs))
		}
	}
}

// fixedSolver is a solver whose rate follows a schedule of its own: it
// ignores SetLearningRate, as optimizers' solvers with a Schedule do.
type fixedSolver struct{}

func (fixedSolver) Step([]gorgonia.ValueGrad) error { return nil }
func (fixedSolver) LearningRate() float64           { return 0.1 }
func (fixedSolver) SetLearningRate(float64)         {}

// A rate callback on a solver that ignores SetLearningRate is an error at
// the start of Fit, not a silent no-op.
func TestRateCallbacksRefuseAScheduledSolver(t *testing.T) {
	names := []string{"loss", "val_loss"}
	for _, cb := range []trainer.Callback{
		&trainer.LearningRateScheduler{Schedule: func(int, float64) float64 { return 1 }},
		&trainer.ReduceLROnPlateau{},
	} {
		err := cb.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names, Model: bareModel{}, Solver: fixedSolver{}})
		if err == nil || !strings.Contains(err.Error(), "ignores SetLearningRate") {
			t.Errorf("%T: error %v, want one saying the solver ignores SetLearningRate", cb, err)
		}
	}
}
