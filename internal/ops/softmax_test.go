package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

func run(t *testing.T, f func(*gorgonia.Node, int) (*gorgonia.Node, error), vals []float64) []float64 {
	t.Helper()
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(vals))))
	out, err := f(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), out.Value().Data().([]float64)...)
}

// Rows far apart are where Gorgonia's own SoftMax returns NaN.
func TestSoftmaxRowsFarApart(t *testing.T) {
	x := []float64{1000, 0, 0, 0, 0, 0}
	sm := run(t, ops.Softmax, x)
	want := []float64{1, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3}
	for i := range want {
		if math.Abs(sm[i]-want[i]) > 1e-12 {
			t.Errorf("softmax[%d] = %v, want %v", i, sm[i], want[i])
		}
	}
	lsm := run(t, ops.LogSoftmax, x)
	wantLog := []float64{0, -1000, -1000, -math.Log(3), -math.Log(3), -math.Log(3)}
	for i := range wantLog {
		if math.Abs(lsm[i]-wantLog[i]) > 1e-9 {
			t.Errorf("log softmax[%d] = %v, want %v", i, lsm[i], wantLog[i])
		}
	}
}

func TestSoftmaxGradients(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0.3, -1.2, 2, 40, 41, 39.5}))
	weights := []float64{0.7, -0.4, 1.3, -0.9, 0.2, 0.5}
	for name, f := range map[string]func(*gorgonia.Node, int) (*gorgonia.Node, error){"softmax": ops.Softmax, "log softmax": ops.LogSoftmax} {
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			out, err := f(in[0], 1)
			if err != nil {
				return nil, err
			}
			r := gorgonia.NewConstant(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(weights)))
			p, err := gorgonia.HadamardProd(out, r)
			if err != nil {
				return nil, err
			}
			return gorgonia.Sum(p)
		}, []*tensor.Dense{x}, gradcheck.Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
