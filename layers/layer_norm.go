package layers

import (
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// LayerNormalization normalizes each sample over Axis (by default its last
// axis), Keras's LayerNormalization: any shape to the same shape. Every
// group of values that differ only along the axes becomes
//
//	gamma*(x - mean)/sqrt(var + Epsilon) + beta
//
// with the group's own mean and biased variance, so unlike
// BatchNormalization it does the same in training and inference graphs and
// keeps no running statistics. A mask on its input (Call.SetMask) is passed
// on to its output.
//
// Its weights, each of the shape of the axes' dimensions ([C] for the last
// axis, [H, W, C] for axes 1, 2, 3 of an image), are gamma (ones; absent
// with NoScale) and beta (zeros; absent with NoCenter), in that order.
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
	// Axis lists the axes to normalize over, as Keras counts them: the
	// batch is axis 0, so 1 is the first axis of a sample, and -1 the last.
	// They are used in increasing order (the weights' shape follows it).
	// nil means [-1].
	Axis []int `json:"axis,omitempty"`

	in          Shape
	gamma, beta *Weight
	epsilon     float64
	built       bool
	axes        []int // per-sample axes, sorted
	perm        []int // moves the axes to the end
	moved       Shape // the input after perm
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
	axes, err := normAxes("layer_normalization "+strconv.Quote(l.Name), in, l.Axis)
	if err != nil {
		return nil, err
	}
	var ch []int
	for _, a := range axes {
		ch = append(ch, in[a])
	}
	l.gamma, l.beta = nil, nil
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
	l.in, l.epsilon, l.built, l.axes = in.Clone(), eps, true, axes
	l.perm, l.moved = toEnd(in, axes)
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
	var out *gorgonia.Node
	var err error
	if len(l.axes) == 1 && l.axes[0] == len(l.in)-1 {
		out, err = ops.LayerNorm(x, gamma, beta, l.epsilon, c.NeedsGrad(x))
	} else {
		out, err = l.forwardAxes(c, x, gamma, beta)
	}
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

// forwardAxes normalizes over several axes, or one that is not the last:
// the axes are moved to the end (when they are not there), flattened into
// one, normalized by the same op as the last axis, and put back.
func (l *LayerNormalization) forwardAxes(c *Call, x, gamma, beta *gorgonia.Node) (*gorgonia.Node, error) {
	size := 1
	for _, a := range l.axes {
		size *= l.in[a]
	}
	flat := func(w *gorgonia.Node) (*gorgonia.Node, error) {
		if w == nil || w.Dims() == 1 {
			return w, nil
		}
		return ops.CopyReshape(w, []int{size})
	}
	var err error
	if gamma, err = flat(gamma); err != nil {
		return nil, errors.Wrap(err, "gamma")
	}
	if beta, err = flat(beta); err != nil {
		return nil, errors.Wrap(err, "beta")
	}
	p, err := permuteIf(x, l.perm)
	if err != nil {
		return nil, err
	}
	rows := c.Batch * l.in.Size() / size
	if p, err = ops.CopyReshape(p, []int{rows, size}); err != nil {
		return nil, err
	}
	y, err := ops.LayerNorm(p, gamma, beta, l.epsilon, c.NeedsGrad(x))
	if err != nil {
		return nil, err
	}
	if y, err = ops.CopyReshape(y, l.moved.WithBatch(c.Batch)); err != nil {
		return nil, err
	}
	return permuteIf(y, inverse(l.perm))
}
