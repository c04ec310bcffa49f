package models_test

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// maskedSequenceModel is Embedding(MaskZero) -> LSTM(ReturnSequences),
// float64, with ids padded by zeros at the end of each sample.
func maskedSequenceModel(t *testing.T) (*models.Sequential, *tensor.Dense, *tensor.Dense, []float64) {
	t.Helper()
	const n, steps, units = 4, 5, 3
	ids := []float64{
		3, 1, 4, 1, 5,
		9, 2, 6, 0, 0,
		5, 3, 0, 0, 0,
		5, 0, 0, 0, 0,
	}
	mask := make([]float64, len(ids))
	for i, v := range ids {
		if v != 0 {
			mask[i] = 1
		}
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{steps}},
		&layers.Embedding{InputDim: 10, OutputDim: 4, MaskZero: true},
		&layers.LSTM{Units: units, ReturnSequences: true},
	)
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, DType: tensor.Float64, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	y := make([]float64, n*steps*units)
	for i := range y {
		y[i] = math.Sin(float64(i)) // targets at padded steps too, which must not count
	}
	return m, tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(ids)),
		tensor.New(tensor.WithShape(n, steps, units), tensor.WithBacking(y)), mask
}

// kerasMaskedMSE is Keras 3's masked loss (keras/src/losses/loss.py,
// apply_mask with reduction sum_over_batch_size): the mean squared error
// of each step, weighted by w and the mask, summed, over the number of
// valid steps plus backend.epsilon().
func kerasMaskedMSE(pred, y, mask, w []float64, units int) float64 {
	num, valid := 0.0, 0.0
	for s := range mask {
		l := 0.0
		for u := 0; u < units; u++ {
			d := pred[s*units+u] - y[s*units+u]
			l += d * d
		}
		num += l / float64(units) * mask[s] * w[s]
		valid += mask[s]
	}
	return num / (valid + 1e-7)
}

// TestMaskedSequenceLossMatchesKeras checks that the padded steps of a
// masked sequence output are left out of the loss, as in Keras 3, in
// evaluation and in training, and that per-step sample weights [n, steps]
// weigh each step.
func TestMaskedSequenceLossMatchesKeras(t *testing.T) {
	ctx := context.Background()
	m, x, y, mask := maskedSequenceModel(t)
	pred, err := m.Predict(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	p, yv := pred[0].Data().([]float64), y.Data().([]float64)
	ones := make([]float64, len(mask))
	for i := range ones {
		ones[i] = 1
	}
	want := kerasMaskedMSE(p, yv, mask, ones, 3)
	unmasked := kerasMaskedMSE(p, yv, ones, ones, 3)
	if math.Abs(want-unmasked) < 1e-3 {
		t.Fatalf("the case does not tell masked (%v) from unmasked (%v) losses", want, unmasked)
	}
	logs, err := m.Evaluate(ctx, x, y)
	if err != nil {
		t.Fatal(err)
	}
	if got := logs["loss"]; math.Abs(got-want) > 1e-12 {
		t.Errorf("evaluate loss %.15g, want Keras's %.15g (over every step: %.15g)", got, want, unmasked)
	}

	// Training: per-step weights, one batch, the loss logged before the
	// step is taken.
	w := make([]float64, len(mask))
	for i := range w {
		w[i] = float64(i%3) + 0.5
	}
	wantW := kerasMaskedMSE(p, yv, mask, w, 3)
	h, err := m.Fit(ctx, x, y, trainer.FitConfig{Epochs: 1, BatchSize: 4,
		SampleWeight: tensor.New(tensor.WithShape(4, 5), tensor.WithBacking(w))})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Values["loss"][0]; math.Abs(got-wantW) > 1e-12 {
		t.Errorf("weighted training loss %.15g, want %.15g", got, wantW)
	}

	// Per-step weights of the wrong length are refused.
	_, err = m.Fit(ctx, x, y, trainer.FitConfig{Epochs: 1, BatchSize: 4,
		SampleWeight: tensor.New(tensor.WithShape(4, 3), tensor.WithBacking(make([]float64, 12)))})
	if err == nil {
		t.Error("sample weights [4, 3] for 5 steps were accepted")
	}
}
