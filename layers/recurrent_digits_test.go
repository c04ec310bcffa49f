package layers_test

import (
	"context"
	"math/rand"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// TestLSTMLearnsDigits reads each embedded 8x8 digit as a sequence of 8
// rows of 8 pixels and checks that LSTM(32) and a softmax learn to tell
// them apart in a few epochs, and that a saved copy predicts the same.
func TestLSTMLearnsDigits(t *testing.T) {
	learnDigits(t, &layers.LSTM{Units: 32}, 5)
}

// TestBidirectionalGRULearnsDigits is TestLSTMLearnsDigits with a
// bidirectional GRU.
func TestBidirectionalGRULearnsDigits(t *testing.T) {
	learnDigits(t, &layers.Bidirectional{Layer: &layers.GRU{Units: 16}}, 4)
}

// learnDigits trains rnn, then a softmax, on the digits read as rows.
func learnDigits(t *testing.T, rnn layers.Layer, epochs int) {
	d, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d.X.Data().([]float64) {
		d.X.Data().([]float64)[i] = v / 16
	}
	train, test, err := datasets.TrainTestSplit(d, 0.2, rand.New(rand.NewSource(0)), true)
	if err != nil {
		t.Fatal(err)
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{64}},
		&layers.Reshape{Target: []int{8, 8}},
		rnn,
		&layers.Dense{Units: 10, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 1e-2},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      1,
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: epochs, BatchSize: 32, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test accuracy %.4f", scores["accuracy"])
	if acc := scores["accuracy"]; acc < 0.85 {
		t.Fatalf("test accuracy %.4f, want >= 0.85", acc)
	}
	// A saved and loaded copy predicts the same.
	dir := filepath.Join(t.TempDir(), "lstm")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	wants, err := m.Predict(ctx, test.X)
	if err != nil {
		t.Fatal(err)
	}
	want := wants[0]
	gots, err := back.Predict(ctx, test.X)
	if err != nil {
		t.Fatal(err)
	}
	got := gots[0]
	if !reflect.DeepEqual(got.Data(), want.Data()) {
		t.Fatal("the loaded model predicts differently")
	}
}
