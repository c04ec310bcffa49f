package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// Reshape gives each sample a new shape with the same number of values:
// [batch, in...] -> [batch, Target...]. One dimension of Target may be -1, to
// be inferred.
type Reshape struct {
	// Name is the layer's name; empty means the model names it reshape, reshape_1...
	Name string `json:"name,omitempty"`
	// Target is the per-sample output shape; it must not be empty.
	Target []int `json:"target_shape"`

	out Shape
}

var _ Layer = (*Reshape)(nil)

// Kind is "reshape".
func (r *Reshape) Kind() string { return "reshape" }

// LayerName is the layer's name.
func (r *Reshape) LayerName() string { return r.Name }

// SetLayerName sets the layer's name.
func (r *Reshape) SetLayerName(name string) { r.Name = name }

// Build resolves a -1 in Target and checks the sizes agree.
func (r *Reshape) Build(_ *Builder, in Shape) (Shape, error) {
	if len(r.Target) == 0 {
		return nil, errors.Errorf("reshape %q: target shape is empty", r.Name)
	}
	out := Shape(append([]int(nil), r.Target...))
	infer, known := -1, 1
	for i, d := range out {
		switch {
		case d == -1 && infer >= 0:
			return nil, errors.Errorf("reshape %q: target %v has more than one -1", r.Name, r.Target)
		case d == -1:
			infer = i
		case d <= 0:
			return nil, errors.Errorf("reshape %q: target %v has a dimension <= 0", r.Name, r.Target)
		default:
			known *= d
		}
	}
	size := in.Size()
	if infer >= 0 {
		if size%known != 0 {
			return nil, errors.Errorf("reshape %q: cannot reshape input %v (%d values) to %v", r.Name, in, size, r.Target)
		}
		out[infer] = size / known
	}
	if out.Size() != size {
		return nil, errors.Errorf("reshape %q: cannot reshape input %v (%d values) to %v (%d values)", r.Name, in, size, r.Target, out.Size())
	}
	r.out = out
	return out.Clone(), nil
}

// Forward reshapes x to [batch, Target...].
func (r *Reshape) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	if r.out == nil {
		return nil, errors.Errorf("reshape %q: forward before build", r.Name)
	}
	return reshape(x, r.out.WithBatch(c.Batch), "reshape", r.Name)
}

// Weights is empty.
func (r *Reshape) Weights() []*Weight { return nil }
