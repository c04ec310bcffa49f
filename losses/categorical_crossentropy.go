package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// CategoricalCrossentropy is the cross-entropy between target class
// probabilities (usually one-hot rows) and predictions, both [batch, k] (or
// [batch, ..., k]: the classes are on the last axis), averaged over the
// rows. Its name is "categorical_crossentropy".
//
// On probabilities p, each row is first divided by its sum and clipped to
// [1e-7, 1-1e-7], as in Keras, and costs -sum(y log p). On logits x it costs
// -sum(y logsoftmax(x)), with the log-softmax shifted by each row's maximum,
// which is finite for any finite x.
type CategoricalCrossentropy struct {
	// FromLogits says pred holds logits, not probabilities. False (the
	// default) means probabilities, as after a softmax.
	FromLogits bool
	// LabelSmoothing, in [0, 1], moves the targets towards uniform: y (1 -
	// ls) + ls/k over k classes, as Keras; zero means none.
	LabelSmoothing float64
	// Axis is the class axis; zero means the last, a negative value counts
	// from the end.
	Axis int
	// Reduction reduces the per-sample losses; empty means
	// SumOverBatchSize, their mean.
	Reduction Reduction
}

var (
	_ Loss          = CategoricalCrossentropy{}
	_ LogitsLoss    = CategoricalCrossentropy{}
	_ TargetEncoder = CategoricalCrossentropy{}
)

// Name returns "categorical_crossentropy".
func (CategoricalCrossentropy) Name() string { return "categorical_crossentropy" }

// OnLogits returns CategoricalCrossentropy{FromLogits: true}, true for the
// "softmax" activation, and false for any other or when l is already on
// logits.
func (l CategoricalCrossentropy) OnLogits(activation string) (Loss, bool) {
	if l.FromLogits || activation != "softmax" {
		return nil, false
	}
	c := l
	c.FromLogits = true
	return c, true
}

// EncodeTargets checks that y is [n, out...] and that every value is
// finite, and returns y itself.
func (l CategoricalCrossentropy) EncodeTargets(y *tensor.Dense, out []int) (*tensor.Dense, error) {
	data, err := targetData(y)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	if len(out) == 0 {
		return nil, errors.Errorf("%s: output shape must have a class axis, got %v", l.Name(), out)
	}
	want := tensor.Shape(append([]int{y.Shape()[0]}, out...))
	if !sameShape(want, y.Shape()) {
		return nil, errors.Errorf("%s: targets shape %v does not match the output shape %v: want %s", l.Name(), y.Shape(), tensor.Shape(out), shapeString(out))
	}
	if err := checkRows(data, rowSize(y), notFinite); err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return y, nil
}

// Build returns the scalar mean categorical cross-entropy of pred against
// target.
func (l CategoricalCrossentropy) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := categorical(pred, target, l.FromLogits, l.Axis, l.LabelSmoothing, l.Reduction)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.reduce(l.Reduction)
}

// LossReduction returns l.Reduction.
func (l CategoricalCrossentropy) LossReduction() Reduction { return l.Reduction }

// Samples returns each sample's cross-entropy, [batch].
func (l CategoricalCrossentropy) Samples(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := categorical(pred, target, l.FromLogits, l.Axis, l.LabelSmoothing, l.Reduction)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.samples()
}

// categorical returns the terms y log p, whose sum over the last axis,
// negated, is each row's cross-entropy.
func categorical(pred, target *gorgonia.Node, fromLogits bool, axisOpt int, ls float64, r Reduction) (terms, error) {
	if _, err := checkPair(pred, target); err != nil {
		return terms{}, err
	}
	if err := r.Validate(); err != nil {
		return terms{}, err
	}
	ps := pred.Shape()
	if ps.Dims() < 2 || ps.Dims() > 4 {
		return terms{}, errors.Errorf("pred must be [batch, k] (up to 4 axes), got shape %v", ps)
	}
	axis, err := classAxis(axisOpt, ps)
	if err != nil {
		return terms{}, err
	}
	if target, err = smooth(target, ls, ps[axis]); err != nil {
		return terms{}, err
	}
	var logp *gorgonia.Node
	if fromLogits {
		if logp, err = ops.LogSoftmax(pred, axis); err != nil {
			return terms{}, err
		}
	} else if logp, err = logProbs(pred, axis); err != nil {
		return terms{}, err
	}
	yl, err := gorgonia.HadamardProd(target, logp)
	if err != nil {
		return terms{}, errors.Wrap(err, "y log p")
	}
	return terms{x: yl, scale: -1, count: ps.TotalSize() / ps[axis], axis: axis}, nil
}

// logProbs is log(clip(p / sum(p, axis))), Keras's treatment of
// probabilities that may not sum to one.
func logProbs(p *gorgonia.Node, axis int) (*gorgonia.Node, error) {
	s, err := gorgonia.Sum(p, axis)
	if err != nil {
		return nil, errors.Wrap(err, "row sums")
	}
	n, err := gorgonia.BroadcastHadamardDiv(p, s, nil, []byte{byte(axis)})
	if err != nil {
		return nil, errors.Wrap(err, "normalize rows")
	}
	c, err := clipProb(n)
	if err != nil {
		return nil, err
	}
	lp, err := gorgonia.Log(c)
	if err != nil {
		return nil, errors.Wrap(err, "log p")
	}
	return lp, nil
}
