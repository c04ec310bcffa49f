package losses_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/losses"
)

// TestGradients compares each loss's symbolic gradient with respect to pred
// with central finite differences. The target is a fed constant, not
// differentiated. The points avoid the kinks: |e| = 0 for MAE, |e| = Delta
// for Huber, probabilities at the clipping bounds.
func TestGradients(t *testing.T) {
	tests := []struct {
		name   string
		loss   losses.Loss
		shape  []int
		pred   []float64
		target []float64
	}{
		{"mse", losses.MeanSquaredError{}, []int{2, 3}, []float64{0.5, -1, 2, 3, 0.1, -0.7}, []float64{0, 1, 2.5, -1, 0.3, 0}},
		{"mae", losses.MeanAbsoluteError{}, []int{2, 3}, []float64{0.5, -1, 2, 3, 0.1, -0.7}, []float64{0, 1, 2.5, -1, 0.3, 0}},
		{"huber both sides of delta 1", losses.Huber{}, []int{3, 2}, []float64{0.5, -1.5, 2, 0.2, -0.1, 4}, []float64{0, 0, 0, 0.7, 0.3, 1}},
		{"huber delta 0.7", losses.Huber{Delta: 0.7}, []int{2, 2}, []float64{0.5, -1.5, 2, 0.2}, []float64{0, 0, 2.3, 0}},
		{"bce probabilities", losses.BinaryCrossentropy{}, []int{3, 2}, []float64{0.9, 0.2, 0.5, 0.01, 0.99, 0.3}, []float64{1, 0, 1, 0.5, 0, 0.25}},
		{"bce logits", losses.BinaryCrossentropy{FromLogits: true}, []int{3, 2}, []float64{2, -1, 0.5, 30, -30, -0.2}, []float64{1, 0, 0.5, 0, 1, 1}},
		{"bce logit zero", losses.BinaryCrossentropy{FromLogits: true}, []int{2, 1}, []float64{0, 0}, []float64{1, 0.25}},
		{"cce probabilities", losses.CategoricalCrossentropy{}, []int{2, 3}, []float64{0.7, 0.2, 0.1, 0.5, 1.5, 2}, []float64{1, 0, 0, 0.2, 0.3, 0.5}},
		{"cce probabilities batch of 1", losses.CategoricalCrossentropy{}, []int{1, 3}, []float64{0.2, 0.3, 0.6}, []float64{0, 1, 0}},
		{"cce logits", losses.CategoricalCrossentropy{FromLogits: true}, []int{3, 3}, []float64{1, 2, 3, 50, 0, -3, -0.5, 0.5, 0.25}, []float64{0, 0, 1, 0, 1, 0, 0.3, 0.3, 0.4}},
		{"cce logits batch of 1", losses.CategoricalCrossentropy{FromLogits: true}, []int{1, 4}, []float64{1, -2, 3, 0.5}, []float64{0, 1, 0, 0}},
		{"cce logits sequence", losses.CategoricalCrossentropy{FromLogits: true}, []int{2, 2, 3}, []float64{1, 2, 3, 0, 0.5, -1, 2, 2.5, 0, -1, 0, 1}, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}},
		{"sparse cce probabilities", losses.SparseCategoricalCrossentropy{}, []int{2, 3}, []float64{0.2, 0.3, 0.5, 0.6, 0.3, 0.1}, []float64{0, 0, 1, 1, 0, 0}},
		{"sparse cce logits", losses.SparseCategoricalCrossentropy{FromLogits: true}, []int{2, 3}, []float64{1, 2, 3, -4, 0, 4}, []float64{0, 1, 0, 1, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := dense(tensor.Float64, tc.shape, tc.target)
			build := func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				y := gorgonia.NewTensor(g, tensor.Float64, len(tc.shape), gorgonia.WithShape(tc.shape...), gorgonia.WithValue(target), gorgonia.WithName("target"))
				return tc.loss.Build(in[0], y)
			}
			pred := dense(tensor.Float64, tc.shape, tc.pred)
			// The losses are means of small terms: ask for agreement to 1e-6
			// (absolute below 1), well under the size of each gradient.
			if err := gradcheck.Check(build, []*tensor.Dense{pred}, gradcheck.Options{Tol: 1e-6}); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestGradientsFloat32 differentiates each loss in a float32 graph and
// compares the gradient with the float64 one: the constants the losses
// build follow pred's dtype.
func TestGradientsFloat32(t *testing.T) {
	pred := []float64{0.7, 0.2, 0.1, 0.5, 1.5, 2}
	target := []float64{1, 0, 0, 0.2, 0.3, 0.5}
	shape := []int{2, 3}
	for _, l := range []losses.Loss{
		losses.MeanSquaredError{}, losses.MeanAbsoluteError{}, losses.Huber{Delta: 0.6},
		losses.BinaryCrossentropy{}, losses.BinaryCrossentropy{FromLogits: true},
		losses.CategoricalCrossentropy{}, losses.CategoricalCrossentropy{FromLogits: true},
		losses.SparseCategoricalCrossentropy{FromLogits: true},
	} {
		t.Run(fmt.Sprintf("%#v", l), func(t *testing.T) {
			g64 := gradOf(t, l, tensor.Float64, shape, pred, target)
			g32 := gradOf(t, l, tensor.Float32, shape, pred, target)
			for i := range g64 {
				if math.Abs(g32[i]-g64[i]) > 1e-5*math.Max(1, math.Abs(g64[i])) {
					t.Errorf("float32 gradient %v, float64 gradient %v", g32, g64)
					break
				}
			}
		})
	}
}

// gradOf returns the gradient of l with respect to pred in a graph of dtype
// dt, as float64s.
func gradOf(t *testing.T, l losses.Loss, dt tensor.Dtype, shape []int, pred, target []float64) []float64 {
	t.Helper()
	g := gorgonia.NewGraph()
	p := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithValue(dense(dt, shape, pred)), gorgonia.WithName("pred"))
	y := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithValue(dense(dt, shape, target)), gorgonia.WithName("target"))
	cost, err := l.Build(p, y)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if _, err := gorgonia.Grad(cost, p); err != nil {
		t.Fatalf("Grad: %v", err)
	}
	m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(p))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	gv, err := p.Grad()
	if err != nil {
		t.Fatalf("gradient: %v", err)
	}
	switch d := gv.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	t.Fatalf("gradient is %T", gv.Data())
	return nil
}
