package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// LayerNormalization normalizes each sample over its last axis, Keras's
// LayerNormalization with axis=-1: any shape (..., C) to the same shape.
// Every row of C values becomes
//
//	gamma*(x - mean)/sqrt(var + Epsilon) + beta
//
// with the row's own mean and biased variance, so unlike
// BatchNormalization it does the same in training and inference graphs and
// keeps no running statistics. A mask on its input (Call.SetMask) is passed
// on to its output.
//
// Its weights, each [C], are gamma (ones; absent with NoScale) and beta
// (zeros; absent with NoCenter), in that order.
type LayerNormalization struct {
	// Name is the layer's name; empty means the model names it
	// layer_normalization, layer_normalization_1...
	Name string `json:"name,omitempty"`
	// Epsilon is added to the variance before its square root; zero means
	// 1e-3, Keras's default. It must not be negative.
	Epsilon float64 `json:"epsilon,omitempty"`
	// NoCenter leaves out beta (Keras's center=False); false means a beta.
	NoCenter bool `json:"no_center,omitempty"`
	// NoScale leaves out gamma (Keras's scale=False); false means a gamma.
	NoScale bool `json:"no_scale,omitempty"`

	in          Shape
	gamma, beta *Weight
	epsilon     float64
	built       bool
}

var _ Layer = (*LayerNormalization)(nil)

// Kind is "layer_normalization".
func (l *LayerNormalization) Kind() string { return "layer_normalization" }

// LayerName is the layer's name.
func (l *LayerNormalization) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *LayerNormalization) SetLayerName(name string) { l.Name = name }

// Build checks Epsilon and creates the [C] weights for input (..., C); the
// output shape is the input shape.
func (l *LayerNormalization) Build(b *Builder, in Shape) (Shape, error) {
	eps := l.Epsilon
	if eps == 0 {
		eps = 1e-3
	}
	if !(eps > 0) || math.IsInf(eps, 0) {
		return nil, errors.Errorf("layer_normalization %q: epsilon must be > 0, got %v", l.Name, l.Epsilon)
	}
	if len(in) == 0 {
		return nil, errors.Errorf("layer_normalization %q: input has no dimensions besides the batch; expected (None, ..., features)", l.Name)
	}
	for _, d := range in {
		if d <= 0 {
			return nil, errors.Errorf("layer_normalization %q: input shape %v has a dimension <= 0", l.Name, in)
		}
	}
	ch := []int{in[len(in)-1]}
	l.gamma, l.beta = nil, nil
	var err error
	if !l.NoScale {
		if l.gamma, err = b.NewWeight("gamma", ch, Ones{}); err != nil {
			return nil, errors.Wrapf(err, "layer_normalization %q", l.Name)
		}
	}
	if !l.NoCenter {
		if l.beta, err = b.NewWeight("beta", ch, Zeros{}); err != nil {
			return nil, errors.Wrapf(err, "layer_normalization %q", l.Name)
		}
	}
	l.in, l.epsilon, l.built = in.Clone(), eps, true
	return in.Clone(), nil
}

// Forward normalizes x, [batch, ..., C], over its last axis.
func (l *LayerNormalization) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if !l.built {
		return nil, errors.Errorf("layer_normalization %q: forward before build", l.Name)
	}
	if err := checkBuiltInput("layer_normalization", l.Name, c, x, l.in); err != nil {
		return nil, err
	}
	var gamma, beta *gorgonia.Node
	if l.gamma != nil {
		gamma = c.Node(l.gamma)
	}
	if l.beta != nil {
		beta = c.Node(l.beta)
	}
	out, err := ops.LayerNorm(x, gamma, beta, l.epsilon, c.NeedsGrad(x))
	if err != nil {
		return nil, errors.Wrapf(err, "layer_normalization %q", l.Name)
	}
	if m, ok := c.MaskOf(x); ok {
		if err := c.SetMask(out, m); err != nil {
			return nil, errors.Wrapf(err, "layer_normalization %q", l.Name)
		}
	}
	return out, nil
}

// Weights returns gamma (unless NoScale) and beta (unless NoCenter); nil
// before Build.
func (l *LayerNormalization) Weights() []*Weight {
	var ws []*Weight
	if l.gamma != nil {
		ws = append(ws, l.gamma)
	}
	if l.beta != nil {
		ws = append(ws, l.beta)
	}
	return ws
}
