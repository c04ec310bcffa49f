package layers

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// LSTM is a long short-term memory layer, as Keras's LSTM: (steps,
// features) -> (Units), the output of the last step, or with
// ReturnSequences (steps, Units), the output of every step.
//
// Each step computes, from its input x and the states h and c (zeros at
// the start), with σ the RecurrentActivation and φ the Activation:
//
//	i = σ(x·W_i + h·U_i + b_i)     input gate
//	f = σ(x·W_f + h·U_f + b_f)     forget gate
//	g = φ(x·W_c + h·U_c + b_c)     candidate
//	o = σ(x·W_o + h·U_o + b_o)     output gate
//	c' = f ⊙ c + i ⊙ g
//	h' = o ⊙ φ(c')                 the step's output
//
// The weights are Keras's, so they can be exchanged with it:
// "<name>/kernel" W [features, 4*Units], "<name>/recurrent_kernel" U
// [Units, 4*Units] and "<name>/bias" b [4*Units], the gates side by side
// in the order i, f, c, o. W starts from KernelInitializer (nil:
// GlorotUniform), U from RecurrentInitializer (nil: Orthogonal), b from
// BiasInitializer (nil: Zeros), with the forget gate's part set to ones
// unless NoUnitForgetBias (Keras's unit_forget_bias=True).
//
// PyTorch's nn.LSTM computes the same with W = weight_ih_l0ᵀ, U =
// weight_hh_l0ᵀ and b = bias_ih_l0 + bias_hh_l0: its gate order i, f, g, o
// is Keras's.
//
// Masks, dropout and the unrolling are as for every recurrent layer: a
// step the input's mask marks as padding keeps both states; Dropout drops
// inputs and RecurrentDropout drops h where it enters U, with masks drawn
// once per batch in training graphs only. GoBackwards processes the steps
// from the last to the first and, with ReturnSequences, returns the
// outputs in that order, as Keras does.
type LSTM struct {
	// Name is the layer's name; empty means the model names it lstm,
	// lstm_1...
	Name string `json:"name,omitempty"`
	// Units is the size of the output and of each state; it must be > 0.
	Units int `json:"units"`
	// Activation is φ, applied to the candidate and to the cell state;
	// empty means tanh.
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
	// RecurrentDropout is the fraction of the state h dropped where it
	// enters the recurrent kernel in training, in [0, 1); zero drops
	// nothing.
	RecurrentDropout float64 `json:"recurrent_dropout,omitempty"`
	// NoBias leaves out b (Keras's use_bias=False); false means a bias.
	NoBias bool `json:"no_bias,omitempty"`
	// NoUnitForgetBias starts the forget gate's bias from BiasInitializer
	// like the others (Keras's unit_forget_bias=False); false starts it at
	// ones.
	NoUnitForgetBias bool `json:"no_unit_forget_bias,omitempty"`
	// KernelInitializer fills W; nil means GlorotUniform.
	KernelInitializer Initializer `json:"-"`
	// RecurrentInitializer fills U; nil means Orthogonal.
	RecurrentInitializer Initializer `json:"-"`
	// BiasInitializer fills b; nil means Zeros.
	BiasInitializer Initializer `json:"-"`

	kernel, recurrent, bias *Weight
	in                      Shape
	zeroMasked              bool
	kept                    *keptStates
	// unrolledOnly unrolls the recurrence even where the fused op could
	// run it, to compare the two.
	unrolledOnly bool
}

var _ Layer = (*LSTM)(nil)

// Kind is "lstm".
func (l *LSTM) Kind() string { return "lstm" }

// LayerName is the layer's name.
func (l *LSTM) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *LSTM) SetLayerName(name string) { l.Name = name }

func (l *LSTM) recurrence() recurrence {
	return recurrence{
		kind: "lstm", name: l.Name, units: l.Units, states: 2,
		returnSequences: l.ReturnSequences, goBackwards: l.GoBackwards,
		dropout: l.Dropout, recurrentDropout: l.RecurrentDropout,
		zeroMasked: l.zeroMasked, in: l.in,
		stateful: l.Stateful, kept: l.kept,
	}
}

// Build creates W [features, 4*Units], U [Units, 4*Units] and, unless
// NoBias, b [4*Units] for input (steps, features).
func (l *LSTM) Build(b *Builder, in Shape) (Shape, error) {
	r := l.recurrence()
	if err := r.check(in, namedActivation{"activation", l.Activation}, namedActivation{"recurrent_activation", l.RecurrentActivation}); err != nil {
		return nil, err
	}
	width := 4 * l.Units
	var biasShape []int
	if !l.NoBias {
		biasShape = []int{width}
	}
	binit := l.BiasInitializer
	if binit == nil {
		binit = Zeros{}
	}
	if !l.NoUnitForgetBias {
		binit = unitForgetBias{base: binit, units: l.Units}
	}
	var err error
	if l.kernel, l.recurrent, l.bias, err = recurrentWeights(b, in[1], width, l.Units, l.KernelInitializer, l.RecurrentInitializer, binit, biasShape); err != nil {
		return nil, errors.Wrapf(err, "lstm %q", l.Name)
	}
	l.in = in.Clone()
	if l.kept == nil {
		l.kept = &keptStates{}
	}
	return r.outputShape(in, l.Units), nil
}

