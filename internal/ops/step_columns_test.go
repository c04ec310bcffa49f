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

func TestStepAndColumnsValues(t *testing.T) {
	// x [2, 3, 4]: x[b, s, w] = 100b + 10s + w.
	xv := make([]float64, 24)
	for b := 0; b < 2; b++ {
		for s := 0; s < 3; s++ {
			for w := 0; w < 4; w++ {
				xv[(b*3+s)*4+w] = float64(100*b + 10*s + w)
			}
		}
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		x := gorgonia.NodeFromAny(g, toDtype(xv, dt, 2, 3, 4), gorgonia.WithName("x"))
		st, err := ops.Step(x, 1)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := ops.Columns(st, 1, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Shape().Eq(tensor.Shape{2, 4}) || !cols.Shape().Eq(tensor.Shape{2, 2}) {
			t.Fatalf("shapes %v and %v, want (2, 4) and (2, 2)", st.Shape(), cols.Shape())
		}
		var sv, cv gorgonia.Value
		gorgonia.Read(st, &sv)
		gorgonia.Read(cols, &cv)
		r := gorgonia.NodeFromAny(g, toDtype([]float64{1, 2, 3, 4}, dt, 2, 2), gorgonia.WithName("r"))
		cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(cols, r))))
		if _, err := gorgonia.Grad(cost, x); err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(x))
		for run := 0; run < 2; run++ {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			close(t, "step", float64s(t, sv), []float64{10, 11, 12, 13, 110, 111, 112, 113}, 0)
			close(t, "columns", float64s(t, cv), []float64{11, 12, 111, 112}, 0)
			want := make([]float64, 24)
			want[1*4+1], want[1*4+2], want[(3+1)*4+1], want[(3+1)*4+2] = 1, 2, 3, 4
			gx, _ := x.Grad()
			close(t, "dx", float64s(t, gx), want, 0)
			gx.(*tensor.Dense).Zero()
			vm.Reset()
		}
		vm.Close()
	}
}

func TestStepAndColumnsGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	x := toDtype(randSlice(rng, 2*3*6), tensor.Float64, 2, 3, 6)
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		// Every step and three column blocks, each used in a cost of its
		// own weight, so that every gradient contributes.
		var total *gorgonia.Node
		for s := 0; s < 3; s++ {
			st, err := ops.Step(in[0], s)
			if err != nil {
				return nil, err
			}
			for k := 0; k < 3; k++ {
				c, err := ops.Columns(st, 2*k, 2*k+2)
				if err != nil {
					return nil, err
				}
				sq, err := gorgonia.Square(c)
				if err != nil {
					return nil, err
				}
				sum, err := gorgonia.Sum(sq)
				if err != nil {
					return nil, err
				}
				w := gorgonia.NewConstant(float64(1+s+3*k), gorgonia.WithName("w"+string(rune('a'+s+3*k))))
				term, err := gorgonia.Mul(sum, w)
				if err != nil {
					return nil, err
				}
				if total == nil {
					total = term
				} else if total, err = gorgonia.Add(total, term); err != nil {
					return nil, err
				}
			}
		}
		return total, nil
	}, []*tensor.Dense{x}, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStepAndColumnsErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x3 := gorgonia.NewTensor(g, tensor.Float64, 3, gorgonia.WithShape(2, 3, 4), gorgonia.WithName("x3"))
	x2 := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 4), gorgonia.WithName("x2"))
	xi := gorgonia.NewMatrix(g, tensor.Int, gorgonia.WithShape(2, 4), gorgonia.WithName("xi"))
	check := func(name string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}
	_, err := ops.Step(nil, 0)
	check("nil step", err, "nil input")
	_, err = ops.Step(x2, 0)
	check("step of a matrix", err, "want [batch, steps, width]")
	_, err = ops.Step(x3, 3)
	check("step out of range", err, "step 3 outside")
	_, err = ops.Columns(x3, 0, 1)
	check("columns of a 3-D tensor", err, "want [batch, width]")
	_, err = ops.Columns(x2, 2, 2)
	check("empty range", err, "not a non-empty range")
	_, err = ops.Columns(x2, 0, 5)
	check("range too wide", err, "not a non-empty range")
	_, err = ops.Columns(xi, 0, 1)
	check("int", err, "want float32 or float64")
}
