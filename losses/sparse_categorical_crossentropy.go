package losses

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SparseCategoricalCrossentropy is the categorical cross-entropy for targets
// given as class ids, [n] or [n, 1], instead of one-hot rows. EncodeTargets
// turns the ids into the one-hot rows [n, k] that the graph is fed, so Build
// computes exactly what CategoricalCrossentropy does on pred [batch, k]. Its
// name is "sparse_categorical_crossentropy".
type SparseCategoricalCrossentropy struct {
	// FromLogits says pred holds logits, not probabilities. False (the
	// default) means probabilities, as after a softmax.
	FromLogits bool
	// Reduction reduces the per-sample losses; empty means
	// SumOverBatchSize, their mean.
	Reduction Reduction
}

var (
	_ Loss          = SparseCategoricalCrossentropy{}
	_ LogitsLoss    = SparseCategoricalCrossentropy{}
	_ TargetEncoder = SparseCategoricalCrossentropy{}
)

// Name returns "sparse_categorical_crossentropy".
func (SparseCategoricalCrossentropy) Name() string { return "sparse_categorical_crossentropy" }

// OnLogits returns SparseCategoricalCrossentropy{FromLogits: true}, true for
// the "softmax" activation, and false for any other or when l is already on
// logits.
func (l SparseCategoricalCrossentropy) OnLogits(activation string) (Loss, bool) {
	if l.FromLogits || activation != "softmax" {
		return nil, false
	}
	c := l
	c.FromLogits = true
	return c, true
}

// Build returns the scalar mean cross-entropy of pred, [batch, k], against
// target, the one-hot rows [batch, k] that EncodeTargets makes.
func (l SparseCategoricalCrossentropy) Build(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := categorical(pred, target, l.FromLogits, 0, 0, l.Reduction)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.reduce(l.Reduction)
}

// LossReduction returns l.Reduction.
func (l SparseCategoricalCrossentropy) LossReduction() Reduction { return l.Reduction }

// Samples returns each sample's cross-entropy, [batch].
func (l SparseCategoricalCrossentropy) Samples(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	t, err := categorical(pred, target, l.FromLogits, 0, 0, l.Reduction)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return t.samples()
}

// EncodeTargets turns class ids y, [n] or [n, 1] of float32 or float64, into
// one-hot rows [n, k] of the same dtype, where out is the model's output
// shape [k] with k >= 2. Every id must be an integer in [0, k).
func (l SparseCategoricalCrossentropy) EncodeTargets(y *tensor.Dense, out []int) (*tensor.Dense, error) {
	data, err := targetData(y)
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	if len(out) != 1 || out[0] < 2 {
		return nil, errors.Errorf("%s: output shape must be [k] with k >= 2 classes, got %v", l.Name(), out)
	}
	s := y.Shape()
	if !(len(s) == 1 || (len(s) == 2 && s[1] == 1)) {
		return nil, errors.Errorf("%s: class ids must be [n] or [n, 1], got shape %v", l.Name(), s)
	}
	var res *tensor.Dense
	switch d := data.(type) {
	case []float32:
		res, err = oneHot(d, out[0])
	case []float64:
		res, err = oneHot(d, out[0])
	}
	if err != nil {
		return nil, errors.Wrap(err, l.Name())
	}
	return res, nil
}

// oneHot returns the one-hot rows [len(ids), k] of ids, or an error naming
// the first id that is not an integer in [0, k).
func oneHot[T float](ids []T, k int) (*tensor.Dense, error) {
	hot := make([]T, len(ids)*k)
	for row, id := range ids {
		v := float64(id)
		if v != math.Trunc(v) || math.IsInf(v, 0) { // NaN != NaN
			return nil, errors.Errorf("label %v at row %d is not an integer", id, row)
		}
		if v < 0 || v >= float64(k) {
			return nil, errors.Errorf("label %v at row %d is outside [0, %d)", id, row, k)
		}
		hot[row*k+int(v)] = 1
	}
	return tensor.New(tensor.WithShape(len(ids), k), tensor.WithBacking(hot)), nil
}
