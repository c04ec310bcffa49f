package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// The merge layers of Keras's functional API: Add, Subtract, Multiply,
// Average, Maximum and Minimum combine inputs of one shape elementwise;
// Concatenate joins inputs along their last axis. None has weights. Where
// inputs carry time-step masks (Call.SetMask), the output is masked where
// any input is, as in Keras.

// Add sums its inputs elementwise, as Keras's Add: two or more inputs of one
// shape -> that shape.
type Add struct {
	// Name is the layer's name; empty means the model names it add, add_1...
	Name string `json:"name,omitempty"`

	in []Shape
}

// Subtract computes x0 - x1, as Keras's Subtract: exactly two inputs of one
// shape -> that shape.
type Subtract struct {
	// Name is the layer's name; empty means the model names it subtract,
	// subtract_1...
	Name string `json:"name,omitempty"`

	in []Shape
}

// Multiply multiplies its inputs elementwise, as Keras's Multiply: two or
// more inputs of one shape -> that shape.
type Multiply struct {
	// Name is the layer's name; empty means the model names it multiply,
	// multiply_1...
	Name string `json:"name,omitempty"`

	in []Shape
}

// Average is the elementwise mean of its inputs, as Keras's Average: two or
// more inputs of one shape -> that shape.
type Average struct {
	// Name is the layer's name; empty means the model names it average,
	// average_1...
	Name string `json:"name,omitempty"`

	in []Shape
}

// Maximum is the elementwise maximum of its inputs, as Keras's Maximum: two
// or more inputs of one shape -> that shape. Where inputs tie, the gradient
// goes to the first of them (see ops.Maximum).
type Maximum struct {
	// Name is the layer's name; empty means the model names it maximum,
	// maximum_1...
	Name string `json:"name,omitempty"`

	in []Shape
}

// Minimum is the elementwise minimum of its inputs, as Keras's Minimum: two
// or more inputs of one shape -> that shape. Where inputs tie, the gradient
// goes to the first of them (see ops.Minimum).
type Minimum struct {
	// Name is the layer's name; empty means the model names it minimum,
	// minimum_1...
	Name string `json:"name,omitempty"`

	in []Shape
}

var (
	_ Merger = (*Add)(nil)
	_ Merger = (*Subtract)(nil)
	_ Merger = (*Multiply)(nil)
	_ Merger = (*Average)(nil)
	_ Merger = (*Maximum)(nil)
	_ Merger = (*Minimum)(nil)
	_ Merger = (*Concatenate)(nil)
)

// Kind is "add".
func (l *Add) Kind() string { return "add" }

// LayerName is the layer's name.
func (l *Add) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Add) SetLayerName(name string) { l.Name = name }

// BuildMerge checks that there are two or more inputs of one shape, and
// returns that shape.
func (l *Add) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	return buildElementwise(l.Kind(), l.Name, in, false, &l.in)
}

// ForwardMerge adds x0 + x1 + ... to the graph.
func (l *Add) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	return forwardElementwise(l.Kind(), l.Name, c, xs, l.in, func(xs []*gorgonia.Node) (*gorgonia.Node, error) {
		return fold(xs, gorgonia.Add)
	})
}

// Weights is empty.
func (l *Add) Weights() []*Weight { return nil }

// Kind is "subtract".
func (l *Subtract) Kind() string { return "subtract" }

// LayerName is the layer's name.
func (l *Subtract) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Subtract) SetLayerName(name string) { l.Name = name }

// BuildMerge checks that there are exactly two inputs of one shape, and
// returns that shape.
func (l *Subtract) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	return buildElementwise(l.Kind(), l.Name, in, true, &l.in)
}

// ForwardMerge adds x0 - x1 to the graph.
func (l *Subtract) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	return forwardElementwise(l.Kind(), l.Name, c, xs, l.in, func(xs []*gorgonia.Node) (*gorgonia.Node, error) {
		return gorgonia.Sub(xs[0], xs[1])
	})
}

// Weights is empty.
func (l *Subtract) Weights() []*Weight { return nil }

