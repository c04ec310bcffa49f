package ops_test

import (
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

func TestMaskedPool1D(t *testing.T) {
	// Two samples of 3 steps of 2 channels; sample 0 keeps steps 0 and 2,
	// sample 1 keeps none.
	x := []float64{1, -2, 5, 7, 3, 0, 4, 4, 4, 4, 4, 4}
	m := []float64{1, 0, 1, 0, 0, 0}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		xn := gorgonia.NodeFromAny(g, toDtype(x, dt, 2, 3, 2), gorgonia.WithName("x"))
		mn := gorgonia.NodeFromAny(g, toDtype(m, dt, 2, 3), gorgonia.WithName("m"))
		avg, err := ops.MaskedPool1D(xn, mn, false)
		if err != nil {
			t.Fatal(err)
		}
		mx, err := ops.MaskedPool1D(xn, mn, true)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		close(t, "mean", float64s(t, avg.Value()), []float64{2, -1, 0, 0}, 1e-6)
		close(t, "max", float64s(t, mx.Value()), []float64{3, 0, 0, 0}, 1e-6)
		vm.Close()
	}
	for _, max := range []bool{false, true} {
		rng := rand.New(rand.NewSource(4))
		r := toDtype(randSlice(rng, 6), tensor.Float64, 2, 3)
		mask := []float64{1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0}
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			mn := gorgonia.NodeFromAny(g, toDtype(mask, tensor.Float64, 2, 6), gorgonia.WithName("m"))
			y, err := ops.MaskedPool1D(in[0], mn, max)
			if err != nil {
				return nil, err
			}
			rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
			return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
		}, []*tensor.Dense{toDtype(randSlice(rng, 2*6*3), tensor.Float64, 2, 6, 3)}, gradcheck.Options{})
		if err != nil {
			t.Fatalf("max %v: %v", max, err)
		}
	}
}
