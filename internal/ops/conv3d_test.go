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

type conv3Case struct {
	n     int
	in, k [3]int
	c, f  int
	p     ops.Conv3DParams
	bias  bool
}

var conv3Cases = []conv3Case{
	{2, [3]int{4, 5, 3}, [3]int{2, 3, 2}, 2, 3, ops.Conv3DParams{Strides: [3]int{1, 1, 1}, Dilations: [3]int{1, 1, 1}}, true},
	{1, [3]int{5, 4, 6}, [3]int{3, 3, 3}, 3, 2, ops.Conv3DParams{Strides: [3]int{2, 1, 2}, Dilations: [3]int{1, 1, 1}, PadBefore: [3]int{1, 1, 0}, PadAfter: [3]int{1, 1, 1}}, false},
	{2, [3]int{5, 5, 5}, [3]int{2, 2, 2}, 1, 2, ops.Conv3DParams{Strides: [3]int{1, 1, 1}, Dilations: [3]int{2, 1, 2}, PadBefore: [3]int{1, 0, 1}, PadAfter: [3]int{1, 1, 1}}, true},
	{2, [3]int{3, 4, 4}, [3]int{2, 2, 3}, 4, 6, ops.Conv3DParams{Strides: [3]int{1, 2, 1}, Dilations: [3]int{1, 1, 1}, PadBefore: [3]int{0, 1, 1}, PadAfter: [3]int{1, 0, 1}, Groups: 2}, true},
}

// TestConv3DMatchesDirectSum checks the output and the gradients against
// a direct sum, in both dtypes and with the batch split into chunks.
func TestConv3DMatchesDirectSum(t *testing.T) {
	for _, limit := range []int{ops.ColsLimit, 1} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			for i, cc := range conv3Cases {
				t.Run(fmt.Sprintf("%v/limit%d/%d", dt, limit, i), func(t *testing.T) {
					old := ops.ColsLimit
					ops.ColsLimit = limit
					defer func() { ops.ColsLimit = old }()
					checkConv3(t, cc, dt)
				})
			}
		}
	}
}

