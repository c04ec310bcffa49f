package ops_test

import (
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

func TestUpsample2DValues(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, size := range [][2]int{{2, 2}, {1, 3}, {3, 1}, {2, 3}} {
			sh, sw := size[0], size[1]
			xv := layoutImages(dt, 2, 2, 3, 2)
			shape, got := layoutRun(t, func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.Upsample2D(x, sh, sw) }, xv)
			oh, ow := 2*sh, 3*sw
			if want := (tensor.Shape{2, oh, ow, 2}); !shape.Eq(want) {
				t.Fatalf("%v %dx%d: shape %v, want %v", dt, sh, sw, shape, want)
			}
			src := layoutFloats(xv)
			for b := 0; b < 2; b++ {
				for i := 0; i < oh; i++ {
					for j := 0; j < ow; j++ {
						for k := 0; k < 2; k++ {
							want := src[((b*2+i/sh)*3+j/sw)*2+k]
							if v := got[((b*oh+i)*ow+j)*2+k]; v != want {
								t.Fatalf("%v %dx%d: out[%d,%d,%d,%d] = %v, want %v", dt, sh, sw, b, i, j, k, v, want)
							}
						}
					}
				}
			}
			// Summing the blocks of the upsampled images gives sh*sw times x.
			_, sums := layoutRun(t, func(x *gorgonia.Node) (*gorgonia.Node, error) {
				y, err := ops.Upsample2D(x, sh, sw)
				if err != nil {
					return nil, err
				}
				return ops.BlockSum2D(y, sh, sw)
			}, xv)
			for i, v := range src {
				if sums[i] != v*float64(sh*sw) {
					t.Fatalf("%v %dx%d: block sum %d = %v, want %v", dt, sh, sw, i, sums[i], v*float64(sh*sw))
				}
			}
		}
	}
}

func TestUpsample2DGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, size := range [][2]int{{2, 2}, {1, 3}, {3, 2}} {
		sh, sw := size[0], size[1]
		r := layoutRandom(rng, 2, 3, 2, 3)
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Upsample2D(in[0], sh, sw)
			if err != nil {
				return nil, err
			}
			// Sum the blocks of a squared copy back, to check BlockSum2D's
			// gradient too.
			sq, err := gorgonia.Square(y)
			if err != nil {
				return nil, err
			}
			s, err := ops.BlockSum2D(sq, sh, sw)
			if err != nil {
				return nil, err
			}
			rn := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(r.Shape()...), gorgonia.WithName("r"), gorgonia.WithValue(r))
			prod, err := gorgonia.HadamardProd(s, rn)
			if err != nil {
				return nil, err
			}
			return gorgonia.Sum(prod)
		}, []*tensor.Dense{layoutRandom(rng, 2, 3, 2, 3)}, gradcheck.Options{})
		if err != nil {
			t.Errorf("size %dx%d: %v", sh, sw, err)
		}
	}
}

func TestUpsample2DErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x4 := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(1, 3, 2, 1), gorgonia.WithName("x4"))
	x2 := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("x2"))
	tests := []struct {
		name string
		f    func() (*gorgonia.Node, error)
		want string
	}{
		{"zero size", func() (*gorgonia.Node, error) { return ops.Upsample2D(x4, 0, 2) }, "size must be > 0"},
		{"rank", func() (*gorgonia.Node, error) { return ops.Upsample2D(x2, 2, 2) }, "[batch, height, width, channels]"},
		{"blocks", func() (*gorgonia.Node, error) { return ops.BlockSum2D(x4, 2, 2) }, "not made of 2x2 blocks"},
		{"nil", func() (*gorgonia.Node, error) { return ops.BlockSum2D(nil, 2, 2) }, "nil input"},
	}
	for _, tt := range tests {
		if _, err := tt.f(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
