package layers

import (
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// The recurrent layers (SimpleRNN, LSTM, GRU) share what this file holds:
// the checks of their configuration, the creation of their weights, and
// the unrolling of the recurrence over the steps of the built input
// shape. They differ in their cell, one step of the recurrence.
//
// The recurrence runs as one fused op where the cell's activations allow
// (recurrent_fused.go); otherwise a graph unrolls it over the fixed number
// of steps T of the input shape Build saw. The input projection x·kernel (+ bias) of every
// step is one matrix product, [batch*T, features]·[features, g*units], cut
// into steps afterwards; each step then adds state·recurrent_kernel and
// applies the cell. The state starts at zeros unless ForwardWithState is
// given initial states.
//
// Masks: when c.MaskOf(x) gives a [batch, T] mask (1 valid, 0 padding), a
// padded step of a sample keeps that sample's previous states, and its
// output (with ReturnSequences) is the kept state, as in Keras; with
// ReturnSequences the output carries the input's mask on (c.SetMask).
//
// Dropout: in training graphs, Dropout zeroes inputs and RecurrentDropout
// zeroes the state where it enters the recurrent kernel, both with masks
// drawn once per batch (feeds the trainer fills, c.NewFeed) and reused at
// every step, as Keras does; the inputs' mask is one [batch, features]
// draw, the same for every step. Inference graphs have no masks.

// recurrentLayer is what Bidirectional needs of the layer it wraps: one of
// SimpleRNN, LSTM and GRU.
type recurrentLayer interface {
	Layer
	ForwardWithState(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error)
	// recurrence returns the layer's configuration as the unrolling sees it.
	recurrence() recurrence
	// unrolled runs the recurrence and returns the output of every step, in
	// the order processed, and the final states.
	unrolled(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (outs, states []*gorgonia.Node, err error)
	// fusedForm returns the layer's cell as the fused op runs it and the
	// nodes of its kernel, recurrent kernel and bias (nil without one), or
	// false when the layer unrolls.
	fusedForm(c *Call) (f fusedCell, kernel, rec, bias *gorgonia.Node, ok bool)
	// directed returns an unbuilt copy of the layer named name that goes
	// backwards or not; zeroMasked zeroes its outputs at padded steps.
	directed(name string, backwards, zeroMasked bool) recurrentLayer
}

var (
	_ recurrentLayer = (*SimpleRNN)(nil)
	_ recurrentLayer = (*LSTM)(nil)
	_ recurrentLayer = (*GRU)(nil)
)

// recurrence is the configuration the unrolling of a recurrent layer needs.
type recurrence struct {
	kind, name       string
	units            int
	states           int // state tensors: 1, or 2 for LSTM (h and c)
	returnSequences  bool
	goBackwards      bool
	dropout          float64
	recurrentDropout float64
	// zeroMasked zeroes the output of padded steps instead of repeating
	// the kept state: Keras's zero_output_for_mask, which Bidirectional
	// sets on its copies so that the reversed outputs line up.
	zeroMasked bool
	in         Shape // the built input shape (steps, features); nil before Build
	// stateful starts each batch from the final states of the previous
	// one, kept in kept.
	stateful bool
	kept     *keptStates
}

// errorf returns an error that starts with the layer's kind and name.
func (r recurrence) errorf(format string, args ...any) error {
	return errors.Errorf("%s %q: %s", r.kind, r.name, fmt.Sprintf(format, args...))
}

// namedActivation is an activation field and its JSON name, for errors.
type namedActivation struct {
	field string
	a     Activator
}

// check checks the configuration and the input shape in, which Build saw.
func (r recurrence) check(in Shape, activations ...namedActivation) error {
	if r.units <= 0 {
		return r.errorf("units must be > 0, got %d", r.units)
	}
	for _, na := range activations {
		if err := na.a.Validate(); err != nil {
			return errors.Wrapf(err, "%s %q: %s", r.kind, r.name, na.field)
		}
	}
	if !validRate(r.dropout) {
		return r.errorf("dropout must be in [0, 1), got %v", r.dropout)
	}
	if !validRate(r.recurrentDropout) {
		return r.errorf("recurrent_dropout must be in [0, 1), got %v", r.recurrentDropout)
	}
	if len(in) != 2 {
		return r.errorf("expected input shape (None, steps, features), got %v", in)
	}
	if in[0] <= 0 || in[1] <= 0 {
		return r.errorf("input shape %v has a dimension <= 0", in)
	}
	return nil
}

func validRate(rate float64) bool { return rate >= 0 && rate < 1 }

// outputShape is (steps, units) with ReturnSequences, else (units).
func (r recurrence) outputShape(in Shape, units int) Shape {
	if r.returnSequences {
		return Shape{in[0], units}
	}
	return Shape{units}
}

// activationOr returns a, or def when a is empty.
func activationOr(a, def Activator) Activator {
	if a == "" {
		return def
	}
	return a
}

// recurrentWeights creates "kernel" [features, width] and
// "recurrent_kernel" [units, width], width being gates*units, and, unless
// biasShape is nil,
// "bias" of biasShape, from the given initializers or the defaults
// (GlorotUniform, Orthogonal, Zeros), in that order.
func recurrentWeights(b *Builder, features, width, units int, kinit, rinit, binit Initializer, biasShape []int) (kernel, rec, bias *Weight, err error) {
	if kinit == nil {
		kinit = GlorotUniform{}
	}
	if rinit == nil {
		rinit = Orthogonal{}
	}
	if binit == nil {
		binit = Zeros{}
	}
	if kernel, err = b.NewWeight("kernel", []int{features, width}, kinit); err != nil {
		return nil, nil, nil, err
	}
	if rec, err = b.NewWeight("recurrent_kernel", []int{units, width}, rinit); err != nil {
		return nil, nil, nil, err
	}
	if biasShape == nil {
		return kernel, rec, nil, nil
	}
	if bias, err = b.NewWeight("bias", biasShape, binit); err != nil {
		return nil, nil, nil, err
	}
	return kernel, rec, bias, nil
}

// cellFunc computes one step: from the step's input projection xt,
// [batch, gates*units] (bias included), the state h that enters the
// recurrent kernel (after recurrent dropout) and the previous states,
// the new states. The step's output is the new states[0].
type cellFunc func(xt, h *gorgonia.Node, states []*gorgonia.Node) ([]*gorgonia.Node, error)

// unroll runs the recurrence r over x, [batch, steps, features], from
// initial (nil: zeros), with the input projection x·kernel + bias (bias
// may be nil), and returns the output of every step in the order processed
// and the final states.
func unroll(c *Call, r recurrence, x *gorgonia.Node, initial []*gorgonia.Node, kernel, bias *gorgonia.Node, cell cellFunc) (outs, states []*gorgonia.Node, err error) {
	if r.in == nil || kernel == nil {
		return nil, nil, r.errorf("forward before build")
	}
	steps, err := checkSequenceInput(r.kind, r.name, c, x, r.in)
	if err != nil {
		return nil, nil, err
	}
	if x.Dtype() != c.DType {
		return nil, nil, r.errorf("input is %v in a %v graph", x.Dtype(), c.DType)
	}
	batch, features := c.Batch, r.in[1]
	mask, hasMask := c.MaskOf(x)
	if hasMask {
		if s := mask.Shape(); mask.Dims() != 2 || !s.Eq(tensor.Shape{batch, steps}) {
			return nil, nil, r.errorf("mask has shape %v, want [%d, %d] (batch, steps)", s, batch, steps)
		}
		if mask.Dtype() != c.DType {
			return nil, nil, r.errorf("mask is %v in a %v graph", mask.Dtype(), c.DType)
		}
	}
	if states, err = r.initialStates(c, initial); err != nil {
		return nil, nil, err
	}

	in := x
	if c.Training && r.dropout > 0 {
		keep := 1 - r.dropout
		m := c.NewFeed(r.name+"/dropout_mask", tensor.Shape{batch, steps, features}, func(rng *rand.Rand, t *tensor.Dense) {
			fillStepMask(rng, t, keep)
		})
		if in, err = gorgonia.HadamardProd(in, m); err != nil {
			return nil, nil, errors.Wrapf(err, "%s %q: input dropout", r.kind, r.name)
		}
	}
	xp, err := projectSteps(in, kernel, bias, batch, steps, features)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%s %q: input projection", r.kind, r.name)
	}
	var recMask *gorgonia.Node
	if c.Training && r.recurrentDropout > 0 {
		keep := 1 - r.recurrentDropout
		recMask = c.NewFeed(r.name+"/recurrent_dropout_mask", tensor.Shape{batch, r.units}, func(rng *rand.Rand, t *tensor.Dense) {
			fillMask(rng, t, keep)
		})
	}

	outs = make([]*gorgonia.Node, 0, steps)
	for i := 0; i < steps; i++ {
		t := i
		if r.goBackwards {
			t = steps - 1 - i
		}
		xt, err := ops.Step(xp, t)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "%s %q: step %d", r.kind, r.name, t)
		}
		h := states[0]
		if recMask != nil {
			if h, err = gorgonia.HadamardProd(h, recMask); err != nil {
				return nil, nil, errors.Wrapf(err, "%s %q: recurrent dropout", r.kind, r.name)
			}
		}
		next, err := cell(xt, h, states)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "%s %q: step %d", r.kind, r.name, t)
		}
		out := next[0]
		if hasMask {
			for k := range next {
				if next[k], err = ops.SelectStep(mask, t, next[k], states[k]); err != nil {
					return nil, nil, errors.Wrapf(err, "%s %q: mask step %d", r.kind, r.name, t)
				}
			}
			out = next[0]
			if r.zeroMasked {
				if out, err = ops.SelectStep(mask, t, out, nil); err != nil {
					return nil, nil, errors.Wrapf(err, "%s %q: mask step %d", r.kind, r.name, t)
				}
			}
		}
		outs = append(outs, out)
		states = next
	}
	return outs, states, nil
}