func checkConv3(t *testing.T, cc conv3Case, dt tensor.Dtype) {
	rng := rand.New(rand.NewSource(5))
	p := cc.p
	var out [3]int
	for i := range out {
		out[i] = ops.ConvOutSize(cc.in[i], cc.k[i], p.Strides[i], p.Dilations[i], p.PadBefore[i]+p.PadAfter[i])
	}
	xv := randSlice(rng, cc.n*cc.in[0]*cc.in[1]*cc.in[2]*cc.c)
	groups := max(p.Groups, 1)
	cg := cc.c / groups
	wv := randSlice(rng, cc.k[0]*cc.k[1]*cc.k[2]*cg*cc.f)
	bv := randSlice(rng, cc.f)
	rv := randSlice(rng, cc.n*out[0]*out[1]*out[2]*cc.f)
	want := make([]float64, len(rv))
	if cc.bias {
		for o := range want {
			want[o] = bv[o%cc.f]
		}
	}
	dx, dw, db := make([]float64, len(xv)), make([]float64, len(wv)), make([]float64, cc.f)
	var o [3]int
	for n := 0; n < cc.n; n++ {
		for o[0] = 0; o[0] < out[0]; o[0]++ {
			for o[1] = 0; o[1] < out[1]; o[1]++ {
				for o[2] = 0; o[2] < out[2]; o[2]++ {
					var k [3]int
					for k[0] = 0; k[0] < cc.k[0]; k[0]++ {
						for k[1] = 0; k[1] < cc.k[1]; k[1]++ {
							for k[2] = 0; k[2] < cc.k[2]; k[2]++ {
								var at [3]int
								inside := true
								for a := range at {
									at[a] = o[a]*p.Strides[a] - p.PadBefore[a] + k[a]*p.Dilations[a]
									inside = inside && at[a] >= 0 && at[a] < cc.in[a]
								}
								if !inside {
									continue
								}
								for f := 0; f < cc.f; f++ {
									oi := (((n*out[0]+o[0])*out[1]+o[1])*out[2]+o[2])*cc.f + f
									c0 := f / (cc.f / groups) * cg
									for c := 0; c < cg; c++ {
										i := (((n*cc.in[0]+at[0])*cc.in[1]+at[1])*cc.in[2]+at[2])*cc.c + c0 + c
										ki := (((k[0]*cc.k[1]+k[1])*cc.k[2]+k[2])*cg+c)*cc.f + f
										want[oi] += xv[i] * wv[ki]
										dx[i] += rv[oi] * wv[ki]
										dw[ki] += rv[oi] * xv[i]
									}
								}
							}
						}
					}
				}
			}
		}
	}
	for o, r := range rv {
		db[o%cc.f] += r
	}
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, toDtype(xv, dt, cc.n, cc.in[0], cc.in[1], cc.in[2], cc.c), gorgonia.WithName("x"))
	w := gorgonia.NodeFromAny(g, toDtype(wv, dt, cc.k[0], cc.k[1], cc.k[2], cg, cc.f), gorgonia.WithName("w"))
	wrt := gorgonia.Nodes{x, w}
	var b *gorgonia.Node
	if cc.bias {
		b = gorgonia.NodeFromAny(g, toDtype(bv, dt, cc.f), gorgonia.WithName("b"))
		wrt = append(wrt, b)
	}
	r := gorgonia.NodeFromAny(g, toDtype(rv, dt, cc.n, out[0], out[1], out[2], cc.f), gorgonia.WithName("r"))
	y, err := ops.Conv3D(x, w, b, p, true)
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
	tol := 1e-9
	if dt == tensor.Float32 {
		tol = 1e-4
	}
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	close(t, "y", float64s(t, yv), want, tol)
	for i, wantGrad := range [][]float64{dx, dw, db}[:len(wrt)] {
		gv, err := wrt[i].Grad()
		if err != nil {
			t.Fatal(err)
		}
		close(t, "grad "+wrt[i].Name(), float64s(t, gv), wantGrad, tol)
	}
}

func TestConv3DGradCheck(t *testing.T) {
	cc := conv3Cases[1]
	rng := rand.New(rand.NewSource(6))
	inputs := []*tensor.Dense{
		toDtype(randSlice(rng, cc.n*cc.in[0]*cc.in[1]*cc.in[2]*cc.c), tensor.Float64, cc.n, cc.in[0], cc.in[1], cc.in[2], cc.c),
		toDtype(randSlice(rng, cc.k[0]*cc.k[1]*cc.k[2]*cc.c*cc.f), tensor.Float64, cc.k[0], cc.k[1], cc.k[2], cc.c, cc.f),
		toDtype(randSlice(rng, cc.f), tensor.Float64, cc.f),
	}
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.Conv3D(in[0], in[1], in[2], cc.p, true)
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(gorgonia.Must(gorgonia.Square(y)))
	}, inputs, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConv3DErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 5, gorgonia.WithShape(2, 4, 4, 4, 3), gorgonia.WithName("x"))
	one := ops.Conv3DParams{Strides: [3]int{1, 1, 1}, Dilations: [3]int{1, 1, 1}}
	for _, tc := range []struct {
		name  string
		w     tensor.Shape
		p     ops.Conv3DParams
		error string
	}{
		{"channels", tensor.Shape{2, 2, 2, 2, 4}, one, "input has 3 channels, kernel expects 2"},
		{"too big", tensor.Shape{5, 2, 2, 3, 4}, one, "larger than the padded input"},
		{"stride", tensor.Shape{2, 2, 2, 3, 4}, ops.Conv3DParams{Dilations: [3]int{1, 1, 1}}, "must be > 0"},
	} {
		w := gorgonia.NewTensor(g, tensor.Float32, 5, gorgonia.WithShape(tc.w...), gorgonia.WithName("w_"+tc.name))
		_, err := ops.Conv3D(x, w, nil, tc.p, true)
		if err == nil || !contains(err.Error(), tc.error) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.error)
		}
	}
}
