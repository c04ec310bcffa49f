package models_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// Evaluate and Predict take their batch size at the call, as Keras's do.
func TestBatchSizeAtTheCall(t *testing.T) {
	train, test := digits(t)
	m := mlp(t, 1)
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Evaluate(ctx, test.X, test.Y, models.EvalConfig{BatchSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a["loss"]-b["loss"]) > 1e-5 || a["accuracy"] != b["accuracy"] {
		t.Errorf("evaluate in batches of 32 %v, of 7 %v", a, b)
	}
	p, err := m.Predict(ctx, test.X, models.EvalConfig{BatchSize: 1000})
	if err != nil || !p[0].Shape().Eq(tensor.Shape{test.Len(), 10}) {
		t.Fatalf("predict in one batch: %v", err)
	}
	if _, err := m.Predict(ctx, test.X, models.EvalConfig{BatchSize: -1}); err == nil || !strings.Contains(err.Error(), "batch size must be > 0, got -1") {
		t.Errorf("batch size -1: %v", err)
	}
}

// Labels and embedding ids may be integer tensors.
func TestIntegerTensors(t *testing.T) {
	ids := make([]int32, 40*3)
	labels := make([]int64, 40)
	for i := range labels {
		for j := 0; j < 3; j++ {
			ids[i*3+j] = int32((i + j) % 5)
		}
		labels[i] = int64(i % 2)
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{3}},
		&layers.Embedding{InputDim: 5, OutputDim: 4},
		&layers.Flatten{},
		&layers.Dense{Units: 2, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(40, 3), tensor.WithBacking(ids))
	y := tensor.New(tensor.WithShape(40), tensor.WithBacking(labels))
	if _, err := m.Fit(context.Background(), x, y, trainer.FitConfig{Epochs: 2, Silent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Evaluate(context.Background(), x, y); err != nil {
		t.Fatal(err)
	}
}

// A spec of invalid JSON is an error naming the file and the line and
// column of the fault.
func TestSpecJSONErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my-spec.json")
	spec := "{\n  \"input_shape\": [4],\n  \"layers\": [\n    {\"kind\": \"dense\", \"config\": {\"units\": 3}},,\n  ]\n}\n"
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = models.FromSpec(f, models.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), path+":4:47: invalid character ','") {
		t.Errorf("got %v, want the file, line 4, column 47", err)
	}
	_, err = models.FromSpec(strings.NewReader(`{"layers": [{"kind": "dense", "config": {"units": "three"}}]}`), models.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "units") {
		t.Errorf("a string for units: %v", err)
	}
}

// Dense on (batch, steps, features) applies to the last axis, as Keras's
// does: each step's features times the kernel, plus the bias.
func TestDenseOnSteps(t *testing.T) {
	dense := &layers.Dense{Units: 4}
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{3, 5}}, dense)
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if got := m.OutputShape(); !got.Equal(layers.Shape{3, 4}) {
		t.Fatalf("output shape %v, want (None, 3, 4)", got)
	}
	x := make([]float64, 2*3*5)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	outs, err := m.Predict(context.Background(), tensor.New(tensor.WithShape(2, 3, 5), tensor.WithBacking(x)))
	if err != nil {
		t.Fatal(err)
	}
	got := outs[0].Data().([]float64)
	w, b := dense.Weights()[0].Value.Data().([]float64), dense.Weights()[1].Value.Data().([]float64)
	for row := 0; row < 6; row++ {
		for u := 0; u < 4; u++ {
			want := b[u]
			for f := 0; f < 5; f++ {
				want += x[row*5+f] * w[f*4+u]
			}
			if math.Abs(got[row*4+u]-want) > 1e-12 {
				t.Fatalf("row %d, unit %d: %v, want %v", row, u, got[row*4+u], want)
			}
		}
	}
	// It trains: one step lowers the loss on a fixed batch.
	y := tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(make([]float64, 24)))
	xt := tensor.New(tensor.WithShape(2, 3, 5), tensor.WithBacking(x))
	first, err := m.TrainOnBatch(xt, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := m.TrainOnBatch(xt, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !(second["loss"] < first["loss"]) {
		t.Errorf("loss %v then %v: no lower", first["loss"], second["loss"])
	}
}
