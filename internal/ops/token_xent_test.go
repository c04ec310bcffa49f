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

func TestTokenCrossentropy(t *testing.T) {
	// Two sequences of 2 tokens over 3 ids; token (1, 1) is padding.
	logits := []float64{0, 0, 0, 1, 2, 3, 0, 1, 0, 5, 5, 5}
	ids := []float64{1, 2, 1, 0}
	lse := func(a, b, c float64) float64 { return math.Log(math.Exp(a) + math.Exp(b) + math.Exp(c)) }
	want := []float64{lse(0, 0, 0) - 0, lse(1, 2, 3) - 3, lse(0, 1, 0) - 1, 0}
	g := gorgonia.NewGraph()
	l := gorgonia.NodeFromAny(g, toDtype(logits, tensor.Float64, 2, 2, 3), gorgonia.WithName("l"))
	in := gorgonia.NodeFromAny(g, toDtype(ids, tensor.Float64, 2, 2), gorgonia.WithName("ids"))
	loss, err := ops.TokenCrossentropy(l, in, 0)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	close(t, "losses", float64s(t, loss.Value()), want, 1e-12)
	vm.Close()
	rng := rand.New(rand.NewSource(1))
	err = gradcheck.Check(func(g *gorgonia.ExprGraph, x []*gorgonia.Node) (*gorgonia.Node, error) {
		in := gorgonia.NodeFromAny(g, toDtype([]float64{1, 2, 0, 4, 3, 0}, tensor.Float64, 2, 3), gorgonia.WithName("ids"))
		y, err := ops.TokenCrossentropy(x[0], in, 0)
		if err != nil {
			return nil, err
		}
		w := gorgonia.NodeFromAny(g, toDtype([]float64{1, -2, 3, 0.5, 2, 7}, tensor.Float64, 2, 3), gorgonia.WithName("w"))
		return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, w)))
	}, []*tensor.Dense{toDtype(randSlice(rng, 2*3*5), tensor.Float64, 2, 3, 5)}, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}
