package models_test

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

func TestFitDigitsConverges(t *testing.T) {
	train, test := digits(t)
	m := mlp(t, 1)
	hist, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 30, BatchSize: 32, ValidationSplit: 0.1, Seed: 1, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(hist.Epochs); got != 30 {
		t.Fatalf("history has %d epochs, want 30", got)
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
		if len(hist.Values[k]) != 30 {
			t.Fatalf("history[%q] has %d values, want 30 (names %v)", k, len(hist.Values[k]), hist.Names)
		}
	}
	if first, last := hist.Values["loss"][0], hist.Values["loss"][29]; !(last < first/3) {
		t.Errorf("loss went from %v to %v; want it to fall at least threefold", first, last)
	}
	scores, err := m.Evaluate(context.Background(), test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	if scores["accuracy"] < 0.95 {
		t.Errorf("test accuracy %v, want >= 0.95", scores["accuracy"])
	}
	probss, err := m.Predict(context.Background(), test.X)
	if err != nil {
		t.Fatal(err)
	}
	probs := probss[0]
	if want := []int{test.Len(), 10}; !reflect.DeepEqual([]int(probs.Shape()), want) {
		t.Fatalf("predict shape %v, want %v", probs.Shape(), want)
	}
	// Predict agrees with Evaluate's accuracy.
	p := probs.Data().([]float32)
	correct := 0
	for i := 0; i < test.Len(); i++ {
		best := 0
		for k := 1; k < 10; k++ {
			if p[i*10+k] > p[i*10+best] {
				best = k
			}
		}
		if float64(best) == test.Y.Data().([]float64)[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(test.Len()); math.Abs(acc-scores["accuracy"]) > 1e-9 {
		t.Errorf("accuracy from Predict %v, from Evaluate %v", acc, scores["accuracy"])
	}
}

func TestSameSeedSameRun(t *testing.T) {
	train, _ := digits(t)
	run := func(seed int64) (map[string][]float64, []float64) {
		m := mlp(t, seed)
		h, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 3, BatchSize: 50, Seed: seed, Silent: true})
		if err != nil {
			t.Fatal(err)
		}
		return weightsOf(m), h.Values["loss"]
	}
	w1, l1 := run(7)
	w2, l2 := run(7)
	if !reflect.DeepEqual(w1, w2) {
		t.Error("same seed: weights differ")
	}
	if !reflect.DeepEqual(l1, l2) {
		t.Errorf("same seed: loss histories differ: %v vs %v", l1, l2)
	}
	w3, _ := run(8)
	if reflect.DeepEqual(w1, w3) {
		t.Error("different seeds: identical weights")
	}
}

func TestPredictAnyNumberOfRows(t *testing.T) {
	m := models.NewSequential(
		&layers.Dense{Units: 5, Activation: layers.Tanh},
		&layers.Dropout{Rate: 0.5},
		&layers.Dense{Units: 3, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.CategoricalCrossentropy{}, BatchSize: 8}); err != nil {
		t.Fatal(err)
	}
	x := randomMatrix(rand.New(rand.NewSource(1)), 21, 4)
	alls, err := m.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	all := alls[0]
	agains, err := m.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	again := agains[0]
	if !reflect.DeepEqual(all.Data(), again.Data()) {
		t.Error("two predictions of the same rows differ: dropout leaked into inference")
	}
	for _, n := range []int{1, 7, 8, 9, 21} {
		part := tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(x.Data().([]float32)[:n*4]))
		gots, err := m.Predict(context.Background(), part)
		if err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		got := gots[0]
		if !reflect.DeepEqual([]int(got.Shape()), []int{n, 3}) {
			t.Fatalf("%d rows: shape %v", n, got.Shape())
		}
		g, w := got.Data().([]float32), all.Data().([]float32)[:n*3]
		for i := range g {
			if math.Abs(float64(g[i]-w[i])) > 1e-6 {
				t.Fatalf("%d rows: value %d is %v, predicting all rows gave %v", n, i, g[i], w[i])
			}
		}
	}
}

