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

// Forward normalizes x, [batch, in...], by groups of channels. The
// channels are moved to the end (when they are not there), each sample's
// groups gathered into rows that the layer normalization op normalizes,
// and the result put back, scaled and shifted per channel.
func (l *GroupNormalization) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	what := "group_normalization " + strconv.Quote(l.Name)
	if !l.built {
		return nil, errors.Errorf("%s: forward before build", what)
	}
	if err := checkBuiltInput("group_normalization", l.Name, c, x, l.in); err != nil {
		return nil, err
	}
	wrap := func(err error, step string) error { return errors.Wrapf(err, "%s: %s", what, step) }
	n, ch := c.Batch, l.moved[len(l.moved)-1]
	spatial := l.in.Size() / ch
	g, cg := l.groups, ch/l.groups
	h, err := permuteIf(x, l.perm)
	if err != nil {
		return nil, wrap(err, "channels last")
	}
	// [n, spatial, g, cg] -> [n, g, spatial, cg] -> rows of spatial·cg.
	if h, err = ops.CopyReshape(h, []int{n, spatial, g, cg}); err != nil {
		return nil, wrap(err, "split groups")
	}
	if h, err = permuteIf(h, []int{0, 2, 1, 3}); err != nil {
		return nil, wrap(err, "gather groups")
	}
	if h, err = ops.CopyReshape(h, []int{n * g, spatial * cg}); err != nil {
		return nil, wrap(err, "group rows")
	}
	if h, err = ops.LayerNorm(h, nil, nil, l.epsilon, c.NeedsGrad(x)); err != nil {
		return nil, wrap(err, "normalize")
	}
	if h, err = ops.CopyReshape(h, []int{n, g, spatial, cg}); err != nil {
		return nil, wrap(err, "ungroup rows")
	}
	if h, err = permuteIf(h, []int{0, 2, 1, 3}); err != nil {
		return nil, wrap(err, "scatter groups")
	}
	if h, err = ops.CopyReshape(h, []int{n * spatial, ch}); err != nil {
		return nil, wrap(err, "channel rows")
	}
	pattern := []byte{0}
	if l.gamma != nil {
		if h, err = gorgonia.BroadcastHadamardProd(h, c.Node(l.gamma), nil, pattern); err != nil {
			return nil, wrap(err, "* gamma")
		}
	}
	if l.beta != nil {
		if h, err = gorgonia.BroadcastAdd(h, c.Node(l.beta), nil, pattern); err != nil {
			return nil, wrap(err, "+ beta")
		}
	}
	if h, err = ops.CopyReshape(h, l.moved.WithBatch(n)); err != nil {
		return nil, wrap(err, "reshape")
	}
	if h, err = permuteIf(h, inverse(l.perm)); err != nil {
		return nil, wrap(err, "channels back")
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
