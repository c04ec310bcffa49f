// Command digits is the README's quickstart as a program: it trains a
// classifier of the embedded digits set and predicts a few test images.
//
//	go run ./examples/digits
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

func main() {
	ctx := context.Background()
	data, err := datasets.Digits() // X [1797, 64] with pixels 0..16, Y [1797] class ids
	if err != nil {
		log.Fatal(err)
	}
	for i, v := range data.X.Data().([]float64) {
		data.X.Data().([]float64)[i] = v / 16
	}
	train, test, err := datasets.TrainTestSplit(data, 0.2, rand.New(rand.NewSource(1)), true)
	if err != nil {
		log.Fatal(err)
	}

	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: 64, Activation: layers.ReLU},
		&layers.Dropout{Rate: 0.2},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err = m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 1e-3},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(m.Summary())

	if _, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: 20, BatchSize: 32, ValidationSplit: 0.1, Seed: 1}); err != nil {
		log.Fatal(err)
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test loss %.4f, test accuracy %.4f\n", scores["loss"], scores["accuracy"])

	// Predict the first three test images.
	first, err := test.Subset([]int{0, 1, 2})
	if err != nil {
		log.Fatal(err)
	}
	probss, err := m.Predict(ctx, first.X)
	if err != nil {
		log.Fatal(err)
	}
	probs := probss[0]
	for i := 0; i < 3; i++ {
		fmt.Printf("image %d: predicted %d, true %v\n", i, argmax(probs, i), first.Y.Data().([]float64)[i])
	}
}

func argmax(probs *tensor.Dense, row int) int {
	k := probs.Shape()[1]
	p := probs.Data().([]float32)[row*k : (row+1)*k]
	best := 0
	for j := range p {
		if p[j] > p[best] {
			best = j
		}
	}
	return best
}
