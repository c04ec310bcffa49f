package ops_test

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

func TestReLUValuesAndGradient(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		x := gorgonia.NodeFromAny(g, toDtype([]float64{-2, -0.5, 0, 0.5, 3, math.NaN()}, dt, 2, 3), gorgonia.WithName("x"))
		r := gorgonia.NodeFromAny(g, toDtype([]float64{1, 2, 3, 4, 5, 0}, dt, 2, 3), gorgonia.WithName("r"))
		y, err := ops.ReLU(x)
		if err != nil {
			t.Fatal(err)
		}
		var yv gorgonia.Value
		gorgonia.Read(y, &yv)
		cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, r))))
		if _, err := gorgonia.Grad(cost, x); err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(x))
		for run := 0; run < 2; run++ {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			got := float64s(t, yv)
			want := []float64{0, 0, 0, 0.5, 3}
			for i, w := range want {
				if got[i] != w {
					t.Fatalf("%v run %d: relu = %v, want %v then NaN", dt, run, got, want)
				}
			}
			if !math.IsNaN(got[5]) {
				t.Fatalf("%v: relu(NaN) = %v, want NaN", dt, got[5])
			}
			gv, _ := x.Grad()
			close(t, "dx", float64s(t, gv)[:5], []float64{0, 0, 0, 4, 5}, 0)
			vm.Reset()
			gv.(*tensor.Dense).Zero()
		}
		vm.Close()
	}
}

func TestReLUGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	x := toDtype(randSlice(rng, 24), tensor.Float64, 2, 3, 4)
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.ReLU(in[0])
		if err != nil {
			return nil, err
		}
		sq, err := gorgonia.Square(y)
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(sq)
	}, []*tensor.Dense{x}, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}
