package trainer_test

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// A callback sees every event of Fit; returning ErrStop ends training
// cleanly.
func ExampleCallbackFunc() {
	data, _ := datasets.Digits()
	train, _, _ := datasets.TrainTestSplit(data, 0.2, rand.New(rand.NewSource(1)), true)
	m := models.NewSequential(&layers.Dense{Units: 32, Activation: layers.ReLU}, &layers.Dense{Units: 10, Activation: layers.Softmax})
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{&metrics.Accuracy{}}}); err != nil {
		fmt.Println(err)
		return
	}
	stopAt := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.EpochEnd && e.Logs["val_accuracy"] >= 0.9 {
			return trainer.ErrStop
		}
		return nil
	})
	hist, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{
		Epochs: 100, ValidationSplit: 0.2, Silent: true, Callbacks: []trainer.Callback{stopAt},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	last, _ := hist.Last("val_accuracy")
	fmt.Println("stopped early:", len(hist.Epochs) < 100, "at val_accuracy >= 0.9:", last >= 0.9)
	// Output:
	// stopped early: true at val_accuracy >= 0.9: true
}
