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

func TestAdditiveAttention(t *testing.T) {
	const b, tq, tk, d, dv = 2, 3, 4, 3, 2
	rng := rand.New(rand.NewSource(21))
	q, k, v, sc := randSlice(rng, b*tq*d), randSlice(rng, b*tk*d), randSlice(rng, b*tk*dv), randSlice(rng, d)
	km := []float64{1, 1, 1, 0, 1, 0, 1, 1}
	// The definition, one score at a time.
	want := make([]float64, b*tq*dv)
	for n := 0; n < b; n++ {
		for i := 0; i < tq; i++ {
			s := make([]float64, tk)
			mx := math.Inf(-1)
			for j := 0; j < tk; j++ {
				for c := 0; c < d; c++ {
					s[j] += sc[c] * math.Tanh(q[(n*tq+i)*d+c]+k[(n*tk+j)*d+c])
				}
				if km[n*tk+j] == 0 || j > i {
					s[j] += ops.MaskedScore
				}
				mx = math.Max(mx, s[j])
			}
			var sum float64
			for j := range s {
				s[j] = math.Exp(s[j] - mx)
				sum += s[j]
			}
			for j := range s {
				for c := 0; c < dv; c++ {
					want[(n*tq+i)*dv+c] += s[j] / sum * v[(n*tk+j)*dv+c]
				}
			}
		}
	}
	g := gorgonia.NewGraph()
	node := func(name string, x []float64, shape ...int) *gorgonia.Node {
		return gorgonia.NodeFromAny(g, toDtype(x, tensor.Float64, shape...), gorgonia.WithName(name))
	}
	y, err := ops.AdditiveAttention(node("q", q, b, tq, d), node("k", k, b, tk, d), node("v", v, b, tk, dv), node("s", sc, d),
		ops.AttentionParams{Causal: true, KeyMask: node("km", km, b, tk)})
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	close(t, "out", float64s(t, y.Value()), want, 1e-12)
	vm.Close()

	drop := make([]float64, b*tq*tk)
	for i := range drop {
		if rng.Float64() < 0.8 {
			drop[i] = 1.25
		}
	}
	r := toDtype(randSlice(rng, b*tq*dv), tensor.Float64, b, tq, dv)
	for _, withScale := range []bool{true, false} {
		inputs := []*tensor.Dense{toDtype(q, tensor.Float64, b, tq, d), toDtype(k, tensor.Float64, b, tk, d), toDtype(v, tensor.Float64, b, tk, dv)}
		if withScale {
			inputs = append(inputs, toDtype(sc, tensor.Float64, d))
		}
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			var s *gorgonia.Node
			if withScale {
				s = in[3]
			}
			p := ops.AttentionParams{Causal: true, Grads: [3]bool{true, true, true},
				KeyMask: gorgonia.NodeFromAny(g, toDtype(km, tensor.Float64, b, tk), gorgonia.WithName("km")),
				Dropout: gorgonia.NodeFromAny(g, toDtype(drop, tensor.Float64, b, 1, tq, tk), gorgonia.WithName("drop"))}
			y, err := ops.AdditiveAttention(in[0], in[1], in[2], s, p)
			if err != nil {
				return nil, err
			}
			rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
			return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
		}, inputs, gradcheck.Options{})
		if err != nil {
			t.Fatalf("scale %v: %v", withScale, err)
		}
	}
}
