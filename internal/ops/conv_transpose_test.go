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

type convTCase struct {
	n, h, w, c, kh, kw, f int
	p                     ops.ConvTransposeParams
	bias                  bool
}

func tparams(s, d, pt, pl, oh, ow int) ops.ConvTransposeParams {
	return ops.ConvTransposeParams{StrideH: s, StrideW: s, DilationH: d, DilationW: d, PadTop: pt, PadLeft: pl, OutH: oh, OutW: ow}
}

var convTCases = []convTCase{
	{2, 3, 3, 2, 3, 3, 4, tparams(1, 1, 0, 0, 5, 5), true},  // valid, stride 1
	{2, 3, 4, 3, 3, 3, 2, tparams(2, 1, 0, 0, 6, 8), true},  // same, stride 2
	{1, 4, 3, 2, 2, 3, 3, tparams(2, 1, 0, 1, 9, 7), false}, // output padding
	{2, 3, 3, 1, 3, 3, 2, tparams(1, 2, 2, 2, 3, 3), true},  // dilated, same
	{1, 2, 3, 2, 4, 4, 1, tparams(3, 1, 1, 2, 8, 9), true},  // pads, stride 3
	{2, 4, 4, 2, 1, 1, 3, tparams(2, 1, 0, 0, 8, 8), false}, // 1x1 kernel
}

// TestConvTranspose2DMatchesDirectSum checks the output and the three
// gradients against a direct sum: output (oy, ox) receives x[iy, ix]·w
// at oy = iy·s - pad + ky·d.
//
// With the patch buffer limited, the batch is processed in chunks.
func TestConvTranspose2DMatchesDirectSum(t *testing.T) {
	for _, limit := range []int{ops.ColsLimit, 1} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			for i, cc := range convTCases {
				t.Run(fmt.Sprintf("%v/limit%d/%d", dt, limit, i), func(t *testing.T) {
					old := ops.ColsLimit
					ops.ColsLimit = limit
					defer func() { ops.ColsLimit = old }()
					checkConvT(t, cc, dt)
				})
			}
		}
	}
}

