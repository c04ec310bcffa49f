package models_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/blas"
	"github.com/profundo/profundo/internal/ops"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

func compileCNN(t *testing.T, m *models.Sequential, seed int64) {
	t.Helper()
	err := m.Compile(models.Config{
		Loss:      losses.SparseCategoricalCrossentropy{},
		Optimizer: optimizers.Adam{LearningRate: 3e-3},
		Metrics:   []metrics.Metric{&metrics.Accuracy{}},
		Seed:      seed,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSmallCNNLearnsDigits trains the small CNN on the 8x8 digits (read as
// one-channel images) and checks it generalizes, and that a saved and
// loaded copy predicts bit-identically.
func TestSmallCNNLearnsDigits(t *testing.T) {
	train, test := digits(t)
	m, err := models.NewSmallCNN(layers.Shape{64}, 10, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	compileCNN(t, m, 1)
	if got := m.OutputShape(); !got.Equal(layers.Shape{10}) {
		t.Fatalf("output shape %v", got)
	}
	ctx := context.Background()
	if _, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: 6, BatchSize: 32, Seed: 1, Silent: true}); err != nil {
		t.Fatal(err)
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	if acc := scores["accuracy"]; acc < 0.93 {
		t.Fatalf("test accuracy %.4f, want >= 0.93", acc)
	}
	dir := filepath.Join(t.TempDir(), "cnn")
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
	w, g := want.Data().([]float32), got.Data().([]float32)
	for i := range w {
		if w[i] != g[i] {
			t.Fatalf("loaded model predicts %v at %d, the trained one %v", g[i], i, w[i])
		}
	}
	if s := m.Summary(); !strings.Contains(s, "conv2d_1 (Conv2D)") || !strings.Contains(s, "max_pooling2d (MaxPooling2D)") {
		t.Fatalf("summary does not list the second convolution:\n%s", s)
	}
}

// TestSmallCNNOnFashionMNIST trains the small CNN on 3,000 Fashion-MNIST
// images for two epochs and checks the test accuracy on 2,000 test images.
// It needs the Fashion-MNIST files (Debian's dataset-fashion-mnist, which
// CI installs) and is skipped without them, and in -short runs.
func TestSmallCNNOnFashionMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 3,000 images")
	}
	dir := "/usr/share/datasets/fashion-mnist"
	if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
	}
	ctx := context.Background()
	train, test, err := datasets.FashionMNIST(ctx, datasets.LoadOptions{Dir: dir, NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	first := func(d *datasets.Dataset, n int) *datasets.Dataset {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		s, err := d.Subset(rows)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	train, test = first(train, 3000), first(test, 2000)
	m, err := models.NewSmallCNN(layers.Shape(train.X.Shape()[1:]), 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	compileCNN(t, m, 2)
	if _, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: 2, BatchSize: 64, Seed: 2, Silent: true}); err != nil {
		t.Fatal(err)
	}
	scores, err := m.Evaluate(ctx, test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	if acc := scores["accuracy"]; acc < 0.72 {
		t.Fatalf("test accuracy %.4f after 2 epochs on 3,000 images, want >= 0.72", acc)
	}
	t.Logf("test accuracy %.4f", scores["accuracy"])
}

func TestSmallCNNErrors(t *testing.T) {
	if _, err := models.NewSmallCNN(layers.Shape{10}, 3, 0); err == nil || !strings.Contains(err.Error(), "not images") {
		t.Fatalf("error %v", err)
	}
	if _, err := models.NewSmallCNN(layers.Shape{28, 28}, 1, 0); err == nil || !strings.Contains(err.Error(), "at least 2 classes") {
		t.Fatalf("error %v", err)
	}
}

// TestSmallCNNSameAcrossCPUs trains the small CNN with GOMAXPROCS 1 and 2:
// the work splits differently, the weights must not differ by a bit (gonum
// and the packed AVX2 GEMM alike). The OpenBLAS build promises less (the
// same weights for the same number of CPUs: its products are split by CPU
// and sum in another order).
func TestSmallCNNSameAcrossCPUs(t *testing.T) {
	if blas.Name() == "openblas" {
		t.Skipf("the %s build is deterministic for a given number of CPUs only", blas.Name())
	}
	train, _ := digits(t)
	var runs [][]float32
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		m, err := models.NewSmallCNN(layers.Shape{64}, 10, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		compileCNN(t, m, 3)
		_, err = m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 1, BatchSize: 64, Seed: 3, Silent: true})
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		var all []float32
		for _, w := range m.Weights() {
			all = append(all, w.Value.Data().([]float32)...)
		}
		runs = append(runs, all)
	}
	for i := range runs[0] {
		if runs[0][i] != runs[1][i] {
			t.Fatalf("weight value %d: %v with 1 CPU, %v with 2", i, runs[0][i], runs[1][i])
		}
	}
}

// TestLargeGraphsDropTheirBuffers checks that after Predict the graph of a
// large batch has dropped the buffers its ops keep, that a small one keeps
// them, and that predictions do not change either way.
func TestLargeGraphsDropTheirBuffers(t *testing.T) {
	train, _ := digits(t)
	m, err := models.NewSmallCNN(layers.Shape{64}, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	compileCNN(t, m, 4)
	ctx := context.Background()
	// 1,437 rows at once: about 100 MB of kept buffers.
	vals := make([]float32, train.X.Shape().TotalSize())
	for i, v := range train.X.Data().([]float64) {
		vals[i] = float32(v)
	}
	big := tensor.New(tensor.WithShape(train.X.Shape()...), tensor.WithBacking(vals))
	var first []float32
	for run := 0; run < 2; run++ {
		outs, err := trainer.Predict(ctx, m, []*tensor.Dense{big}, big.Shape()[0])
		if err != nil {
			t.Fatal(err)
		}
		out := outs[0]
		g, err := m.Graph(trainer.PredictMode, big.Shape()[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, n := ops.GraphBuffers(g.Graph); n != 0 {
			t.Fatalf("run %d: the batch-%d graph keeps %d bytes after Predict", run, big.Shape()[0], n)
		}
		if run == 0 {
			first = append(first, out.Data().([]float32)...)
			continue
		}
		for i, v := range out.Data().([]float32) {
			if v != first[i] {
				t.Fatalf("prediction %d changed after the buffers were dropped: %v, then %v", i, first[i], v)
			}
		}
	}
	if _, err := trainer.Predict(ctx, m, []*tensor.Dense{big}, 4); err != nil {
		t.Fatal(err)
	}
	g, err := m.Graph(trainer.PredictMode, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, n := ops.GraphBuffers(g.Graph); n == 0 {
		t.Fatal("the batch-4 graph dropped its buffers")
	}
}
