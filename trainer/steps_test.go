package trainer_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// recordStep logs each batch's first feature's mean and its size, and
// keeps where each batch was and what its stream drew first.
type recordStep struct {
	batches []string
	draws   []int64
	sawY    bool
	val     bool
	bad     trainer.Logs
}

func (s *recordStep) LogNames() []string { return []string{"mean", "rows"} }

func (s *recordStep) TrainStep(b *trainer.Batch) (trainer.Logs, error) {
	if s.bad != nil {
		return s.bad, nil
	}
	x := b.Data.X[0].Data().([]float64)
	n := b.Data.X[0].Shape()[0]
	sum := 0.0
	for i := 0; i < n; i++ {
		sum += x[i*2]
	}
	s.sawY = s.sawY || len(b.Data.Y) > 0
	s.batches = append(s.batches, fmt.Sprintf("%d/%d", b.Epoch, b.Index))
	s.draws = append(s.draws, b.RNG.Int63())
	return trainer.Logs{"mean": sum / float64(n), "rows": float64(n)}, nil
}

type validatingStep struct{ recordStep }

func (s *validatingStep) Validate(_ context.Context, d trainer.Data) (trainer.Logs, error) {
	return trainer.Logs{"mean": -1, "rows": float64(d.Len())}, nil
}

func column(n int) *tensor.Dense {
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		x[2*i], x[2*i+1] = float64(i), 1
	}
	return tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(x))
}

// TestFitSteps checks the loop FitSteps gives a step: every row once per
// epoch, running means weighted by the batch sizes, batch positions, a
// stream per batch that the seed decides, and validation through
// Validator.
func TestFitSteps(t *testing.T) {
	s := &recordStep{}
	hist, err := trainer.FitSteps(context.Background(), s, *trainer.XY(column(10), nil), trainer.FitConfig{Epochs: 2, BatchSize: 4, Seed: 7, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.sawY {
		t.Error("a step given data without Y saw targets")
	}
	if got := strings.Join(s.batches, " "); got != "0/0 0/1 0/2 1/0 1/1 1/2" {
		t.Errorf("batches %s", got)
	}
	// The mean over an epoch of every row's first feature, each batch
	// weighted by its rows: (0+...+9)/10 whatever the order.
	for e, v := range hist.Values["mean"] {
		if math.Abs(v-4.5) > 1e-12 {
			t.Errorf("epoch %d: mean %v, want 4.5", e, v)
		}
	}
	// rows: (4*4 + 4*4 + 2*2) / 10.
	if v := hist.Values["rows"][0]; math.Abs(v-3.6) > 1e-12 {
		t.Errorf("rows %v, want 3.6", v)
	}
	again := &recordStep{}
	if _, err := trainer.FitSteps(context.Background(), again, *trainer.XY(column(10), nil), trainer.FitConfig{Epochs: 2, BatchSize: 4, Seed: 7, Silent: true}); err != nil {
		t.Fatal(err)
	}
	other := &recordStep{}
	if _, err := trainer.FitSteps(context.Background(), other, *trainer.XY(column(10), nil), trainer.FitConfig{Epochs: 2, BatchSize: 4, Seed: 8, Silent: true}); err != nil {
		t.Fatal(err)
	}
	for i := range s.draws {
		if s.draws[i] != again.draws[i] {
			t.Errorf("batch %d: the same seed drew %d and %d", i, s.draws[i], again.draws[i])
		}
		if s.draws[i] == other.draws[i] {
			t.Errorf("batch %d: seeds 7 and 8 drew the same", i)
		}
	}

	v := &validatingStep{}
	hist, err = trainer.FitSteps(context.Background(), v, *trainer.XY(column(10), nil), trainer.FitConfig{BatchSize: 4, ValidationSplit: 0.2, Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(hist.Names, ","); got != "mean,rows,val_mean,val_rows" {
		t.Errorf("names %s", got)
	}
	if r, _ := hist.Last("val_rows"); r != 2 {
		t.Errorf("validated %v rows, want the last 2", r)
	}
}

func TestFitStepsErrors(t *testing.T) {
	x := *trainer.XY(column(6), nil)
	for _, c := range []struct {
		name string
		step trainer.Stepper
		cfg  trainer.FitConfig
		want string
	}{
		{"unknown log", &recordStep{bad: trainer.Logs{"oops": 1}}, trainer.FitConfig{}, `the step logged "oops", which is not among its LogNames`},
		{"NaN", &recordStep{bad: trainer.Logs{"mean": math.NaN()}}, trainer.FitConfig{}, "fit: epoch 1, batch 1: mean is NaN"},
		{"validation without Validate", &recordStep{}, trainer.FitConfig{ValidationSplit: 0.5}, "cannot validate"},
		{"sample weights", &recordStep{}, trainer.FitConfig{ClassWeight: map[int]float64{0: 2}}, "sample and class weights are Fit's"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Silent = true
			_, err := trainer.FitSteps(context.Background(), c.step, x, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

// twoLosses is a step of its own: it trains a regression model and a
// classifier on the same features, each with its own optimizer, and logs
// both losses.
type twoLosses struct {
	reg, cls *models.Sequential
}

func (s *twoLosses) LogNames() []string { return []string{"mse", "crossentropy"} }

func (s *twoLosses) TrainStep(b *trainer.Batch) (trainer.Logs, error) {
	// The regression target: how much ink a digit has, from its pixels.
	n := b.Data.X[0].Shape()[0]
	px := b.Data.X[0].Data().([]float64)
	ink := make([]float64, n)
	for i := range ink {
		for j := 0; j < 64; j++ {
			ink[i] += px[i*64+j] / 64
		}
	}
	r, err := s.reg.TrainOnBatch(b.Data.X[0], tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ink)), b.RNG)
	if err != nil {
		return nil, err
	}
	c, err := s.cls.TrainOnBatch(b.Data.X, b.Data.Y, b.RNG)
	if err != nil {
		return nil, err
	}
	return trainer.Logs{"mse": r["loss"], "crossentropy": c["loss"]}, nil
}

// A training step of one's own: two models, two losses, two optimizers,
// with FitSteps's batching, shuffling, progress and history.
func ExampleFitSteps() {
	data, _ := datasets.Digits()
	for i, v := range data.X.Data().([]float64) {
		data.X.Data().([]float64)[i] = v / 16
	}
	reg := models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, &layers.Dense{Units: 1})
	cls := models.NewSequential(&layers.Input{Shape: layers.Shape{64}}, &layers.Dense{Units: 10, Activation: layers.Softmax})
	if err := reg.Compile(models.Config{Loss: losses.MeanSquaredError{}, Optimizer: optimizers.SGD{LearningRate: 0.01}}); err != nil {
		fmt.Println(err)
		return
	}
	if err := cls.Compile(models.Config{Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: 0.01}}); err != nil {
		fmt.Println(err)
		return
	}
	hist, err := trainer.FitSteps(context.Background(), &twoLosses{reg: reg, cls: cls}, *trainer.XY(data.X, data.Y),
		trainer.FitConfig{Epochs: 5, BatchSize: 64, Seed: 1, Silent: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hist.Names)
	first, last := hist.Values["crossentropy"][0], hist.Values["crossentropy"][4]
	fmt.Println("cross-entropy fell:", last < first/2)
	fmt.Println("mse fell:", hist.Values["mse"][4] < hist.Values["mse"][0]/2)
	// Output:
	// [mse crossentropy]
	// cross-entropy fell: true
	// mse fell: true
}