func checkConvT(t *testing.T, cc convTCase, dt tensor.Dtype) {
	rng := rand.New(rand.NewSource(3))
	p := cc.p
	xv := randSlice(rng, cc.n*cc.h*cc.w*cc.c)
	wv := randSlice(rng, cc.kh*cc.kw*cc.f*cc.c)
	bv := randSlice(rng, cc.f)
	rv := randSlice(rng, cc.n*p.OutH*p.OutW*cc.f)
	want := make([]float64, len(rv))
	if cc.bias {
		for o := range want {
			want[o] = bv[o%cc.f]
		}
	}
	dx, dw, db := make([]float64, len(xv)), make([]float64, len(wv)), make([]float64, cc.f)
	for n := 0; n < cc.n; n++ {
		for iy := 0; iy < cc.h; iy++ {
			for ix := 0; ix < cc.w; ix++ {
				for ky := 0; ky < cc.kh; ky++ {
					oy := iy*p.StrideH - p.PadTop + ky*p.DilationH
					if oy < 0 || oy >= p.OutH {
						continue
					}
					for kx := 0; kx < cc.kw; kx++ {
						ox := ix*p.StrideW - p.PadLeft + kx*p.DilationW
						if ox < 0 || ox >= p.OutW {
							continue
						}
						for f := 0; f < cc.f; f++ {
							o := ((n*p.OutH+oy)*p.OutW+ox)*cc.f + f
							for c := 0; c < cc.c; c++ {
								i := ((n*cc.h+iy)*cc.w+ix)*cc.c + c
								k := ((ky*cc.kw+kx)*cc.f+f)*cc.c + c
								want[o] += xv[i] * wv[k]
								dx[i] += rv[o] * wv[k]
								dw[k] += rv[o] * xv[i]
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
	x := gorgonia.NodeFromAny(g, toDtype(xv, dt, cc.n, cc.h, cc.w, cc.c), gorgonia.WithName("x"))
	w := gorgonia.NodeFromAny(g, toDtype(wv, dt, cc.kh, cc.kw, cc.f, cc.c), gorgonia.WithName("w"))
	wrt := gorgonia.Nodes{x, w}
	var b *gorgonia.Node
	if cc.bias {
		b = gorgonia.NodeFromAny(g, toDtype(bv, dt, cc.f), gorgonia.WithName("b"))
		wrt = append(wrt, b)
	}
	r := gorgonia.NodeFromAny(g, toDtype(rv, dt, cc.n, p.OutH, p.OutW, cc.f), gorgonia.WithName("r"))
	y, err := ops.ConvTranspose2D(x, w, b, p, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := (tensor.Shape{cc.n, p.OutH, p.OutW, cc.f}); !y.Shape().Eq(want) {
		t.Fatalf("shape %v, want %v", y.Shape(), want)
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
	for run := 0; run < 2; run++ {
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
		vm.Reset()
		for _, n := range wrt {
			gv, _ := n.Grad()
			if d, ok := gv.(*tensor.Dense); ok {
				d.Zero()
			}
		}
	}
}

// TestConvTranspose2DGradCheck checks the gradients against finite
// differences.
func TestConvTranspose2DGradCheck(t *testing.T) {
	cc := convTCases[2]
	rng := rand.New(rand.NewSource(4))
	inputs := []*tensor.Dense{
		toDtype(randSlice(rng, cc.n*cc.h*cc.w*cc.c), tensor.Float64, cc.n, cc.h, cc.w, cc.c),
		toDtype(randSlice(rng, cc.kh*cc.kw*cc.f*cc.c), tensor.Float64, cc.kh, cc.kw, cc.f, cc.c),
		toDtype(randSlice(rng, cc.f), tensor.Float64, cc.f),
	}
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.ConvTranspose2D(in[0], in[1], in[2], cc.p, true)
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(gorgonia.Must(gorgonia.Square(y)))
	}, inputs, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConvTranspose2DErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(2, 5, 5, 3), gorgonia.WithName("x"))
	for _, tc := range []struct {
		name  string
		w     tensor.Shape
		p     ops.ConvTransposeParams
		error string
	}{
		{"channels", tensor.Shape{3, 3, 4, 2}, tparams(1, 1, 0, 0, 7, 7), "input has 3 channels, kernel expects 2"},
		{"stride", tensor.Shape{3, 3, 4, 3}, tparams(0, 1, 0, 0, 7, 7), "must be > 0"},
		{"output", tensor.Shape{3, 3, 4, 3}, tparams(1, 1, 0, 0, 0, 7), "output 0x7"},
	} {
		w := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(tc.w...), gorgonia.WithName("w_"+tc.name))
		_, err := ops.ConvTranspose2D(x, w, nil, tc.p, true)
		if err == nil || !contains(err.Error(), tc.error) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.error)
		}
	}
}

// TestConvNoInputGrad checks that leaving out x's gradient still gives
// the kernel's and the bias's, for the transposed and the 3-D convolution.
func TestConvNoInputGrad(t *testing.T) {
	for _, tc := range []struct {
		name   string
		x, w   tensor.Shape
		conv   func(x, w, b *gorgonia.Node) (*gorgonia.Node, error)
		dw, db float64 // every value of the gradients, with x and w ones
	}{
		// Each kernel tap of a valid 1-stride transposed convolution meets
		// every input once: 2 samples x 9 positions.
		{"transpose", tensor.Shape{2, 3, 3, 1}, tensor.Shape{2, 2, 2, 1}, func(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
			return ops.ConvTranspose2D(x, w, b, tparams(1, 1, 0, 0, 4, 4), false)
		}, 18, 32},
		{"3d", tensor.Shape{2, 3, 3, 3, 1}, tensor.Shape{2, 2, 2, 1, 2}, func(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
			return ops.Conv3D(x, w, b, ops.Conv3DParams{Strides: [3]int{1, 1, 1}, Dilations: [3]int{1, 1, 1}}, false)
		}, 16, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := gorgonia.NewGraph()
			x := gorgonia.NewTensor(g, tensor.Float64, len(tc.x), gorgonia.WithShape(tc.x...), gorgonia.WithName("x"), gorgonia.WithInit(gorgonia.Ones()))
			w := gorgonia.NewTensor(g, tensor.Float64, len(tc.w), gorgonia.WithShape(tc.w...), gorgonia.WithName("w"), gorgonia.WithInit(gorgonia.Ones()))
			f := tc.w[len(tc.w)-1]
			if tc.name == "transpose" {
				f = tc.w[2]
			}
			b := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(f), gorgonia.WithName("b"), gorgonia.WithInit(gorgonia.Zeroes()))
			y, err := tc.conv(x, w, b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := gorgonia.Grad(gorgonia.Must(gorgonia.Sum(y)), w, b); err != nil {
				t.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w, b))
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			gw, _ := w.Grad()
			gb, _ := b.Grad()
			for _, v := range float64s(t, gw) {
				if v != tc.dw {
					t.Fatalf("dw %v, want all %v", float64s(t, gw), tc.dw)
				}
			}
			for _, v := range float64s(t, gb) {
				if v != tc.db {
					t.Fatalf("db %v, want all %v", float64s(t, gb), tc.db)
				}
			}
		})
	}
}
