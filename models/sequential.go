// Package models holds the model users build, train and deploy, the Keras
// way: Functional, a graph of layers applied to nodes (several inputs and
// outputs, merges, shared layers, nested models), and Sequential, a stack
// of layers that builds the same graph for one input and one output. Both
// have one Compile, Fit, Evaluate, Predict, Summary, save/load and
// checkpoints; Load reads any saved model. The loops themselves live in
// package trainer.
package models

import (
	"fmt"
	"math/rand"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/layers"
)

// Sequential is a stack of layers, each feeding the next: a builder of the
// Functional model of one input and one output that applies them in turn,
// as Keras's Sequential builds a Functional. Every method of Functional
// (Compile, Fit, Evaluate, Predict, Save, SetTrainable ...) is Sequential's
// too.
//
// It builds (creates every weight and checks every shape) as soon as the
// input shape is known: at Compile when the first layer is a layers.Input,
// else at the first Fit, Evaluate or Predict, before any data flows.
// Layers that already hold weights (taken from a trained or loaded model)
// keep them.
type Sequential struct {
	Functional
	layers []layers.Layer
}

// NewSequential returns a model of the given layers, in order. A layer may
// be a model (a *Functional, or a Sequential's AsLayer), nested with its
// weights.
func NewSequential(ls ...layers.Layer) *Sequential {
	s := &Sequential{layers: append([]layers.Layer(nil), ls...)}
	s.seq = s
	return s
}

// Add appends a layer. A model that has built takes no more layers; Pop
// and Add again rebuild it around the layers it has.
func (s *Sequential) Add(l layers.Layer) error {
	s.seq = s
	if s.built {
		return errors.Errorf("add %s: the model is already built; Pop first or build a new model of its layers", kindOf(l))
	}
	if l == nil {
		return errors.New("add: layer is nil")
	}
	s.layers = append(s.layers, l)
	s.undefine()
	return nil
}

// Pop removes the last layer and returns it, as Keras's pop. The layers
// left keep their weights; the model builds again around them (at the next
// Compile, Fit or Predict), so it must be compiled again.
func (s *Sequential) Pop() (layers.Layer, error) {
	s.seq = s
	if len(s.layers) == 0 {
		return nil, errors.New("pop: the model has no layers")
	}
	l := s.layers[len(s.layers)-1]
	s.layers = s.layers[:len(s.layers)-1]
	delete(s.frozen, l)
	s.undefine()
	return l, nil
}

// undefine drops the graph made of the layers, to be made again.
func (s *Sequential) undefine() {
	s.graphs.closeAll()
	s.inputs, s.outputs, s.nodes, s.owners, s.outNames = nil, nil, nil, nil, nil
	s.built, s.compiled, s.solver = false, false, nil
}

// Layers returns the model's layers in order.
func (s *Sequential) Layers() []layers.Layer { return append([]layers.Layer(nil), s.layers...) }

// AsLayer returns the model as a layer of another model:
// models.Apply(seq.AsLayer(), x), or a layer of another Sequential. It
// shares the model's layers and weights; it builds the model, with the
// outer model's seed, when the model has not built.
func (s *Sequential) AsLayer() layers.Layer {
	s.seq = s
	return &s.Functional
}

// Build creates the weights for per-sample input shape in, from the seed in
// the compiled Config (0 when not compiled), and checks that every layer's
// output fits the next. When the first layer is a layers.Input, in may be
// nil. Building again with the same shape does nothing; with another shape it
// is an error.
func (s *Sequential) Build(in layers.Shape) error {
	s.seq = s
	if first, ok := s.firstInput(); ok && in == nil {
		in = first.Shape
	}
	if s.built {
		if !in.Equal(s.InputShape()) && !in.Equal(s.inputs[0].shape) {
			return errors.Errorf("build: the model was built for input %v, got %v", s.InputShape(), in)
		}
		return nil
	}
	if len(in) == 0 {
		if len(s.layers) == 0 {
			return errors.New("build: the model has no layers")
		}
		return errors.New("build: no input shape; start the model with a layers.Input or pass data")
	}
	if err := s.defineFor([]layers.Shape{in}); err != nil {
		return err
	}
	return s.build(rand.New(rand.NewSource(s.cfg.Seed)), s.cfg.dtype())
}

