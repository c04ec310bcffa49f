package ops_test

import (
	"fmt"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

// TestPermuteMatchesTensorTranspose checks Permute against tensor's own
// transpose, in both dtypes, for permutations that move the last axis and
// ones that keep it.
func TestPermuteMatchesTensorTranspose(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		perm  []int
	}{
		{[]int{2, 3}, []int{1, 0}},
		{[]int{2, 3, 4}, []int{0, 2, 1}},
		{[]int{2, 3, 4}, []int{2, 0, 1}},
		{[]int{2, 3, 4, 5}, []int{0, 2, 1, 3}},
		{[]int{2, 3, 4, 5}, []int{3, 1, 0, 2}},
		{[]int{3, 1, 2, 2, 2}, []int{0, 4, 1, 2, 3}},
		{[]int{4}, []int{0}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%v%v/%v", tc.shape, tc.perm, dt), func(t *testing.T) {
				rng := rand.New(rand.NewSource(1))
				n := 1
				for _, d := range tc.shape {
					n *= d
				}
				xv := toDtype(randSlice(rng, n), dt, tc.shape...)
				want := xv.Clone().(*tensor.Dense)
				if len(tc.perm) > 1 {
					if err := want.T(tc.perm...); err != nil {
						t.Fatal(err)
					}
					want.Transpose()
				}
				g := gorgonia.NewGraph()
				x := gorgonia.NodeFromAny(g, xv, gorgonia.WithName("x"))
				y, err := ops.Permute(x, tc.perm)
				if err != nil {
					t.Fatal(err)
				}
				vm := gorgonia.NewTapeMachine(g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				if !y.Shape().Eq(want.Shape()) {
					t.Fatalf("shape %v, want %v", y.Shape(), want.Shape())
				}
				close(t, "y", float64s(t, y.Value()), float64s(t, want), 0)
			})
		}
	}
}

func TestPermuteGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	inputs := []*tensor.Dense{toDtype(randSlice(rng, 2*3*4), tensor.Float64, 2, 3, 4)}
	w := toDtype(randSlice(rng, 2*3*4), tensor.Float64, 4, 2, 3)
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.Permute(in[0], []int{2, 0, 1})
		if err != nil {
			return nil, err
		}
		r := gorgonia.NodeFromAny(g, w, gorgonia.WithName("r"))
		return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, r)))
	}, inputs, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPermuteErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 3, gorgonia.WithShape(2, 3, 4), gorgonia.WithName("x"))
	for _, perm := range [][]int{{0, 1}, {0, 1, 1}, {0, 1, 3}} {
		if _, err := ops.Permute(x, perm); err == nil {
			t.Errorf("permutation %v was accepted", perm)
		}
	}
}
