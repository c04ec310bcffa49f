package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Reduction says how a loss reduces its per-unit losses (one per sample,
// or per sample and time step for [batch, steps, k] predictions) to what
// Build returns, as Keras's reduction argument. The empty Reduction is
// SumOverBatchSize.
type Reduction string

const (
	// SumOverBatchSize is the mean of the per-unit losses, Keras's default.
	SumOverBatchSize Reduction = "sum_over_batch_size"
	// Sum is their sum.
	Sum Reduction = "sum"
	// None leaves them unreduced: Build returns them, [batch] (or [batch,
	// steps]). A model compiled with it trains on their sum, whose gradient
	// is what Keras's GradientTape takes of a vector, and logs that sum.
	None Reduction = "none"
)

// Validate returns an error unless r is empty or one of the reductions.
func (r Reduction) Validate() error {
	switch r {
	case "", SumOverBatchSize, Sum, None:
		return nil
	}
	return errors.Errorf("unknown reduction %q (known: sum_over_batch_size, sum, none)", string(r))
}

// Reducer is implemented by losses with a reduction; Reduced uses it.
type Reducer interface {
	LossReduction() Reduction
}

// ReduceWeighted reduces weighted per-sample losses, [batch] (each
// sample's loss times its weight), the way loss reduces: their sum over
// the batch size (the default), their sum, or themselves (None), as Keras
// reduces weighted values.
func ReduceWeighted(loss Loss, weighted *gorgonia.Node) (*gorgonia.Node, error) {
	r := Reduction("")
	if rr, ok := loss.(Reducer); ok {
		r = rr.LossReduction()
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	switch r {
	case None:
		return weighted, nil
	case Sum:
		return scaledSum(weighted, 1)
	}
	return scaledSum(weighted, 1/float64(weighted.Shape().TotalSize()))
}

// Total is what a model minimizes of the node a loss's Build returns: the
// node itself when it is a scalar, else (reduction None) the sum of its
// values.
func Total(l *gorgonia.Node) (*gorgonia.Node, error) {
	if l == nil {
		return nil, errors.New("loss node is nil")
	}
	if l.IsScalar() {
		return l, nil
	}
	return scaledSum(l, 1)
}

// smooth returns target * (1 - ls) + ls / k, Keras's label smoothing (k is
// 2 for binary cross-entropy, the number of classes for categorical), or
// target itself when ls is 0. ls must be in [0, 1].
func smooth(target *gorgonia.Node, ls float64, k int) (*gorgonia.Node, error) {
	if ls == 0 {
		return target, nil
	}
	if !(ls >= 0 && ls <= 1) {
		return nil, errors.Errorf("label smoothing must be in [0, 1], got %v", ls)
	}
	dt := target.Dtype()
	scaled, err := gorgonia.Mul(target, constant(dt, 1-ls))
	if err != nil {
		return nil, errors.Wrap(err, "label smoothing")
	}
	out, err := gorgonia.Add(scaled, constant(dt, ls/float64(k)))
	if err != nil {
		return nil, errors.Wrap(err, "label smoothing")
	}
	return out, nil
}

// classAxis resolves a loss's Axis for pred: zero means the last axis
// (axis 0 is the batch, never the class axis), a negative value counts
// from the end.
func classAxis(axis int, s tensor.Shape) (int, error) {
	n := len(s)
	switch {
	case axis == 0:
		return n - 1, nil
	case axis < 0 && axis >= -n+1:
		return n + axis, nil
	case axis > 0 && axis < n:
		return axis, nil
	}
	return 0, errors.Errorf("axis %d is outside pred's axes 1..%d (or -1..%d)", axis, n-1, -(n - 1))
}
