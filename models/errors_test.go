package models_test

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

func TestShapesThatDoNotChain(t *testing.T) {
	tests := []struct {
		name   string
		layers []layers.Layer
		want   []string
	}{
		{"convolution on rows", []layers.Layer{&layers.Input{Shape: layers.Shape{64}}, &layers.Conv2D{Name: "conv", Filters: 4, KernelSize: []int{3}}},
			[]string{`conv2d "conv"`, "(None, height, width, channels)", "(None, 64)"}},
		{"reshape of the wrong size", []layers.Layer{&layers.Input{Shape: layers.Shape{10}}, &layers.Dense{Units: 6}, &layers.Reshape{Name: "r", Target: []int{4, 2}}},
			[]string{`reshape "r"`, "(None, 6)", "[4 2]"}},
		{"zero units", []layers.Layer{&layers.Input{Shape: layers.Shape{3}}, &layers.Dense{Name: "d", Units: 0}},
			[]string{`dense "d"`, "units must be > 0, got 0"}},
		{"dropout rate", []layers.Layer{&layers.Input{Shape: layers.Shape{3}}, &layers.Dropout{Rate: 1.5}},
			[]string{"dropout", "rate must be in [0, 1), got 1.5"}},
		{"unknown activation", []layers.Layer{&layers.Input{Shape: layers.Shape{3}}, &layers.Dense{Units: 2, Activation: "sigmod"}},
			[]string{"dense", `"sigmod"`}},
		{"duplicate names", []layers.Layer{&layers.Input{Shape: layers.Shape{3}}, &layers.Dense{Name: "a", Units: 2}, &layers.Dense{Name: "a", Units: 2}},
			[]string{`two layers (or inputs) are named "a"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := models.NewSequential(tt.layers...)
			err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}})
			if err == nil {
				t.Fatal("compile succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestBadData(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randomMatrix(rng, 20, 4)
	labels := func(vals ...float32) *tensor.Dense {
		return tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(vals))
	}
	good := make([]float32, 20)
	for i := range good {
		good[i] = float32(i % 3)
	}
	withNaN := randomMatrix(rng, 20, 4)
	withNaN.Data().([]float32)[4*7+2] = float32(math.NaN())
	withInf := append([]float32(nil), good...)
	withInf[5] = float32(math.Inf(1))
	outOfRange := append([]float32(nil), good...)
	outOfRange[12] = 7
	empty := tensor.New(tensor.WithShape(0, 4), tensor.WithBacking([]float32{}))

	tests := []struct {
		name string
		x, y *tensor.Dense
		cfg  trainer.FitConfig
		want []string
	}{
		{"lengths differ", x, labels(good[:15]...), trainer.FitConfig{}, []string{"x has 20 rows", "y has shape (15)"}},
		{"label out of range", x, labels(outOfRange...), trainer.FitConfig{}, []string{"row 12", "7", "[0, 3)"}},
		{"NaN in x", withNaN, labels(good...), trainer.FitConfig{}, []string{"x", "row 7", "NaN"}},
		{"Inf in y", x, labels(withInf...), trainer.FitConfig{}, []string{"y", "row 5", "+Inf"}},
		{"negative batch size", x, labels(good...), trainer.FitConfig{BatchSize: -4}, []string{"batch size must be > 0, got -4"}},
		{"empty dataset", empty, labels(), trainer.FitConfig{}, []string{"at least one sample"}},
		{"validation split 1", x, labels(good...), trainer.FitConfig{ValidationSplit: 1}, []string{"validation split must be in (0, 1), got 1"}},
		{"validation split -0.2", x, labels(good...), trainer.FitConfig{ValidationSplit: -0.2}, []string{"validation split must be in (0, 1), got -0.2"}},
		{"wrong features", randomMatrix(rng, 20, 5), labels(good...), trainer.FitConfig{}, []string{"samples of shape (None, 5)", "takes (None, 4)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := models.NewSequential(&layers.Input{Shape: layers.Shape{4}}, &layers.Dense{Units: 3, Activation: layers.Softmax})
			if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}}); err != nil {
				t.Fatal(err)
			}
			tt.cfg.Silent = true
			_, err := m.Fit(context.Background(), tt.x, tt.y, tt.cfg)
			if err == nil {
				t.Fatal("fit succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestNotCompiled(t *testing.T) {
	x := randomMatrix(rand.New(rand.NewSource(1)), 4, 2)
	m := models.NewSequential(&layers.Dense{Units: 1})
	if _, err := m.Fit(context.Background(), x, x, trainer.FitConfig{}); err == nil || !strings.Contains(err.Error(), "not compiled") {
		t.Errorf("fit before compile: %v", err)
	}
	if _, err := m.Evaluate(context.Background(), x, x); err == nil || !strings.Contains(err.Error(), "not compiled") {
		t.Errorf("evaluate before compile: %v", err)
	}
	// Predict builds an uncompiled model from the data, as Keras does.
	if p, err := m.Predict(context.Background(), x); err != nil || !p[0].Shape().Eq(tensor.Shape{4, 1}) {
		t.Errorf("predict before compile: %v", err)
	}
	if err := m.Compile(models.Config{}); err == nil || !strings.Contains(err.Error(), "loss is required") {
		t.Errorf("compile without a loss: %v", err)
	}
}

func TestPredictRejectsNaN(t *testing.T) {
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{2}}, &layers.Dense{Units: 1})
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}}); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, float32(math.Inf(-1)), 4}))
	_, err := m.Predict(context.Background(), x)
	if err == nil || !strings.Contains(err.Error(), "row 1") || !strings.Contains(err.Error(), "-Inf") {
		t.Errorf("predict on -Inf: %v", err)
	}
}
