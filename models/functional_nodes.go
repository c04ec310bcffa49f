package models

import (
	"strconv"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/layers"
)

// Node is a symbolic tensor of a functional model: one of its inputs
// (Input), or what a layer gives when applied to nodes (Apply, Merge, a
// nested model's Call). Nodes only record how they are computed; a
// Functional model made of them builds the layers (creating their weights)
// and the Gorgonia graphs.
//
// A layer applied to several nodes is shared: one set of weights serves
// every application, as in Keras.
type Node struct {
	name   string        // an input's name
	layer  layers.Layer  // a one-input layer's node
	merger layers.Merger // a several-input layer's node
	site   *callSite     // a nested model's node
	out    int           // which of the nested model's outputs
	inputs []*Node
	err    error // what was wrong when the node was made, reported at build

	shape layers.Shape // per-sample shape: an input's as declared, else once built
	built bool
	// anyLength marks an input declared with a length of 0 (Keras's None):
	// the model builds at length 1 and takes sequences of any length.
	anyLength bool
}

// callSite is one application of a nested model, shared by the nodes of its
// outputs.
type callSite struct {
	model *Functional
}

// Input returns a new input node of the given per-sample shape:
// Input("image", 28, 28, 1). An empty name is named by the model (input,
// input_1...). A first dimension of 0 is a sequence of any length, as
// Keras's Input(shape=(None, 16)): Input("x", 0, 16). The model builds at
// length 1 and runs on whatever length the data has (see GraphFor).
func Input(name string, shape ...int) *Node {
	n := &Node{name: name, shape: layers.Shape(shape).Clone(), built: true}
	if len(shape) == 0 {
		n.err = errors.Errorf("input %q: no shape", name)
	}
	if len(shape) > 0 && shape[0] == 0 {
		n.shape[0], n.anyLength = 1, true
	}
	for _, d := range n.shape {
		if d <= 0 {
			n.err = errors.Errorf("input %q: shape %v has a dimension <= 0", name, shape)
		}
	}
	return n
}

// Apply returns the node of layer l applied to x. A nested model
// (a *Functional of one input and one output, or a Sequential's AsLayer)
// is a layer too. Errors (a nil layer or node) are reported when the model
// is made.
func Apply(l layers.Layer, x *Node) *Node {
	if f, ok := l.(*Functional); ok && f != nil {
		outs := f.Call(x)
		if len(outs) != 1 {
			return &Node{inputs: []*Node{x}, err: errors.Errorf("model %q has %d outputs: use its Call method", f.displayName(), len(outs))}
		}
		return outs[0]
	}
	n := &Node{layer: l, inputs: []*Node{x}}
	if l == nil {
		n.err = errors.New("apply: the layer is nil")
	} else if x == nil {
		n.err = errors.Errorf("apply %s %q: the input node is nil", l.Kind(), l.LayerName())
	}
	return n
}

// Merge returns the node of merge layer m (layers.Add, layers.Concatenate,
// layers.Sampling...) applied to xs, in order.
func Merge(m layers.Merger, xs ...*Node) *Node {
	if f, ok := m.(*Functional); ok && f != nil {
		outs := f.Call(xs...)
		if len(outs) != 1 {
			return &Node{inputs: xs, err: errors.Errorf("model %q has %d outputs: use its Call method", f.displayName(), len(f.outputs))}
		}
		return outs[0]
	}
	n := &Node{merger: m, inputs: append([]*Node(nil), xs...)}
	if m == nil {
		n.err = errors.New("merge: the layer is nil")
		return n
	}
	for i, x := range xs {
		if x == nil {
			n.err = errors.Errorf("merge %s %q: input node %d is nil", m.Kind(), m.LayerName(), i)
		}
	}
	if len(xs) == 0 {
		n.err = errors.Errorf("merge %s %q: no inputs", m.Kind(), m.LayerName())
	}
	return n
}

// Call applies the model to xs, one node per input in order, as a layer of
// another model, and returns one node per output. The nested model's
// weights are shared with it: training the outer model trains them, unless
// the outer model freezes the nested one (Freeze).
func (f *Functional) Call(xs ...*Node) []*Node {
	site := &callSite{model: f}
	nIn, nOut := len(f.inputs), len(f.outputs)
	if f.seq != nil && f.inputs == nil {
		nIn, nOut = 1, 1 // a Sequential not built yet: defined when the outer model builds
	}
	var err error
	switch {
	case len(xs) != nIn:
		err = errors.Errorf("model %q takes %d inputs, got %d", f.displayName(), nIn, len(xs))
	default:
		for i, x := range xs {
			if x == nil {
				err = errors.Errorf("model %q: input node %d is nil", f.displayName(), i)
			}
		}
	}
	outs := make([]*Node, nOut)
	for i := range outs {
		outs[i] = &Node{site: site, out: i, inputs: append([]*Node(nil), xs...), err: err}
	}
	if len(outs) == 0 {
		outs = []*Node{{site: site, inputs: xs, err: errors.Errorf("model %q has no outputs", f.displayName())}}
	}
	return outs
}

// Shape is the node's per-sample shape: an input's as declared, another
// node's once a model holding it has built; nil before.
func (n *Node) Shape() layers.Shape {
	if !n.built {
		return nil
	}
	return n.shape.Clone()
}

// Name is the input's name, or the name of the layer (or nested model)
// that gives the node; empty until the model names it.
func (n *Node) Name() string {
	switch {
	case n.layer != nil:
		return n.layer.LayerName()
	case n.merger != nil:
		return n.merger.LayerName()
	case n.site != nil:
		if len(n.site.model.outputs) > 1 {
			return n.site.model.displayName() + "_" + strconv.Itoa(n.out)
		}
		return n.site.model.displayName()
	}
	return n.name
}

func (n *Node) isInput() bool { return n.layer == nil && n.merger == nil && n.site == nil }

// owner returns what computes the node: its layer, merger or nested model.
func (n *Node) owner() any {
	switch {
	case n.layer != nil:
		return n.layer
	case n.merger != nil:
		return n.merger
	case n.site != nil:
		return n.site.model
	}
	return nil
}

func (n *Node) kind() string {
	switch {
	case n.layer != nil:
		return n.layer.Kind()
	case n.merger != nil:
		return n.merger.Kind()
	case n.site != nil:
		return n.site.model.Kind()
	}
	return "input"
}
