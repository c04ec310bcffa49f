package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// MergeMode is how Bidirectional combines the outputs of its two
// directions, as Keras's merge_mode. The empty MergeMode is MergeConcat.
type MergeMode string

// The merge modes.
const (
	// MergeConcat concatenates the forward and the backward outputs along
	// the last axis: 2*Units values.
	MergeConcat MergeMode = "concat"
	// MergeSum adds them.
	MergeSum MergeMode = "sum"
	// MergeMul multiplies them elementwise.
	MergeMul MergeMode = "mul"
	// MergeAve averages them.
	MergeAve MergeMode = "ave"
)

// Validate returns an error if m is not empty and not one of the merge
// modes.
func (m MergeMode) Validate() error {
	switch m {
	case "", MergeConcat, MergeSum, MergeMul, MergeAve:
		return nil
	}
	return errors.Errorf("unknown merge mode %q (known: concat, sum, mul, ave)", string(m))
}

// Bidirectional runs a recurrent layer over the steps forwards and
// backwards and merges the two outputs, as Keras's Bidirectional:
// (steps, features) -> (u) or, if the layer returns sequences, (steps, u),
// u being 2*Units with MergeConcat and Units otherwise.
//
// It builds two copies of Layer, which it leaves unbuilt: one that goes
// the way Layer goes, named "<name>/forward_<layer>", and one that goes
// the other way (GoBackwards flipped), "<name>/backward_<layer>", <layer>
// being Layer's name or, when it has none, its kind. Their weights are
// named after them, "bidi/forward_lstm/kernel" say, forward ones first.
//
// With ReturnSequences the backward copy's outputs, which come in the order
// it processed the steps, are reversed in time before merging, so that
// step t of the output merges both directions' outputs for step t, as in
// Keras. Both copies read the input's mask; with ReturnSequences their
// outputs at padded steps are zeros (Keras sets zero_output_for_mask on
// them) and the output carries the mask on.
type Bidirectional struct {
	// Name is the layer's name; empty means the model names it
	// bidirectional, bidirectional_1...
	Name string `json:"name,omitempty"`
	// Layer is the recurrent layer to run both ways: a *SimpleRNN, *LSTM
	// or *GRU. It is saved as a nested spec, "layer".
	Layer Layer `json:"-"`
	// MergeMode combines the two outputs; empty means MergeConcat.
	MergeMode MergeMode `json:"merge_mode,omitempty"`

	forward, backward recurrentLayer
}

var _ Layer = (*Bidirectional)(nil)

// Kind is "bidirectional".
func (l *Bidirectional) Kind() string { return "bidirectional" }

// LayerName is the layer's name.
func (l *Bidirectional) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Bidirectional) SetLayerName(name string) { l.Name = name }

// Build builds the forward and backward copies of Layer for input (steps,
// features).
func (l *Bidirectional) Build(b *Builder, in Shape) (Shape, error) {
	inner, ok := l.Layer.(recurrentLayer)
	if !ok {
		return nil, errors.Errorf("bidirectional %q: layer must be a *SimpleRNN, *LSTM or *GRU, got %T", l.Name, l.Layer)
	}
	if err := l.MergeMode.Validate(); err != nil {
		return nil, errors.Wrapf(err, "bidirectional %q", l.Name)
	}
	innerName := l.Layer.LayerName()
	if innerName == "" {
		innerName = l.Layer.Kind()
	}
	r := inner.recurrence()
	fwd := inner.directed(l.Name+"/forward_"+innerName, r.goBackwards, r.returnSequences)
	bwd := inner.directed(l.Name+"/backward_"+innerName, !r.goBackwards, r.returnSequences)
	var out Shape
	for _, d := range []recurrentLayer{fwd, bwd} {
		s, err := d.Build(&Builder{DType: b.DType, RNG: b.RNG, Name: d.LayerName()}, in)
		if err != nil {
			return nil, errors.Wrapf(err, "bidirectional %q", l.Name)
		}
		out = s
	}
	l.forward, l.backward = fwd, bwd
	if l.mergeMode() == MergeConcat {
		out = out.Clone()
		out[len(out)-1] *= 2
	}
	return out, nil
}

func (l *Bidirectional) mergeMode() MergeMode {
	if l.MergeMode == "" {
		return MergeConcat
	}
	return l.MergeMode
}

// Forward runs both copies over x and merges their outputs.
func (l *Bidirectional) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if l.forward == nil {
		return nil, errors.Errorf("bidirectional %q: forward before build", l.Name)
	}
	fo, err := runSequence(l.forward, c, x, nil, false, false)
	if err != nil {
		return nil, errors.Wrapf(err, "bidirectional %q", l.Name)
	}
	// The backward copy's outputs come in the order it processed the
	// steps: reversed in time, they line up with the forward ones.
	bo, err := runSequence(l.backward, c, x, nil, true, false)
	if err != nil {
		return nil, errors.Wrapf(err, "bidirectional %q", l.Name)
	}
	if !l.forward.recurrence().returnSequences {
		return l.merge(fo.out, bo.out)
	}
	f, b := fo.out, bo.out
	out, err := l.merge(f, b)
	if err != nil {
		return nil, err
	}
	if mask, ok := c.MaskOf(x); ok {
		if err := c.SetMask(out, mask); err != nil {
			return nil, errors.Wrapf(err, "bidirectional %q", l.Name)
		}
	}
	return out, nil
}

// merge combines the forward output f and the backward output b, of one
// shape.
func (l *Bidirectional) merge(f, b *gorgonia.Node) (*gorgonia.Node, error) {
	var (
		out *gorgonia.Node
		err error
	)
	switch l.mergeMode() {
	case MergeConcat:
		out, err = ops.ConcatLast(f, b) // not gorgonia.Concat: see ops.StackSteps
	case MergeSum:
		out, err = gorgonia.Add(f, b)
	case MergeMul:
		out, err = gorgonia.HadamardProd(f, b)
	case MergeAve:
		if out, err = gorgonia.Add(f, b); err == nil {
			half := gorgonia.NewConstant(0.5, gorgonia.WithName(l.Name+"/half"))
			if f.Dtype() == tensor.Float32 {
				half = gorgonia.NewConstant(float32(0.5), gorgonia.WithName(l.Name+"/half"))
			}
			out, err = gorgonia.HadamardProd(out, half)
		}
	}
	if err != nil {
		return nil, errors.Wrapf(err, "bidirectional %q: merge (%s)", l.Name, l.mergeMode())
	}
	return out, nil
}

// Weights returns the forward copy's weights, then the backward copy's.
func (l *Bidirectional) Weights() []*Weight {
	if l.forward == nil {
		return nil
	}
	return append(l.forward.Weights(), l.backward.Weights()...)
}

// ResetStates zeros the states the copies of a Stateful layer keep
// between batches.
func (l *Bidirectional) ResetStates() {
	if l.forward == nil {
		return
	}
	for _, d := range []recurrentLayer{l.forward, l.backward} {
		if s, ok := d.(interface{ ResetStates() }); ok {
			s.ResetStates()
		}
	}
}
