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

// layoutRun runs f on a node bound to a copy of xv twice (the second run
// reuses the op's buffers) and returns the output values of the second run
// as float64s; it fails the test if the input changed.
func layoutRun(t *testing.T, f func(*gorgonia.Node) (*gorgonia.Node, error), xv *tensor.Dense) (tensor.Shape, []float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	in := xv.Clone().(*tensor.Dense)
	x := gorgonia.NewTensor(g, xv.Dtype(), xv.Dims(), gorgonia.WithShape(xv.Shape()...), gorgonia.WithName("x"), gorgonia.WithValue(in))
	out, err := f(x)
	if err != nil {
		t.Fatal(err)
	}
	// An in-place op after the layout op, as a layer's next op may be.
	one := gorgonia.NewConstant(1.0)
	if xv.Dtype() == tensor.Float32 {
		one = gorgonia.NewConstant(float32(1))
	}
	plus, err := gorgonia.Add(out, one)
	if err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	for i := 0; i < 2; i++ {
		m.Reset()
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
	}
	if !layoutEqual(layoutFloats(in), layoutFloats(xv)) {
		t.Errorf("the input changed from %v to %v", xv.Data(), in.Data())
	}
	got := layoutFloats(plus.Value().(*tensor.Dense))
	for i := range got {
		got[i]--
	}
	return out.Shape(), got
}

func layoutFloats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

func layoutEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// layoutImages is an [n, h, w, c] tensor of dtype dt holding 1, 2, 3...
func layoutImages(dt tensor.Dtype, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(i + 1)
		}
	case []float64:
		for i := range d {
			d[i] = float64(i + 1)
		}
	}
	return t
}

func layoutRandom(rng *rand.Rand, shape ...int) *tensor.Dense {
	v := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func TestPad2DValues(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		xv := layoutImages(dt, 2, 2, 3, 2)
		p := ops.Padding2D{Top: 1, Bottom: 2, Left: 0, Right: 1}
		shape, got := layoutRun(t, func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.Pad2D(x, p) }, xv)
		if want := (tensor.Shape{2, 5, 4, 2}); !shape.Eq(want) {
			t.Fatalf("%v: shape %v, want %v", dt, shape, want)
		}
		src := layoutFloats(xv)
		for b := 0; b < 2; b++ {
			for i := 0; i < 5; i++ {
				for j := 0; j < 4; j++ {
					for k := 0; k < 2; k++ {
						want := 0.0
						if si, sj := i-1, j; si >= 0 && si < 2 && sj < 3 {
							want = src[((b*2+si)*3+sj)*2+k]
						}
						if v := got[((b*5+i)*4+j)*2+k]; v != want {
							t.Fatalf("%v: out[%d,%d,%d,%d] = %v, want %v", dt, b, i, j, k, v, want)
						}
					}
				}
			}
		}
		// Crop undoes Pad.
		_, back := layoutRun(t, func(x *gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Pad2D(x, p)
			if err != nil {
				return nil, err
			}
			return ops.Crop2D(y, p)
		}, xv)
		if !layoutEqual(back, src) {
			t.Errorf("%v: crop(pad(x)) = %v, want %v", dt, back, src)
		}
	}
}

func TestPad2DGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, p := range []ops.Padding2D{{1, 1, 1, 1}, {0, 2, 3, 0}, {2, 0, 0, 1}} {
		r := layoutRandom(rng, 2, 3+p.Top+p.Bottom, 2+p.Left+p.Right, 3)
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Pad2D(in[0], p)
			if err != nil {
				return nil, err
			}
			// Crop a padded, squared copy back, to check Crop2D's gradient too.
			sq, err := gorgonia.Square(y)
			if err != nil {
				return nil, err
			}
			c, err := ops.Crop2D(sq, ops.Padding2D{Top: p.Top, Left: p.Left})
			if err != nil {
				return nil, err
			}
			c, err = ops.Pad2D(c, ops.Padding2D{Top: p.Top, Left: p.Left})
			if err != nil {
				return nil, err
			}
			rn := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(r.Shape()...), gorgonia.WithName("r"), gorgonia.WithValue(r))
			prod, err := gorgonia.HadamardProd(c, rn)
			if err != nil {
				return nil, err
			}
			return gorgonia.Sum(prod)
		}, []*tensor.Dense{layoutRandom(rng, 2, 3, 2, 3)}, gradcheck.Options{})
		if err != nil {
			t.Errorf("padding %+v: %v", p, err)
		}
	}
}

func TestPad2DErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x4 := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(1, 2, 2, 1), gorgonia.WithName("x4"))
	x2 := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("x2"))
	tests := []struct {
		name string
		f    func() (*gorgonia.Node, error)
		want string
	}{
		{"negative", func() (*gorgonia.Node, error) { return ops.Pad2D(x4, ops.Padding2D{Top: -1}) }, "negative padding"},
		{"rank", func() (*gorgonia.Node, error) { return ops.Pad2D(x2, ops.Padding2D{Top: 1}) }, "[batch, height, width, channels]"},
		{"crop too much", func() (*gorgonia.Node, error) { return ops.Crop2D(x4, ops.Padding2D{Top: 1, Bottom: 1}) }, "cannot crop"},
		{"nil", func() (*gorgonia.Node, error) { return ops.Pad2D(nil, ops.Padding2D{}) }, "nil input"},
	}
	for _, tt := range tests {
		if _, err := tt.f(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// Two pads of the same node are two nodes: each op owns its buffer.
func TestPad2DNodesAreDistinct(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float64, 4, gorgonia.WithShape(1, 2, 2, 1), gorgonia.WithName("x"))
	a, err := ops.Pad2D(x, ops.Padding2D{Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ops.Pad2D(x, ops.Padding2D{Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two Pad2D nodes on the same input were merged")
	}
}
