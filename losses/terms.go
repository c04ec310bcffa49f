package losses

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SampleLoss is implemented by losses that can give each sample's loss, so
// that samples can be weighted (Keras's sample_weight and class_weight): the
// weighted loss of a batch is sum(w_i * l_i) / batch, Keras's
// "sum over batch size" reduction. Every loss of this package implements it.
type SampleLoss interface {
	// Samples returns each sample's loss, [batch].
	Samples(pred, target *gorgonia.Node) (*gorgonia.Node, error)
}

// terms is a loss before its reduction: scale * sum(x) / count is the mean
// loss over the batch, and each sample's loss is the same over its slice of
// x, with count / batch in the denominator. Keras's loss function gives one
// loss per unit, every position of x but axis (the last, or the class
// axis): scale * sum(x, axis) * units / count, with units =
// size(x) / x.shape[axis]; its reductions sum them ("sum") or average them
// ("sum_over_batch_size").
type terms struct {
	x     *gorgonia.Node
	scale float64
	count int
	axis  int
}

// elementwise are the terms of a loss that averages x over every element.
func elementwise(x *gorgonia.Node, scale float64) terms {
	if x == nil {
		return terms{}
	}
	return terms{x: x, scale: scale, count: x.Shape().TotalSize(), axis: x.Dims() - 1}
}

// units is the number of Keras's per-unit losses.
func (t terms) units() int {
	s := t.x.Shape()
	return s.TotalSize() / s[t.axis]
}

// reduce is the loss with reduction r: the mean over the units
// ("sum_over_batch_size", the default), their sum ("sum"), or the units
// themselves ("none"), of shape x's without the axis.
func (t terms) reduce(r Reduction) (*gorgonia.Node, error) {
	switch r {
	case "", SumOverBatchSize:
		return t.mean()
	case Sum:
		return scaledSum(t.x, t.scale*float64(t.units())/float64(t.count))
	case None:
		s, err := gorgonia.Sum(t.x, t.axis)
		if err != nil {
			return nil, errors.Wrap(err, "per-unit sums")
		}
		out, err := gorgonia.Mul(s, constant(t.x.Dtype(), t.scale*float64(t.units())/float64(t.count)))
		if err != nil {
			return nil, errors.Wrap(err, "per-unit scale")
		}
		return out, nil
	}
	return nil, r.Validate()
}

// mean is the scalar mean loss over the batch.
func (t terms) mean() (*gorgonia.Node, error) {
	return scaledSum(t.x, t.scale/float64(t.count))
}

// samples is each sample's loss, [batch].
func (t terms) samples() (*gorgonia.Node, error) {
	s := t.x.Shape()
	batch := s[0]
	x := t.x
	if s.Dims() != 2 {
		var err error
		if x, err = gorgonia.Reshape(t.x, tensor.Shape{batch, s.TotalSize() / batch}); err != nil {
			return nil, errors.Wrap(err, "per-sample terms")
		}
	}
	sum, err := gorgonia.Sum(x, 1)
	if err != nil {
		return nil, errors.Wrap(err, "per-sample sums")
	}
	out, err := gorgonia.Mul(sum, constant(x.Dtype(), t.scale*float64(batch)/float64(t.count)))
	if err != nil {
		return nil, errors.Wrap(err, "per-sample scale")
	}
	return out, nil
}

var (
	_ SampleLoss = MeanSquaredError{}
	_ SampleLoss = MeanAbsoluteError{}
	_ SampleLoss = Huber{}
	_ SampleLoss = BinaryCrossentropy{}
	_ SampleLoss = CategoricalCrossentropy{}
	_ SampleLoss = SparseCategoricalCrossentropy{}
)
