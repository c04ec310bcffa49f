package models_test

import (
	"context"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// A functional model of two inputs, a merge and two outputs, each with its
// own loss; a loss weight makes the second count half.
func ExampleNewFunctional() {
	image := models.Input("image", 4, 4, 1)
	extra := models.Input("extra", 3)
	h := models.Apply(&layers.Flatten{}, image)
	h = models.Merge(&layers.Concatenate{}, h, extra)
	h = models.Apply(&layers.Dense{Name: "shared", Units: 8, Activation: layers.ReLU}, h)
	label := models.Apply(&layers.Dense{Name: "label", Units: 2, Activation: layers.Softmax}, h)
	score := models.Apply(&layers.Dense{Name: "score", Units: 1}, h)
	m, err := models.NewFunctional([]*models.Node{image, extra}, []*models.Node{label, score})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = m.Compile(models.Config{
		Losses:      map[string]losses.Loss{"label": losses.SparseCategoricalCrossentropy{}, "score": losses.MeanSquaredError{}},
		LossWeights: map[string]float64{"score": 0.5},
		Optimizer:   optimizers.Adam{LearningRate: 0.01},
		Seed:        1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())

	// Eight samples: the label is whether the extra features sum above 0,
	// the score their sum.
	imgs := tensor.New(tensor.WithShape(8, 4, 4, 1), tensor.WithBacking(make([]float32, 8*16)))
	feats := make([]float32, 8*3)
	labels, sums := make([]float32, 8), make([]float32, 8)
	for i := range 8 {
		for j := range 3 {
			feats[i*3+j] = float32((i+j)%4) - 1.5
			sums[i] += feats[i*3+j]
		}
		if sums[i] > 0 {
			labels[i] = 1
		}
	}
	xs := []*tensor.Dense{imgs, tensor.New(tensor.WithShape(8, 3), tensor.WithBacking(feats))}
	ys := []*tensor.Dense{tensor.New(tensor.WithShape(8), tensor.WithBacking(labels)), tensor.New(tensor.WithShape(8, 1), tensor.WithBacking(sums))}
	hist, err := m.Fit(context.Background(), xs, ys, trainer.FitConfig{Epochs: 200, BatchSize: 8, Silent: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hist.Names)
	last, _ := hist.Last("score_loss")
	fmt.Println("score learnt:", last < 0.05)
	// Output:
	// Model: "functional"
	// ────────────────────────────────────────────────────────────────────────
	// Layer (type)                Output Shape      Param #   Connected to
	// ════════════════════════════════════════════════════════════════════════
	// image (InputLayer)          (None, 4, 4, 1)   0
	// extra (InputLayer)          (None, 3)         0
	// flatten (Flatten)           (None, 16)        0         image
	// concatenate (Concatenate)   (None, 19)        0         flatten, extra
	// shared (Dense)              (None, 8)         160       concatenate
	// label (Dense)               (None, 2)         18        shared
	// score (Dense)               (None, 1)         9         shared
	// ────────────────────────────────────────────────────────────────────────
	// Total params: 187
	// Trainable params: 187
	// Non-trainable params: 0
	// [loss label_loss score_loss]
	// score learnt: true
}
