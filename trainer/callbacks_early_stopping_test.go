package trainer_test

import (
	"context"
	"math"
	"testing"

	"github.com/profundo/profundo/trainer"
)

// A wide network on 60 samples overfits within a few epochs: validation
// loss falls, then rises. EarlyStopping stops Patience epochs after the
// best and leaves the model with the weights that scored best.
func TestEarlyStoppingRestoresBestWeights(t *testing.T) {
	parts := digitsSlices(t, 60, 300)
	train, val := parts[0], parts[1]
	m := classifier(t, 256, 1e-2, 1)
	es := &trainer.EarlyStopping{Patience: 3, RestoreBestWeights: true}
	const epochs = 100
	hist, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{
		Epochs: epochs, BatchSize: 32, ValidationData: valData(val), Seed: 1, Silent: true,
		Callbacks: []trainer.Callback{es},
	})
	if err != nil {
		t.Fatal(err)
	}
	vl := hist.Values["val_loss"]
	best := 0
	for i, v := range vl {
		if v < vl[best] {
			best = i
		}
	}
	t.Logf("val_loss by epoch: %.4f", vl)
	t.Logf("best epoch %d (val_loss %.6f), stopped at epoch %d", best, vl[best], es.StoppedEpoch())
	if len(vl) >= epochs {
		t.Fatalf("ran all %d epochs; the run should overfit and stop early", epochs)
	}
	if es.BestEpoch() != best || es.BestValue() != vl[best] {
		t.Errorf("BestEpoch %d, BestValue %v; the history's best is epoch %d, %v", es.BestEpoch(), es.BestValue(), best, vl[best])
	}
	if got, want := es.StoppedEpoch(), best+3; got != want || len(vl) != want+1 {
		t.Errorf("stopped at epoch %d after %d epochs; want epoch %d (best %d + patience 3)", got, len(vl), want, best)
	}
	if vl[len(vl)-1] <= vl[best] {
		t.Errorf("the last val_loss %v is not worse than the best %v", vl[len(vl)-1], vl[best])
	}
	scores, err := m.Evaluate(context.Background(), val.X, val.Y)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("restored val_loss %.6f (best %.6f, difference %.3g)", scores["loss"], vl[best], scores["loss"]-vl[best])
	if math.Abs(scores["loss"]-vl[best]) > 1e-6 {
		t.Errorf("after Fit, val loss is %v; want the best epoch's %v", scores["loss"], vl[best])
	}
}

func TestEarlyStoppingRules(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	nan := math.NaN()
	cases := []struct {
		name    string
		cb      trainer.EarlyStopping
		monitor string
		values  []float64
		// epochs run, the epoch stopped at (-1: none) and the best epoch,
		// whose weights are restored.
		epochs, stopped, best int
	}{
		{"patience 0 stops at the first epoch without improvement", trainer.EarlyStopping{}, "val_loss", []float64{3, 2, 2.5, 1}, 3, 2, 1},
		{"patience 2 waits two epochs", trainer.EarlyStopping{Patience: 2}, "val_loss", []float64{3, 2, 2.5, 1.9, 2, 2.1, 0}, 6, 5, 3},
		{"equal is no improvement", trainer.EarlyStopping{Patience: 1}, "val_loss", []float64{3, 2, 2}, 3, 2, 1},
		{"min delta", trainer.EarlyStopping{MinDelta: 0.5, Patience: 1}, "val_loss", []float64{3, 2.8, 2.6, 2.4}, 2, 1, 0},
		{"no stop restores the best at the end", trainer.EarlyStopping{Patience: 5}, "val_loss", []float64{3, 1, 2}, 3, -1, 1},
		{"baseline never beaten keeps the patience running", trainer.EarlyStopping{Patience: 2, Baseline: f(1)}, "val_loss", []float64{3, 2.5, 2.6, 2.7}, 3, 2, 1},
		{"baseline beaten resets the patience", trainer.EarlyStopping{Patience: 2, Baseline: f(2.8)}, "val_loss", []float64{3, 2.5, 2.6, 2.7, 0}, 4, 3, 1},
		{"start from epoch ignores the warm-up", trainer.EarlyStopping{StartFromEpoch: 3}, "val_loss", []float64{1, 2, 3, 4, 5, 4}, 5, 4, 3},
		{"auto mode maximizes val_accuracy", trainer.EarlyStopping{}, "val_accuracy", []float64{0.5, 0.6, 0.55}, 3, 2, 1},
		{"min mode on val_accuracy", trainer.EarlyStopping{Mode: trainer.ModeMin}, "val_accuracy", []float64{0.5, 0.6, 0.55}, 2, 1, 0},
		{"max mode on a loss", trainer.EarlyStopping{Mode: trainer.ModeMax}, "val_loss", []float64{1, 2, 1.5}, 3, 2, 1},
		{"auto mode minimizes a val_ error", trainer.EarlyStopping{}, "val_mean_absolute_error", []float64{2, 1, 1.5}, 3, 2, 1},
		{"NaN never improves", trainer.EarlyStopping{Patience: 1}, "val_loss", []float64{3, nan, nan}, 2, 1, 0},
		{"the first epoch never stops", trainer.EarlyStopping{}, "val_loss", []float64{nan, 1}, 2, -1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := c.cb
			es.Monitor, es.RestoreBestWeights = c.monitor, true
			m := newFakeModel()
			// Run twice: a second Fit starts afresh.
			for run := 0; run < 2; run++ {
				epochs, err := drive(&es, m, c.monitor, c.values)
				if err != nil {
					t.Fatal(err)
				}
				if epochs != c.epochs || es.StoppedEpoch() != c.stopped || es.BestEpoch() != c.best {
					t.Errorf("run %d: %d epochs, stopped at %d, best %d; want %d, %d, %d",
						run, epochs, es.StoppedEpoch(), es.BestEpoch(), c.epochs, c.stopped, c.best)
				}
				if got := m.get(); got != float64(c.best) {
					t.Errorf("run %d: the model holds the weights of epoch %v, want the best, %d", run, got, c.best)
				}
			}
		})
	}
}

// Without RestoreBestWeights the model keeps the last epoch's weights and
// need not be Weighted.
func TestEarlyStoppingKeepsLastWeights(t *testing.T) {
	m := newFakeModel()
	es := &trainer.EarlyStopping{Patience: 1}
	if _, err := drive(es, m, "val_loss", []float64{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	if es.StoppedEpoch() != 1 || m.get() != 1 {
		t.Errorf("stopped at %d with the weights of epoch %v; want 1 and 1", es.StoppedEpoch(), m.get())
	}
	if _, err := drive(&trainer.EarlyStopping{Monitor: "loss"}, bareModel{}, "loss", []float64{1, 2}); err != nil {
		t.Errorf("a model without weights: %v", err)
	}
}
