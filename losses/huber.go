package losses

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// Huber is the Huber loss of pred, [batch, out...], against target of the
// same shape, averaged over every element (Keras's mean over the last axis,
// then over the batch). With e = pred - target and d = Delta, each element
// costs
//
//	0.5 e^2             when |e| <= d
//	d |e| - 0.5 d^2     otherwise
//
// Its name is "huber".
type Huber struct {
	// Delta is where the loss turns from quadratic to linear; it must be
	// > 0. Zero means 1.0, Keras's default.
	Delta float64
	// Reduction reduces the per-sample losses; empty means
	// SumOverBatchSize, their mean.
	Reduction Reduction
}

var _ Loss = Huber{}

// Name returns "huber".
func (Huber) Name() string { return "huber" }

// delta is the Delta in use, or an error naming a bad one.
func (l Huber) delta() (float64, error) {
	switch {
	case l.Delta == 0:
		return 1, nil
	case l.Delta < 0 || math.IsNaN(l.Delta) || math.IsInf(l.Delta, 0):
		return 0, errors.Errorf("delta must be > 0, got %v", l.Delta)
	}
	return l.Delta, nil
}

// Build returns the scalar mean Huber loss. It is built without a select:
// with a = |e|, r = relu(a - d) and q = min(a, d) = a - r, each element is
// 0.5 q^2 + d r.
func (l Huber) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.reduce(l.Reduction)
}

// LossReduction returns l.Reduction.
func (l Huber) LossReduction() Reduction { return l.Reduction }

// Samples returns each sample's Huber loss, [batch].
func (l Huber) Samples(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.samples()
}

func (l Huber) terms(pred, target *gorgonia.Node) (terms, error) {
	d, err := l.delta()
	if err != nil {
		return terms{}, err
	}
	if _, err := checkPair(pred, target); err != nil {
		return terms{}, err
	}
	h, err := huber(pred, target, d)
	return elementwise(h, 1), err
}

// huber builds the mean Huber loss with threshold d.
func huber(pred, target *gorgonia.Node, d float64) (*gorgonia.Node, error) {
	e, err := gorgonia.Sub(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, "pred - target")
	}
	a, err := gorgonia.Abs(e)
	if err != nil {
		return nil, errors.Wrap(err, "abs")
	}
	over, err := gorgonia.Sub(a, constant(pred.Dtype(), d))
	if err != nil {
		return nil, errors.Wrap(err, "|e| - delta")
	}
	excess, err := gorgonia.Rectify(over)
	if err != nil {
		return nil, errors.Wrap(err, "relu(|e| - delta)")
	}
	q, err := gorgonia.Sub(a, excess)
	if err != nil {
		return nil, errors.Wrap(err, "min(|e|, delta)")
	}
	q2, err := gorgonia.Square(q)
	if err != nil {
		return nil, errors.Wrap(err, "square")
	}
	quad, err := gorgonia.Mul(q2, constant(pred.Dtype(), 0.5))
	if err != nil {
		return nil, errors.Wrap(err, "0.5 q^2")
	}
	lin, err := gorgonia.Mul(excess, constant(pred.Dtype(), d))
	if err != nil {
		return nil, errors.Wrap(err, "delta excess")
	}
	sum, err := gorgonia.Add(quad, lin)
	if err != nil {
		return nil, errors.Wrap(err, "sum of parts")
	}
	return sum, nil
}
