package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// A recurrent layer runs as one fused op (ops.Recurrent) forward and one
// backward when its activations are among those the op computes itself
// (linear, tanh, sigmoid, relu: every default), so that the graph does
// not grow with the number of steps and a training step costs time and
// memory linear in it. Other activations unroll the recurrence over the
// steps, one cell of Gorgonia nodes per step (unroll); both give the same
// values and gradients.

// fusedCell is a layer's cell as the fused op runs it.
type fusedCell struct {
	cell      ops.RecurrentCell
	act, ract ops.RecurrentActivation
}

// fusedActivation returns the fused op's form of a, if it has one.
func fusedActivation(a Activator) (ops.RecurrentActivation, bool) {
	switch a {
	case "", Linear:
		return ops.ActLinear, true
	case Tanh:
		return ops.ActTanh, true
	case Sigmoid:
		return ops.ActSigmoid, true
	case ReLU:
		return ops.ActReLU, true
	}
	return 0, false
}

// newFusedCell returns the fused form of a cell with activations act and
// ract, if both have one.
func newFusedCell(cell ops.RecurrentCell, act, ract Activator) (fusedCell, bool) {
	a, ok := fusedActivation(act)
	if !ok {
		return fusedCell{}, false
	}
	r, ok := fusedActivation(ract)
	if !ok {
		return fusedCell{}, false
	}
	return fusedCell{cell: cell, act: a, ract: r}, true
}

// sequenceOutput is what a recurrent layer's run gives: its output (the
// outputs of every step as [batch, steps, units] in the order processed,
// reversed in time when asked, with ReturnSequences; else the last
// step's, [batch, units]) and, when asked, its final states.
type sequenceOutput struct {
	out    *gorgonia.Node
	states []*gorgonia.Node
}

// fused runs the recurrence r over x as one op, from initial (nil:
// zeros), with the input projection x·kernel + bias (bias may be nil).
// reverse reverses the sequence of outputs in time; wantStates also
// returns the final states.
func (r recurrence) fused(c *Call, x *gorgonia.Node, initial []*gorgonia.Node, f fusedCell, kernel, rec, bias *gorgonia.Node, reverse, wantStates bool) (sequenceOutput, error) {
	var res sequenceOutput
	if r.in == nil || kernel == nil {
		return res, r.errorf("forward before build")
	}
	steps, err := checkSequenceInput(r.kind, r.name, c, x, r.in)
	if err != nil {
		return res, err
	}
	if x.Dtype() != c.DType {
		return res, r.errorf("input is %v in a %v graph", x.Dtype(), c.DType)
	}
	batch, features := c.Batch, r.in[1]
	mask, hasMask := c.MaskOf(x)
	if hasMask {
		if s := mask.Shape(); mask.Dims() != 2 || !s.Eq(tensor.Shape{batch, steps}) {
			return res, r.errorf("mask has shape %v, want [%d, %d] (batch, steps)", s, batch, steps)
		}
		if mask.Dtype() != c.DType {
			return res, r.errorf("mask is %v in a %v graph", mask.Dtype(), c.DType)
		}
	}
	var keep []*tensor.Dense
	if initial != nil {
		var err error
		if initial, err = r.initialStates(c, initial); err != nil {
			return res, err
		}
	} else if r.stateful {
		initial, keep = r.keptNodes(c)
	}
	inputGrad := c.NeedsGrad(x)
	in := x
	if c.Training && r.dropout > 0 {
		keep := 1 - r.dropout
		m := c.NewFeed(r.name+"/dropout_mask", tensor.Shape{batch, steps, features}, func(rng *rand.Rand, t *tensor.Dense) {
			fillStepMask(rng, t, keep)
		})
		var err error
		if in, err = gorgonia.HadamardProd(in, m); err != nil {
			return res, errors.Wrapf(err, "%s %q: input dropout", r.kind, r.name)
		}
	}
	var recMask *gorgonia.Node
	if c.Training && r.recurrentDropout > 0 {
		keep := 1 - r.recurrentDropout
		recMask = c.NewFeed(r.name+"/recurrent_dropout_mask", tensor.Shape{batch, r.units}, func(rng *rand.Rand, t *tensor.Dense) {
			fillMask(rng, t, keep)
		})
	}
	cfg := ops.RecurrentConfig{
		Cell: f.cell, Activation: f.act, RecurrentActivation: f.ract,
		Backwards: r.goBackwards, Sequences: r.returnSequences,
		ZeroMasked: r.zeroMasked, InputGrad: inputGrad,
	}
	inputs := ops.RecurrentInputs{X: in, Kernel: kernel, Recurrent: rec, Bias: bias, Initial: initial, RecurrentDropout: recMask, Keep: keep}
	if hasMask {
		inputs.Mask = mask
	}
	p, err := ops.Recurrent(cfg, inputs)
	if err != nil {
		return res, errors.Wrapf(err, "%s %q", r.kind, r.name)
	}
	nOut := 0
	if r.returnSequences {
		nOut = steps
		res.out, err = ops.SequencePart(p, 0, steps, reverse, false)
	} else {
		res.out, err = ops.SequencePart(p, 0, 1, false, true)
	}
	if err != nil {
		return res, errors.Wrapf(err, "%s %q: output", r.kind, r.name)
	}
	if wantStates {
		for k := 0; k < r.states; k++ {
			s, err := ops.SequencePart(p, nOut+k, nOut+k+1, false, true)
			if err != nil {
				return res, errors.Wrapf(err, "%s %q: state %d", r.kind, r.name, k)
			}
			res.states = append(res.states, s)
		}
	}
	return res, nil
}

