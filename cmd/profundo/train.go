package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

var errHelp = errors.New("help shown")

type trainFlags struct {
	epochs     int
	batchSize  int
	lr         float64
	optimizer  string
	seed       int64
	hidden     string
	dropout    float64
	testSplit  float64
	validation float64
	quiet      bool
}

func parseTrainFlags(args []string, stderr io.Writer) (*trainFlags, error) {
	f := &trainFlags{}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&f.epochs, "epochs", 30, "passes over the training data")
	fs.IntVar(&f.batchSize, "batch-size", 32, "samples per training step")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate; 0 means the optimizer's Keras default (adam: 0.001, sgd: 0.01)")
	fs.StringVar(&f.optimizer, "optimizer", "adam", "optimizer: sgd, adam, adamw, rmsprop or adagrad")
	fs.Int64Var(&f.seed, "seed", 1, "seed for the weights, the split, the shuffling and dropout; the same seed gives the same run")
	fs.StringVar(&f.hidden, "hidden", "64", "units of the hidden dense layers, comma-separated (\"128,64\"); empty for none")
	fs.Float64Var(&f.dropout, "dropout", 0, "dropout rate after each hidden layer, in [0, 1)")
	fs.Float64Var(&f.testSplit, "test-split", 0.2, "fraction of the data held out for the final test, stratified by class")
	fs.Float64Var(&f.validation, "validation-split", 0.1, "fraction of the training data scored as val_ metrics each epoch; 0 for none")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the test metrics")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: profundo train [flags]

Trains a multi-layer perceptron on the embedded UCI optical digits set
(1,797 8x8 images of the digits 0-9, pixel values scaled to [0, 1]), shows
the model summary and the progress of each epoch, then evaluates on the
held-out test split and prints each test metric alone on a line:
test_loss: ... and test_accuracy: ...

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if f.epochs <= 0 {
		return nil, fmt.Errorf("--epochs must be > 0, got %d", f.epochs)
	}
	if f.batchSize <= 0 {
		return nil, fmt.Errorf("--batch-size must be > 0, got %d", f.batchSize)
	}
	return f, nil
}

func parseUnits(s string) ([]int, error) {
	var units []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("--hidden: %q is not a positive number of units", part)
		}
		units = append(units, n)
	}
	return units, nil
}

func train(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseTrainFlags(args, stderr)
	if err != nil {
		return err
	}
	units, err := parseUnits(f.hidden)
	if err != nil {
		return err
	}
	opt, err := optimizers.ByName(f.optimizer, f.lr)
	if err != nil {
		return fmt.Errorf("--optimizer: %w", err)
	}

	data, err := datasets.Digits()
	if err != nil {
		return err
	}
	scale(data, 1.0/16)
	rng := rand.New(rand.NewSource(f.seed))
	trainSet, testSet, err := datasets.TrainTestSplit(data, f.testSplit, rng, true)
	if err != nil {
		return fmt.Errorf("--test-split: %w", err)
	}

	model := models.NewSequential(&layers.Input{Shape: layers.Shape{64}})
	for _, u := range units {
		if err := model.Add(&layers.Dense{Units: u, Activation: layers.ReLU}); err != nil {
			return err
		}
		if f.dropout > 0 {
			if err := model.Add(&layers.Dropout{Rate: f.dropout}); err != nil {
				return err
			}
		}
	}
	if err := model.Add(&layers.Dense{Units: 10, Activation: layers.Softmax}); err != nil {
		return err
	}
	err = model.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: opt,
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      f.seed,
	})
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(stdout, "Data: %s, %d training and %d test samples\n", data.Name, trainSet.Len(), testSet.Len())
		fmt.Fprint(stdout, model.Summary())
	}
	start := time.Now()
	_, err = model.Fit(ctx, trainSet.X, trainSet.Y, trainer.FitConfig{
		Epochs:          f.epochs,
		BatchSize:       f.batchSize,
		ValidationSplit: f.validation,
		Seed:            f.seed,
		Silent:          f.quiet,
		Progress:        stdout,
	})
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(stdout, "Trained in %s\n", time.Since(start).Round(time.Millisecond))
	}
	scores, err := model.Evaluate(ctx, testSet.X, testSet.Y)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(scores))
	for k := range scores {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] == "loss" || (names[j] != "loss" && names[i] < names[j]) })
	for _, k := range names {
		fmt.Fprintf(stdout, "test_%s: %.4f\n", k, scores[k])
	}
	return nil
}

// scale multiplies every feature by factor.
func scale(d *datasets.Dataset, factor float64) {
	switch x := d.X.Data().(type) {
	case []float64:
		for i := range x {
			x[i] *= factor
		}
	case []float32:
		for i := range x {
			x[i] *= float32(factor)
		}
	}
}
