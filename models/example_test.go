package models_test

import (
	"context"
	"fmt"
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

// A classifier of the embedded digits, from data to test accuracy.
func Example() {
	data, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range data.X.Data().([]float64) {
		data.X.Data().([]float64)[i] = v / 16 // pixels 0..16 to [0, 1]
	}
	train, test, err := datasets.TrainTestSplit(data, 0.2, rand.New(rand.NewSource(1)), true)
	if err != nil {
		fmt.Println(err)
		return
	}

	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Dense{Units: 64, Activation: layers.ReLU},
		&layers.Dropout{Rate: 0.2},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err = m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 3e-3},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	hist, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: 20, BatchSize: 32, ValidationSplit: 0.1, Seed: 1, Silent: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs:", len(hist.Epochs), "history:", hist.Names)
	fmt.Println("test accuracy above 0.95:", scores["accuracy"] > 0.95)
	// Output:
	// epochs: 20 history: [loss accuracy val_loss val_accuracy]
	// test accuracy above 0.95: true
}

func ExampleSequential_Summary() {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{8, 8}},
		&layers.Flatten{},
		&layers.Dense{Units: 32, Activation: layers.ReLU},
		&layers.Dense{Name: "probabilities", Units: 10, Activation: layers.Softmax},
	)
	if err := m.Build(nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	// Output:
	// Model: "sequential"
	// ─────────────────────────────────────────────────
	// Layer (type)            Output Shape   Param #
	// ═════════════════════════════════════════════════
	// input (Input)           (None, 8, 8)   0
	// flatten (Flatten)       (None, 64)     0
	// dense (Dense)           (None, 32)     2,080
	// probabilities (Dense)   (None, 10)     330
	// ─────────────────────────────────────────────────
	// Total params: 2,410
	// Trainable params: 2,410
	// Non-trainable params: 0
}

// Predict takes any number of rows, one included.
func ExampleSequential_Predict() {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{3}},
		&layers.Dense{Units: 2, Activation: layers.Softmax},
	)
	if err := m.Build(nil); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{0.5, -1, 2}))
	probss, err := m.Predict(context.Background(), x)
	if err != nil {
		fmt.Println(err)
		return
	}
	probs := probss[0]
	p := probs.Data().([]float32)
	fmt.Println(probs.Shape(), "sums to 1:", p[0]+p[1] > 0.9999 && p[0]+p[1] < 1.0001)
	// Output:
	// (1, 2) sums to 1: true
}

// Shapes are checked when the model builds, before any data flows.
func ExampleSequential_Compile_shapeError() {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{784}},
		&layers.Conv2D{Name: "conv", Filters: 8, KernelSize: []int{3}},
	)
	err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}})
	fmt.Println(err)
	// Output:
	// compile: build: layer 1: conv2d "conv": expected input shape (None, height, width, channels), got (None, 784)
}
