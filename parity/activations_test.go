package parity

import "testing"

// Every activation function and activation layer against
// testdata/activations.json (gen_activations.py): Keras 3's definitions,
// TensorFlow's derivative at a kink (elu'(0) = 1, selu'(0) = scale,
// leaky_relu'(0) = slope), PyTorch's autograd everywhere else.
func TestActivations(t *testing.T) {
	cases, err := Load[LayerCase]("testdata/activations.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("%d cases, want at least 100", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { RunLayerCase(t, c) })
	}
}
