package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// GRU is a gated recurrent unit layer, as Keras's GRU: (steps, features)
// -> (Units), the output of the last step, or with ReturnSequences
// (steps, Units), the output of every step. By default it is Keras's
// reset_after=True variant (Keras 2 in TF 2, Keras 3, and PyTorch's
// nn.GRU); NoResetAfter gives Keras's reset_after=False.
//
// Each step computes, from its input x and the state h (zeros at the
// start), with σ the RecurrentActivation and φ the Activation, b the
// input bias and r the recurrent bias:
//
//	z  = σ(x·W_z + b_z + h·U_z + r_z)          update gate
//	rs = σ(x·W_r + b_r + h·U_r + r_r)          reset gate
//	hh = φ(x·W_h + b_h + rs ⊙ (h·U_h + r_h))   candidate (reset after U)
//	h' = z ⊙ h + (1 - z) ⊙ hh                  the step's output
//
// The weights are Keras's, so they can be exchanged with it:
// "<name>/kernel" W [features, 3*Units], "<name>/recurrent_kernel" U
// [Units, 3*Units] and "<name>/bias" [2, 3*Units], row 0 the input bias b
// and row 1 the recurrent bias r, the gates side by side in the order z,
// r, h. W starts from KernelInitializer (nil: GlorotUniform), U from
// RecurrentInitializer (nil: Orthogonal), the bias from BiasInitializer
// (nil: Zeros).
//
// With NoResetAfter the reset gate multiplies h before U_h, and there is
// one bias b, [3*Units]:
//
//	hh = φ(x·W_h + b_h + (rs ⊙ h)·U_h)
//
// PyTorch's nn.GRU is the default variant: its gate order is r, z, n, so W's
// blocks z, r, h are the transposed blocks 1, 0, 2 of weight_ih_l0 (U's of
// weight_hh_l0), bias row 0 is bias_ih_l0 and row 1 bias_hh_l0, each
// reordered the same way.
//
// Masks, dropout and the unrolling are as for every recurrent layer: a
// step the input's mask marks as padding keeps the state; Dropout drops
// inputs and RecurrentDropout drops h where it enters U (h in the last
// line stays whole, as in TF 2's Keras), with masks drawn once per batch in
// training graphs only. GoBackwards processes the steps from the last to
// the first and, with ReturnSequences, returns the outputs in that order,
// as Keras does.
type GRU struct {
	// Name is the layer's name; empty means the model names it gru,
	// gru_1...
	Name string `json:"name,omitempty"`
	// Units is the size of the output and of the state; it must be > 0.
	Units int `json:"units"`
	// Activation is φ, applied to the candidate; empty means tanh.
	Activation Activator `json:"activation,omitempty"`
	// RecurrentActivation is σ, applied to the gates; empty means sigmoid.
	RecurrentActivation Activator `json:"recurrent_activation,omitempty"`
	// ReturnSequences returns the output of every step, (steps, Units);
	// false returns the last step's, (Units).
	ReturnSequences bool `json:"return_sequences,omitempty"`
	// GoBackwards processes the steps from the last to the first; false
	// goes forwards.
	GoBackwards bool `json:"go_backwards,omitempty"`
	// Dropout is the fraction of the inputs dropped in training, in
	// [0, 1); zero drops nothing.
	Dropout float64 `json:"dropout,omitempty"`
	// Stateful starts each batch from the final states of the previous
	// batch of the same size, sample i continuing sample i, as Keras's
	// stateful=True, in training, evaluation and prediction alike, for
	// series fed in consecutive chunks; ResetStates starts again from
	// zeros. Gradients stop at the batch's start. It needs activations the
	// fused op runs (linear, tanh, sigmoid, relu). False starts every
	// batch from zeros (or the initial states given).
	Stateful bool `json:"stateful,omitempty"`
	// RecurrentDropout is the fraction of the state dropped where it
	// enters the recurrent kernel in training, in [0, 1); zero drops
	// nothing.
	RecurrentDropout float64 `json:"recurrent_dropout,omitempty"`
	// NoBias leaves out both biases (Keras's use_bias=False); false means
	// biases.
	NoBias bool `json:"no_bias,omitempty"`
	// NoResetAfter applies the reset gate to h before the recurrent
	// kernel, with one bias [3*Units] (Keras's reset_after=False); false
	// applies it after, with an input and a recurrent bias [2, 3*Units]
	// (Keras's default reset_after=True).
	NoResetAfter bool `json:"no_reset_after,omitempty"`
	// KernelInitializer fills W; nil means GlorotUniform.
	KernelInitializer Initializer `json:"-"`
	// RecurrentInitializer fills U; nil means Orthogonal.
	RecurrentInitializer Initializer `json:"-"`
	// BiasInitializer fills the biases; nil means Zeros.
	BiasInitializer Initializer `json:"-"`

	kernel, recurrent, bias *Weight
	in                      Shape
	zeroMasked              bool
	kept                    *keptStates
	// unrolledOnly unrolls the recurrence even where the fused op could
	// run it, to compare the two.
	unrolledOnly bool
}

