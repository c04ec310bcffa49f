package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// SimpleRNN is a fully connected recurrent layer, as Keras's SimpleRNN:
// (steps, features) -> (Units), the output of the last step, or with
// ReturnSequences (steps, Units), the output of every step.
//
// Each step computes, from its input x and the state h (zeros at the
// start), h' = φ(x·W + h·U + b), φ being the Activation; h' is the step's
// output.
//
// The weights are Keras's, so they can be exchanged with it:
// "<name>/kernel" W [features, Units], "<name>/recurrent_kernel" U [Units,
// Units] and "<name>/bias" b [Units]. W starts from KernelInitializer (nil:
// GlorotUniform), U from RecurrentInitializer (nil: Orthogonal), b from
// BiasInitializer (nil: Zeros). PyTorch's nn.RNN (tanh) computes the same
// with W = weight_ih_l0ᵀ, U = weight_hh_l0ᵀ and b = bias_ih_l0 +
// bias_hh_l0.
//
// Masks, dropout and the unrolling are as for every recurrent layer: a
// step the input's mask marks as padding keeps the state; Dropout drops
// inputs and RecurrentDropout drops h where it enters U, with masks drawn
// once per batch in training graphs only. GoBackwards processes the steps
// from the last to the first and, with ReturnSequences, returns the
// outputs in that order, as Keras does.
type SimpleRNN struct {
	// Name is the layer's name; empty means the model names it simple_rnn,
	// simple_rnn_1...
	Name string `json:"name,omitempty"`
	// Units is the size of the output and of the state; it must be > 0.
	Units int `json:"units"`
	// Activation is φ; empty means tanh.
	Activation Activator `json:"activation,omitempty"`
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
	// NoBias leaves out b (Keras's use_bias=False); false means a bias.
	NoBias bool `json:"no_bias,omitempty"`
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

var _ Layer = (*SimpleRNN)(nil)

// Kind is "simple_rnn".
func (l *SimpleRNN) Kind() string { return "simple_rnn" }

// LayerName is the layer's name.
func (l *SimpleRNN) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *SimpleRNN) SetLayerName(name string) { l.Name = name }

func (l *SimpleRNN) recurrence() recurrence {
	return recurrence{
		kind: "simple_rnn", name: l.Name, units: l.Units, states: 1,
		returnSequences: l.ReturnSequences, goBackwards: l.GoBackwards,
		dropout: l.Dropout, recurrentDropout: l.RecurrentDropout,
		zeroMasked: l.zeroMasked, in: l.in,
		stateful: l.Stateful, kept: l.kept,
	}
}

// Build creates W [features, Units], U [Units, Units] and, unless NoBias,
// b [Units] for input (steps, features).
func (l *SimpleRNN) Build(b *Builder, in Shape) (Shape, error) {
	r := l.recurrence()
	if err := r.check(in, namedActivation{"activation", l.Activation}); err != nil {
		return nil, err
	}
	var biasShape []int
	if !l.NoBias {
		biasShape = []int{l.Units}
	}
	var err error
	if l.kernel, l.recurrent, l.bias, err = recurrentWeights(b, in[1], l.Units, l.Units, l.KernelInitializer, l.RecurrentInitializer, l.BiasInitializer, biasShape); err != nil {
		return nil, errors.Wrapf(err, "simple_rnn %q", l.Name)
	}
	l.in = in.Clone()
	if l.kept == nil {
		l.kept = &keptStates{}
	}
	return r.outputShape(in, l.Units), nil
}

// Forward adds the layer to the graph, from a zero state.
func (l *SimpleRNN) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	out, _, err := forwardSequence(l, c, x, nil, false)
	return out, err
}

// ForwardWithState is Forward from the initial state h, [batch, Units]
// (nil means zeros), and also returns the final state h, [batch, Units]:
// the last step's output, or with a mask the last valid step's.
func (l *SimpleRNN) ForwardWithState(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error) {
	return forwardSequence(l, c, x, initial, true)
}

func (l *SimpleRNN) unrolled(c *Call, x *gorgonia.Node, initial []*gorgonia.Node) (outs, states []*gorgonia.Node, err error) {
	r := l.recurrence()
	if l.kernel == nil {
		return nil, nil, r.errorf("forward before build")
	}
	act := activationOr(l.Activation, Tanh)
	u := c.Node(l.recurrent)
	var bias *gorgonia.Node
	if l.bias != nil {
		bias = c.Node(l.bias)
	}
	cell := func(xt, h *gorgonia.Node, _ []*gorgonia.Node) ([]*gorgonia.Node, error) {
		hu, err := gorgonia.Mul(h, u)
		if err != nil {
			return nil, err
		}
		z, err := gorgonia.Add(xt, hu)
		if err != nil {
			return nil, err
		}
		hNew, err := act.Apply(z)
		if err != nil {
			return nil, err
		}
		return []*gorgonia.Node{hNew}, nil
	}
	return unroll(c, r, x, initial, c.Node(l.kernel), bias, cell)
}

// Weights returns W, U and, unless NoBias, b.
func (l *SimpleRNN) Weights() []*Weight { return recurrentWeightList(l.kernel, l.recurrent, l.bias) }

func (l *SimpleRNN) directed(name string, backwards, zeroMasked bool) recurrentLayer {
	cp := *l
	cp.Name, cp.GoBackwards, cp.zeroMasked = name, backwards, zeroMasked
	cp.kernel, cp.recurrent, cp.bias, cp.in, cp.kept = nil, nil, nil, nil, nil
	return &cp
}

func (l *SimpleRNN) fusedForm(c *Call) (f fusedCell, kernel, rec, bias *gorgonia.Node, ok bool) {
	if l.unrolledOnly || l.kernel == nil {
		return f, nil, nil, nil, false
	}
	if f, ok = newFusedCell(ops.CellSimple, activationOr(l.Activation, Tanh), Linear); !ok {
		return f, nil, nil, nil, false
	}
	if l.bias != nil {
		bias = c.Node(l.bias)
	}
	return f, c.Node(l.kernel), c.Node(l.recurrent), bias, true
}

// ResetStates zeros the states a Stateful layer keeps between batches.
func (l *SimpleRNN) ResetStates() { l.kept.reset() }