func TestLastPartialBatchIsTrained(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	x := randomMatrix(rng, 10, 3)
	y := randomMatrix(rng, 10, 1)
	m := models.NewSequential(&layers.Dense{Units: 1})
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Optimizer: optimizers.SGD{}}); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	last := 0
	cb := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd {
			sizes = append(sizes, e.Samples-last)
			last = e.Samples
		}
		return nil
	})
	if _, err := m.Fit(context.Background(), x, y, trainer.FitConfig{BatchSize: 4, Silent: true, Callbacks: []trainer.Callback{cb}}); err != nil {
		t.Fatal(err)
	}
	if want := []int{4, 4, 2}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("batch sizes %v, want %v", sizes, want)
	}
	// The partial batch's step changes the weights: train on exactly the
	// two rows that form it, and compare with a model that never trains.
	before := weightsOf(m)
	part := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(x.Data().([]float32)[:6]))
	party := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking(y.Data().([]float32)[:2]))
	if _, err := m.Fit(context.Background(), part, party, trainer.FitConfig{BatchSize: 4, Silent: true}); err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(before, weightsOf(m)) {
		t.Error("a 2-sample batch did not change the weights")
	}
}

func TestHeapDoesNotGrowAcrossEpochs(t *testing.T) {
	train, _ := digits(t)
	m := mlp(t, 3)
	var heap []uint64
	cb := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.EpochEnd {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = append(heap, ms.HeapInuse)
		}
		return nil
	})
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 12, BatchSize: 32, ValidationSplit: 0.1, Silent: true, Callbacks: []trainer.Callback{cb}}); err != nil {
		t.Fatal(err)
	}
	// After the first epochs have built every graph, the heap in use stays
	// within 4 MiB, though each epoch allocates far more than that.
	const bound = 4 << 20
	base := heap[2]
	for i, h := range heap[3:] {
		if h > base+bound {
			t.Errorf("heap in use after epoch %d is %d MiB, after epoch 3 it was %d MiB", i+4, h>>20, base>>20)
		}
	}
}

func TestContextCancelStopsBetweenBatches(t *testing.T) {
	train, _ := digits(t)
	m := mlp(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	cb := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd {
			batches++
			if batches == 3 {
				cancel()
			}
		}
		return nil
	})
	_, err := m.Fit(ctx, train.X, train.Y, trainer.FitConfig{Epochs: 5, Silent: true, Callbacks: []trainer.Callback{cb}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if batches != 3 {
		t.Errorf("%d batches ran, want 3", batches)
	}
	if !strings.Contains(err.Error(), "epoch 1, batch 4") {
		t.Errorf("error %q does not say where it stopped", err)
	}
}

func TestStopFromCallback(t *testing.T) {
	train, _ := digits(t)
	m := mlp(t, 1)
	cb := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.EpochEnd && e.Epoch == 1 {
			return trainer.ErrStop
		}
		return nil
	})
	h, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 10, Silent: true, Callbacks: []trainer.Callback{cb}})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 {
		t.Errorf("ran %d epochs, want 2", len(h.Epochs))
	}
}

func TestNaNLossNamesEpochAndBatch(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randomMatrix(rng, 64, 4)
	y := randomMatrix(rng, 64, 1)
	m := models.NewSequential(&layers.Dense{Units: 8, Activation: layers.ReLU}, &layers.Dense{Units: 1})
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Optimizer: optimizers.SGD{LearningRate: 1e18}}); err != nil {
		t.Fatal(err)
	}
	_, err := m.Fit(context.Background(), x, y, trainer.FitConfig{Epochs: 5, BatchSize: 8, Silent: true})
	if err == nil {
		t.Fatal("a diverging run returned no error")
	}
	for _, want := range []string{"epoch ", "batch ", "loss is"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestSummary(t *testing.T) {
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{8, 8}},
		&layers.Flatten{},
		&layers.Dense{Units: 32, Activation: layers.ReLU},
		&layers.Dropout{Rate: 0.1},
		&layers.Dense{Name: "out", Units: 10, Activation: layers.Softmax},
	)
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}}); err != nil {
		t.Fatal(err)
	}
	s := m.Summary()
	for _, want := range []string{
		`Model: "sequential"`,
		"flatten (Flatten)", "(None, 64)",
		"dense (Dense)", "(None, 32)", "2,080",
		"dropout (Dropout)",
		"out (Dense)", "(None, 10)", "330",
		"Total params: 2,410", "Trainable params: 2,410", "Non-trainable params: 0",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestFloat64Model(t *testing.T) {
	train, test := digits(t)
	m := models.NewSequential(&layers.Dense{Units: 32, Activation: layers.Tanh}, &layers.Dense{Units: 10, Activation: layers.Softmax})
	if err := m.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, DType: tensor.Float64, Metrics: []metrics.Metric{&metrics.Accuracy{}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Epochs: 20, Silent: true}); err != nil {
		t.Fatal(err)
	}
	scores, err := m.Evaluate(context.Background(), test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	if scores["accuracy"] < 0.9 {
		t.Errorf("float64 test accuracy %v, want >= 0.9", scores["accuracy"])
	}
	for _, w := range m.Weights() {
		if w.Value.Dtype() != tensor.Float64 {
			t.Errorf("%s is %v, want float64", w.Name, w.Value.Dtype())
		}
	}
}

func TestValidationData(t *testing.T) {
	train, test := digits(t)
	m := mlp(t, 1)
	h, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{
		Epochs: 2, Silent: true, ValidationData: trainer.XY(test.X, test.Y),
	})
	if err != nil {
		t.Fatal(err)
	}
	scores, err := m.Evaluate(context.Background(), test.X, test.Y)
	if err != nil {
		t.Fatal(err)
	}
	// The last epoch's val_ metrics are the scores of the final weights.
	for _, k := range []string{"loss", "accuracy"} {
		if v, _ := h.Last("val_" + k); math.Abs(v-scores[k]) > 1e-6 {
			t.Errorf("val_%s after the last epoch is %v, Evaluate gives %v", k, v, scores[k])
		}
	}
	bad := trainer.XY(test.X, train.Y)
	if _, err := m.Fit(context.Background(), train.X, train.Y, trainer.FitConfig{Silent: true, ValidationData: bad}); err == nil || !strings.Contains(err.Error(), "validation data") {
		t.Errorf("mismatched validation data: %v", err)
	}
}

