package models_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// A run cancelled while it validates an epoch stops with that epoch
// trained; a checkpoint taken there and resumed ends with the weights of a
// run never stopped, also when the epoch was the last.
func TestInterruptDuringValidation(t *testing.T) {
	train, _ := digits(t)
	const epochs = 4
	cfg := trainer.FitConfig{Epochs: epochs, Seed: 3, ValidationSplit: 0.2, Silent: true}
	whole := mlp(t, 5)
	if _, err := whole.Fit(context.Background(), train.X, train.Y, cfg); err != nil {
		t.Fatal(err)
	}
	for _, stopAfter := range []int{1, epochs - 1} {
		m := mlp(t, 5)
		ctx, cancel := context.WithCancel(context.Background())
		c := cfg
		// Cancel once the epoch's last batch is trained: the validation
		// that follows sees the cancelled context.
		c.Callbacks = []trainer.Callback{trainer.CallbackFunc(func(e *trainer.Event) error {
			if e.Kind == trainer.BatchEnd && e.Epoch == stopAfter && e.Batch == e.Steps-1 {
				cancel()
			}
			return nil
		})}
		_, err := m.Fit(ctx, train.X, train.Y, c)
		cancel()
		var stop *trainer.Interrupted
		if !errors.As(err, &stop) || stop.Epoch != stopAfter+1 || stop.Batch != 0 {
			t.Fatalf("stopped in epoch %d's validation: err = %v, want an Interrupted at epoch %d, batch 0", stopAfter+1, err, stopAfter+2)
		}
		path := filepath.Join(t.TempDir(), "ckpt")
		if err := m.SaveCheckpoint(path, models.Checkpoint{Epoch: stop.Epoch, Batch: stop.Batch, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		r, err := models.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if stop.Epoch < epochs {
			c := cfg
			c.InitialEpoch, c.InitialBatch = stop.Epoch, stop.Batch
			if _, err := r.Fit(context.Background(), train.X, train.Y, c); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(weightsOf(r), weightsOf(whole)) {
			t.Errorf("stopped in epoch %d's validation and resumed: the weights differ from the uninterrupted run's", stopAfter+1)
		}
	}
}
