package models_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// digitsModel returns a small compiled classifier of the 8x8 digits.
func digitsModel() (*models.Sequential, error) {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Rescaling{Scale: 1.0 / 16},
		&layers.Dense{Units: 16, Activation: layers.ReLU},
		&layers.Dropout{Rate: 0.1},
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	return m, m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Seed: 1})
}

// SaveCheckpoint saves a run midway, optimizer state included; a run
// resumed from it with the checkpoint's epoch and seed ends with exactly
// the weights of a run that was never stopped.
func ExampleSequential_SaveCheckpoint() {
	all, err := datasets.Digits()
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := all.Subset(rand.New(rand.NewSource(1)).Perm(all.Len())[:400])
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "profundo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "checkpoint")

	// Two epochs of four, then a checkpoint: the next batch is epoch 2's first.
	m, err := digitsModel()
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := m.Fit(ctx, data.X, data.Y, trainer.FitConfig{Epochs: 2, Seed: 7, Silent: true}); err != nil {
		fmt.Println(err)
		return
	}
	if err := m.SaveCheckpoint(path, models.Checkpoint{Epoch: 2, Seed: 7}); err != nil {
		fmt.Println(err)
		return
	}

	// Later, perhaps in another process: load and go on.
	resumed, err := models.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	cp := resumed.Checkpoint()
	fmt.Println("resume at epoch", cp.Epoch, "batch", cp.Batch)
	hist, err := resumed.Fit(ctx, data.X, data.Y, trainer.FitConfig{
		Epochs: 4, InitialEpoch: cp.Epoch, InitialBatch: cp.Batch, Seed: cp.Seed, Silent: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs run:", hist.Epochs)

	// The same four epochs in one go.
	whole, err := digitsModel()
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := whole.Fit(ctx, data.X, data.Y, trainer.FitConfig{Epochs: 4, Seed: 7, Silent: true}); err != nil {
		fmt.Println(err)
		return
	}
	same := true
	for i, w := range whole.Weights() {
		same = same && slices.Equal(w.Value.Data().([]float32), resumed.Weights()[i].Value.Data().([]float32))
	}
	fmt.Println("same weights as the uninterrupted run:", same)
	// Output:
	// resume at epoch 2 batch 0
	// epochs run: [2 3]
	// same weights as the uninterrupted run: true
}

// LoadFS reads a saved model from a file system: an embed.FS compiled
// into the program (//go:embed model), or here the directory it was saved
// in.
func ExampleLoadFS() {
	m, err := digitsModel()
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
	if err := m.Save(filepath.Join(dir, "model")); err != nil {
		fmt.Println(err)
		return
	}
	back, err := models.LoadFS(os.DirFS(dir), "model", models.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	seq := back.Sequential()
	fmt.Println("input", seq.InputShape(), "output", seq.OutputShape(), "layers", len(seq.Layers()))
	// Output:
	// input (None, 64) output (None, 10) layers 5
}
