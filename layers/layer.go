// Package layers holds the building blocks of Profundo models: the Layer
// contract, the layers themselves, their activations and the weight
// initializers.
//
// A layer has three duties, as in Keras: Build creates its weights for a
// per-sample input shape, Forward adds its computation to a Gorgonia graph, and
// its exported fields are its configuration (what gets saved). Weights live
// outside graphs: every graph that uses a layer binds a node to the same
// tensor, so a solver step seen by one graph is seen by all.
package layers

import (
	"fmt"
	"strings"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Shape is the shape of one sample, without the batch dimension: a Dense
// layer over 64 features has input Shape{64}, an 8x8 grey image Shape{8, 8, 1}.
type Shape []int

// Size is the number of values in one sample of this shape.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether s and o have the same dimensions.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// String formats s the way Summary prints it, with the batch as None:
// (None, 64).
func (s Shape) String() string {
	parts := make([]string, 0, len(s)+1)
	parts = append(parts, "None")
	for _, d := range s {
		parts = append(parts, fmt.Sprint(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// WithBatch returns the full tensor shape for a batch of n samples.
func (s Shape) WithBatch(n int) tensor.Shape {
	out := make(tensor.Shape, 0, len(s)+1)
	out = append(out, n)
	return append(out, s...)
}

// Clone returns a copy of s.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

// Layer is one step of a model.
//
// Build is called once, before any data flows, with the per-sample input
// shape; it creates the weights through b and returns the per-sample output
// shape, or an error naming what does not fit. Forward is called once per
// graph (one per mode and batch size) and must not change the layer.
type Layer interface {
	// Kind names the layer type as saved in a model file: "dense".
	Kind() string
	// LayerName is the layer's name within its model; empty until the model
	// names it.
	LayerName() string
	// SetLayerName sets the layer's name; the model calls it when the user
	// left the name empty.
	SetLayerName(name string)
	// Build creates the weights for input shape in and returns the output shape.
	Build(b *Builder, in Shape) (Shape, error)
	// Forward adds the layer's computation on x, [batch, in...], to c's graph
	// and returns the node of shape [batch, out...].
	Forward(c *Call, x *gorgonia.Node) (*gorgonia.Node, error)
	// Weights lists the weights Build created, in a stable order.
	Weights() []*Weight
}

// Weight is a tensor a layer owns. Name is "<layer>/<weight>", stable across
// runs, which is how weights are saved and found again.
type Weight struct {
	Name      string
	Value     *tensor.Dense
	Trainable bool
	// Constraint, when not nil, projects Value after each optimizer step
	// (see ApplyConstraints); nil means none.
	Constraint Constraint
}

// Params is the number of values in w.
func (w *Weight) Params() int { return w.Value.Shape().TotalSize() }