// initialStates checks the given initial states, or makes zeros.
func (r recurrence) initialStates(c *Call, initial []*gorgonia.Node) ([]*gorgonia.Node, error) {
	want := tensor.Shape{c.Batch, r.units}
	if initial == nil {
		states := make([]*gorgonia.Node, r.states)
		for k := range states {
			zeros := tensor.New(tensor.Of(c.DType), tensor.WithShape(want...))
			states[k] = gorgonia.NewTensor(c.Graph, c.DType, 2, gorgonia.WithShape(want...),
				gorgonia.WithName(fmt.Sprintf("%s/initial_state_%d", r.name, k)), gorgonia.WithValue(zeros))
		}
		return states, nil
	}
	if len(initial) != r.states {
		return nil, r.errorf("got %d initial states, want %d", len(initial), r.states)
	}
	for k, s := range initial {
		if s == nil {
			return nil, r.errorf("initial state %d is nil", k)
		}
		if s.Dims() != 2 || !s.Shape().Eq(want) || s.Dtype() != c.DType {
			return nil, r.errorf("initial state %d is %v %v, want %v %v", k, s.Dtype(), s.Shape(), c.DType, want)
		}
	}
	return append([]*gorgonia.Node(nil), initial...), nil
}

// projectSteps returns x·kernel + bias for every step of x, [batch, steps,
// features], as one product: [batch, steps, width].
func projectSteps(x, kernel, bias *gorgonia.Node, batch, steps, features int) (*gorgonia.Node, error) {
	flat, err := ops.CopyReshape(x, tensor.Shape{batch * steps, features})
	if err != nil {
		return nil, err
	}
	xp, err := gorgonia.Mul(flat, kernel)
	if err != nil {
		return nil, err
	}
	if bias != nil {
		if xp, err = gorgonia.BroadcastAdd(xp, bias, nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	return ops.CopyReshape(xp, tensor.Shape{batch, steps, kernel.Shape()[1]})
}

// finish turns the outputs of the steps into the layer's output: the
// last one, or, with ReturnSequences, all of them as [batch, steps, units]
// in the order processed, which carries x's mask on.
func (r recurrence) finish(c *Call, x *gorgonia.Node, outs []*gorgonia.Node) (*gorgonia.Node, error) {
	if !r.returnSequences {
		return outs[len(outs)-1], nil
	}
	out, err := stackSteps(outs)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q: stack the steps", r.kind, r.name)
	}
	if mask, ok := c.MaskOf(x); ok {
		if err := c.SetMask(out, mask); err != nil {
			return nil, errors.Wrapf(err, "%s %q", r.kind, r.name)
		}
	}
	return out, nil
}

// stackSteps stacks steps of [batch, units] into [batch, steps, units].
func stackSteps(outs []*gorgonia.Node) (*gorgonia.Node, error) {
	s := outs[0].Shape()
	if len(outs) == 1 {
		return ops.CopyReshape(outs[0], tensor.Shape{s[0], 1, s[1]})
	}
	// Not gorgonia.Concat, whose gradient gives one step another's
	// gradient once steps*units reaches 256 (see ops.StackSteps).
	return ops.StackSteps(outs)
}

// gate returns columns [k*units, (k+1)*units) of z, [batch, gates*units].
func gate(z *gorgonia.Node, k, units int) (*gorgonia.Node, error) {
	return ops.Columns(z, k*units, (k+1)*units)
}

// fillStepMask fills t, [batch, steps, features], with one dropout draw
// per sample and feature (1/keep with probability keep, else 0), the same
// at every step.
func fillStepMask(rng *rand.Rand, t *tensor.Dense, keep float64) {
	s := t.Shape()
	if len(s) != 3 {
		return
	}
	batch, steps, features := s[0], s[1], s[2]
	scale := 1 / keep
	draw := make([]float64, features)
	for b := 0; b < batch; b++ {
		for f := range draw {
			draw[f] = 0
			if rng.Float64() < keep {
				draw[f] = scale
			}
		}
		for st := 0; st < steps; st++ {
			base := (b*steps + st) * features
			switch data := t.Data().(type) {
			case []float32:
				for f, v := range draw {
					data[base+f] = float32(v)
				}
			case []float64:
				copy(data[base:base+features], draw)
			}
		}
	}
}
