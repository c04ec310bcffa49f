package trainer_test

import (
	"errors"
	"math"
	"testing"

	"github.com/profundo/profundo/trainer"
)

func TestTerminateOnNaN(t *testing.T) {
	names := []string{"loss", "accuracy", "val_loss", "val_accuracy"}
	cases := []struct {
		name   string
		kind   trainer.EventKind
		logs   trainer.Logs
		reason string // "" means no stop
	}{
		{"finite batch", trainer.BatchEnd, trainer.Logs{"loss": 1, "accuracy": 0.5}, ""},
		{"NaN batch loss", trainer.BatchEnd, trainer.Logs{"loss": math.NaN(), "accuracy": 0.5}, "epoch 2, batch 4: loss is NaN"},
		{"infinite val_loss", trainer.EpochEnd, trainer.Logs{"loss": 1, "accuracy": 0.5, "val_loss": math.Inf(1), "val_accuracy": 0.5}, "epoch 2: val_loss is +Inf"},
		{"the first in display order", trainer.EpochEnd, trainer.Logs{"loss": 1, "accuracy": math.Inf(-1), "val_loss": math.NaN()}, "epoch 2: accuracy is -Inf"},
		{"a value not in Names", trainer.EpochEnd, trainer.Logs{"loss": 1, "learning_rate": math.NaN()}, "epoch 2: learning_rate is NaN"},
		{"NaN at a batch begin is not checked", trainer.BatchBegin, trainer.Logs{"loss": math.NaN()}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cb trainer.TerminateOnNaN
			if err := cb.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names}); err != nil {
				t.Fatal(err)
			}
			err := cb.On(&trainer.Event{Kind: c.kind, Epoch: 1, Batch: 3, Names: names, Logs: c.logs})
			reason, stopped := cb.Terminated()
			if c.reason == "" {
				if err != nil || stopped {
					t.Errorf("error %v, terminated %v (%q); want neither", err, stopped, reason)
				}
				return
			}
			if !errors.Is(err, trainer.ErrStop) || !stopped || reason != c.reason {
				t.Errorf("error %v, terminated %v, reason %q; want ErrStop and %q", err, stopped, reason, c.reason)
			}
			// A new Fit starts afresh.
			if err := cb.On(&trainer.Event{Kind: trainer.TrainBegin, Names: names}); err != nil {
				t.Fatal(err)
			}
			if _, stopped := cb.Terminated(); stopped {
				t.Error("still terminated after TrainBegin")
			}
		})
	}
}
