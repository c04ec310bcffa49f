package trainer_test

import (
	"context"
	"fmt"

	"github.com/profundo/profundo/trainer"
)

// exampleShowRate returns a callback that prints the solver's learning
// rate at the end of each epoch.
func exampleShowRate() trainer.Callback {
	return trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.EpochEnd {
			fmt.Printf("epoch %d: rate %v\n", e.Epoch, e.Solver.LearningRate())
		}
		return nil
	})
}

// ReduceLROnPlateau halves the rate (Factor) once the loss has not
// improved by MinDelta for Patience epochs, down to MinLR. The loss here
// falls a hundredfold an epoch until it is too small to fall by 1e-3: from
// then on, every second epoch halves the rate, keeping the optimizer's
// state.
func ExampleReduceLROnPlateau() {
	m, err := exampleRegressor(0.2)
	if err != nil {
		fmt.Println(err)
		return
	}
	reduce := &trainer.ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Patience: 2, MinDelta: 1e-3, MinLR: 0.04}
	_, err = trainer.Fit(context.Background(), m, m.Solver(), nil, examplePlane(256, 1), trainer.FitConfig{
		Epochs: 10, BatchSize: 16, Seed: 1, Silent: true,
		Callbacks: []trainer.Callback{reduce, exampleShowRate()},
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// epoch 0: rate 0.2
	// epoch 1: rate 0.2
	// epoch 2: rate 0.2
	// epoch 3: rate 0.2
	// epoch 4: rate 0.1
	// epoch 5: rate 0.1
	// epoch 6: rate 0.05
	// epoch 7: rate 0.05
	// epoch 8: rate 0.04
	// epoch 9: rate 0.04
}

// LearningRateScheduler sets the rate at the start of each epoch from a
// function of the epoch and the current rate: here, keep it for two
// epochs, then halve it every epoch.
func ExampleLearningRateScheduler() {
	m, err := exampleRegressor(0.2)
	if err != nil {
		fmt.Println(err)
		return
	}
	schedule := &trainer.LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 {
		if epoch < 2 {
			return lr
		}
		return lr / 2
	}}
	_, err = trainer.Fit(context.Background(), m, m.Solver(), nil, examplePlane(64, 1), trainer.FitConfig{
		Epochs: 5, BatchSize: 16, Seed: 1, Silent: true,
		Callbacks: []trainer.Callback{schedule, exampleShowRate()},
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// epoch 0: rate 0.2
	// epoch 1: rate 0.2
	// epoch 2: rate 0.1
	// epoch 3: rate 0.05
	// epoch 4: rate 0.025
}
