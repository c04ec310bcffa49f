package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// epsilon is Keras's backend.epsilon(): probabilities are clipped to
// [epsilon, 1-epsilon] before their logarithm is taken.
const epsilon = 1e-7

// checkPair returns pred's dtype after checking that pred and target are
// float32 or float64 tensors of the same dtype and shape.
func checkPair(pred, target *gorgonia.Node) (tensor.Dtype, error) {
	if pred == nil || target == nil {
		return tensor.Dtype{}, errors.New("pred and target must not be nil")
	}
	dt := pred.Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return tensor.Dtype{}, errors.Errorf("pred must be float32 or float64, got %v", dt)
	}
	if target.Dtype() != dt {
		return tensor.Dtype{}, errors.Errorf("target dtype %v differs from pred dtype %v", target.Dtype(), dt)
	}
	ps, ts := pred.Shape(), target.Shape()
	if ps.IsScalar() || ps.TotalSize() == 0 {
		return tensor.Dtype{}, errors.Errorf("pred must be a non-empty tensor [batch, out...], got shape %v", ps)
	}
	if !sameShape(ps, ts) {
		return tensor.Dtype{}, errors.Errorf("target shape %v differs from pred shape %v", ts, ps)
	}
	return dt, nil
}

// constant is a scalar constant node holding v in dtype dt.
func constant(dt tensor.Dtype, v float64) *gorgonia.Node {
	if dt == tensor.Float32 {
		return gorgonia.NewConstant(float32(v))
	}
	return gorgonia.NewConstant(v)
}

// scaledSum returns k * sum(x) over every element of x, as a scalar node.
// Means are scaledSum with k = 1/count: one reduction and one scalar product.
func scaledSum(x *gorgonia.Node, k float64) (*gorgonia.Node, error) {
	s, err := gorgonia.Sum(x)
	if err != nil {
		return nil, errors.Wrap(err, "sum")
	}
	out, err := gorgonia.Mul(s, constant(x.Dtype(), k))
	if err != nil {
		return nil, errors.Wrap(err, "scale sum")
	}
	return out, nil
}

// sameShape reports whether a and b have the same axes. Unlike
// tensor.Shape.Eq it tells (4, 1) from (4).
func sameShape(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// clipProb clips probabilities to [epsilon, 1-epsilon], as Keras does
// before taking their logarithm: p + relu(epsilon - p) - relu(p - (1-epsilon)).
// A p inside the range passes unchanged (both relus are zero), which a
// min(max()) built from relus would not guarantee in float32.
func clipProb(p *gorgonia.Node) (*gorgonia.Node, error) {
	dt := p.Dtype()
	lo, hi := constant(dt, epsilon), constant(dt, 1-epsilon)
	under, err := gorgonia.Sub(lo, p)
	if err != nil {
		return nil, errors.Wrap(err, "clip probabilities")
	}
	if under, err = gorgonia.Rectify(under); err != nil {
		return nil, errors.Wrap(err, "clip probabilities")
	}
	over, err := gorgonia.Sub(p, hi)
	if err != nil {
		return nil, errors.Wrap(err, "clip probabilities")
	}
	if over, err = gorgonia.Rectify(over); err != nil {
		return nil, errors.Wrap(err, "clip probabilities")
	}
	raised, err := gorgonia.Add(p, under)
	if err != nil {
		return nil, errors.Wrap(err, "clip probabilities")
	}
	out, err := gorgonia.Sub(raised, over)
	if err != nil {
		return nil, errors.Wrap(err, "clip probabilities")
	}
	return out, nil
}