// InputShape is the per-sample input shape, nil until known; its first
// dimension is 0 when the model takes sequences of any length.
func (s *Sequential) InputShape() layers.Shape {
	if len(s.inputs) == 1 {
		return s.declaredShape(0)
	}
	if first, ok := s.firstInput(); ok {
		return first.Shape.Clone()
	}
	return nil
}

// OutputShape is the per-sample output shape, nil until built.
func (s *Sequential) OutputShape() layers.Shape {
	if !s.built || len(s.outputs) != 1 {
		return nil
	}
	return s.outputs[0].shape.Clone()
}

// define makes the model's graph for per-sample input shape in: an input
// node, then each layer applied to the one before.
func (s *Sequential) define(in layers.Shape) error {
	if len(s.layers) == 0 {
		return errors.New("build: the model has no layers")
	}
	for i, l := range s.layers {
		if l == nil {
			return errors.Errorf("build: layer %d is nil", i)
		}
	}
	x := Input(sequentialInput, in...)
	if first, ok := s.firstInput(); ok && len(first.Shape) > 0 && first.Shape[0] == 0 {
		x.anyLength = true
	}
	h := x
	for _, l := range s.layers {
		h = Apply(l, h)
	}
	if err := s.Functional.define([]*Node{x}, []*Node{h}); err != nil {
		s.inputs, s.outputs, s.nodes, s.owners = nil, nil, nil, nil
		return errors.Wrap(err, "build")
	}
	return nil
}

// sequentialInput names a Sequential's input node.
const sequentialInput = "input_layer"

// has reports whether l is one of the layers.
func (s *Sequential) has(l any) bool {
	for _, o := range s.layers {
		if any(o) == l {
			return true
		}
		if f, ok := o.(*Functional); ok && f == l {
			return true
		}
	}
	return false
}

func (s *Sequential) firstInput() (*layers.Input, bool) {
	if len(s.layers) == 0 {
		return nil, false
	}
	in, ok := s.layers[0].(*layers.Input)
	return in, ok
}

func kindOf(l layers.Layer) string {
	if l == nil {
		return "nil layer"
	}
	return l.Kind()
}

// Layer returns the layer, merger or nested model named name, as Keras's
// get_layer; the error lists the names there are.
func (f *Functional) Layer(name string) (any, error) {
	var names []string
	check := func(o any) (any, bool) {
		n := describeName(o)
		names = append(names, n)
		return o, n == name
	}
	if f.seq != nil && f.inputs == nil {
		for _, l := range f.seq.layers {
			if o, ok := check(l); ok {
				return o, nil
			}
		}
	} else {
		for _, o := range f.owners {
			if o, ok := check(o); ok {
				return o, nil
			}
		}
	}
	return nil, errors.Errorf("layer %q: model %q has no layer of that name (it has %q)", name, f.displayName(), names)
}

func describeName(o any) string {
	if n, ok := o.(interface{ LayerName() string }); ok {
		return n.LayerName()
	}
	return fmt.Sprintf("%T", o)
}

// Model is any model of this package, a *Functional or a *Sequential:
// what the tools that take any model (serve.New, the tuner) accept.
type Model interface {
	// Model returns the functional model underneath: the model itself
	// for a *Functional, the graph a *Sequential builds for one.
	Model() *Functional
}

// Model returns f itself; a Sequential's gives its functional model.
func (f *Functional) Model() *Functional { return f }

var (
	_ Model = (*Functional)(nil)
	_ Model = (*Sequential)(nil)
)
