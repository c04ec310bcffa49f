package models_test

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// NewMLP makes a ready-made classifier: here 8x8 images, two hidden layers
// with dropout, ten classes. It starts with a layers.Input, so it builds
// (and checks its shapes) as soon as it is compiled.
func ExampleNewMLP() {
	m, err := models.NewMLP(layers.Shape{8, 8}, []int{32, 16}, 0.2, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	// Output:
	// Model: "sequential"
	// ───────────────────────────────────────────────
	// Layer (type)          Output Shape   Param #
	// ═══════════════════════════════════════════════
	// input (Input)         (None, 8, 8)   0
	// flatten (Flatten)     (None, 64)     0
	// dense (Dense)         (None, 32)     2,080
	// dropout (Dropout)     (None, 32)     0
	// dense_1 (Dense)       (None, 16)     528
	// dropout_1 (Dropout)   (None, 16)     0
	// dense_2 (Dense)       (None, 10)     170
	// ───────────────────────────────────────────────
	// Total params: 2,778
	// Trainable params: 2,778
	// Non-trainable params: 0
}

// NewSmallCNN makes the small convolutional classifier of the Keras
// examples. The 64 pixels of a digit are read as an 8x8 image of one
// channel, and an image that small gets "same" padding.
func ExampleNewSmallCNN() {
	m, err := models.NewSmallCNN(layers.Shape{64}, 10, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Build(nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	// Output:
	// Model: "sequential"
	// ──────────────────────────────────────────────────────────────
	// Layer (type)                     Output Shape       Param #
	// ══════════════════════════════════════════════════════════════
	// input (Input)                    (None, 64)         0
	// reshape (Reshape)                (None, 8, 8, 1)    0
	// conv2d (Conv2D)                  (None, 8, 8, 32)   320
	// max_pooling2d (MaxPooling2D)     (None, 4, 4, 32)   0
	// conv2d_1 (Conv2D)                (None, 4, 4, 64)   18,496
	// max_pooling2d_1 (MaxPooling2D)   (None, 2, 2, 64)   0
	// flatten (Flatten)                (None, 256)        0
	// dense (Dense)                    (None, 128)        32,896
	// dense_1 (Dense)                  (None, 10)         1,290
	// ──────────────────────────────────────────────────────────────
	// Total params: 53,002
	// Trainable params: 53,002
	// Non-trainable params: 0
}

// ImageShape says how a convolutional network reads samples: as they are,
// with one channel added, or a square number of values as a square image.
func ExampleImageShape() {
	for _, in := range []layers.Shape{{28, 28, 3}, {28, 28}, {64}, {10}} {
		img, err := models.ImageShape(in)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(in, "->", img)
	}
	// Output:
	// (None, 28, 28, 3) -> (None, 28, 28, 3)
	// (None, 28, 28) -> (None, 28, 28, 1)
	// (None, 64) -> (None, 8, 8, 1)
	// samples of shape (None, 10) are not images: want (height, width[, channels]) or a square number (>= 16) of values
}

// Fit trains on the embedded digits: a tenth of the rows held out for
// validation, the history of every epoch returned.
func ExampleSequential_Fit() {
	data, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Rescaling{Scale: 1.0 / 16}, // pixels 0..16 to [0, 1]
		&layers.Dense{Units: 32, Activation: layers.ReLU},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err = m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 1e-2},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	hist, err := m.Fit(context.Background(), data.X, data.Y, trainer.FitConfig{
		Epochs: 5, BatchSize: 64, ValidationSplit: 0.1, Seed: 1, Silent: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs:", hist.Epochs)
	fmt.Println("logged:", hist.Names)
	acc, _ := hist.Last("val_accuracy")
	fmt.Println("val_accuracy above 0.85:", acc > 0.85)
	// Output:
	// epochs: [0 1 2 3 4]
	// logged: [loss accuracy val_loss val_accuracy]
	// val_accuracy above 0.85: true
}

// Evaluate scores a trained model on rows it has not seen: the mean loss
// and every compiled metric, by name.
func ExampleSequential_Evaluate() {
	data, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test, err := datasets.TrainTestSplit(data, 0.25, rand.New(rand.NewSource(1)), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := models.NewSequential(
		&layers.Rescaling{Scale: 1.0 / 16},
		&layers.Dense{Units: 32, Activation: layers.ReLU},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err = m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 1e-2},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}, &metrics.F1Score{}},
		Seed:      1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if _, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: 5, Seed: 1, Silent: true}); err != nil {
		fmt.Println(err)
		return
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("scores:", len(scores))
	fmt.Println("loss below 0.5:", scores["loss"] < 0.5)
	fmt.Println("accuracy above 0.9:", scores["accuracy"] > 0.9)
	fmt.Println("f1 above 0.9:", scores["f1_score"] > 0.9)
	// Output:
	// scores: 3
	// loss below 0.5: true
	// accuracy above 0.9: true
	// f1 above 0.9: true
}

// TrainOnBatch takes one optimizer step on the rows it is given, for a
// training loop of one's own; Fit is that loop, done for you.
func ExampleSequential_TrainOnBatch() {
	data, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	batch, err := data.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Rescaling{Scale: 1.0 / 16},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	err = m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.SGD{LearningRate: 0.5},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	stream := rand.New(rand.NewSource(1)) // dropout masks, if the model had dropout
	var first, last trainer.Logs
	for step := range 20 {
		logs, err := m.TrainOnBatch(batch.X, batch.Y, stream)
		if err != nil {
			fmt.Println(err)
			return
		}
		if step == 0 {
			first = logs
		}
		last = logs
	}
	fmt.Println("logged:", len(last), "values")
	fmt.Println("loss fell:", last["loss"] < first["loss"])
	fmt.Println("the batch learnt:", last["accuracy"] == 1)
	// Output:
	// logged: 2 values
	// loss fell: true
	// the batch learnt: true
}
