package models

import (
	"encoding/json"
	"math/rand"
	"reflect"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// buildOwner builds the layer or merger of node n for input shapes in and
// returns its output shape. A layer that holds no weights builds from rng.
// A layer that already holds weights (trained, loaded, or built by another
// model) keeps them, as Keras does when layers are reused: it is built
// again for in, and its weights, shared with every model that holds it,
// stay what they were. When its weights do not fit in (another number of
// features, say), it is an error that says so, and the layer is left as it
// was.
func buildOwner(n *Node, in []layers.Shape, rng *rand.Rand, dt tensor.Dtype) (layers.Shape, error) {
	var old []*layers.Weight
	if n.layer != nil {
		old = n.layer.Weights()
	} else {
		old = n.merger.Weights()
	}
	build := func(o any, b *layers.Builder) (layers.Shape, error) {
		if l, ok := o.(layers.Layer); ok {
			return l.Build(b, in[0])
		}
		return o.(layers.Merger).BuildMerge(b, in)
	}
	o := n.owner()
	if len(old) == 0 {
		return build(o, &layers.Builder{DType: dt, RNG: rng, Name: n.Name()})
	}
	for _, w := range old {
		if w.Value != nil && w.Value.Dtype() != dt {
			return nil, errors.Errorf("holds %v weights (%q), the model is %v", w.Value.Dtype(), w.Name, dt)
		}
	}
	// The weights the layer would build for in, from a copy of its
	// configuration, so that a misfit leaves the layer untouched.
	scratch := func() *layers.Builder {
		return &layers.Builder{DType: dt, RNG: rand.New(rand.NewSource(0)), Name: n.Name()}
	}
	if c, ok := cloneOwner(o); ok {
		if _, err := build(c, scratch()); err != nil {
			return nil, errors.Wrap(err, "applied again with its weights")
		}
		if err := sameWeights(old, weightsOf(c)); err != nil {
			return nil, err
		}
	}
	saved := make([]layers.Weight, len(old))
	for i, w := range old {
		saved[i] = *w
	}
	out, err := build(o, scratch())
	if err != nil {
		return nil, errors.Wrap(err, "applied again with its weights")
	}
	fresh := weightsOf(o)
	if err := sameWeights(old, fresh); err != nil {
		return nil, errors.Wrap(err, "and its weights were built again")
	}
	// The layer's new weight records take the old ones' values (the same
	// tensors), so the models that share the layer keep sharing them.
	for i, w := range fresh {
		*w = saved[i]
	}
	return out, nil
}

func weightsOf(o any) []*layers.Weight {
	if w, ok := o.(interface{ Weights() []*layers.Weight }); ok {
		return w.Weights()
	}
	return nil
}

// sameWeights reports whether the weights a layer holds (old) fit the ones
// it builds for a new input (fresh): the same names and shapes.
func sameWeights(old, fresh []*layers.Weight) error {
	if len(old) != len(fresh) {
		return errors.Errorf("it holds %d trained weights, applied here it needs %d: a layer reused with its weights must get inputs of the shape it was built for", len(old), len(fresh))
	}
	for i, w := range old {
		f := fresh[i]
		if !w.Value.Shape().Eq(f.Value.Shape()) || w.Value.Dims() != f.Value.Dims() {
			return errors.Errorf("its trained weight %q has shape %v, applied here it needs %v: a layer reused with its weights must get inputs of the shape it was built for", w.Name, w.Value.Shape(), f.Value.Shape())
		}
	}
	return nil
}

// cloneOwner returns an unbuilt copy of a layer or merger: a new value of
// its type with its exported (saved) configuration.
func cloneOwner(o any) (any, bool) {
	t := reflect.TypeOf(o)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	js, err := json.Marshal(o)
	if err != nil {
		return nil, false
	}
	c := reflect.New(t.Elem()).Interface()
	if json.Unmarshal(js, c) != nil {
		return nil, false
	}
	return c, true
}

// defineFor gives a Sequential's model its graph once the input shape is
// known; other models have theirs already.
func (f *Functional) defineFor(in []layers.Shape) error {
	if f.inputs != nil || f.seq == nil {
		return nil
	}
	if len(in) != 1 {
		return errors.Errorf("model %q takes 1 input, got %d", f.displayName(), len(in))
	}
	return f.seq.define(in[0])
}
