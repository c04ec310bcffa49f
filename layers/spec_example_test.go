package layers_test

import (
	"encoding/json"
	"fmt"

	"github.com/profundo/profundo/layers"
)

// Marshal gives a layer's spec: its kind and its configuration, what a
// saved model's model.json holds for it.
func ExampleMarshal() {
	conv := &layers.Conv2D{Name: "conv", Filters: 8, KernelSize: []int{3}, Padding: layers.PaddingSame, Activation: layers.ReLU,
		KernelRegularizer: layers.L2{L2: 1e-4}}
	spec, err := layers.Marshal(conv)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := json.Marshal(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"kind":"conv2d","config":{"name":"conv","filters":8,"kernel_size":[3],"padding":"same","activation":"relu","kernel_regularizer":{"kind":"l2","config":{"L2":0.0001}}}}
}

// Unmarshal makes a layer from a spec, written by hand or read from a
// model file. A field the layer does not have is an error, so a misspelt
// key is not silently ignored.
func ExampleUnmarshal() {
	var spec layers.Spec
	if err := json.Unmarshal([]byte(`{"kind": "dense", "config": {"units": 64, "activation": "relu"}}`), &spec); err != nil {
		fmt.Println(err)
		return
	}
	l, err := layers.Unmarshal(spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := l.(*layers.Dense)
	fmt.Println(l.Kind(), d.Units, d.Activation)

	_, err = layers.Unmarshal(layers.Spec{Kind: "dense", Config: json.RawMessage(`{"unit": 64}`)}, nil)
	fmt.Println(err)
	// Output:
	// dense 64 relu
	// dense: config: json: unknown field "unit"
}

// MarshalMerger and UnmarshalMerger do for merge layers what Marshal and
// Unmarshal do for layers.
func ExampleUnmarshalMerger() {
	spec, err := layers.MarshalMerger(&layers.Concatenate{Name: "joined", Axis: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Kind, string(spec.Config))
	m, err := layers.UnmarshalMerger(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := m.(*layers.Concatenate)
	fmt.Println(m.Kind(), c.Name, c.Axis)
	// Output:
	// concatenate {"name":"joined","axis":1}
	// concatenate joined 1
}

// New makes an unconfigured layer of a kind, as a model file names it.
func ExampleNew() {
	l, err := layers.New("max_pooling2d")
	fmt.Printf("%T %v\n", l, err)
	_, err = layers.New("dense2d") // an error that lists the kinds New knows
	fmt.Println("unknown kind:", err != nil)
	// Output:
	// *layers.MaxPooling2D <nil>
	// unknown kind: true
}
