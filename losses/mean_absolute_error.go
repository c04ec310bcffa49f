package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// MeanAbsoluteError is the mean of |pred - target| over every element of
// pred, [batch, out...]: Keras's mean over the last axis, then over the batch.
// target has pred's shape. Its name is "mean_absolute_error" ("mae").
type MeanAbsoluteError struct {
	// Reduction reduces the per-sample losses; empty means
	// SumOverBatchSize, their mean.
	Reduction Reduction
}

var _ Loss = MeanAbsoluteError{}

// Name returns "mean_absolute_error".
func (MeanAbsoluteError) Name() string { return "mean_absolute_error" }

// Build returns the scalar mean(|pred - target|). Its gradient at
// pred == target is taken as the sign of +0, that is 1/count.
func (l MeanAbsoluteError) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.reduce(l.Reduction)
}

// LossReduction returns l.Reduction.
func (l MeanAbsoluteError) LossReduction() Reduction { return l.Reduction }

// Samples returns each sample's mean absolute error, [batch].
func (l MeanAbsoluteError) Samples(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.samples()
}

func (l MeanAbsoluteError) terms(pred, target *gorgonia.Node) (terms, error) {
	if _, err := checkPair(pred, target); err != nil {
		return terms{}, err
	}
	e, err := gorgonia.Sub(pred, target)
	if err != nil {
		return terms{}, errors.Wrap(err, "pred - target")
	}
	a, err := gorgonia.Abs(e)
	if err != nil {
		return terms{}, errors.Wrap(err, "abs")
	}
	return elementwise(a, 1), nil
}
