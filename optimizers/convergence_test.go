package optimizers_test

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// minimize runs steps of s on mean((w - c)^2) through a real Gorgonia graph,
// the way the trainer does, starting from w = 0, and returns w.
func minimize(t *testing.T, s optimizers.Solver, dt tensor.Dtype, c []float64, steps int) []float64 {
	t.Helper()
	g := gorgonia.NewGraph()
	wt := denseOf(dt, []int{len(c)}, make([]float64, len(c)))
	w := gorgonia.NewVector(g, dt, gorgonia.WithShape(len(c)), gorgonia.WithValue(wt), gorgonia.WithName("w"))
	target := gorgonia.NewVector(g, dt, gorgonia.WithShape(len(c)), gorgonia.WithValue(denseOf(dt, []int{len(c)}, c)), gorgonia.WithName("c"))
	d, err := gorgonia.Sub(w, target)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := gorgonia.Square(d)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := gorgonia.Mean(sq)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(cost, w); err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	defer m.Close()
	for i := 0; i < steps; i++ {
		if err := m.RunAll(); err != nil {
			t.Fatalf("step %d: run: %v", i, err)
		}
		if err := s.Step([]gorgonia.ValueGrad{w}); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		m.Reset()
	}
	if w.Value() != wt {
		t.Fatalf("the node's value is no longer the tensor it was bound to")
	}
	return values(wt)
}

func TestConvergence(t *testing.T) {
	c := []float64{1, -2, 3}
	tests := []struct {
		opt   optimizers.Optimizer
		steps int
		tol   float64
	}{
		{optimizers.SGD{LearningRate: 0.5}, 100, 1e-6},
		{optimizers.SGD{LearningRate: 0.1, Momentum: 0.9, Nesterov: true}, 200, 1e-4},
		{optimizers.Adam{LearningRate: 0.1}, 300, 1e-2},
		{optimizers.AdamW{LearningRate: 0.1}, 300, 2e-2},
		{optimizers.RMSProp{LearningRate: 0.05}, 300, 5e-2},
		{optimizers.AdaGrad{LearningRate: 1}, 300, 1e-2},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%#v %v", tc.opt, dt), func(t *testing.T) {
				s, err := tc.opt.NewSolver()
				if err != nil {
					t.Fatal(err)
				}
				w := minimize(t, s, dt, c, tc.steps)
				for i := range c {
					if math.Abs(w[i]-c[i]) > tc.tol || math.IsNaN(w[i]) {
						t.Errorf("after %d steps w = %v, want %v within %v", tc.steps, w, c, tc.tol)
						break
					}
				}
			})
		}
	}
}