var _ Layer = (*GRU)(nil)

// Kind is "gru".
func (l *GRU) Kind() string { return "gru" }

// LayerName is the layer's name.
func (l *GRU) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *GRU) SetLayerName(name string) { l.Name = name }

func (l *GRU) recurrence() recurrence {
	return recurrence{
		kind: "gru", name: l.Name, units: l.Units, states: 1,
		returnSequences: l.ReturnSequences, goBackwards: l.GoBackwards,
		dropout: l.Dropout, recurrentDropout: l.RecurrentDropout,
		zeroMasked: l.zeroMasked, in: l.in,
		stateful: l.Stateful, kept: l.kept,
	}
}

// Build creates W [features, 3*Units], U [Units, 3*Units] and, unless
// NoBias, the biases [2, 3*Units] ([3*Units] with NoResetAfter) for input
// (steps, features).
func (l *GRU) Build(b *Builder, in Shape) (Shape, error) {
	r := l.recurrence()
	if err := r.check(in, namedActivation{"activation", l.Activation}, namedActivation{"recurrent_activation", l.RecurrentActivation}); err != nil {
		return nil, err
	}
	width := 3 * l.Units
	var biasShape []int
	if !l.NoBias {
		biasShape = []int{2, width}
		if l.NoResetAfter {
			biasShape = []int{width}
		}
	}
	var err error
	if l.kernel, l.recurrent, l.bias, err = recurrentWeights(b, in[1], width, l.Units, l.KernelInitializer, l.RecurrentInitializer, l.BiasInitializer, biasShape); err != nil {
		return nil, errors.Wrapf(err, "gru %q", l.Name)
	}
	l.in = in.Clone()
	if l.kept == nil {
		l.kept = &keptStates{}
	}
	return r.outputShape(in, l.Units), nil
}

// Forward adds the layer to the graph, from a zero state.
func (l *GRU) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	out, _, err := forwardSequence(l, c, x, nil, false)
	return out, err
}

// ForwardWithState is Forward from the initial state h, [batch, Units]
// (nil means zeros), and also returns the final state h, [batch, Units]:
// the last step's output, or with a mask the last valid step's.
func (l *GRU) ForwardWithState(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error) {
	return forwardSequence(l, c, x, initial, true)
}

