package layers

import (
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// GroupNormalization splits the channels (Axis, by default the last axis)
// into Groups groups and normalizes each sample's group over its channels
// and every other axis, Keras's GroupNormalization: any shape to the same
// shape. With C channels in groups of C/Groups, each (sample, group)
// becomes
//
//	gamma*(x - mean)/sqrt(var + Epsilon) + beta
//
// with that group's mean and biased variance, and gamma and beta per
// channel. Groups equal to C is instance normalization, 1 is layer
// normalization over every axis; like LayerNormalization it does the same
// in training and inference and keeps no running statistics.
//
// Its weights, each [C], are gamma (ones; absent with NoScale) and beta
// (zeros; absent with NoCenter), in that order.
type GroupNormalization struct {
	// Name is the layer's name; empty means the model names it
	// group_normalization, group_normalization_1...
	Name string `json:"name,omitempty"`
	// Groups is the number of groups; it must divide the channels. Zero
	// means 32, Keras's default.
	Groups int `json:"groups,omitempty"`
	// Axis is the channel axis, as Keras counts it (the batch is 0, -1 the
	// last); zero means -1.
	Axis int `json:"axis,omitempty"`
	// Epsilon is added to the variance before its square root; zero means
	// 1e-3, Keras's default. It must not be negative.
	Epsilon float64 `json:"epsilon,omitempty"`
	// NoCenter leaves out beta (Keras's center=False); false means a beta.
	NoCenter bool `json:"no_center,omitempty"`
	// NoScale leaves out gamma (Keras's scale=False); false means a gamma.
	NoScale bool `json:"no_scale,omitempty"`

	in          Shape
	perm        []int // moves the channel axis to the end
	moved       Shape // the input after perm
	groups      int
	epsilon     float64
	gamma, beta *Weight
	built       bool
}

var _ Layer = (*GroupNormalization)(nil)

// Kind is "group_normalization".
func (l *GroupNormalization) Kind() string { return "group_normalization" }

// LayerName is the layer's name.
func (l *GroupNormalization) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *GroupNormalization) SetLayerName(name string) { l.Name = name }

// Build checks the configuration and creates the [C] weights; the output
// shape is the input shape.
func (l *GroupNormalization) Build(b *Builder, in Shape) (Shape, error) {
	what := "group_normalization " + strconv.Quote(l.Name)
	eps := l.Epsilon
	if eps == 0 {
		eps = 1e-3
	}
	if !(eps > 0) || math.IsInf(eps, 0) {
		return nil, errors.Errorf("%s: epsilon must be > 0, got %v", what, l.Epsilon)
	}
	if len(in) == 0 {
		return nil, errors.Errorf("%s: input has no dimensions besides the batch; expected (None, ..., channels)", what)
	}
	for _, d := range in {
		if d <= 0 {
			return nil, errors.Errorf("%s: input shape %v has a dimension <= 0", what, in)
		}
	}
	axis := l.Axis
	if axis == 0 {
		axis = -1
	}
	axes, err := normAxes(what, in, []int{axis})
	if err != nil {
		return nil, err
	}
	ch := in[axes[0]]
	groups := l.Groups
	if groups == 0 {
		groups = 32
	}
	if groups < 0 || groups > ch || ch%groups != 0 {
		return nil, errors.Errorf("%s: groups (%d) must divide the %d channels of input %v", what, groups, ch, in)
	}
	l.gamma, l.beta = nil, nil
	if !l.NoScale {
		if l.gamma, err = b.NewWeight("gamma", []int{ch}, Ones{}); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	if !l.NoCenter {
		if l.beta, err = b.NewWeight("beta", []int{ch}, Zeros{}); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	l.in, l.groups, l.epsilon, l.built = in.Clone(), groups, eps, true
	l.perm, l.moved = toEnd(in, axes)
	return in.Clone(), nil
}

// Forward normalizes x, [batch, in...], by groups of channels, with one
// op (ops.GroupNorm) once the channels are last (moved there and back when
// Axis is another axis).
func (l *GroupNormalization) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	what := "group_normalization " + strconv.Quote(l.Name)
	if !l.built {
		return nil, errors.Errorf("%s: forward before build", what)
	}
	if err := checkBuiltInput("group_normalization", l.Name, c, x, l.in); err != nil {
		return nil, err
	}
	var gamma, beta *gorgonia.Node
	if l.gamma != nil {
		gamma = c.Node(l.gamma)
	}
	if l.beta != nil {
		beta = c.Node(l.beta)
	}
	h, err := permuteIf(x, l.perm)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: channels last", what)
	}
	if h, err = ops.GroupNorm(h, gamma, beta, l.groups, l.epsilon, c.NeedsGrad(x)); err != nil {
		return nil, errors.Wrap(err, what)
	}
	if h, err = permuteIf(h, inverse(l.perm)); err != nil {
		return nil, errors.Wrapf(err, "%s: channels back", what)
	}
	return h, nil
}

// Weights returns gamma (unless NoScale) and beta (unless NoCenter); nil
// before Build.
func (l *GroupNormalization) Weights() []*Weight {
	var ws []*Weight
	if l.gamma != nil {
		ws = append(ws, l.gamma)
	}
	if l.beta != nil {
		ws = append(ws, l.beta)
	}
	return ws
}
