package models_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// The loss and optimizer options Keras users set, and the activation
// layers' options, are saved with the model and read back as they were.
func TestKerasOptionsSaveAndLoad(t *testing.T) {
	slope, alpha, maxv := 0.1, 0.5, 6.0
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{4}},
		&layers.Dense{Units: 5},
		&layers.LeakyReLUActivation{NegativeSlope: &slope},
		&layers.ELUActivation{Alpha: &alpha},
		&layers.ReLUActivation{MaxValue: &maxv, Threshold: 0.1, NegativeSlope: 0.01},
		&layers.PReLU{},
		&layers.Dense{Units: 3, Activation: layers.GELUApproximate},
	)
	loss := losses.CategoricalCrossentropy{FromLogits: true, LabelSmoothing: 0.1, Axis: -1, Reduction: losses.Sum}
	opt := optimizers.AdamW{
		AMSGrad: true, ExcludeFromWeightDecay: []string{"bias", "alpha"},
		Options: optimizers.Options{UseEMA: true, EMAMomentum: 0.9, EMAOverwriteFrequency: 5, GradientAccumulationSteps: 2},
	}
	if err := m.Compile(models.Config{Loss: loss, Optimizer: opt, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "m")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := models.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Config().Loss; !reflect.DeepEqual(got, loss) {
		t.Errorf("loss %#v, want %#v", got, loss)
	}
	if got := back.Config().Optimizer; !reflect.DeepEqual(got, opt) {
		t.Errorf("optimizer %#v, want %#v", got, opt)
	}
	x := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{0, 1, -2, 0.5, 3, 0, 0, -1}))
	want, err := m.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got[0].Data(), want[0].Data()) {
		t.Errorf("loaded model predicts %v, saved one %v", got[0].Data(), want[0].Data())
	}
}

// With UseEMA, Fit ends with the moving averages in the weights (Keras's
// finalize_variable_values): the weights equal the solver's averages, and
// differ from those of the same run without the average.
func TestFitFinalizesMovingAverages(t *testing.T) {
	run := func(ema bool) (*models.Sequential, []float64) {
		m := models.NewSequential(&layers.Input{Shape: layers.Shape{2}}, &layers.Dense{Units: 1})
		opt := optimizers.SGD{LearningRate: 0.1, Options: optimizers.Options{UseEMA: ema, EMAMomentum: 0.5}}
		if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Optimizer: opt, DType: tensor.Float64, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1, -1, 2}))
		y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{1, -1, 0, 3}))
		if _, err := m.Fit(context.Background(), x, y, trainer.FitConfig{Epochs: 3, BatchSize: 2, Seed: 1, Silent: true}); err != nil {
			t.Fatal(err)
		}
		return m, append([]float64(nil), m.Weights()[0].Value.Data().([]float64)...)
	}
	m, withEMA := run(true)
	_, plain := run(false)
	st, ok := m.Solver().(optimizers.Stateful)
	if !ok {
		t.Fatal("solver has no state")
	}
	slots := st.State().Slots[0]
	avg := slots[len(slots)-1].Data().([]float64)
	if !reflect.DeepEqual(withEMA, avg) {
		t.Errorf("weights after Fit %v, want the averages %v", withEMA, avg)
	}
	if reflect.DeepEqual(withEMA, plain) {
		t.Errorf("weights with and without the average are both %v", plain)
	}
}