func (l *GRU) unrolled(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (outs, states []*gorgonia.Node, err error) {
	r := l.recurrence()
	if l.kernel == nil {
		return nil, nil, r.errorf("forward before build")
	}
	act := activationOr(l.Activation, Tanh)
	ract := activationOr(l.RecurrentActivation, Sigmoid)
	u := c.Node(l.recurrent)
	var inBias, recBias *gorgonia.Node
	if l.bias != nil && l.NoResetAfter {
		inBias = c.Node(l.bias)
	} else if l.bias != nil {
		b := c.Node(l.bias)
		if inBias, err = gorgonia.Slice(b, gorgonia.S(0)); err != nil {
			return nil, nil, errors.Wrapf(err, "gru %q: input bias", l.Name)
		}
		if recBias, err = gorgonia.Slice(b, gorgonia.S(1)); err != nil {
			return nil, nil, errors.Wrapf(err, "gru %q: recurrent bias", l.Name)
		}
	}
	if l.NoResetAfter {
		return unroll(c, r, x, initial, c.Node(l.kernel), inBias, l.resetBeforeCell(u, act, ract))
	}
	cell := func(xt, h *gorgonia.Node, prev []*gorgonia.Node) ([]*gorgonia.Node, error) {
		rec, err := gorgonia.Mul(h, u)
		if err != nil {
			return nil, err
		}
		if recBias != nil {
			if rec, err = gorgonia.BroadcastAdd(rec, recBias, nil, []byte{0}); err != nil {
				return nil, err
			}
		}
		var xg, rg [3]*gorgonia.Node
		for k := range xg {
			if xg[k], err = gate(xt, k, l.Units); err != nil {
				return nil, err
			}
			if rg[k], err = gate(rec, k, l.Units); err != nil {
				return nil, err
			}
		}
		var zr [2]*gorgonia.Node
		for k := range zr {
			s, err := gorgonia.Add(xg[k], rg[k])
			if err != nil {
				return nil, err
			}
			if zr[k], err = ract.Apply(s); err != nil {
				return nil, err
			}
		}
		rh, err := gorgonia.HadamardProd(zr[1], rg[2])
		if err != nil {
			return nil, err
		}
		hh, err := gorgonia.Add(xg[2], rh)
		if err != nil {
			return nil, err
		}
		if hh, err = act.Apply(hh); err != nil {
			return nil, err
		}
		// h' = z h + (1 - z) hh = hh + z (h - hh)
		d, err := gorgonia.Sub(prev[0], hh)
		if err != nil {
			return nil, err
		}
		if d, err = gorgonia.HadamardProd(zr[0], d); err != nil {
			return nil, err
		}
		hNew, err := gorgonia.Add(hh, d)
		if err != nil {
			return nil, err
		}
		return []*gorgonia.Node{hNew}, nil
	}
	return unroll(c, r, x, initial, c.Node(l.kernel), inBias, cell)
}

// resetBeforeCell is the step of the NoResetAfter variant, U being the
// recurrent kernel's node.
func (l *GRU) resetBeforeCell(u *gorgonia.Node, act, ract Activator) cellFunc {
	return func(xt, h *gorgonia.Node, prev []*gorgonia.Node) ([]*gorgonia.Node, error) {
		var xg, ug [3]*gorgonia.Node
		var err error
		for k := range xg {
			if xg[k], err = gate(xt, k, l.Units); err != nil {
				return nil, err
			}
			if ug[k], err = ops.Columns(u, k*l.Units, (k+1)*l.Units); err != nil {
				return nil, err
			}
		}
		var zr [2]*gorgonia.Node
		for k := range zr {
			hu, err := gorgonia.Mul(h, ug[k])
			if err != nil {
				return nil, err
			}
			s, err := gorgonia.Add(xg[k], hu)
			if err != nil {
				return nil, err
			}
			if zr[k], err = ract.Apply(s); err != nil {
				return nil, err
			}
		}
		rh, err := gorgonia.HadamardProd(zr[1], h)
		if err != nil {
			return nil, err
		}
		rhu, err := gorgonia.Mul(rh, ug[2])
		if err != nil {
			return nil, err
		}
		hh, err := gorgonia.Add(xg[2], rhu)
		if err != nil {
			return nil, err
		}
		if hh, err = act.Apply(hh); err != nil {
			return nil, err
		}
		d, err := gorgonia.Sub(prev[0], hh)
		if err != nil {
			return nil, err
		}
		if d, err = gorgonia.HadamardProd(zr[0], d); err != nil {
			return nil, err
		}
		hNew, err := gorgonia.Add(hh, d)
		if err != nil {
			return nil, err
		}
		return []*gorgonia.Node{hNew}, nil
	}
}

// Weights returns W, U and, unless NoBias, the biases.
func (l *GRU) Weights() []*Weight { return recurrentWeightList(l.kernel, l.recurrent, l.bias) }

func (l *GRU) directed(name string, backwards, zeroMasked bool) recurrentLayer {
	cp := *l
	cp.Name, cp.GoBackwards, cp.zeroMasked = name, backwards, zeroMasked
	cp.kernel, cp.recurrent, cp.bias, cp.in, cp.kept = nil, nil, nil, nil, nil
	return &cp
}

func (l *GRU) fusedForm(c *Call) (f fusedCell, kernel, rec, bias *gorgonia.Node, ok bool) {
	if l.unrolledOnly || l.kernel == nil {
		return f, nil, nil, nil, false
	}
	cell := ops.CellGRU
	if l.NoResetAfter {
		cell = ops.CellGRUResetBefore
	}
	if f, ok = newFusedCell(cell, activationOr(l.Activation, Tanh), activationOr(l.RecurrentActivation, Sigmoid)); !ok {
		return f, nil, nil, nil, false
	}
	if l.bias != nil {
		bias = c.Node(l.bias)
	}
	return f, c.Node(l.kernel), c.Node(l.recurrent), bias, true
}

// ResetStates zeros the states a Stateful layer keeps between batches.
func (l *GRU) ResetStates() { l.kept.reset() }