// A run interrupted within an epoch and resumed where it stopped ends with
// the weights of the uninterrupted run.
func TestInterruptAndResumeInProcess(t *testing.T) {
	train, _ := digits(t)
	cfg := trainer.FitConfig{Epochs: 3, BatchSize: 64, Seed: 5, Silent: true}

	whole := mlp(t, 2)
	if _, err := whole.Fit(context.Background(), train.X, train.Y, cfg); err != nil {
		t.Fatal(err)
	}

	parts := mlp(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	stopper := trainer.CallbackFunc(func(e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd {
			if batches++; batches == 30 {
				cancel()
			}
		}
		return nil
	})
	first := cfg
	first.Callbacks = []trainer.Callback{stopper}
	_, err := parts.Fit(ctx, train.X, train.Y, first)
	var stop *trainer.Interrupted
	if !errors.As(err, &stop) {
		t.Fatalf("err = %v, want *trainer.Interrupted", err)
	}
	if stop.Epoch != 1 || stop.Batch != 7 { // 23 batches an epoch: 30 = 23 + 7
		t.Fatalf("stopped before epoch %d batch %d, want epoch 1 batch 7", stop.Epoch, stop.Batch)
	}
	rest := cfg
	rest.InitialEpoch, rest.InitialBatch = stop.Epoch, stop.Batch
	if _, err := parts.Fit(context.Background(), train.X, train.Y, rest); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(weightsOf(whole), weightsOf(parts)) {
		t.Error("interrupted and resumed run ends with other weights than the uninterrupted run")
	}
}

// The metrics read the output the loss read: with an MSE loss, the
// mean_squared_error metric equals the loss, in Fit's logs and in Evaluate.
func TestMetricsSeeTheOutputTheLossSees(t *testing.T) {
	d, err := datasets.Diabetes()
	if err != nil {
		t.Fatal(err)
	}
	scaler := &datasets.StandardScaler{}
	if err := scaler.Fit(d.X); err != nil {
		t.Fatal(err)
	}
	m := models.NewSequential(&layers.Dense{Units: 16, Activation: layers.ReLU}, &layers.Dense{Units: 1}, &layers.Rescaling{Scale: 77, Offset: 152})
	m.Preprocessing = scaler
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Metrics: []metrics.Metric{&metrics.MeanSquaredError{}}}); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(context.Background(), d.X, d.Y, trainer.FitConfig{Epochs: 3, ValidationSplit: 0.2, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "val_"} {
		loss, _ := h.Last(prefix + "loss")
		mse, _ := h.Last(prefix + "mean_squared_error")
		if math.Abs(loss-mse) > 1e-3*loss {
			t.Errorf("%sloss %v but %smean_squared_error %v", prefix, loss, prefix, mse)
		}
	}
	scores, err := m.Evaluate(context.Background(), d.X, d.Y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(scores["loss"]-scores["mean_squared_error"]) > 1e-3*scores["loss"] {
		t.Errorf("evaluate: loss %v but mean_squared_error %v", scores["loss"], scores["mean_squared_error"])
	}
}