// Forward adds the layer to the graph, from zero states.
func (l *LSTM) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	out, _, err := forwardSequence(l, c, x, nil, false)
	return out, err
}

// ForwardWithState is Forward from the initial states h and c, each
// [batch, Units] (nil means zeros), and also returns the final states h
// and c, [batch, Units] each: the last step's output and cell state, or
// with a mask the last valid step's.
func (l *LSTM) ForwardWithState(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error) {
	return forwardSequence(l, c, x, initial, true)
}

func (l *LSTM) unrolled(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (outs, states []*gorgonia.Node, err error) {
	r := l.recurrence()
	if l.kernel == nil {
		return nil, nil, r.errorf("forward before build")
	}
	act := activationOr(l.Activation, Tanh)
	ract := activationOr(l.RecurrentActivation, Sigmoid)
	u := c.Node(l.recurrent)
	var bias *gorgonia.Node
	if l.bias != nil {
		bias = c.Node(l.bias)
	}
	cell := func(xt, h *gorgonia.Node, prev []*gorgonia.Node) ([]*gorgonia.Node, error) {
		hu, err := gorgonia.Mul(h, u)
		if err != nil {
			return nil, err
		}
		z, err := gorgonia.Add(xt, hu)
		if err != nil {
			return nil, err
		}
		var g [4]*gorgonia.Node
		for k := range g {
			if g[k], err = gate(z, k, l.Units); err != nil {
				return nil, err
			}
			a := ract
			if k == 2 {
				a = act
			}
			if g[k], err = a.Apply(g[k]); err != nil {
				return nil, err
			}
		}
		fc, err := gorgonia.HadamardProd(g[1], prev[1])
		if err != nil {
			return nil, err
		}
		ig, err := gorgonia.HadamardProd(g[0], g[2])
		if err != nil {
			return nil, err
		}
		cNew, err := gorgonia.Add(fc, ig)
		if err != nil {
			return nil, err
		}
		ac, err := act.Apply(cNew)
		if err != nil {
			return nil, err
		}
		hNew, err := gorgonia.HadamardProd(g[3], ac)
		if err != nil {
			return nil, err
		}
		return []*gorgonia.Node{hNew, cNew}, nil
	}
	return unroll(c, r, x, initial, c.Node(l.kernel), bias, cell)
}

// Weights returns W, U and, unless NoBias, b.
func (l *LSTM) Weights() []*Weight { return recurrentWeightList(l.kernel, l.recurrent, l.bias) }

func (l *LSTM) directed(name string, backwards, zeroMasked bool) recurrentLayer {
	cp := *l
	cp.Name, cp.GoBackwards, cp.zeroMasked = name, backwards, zeroMasked
	cp.kernel, cp.recurrent, cp.bias, cp.in, cp.kept = nil, nil, nil, nil, nil
	return &cp
}

// recurrentWeightList lists the weights Build created, none before Build.
func recurrentWeightList(kernel, rec, bias *Weight) []*Weight {
	if kernel == nil {
		return nil
	}
	if bias == nil {
		return []*Weight{kernel, rec}
	}
	return []*Weight{kernel, rec, bias}
}

// unitForgetBias fills an LSTM bias [4*units] with base, except the
// forget gate's units, which get ones, as Keras's unit_forget_bias: base
// fills the input gate's units, then the candidate's and the output
// gate's together.
type unitForgetBias struct {
	base  Initializer
	units int
}

// Fill implements Initializer.
func (u unitForgetBias) Fill(rng *rand.Rand, shape []int, dst []float64) error {
	n := u.units
	if len(shape) != 1 || shape[0] != 4*n || len(dst) != 4*n {
		return errors.Errorf("unit forget bias: shape %v, want [%d]", shape, 4*n)
	}
	if err := u.base.Fill(rng, []int{n}, dst[:n]); err != nil {
		return err
	}
	if err := (Ones{}).Fill(rng, []int{n}, dst[n:2*n]); err != nil {
		return err
	}
	return u.base.Fill(rng, []int{2 * n}, dst[2*n:])
}

func (l *LSTM) fusedForm(c *Call) (f fusedCell, kernel, rec, bias *gorgonia.Node, ok bool) {
	if l.unrolledOnly || l.kernel == nil {
		return f, nil, nil, nil, false
	}
	if f, ok = newFusedCell(ops.CellLSTM, activationOr(l.Activation, Tanh), activationOr(l.RecurrentActivation, Sigmoid)); !ok {
		return f, nil, nil, nil, false
	}
	if l.bias != nil {
		bias = c.Node(l.bias)
	}
	return f, c.Node(l.kernel), c.Node(l.recurrent), bias, true
}

// ResetStates zeros the states a Stateful layer keeps between batches.
func (l *LSTM) ResetStates() { l.kept.reset() }
