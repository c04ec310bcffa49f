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

// TestReLUValuesAndGradient checks ReLU and its gradient on the values
// where the choice is made on bits: zeros of both signs, a subnormal, the
// infinities and NaN (whose gradient is 0).
func TestReLUValuesAndGradient(t *testing.T) {
	in := []float64{-2, -0.5, 0, 0.5, 3, math.NaN(), math.Copysign(0, -1), 1e-40, math.Inf(1), math.Inf(-1), 7, -7}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		x := gorgonia.NodeFromAny(g, toDtype(in, dt, 3, 4), gorgonia.WithName("x"))
		r := gorgonia.NodeFromAny(g, toDtype([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12}, dt, 3, 4), gorgonia.WithName("r"))
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
			tiny := float64s(t, toDtype(in[7:8], dt, 1))[0]
			want := []float64{0, 0, 0, 0.5, 3, math.NaN(), 0, tiny, math.Inf(1), 0, 7, 0}
			for i, w := range want {
				if got[i] != w && !(math.IsNaN(w) && math.IsNaN(got[i])) {
					t.Fatalf("%v run %d: relu = %v, want %v", dt, run, got, want)
				}
			}
			gv, _ := x.Grad()
			dx := float64s(t, gv)
			wantDx := []float64{0, 0, 0, 4, 5, 0, 0, 8, 9, 0, 11, 0}
			for i, w := range wantDx {
				if dx[i] != w || math.Signbit(dx[i]) {
					t.Fatalf("%v run %d: dx = %v, want %v (no -0)", dt, run, dx, wantDx)
				}
			}
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
