package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/internal/ops"
)

// The pooling layers work on channels-last inputs, as Keras does by default:
// images (height, width, channels) and sequences (steps, channels). They
// have no weights. Their ops are internal/ops's MaxPool2D and AvgPool2D,
// which reuse their buffers from run to run; a sequence is pooled as an
// image of height 1.

// MaxPooling2D is the maximum over windows of each channel:
// [batch, h, w, c] -> [batch, oh, ow, c], Keras's MaxPooling2D. With
// padding "valid" oh = floor((h - PoolSize[0]) / Strides[0]) + 1, with
// "same" oh = ceil(h / Strides[0]), and ow alike; "same" pads as Keras
// does, and a padding cell never wins. Ties go to the first cell of the
// window, row by row, which alone receives the gradient.
type MaxPooling2D struct {
	// Name is the layer's name; empty means the model names it
	// max_pooling2d, max_pooling2d_1...
	Name string `json:"name,omitempty"`
	// PoolSize is the window, (height, width); nil means (2, 2), and one
	// value k means (k, k).
	PoolSize []int `json:"pool_size,omitempty"`
	// Strides is how far the window moves, (down, across); nil means
	// PoolSize, and one value s means (s, s).
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" (windows inside the input only) or "same" (the
	// input padded so that the output is ceil(size / stride)); empty means
	// "valid".
	Padding string `json:"padding,omitempty"`

	win *poolWindow
}

// AveragePooling2D is the mean over windows of each channel, counting only
// the input cells of windows that overlap the padding:
// [batch, h, w, c] -> [batch, oh, ow, c], Keras's AveragePooling2D. The
// windows and output shape are as for MaxPooling2D.
type AveragePooling2D struct {
	// Name is the layer's name; empty means the model names it
	// average_pooling2d, average_pooling2d_1...
	Name string `json:"name,omitempty"`
	// PoolSize is the window, (height, width); nil means (2, 2), and one
	// value k means (k, k).
	PoolSize []int `json:"pool_size,omitempty"`
	// Strides is how far the window moves, (down, across); nil means
	// PoolSize, and one value s means (s, s).
	Strides []int `json:"strides,omitempty"`
	// Padding is "valid" or "same", as for MaxPooling2D; empty means
	// "valid".
	Padding string `json:"padding,omitempty"`

	win *poolWindow
}

// MaxPooling1D is the maximum over windows of steps of each channel:
// [batch, steps, c] -> [batch, out, c], Keras's MaxPooling1D. With padding
// "valid" out = floor((steps - PoolSize) / Strides) + 1, with "same"
// out = ceil(steps / Strides).
type MaxPooling1D struct {
	// Name is the layer's name; empty means the model names it
	// max_pooling1d, max_pooling1d_1...
	Name string `json:"name,omitempty"`
	// PoolSize is the window's length; 0 means 2.
	PoolSize int `json:"pool_size,omitempty"`
	// Strides is how far the window moves; 0 means PoolSize.
	Strides int `json:"strides,omitempty"`
	// Padding is "valid" or "same", as for MaxPooling2D; empty means
	// "valid".
	Padding string `json:"padding,omitempty"`

	win *poolWindow
}

// AveragePooling1D is the mean over windows of steps of each channel,
// counting only the input steps: [batch, steps, c] -> [batch, out, c],
// Keras's AveragePooling1D; out is as for MaxPooling1D.
type AveragePooling1D struct {
	// Name is the layer's name; empty means the model names it
	// average_pooling1d, average_pooling1d_1...
	Name string `json:"name,omitempty"`
	// PoolSize is the window's length; 0 means 2.
	PoolSize int `json:"pool_size,omitempty"`
	// Strides is how far the window moves; 0 means PoolSize.
	Strides int `json:"strides,omitempty"`
	// Padding is "valid" or "same", as for MaxPooling2D; empty means
	// "valid".
	Padding string `json:"padding,omitempty"`

	win *poolWindow
}

var (
	_ Layer = (*MaxPooling2D)(nil)
	_ Layer = (*AveragePooling2D)(nil)
	_ Layer = (*MaxPooling1D)(nil)
	_ Layer = (*AveragePooling1D)(nil)
)

// Kind is "max_pooling2d".
func (p *MaxPooling2D) Kind() string { return "max_pooling2d" }

