package gradcheck_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
)

func randDense(rng *rand.Rand, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

type buildFunc = func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error)

func sumSquares(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
	sq, err := gorgonia.Square(in[0])
	if err != nil {
		return nil, err
	}
	return gorgonia.Sum(sq)
}

func sumTanhWx(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
	wx, err := gorgonia.Mul(in[0], in[1])
	if err != nil {
		return nil, err
	}
	t, err := gorgonia.Tanh(wx)
	if err != nil {
		return nil, err
	}
	return gorgonia.Sum(t)
}

func TestCheckPasses(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	tests := []struct {
		name   string
		build  buildFunc
		inputs []*tensor.Dense
	}{
		{"x^2 vector", sumSquares, []*tensor.Dense{randDense(rng, 5)}},
		{"x^2 matrix", sumSquares, []*tensor.Dense{randDense(rng, 3, 4)}},
		{"x^2 scalar", func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			return gorgonia.Mul(in[0], in[0])
		}, []*tensor.Dense{tensor.New(tensor.FromScalar(1.5))}},
		{"sum tanh(W·x) matrix-vector", sumTanhWx, []*tensor.Dense{randDense(rng, 4, 3), randDense(rng, 3)}},
		{"sum tanh(W·x) matrix-matrix", sumTanhWx, []*tensor.Dense{randDense(rng, 2, 3), randDense(rng, 3, 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := gradcheck.Check(tt.build, tt.inputs, gradcheck.Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCheckLeavesInputsAlone(t *testing.T) {
	x := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, -2, 3}))
	if err := gradcheck.Check(sumSquares, []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{1, -2, 3} {
		if got := x.Float64s()[i]; got != want {
			t.Errorf("input element %d = %v after Check, want %v", i, got, want)
		}
	}
}

func TestCheckFails(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	tests := []struct {
		name   string
		build  buildFunc
		inputs []*tensor.Dense
		want   string // substring of the error
	}{
		{
			// At the kink of relu the central difference is 0.5 while the
			// symbolic gradient is 0 or 1.
			name: "relu at its kink",
			build: func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				r, err := gorgonia.Rectify(in[0])
				if err != nil {
					return nil, err
				}
				return gorgonia.Sum(r)
			},
			inputs: []*tensor.Dense{tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, 0}))},
			want:   `node 0 ("input0") element 1 [1]: symbolic gradient`,
		},
		{
			name:   "float32 input",
			build:  sumSquares,
			inputs: []*tensor.Dense{tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))},
			want:   "input 0 must be float64, got float32",
		},
		{
			name: "cost not scalar",
			build: func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				return gorgonia.Square(in[0])
			},
			inputs: []*tensor.Dense{randDense(rng, 3)},
			want:   "cost must be a scalar, got shape (3)",
		},
		{
			name: "build error",
			build: func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				return nil, errors.New("boom")
			},
			inputs: []*tensor.Dense{randDense(rng, 3)},
			want:   "build: boom",
		},
		{
			name: "build panics",
			build: func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				panic("kaboom")
			},
			inputs: []*tensor.Dense{randDense(rng, 3)},
			want:   "panic: kaboom",
		},
		{
			name: "shape mismatch inside gorgonia",
			build: func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
				p, err := gorgonia.Mul(in[0], in[1])
				if err != nil {
					return nil, err
				}
				return gorgonia.Sum(p)
			},
			inputs: []*tensor.Dense{randDense(rng, 2, 3), randDense(rng, 2, 3)},
			want:   "build",
		},
		{
			name:   "no inputs",
			build:  sumSquares,
			inputs: nil,
			want:   "no inputs",
		},
		{
			name:   "nil build",
			build:  nil,
			inputs: []*tensor.Dense{randDense(rng, 3)},
			want:   "build is nil",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := gradcheck.Check(tt.build, tt.inputs, gradcheck.Options{})
			if err == nil {
				t.Fatal("Check returned nil, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestGraph(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	g := gorgonia.NewGraph()
	w := randDense(rng, 2, 3)
	orig := w.Clone().(*tensor.Dense)
	x := randDense(rng, 3)
	wn := gorgonia.NewTensor(g, tensor.Float64, 2, gorgonia.WithShape(2, 3), gorgonia.WithName("w"), gorgonia.WithValue(w))
	xn := gorgonia.NewTensor(g, tensor.Float64, 1, gorgonia.WithShape(3), gorgonia.WithName("x"), gorgonia.WithValue(x))
	cost, err := sumTanhWx(g, []*gorgonia.Node{wn, xn})
	if err != nil {
		t.Fatal(err)
	}
	if err := gradcheck.Graph(cost, []*gorgonia.Node{wn}, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
	for i, v := range orig.Float64s() {
		if w.Float64s()[i] != v {
			t.Fatalf("weight element %d = %v after Graph, want it restored to %v", i, w.Float64s()[i], v)
		}
	}
}

func TestGraphErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float64, 1, gorgonia.WithShape(2), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))))
	unbound := gorgonia.NewTensor(g, tensor.Float64, 1, gorgonia.WithShape(2), gorgonia.WithName("u"))
	cost, err := gorgonia.Sum(x)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cost *gorgonia.Node
		wrt  []*gorgonia.Node
		want string
	}{
		{"nil cost", nil, []*gorgonia.Node{x}, "cost node is nil"},
		{"no wrt", cost, nil, "no nodes"},
		{"unbound node", cost, []*gorgonia.Node{unbound}, `node 0 ("u") must be bound to a *tensor.Dense`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := gradcheck.Graph(tt.cost, tt.wrt, gradcheck.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Graph error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func ExampleCheck() {
	// The gradient of sum(x^2) is 2x.
	x := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, -2, 0.5}))
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		sq, err := gorgonia.Square(in[0])
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(sq)
	}, []*tensor.Dense{x}, gradcheck.Options{})
	fmt.Println(err)
	// Output: <nil>
}
