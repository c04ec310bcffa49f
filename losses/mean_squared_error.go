package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// MeanSquaredError is the mean of (pred - target)^2 over every element of
// pred, [batch, out...]: Keras's mean over the last axis, then over the batch.
// target has pred's shape. Its name is "mean_squared_error" ("mse").
type MeanSquaredError struct {
	// Reduction reduces the per-sample losses; empty means
	// SumOverBatchSize, their mean.
	Reduction Reduction
}

var _ Loss = MeanSquaredError{}

// Name returns "mean_squared_error".
func (MeanSquaredError) Name() string { return "mean_squared_error" }

// Build returns the scalar mean((pred - target)^2).
func (l MeanSquaredError) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.reduce(l.Reduction)
}

// LossReduction returns l.Reduction.
func (l MeanSquaredError) LossReduction() Reduction { return l.Reduction }

// Samples returns each sample's mean squared error, [batch].
func (l MeanSquaredError) Samples(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.samples()
}

func (l MeanSquaredError) terms(pred, target *gorgonia.Node) (terms, error) {
	if _, err := checkPair(pred, target); err != nil {
		return terms{}, err
	}
	e, err := gorgonia.Sub(pred, target)
	if err != nil {
		return terms{}, errors.Wrap(err, "pred - target")
	}
	sq, err := gorgonia.Square(e)
	if err != nil {
		return terms{}, errors.Wrap(err, "square")
	}
	return elementwise(sq, 1), nil
}
