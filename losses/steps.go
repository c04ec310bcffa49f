package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// Steps builds loss over a sequence output pred, [batch, steps, out...],
// the way Keras 3 reduces it when the output carries a mask or the samples
// have per-step weights (keras/src/losses/loss.py, apply_mask and
// reduce_weighted_values, reduction "sum_over_batch_size"): with l[n, t]
// the loss of step t of sample n (its mean over the remaining axes),
//
//	sum(l ⊙ w ⊙ m) / (sum(m) + 1e-7)   with a mask m, [batch, steps]
//	sum(l ⊙ w) / (batch·steps)          without (mask nil)
//
// so that masked steps count for nothing and the loss is the mean over the
// valid steps. weights w is [batch, steps] (per-step sample weights), or
// nil for ones. mask and weights are of pred's dtype; the loss must give
// per-sample values (SampleLoss), as every loss of this package does.
func Steps(loss Loss, pred, target, mask, weights *gorgonia.Node) (*gorgonia.Node, error) {
	if loss == nil || pred == nil || target == nil {
		return nil, errors.New("steps: nil loss, pred or target")
	}
	sl, ok := loss.(SampleLoss)
	if !ok {
		return nil, errors.Errorf("steps: %s does not give per-sample values (SampleLoss)", loss.Name())
	}
	ps, ts := pred.Shape(), target.Shape()
	if pred.Dims() < 3 || len(ps) < 3 {
		return nil, errors.Errorf("steps: pred has shape %v, want [batch, steps, out...]", ps)
	}
	if ts.TotalSize()%(ps[0]*ps[1]) != 0 || ts[0] != ps[0] || ts[1] != ps[1] {
		return nil, errors.Errorf("steps: target shape %v does not fit pred shape %v", ts, ps)
	}
	batch, steps := ps[0], ps[1]
	rows := batch * steps
	dt := pred.Dtype()
	for _, c := range []struct {
		what string
		n    *gorgonia.Node
	}{{"mask", mask}, {"weights", weights}} {
		if c.n == nil {
			continue
		}
		if !c.n.Shape().Eq(tensor.Shape{batch, steps}) || c.n.Dims() != 2 {
			return nil, errors.Errorf("steps: %s has shape %v, want [%d, %d] (batch, steps)", c.what, c.n.Shape(), batch, steps)
		}
		if c.n.Dtype() != dt {
			return nil, errors.Errorf("steps: %s is %v, pred %v", c.what, c.n.Dtype(), dt)
		}
	}
	flatP, err := ops.CopyReshape(pred, tensor.Shape{rows, ps.TotalSize() / rows})
	if err != nil {
		return nil, errors.Wrap(err, "steps: pred")
	}
	flatT, err := ops.CopyReshape(target, tensor.Shape{rows, ts.TotalSize() / rows})
	if err != nil {
		return nil, errors.Wrap(err, "steps: target")
	}
	l, err := sl.Samples(flatP, flatT) // [rows]
	if err != nil {
		return nil, errors.Wrap(err, "steps: per-step losses")
	}
	flat := func(n *gorgonia.Node) (*gorgonia.Node, error) { return ops.CopyReshape(n, tensor.Shape{rows}) }
	if weights != nil {
		w, err := flat(weights)
		if err != nil {
			return nil, errors.Wrap(err, "steps: weights")
		}
		if l, err = gorgonia.HadamardProd(l, w); err != nil {
			return nil, errors.Wrap(err, "steps: weigh the steps")
		}
	}
	if mask == nil {
		return scaledSum(l, 1/float64(rows))
	}
	m, err := flat(mask)
	if err != nil {
		return nil, errors.Wrap(err, "steps: mask")
	}
	if l, err = gorgonia.HadamardProd(l, m); err != nil {
		return nil, errors.Wrap(err, "steps: mask the steps")
	}
	num, err := gorgonia.Sum(l)
	if err != nil {
		return nil, errors.Wrap(err, "steps: sum")
	}
	valid, err := gorgonia.Sum(m)
	if err != nil {
		return nil, errors.Wrap(err, "steps: count the valid steps")
	}
	if valid, err = gorgonia.Add(valid, constant(dt, epsilon)); err != nil {
		return nil, errors.Wrap(err, "steps: count the valid steps")
	}
	out, err := gorgonia.Div(num, valid)
	if err != nil {
		return nil, errors.Wrap(err, "steps: mean over the valid steps")
	}
	return out, nil
}
