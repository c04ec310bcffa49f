package models_test

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// The accuracy of a masked sequence-labelling model counts only the
// unmasked steps, as in Keras 3; so does the mean squared error metric.
func TestMetricsLeaveMaskedStepsOut(t *testing.T) {
	ctx := context.Background()
	const n, steps, classes = 4, 5, 3
	ids := []float64{
		3, 1, 4, 1, 5,
		9, 2, 6, 0, 0,
		5, 3, 0, 0, 0,
		5, 0, 0, 0, 0,
	}
	m := models.NewSequential(
		&layers.Input{Shape: layers.Shape{steps}},
		&layers.Embedding{InputDim: 10, OutputDim: 4, MaskZero: true},
		&layers.LSTM{Units: classes, ReturnSequences: true},
	)
	acc, mse := &metrics.CategoricalAccuracy{}, &metrics.MeanSquaredError{}
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Metrics: []metrics.Metric{acc, mse}, DType: tensor.Float64, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(ids))
	// One-hot labels: class (id % 3) at real steps, class 0 at padded ones,
	// which a model would score on if the padding counted.
	y := make([]float64, n*steps*classes)
	for i, id := range ids {
		c := int(id) % classes
		y[i*classes+c] = 1
	}
	yt := tensor.New(tensor.WithShape(n, steps, classes), tensor.WithBacking(y))
	if _, err := m.Fit(ctx, x, yt, trainer.FitConfig{Epochs: 2, BatchSize: n}); err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	p := pred[0].Data().([]float64)
	argmax := func(v []float64) int {
		best := 0
		for i := range v {
			if v[i] > v[best] {
				best = i
			}
		}
		return best
	}
	var right, real, allRight, sq float64
	for s, id := range ids {
		hit := argmax(p[s*classes:(s+1)*classes]) == argmax(y[s*classes:(s+1)*classes])
		if hit {
			allRight++
		}
		if id == 0 {
			continue
		}
		real++
		if hit {
			right++
		}
		for c := 0; c < classes; c++ {
			d := p[s*classes+c] - y[s*classes+c]
			sq += d * d / classes
		}
	}
	wantAcc, wantMSE := right/real, sq/real
	logs, err := m.Evaluate(ctx, x, yt)
	if err != nil {
		t.Fatal(err)
	}
	if got := logs[acc.Name()]; math.Abs(got-wantAcc) > 1e-12 {
		t.Errorf("accuracy %v, want %v (%v of %v unmasked steps; %v of all %d steps)", got, wantAcc, right, real, allRight, n*steps)
	}
	if got := logs[mse.Name()]; math.Abs(got-wantMSE) > 1e-12 {
		t.Errorf("mean squared error %v, want %v over the %v unmasked steps", got, wantMSE, real)
	}
	// The masked loss is the same sum over Keras's valid steps plus its
	// epsilon, 1e-7.
	if got, want := logs["loss"], sq/(real+1e-7); math.Abs(got-want) > 1e-12 {
		t.Errorf("loss %v, want %v", got, want)
	}
}
