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
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// AsLayer turns a Sequential model into a layer of a functional model.
// Applied to two inputs, one layer is shared: a siamese network scores
// how far apart two samples are with one set of tower weights.
func ExampleSequential_AsLayer() {
	tower := models.NewSequential(
		&layers.Dense{Units: 8, Activation: layers.ReLU},
		&layers.Dense{Units: 4},
	)
	tower.Name = "tower"
	shared := tower.AsLayer()

	left, right := models.Input("left", 6), models.Input("right", 6)
	diff := models.Merge(&layers.Subtract{}, models.Apply(shared, left), models.Apply(shared, right))
	same := models.Apply(&layers.Dense{Name: "same", Units: 1, Activation: layers.Sigmoid}, diff)
	m, err := models.NewFunctional([]*models.Node{left, right}, []*models.Node{same})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Compile(models.Config{Loss: losses.BinaryCrossentropy{}, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	// Output:
	// Model: "functional"
	// ───────────────────────────────────────────────────────────────
	// Layer (type)          Output Shape   Param #   Connected to
	// ═══════════════════════════════════════════════════════════════
	// left (InputLayer)     (None, 6)      0
	// right (InputLayer)    (None, 6)      0
	// tower (Sequential)    (None, 4)      92        left
	// tower (Sequential)    (None, 4)      0         right
	// subtract (Subtract)   (None, 4)      0         tower, tower
	// same (Dense)          (None, 1)      5         subtract
	// ───────────────────────────────────────────────────────────────
	// Total params: 97
	// Trainable params: 97
	// Non-trainable params: 0
}

// Call applies a nested model of several outputs and gives one node per
// output; here an encoder's two heads are joined again in the outer model.
// Training the outer model trains the encoder's weights too.
func ExampleFunctional_Call() {
	in := models.Input("features", 8)
	h := models.Apply(&layers.Dense{Name: "hidden", Units: 6, Activation: layers.Tanh}, in)
	low := models.Apply(&layers.Dense{Name: "low", Units: 2}, h)
	high := models.Apply(&layers.Dense{Name: "high", Units: 3}, h)
	encoder, err := models.NewFunctional([]*models.Node{in}, []*models.Node{low, high})
	if err != nil {
		fmt.Println(err)
		return
	}
	encoder.Name = "encoder"

	x := models.Input("x", 8)
	heads := encoder.Call(x) // one node per output: low, high
	joined := models.Merge(&layers.Concatenate{}, heads[0], heads[1])
	score := models.Apply(&layers.Dense{Name: "score", Units: 1}, joined)
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{score})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	fmt.Println("encoder outputs:", encoder.OutputNames(), heads[0].Shape(), heads[1].Shape())
	// Output:
	// Model: "functional"
	// ─────────────────────────────────────────────────────────────────────
	// Layer (type)                Output Shape   Param #   Connected to
	// ═════════════════════════════════════════════════════════════════════
	// x (InputLayer)              (None, 8)      0
	// encoder_0 (Functional)      (None, 2)      89        x
	// encoder_1 (Functional)      (None, 3)      0         x
	// concatenate (Concatenate)   (None, 5)      0         encoder_0, encoder_1
	// score (Dense)               (None, 1)      6         concatenate
	// ─────────────────────────────────────────────────────────────────────
	// Total params: 95
	// Trainable params: 95
	// Non-trainable params: 0
	// encoder outputs: [low high] (None, 2) (None, 3)
}

// Freeze keeps a part of a model out of its training: a base trained
// elsewhere stays as it is while a new head learns on top of it (transfer
// learning). Call Freeze before Compile.
func ExampleFunctional_Freeze() {
	data, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	pixels := models.Input("pixels", 64)
	features := models.Apply(&layers.Dense{Name: "features", Units: 16, Activation: layers.ReLU}, pixels)
	base, err := models.NewFunctional([]*models.Node{pixels}, []*models.Node{features})
	if err != nil {
		fmt.Println(err)
		return
	}
	base.Name = "base"

	x := models.Input("x", 64)
	probs := models.Apply(&layers.Dense{Name: "head", Units: 10, Activation: layers.Softmax}, models.Apply(base, x))
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{probs})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Freeze(base); err != nil {
		fmt.Println(err)
		return
	}
	err = m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 1e-2}, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	kept := slices.Clone(base.Weights()[0].Value.Data().([]float32))
	head := slices.Clone(m.Weights()[2].Value.Data().([]float32))
	if _, err := m.Fit(context.Background(), data.X, data.Y, trainer.FitConfig{Epochs: 1, Seed: 1, Silent: true}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("base unchanged:", slices.Equal(kept, base.Weights()[0].Value.Data().([]float32)))
	fmt.Println("head trained:", !slices.Equal(head, m.Weights()[2].Value.Data().([]float32)))
	for _, line := range strings.Split(m.Summary(), "\n") {
		if strings.Contains(line, "params:") {
			fmt.Println(line)
		}
	}
	// Output:
	// base unchanged: true
	// head trained: true
	// Total params: 1,210
	// Trainable params: 170
	// Non-trainable params: 1,040
}

// Load reads back a functional model Save wrote, here as a zip:
// its graph, weights and compile settings, so it predicts as it did.
func ExampleLoad_functional() {
	image, extra := models.Input("image", 4, 4, 1), models.Input("extra", 3)
	h := models.Merge(&layers.Concatenate{}, models.Apply(&layers.Flatten{}, image), extra)
	label := models.Apply(&layers.Dense{Name: "label", Units: 2, Activation: layers.Softmax}, h)
	score := models.Apply(&layers.Dense{Name: "score", Units: 1}, h)
	m, err := models.NewFunctional([]*models.Node{image, extra}, []*models.Node{label, score})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = m.Compile(models.Config{
		Losses: map[string]losses.Loss{"label": losses.SparseCategoricalCrossentropy{}, "score": losses.MeanSquaredError{}},
		Seed:   1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	dir, err := os.MkdirTemp("", "profundo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.zip")
	if err := m.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	back, err := models.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}

	imgs := tensor.New(tensor.WithShape(2, 4, 4, 1), tensor.WithBacking(make([]float32, 32)))
	feats := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 0, -1, 0.5, 0.5, 2}))
	want, err := m.Predict(context.Background(), []*tensor.Dense{imgs, feats})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, err := back.Predict(context.Background(), []*tensor.Dense{imgs, feats})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, name := range back.OutputNames() {
		fmt.Println(name, got[i].Shape(), "same:", slices.Equal(want[i].Data().([]float32), got[i].Data().([]float32)))
	}
	// Output:
	// label (2, 2) same: true
	// score (2, 1) same: true
}
