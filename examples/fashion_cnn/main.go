// Command fashion_cnn trains a small convolutional network on
// Fashion-MNIST: two convolution and max-pooling blocks, a dense layer with
// dropout, and a softmax over the ten garments. It reports the test
// accuracy, the per-class report, and saves the model.
//
//	go run ./examples/fashion_cnn                   # pure Go
//	go run -tags openblas ./examples/fashion_cnn    # OpenBLAS (libopenblas-dev)
//
// The data comes from Debian's dataset-fashion-mnist package when it is
// installed (/usr/share/datasets/fashion-mnist), else from the cache or a
// verified download (see datasets.FashionMNIST).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

func main() {
	epochs := flag.Int("epochs", 15, "most training epochs (early stopping may end sooner)")
	batch := flag.Int("batch-size", 128, "batch size")
	dropout := flag.Float64("dropout", 0.3, "dropout before the dense layers")
	limit := flag.Int("limit", 0, "train on the first n images only (0: all 60,000)")
	out := flag.String("out", "", "directory or .zip to save the trained model to")
	dir := flag.String("data-dir", "/usr/share/datasets/fashion-mnist", "directory of the IDX files, if any")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *epochs, *batch, *dropout, *limit, *out, *dir); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, epochs, batch int, dropout float64, limit int, out, dir string) error {
	opt := datasets.LoadOptions{Progress: os.Stderr}
	if _, err := os.Stat(dir); err == nil {
		opt.Dir = dir
	}
	train, test, err := datasets.FashionMNIST(ctx, opt)
	if err != nil {
		return err
	}
	if limit > 0 && limit < train.Len() {
		rows := make([]int, limit)
		for i := range rows {
			rows[i] = i
		}
		if train, err = train.Subset(rows); err != nil {
			return err
		}
	}

	m, err := models.NewSmallCNN(layers.Shape(train.X.Shape()[1:]), len(train.ClassNames), dropout)
	if err != nil {
		return err
	}
	m.ClassNames = train.ClassNames
	err = m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{},
		Metrics:   []metrics.Metric{&metrics.SparseCategoricalAccuracy{}},
		Seed:      1,
		BatchSize: 500,
	})
	if err != nil {
		return err
	}
	fmt.Print(m.Summary())
	// Halve the learning rate when the validation loss stalls; stop when it
	// has not improved for 3 epochs, keeping the best weights.
	callbacks := []trainer.Callback{
		&trainer.ReduceLROnPlateau{Monitor: "val_loss", Factor: 0.5, Patience: 1},
		&trainer.EarlyStopping{Monitor: "val_loss", Patience: 3, RestoreBestWeights: true},
	}
	_, err = m.Fit(ctx, train.X, train.Y, trainer.FitConfig{
		Epochs: epochs, BatchSize: batch, ValidationSplit: 0.1, Seed: 1, Callbacks: callbacks,
	})
	if err != nil {
		return err
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		return err
	}
	fmt.Printf("test loss %.4f, test accuracy %.4f\n", scores["loss"], scores["sparse_categorical_accuracy"])
	probss, err := m.Predict(ctx, test.X)
	if err != nil {
		return err
	}
	probs := probss[0]
	report, err := metrics.NewClassificationReport(test.Y, probs, train.ClassNames)
	if err != nil {
		return err
	}
	fmt.Print(report)
	if out != "" {
		if err := m.Save(out); err != nil {
			return err
		}
		fmt.Println("saved the model to", out)
	}
	return nil
}