// Kind is "multiply".
func (l *Multiply) Kind() string { return "multiply" }

// LayerName is the layer's name.
func (l *Multiply) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Multiply) SetLayerName(name string) { l.Name = name }

// BuildMerge checks that there are two or more inputs of one shape, and
// returns that shape.
func (l *Multiply) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	return buildElementwise(l.Kind(), l.Name, in, false, &l.in)
}

// ForwardMerge adds x0 ⊙ x1 ⊙ ... to the graph.
func (l *Multiply) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	return forwardElementwise(l.Kind(), l.Name, c, xs, l.in, func(xs []*gorgonia.Node) (*gorgonia.Node, error) {
		return fold(xs, gorgonia.HadamardProd)
	})
}

// Weights is empty.
func (l *Multiply) Weights() []*Weight { return nil }

// Kind is "average".
func (l *Average) Kind() string { return "average" }

// LayerName is the layer's name.
func (l *Average) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Average) SetLayerName(name string) { l.Name = name }

// BuildMerge checks that there are two or more inputs of one shape, and
// returns that shape.
func (l *Average) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	return buildElementwise(l.Kind(), l.Name, in, false, &l.in)
}

// ForwardMerge adds (x0 + x1 + ...) / n to the graph.
func (l *Average) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	return forwardElementwise(l.Kind(), l.Name, c, xs, l.in, func(xs []*gorgonia.Node) (*gorgonia.Node, error) {
		sum, err := fold(xs, gorgonia.Add)
		if err != nil {
			return nil, err
		}
		return gorgonia.HadamardProd(sum, scalar(c, 1/float64(len(xs))))
	})
}

// Weights is empty.
func (l *Average) Weights() []*Weight { return nil }

// Kind is "maximum".
func (l *Maximum) Kind() string { return "maximum" }

// LayerName is the layer's name.
func (l *Maximum) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Maximum) SetLayerName(name string) { l.Name = name }

// BuildMerge checks that there are two or more inputs of one shape, and
// returns that shape.
func (l *Maximum) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	return buildElementwise(l.Kind(), l.Name, in, false, &l.in)
}

// ForwardMerge adds max(x0, x1, ...) to the graph, elementwise.
func (l *Maximum) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	return forwardElementwise(l.Kind(), l.Name, c, xs, l.in, func(xs []*gorgonia.Node) (*gorgonia.Node, error) {
		return ops.Maximum(xs...)
	})
}

// Weights is empty.
func (l *Maximum) Weights() []*Weight { return nil }

// Kind is "minimum".
func (l *Minimum) Kind() string { return "minimum" }

// LayerName is the layer's name.
func (l *Minimum) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Minimum) SetLayerName(name string) { l.Name = name }

// BuildMerge checks that there are two or more inputs of one shape, and
// returns that shape.
func (l *Minimum) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	return buildElementwise(l.Kind(), l.Name, in, false, &l.in)
}

// ForwardMerge adds min(x0, x1, ...) to the graph, elementwise.
func (l *Minimum) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	return forwardElementwise(l.Kind(), l.Name, c, xs, l.in, func(xs []*gorgonia.Node) (*gorgonia.Node, error) {
		return ops.Minimum(xs...)
	})
}

// Weights is empty.
func (l *Minimum) Weights() []*Weight { return nil }

// Concatenate joins its inputs along their last axis, as Keras's
// Concatenate: two or more inputs that agree on every other axis ->
// (None, ..., sum of their last axes).
type Concatenate struct {
	// Name is the layer's name; empty means the model names it
	// concatenate, concatenate_1...
	Name string `json:"name,omitempty"`
	// Axis is the axis to join along, counting the batch as axis 0, as in
	// Keras. Only the last axis is supported: -1, or its index (1 for
	// inputs of shape (None, features)). Zero, which would be the batch
	// axis, means -1, Keras's default.
	Axis int `json:"axis"`

	in []Shape
}

// Kind is "concatenate".
func (l *Concatenate) Kind() string { return "concatenate" }

