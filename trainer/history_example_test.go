package trainer_test

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/trainer"
)

// exampleHistory trains the plane regression for five epochs with
// validation and returns its history.
func exampleHistory() (*trainer.History, error) {
	m, err := exampleRegressor(0.2)
	if err != nil {
		return nil, err
	}
	val := examplePlane(32, 2)
	return trainer.Fit(context.Background(), m, m.Solver(), []metrics.Metric{&metrics.MeanAbsoluteError{}}, examplePlane(256, 1),
		trainer.FitConfig{Epochs: 5, BatchSize: 16, ValidationData: &val, Seed: 1, Silent: true})
}

// A History holds every epoch's logs: Values by name, one per epoch run,
// and Last for the value after the last epoch.
func ExampleHistory() {
	hist, err := exampleHistory()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs:", hist.Epochs)
	fmt.Println("names:", hist.Names)
	vl := hist.Values["val_loss"]
	fell := true
	for i := 1; i < len(vl); i++ {
		fell = fell && vl[i] < vl[i-1]
	}
	fmt.Println("val_loss values:", len(vl), "falling every epoch:", fell)
	last, ok := hist.Last("val_loss")
	fmt.Println("last is the fifth:", ok && last == vl[4])
	_, ok = hist.Last("accuracy")
	fmt.Println("accuracy logged:", ok)
	// Output:
	// epochs: [0 1 2 3 4]
	// names: [loss mean_absolute_error val_loss val_mean_absolute_error]
	// val_loss values: 5 falling every epoch: true
	// last is the fifth: true
	// accuracy logged: false
}

// SavePNG plots the training curves: one panel per metric, training and
// validation values per epoch.
func ExampleHistory_SavePNG() {
	hist, err := exampleHistory()
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
	path := filepath.Join(dir, "curves.png")
	if err := hist.SavePNG(path); err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := metrics.CurvesPNGSize(2) // two panels: loss and mean_absolute_error
	fmt.Printf("%dx%d, two panels: %v\n", cfg.Width, cfg.Height, cfg.Width == w && cfg.Height == h)
	// Output:
	// 960x360, two panels: true
}

// Save writes a history as JSON and LoadHistory reads it back, to plot or
// compare runs later.
func ExampleHistory_Save() {
	hist, err := exampleHistory()
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
	path := filepath.Join(dir, "history.json")
	if err := hist.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	back, err := trainer.LoadHistory(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := hist.Last("val_loss")
	b, _ := back.Last("val_loss")
	fmt.Println(back.Epochs, back.Names, "same values:", a == b)
	// Output:
	// [0 1 2 3 4] [loss mean_absolute_error val_loss val_mean_absolute_error] same values: true
}
