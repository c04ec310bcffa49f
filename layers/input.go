package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// Input declares the per-sample shape a model takes, as keras.Input does. As
// the first layer of a Sequential model it lets the model build, and check
// every shape, at Compile, before any data flows.
type Input struct {
	// Name is the layer's name; empty means the model names it input.
	Name string `json:"name,omitempty"`
	// Shape is the per-sample input shape, without the batch: {64} or {28, 28, 1}.
	Shape Shape `json:"shape"`
}

var _ Layer = (*Input)(nil)

// Kind is "input".
func (i *Input) Kind() string { return "input" }

// LayerName is the layer's name.
func (i *Input) LayerName() string { return i.Name }

// SetLayerName sets the layer's name.
func (i *Input) SetLayerName(name string) { i.Name = name }

// Build checks that the data's shape is the declared one. A first
// dimension of 0 is a sequence of any length (Keras's None): Shape{0, 16}
// takes [steps, 16] for any steps > 0.
func (i *Input) Build(_ *Builder, in Shape) (Shape, error) {
	if len(i.Shape) == 0 {
		return nil, errors.Errorf("input %q: shape is empty", i.Name)
	}
	for a, d := range i.Shape {
		if d < 0 || (d == 0 && a > 0) {
			return nil, errors.Errorf("input %q: shape %v has a dimension <= 0 (only the first, the length, may be 0: any length)", i.Name, i.Shape)
		}
	}
	if i.Shape[0] == 0 && len(in) == len(i.Shape) && in[0] > 0 && in[1:].Equal(i.Shape[1:]) {
		return in.Clone(), nil
	}
	if !in.Equal(i.Shape) {
		return nil, errors.Errorf("input %q: expected shape %v, got %v", i.Name, i.Shape, in)
	}
	return in.Clone(), nil
}

// Forward passes x through.
func (i *Input) Forward(_ *Call, x *gorgonia.Node) (*gorgonia.Node, error) { return x, nil }

// Weights is empty.
func (i *Input) Weights() []*Weight { return nil }
