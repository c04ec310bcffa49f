package models_test

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// compatData is the data the models in testdata were trained on.
func compatData() (*tensor.Dense, *tensor.Dense) {
	x := make([]float32, 16*4)
	y := make([]float32, 16)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)))
	}
	for i := range y {
		y[i] = float32(i % 3)
	}
	return tensor.New(tensor.WithShape(16, 4), tensor.WithBacking(x)), tensor.New(tensor.WithShape(16), tensor.WithBacking(y))
}

// Models saved before Sequential and Functional were one model (format
// version 1: a Sequential checkpoint and a functional model of two
// outputs, in testdata) load with models.Load and predict what they
// predicted when saved, to float32 rounding (the element-wise activations
// became exact ops of their own since, which can move the last bit); the
// checkpoint trains on.
func TestLoadModelsOfTheFirstRound(t *testing.T) {
	x, y := compatData()
	ctx := context.Background()
	seq, err := models.Load("testdata/v1-sequential")
	if err != nil {
		t.Fatal(err)
	}
	if seq.Sequential() == nil || seq.Checkpoint() == nil || len(seq.ClassNames) != 3 {
		t.Fatalf("the saved Sequential checkpoint loads as Sequential %v, checkpoint %v, class names %q", seq.Sequential() != nil, seq.Checkpoint(), seq.ClassNames)
	}
	p, err := seq.Predict(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0.30562088, 0.3320264, 0.36235273, 0.47208503, 0.32297572, 0.20493925}
	for i, v := range want {
		if got := p[0].Data().([]float32)[i]; !closeF32(got, v) {
			t.Errorf("sequential: value %d is %v, was saved predicting %v", i, got, v)
		}
	}
	if _, err := seq.Fit(ctx, x, y, trainer.FitConfig{Epochs: 3, InitialEpoch: 2, BatchSize: 8, Silent: true}); err != nil {
		t.Errorf("the checkpoint does not train on: %v", err)
	}

	fn, err := models.Load("testdata/v1-functional")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := fn.Predict(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("the functional model gives %d outputs, want 2", len(ps))
	}
	wantA := []float32{0.32318553, 0.19719768, 0.4796168, 0.27040696, 0.28839225, 0.44120085}
	for i, v := range wantA {
		if got := ps[0].Data().([]float32)[i]; !closeF32(got, v) {
			t.Errorf("functional output a: value %d is %v, was saved predicting %v", i, got, v)
		}
	}
	for i, v := range []float32{0.7116508, -0.17606816} {
		if got := ps[1].Data().([]float32)[i]; !closeF32(got, v) {
			t.Errorf("functional output b: value %d is %v, was saved predicting %v", i, got, v)
		}
	}
}

// closeF32 says whether got is within a few float32 rounding steps of want.
func closeF32(got, want float32) bool {
	return math.Abs(float64(got)-float64(want)) <= 4e-7*math.Max(1, math.Abs(float64(want)))
}
