package layers

import "gorgonia.org/gorgonia"

// Merger is a layer of several inputs, such as Add or Concatenate. It is
// applied in a functional model (models.Merge), never in a Sequential one.
//
// BuildMerge is called once, before any data flows, with the per-sample
// shape of every input, in order; it creates the weights through b (most
// mergers have none) and returns the per-sample output shape, or an error
// naming what does not fit. ForwardMerge adds the computation on xs, each
// [batch, in_i...], to c's graph and returns the node of shape
// [batch, out...]; it is called once per graph and must not change the
// layer.
type Merger interface {
	// Kind names the layer type as saved in a model file: "add".
	Kind() string
	// LayerName is the layer's name within its model; empty until the
	// model names it.
	LayerName() string
	// SetLayerName sets the layer's name; the model calls it when the user
	// left the name empty.
	SetLayerName(name string)
	// BuildMerge creates the weights for input shapes in and returns the
	// output shape.
	BuildMerge(b *Builder, in []Shape) (Shape, error)
	// ForwardMerge adds the layer's computation on xs to c's graph.
	ForwardMerge(c *Call, xs []*gorgonia.Node) (*gorgonia.Node, error)
	// Weights lists the weights BuildMerge created, in a stable order.
	Weights() []*Weight
}
