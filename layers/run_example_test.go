package layers_test

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
)

// exampleValue returns a float32 input node of c's graph holding values.
func exampleValue(c *layers.Call, name string, shape tensor.Shape, values []float32) *gorgonia.Node {
	return gorgonia.NewTensor(c.Graph, tensor.Float32, shape.Dims(), gorgonia.WithName(name), gorgonia.WithShape(shape...),
		gorgonia.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(values))))
}

// exampleForward adds l, built, to a graph of batch size shape[0], fed
// with values, runs it, and returns the output's shape and values: what
// the trainer does for a whole model.
func exampleForward(l layers.Layer, shape tensor.Shape, values []float32) (tensor.Shape, []float32, error) {
	c := layers.NewCall(tensor.Float32, shape[0], false)
	out, err := l.Forward(c, exampleValue(c, "x", shape, values))
	if err != nil {
		return nil, nil, err
	}
	return exampleRun(c, out)
}

// exampleMerge builds merge layer m for inputs of shape (batch included),
// then runs it as exampleForward does, one input per slice of values.
func exampleMerge(m layers.Merger, shape tensor.Shape, inputs ...[]float32) (tensor.Shape, []float32, error) {
	in := make([]layers.Shape, len(inputs))
	for i := range in {
		in[i] = layers.Shape(shape[1:])
	}
	if _, err := m.BuildMerge(&layers.Builder{DType: tensor.Float32, Name: m.LayerName()}, in); err != nil {
		return nil, nil, err
	}
	c := layers.NewCall(tensor.Float32, shape[0], false)
	var xs []*gorgonia.Node
	for i, v := range inputs {
		xs = append(xs, exampleValue(c, string(rune('a'+i)), shape, v))
	}
	out, err := m.ForwardMerge(c, xs)
	if err != nil {
		return nil, nil, err
	}
	return exampleRun(c, out)
}

// exampleRun runs c's graph and returns out's shape and values.
func exampleRun(c *layers.Call, out *gorgonia.Node) (tensor.Shape, []float32, error) {
	vm := gorgonia.NewTapeMachine(c.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, nil, err
	}
	return out.Shape(), out.Value().Data().([]float32), nil
}
