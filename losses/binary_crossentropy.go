package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// BinaryCrossentropy is the cross-entropy between targets z in [0, 1] and
// predictions, [batch, out...], averaged over every element (Keras's mean
// over the last axis, then over the batch). target has pred's shape; a model
// with one output takes targets [n] or [n, 1]. Its name is
// "binary_crossentropy".
//
// On probabilities p, clipped to [1e-7, 1-1e-7] as in Keras, each element
// costs -(z log p + (1-z) log(1-p)). On logits x it costs the stable
// relu(x) - x z + softplus(-|x|), finite for any x.
type BinaryCrossentropy struct {
	// FromLogits says pred holds logits, not probabilities. False (the
	// default) means probabilities, as after a sigmoid.
	FromLogits bool
	// LabelSmoothing, in [0, 1], moves the targets towards 0.5: z (1 - ls)
	// + ls/2, as Keras; zero means none.
	LabelSmoothing float64
	// Axis is the axis Keras's per-unit loss averages over; zero means the
	// last, a negative value counts from the end. It matters to the
	// reductions Sum and None only.
	Axis int
	// Reduction reduces the per-unit losses; empty means
	// SumOverBatchSize, their mean.
	Reduction Reduction
}

var (
	_ Loss          = BinaryCrossentropy{}
	_ LogitsLoss    = BinaryCrossentropy{}
	_ TargetEncoder = BinaryCrossentropy{}
)

// Name returns "binary_crossentropy".
func (BinaryCrossentropy) Name() string { return "binary_crossentropy" }

// OnLogits returns BinaryCrossentropy{FromLogits: true}, true for the
// "sigmoid" activation, and false for any other or when l is already on
// logits.
func (l BinaryCrossentropy) OnLogits(activation string) (Loss, bool) {
	if l.FromLogits || activation != "sigmoid" {
		return nil, false
	}
	c := l
	c.FromLogits = true
	return c, true
}

// EncodeTargets checks that y is [n, out...] (or [n] when out is [1], which
// is returned reshaped to [n, 1] as a copy) and that every value is in
// [0, 1]; it returns y itself otherwise.
func (l BinaryCrossentropy) EncodeTargets(y *tensor.Dense, out []int) (*tensor.Dense, error) {
	data, err := targetData(y)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	res, err := matchOut(y, out)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	err = checkRows(data, rowSize(res), func(v float64) string {
		if v >= 0 && v <= 1 { // false for NaN
			return ""
		}
		return "is outside [0, 1]"
	})
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return res, nil
}

// Build returns the scalar mean binary cross-entropy of pred against target.
func (l BinaryCrossentropy) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.reduce(l.Reduction)
}

// LossReduction returns l.Reduction.
func (l BinaryCrossentropy) LossReduction() Reduction { return l.Reduction }

// Samples returns each sample's binary cross-entropy, [batch].
func (l BinaryCrossentropy) Samples(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := l.terms(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.samples()
}

func (l BinaryCrossentropy) terms(pred, target *gorgonia.Node) (terms, error) {
	if _, err := checkPair(pred, target); err != nil {
		return terms{}, err
	}
	if err := l.Reduction.Validate(); err != nil {
		return terms{}, err
	}
	axis, err := classAxis(l.Axis, pred.Shape())
	if err != nil {
		return terms{}, err
	}
	if target, err = smooth(target, l.LabelSmoothing, 2); err != nil {
		return terms{}, err
	}
	var t terms
	if l.FromLogits {
		e, err := bceLogits(pred, target)
		if err != nil {
			return terms{}, err
		}
		t = elementwise(e, 1)
	} else {
		s, err := bceProbs(pred, target)
		if err != nil {
			return terms{}, err
		}
		t = elementwise(s, -1)
	}
	t.axis = axis
	return t, nil
}

// bceLogits is mean(relu(x) - x z + softplus(-|x|)), with -|x| built as
// x - 2 relu(x). Gorgonia differentiates |x| at 0 as sign(0) = 0, which
// would make the gradient at x = 0 come out 1 - z instead of 0.5 - z; with
// x - 2 relu(x) the parts give 0.5 - z whatever relu's slope at 0 is.
func bceLogits(x, z *gorgonia.Node) (*gorgonia.Node, error) {
	r, err := gorgonia.Rectify(x)
	if err != nil {
		return nil, errors.Wrap(err, "relu(x)")
	}
	xz, err := gorgonia.HadamardProd(x, z)
	if err != nil {
		return nil, errors.Wrap(err, "x z")
	}
	r2, err := gorgonia.Mul(r, constant(x.Dtype(), 2))
	if err != nil {
		return nil, errors.Wrap(err, "2 relu(x)")
	}
	na, err := gorgonia.Sub(x, r2)
	if err != nil {
		return nil, errors.Wrap(err, "-|x|")
	}
	sp, err := ops.Elementwise(na, ops.Softplus())
	if err != nil {
		return nil, errors.Wrap(err, "softplus(-|x|)")
	}
	d, err := gorgonia.Sub(r, xz)
	if err != nil {
		return nil, errors.Wrap(err, "relu(x) - x z")
	}
	e, err := gorgonia.Add(d, sp)
	if err != nil {
		return nil, errors.Wrap(err, "add softplus")
	}
	return e, nil
}

// bceProbs is -mean(z log p + (1-z) log(1-p)) with p clipped to
// [epsilon, 1-epsilon].
func bceProbs(p, z *gorgonia.Node) (*gorgonia.Node, error) {
	pc, err := clipProb(p)
	if err != nil {
		return nil, err
	}
	one := constant(p.Dtype(), 1)
	lp, err := gorgonia.Log(pc)
	if err != nil {
		return nil, errors.Wrap(err, "log p")
	}
	q, err := gorgonia.Sub(one, pc)
	if err != nil {
		return nil, errors.Wrap(err, "1 - p")
	}
	lq, err := gorgonia.Log(q)
	if err != nil {
		return nil, errors.Wrap(err, "log(1 - p)")
	}
	nz, err := gorgonia.Sub(one, z)
	if err != nil {
		return nil, errors.Wrap(err, "1 - z")
	}
	a, err := gorgonia.HadamardProd(z, lp)
	if err != nil {
		return nil, errors.Wrap(err, "z log p")
	}
	b, err := gorgonia.HadamardProd(nz, lq)
	if err != nil {
		return nil, errors.Wrap(err, "(1-z) log(1-p)")
	}
	s, err := gorgonia.Add(a, b)
	if err != nil {
		return nil, errors.Wrap(err, "sum of terms")
	}
	return s, nil
}
