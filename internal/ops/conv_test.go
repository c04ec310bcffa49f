package ops_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

type convCase struct {
	n, h, w, c, kh, kw, f int
	p                     ops.ConvParams
	bias                  bool
}

func (cc convCase) String() string {
	return fmt.Sprintf("x%dx%dx%dx%d_k%dx%dx%d_%+v_bias%v", cc.n, cc.h, cc.w, cc.c, cc.kh, cc.kw, cc.f, cc.p, cc.bias)
}

func params(s, d, pt, pb, pl, pr int) ops.ConvParams {
	return ops.ConvParams{StrideH: s, StrideW: s, DilationH: d, DilationW: d, PadTop: pt, PadBottom: pb, PadLeft: pl, PadRight: pr}
}

var convCases = []convCase{
	{2, 5, 5, 1, 3, 3, 2, params(1, 1, 0, 0, 0, 0), true},
	{3, 6, 7, 2, 3, 3, 4, params(1, 1, 1, 1, 1, 1), true},
	{2, 7, 6, 3, 2, 3, 2, params(2, 1, 0, 1, 1, 1), false},
	{2, 8, 8, 2, 3, 3, 3, params(1, 2, 2, 2, 2, 2), true},
	{1, 9, 5, 2, 1, 1, 3, params(2, 1, 0, 0, 0, 0), true},
	{2, 4, 4, 2, 4, 4, 2, params(3, 1, 1, 2, 2, 1), true},
	// Grouped: two groups, and depthwise (a group per channel, two
	// outputs each).
	{2, 5, 6, 4, 3, 3, 6, grouped(params(1, 1, 1, 1, 1, 1), 2), true},
	{2, 6, 5, 3, 3, 2, 6, grouped(params(2, 1, 1, 0, 0, 1), 3), false},
	{1, 7, 7, 4, 3, 3, 4, grouped(params(1, 2, 2, 2, 2, 2), 4), true},
}

func grouped(p ops.ConvParams, groups int) ops.ConvParams {
	p.Groups = groups
	return p
}

// groups is the case's number of groups, at least 1.
func (cc convCase) groups() int { return max(cc.p.Groups, 1) }

// naive is the reference convolution: a direct sum in float64.
type naive struct {
	convCase
	oh, ow int
}

func newNaive(cc convCase) naive {
	return naive{cc,
		ops.ConvOutSize(cc.h, cc.kh, cc.p.StrideH, cc.p.DilationH, cc.p.PadTop+cc.p.PadBottom),
		ops.ConvOutSize(cc.w, cc.kw, cc.p.StrideW, cc.p.DilationW, cc.p.PadLeft+cc.p.PadRight)}
}

