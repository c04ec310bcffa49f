package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// Activation applies an activation function on its own: any shape to the
// same shape.
type Activation struct {
	// Name is the layer's name; empty means the model names it activation, activation_1...
	Name string `json:"name,omitempty"`
	// Func is the activation; empty means linear.
	Func Activator `json:"activation,omitempty"`
}

var _ Layer = (*Activation)(nil)

// Kind is "activation".
func (a *Activation) Kind() string { return "activation" }

// LayerName is the layer's name.
func (a *Activation) LayerName() string { return a.Name }

// SetLayerName sets the layer's name.
func (a *Activation) SetLayerName(name string) { a.Name = name }

// Build checks the activation's name; the output shape is the input shape.
func (a *Activation) Build(_ *Builder, in Shape) (Shape, error) {
	if err := a.Func.Validate(); err != nil {
		return nil, errors.Wrapf(err, "activation %q", a.Name)
	}
	return in.Clone(), nil
}

// Forward applies the activation.
func (a *Activation) Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyActivation(c, a.Func, x, "activation", a.Name)
}

// Weights is empty: an activation has none.
func (a *Activation) Weights() []*Weight { return nil }
