package trainer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// ModelCheckpoint saves the model as training goes, to a path whose fields
// are filled in at each save: here one directory per epoch. With
// SaveBestOnly it saves only when the monitored value improves.
func ExampleModelCheckpoint() {
	m, err := exampleRegressor(0.1)
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
	ckpt := &trainer.ModelCheckpoint{Path: filepath.Join(dir, "run", "epoch-{epoch:02d}")}
	_, err = trainer.Fit(context.Background(), m, m.Solver(), nil, examplePlane(64, 1), trainer.FitConfig{
		Epochs: 3, BatchSize: 16, Seed: 1, Silent: true, Callbacks: []trainer.Callback{ckpt},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, path := range ckpt.Saved() {
		rel, _ := filepath.Rel(dir, path)
		fmt.Println(filepath.ToSlash(rel))
	}
	last, err := models.Load(ckpt.Saved()[2])
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("loaded:", last.InputShapes()[0], "->", last.OutputShapes()[0])
	// Output:
	// run/epoch-01
	// run/epoch-02
	// run/epoch-03
	// loaded: (None, 2) -> (None, 1)
}
