package layers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// Rescaling computes x*Scale + Offset, elementwise, as Keras's Rescaling
// layer: any shape to the same shape. It has no weights. Used last, it lets
// a regression network learn standardized values while its loss, metrics and
// predictions are in the target's own units (Scale the targets' standard
// deviation, Offset their mean).
type Rescaling struct {
	// Name is the layer's name; empty means the model names it rescaling, rescaling_1...
	Name string `json:"name,omitempty"`
	// Scale multiplies the input; zero means 1.
	Scale float64 `json:"scale"`
	// Offset is added after scaling; zero adds nothing.
	Offset float64 `json:"offset"`
}

var _ Layer = (*Rescaling)(nil)

// Kind is "rescaling".
func (r *Rescaling) Kind() string { return "rescaling" }

// LayerName is the layer's name.
func (r *Rescaling) LayerName() string { return r.Name }

// SetLayerName sets the layer's name.
func (r *Rescaling) SetLayerName(name string) { r.Name = name }

// Build checks Scale and Offset are finite; the output shape is the input
// shape.
func (r *Rescaling) Build(_ *Builder, in Shape) (Shape, error) {
	for _, v := range []float64{r.Scale, r.Offset} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.Errorf("rescaling %q: scale and offset must be finite, got %v and %v", r.Name, r.Scale, r.Offset)
		}
	}
	return in.Clone(), nil
}

// Forward adds x*Scale + Offset to the graph.
func (r *Rescaling) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	scale := r.Scale
	if scale == 0 {
		scale = 1
	}
	out := x
	var err error
	if scale != 1 {
		if out, err = gorgonia.Mul(out, scalar(c, scale)); err != nil {
			return nil, errors.Wrapf(err, "rescaling %q: scale", r.Name)
		}
	}
	if r.Offset != 0 {
		if out, err = gorgonia.Add(out, scalar(c, r.Offset)); err != nil {
			return nil, errors.Wrapf(err, "rescaling %q: offset", r.Name)
		}
	}
	// Gorgonia drops the unit axis of a [batch, 1] operand of a scalar
	// product; put it back.
	return reshape(out, x.Shape().Clone(), "rescaling", r.Name)
}

// Weights is empty.
func (r *Rescaling) Weights() []*Weight { return nil }

// scalar is a constant of the graph's dtype.
func scalar(c *Call, v float64) *gorgonia.Node {
	if c.DType == gorgonia.Float32 {
		return gorgonia.NewConstant(float32(v))
	}
	return gorgonia.NewConstant(v)
}
