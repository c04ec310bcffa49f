// Command transfer is Keras's transfer-learning recipe on Fashion-MNIST: a
// small CNN learns the garments of classes 0-4 (T-shirt, trouser,
// pullover, dress, coat) and is saved; the saved model is loaded, its
// convolutional base frozen under a new head for classes 5-9 (sandal,
// shirt, sneaker, bag, ankle boot) and trained; then the base is unfrozen
// and the whole model fine-tuned at a lower learning rate. It checks that
// the frozen base's weights are bit-identical after the frozen phase.
//
//	go run ./examples/transfer                     # 12,000 pictures per phase
//	go run ./examples/transfer -limit 3000 -epochs 1
//
// The data comes from Debian's dataset-fashion-mnist package when it is
// installed (/usr/share/datasets/fashion-mnist), else from the cache or a
// verified download (see datasets.FashionMNIST).
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

func main() {
	var c config
	flag.IntVar(&c.limit, "limit", 12000, "training pictures per phase (0: all of the five classes)")
	flag.IntVar(&c.epochs, "epochs", 2, "epochs of each phase")
	flag.StringVar(&c.dir, "data-dir", datasets.FashionMNISTDebianDir, "directory of the IDX files, if any")
	flag.StringVar(&c.out, "out", "", "directory for the saved models (default: a temporary one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

type config struct {
	limit, epochs int
	dir, out      string
}

// result is what the run measured.
type result struct {
	pretrained, frozen, tuned float64 // test accuracies: classes 0-4, then 5-9 frozen, then fine-tuned
	frozenKept                bool    // the base's weights were bit-identical after the frozen phase
	tunedMoved                bool    // fine-tuning changed them
}

func run(ctx context.Context, c config, w io.Writer) (*result, error) {
	opt := datasets.LoadOptions{}
	if _, err := os.Stat(c.dir); err == nil {
		opt.Dir = c.dir
	}
	train, test, err := datasets.FashionMNIST(ctx, opt)
	if err != nil {
		return nil, err
	}
	out := c.out
	if out == "" {
		if out, err = os.MkdirTemp("", "transfer"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(out)
	}
	res := &result{}
	fit := trainer.FitConfig{Epochs: c.epochs, BatchSize: 64, Seed: 1, Silent: true}

	// Phase 0: a CNN learns classes 0-4 and is saved.
	a, aTest, err := fiveClasses(train, test, 0, c.limit)
	if err != nil {
		return nil, err
	}
	base := models.NewSequential(
		&layers.Input{Shape: layers.Shape{28, 28, 1}},
		&layers.Conv2D{Filters: 16, KernelSize: []int{3}, Activation: layers.ReLU},
		&layers.BatchNormalization{},
		&layers.MaxPooling2D{PoolSize: []int{2}},
		&layers.Conv2D{Filters: 32, KernelSize: []int{3}, Activation: layers.ReLU},
		&layers.MaxPooling2D{PoolSize: []int{2}},
		&layers.Flatten{},
	)
	base.Name = "base"
	cnn := models.NewSequential(base.AsLayer(), &layers.Dense{Units: 5, Activation: layers.Softmax})
	if err := cnn.Compile(compileAt(1e-3)); err != nil {
		return nil, err
	}
	if _, err := cnn.Fit(ctx, a.X, a.Y, fit); err != nil {
		return nil, err
	}
	if res.pretrained, err = accuracy(ctx, cnn.Model(), aTest); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "classes 0-4: test accuracy %.4f\n", res.pretrained)
	saved := filepath.Join(out, "classes-0-4")
	if err := cnn.Save(saved); err != nil {
		return nil, err
	}

	// Phase 1: the saved model's base, frozen, under a new head for
	// classes 5-9. The recipe is 12 statements from here to the end of
	// phase 2, as in Keras's guide, each with its error check.
	b, bTest, err := fiveClasses(train, test, 5, c.limit)
	if err != nil {
		return nil, err
	}
	loaded, err := models.Load(saved)
	if err != nil {
		return nil, err
	}
	l, err := loaded.Layer("base")
	if err != nil {
		return nil, err
	}
	convBase := l.(*models.Functional)
	x := models.Input("image", 28, 28, 1)
	h := models.Apply(&layers.Dense{Units: 64, Activation: layers.ReLU}, models.Apply(convBase, x))
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{models.Apply(&layers.Dense{Units: 5, Activation: layers.Softmax}, h)})
	if err != nil {
		return nil, err
	}
	if err := m.SetTrainable(convBase, false); err != nil {
		return nil, err
	}
	if err := m.Compile(compileAt(1e-3)); err != nil {
		return nil, err
	}
	before := checksum(convBase.Weights())
	if _, err := m.Fit(ctx, b.X, b.Y, fit); err != nil {
		return nil, err
	}
	res.frozenKept = checksum(convBase.Weights()) == before
	if res.frozen, err = accuracy(ctx, m, bTest); err != nil {
		return nil, err
	}
	fmt.Fprint(w, m.Summary())
	fmt.Fprintf(w, "classes 5-9, base frozen: test accuracy %.4f; base weights bit-identical after training: %v\n", res.frozen, res.frozenKept)

	// Phase 2: unfreeze and fine-tune everything at a lower learning rate.
	if err := m.SetTrainable(convBase, true); err != nil {
		return nil, err
	}
	if err := m.Compile(compileAt(1e-5)); err != nil {
		return nil, err
	}
	if _, err := m.Fit(ctx, b.X, b.Y, fit); err != nil {
		return nil, err
	}
	res.tunedMoved = checksum(convBase.Weights()) != before
	if res.tuned, err = accuracy(ctx, m, bTest); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "classes 5-9, fine-tuned: test accuracy %.4f\n", res.tuned)
	return res, nil
}

func compileAt(lr float64) models.Config {
	return models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: lr},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      1,
		BatchSize: 500,
	}
}

func accuracy(ctx context.Context, m *models.Functional, d *datasets.Dataset) (float64, error) {
	scores, err := m.Evaluate(ctx, d.X, d.Y)
	return scores["accuracy"], err
}

// fiveClasses returns the training (at most limit) and test pictures of
// classes from to from+4, labelled 0 to 4.
func fiveClasses(train, test *datasets.Dataset, from, limit int) (*datasets.Dataset, *datasets.Dataset, error) {
	pick := func(d *datasets.Dataset, limit int) (*datasets.Dataset, error) {
		var rows []int
		for i, v := range d.Y.Data().([]float32) {
			if int(v) >= from && int(v) < from+5 && (limit <= 0 || len(rows) < limit) {
				rows = append(rows, i)
			}
		}
		s, err := d.Subset(rows)
		if err != nil {
			return nil, err
		}
		y := s.Y.Data().([]float32)
		for i := range y {
			y[i] -= float32(from)
		}
		s.ClassNames = d.ClassNames[from : from+5]
		return s, nil
	}
	a, err := pick(train, limit)
	if err != nil {
		return nil, nil, err
	}
	b, err := pick(test, 0)
	return a, b, err
}

// checksum is the SHA-256 of the weights' bytes.
func checksum(ws []*layers.Weight) [32]byte {
	h := sha256.New()
	for _, w := range ws {
		h.Write(w.Value.Header.Raw)
	}
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}
