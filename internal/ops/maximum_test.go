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

// TestMaximumMinimumValues checks values and gradients by hand, ties and
// NaNs included, over two runs of one machine (the buffers are reused).
func TestMaximumMinimumValues(t *testing.T) {
	a := []float64{1, 5, 2, 2, -1, math.NaN()}
	b := []float64{3, 4, 2, 7, -1, 0}
	c := []float64{0, 6, 1, 7, -3, 9}
	r := []float64{1, 2, 3, 4, 5, 6}
	tests := []struct {
		name       string
		f          func(...*gorgonia.Node) (*gorgonia.Node, error)
		want       []float64
		da, db, dc []float64
	}{
		{"maximum", ops.Maximum,
			[]float64{3, 6, 2, 7, -1, math.NaN()},
			[]float64{0, 0, 3, 0, 5, 6}, []float64{1, 0, 0, 4, 0, 0}, []float64{0, 2, 0, 0, 0, 0}},
		{"minimum", ops.Minimum,
			[]float64{0, 4, 1, 2, -3, math.NaN()},
			[]float64{0, 0, 0, 4, 0, 6}, []float64{0, 2, 0, 0, 0, 0}, []float64{1, 0, 3, 0, 5, 0}},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			g := gorgonia.NewGraph()
			xa := gorgonia.NodeFromAny(g, toDtype(a, dt, 2, 3), gorgonia.WithName("a"))
			xb := gorgonia.NodeFromAny(g, toDtype(b, dt, 2, 3), gorgonia.WithName("b"))
			xc := gorgonia.NodeFromAny(g, toDtype(c, dt, 2, 3), gorgonia.WithName("c"))
			xr := gorgonia.NodeFromAny(g, toDtype(r, dt, 2, 3), gorgonia.WithName("r"))
			y, err := tt.f(xa, xb, xc)
			if err != nil {
				t.Fatal(err)
			}
			if !y.Shape().Eq(tensor.Shape{2, 3}) || y.Dims() != 2 {
				t.Fatalf("%s: shape %v, want (2, 3)", tt.name, y.Shape())
			}
			var yv gorgonia.Value
			gorgonia.Read(y, &yv)
			cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, xr))))
			if _, err := gorgonia.Grad(cost, xa, xb, xc); err != nil {
				t.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(xa, xb, xc))
			for run := 0; run < 2; run++ {
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				got := float64s(t, yv)
				if !math.IsNaN(got[5]) {
					t.Fatalf("%s %v: element 5 = %v, want NaN", tt.name, dt, got[5])
				}
				close(t, tt.name, got[:5], tt.want[:5], 0)
				for _, in := range []struct {
					x    *gorgonia.Node
					want []float64
				}{{xa, tt.da}, {xb, tt.db}, {xc, tt.dc}} {
					gv, err := in.x.Grad()
					if err != nil {
						t.Fatal(err)
					}
					close(t, tt.name+" d"+in.x.Name(), float64s(t, gv), in.want, 0)
					gv.(*tensor.Dense).Zero()
				}
				vm.Reset()
			}
			vm.Close()
		}
	}
}

func TestMaximumMinimumGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	var inputs []*tensor.Dense
	for i := 0; i < 3; i++ {
		inputs = append(inputs, toDtype(randSlice(rng, 24), tensor.Float64, 2, 3, 4))
	}
	for _, f := range []func(...*gorgonia.Node) (*gorgonia.Node, error){ops.Maximum, ops.Minimum} {
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			y, err := f(in...)
			if err != nil {
				return nil, err
			}
			return gorgonia.Sum(gorgonia.Must(gorgonia.Square(y)))
		}, inputs, gradcheck.Options{})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestMaximumDistinctNodes checks that two maxima of the same inputs are
// separate nodes (ops hash by an id of their own).
func TestMaximumDistinctNodes(t *testing.T) {
	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("a"))
	b := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("b"))
	y1, err := ops.Maximum(a, b)
	if err != nil {
		t.Fatal(err)
	}
	y2, err := ops.Maximum(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if y1 == y2 {
		t.Fatal("two Maximum nodes were merged")
	}
}

func TestMaximumErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("a"))
	b := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(3, 2), gorgonia.WithName("b"))
	c := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("c"))
	s := gorgonia.NewScalar(g, tensor.Float64, gorgonia.WithName("s"))
	tests := []struct {
		name string
		xs   []*gorgonia.Node
		want string
	}{
		{"none", nil, "maximum: no inputs"},
		{"nil", []*gorgonia.Node{a, nil}, "maximum: input 1 is nil"},
		{"scalar", []*gorgonia.Node{s, s}, "maximum: input 0 is a scalar"},
		{"shape", []*gorgonia.Node{a, b}, "maximum: input 1 is (3, 2)"},
		{"dtype", []*gorgonia.Node{a, c}, "maximum: input 1 is (2, 3) float32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ops.Maximum(tt.xs...)
			if err == nil || !contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
