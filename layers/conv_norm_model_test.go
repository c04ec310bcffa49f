package layers_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// TestConvNormLayersInAModel trains a model of every new convolution and
// normalization layer on the digits for a few epochs, prints its summary,
// saves it and loads it back: the loaded model predicts what the trained
// one does.
func TestConvNormLayersInAModel(t *testing.T) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	const n = 240
	x := make([]float64, n*64)
	for i, v := range d.X.Data().([]float64)[:n*64] {
		x[i] = v / 16
	}
	xs := tensor.New(tensor.WithShape(n, 8, 8, 1), tensor.WithBacking(x))
	ys := tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float64(nil), d.Y.Data().([]float64)[:n]...)))
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{8, 8, 1}},
		&layers.Conv2D{Filters: 8, KernelSize: []int{3}, Padding: "same", Activation: layers.ReLU},
		&layers.GroupNormalization{Groups: 4},
		&layers.Conv2D{Filters: 8, KernelSize: []int{3}, Groups: 2, Padding: "same", Activation: layers.ReLU},
		&layers.DepthwiseConv2D{KernelSize: []int{3}, DepthMultiplier: 2, Strides: []int{2}, Padding: "same"}, // 4x4x16
		&layers.BatchNormalization{Axis: -1},
		&layers.Conv2DTranspose{Filters: 4, KernelSize: []int{3}, Strides: []int{2}, Padding: "same", Activation: layers.ReLU}, // 8x8x4
		&layers.SeparableConv2D{Filters: 8, KernelSize: []int{3}, Activation: layers.ReLU},                                     // 6x6x8
		&layers.LayerNormalization{Axis: []int{1, 2, 3}},
		&layers.Reshape{Target: []int{6, 6, 8, 1}},
		&layers.Conv3D{Filters: 2, KernelSize: []int{2}}, // 5x5x7x2
		&layers.MaxPooling3D{Padding: "same"},            // 3x3x4x2
		&layers.GlobalAveragePooling3D{},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	summary := m.Summary()
	for _, want := range []string{"(GroupNormalization)", "(DepthwiseConv2D)", "(Conv2DTranspose)", "(SeparableConv2D)", "(Conv3D)", "(None, 8, 8, 4)", "(None, 3, 3, 4, 2)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary has no %s:\n%s", want, summary)
		}
	}
	hist, err := m.Fit(context.Background(), xs, ys, trainer.FitConfig{Epochs: 4, BatchSize: 32, Seed: 3, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	first, last := hist.Values["loss"][0], hist.Values["loss"][3]
	if math.IsNaN(last) || !(last < first) {
		t.Errorf("loss went from %v to %v; want it to fall", first, last)
	}
	want, err := m.Predict(context.Background(), xs)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.Predict(context.Background(), xs)
	if err != nil {
		t.Fatal(err)
	}
	g, w := got[0].Data().([]float32), want[0].Data().([]float32)
	for i := range w {
		if g[i] != w[i] {
			t.Fatalf("the loaded model predicts %v at %d, the saved one %v", g[i], i, w[i])
		}
	}
}