// each calls fn for every (output, input, kernel) index triple that a
// multiply-add of the convolution touches.
func (nv naive) each(fn func(o, i, k int)) {
	for n := 0; n < nv.n; n++ {
		for oy := 0; oy < nv.oh; oy++ {
			for ox := 0; ox < nv.ow; ox++ {
				for f := 0; f < nv.f; f++ {
					o := ((n*nv.oh+oy)*nv.ow+ox)*nv.f + f
					for ky := 0; ky < nv.kh; ky++ {
						iy := oy*nv.p.StrideH - nv.p.PadTop + ky*nv.p.DilationH
						if iy < 0 || iy >= nv.h {
							continue
						}
						for kx := 0; kx < nv.kw; kx++ {
							ix := ox*nv.p.StrideW - nv.p.PadLeft + kx*nv.p.DilationW
							if ix < 0 || ix >= nv.w {
								continue
							}
							cg := nv.c / nv.groups()
							c0 := f / (nv.f / nv.groups()) * cg
							for c := 0; c < cg; c++ {
								fn(o, ((n*nv.h+iy)*nv.w+ix)*nv.c+c0+c, ((ky*nv.kw+kx)*cg+c)*nv.f+f)
							}
						}
					}
				}
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

func toDtype(v []float64, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

func float64s(t *testing.T, v gorgonia.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	}
	t.Fatalf("unexpected data %T", v.Data())
	return nil
}

func close(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestConv2DMatchesDirectSum checks the op's output and its three
// gradients against a direct sum, in float32 and float64, for strides,
// dilations, asymmetric padding, no bias, and with the patch buffer limited
// so that the batch is processed in chunks.
func TestConv2DMatchesDirectSum(t *testing.T) {
	for _, limit := range []int{ops.ColsLimit, 1} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			for i, cc := range convCases {
				cc.p.ReLU = i%2 == 1 // half the cases with the ReLU fused
				t.Run(fmt.Sprintf("%v/limit%d/%v", dt, limit, cc), func(t *testing.T) {
					old := ops.ColsLimit
					ops.ColsLimit = limit
					defer func() { ops.ColsLimit = old }()
					checkConv(t, cc, dt)
				})
			}
		}
	}
}

func checkConv(t *testing.T, cc convCase, dt tensor.Dtype) {
	rng := rand.New(rand.NewSource(1))
	nv := newNaive(cc)
	xv := randSlice(rng, cc.n*cc.h*cc.w*cc.c)
	wv := randSlice(rng, cc.kh*cc.kw*cc.c/cc.groups()*cc.f)
	bv := randSlice(rng, cc.f)
	rv := randSlice(rng, cc.n*nv.oh*nv.ow*cc.f)

	want := make([]float64, len(rv))
	for o := range want {
		if cc.bias {
			want[o] = bv[o%cc.f]
		}
	}
	dx, dw, db := make([]float64, len(xv)), make([]float64, len(wv)), make([]float64, cc.f)
	nv.each(func(o, i, k int) { want[o] += xv[i] * wv[k] })
	// With the ReLU fused, the output is max(0, ·) and the gradient flows
	// where it is positive only.
	re := append([]float64(nil), rv...)
	if cc.p.ReLU {
		for o := range want {
			if want[o] <= 0 {
				want[o], re[o] = 0, 0
			}
		}
	}
	nv.each(func(o, i, k int) {
		dx[i] += re[o] * wv[k]
		dw[k] += re[o] * xv[i]
	})
	for o, r := range re {
		db[o%cc.f] += r
	}

	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, toDtype(xv, dt, cc.n, cc.h, cc.w, cc.c), gorgonia.WithName("x"))
	w := gorgonia.NodeFromAny(g, toDtype(wv, dt, cc.kh, cc.kw, cc.c/cc.groups(), cc.f), gorgonia.WithName("w"))
	var b *gorgonia.Node
	wrt := gorgonia.Nodes{x, w}
	if cc.bias {
		b = gorgonia.NodeFromAny(g, toDtype(bv, dt, cc.f), gorgonia.WithName("b"))
		wrt = append(wrt, b)
	}
	r := gorgonia.NodeFromAny(g, toDtype(rv, dt, cc.n, nv.oh, nv.ow, cc.f), gorgonia.WithName("r"))
	y, err := ops.Conv2D(x, w, b, cc.p, true)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape{cc.n, nv.oh, nv.ow, cc.f}) {
		t.Fatalf("shape %v, want %v", y.Shape(), tensor.Shape{cc.n, nv.oh, nv.ow, cc.f})
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
	// Twice: the op reuses its buffers from run to run, and the gradients
	// accumulate in the dual values unless reset.
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

// TestConv2DGradCheck checks the op's gradients against finite differences.
func TestConv2DGradCheck(t *testing.T) {
	cc := convCases[2]
	cc.bias = true
	rng := rand.New(rand.NewSource(2))
	inputs := []*tensor.Dense{
		toDtype(randSlice(rng, cc.n*cc.h*cc.w*cc.c), tensor.Float64, cc.n, cc.h, cc.w, cc.c),
		toDtype(randSlice(rng, cc.kh*cc.kw*cc.c*cc.f), tensor.Float64, cc.kh, cc.kw, cc.c, cc.f),
		toDtype(randSlice(rng, cc.f), tensor.Float64, cc.f),
	}
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.Conv2D(in[0], in[1], in[2], cc.p, true)
		if err != nil {
			return nil, err
		}
		sq, err := gorgonia.Square(y)
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(sq)
	}, inputs, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConv2DNoInputGrad checks that leaving out x's gradient still gives
// the kernel's and the bias's.
func TestConv2DNoInputGrad(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(2, 5, 5, 1), gorgonia.WithName("x"), gorgonia.WithInit(gorgonia.Ones()))
	w := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(3, 3, 1, 2), gorgonia.WithName("w"), gorgonia.WithInit(gorgonia.Ones()))
	b := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(2), gorgonia.WithName("b"), gorgonia.WithInit(gorgonia.Zeroes()))
	y, err := ops.Conv2D(x, w, b, params(1, 1, 0, 0, 0, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(y))
	if _, err := gorgonia.Grad(cost, w, b); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w, b))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gw, _ := w.Grad()
	gb, _ := b.Grad()
	// Each kernel tap sees 2 samples x 9 positions of ones.
	close(t, "dw", float64s(t, gw), []float64{18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18}, 0)
	close(t, "db", float64s(t, gb), []float64{18, 18}, 0)
}

func TestConv2DErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(2, 5, 5, 3), gorgonia.WithName("x"))
	for _, tc := range []struct {
		name  string
		w     tensor.Shape
		p     ops.ConvParams
		error string
	}{
		{"channels", tensor.Shape{3, 3, 2, 4}, params(1, 1, 0, 0, 0, 0), "input has 3 channels, kernel expects 2"},
		{"too big", tensor.Shape{6, 6, 3, 4}, params(1, 1, 0, 0, 0, 0), "larger than the padded input 5x5"},
		{"dilated too big", tensor.Shape{3, 3, 3, 4}, params(1, 3, 0, 0, 0, 0), "larger than the padded input"},
		{"stride", tensor.Shape{3, 3, 3, 4}, params(0, 1, 0, 0, 0, 0), "must be > 0"},
		{"groups of channels", tensor.Shape{3, 3, 2, 4}, grouped(params(1, 1, 0, 0, 0, 0), 2), "input has 3 channels, kernel expects 2 groups of 2"},
		{"groups of filters", tensor.Shape{3, 3, 1, 4}, grouped(params(1, 1, 0, 0, 0, 0), 3), "4 output channels do not split into 3 groups"},
	} {
		w := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(tc.w...), gorgonia.WithName("w_"+tc.name))
		_, err := ops.Conv2D(x, w, nil, tc.p, true)
		if err == nil || !contains(err.Error(), tc.error) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.error)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
