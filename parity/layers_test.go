package parity

import "testing"

// Every existing layer against testdata/layers.json (gen_layers.py):
// outputs from Predict, gradients with respect to the input and the weights
// from models.Gradients.
func TestLayers(t *testing.T) {
	cases, err := Load[LayerCase]("testdata/layers.json")
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
