package trainer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// examplePlane returns n samples of y = 2a - b + 0.5, as float32 (the
// model's dtype, as the trainer takes them): x [n, 2], y [n, 1].
func examplePlane(n int, seed int64) trainer.Data {
	rng := rand.New(rand.NewSource(seed))
	x, y := make([]float32, 2*n), make([]float32, n)
	for i := range n {
		a, b := rng.Float32()*2-1, rng.Float32()*2-1
		x[2*i], x[2*i+1] = a, b
		y[i] = 2*a - b + 0.5
	}
	return *trainer.XY(tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y)))
}

// exampleRegressor returns a compiled linear model of two inputs: one
// Dense unit, trained by SGD on the mean squared error.
func exampleRegressor(lr float64) (*models.Sequential, error) {
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{2}}, &layers.Dense{Units: 1})
	return m, m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Optimizer: optimizers.SGD{LearningRate: lr}, Seed: 1})
}

// Fit runs any trainer.Model (a models.Sequential here) with a solver and
// metrics: what a model's own Fit calls, once it has checked and converted
// the data.
func ExampleFit() {
	m, err := exampleRegressor(0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	train, val := examplePlane(256, 1), examplePlane(64, 2)
	hist, err := trainer.Fit(context.Background(), m, m.Solver(), []metrics.Metric{&metrics.MeanAbsoluteError{}}, train,
		trainer.FitConfig{Epochs: 20, BatchSize: 16, ValidationData: &val, Seed: 1, Silent: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("logged:", hist.Names)
	loss, _ := hist.Last("val_loss")
	fmt.Println("val_loss below 1e-4:", loss < 1e-4)
	w := m.Weights()
	fmt.Printf("kernel %.2f bias %.2f\n", w[0].Value.Data(), w[1].Value.Data())
	// Output:
	// logged: [loss mean_absolute_error val_loss val_mean_absolute_error]
	// val_loss below 1e-4: true
	// kernel [2.00 -1.00] bias [0.50]
}

// Evaluate scores a model on data: the mean loss over every sample and
// each metric, with dropout off.
func ExampleEvaluate() {
	m, err := exampleRegressor(0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	test := examplePlane(100, 2)
	before, err := trainer.Evaluate(ctx, m, []metrics.Metric{&metrics.MeanAbsoluteError{}}, test, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := trainer.Fit(ctx, m, m.Solver(), nil, examplePlane(256, 1), trainer.FitConfig{Epochs: 10, BatchSize: 16, Silent: true}); err != nil {
		fmt.Println(err)
		return
	}
	after, err := trainer.Evaluate(ctx, m, []metrics.Metric{&metrics.MeanAbsoluteError{}}, test, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("scores:", len(after))
	fmt.Println("training lowered the error:", after["mean_absolute_error"] < before["mean_absolute_error"]/10)
	// Output:
	// scores: 2
	// training lowered the error: true
}

// Predict runs a model on any number of rows, in batches: 70 rows in
// batches of 32 are three runs, the last of 6 rows.
func ExamplePredict() {
	m, err := exampleRegressor(0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	outs, err := trainer.Predict(context.Background(), m, examplePlane(70, 1).X, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	out := outs[0]
	fmt.Println(out.Shape(), out.Dtype())
	// Output:
	// (70, 1) float32
}

// TrainOnBatch takes one forward and backward run and one solver step on
// the data given: the building block of a training loop of one's own.
func ExampleTrainOnBatch() {
	m, err := exampleRegressor(0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	batch := examplePlane(32, 1)
	stream := rand.New(rand.NewSource(1)) // for dropout masks; this model has none
	var losses []float64
	for range 50 {
		logs, err := trainer.TrainOnBatch(m, m.Solver(), nil, batch, stream)
		if err != nil {
			fmt.Println(err)
			return
		}
		losses = append(losses, logs["loss"])
	}
	fmt.Println("steps:", len(losses))
	fmt.Println("loss fell a hundredfold:", losses[len(losses)-1] < losses[0]/100)
	// Output:
	// steps: 50
	// loss fell a hundredfold: true
}

// Cancelling the context stops Fit between batches; the error says where,
// which is where a resumed run starts (InitialEpoch, InitialBatch).
func ExampleInterrupted() {
	m, err := exampleRegressor(0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopAfter := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd && e.Epoch == 1 && e.Batch == 2 {
			cancel() // as a signal handler would, on Ctrl-C
		}
		return nil
	})
	hist, err := trainer.Fit(ctx, m, m.Solver(), nil, examplePlane(128, 1),
		trainer.FitConfig{Epochs: 5, BatchSize: 16, Silent: true, Callbacks: []trainer.Callback{stopAfter}})
	var stopped *trainer.Interrupted
	if errors.As(err, &stopped) {
		fmt.Println("stopped before epoch", stopped.Epoch, "batch", stopped.Batch)
		fmt.Println("context cancelled:", errors.Is(err, context.Canceled))
	}
	fmt.Println("finished epochs:", hist.Epochs)
	// Output:
	// stopped before epoch 1 batch 3
	// context cancelled: true
	// finished epochs: [0]
}
