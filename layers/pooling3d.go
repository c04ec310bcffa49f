package layers

import (
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// MaxPooling3D is the maximum over windows of PoolSize, Keras's
// MaxPooling3D with channels last: [batch, d, h, w, c] -> [batch, od, oh,
// ow, c], each output axis ceil(in/stride) with "same" padding (padded
// positions are left out of the maximum) and (in-pool)/stride+1 with
// "valid".
type MaxPooling3D struct {
	// Name is the layer's name; empty means the model names it
	// max_pooling3d, max_pooling3d_1...
	Name string `json:"name,omitempty"`
	// PoolSize is [p] or [pd, ph, pw]; nil means 2.
	PoolSize []int `json:"pool_size,omitempty"`
	// Strides is [s] or [sd, sh, sw]; nil means PoolSize.
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`

	win *pool3Window
}

// AveragePooling3D is the mean over windows of PoolSize, Keras's
// AveragePooling3D with channels last; with "same" padding the mean is
// over the window's positions inside the input, as in Keras.
type AveragePooling3D struct {
	// Name is the layer's name; empty means the model names it
	// average_pooling3d, average_pooling3d_1...
	Name string `json:"name,omitempty"`
	// PoolSize is [p] or [pd, ph, pw]; nil means 2.
	PoolSize []int `json:"pool_size,omitempty"`
	// Strides is [s] or [sd, sh, sw]; nil means PoolSize.
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (the default when empty) or "same".
	Padding string `json:"padding,omitempty"`

	win *pool3Window
}

var (
	_ Layer = (*MaxPooling3D)(nil)
	_ Layer = (*AveragePooling3D)(nil)
	_ Layer = (*GlobalAveragePooling3D)(nil)
	_ Layer = (*GlobalMaxPooling3D)(nil)
)

// Kind is "max_pooling3d".
func (p *MaxPooling3D) Kind() string { return "max_pooling3d" }

// LayerName is the layer's name.
func (p *MaxPooling3D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *MaxPooling3D) SetLayerName(name string) { p.Name = name }

// Build checks the configuration against input (d, h, w, c).
func (p *MaxPooling3D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildPool3D(&p.win, p.Kind(), p.Name, p.PoolSize, p.Strides, p.Padding, in)
}

// Forward adds the pooling to the graph.
func (p *MaxPooling3D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.MaxPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *MaxPooling3D) Weights() []*Weight { return nil }

// Kind is "average_pooling3d".
func (p *AveragePooling3D) Kind() string { return "average_pooling3d" }

// LayerName is the layer's name.
func (p *AveragePooling3D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *AveragePooling3D) SetLayerName(name string) { p.Name = name }

// Build checks the configuration against input (d, h, w, c).
func (p *AveragePooling3D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildPool3D(&p.win, p.Kind(), p.Name, p.PoolSize, p.Strides, p.Padding, in)
}

// Forward adds the pooling to the graph.
func (p *AveragePooling3D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.AvgPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *AveragePooling3D) Weights() []*Weight { return nil }

// pool3Window is a 3-D pooling as two 2-D ones: over (h, w) with the depth
// in the batch, then over the depth with (h, w) flattened into one axis.
// Both the maximum and the mean (whose window's inside count is the
// product of its counts along each axis) split that way.
type pool3Window struct {
	in, out        Shape
	pool, strides  [3]int
	pads           [3][2]int
	planes, across *poolWindow
}

func buildPool3D(win **pool3Window, kind, name string, poolSize, strides []int, padding string, in Shape) (Shape, error) {
	*win = nil
	what := kind + " " + strconv.Quote(name)
	if len(in) != 4 || !poolDimsPositive(in) {
		return nil, errors.Errorf("%s: expected input shape (None, depth, height, width, channels), got %v", what, in)
	}
	pool, err := triple(poolSize, 2, "pool size")
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	s := pool
	if len(strides) > 0 {
		if s, err = triple(strides, 0, "strides"); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	w := &pool3Window{in: in.Clone(), pool: pool, strides: s}
	out := Shape{0, 0, 0, in[3]}
	for i := 0; i < 3; i++ {
		switch padding {
		case "", PaddingValid:
			if pool[i] > in[i] {
				return nil, errors.Errorf("%s: pool size %v is larger than the input %v with padding \"valid\"", what, pool, in)
			}
		case PaddingSame:
			pd := ops.SamePoolPadding(in[i], 1, [2]int{pool[i], 1}, [2]int{s[i], 1})
			w.pads[i] = [2]int{pd[0], pd[1]}
		default:
			return nil, errors.Errorf("%s: padding must be \"valid\" or \"same\", got %q", what, padding)
		}
		out[i] = (in[i]+w.pads[i][0]+w.pads[i][1]-pool[i])/s[i] + 1
	}
	w.out = out
	w.planes = &poolWindow{pool: [2]int{pool[1], pool[2]}, strides: [2]int{s[1], s[2]}, pads: [4]int{w.pads[1][0], w.pads[1][1], w.pads[2][0], w.pads[2][1]}}
	w.across = &poolWindow{pool: [2]int{pool[0], 1}, strides: [2]int{s[0], 1}, pads: [4]int{w.pads[0][0], w.pads[0][1], 0, 0}}
	*win = w
	return out.Clone(), nil
}

func (w *pool3Window) forward(c *Call, x *gorgonia.Node, pool poolOp, kind, name string) (*gorgonia.Node, error) {
	if w == nil {
		return nil, errors.Errorf("%s %q: forward before build", kind, name)
	}
	if err := checkBuiltInput(kind, name, c, x, w.in); err != nil {
		return nil, err
	}
	n, ch := c.Batch, w.in[3]
	h, err := reshape(x, Shape{w.in[1], w.in[2], ch}.WithBatch(n*w.in[0]), kind, name)
	if err != nil {
		return nil, err
	}
	if h, err = pool(h, w.planes.pool, w.planes.strides, w.planes.pads); err != nil {
		return nil, errors.Wrapf(err, "%s %q: height and width", kind, name)
	}
	if h, err = reshape(h, Shape{w.in[0], w.out[1] * w.out[2], ch}.WithBatch(n), kind, name); err != nil {
		return nil, err
	}
	if h, err = pool(h, w.across.pool, w.across.strides, w.across.pads); err != nil {
		return nil, errors.Wrapf(err, "%s %q: depth", kind, name)
	}
	return reshape(h, w.out.WithBatch(n), kind, name)
}

// GlobalAveragePooling3D is the mean of each channel over the volume:
// [batch, d, h, w, c] -> [batch, c], Keras's GlobalAveragePooling3D
// (without keepdims).
type GlobalAveragePooling3D struct {
	// Name is the layer's name; empty means the model names it
	// global_average_pooling3d, global_average_pooling3d_1...
	Name string `json:"name,omitempty"`

	win *poolWindow
}

// GlobalMaxPooling3D is the maximum of each channel over the volume:
// [batch, d, h, w, c] -> [batch, c], Keras's GlobalMaxPooling3D (without
// keepdims).
type GlobalMaxPooling3D struct {
	// Name is the layer's name; empty means the model names it
	// global_max_pooling3d, global_max_pooling3d_1...
	Name string `json:"name,omitempty"`

	win *poolWindow
}

// buildGlobalPool3D resolves a global 3-D pooling: the volume is seen as
// one row of d·h·w positions.
func buildGlobalPool3D(win **poolWindow, kind, name string, in Shape) (Shape, error) {
	*win = nil
	if len(in) != 4 || !poolDimsPositive(in) {
		return nil, errors.Errorf("%s %q: expected input shape (None, depth, height, width, channels), got %v", kind, name, in)
	}
	positions := in[0] * in[1] * in[2]
	*win = &poolWindow{in: in.Clone(), out: Shape{in[3]}, image: Shape{1, positions, in[3]}, pool: [2]int{1, positions}, strides: [2]int{1, positions}}
	return Shape{in[3]}, nil
}

// Kind is "global_average_pooling3d".
func (p *GlobalAveragePooling3D) Kind() string { return "global_average_pooling3d" }

// LayerName is the layer's name.
func (p *GlobalAveragePooling3D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *GlobalAveragePooling3D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (depth, height, width, channels), and returns
// (channels).
func (p *GlobalAveragePooling3D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildGlobalPool3D(&p.win, p.Kind(), p.Name, in)
}

// Forward adds the channel means of x to the graph.
func (p *GlobalAveragePooling3D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.AvgPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *GlobalAveragePooling3D) Weights() []*Weight { return nil }

// Kind is "global_max_pooling3d".
func (p *GlobalMaxPooling3D) Kind() string { return "global_max_pooling3d" }

// LayerName is the layer's name.
func (p *GlobalMaxPooling3D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *GlobalMaxPooling3D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (depth, height, width, channels), and returns
// (channels).
func (p *GlobalMaxPooling3D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildGlobalPool3D(&p.win, p.Kind(), p.Name, in)
}

// Forward adds the channel maxima of x to the graph.
func (p *GlobalMaxPooling3D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.MaxPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *GlobalMaxPooling3D) Weights() []*Weight { return nil }
