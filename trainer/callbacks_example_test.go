package trainer_test

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// EarlyStopping ends training once the validation loss has not improved for
// Patience epochs and, with RestoreBestWeights, leaves the model with the
// weights of its best epoch. Here a wide network overfits 60 digits.
func ExampleEarlyStopping() {
	data, _ := datasets.Digits()
	perm := rand.New(rand.NewSource(0)).Perm(data.Len())
	train, _ := data.Subset(perm[:60])
	val, _ := data.Subset(perm[60:360])
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Rescaling{Scale: 1.0 / 16},
		&layers.Dense{Units: 256, Activation: layers.ReLU},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 1e-2}, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	stop := &trainer.EarlyStopping{Monitor: "val_loss", Patience: 3, RestoreBestWeights: true}
	hist, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{
		Epochs: 100, ValidationData: trainer.XY(val.X, val.Y), Seed: 1, Silent: true,
		Callbacks: []trainer.Callback{stop},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	scores, _ := m.Evaluate(context.Background(), val.X, val.Y)
	fmt.Println("stopped early:", len(hist.Epochs) < 100)
	fmt.Println("stopped", stop.StoppedEpoch()-stop.BestEpoch(), "epochs after the best")
	fmt.Println("restored the best:", scores["loss"] == stop.BestValue())
	// Output:
	// stopped early: true
	// stopped 3 epochs after the best
	// restored the best: true
}
