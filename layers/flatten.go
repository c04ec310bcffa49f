package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/ops"
)

// Flatten turns each sample into a vector: [batch, d1, d2, ...] ->
// [batch, d1*d2*...].
type Flatten struct {
	// Name is the layer's name; empty means the model names it flatten, flatten_1...
	Name string `json:"name,omitempty"`
}

var _ Layer = (*Flatten)(nil)

// Kind is "flatten".
func (f *Flatten) Kind() string { return "flatten" }

// LayerName is the layer's name.
func (f *Flatten) LayerName() string { return f.Name }

// SetLayerName sets the layer's name.
func (f *Flatten) SetLayerName(name string) { f.Name = name }

// Build returns (in.Size()).
func (f *Flatten) Build(_ *Builder, in Shape) (Shape, error) {
	if len(in) == 0 {
		return nil, errors.Errorf("flatten %q: input has no dimensions besides the batch", f.Name)
	}
	return Shape{in.Size()}, nil
}

// Forward reshapes x to [batch, size].
func (f *Flatten) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return reshape(x, tensor.Shape{c.Batch, x.Shape().TotalSize() / c.Batch}, "flatten", f.Name)
}

// Weights is empty.
func (f *Flatten) Weights() []*Weight { return nil }

func reshape(x *gorgonia.Node, to tensor.Shape, kind, name string) (*gorgonia.Node, error) {
	if x.Shape().Eq(to) {
		return x, nil
	}
	// A copy, not gorgonia.Reshape: its result shares x's memory, which
	// the tape machine's in-place ops then overwrite (see ops.CopyReshape).
	out, err := ops.CopyReshape(x, to)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %q: reshape %v to %v", kind, name, x.Shape(), to)
	}
	return out, nil
}
