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

// CopyReshape exists because gorgonia.Reshape shares its input's memory and
// the next op may then write into it in place; this test shows the problem
// is real (if Gorgonia fixes it, the first half fails and CopyReshape can
// go) and that CopyReshape does not have it.
func TestCopyReshapeLeavesItsInputAlone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reshape func(*gorgonia.Node, tensor.Shape) (*gorgonia.Node, error)
		changes bool
	}{
		{"gorgonia.Reshape", gorgonia.Reshape, true},
		{"ops.CopyReshape", ops.CopyReshape, false},
	} {
		g := gorgonia.NewGraph()
		xv := tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
		x := gorgonia.NewTensor(g, tensor.Float64, 3, gorgonia.WithShape(2, 3, 2), gorgonia.WithName("x"), gorgonia.WithValue(xv))
		x2, err := tc.reshape(x, tensor.Shape{6, 2})
		if err != nil {
			t.Fatal(err)
		}
		y, err := gorgonia.Add(x2, gorgonia.NewConstant(1.0))
		if err != nil {
			t.Fatal(err)
		}
		m := gorgonia.NewTapeMachine(g)
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		m.Close()
		if got := y.Value().Data().([]float64)[0]; got != 2 {
			t.Errorf("%s: y[0] = %v, want 2", tc.name, got)
		}
		if changed := xv.Data().([]float64)[0] != 1; changed != tc.changes {
			t.Errorf("%s: input changed: %v, want %v (x is now %v)", tc.name, changed, tc.changes, xv.Data())
		}
	}
}

func TestCopyReshapeValuesAndGradient(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		xv := layoutImages(dt, 2, 3, 2)
		shape, got := layoutRun(t, func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.CopyReshape(x, tensor.Shape{3, 4}) }, xv)
		if !shape.Eq(tensor.Shape{3, 4}) || !layoutEqual(got, layoutFloats(xv)) {
			t.Errorf("%v: got %v %v, want (3, 4) %v", dt, shape, got, layoutFloats(xv))
		}
	}
	rng := rand.New(rand.NewSource(3))
	r := layoutRandom(rng, 6, 2)
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, err := ops.CopyReshape(in[0], tensor.Shape{6, 2})
		if err != nil {
			return nil, err
		}
		if y, err = gorgonia.Square(y); err != nil {
			return nil, err
		}
		rn := gorgonia.NewTensor(g, tensor.Float64, 2, gorgonia.WithShape(6, 2), gorgonia.WithName("r"), gorgonia.WithValue(r))
		if y, err = gorgonia.HadamardProd(y, rn); err != nil {
			return nil, err
		}
		return gorgonia.Sum(y)
	}, []*tensor.Dense{layoutRandom(rng, 2, 3, 2)}, gradcheck.Options{})
	if err != nil {
		t.Error(err)
	}
}

func TestCopyReshapeErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	for _, tc := range []struct {
		to   tensor.Shape
		want string
	}{
		{tensor.Shape{4, 2}, "cannot reshape (2, 3) (6 values) to (4, 2) (8 values)"},
		{tensor.Shape{-1, 6}, "dimension <= 0"},
		{tensor.Shape{}, "both must be tensors"},
	} {
		if _, err := ops.CopyReshape(x, tc.to); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("to %v: error %v, want it to contain %q", tc.to, err, tc.want)
		}
	}
	if _, err := ops.CopyReshape(nil, tensor.Shape{1}); err == nil {
		t.Error("nil input: no error")
	}
}
