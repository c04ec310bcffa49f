package trainer_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"

	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/trainer"
)

// CSVLogger writes a row per epoch as the epoch ends: the epoch, counting
// from 0 as Keras writes it, then every logged value.
func ExampleCSVLogger() {
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
	path := filepath.Join(dir, "training.csv")
	val := examplePlane(32, 2)
	_, err = trainer.Fit(context.Background(), m, m.Solver(), []metrics.Metric{&metrics.MeanAbsoluteError{}}, examplePlane(64, 1), trainer.FitConfig{
		Epochs: 3, BatchSize: 16, ValidationData: &val, Seed: 1, Silent: true,
		Callbacks: []trainer.Callback{&trainer.CSVLogger{Path: path}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rows[0])
	for _, row := range rows[1:] {
		fmt.Println("epoch", row[0], "with", len(row)-1, "values")
	}
	// Output:
	// [epoch loss mean_absolute_error val_loss val_mean_absolute_error]
	// epoch 0 with 4 values
	// epoch 1 with 4 values
	// epoch 2 with 4 values
}