// LayerName is the layer's name.
func (p *MaxPooling2D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *MaxPooling2D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (height, width, channels), and returns the
// pooled shape.
func (p *MaxPooling2D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildPool2D(&p.win, p.Kind(), p.Name, p.PoolSize, p.Strides, p.Padding, in)
}

// Forward adds the max pooling of x, [batch, h, w, c], to the graph.
func (p *MaxPooling2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.MaxPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *MaxPooling2D) Weights() []*Weight { return nil }

// Kind is "average_pooling2d".
func (p *AveragePooling2D) Kind() string { return "average_pooling2d" }

// LayerName is the layer's name.
func (p *AveragePooling2D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *AveragePooling2D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (height, width, channels), and returns the
// pooled shape.
func (p *AveragePooling2D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildPool2D(&p.win, p.Kind(), p.Name, p.PoolSize, p.Strides, p.Padding, in)
}

// Forward adds the average pooling of x, [batch, h, w, c], to the graph.
func (p *AveragePooling2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.AvgPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *AveragePooling2D) Weights() []*Weight { return nil }

// Kind is "max_pooling1d".
func (p *MaxPooling1D) Kind() string { return "max_pooling1d" }

// LayerName is the layer's name.
func (p *MaxPooling1D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *MaxPooling1D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (steps, channels), and returns the pooled shape.
func (p *MaxPooling1D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildPool1D(&p.win, p.Kind(), p.Name, p.PoolSize, p.Strides, p.Padding, in)
}

// Forward adds the max pooling of x, [batch, steps, c], to the graph.
func (p *MaxPooling1D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.MaxPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *MaxPooling1D) Weights() []*Weight { return nil }

// Kind is "average_pooling1d".
func (p *AveragePooling1D) Kind() string { return "average_pooling1d" }

// LayerName is the layer's name.
func (p *AveragePooling1D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *AveragePooling1D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (steps, channels), and returns the pooled shape.
func (p *AveragePooling1D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildPool1D(&p.win, p.Kind(), p.Name, p.PoolSize, p.Strides, p.Padding, in)
}

// Forward adds the average pooling of x, [batch, steps, c], to the graph.
func (p *AveragePooling1D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.AvgPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *AveragePooling1D) Weights() []*Weight { return nil }

// poolWindow is what Build resolves for a pooling layer: the per-sample
// input and output shapes and the window over the input seen as an image,
// (1, steps, channels) for a sequence.
type poolWindow struct {
	in, out Shape
	image   Shape // (h, w, c) given to the op
	pool    [2]int
	strides [2]int
	pads    [4]int
}

type poolOp func(x *gorgonia.Node, pool, strides [2]int, pads [4]int) (*gorgonia.Node, error)

// forward checks x against the built input, pools it as an image and
// gives the result the layer's output shape.
func (w *poolWindow) forward(c *Call, x *gorgonia.Node, pool poolOp, kind, name string) (*gorgonia.Node, error) {
	if w == nil {
		return nil, errors.Errorf("%s %q: forward before build", kind, name)
	}
	if x == nil {
		return nil, errors.Errorf("%s %q: input node is nil", kind, name)
	}
	if want := w.in.WithBatch(c.Batch); !x.Shape().Eq(want) {
		return nil, errors.Errorf("%s %q: built for input %v, got a node of shape %v", kind, name, want, x.Shape())
	}
	img, err := reshape(x, w.image.WithBatch(c.Batch), kind, name)
	if err != nil {
		return nil, err
	}
	y, err := pool(img, w.pool, w.strides, w.pads)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	return reshape(y, w.out.WithBatch(c.Batch), kind, name)
}

// buildPool2D resolves a 2-D pooling layer's configuration for input in
// and stores it in *win.
func buildPool2D(win **poolWindow, kind, name string, poolSize, strides []int, padding string, in Shape) (Shape, error) {
	*win = nil
	if len(in) != 3 || !poolDimsPositive(in) {
		return nil, errors.Errorf("%s %q: expected input shape (None, height, width, channels), got %v", kind, name, in)
	}
	pool, err := poolPair(kind, name, "pool size", poolSize, [2]int{2, 2})
	if err != nil {
		return nil, err
	}
	s, err := poolPair(kind, name, "strides", strides, pool)
	if err != nil {
		return nil, err
	}
	return resolvePool(win, kind, name, in, in.Clone(), pool, s, padding)
}

// buildPool1D resolves a 1-D pooling layer's configuration for input in
// and stores it in *win.
func buildPool1D(win **poolWindow, kind, name string, poolSize, strides int, padding string, in Shape) (Shape, error) {
	*win = nil
	if len(in) != 2 || !poolDimsPositive(in) {
		return nil, errors.Errorf("%s %q: expected input shape (None, steps, channels), got %v", kind, name, in)
	}
	if poolSize < 0 {
		return nil, errors.Errorf("%s %q: pool size must be > 0, got %d", kind, name, poolSize)
	}
	if poolSize == 0 {
		poolSize = 2
	}
	if strides < 0 {
		return nil, errors.Errorf("%s %q: strides must be > 0, got %d", kind, name, strides)
	}
	if strides == 0 {
		strides = poolSize
	}
	return resolvePool(win, kind, name, in, Shape{1, in[0], in[1]}, [2]int{1, poolSize}, [2]int{1, strides}, padding)
}

// resolvePool computes the padding and the output shape of a pooling of
// image (h, w, c), the layer's input in seen as an image.
func resolvePool(win **poolWindow, kind, name string, in, image Shape, pool, strides [2]int, padding string) (Shape, error) {
	h, w := image[0], image[1]
	var pads [4]int
	switch padding {
	case "", "valid":
		if pool[0] > h || pool[1] > w {
			return nil, errors.Errorf("%s %q: pool size %v is larger than the input %v with padding \"valid\"", kind, name, poolSizeOf(in, pool), in)
		}
	case "same":
		pads = ops.SamePoolPadding(h, w, pool, strides)
	default:
		return nil, errors.Errorf("%s %q: padding must be \"valid\" or \"same\", got %q", kind, name, padding)
	}
	oh := (h+pads[0]+pads[1]-pool[0])/strides[0] + 1
	ow := (w+pads[2]+pads[3]-pool[1])/strides[1] + 1
	out := Shape{oh, ow, image[2]}
	if len(in) == 2 {
		out = Shape{ow, image[2]}
	}
	*win = &poolWindow{in: in.Clone(), out: out, image: image, pool: pool, strides: strides, pads: pads}
	return out.Clone(), nil
}

// poolSizeOf is the pool size as the layer's configuration states it.
func poolSizeOf(in Shape, pool [2]int) any {
	if len(in) == 2 {
		return pool[1]
	}
	return pool
}

// poolDimsPositive reports whether every dimension of in is > 0.
func poolDimsPositive(in Shape) bool {
	for _, d := range in {
		if d <= 0 {
			return false
		}
	}
	return true
}

// poolPair reads a (height, width) setting: nil means def, one value k
// means (k, k).
func poolPair(kind, name, what string, v []int, def [2]int) ([2]int, error) {
	var p [2]int
	switch len(v) {
	case 0:
		p = def
	case 1:
		p = [2]int{v[0], v[0]}
	case 2:
		p = [2]int{v[0], v[1]}
	default:
		return p, errors.Errorf("%s %q: %s must have 1 or 2 values, got %v", kind, name, what, v)
	}
	if p[0] <= 0 || p[1] <= 0 {
		return p, errors.Errorf("%s %q: %s must be > 0, got %v", kind, name, what, v)
	}
	return p, nil
}

// global pooling: the window is the whole input.

// buildGlobalPool resolves a global pooling layer: rank is 3 for images, 2 for
// sequences; the output is (channels).
func buildGlobalPool(win **poolWindow, kind, name string, in Shape, rank int) (Shape, error) {
	*win = nil
	if len(in) != rank || !poolDimsPositive(in) {
		want := "(None, height, width, channels)"
		if rank == 2 {
			want = "(None, steps, channels)"
		}
		return nil, errors.Errorf("%s %q: expected input shape %s, got %v", kind, name, want, in)
	}
	image := in.Clone()
	if rank == 2 {
		image = Shape{1, in[0], in[1]}
	}
	pool := [2]int{image[0], image[1]}
	*win = &poolWindow{in: in.Clone(), out: Shape{image[2]}, image: image, pool: pool, strides: pool}
	return Shape{image[2]}, nil
}

// GlobalAveragePooling2D is the mean of each channel over the image:
// [batch, h, w, c] -> [batch, c], Keras's GlobalAveragePooling2D (without
// keepdims).
type GlobalAveragePooling2D struct {
	// Name is the layer's name; empty means the model names it
	// global_average_pooling2d, global_average_pooling2d_1...
	Name string `json:"name,omitempty"`

	win *poolWindow
}

// GlobalMaxPooling2D is the maximum of each channel over the image:
// [batch, h, w, c] -> [batch, c], Keras's GlobalMaxPooling2D (without
// keepdims).
type GlobalMaxPooling2D struct {
	// Name is the layer's name; empty means the model names it
	// global_max_pooling2d, global_max_pooling2d_1...
	Name string `json:"name,omitempty"`

	win *poolWindow
}

// GlobalAveragePooling1D is the mean of each channel over the steps:
// [batch, steps, c] -> [batch, c], Keras's GlobalAveragePooling1D (without
// keepdims). With a mask on its input (from Embedding with MaskZero, say)
// it is the mean over the unmasked steps, as Keras's.
type GlobalAveragePooling1D struct {
	// Name is the layer's name; empty means the model names it
	// global_average_pooling1d, global_average_pooling1d_1...
	Name string `json:"name,omitempty"`

	win *poolWindow
}

// GlobalMaxPooling1D is the maximum of each channel over the steps:
// [batch, steps, c] -> [batch, c], Keras's GlobalMaxPooling1D (without
// keepdims). With a mask on its input it is the maximum over the unmasked
// steps.
type GlobalMaxPooling1D struct {
	// Name is the layer's name; empty means the model names it
	// global_max_pooling1d, global_max_pooling1d_1...
	Name string `json:"name,omitempty"`

	win *poolWindow
}

var (
	_ Layer = (*GlobalAveragePooling2D)(nil)
	_ Layer = (*GlobalMaxPooling2D)(nil)
	_ Layer = (*GlobalAveragePooling1D)(nil)
	_ Layer = (*GlobalMaxPooling1D)(nil)
)

// Kind is "global_average_pooling2d".
func (p *GlobalAveragePooling2D) Kind() string { return "global_average_pooling2d" }

// LayerName is the layer's name.
func (p *GlobalAveragePooling2D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *GlobalAveragePooling2D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (height, width, channels), and returns
// (channels).
func (p *GlobalAveragePooling2D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildGlobalPool(&p.win, p.Kind(), p.Name, in, 3)
}

// Forward adds the channel means of x, [batch, h, w, c], to the graph.
func (p *GlobalAveragePooling2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.AvgPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *GlobalAveragePooling2D) Weights() []*Weight { return nil }

// Kind is "global_max_pooling2d".
func (p *GlobalMaxPooling2D) Kind() string { return "global_max_pooling2d" }

// LayerName is the layer's name.
func (p *GlobalMaxPooling2D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *GlobalMaxPooling2D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (height, width, channels), and returns
// (channels).
func (p *GlobalMaxPooling2D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildGlobalPool(&p.win, p.Kind(), p.Name, in, 3)
}

// Forward adds the channel maxima of x, [batch, h, w, c], to the graph.
func (p *GlobalMaxPooling2D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return p.win.forward(c, x, ops.MaxPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *GlobalMaxPooling2D) Weights() []*Weight { return nil }

// Kind is "global_average_pooling1d".
func (p *GlobalAveragePooling1D) Kind() string { return "global_average_pooling1d" }

// LayerName is the layer's name.
func (p *GlobalAveragePooling1D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *GlobalAveragePooling1D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (steps, channels), and returns (channels).
func (p *GlobalAveragePooling1D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildGlobalPool(&p.win, p.Kind(), p.Name, in, 2)
}

// Forward adds the channel means of x, [batch, steps, c], to the graph,
// over the unmasked steps when x has a mask (Call.SetMask).
func (p *GlobalAveragePooling1D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if m, ok := c.MaskOf(x); ok {
		return maskedPool1D(x, m, false, p.Kind(), p.Name)
	}
	return p.win.forward(c, x, ops.AvgPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *GlobalAveragePooling1D) Weights() []*Weight { return nil }

// Kind is "global_max_pooling1d".
func (p *GlobalMaxPooling1D) Kind() string { return "global_max_pooling1d" }

// LayerName is the layer's name.
func (p *GlobalMaxPooling1D) LayerName() string { return p.Name }

// SetLayerName sets the layer's name.
func (p *GlobalMaxPooling1D) SetLayerName(name string) { p.Name = name }

// Build checks the input, (steps, channels), and returns (channels).
func (p *GlobalMaxPooling1D) Build(_ *Builder, in Shape) (Shape, error) {
	return buildGlobalPool(&p.win, p.Kind(), p.Name, in, 2)
}

// Forward adds the channel maxima of x, [batch, steps, c], to the graph,
// over the unmasked steps when x has a mask (Call.SetMask).
func (p *GlobalMaxPooling1D) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if m, ok := c.MaskOf(x); ok {
		return maskedPool1D(x, m, true, p.Kind(), p.Name)
	}
	return p.win.forward(c, x, ops.MaxPool2D, p.Kind(), p.Name)
}

// Weights is empty.
func (p *GlobalMaxPooling1D) Weights() []*Weight { return nil }
