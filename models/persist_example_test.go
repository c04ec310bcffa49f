package models_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// Save writes a model as a directory (or a zip, for a path ending in
// ".zip"); Load reads it back built, with its weights and its compile
// settings, so it predicts as the saved model did and can go on training.
func ExampleSequential_Save() {
	data, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Rescaling{Scale: 1.0 / 16},
		&layers.Dense{Units: 16, Activation: layers.ReLU},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	m.ClassNames = data.ClassNames
	err = m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Metrics: []metrics.Metric{&metrics.Accuracy{}}, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if _, err := m.Fit(ctx, data.X, data.Y, trainer.FitConfig{Epochs: 1, Seed: 1, Silent: true}); err != nil {
		fmt.Println(err)
		return
	}

	dir, err := os.MkdirTemp("", "profundo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "digits")
	if err := m.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range entries {
		fmt.Println(e.Name())
	}

	back, err := models.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	wants, err := m.Predict(ctx, data.X)
	if err != nil {
		fmt.Println(err)
		return
	}
	want := wants[0]
	gots, err := back.Predict(ctx, data.X)
	if err != nil {
		fmt.Println(err)
		return
	}
	got := gots[0]
	fmt.Println("same predictions:", slices.Equal(want.Data().([]float32), got.Data().([]float32)))
	fmt.Println("loss:", back.Config().Loss.Name(), "classes:", back.ClassNames)
	// Output:
	// model.json
	// weights.safetensors
	// same predictions: true
	// loss: sparse_categorical_crossentropy classes: [0 1 2 3 4 5 6 7 8 9]
}

// FromSpec makes a model from a hand-written JSON spec, the format of a
// saved model's model.json without the weights: with an input shape it
// builds, with "compile" it is compiled and ready to Fit.
func ExampleFromSpec() {
	spec := `{
	  "input_shape": [64],
	  "seed": 1,
	  "layers": [
	    {"kind": "rescaling", "config": {"scale": 0.0625}},
	    {"kind": "dense", "config": {"units": 32, "activation": "relu"}},
	    {"kind": "dropout", "config": {"rate": 0.2}},
	    {"kind": "dense", "config": {"name": "probabilities", "units": 10, "activation": "softmax"}}
	  ],
	  "compile": {
	    "loss": {"kind": "sparse_categorical_crossentropy"},
	    "optimizer": {"kind": "adam", "config": {"LearningRate": 0.003}},
	    "metrics": [{"kind": "accuracy"}]
	  }
	}`
	m, err := models.FromSpec(strings.NewReader(spec), models.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	fmt.Println("loss:", m.Config().Loss.Name(), "learning rate:", m.Solver().LearningRate())

	// A misspelt field is an error, not silently ignored.
	_, err = models.FromSpec(strings.NewReader(`{"input_shape": [4], "layers": [{"kind": "dense", "config": {"unit": 3}}]}`), models.LoadOptions{})
	fmt.Println(err)
	// Output:
	// Model: "sequential"
	// ─────────────────────────────────────────────────
	// Layer (type)            Output Shape   Param #
	// ═════════════════════════════════════════════════
	// rescaling (Rescaling)   (None, 64)     0
	// dense (Dense)           (None, 32)     2,080
	// dropout (Dropout)       (None, 32)     0
	// probabilities (Dense)   (None, 10)     330
	// ─────────────────────────────────────────────────
	// Total params: 2,410
	// Trainable params: 2,410
	// Non-trainable params: 0
	// loss: sparse_categorical_crossentropy learning rate: 0.003
	// model spec: layer 0: dense: config: json: unknown field "unit"
}

// A Sequential predicts on one goroutine at a time; a Replica shares its
// weights but has graphs of its own, so a server can predict in parallel.
func ExampleSequential_Replica() {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{4}},
		&layers.Dense{Units: 3, Activation: layers.Softmax},
	)
	if err := m.Build(nil); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{1, 2, 3, 4, -1, 0, 1, 0}))
	wants, err := m.Predict(context.Background(), x)
	if err != nil {
		fmt.Println(err)
		return
	}
	want := wants[0]
	results := make(chan bool, 4)
	for range 4 {
		r, err := m.Replica()
		if err != nil {
			fmt.Println(err)
			return
		}
		go func() {
			got, err := r.Predict(context.Background(), x)
			results <- err == nil && slices.Equal(got[0].Data().([]float32), want.Data().([]float32))
		}()
	}
	same := 0
	for range 4 {
		if <-results {
			same++
		}
	}
	fmt.Println("replicas that predicted as the model:", same)
	// Output:
	// replicas that predicted as the model: 4
}