// LayerName is the layer's name.
func (l *Concatenate) LayerName() string { return l.Name }

// SetLayerName sets the layer's name.
func (l *Concatenate) SetLayerName(name string) { l.Name = name }

// BuildMerge checks Axis and that there are two or more inputs which agree
// on every axis but the last, and returns their shape with the last axes
// summed.
func (l *Concatenate) BuildMerge(_ *Builder, in []Shape) (Shape, error) {
	kind, name := l.Kind(), l.Name
	if err := checkMergeInputs(kind, name, in, false); err != nil {
		return nil, err
	}
	r := len(in[0])
	if r == 0 {
		return nil, errors.Errorf("%s %q: inputs of shape %v have no axis to join but the batch", kind, name, in[0])
	}
	if l.Axis != 0 && l.Axis != -1 && l.Axis != r {
		return nil, errors.Errorf("%s %q: axis %d is not supported: only the last axis is (-1, or %d for inputs of shape %v)", kind, name, l.Axis, r, in[0])
	}
	out := in[0].Clone()
	out[r-1] = 0
	for i, s := range in {
		if len(s) != r || !s[:r-1].Equal(in[0][:r-1]) {
			return nil, errors.Errorf("%s %q: input %d has shape %v, input 0 has %v: they may differ only on the last axis", kind, name, i, s, in[0])
		}
		out[r-1] += s[r-1]
	}
	l.in = cloneShapes(in)
	return out, nil
}

// ForwardMerge adds the concatenation to the graph.
func (l *Concatenate) ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	kind, name := l.Kind(), l.Name
	if err := checkMergeNodes(kind, name, c, xs, l.in); err != nil {
		return nil, err
	}
	// Not gorgonia.Concat, whose gradient is wrong: see ops.StackSteps.
	out, err := ops.ConcatLast(xs...)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	if err := mergeMasks(c, xs, out, len(l.in[0]) == 1); err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	return out, nil
}

// Weights is empty.
func (l *Concatenate) Weights() []*Weight { return nil }

// checkMergeInputs checks the number of inputs (exactly two with two, else
// at least two) and that no dimension is <= 0.
func checkMergeInputs(kind, name string, in []Shape, two bool) error {
	switch {
	case two && len(in) != 2:
		return errors.Errorf("%s %q: needs exactly 2 inputs, got %d", kind, name, len(in))
	case len(in) < 2:
		return errors.Errorf("%s %q: needs at least 2 inputs, got %d", kind, name, len(in))
	}
	for i, s := range in {
		for _, d := range s {
			if d <= 0 {
				return errors.Errorf("%s %q: input %d has shape %v, with a dimension <= 0", kind, name, i, s)
			}
		}
	}
	return nil
}

// buildElementwise checks the inputs of an elementwise merge, records them
// in built and returns the output shape.
func buildElementwise(kind, name string, in []Shape, two bool, built *[]Shape) (Shape, error) {
	if err := checkMergeInputs(kind, name, in, two); err != nil {
		return nil, err
	}
	for i, s := range in {
		if !s.Equal(in[0]) {
			return nil, errors.Errorf("%s %q: input %d has shape %v, input 0 has %v", kind, name, i, s, in[0])
		}
	}
	*built = cloneShapes(in)
	return in[0].Clone(), nil
}

// forwardElementwise checks xs against the shapes built, combines them,
// restores the exact shape (Gorgonia may drop unit axes) and merges their
// masks.
func forwardElementwise(kind, name string, c *Call, xs []*gorgonia.Node, built []Shape, combine func([]*gorgonia.Node) (*gorgonia.Node, error)) (*gorgonia.Node, error) {
	if err := checkMergeNodes(kind, name, c, xs, built); err != nil {
		return nil, err
	}
	out, err := combine(xs)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	if out, err = exactShape(out, built[0].WithBatch(c.Batch), kind, name); err != nil {
		return nil, err
	}
	if err := mergeMasks(c, xs, out, false); err != nil {
		return nil, errors.Wrapf(err, "%s %q", kind, name)
	}
	return out, nil
}