// collect turns the unrolled outputs of the steps into the layer's
// output: the last one, or, with ReturnSequences, all of them as [batch,
// steps, units] in the order processed, reversed in time when reverse.
func (r recurrence) collect(outs []*gorgonia.Node, reverse bool) (*gorgonia.Node, error) {
	if !r.returnSequences {
		return outs[len(outs)-1], nil
	}
	if reverse {
		rev := make([]*gorgonia.Node, len(outs))
		for i, o := range outs {
			rev[len(outs)-1-i] = o
		}
		outs = rev
	}
	out, err := stackSteps(outs)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q: stack the steps", r.kind, r.name)
	}
	return out, nil
}

// runSequence runs layer l over x: fused when cell allows it and unrolled
// is false, else unrolled.
func runSequence(l recurrentLayer, c *Call, x *gorgonia.Node, initial []*gorgonia.Node, reverse, wantStates bool) (sequenceOutput, error) {
	r := l.recurrence()
	if f, kernel, rec, bias, ok := l.fusedForm(c); ok {
		return r.fused(c, x, initial, f, kernel, rec, bias, reverse, wantStates)
	}
	if r.stateful {
		return sequenceOutput{}, r.errorf("stateful needs activations the fused op runs (linear, tanh, sigmoid, relu)")
	}
	outs, states, err := l.unrolled(c, x, initial)
	if err != nil {
		return sequenceOutput{}, err
	}
	out, err := r.collect(outs, reverse)
	if err != nil {
		return sequenceOutput{}, err
	}
	return sequenceOutput{out: out, states: states}, nil
}

// forwardSequence is a recurrent layer's ForwardWithState: runSequence,
// with the input's mask carried on to a sequence output.
func forwardSequence(l recurrentLayer, c *Call, x *gorgonia.Node, initial []*gorgonia.Node, wantStates bool) (*gorgonia.Node, []*gorgonia.Node, error) {
	res, err := runSequence(l, c, x, initial, false, wantStates)
	if err != nil {
		return nil, nil, err
	}
	r := l.recurrence()
	if r.returnSequences {
		if mask, ok := c.MaskOf(x); ok {
			if err := c.SetMask(res.out, mask); err != nil {
				return nil, nil, errors.Wrapf(err, "%s %q", r.kind, r.name)
			}
		}
	}
	return res.out, res.states, nil
}
