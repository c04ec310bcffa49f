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

// TestDenseMatchesDirectSum checks x·w + b and its gradients against
// direct sums, in both dtypes, with and without bias, over two runs.
func TestDenseMatchesDirectSum(t *testing.T) {
	const n, k, m = 5, 7, 3
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, bias := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v/bias%v", dt, bias), func(t *testing.T) {
				rng := rand.New(rand.NewSource(4))
				xv, wv, bv, rv := randSlice(rng, n*k), randSlice(rng, k*m), randSlice(rng, m), randSlice(rng, n*m)
				want := make([]float64, n*m)
				dx, dw, db := make([]float64, n*k), make([]float64, k*m), make([]float64, m)
				for i := 0; i < n; i++ {
					for j := 0; j < m; j++ {
						o := i*m + j
						if bias {
							want[o] = bv[j]
						}
						db[j] += rv[o]
						for l := 0; l < k; l++ {
							want[o] += xv[i*k+l] * wv[l*m+j]
							dx[i*k+l] += rv[o] * wv[l*m+j]
							dw[l*m+j] += rv[o] * xv[i*k+l]
						}
					}
				}
				g := gorgonia.NewGraph()
				x := gorgonia.NodeFromAny(g, toDtype(xv, dt, n, k), gorgonia.WithName("x"))
				w := gorgonia.NodeFromAny(g, toDtype(wv, dt, k, m), gorgonia.WithName("w"))
				r := gorgonia.NodeFromAny(g, toDtype(rv, dt, n, m), gorgonia.WithName("r"))
				wrt := gorgonia.Nodes{x, w}
				var b *gorgonia.Node
				if bias {
					b = gorgonia.NodeFromAny(g, toDtype(bv, dt, m), gorgonia.WithName("b"))
					wrt = append(wrt, b)
				}
				y, err := ops.Dense(x, w, b, true)
				if err != nil {
					t.Fatal(err)
				}
				var yv gorgonia.Value
				gorgonia.Read(y, &yv)
				cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, r))))
				if _, err := gorgonia.Grad(cost, wrt...); err != nil {
					t.Fatal(err)
				}
				vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(wrt...))
				defer vm.Close()
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				for run := 0; run < 2; run++ {
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}
					close(t, "y", float64s(t, yv), want, tol)
					for i, wg := range [][]float64{dx, dw, db}[:len(wrt)] {
						gv, err := wrt[i].Grad()
						if err != nil {
							t.Fatal(err)
						}
						close(t, "grad "+wrt[i].Name(), float64s(t, gv), wg, tol)
						gv.(*tensor.Dense).Zero()
					}
					vm.Reset()
				}
			})
		}
	}
}

func TestDenseGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	inputs := []*tensor.Dense{
		toDtype(randSlice(rng, 12), tensor.Float64, 3, 4),
		toDtype(randSlice(rng, 8), tensor.Float64, 4, 2),
		toDtype(randSlice(rng, 2), tensor.Float64, 2),
	}
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.Dense(in[0], in[1], in[2], true)
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(gorgonia.Must(gorgonia.Square(y)))
	}, inputs, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDenseErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(4, 5), gorgonia.WithName("w"))
	if _, err := ops.Dense(x, w, nil, true); err == nil || !contains(err.Error(), "cannot multiply input (2, 3) by kernel (4, 5)") {
		t.Fatalf("error %v", err)
	}
	w64 := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(3, 5), gorgonia.WithName("w64"))
	if _, err := ops.Dense(x, w64, nil, true); err == nil || !contains(err.Error(), "mixed dtypes") {
		t.Fatalf("error %v", err)
	}
}