// checkMergeNodes checks that xs are the nodes BuildMerge was built for:
// [batch, in_i...] of the graph's dtype.
func checkMergeNodes(kind, name string, c *Call, xs []*gorgonia.Node, built []Shape) error {
	if built == nil {
		return errors.Errorf("%s %q: forward before build", kind, name)
	}
	if len(xs) != len(built) {
		return errors.Errorf("%s %q: built for %d inputs, got %d", kind, name, len(built), len(xs))
	}
	for i, x := range xs {
		if x == nil {
			return errors.Errorf("%s %q: input %d is nil", kind, name, i)
		}
		if want := built[i].WithBatch(c.Batch); !sameDims(x, want) {
			return errors.Errorf("%s %q: input %d was built for %v, got a node of shape %v", kind, name, i, want, x.Shape())
		}
		if x.Dtype() != c.DType {
			return errors.Errorf("%s %q: input %d is %v in a %v graph", kind, name, i, x.Dtype(), c.DType)
		}
	}
	return nil
}

// mergeMasks gives out the product (logical and) of the masks of xs, if
// any has one; with steps, out's second axis is the inputs' second axes
// joined (Concatenate of [batch, steps] inputs), and an input without a
// mask counts as all valid.
func mergeMasks(c *Call, xs []*gorgonia.Node, out *gorgonia.Node, steps bool) error {
	masks := make([]*gorgonia.Node, len(xs))
	masked := false
	for i, x := range xs {
		masks[i], _ = c.MaskOf(x)
		masked = masked || masks[i] != nil
	}
	if !masked {
		return nil
	}
	if steps {
		for i, x := range xs {
			if masks[i] == nil {
				ones := tensor.New(tensor.Of(c.DType), tensor.WithShape(x.Shape().Clone()...))
				if err := ones.Memset(oneOf(c.DType)); err != nil {
					return errors.Wrap(err, "mask")
				}
				masks[i] = gorgonia.NewConstant(ones, gorgonia.WithName(x.Name()+"/ones_mask"))
			}
		}
		mask, err := ops.ConcatLast(masks...)
		if err != nil {
			return errors.Wrap(err, "mask")
		}
		return c.SetMask(out, mask)
	}
	var mask *gorgonia.Node
	for _, m := range masks {
		if m == nil {
			continue
		}
		if mask == nil {
			mask = m
			continue
		}
		var err error
		if mask, err = gorgonia.HadamardProd(mask, m); err != nil {
			return errors.Wrap(err, "mask")
		}
	}
	return c.SetMask(out, mask)
}

// fold applies f left to right: f(f(xs[0], xs[1]), xs[2])...
func fold(xs []*gorgonia.Node, f func(a, b *gorgonia.Node) (*gorgonia.Node, error)) (*gorgonia.Node, error) {
	out := xs[0]
	for _, x := range xs[1:] {
		var err error
		if out, err = f(out, x); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// exactShape returns x, or a copy of it reshaped to want when its shape
// differs in any way (tensor.Shape.Eq takes (3, 1) and (3) as equal).
func exactShape(x *gorgonia.Node, want tensor.Shape, kind, name string) (*gorgonia.Node, error) {
	if sameDims(x, want) {
		return x, nil
	}
	out, err := ops.CopyReshape(x, want)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q: reshape %v to %v", kind, name, x.Shape(), want)
	}
	return out, nil
}

// sameDims reports whether x has exactly the shape want.
func sameDims(x *gorgonia.Node, want tensor.Shape) bool {
	s := x.Shape()
	if x.Dims() != len(want) || len(s) != len(want) {
		return false
	}
	for i := range s {
		if s[i] != want[i] {
			return false
		}
	}
	return true
}

func cloneShapes(in []Shape) []Shape {
	out := make([]Shape, len(in))
	for i, s := range in {
		out[i] = s.Clone()
	}
	return out
}

func oneOf(dt tensor.Dtype) any {
	if dt == tensor.Float32 {
		return float32(1)
	}
	return float64(1)
}
