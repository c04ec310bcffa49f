package parity

import (
	"context"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/models"
)

// Named is a weight or its gradient in a fixture: the weight's name within
// its layer ("kernel"), its shape and its values.
type Named struct {
	Name   string `json:"name"`
	Shape  []int  `json:"shape"`
	Values Values `json:"values"`
}

// LayerCase is one layer run forward and backward: the layer as a spec
// (what a saved model holds), a batch of inputs of the per-sample shape
// InputShape, the weights to set, the output Y, the upstream gradient DY
// and the gradients with respect to the input (DX) and the weights
// (DWeights). Y comes from Predict, the gradients from models.Gradients.
type LayerCase struct {
	Case
	Layer layers.Spec `json:"layer"`
	// Layers, when set, are several layers in a row (an Embedding with
	// MaskZero and the recurrent layer its mask reaches, say), in place of
	// Layer; weight names then start with the layer's name.
	Layers     []layers.Spec `json:"layers"`
	InputShape []int         `json:"input_shape"`
	Batch      int           `json:"batch"`
	X          Values        `json:"x"`
	Weights    []Named       `json:"weights"`
	Y          Values        `json:"y"`
	DY         Values        `json:"dy"`
	DX         Values        `json:"dx"`
	DWeights   []Named       `json:"dweights"`
}

// RunLayerCase builds a model of c's layer alone, sets its weights, and
// compares its output and gradients with c's.
func RunLayerCase(t *testing.T, c LayerCase) {
	t.Helper()
	defer c.Explain(t)
	dt, err := c.Dtype()
	if err != nil {
		t.Fatal(err)
	}
	specs := c.Layers
	if len(specs) == 0 {
		specs = []layers.Spec{c.Layer}
	}
	stack := []layers.Layer{&layers.Input{Shape: layers.Shape(c.InputShape)}}
	for _, s := range specs {
		l, err := layers.Unmarshal(s, nil)
		if err != nil {
			t.Fatalf("layer spec: %v", err)
		}
		stack = append(stack, l)
	}
	m := models.NewSequential(stack...)
	if err := m.Compile(models.Config{Loss: DotLoss{}, DType: dt, Seed: 1}); err != nil {
		t.Fatalf("compile: %v", err)
	}
	ws := m.Weights()
	for _, w := range c.Weights {
		found := false
		for _, mw := range ws {
			if named(mw.Name, w.Name) {
				if got := mw.Value.Shape(); !got.Eq(tensor.Shape(w.Shape)) {
					t.Fatalf("weight %s: shape %v, the fixture's %v", mw.Name, got, w.Shape)
				}
				set(mw.Value, w.Values)
				found = true
			}
		}
		if !found {
			t.Fatalf("the layer has no weight %q", w.Name)
		}
	}
	x := c.X.Tensor(dt, append([]int{c.Batch}, c.InputShape...)...)
	ys, err := m.Predict(context.Background(), x)
	if err != nil {
		t.Fatalf("predict: %v", err)
	}
	y := ys[0]
	if msg := Compare("y", Floats(y), c.Y, c.RTol, c.ATol); msg != "" {
		t.Error(msg)
	}
	if c.DY == nil {
		return
	}
	dy := c.DY.Tensor(dt, y.Shape()...)
	res, err := models.Gradients(m, []*tensor.Dense{x}, []*tensor.Dense{dy}, models.GradientConfig{Inputs: c.DX != nil})
	if err == nil && c.DX != nil && len(res.Inputs) != 1 {
		t.Fatalf("%d input gradients, want 1", len(res.Inputs))
	}
	if err != nil {
		t.Fatalf("gradients: %v", err)
	}
	if c.DX != nil {
		if msg := Compare("dx", Floats(res.Inputs[0]), c.DX, c.RTol, c.ATol); msg != "" {
			t.Error(msg)
		}
	}
	for _, w := range c.DWeights {
		found := false
		for _, g := range res.Weights {
			if named(g.Name, w.Name) {
				found = true
				if msg := Compare("d"+w.Name, Floats(g.Value), w.Values, c.RTol, c.ATol); msg != "" {
					t.Error(msg)
				}
			}
		}
		if !found {
			t.Errorf("no gradient for weight %q", w.Name)
		}
	}
}

// named reports whether the weight full ("<layer>/<weight>", or longer
// in wrappers) is the fixture's name, which gives its last parts.
func named(full, name string) bool {
	return full == name || strings.HasSuffix(full, "/"+name)
}

// set copies vals into t, converting to t's dtype.
func set(t *tensor.Dense, vals []float64) {
	switch d := t.Data().(type) {
	case []float64:
		copy(d, vals)
	case []float32:
		for i := range d {
			d[i] = float32(vals[i])
		}
	}
}
