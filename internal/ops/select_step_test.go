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

func TestSelectStepValuesAndGradients(t *testing.T) {
	// mask [3, 2]: step 1 is valid for samples 0 and 2, padding for 1.
	maskVals := []float64{1, 1, 1, 0, 0, 1}
	next := []float64{1, 2, 3, 4, 5, 6}
	prev := []float64{-1, -2, -3, -4, -5, -6}
	r := []float64{10, 20, 30, 40, 50, 60}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, withPrev := range []bool{true, false} {
			g := gorgonia.NewGraph()
			m := gorgonia.NodeFromAny(g, toDtype(maskVals, dt, 3, 2), gorgonia.WithName("mask"))
			n := gorgonia.NodeFromAny(g, toDtype(next, dt, 3, 2), gorgonia.WithName("next"))
			p := gorgonia.NodeFromAny(g, toDtype(prev, dt, 3, 2), gorgonia.WithName("prev"))
			rn := gorgonia.NodeFromAny(g, toDtype(r, dt, 3, 2), gorgonia.WithName("r"))
			var pn *gorgonia.Node
			if withPrev {
				pn = p
			}
			y, err := ops.SelectStep(m, 1, n, pn)
			if err != nil {
				t.Fatal(err)
			}
			var yv gorgonia.Value
			gorgonia.Read(y, &yv)
			cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn))))
			wrt := gorgonia.Nodes{n}
			if withPrev {
				wrt = append(wrt, p)
			}
			if _, err := gorgonia.Grad(cost, wrt...); err != nil {
				t.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(wrt...))
			for run := 0; run < 2; run++ {
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				want := []float64{1, 2, -3, -4, 5, 6}
				if !withPrev {
					want = []float64{1, 2, 0, 0, 5, 6}
				}
				close(t, "select", float64s(t, yv), want, 0)
				gn, _ := n.Grad()
				close(t, "d next", float64s(t, gn), []float64{10, 20, 0, 0, 50, 60}, 0)
				gn.(*tensor.Dense).Zero()
				if withPrev {
					gp, _ := p.Grad()
					close(t, "d prev", float64s(t, gp), []float64{0, 0, 30, 40, 0, 0}, 0)
					gp.(*tensor.Dense).Zero()
				}
				vm.Reset()
			}
			vm.Close()
		}
	}
}

func TestSelectStepGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	mask := toDtype([]float64{1, 0, 1, 0, 1, 1, 0, 0}, tensor.Float64, 2, 4)
	for step := 0; step < 4; step++ {
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			m := gorgonia.NodeFromAny(g, mask, gorgonia.WithName("mask"))
			y, err := ops.SelectStep(m, step, in[0], in[1])
			if err != nil {
				return nil, err
			}
			sq, err := gorgonia.Square(y)
			if err != nil {
				return nil, err
			}
			return gorgonia.Sum(sq)
		}, []*tensor.Dense{toDtype(randSlice(rng, 6), tensor.Float64, 2, 3), toDtype(randSlice(rng, 6), tensor.Float64, 2, 3)}, gradcheck.Options{})
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
}

func TestSelectStepErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	m := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("m"))
	m3 := gorgonia.NewTensor(g, tensor.Float64, 3, gorgonia.WithShape(2, 3, 1), gorgonia.WithName("m3"))
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 4), gorgonia.WithName("x"))
	x3 := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(3, 4), gorgonia.WithName("x3"))
	x32 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 4), gorgonia.WithName("x32"))
	p := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 5), gorgonia.WithName("p"))
	tests := []struct {
		name          string
		mask, x, prev *gorgonia.Node
		step          int
		want          string
	}{
		{"nil", nil, x, nil, 0, "nil mask"},
		{"mask rank", m3, x, nil, 0, "want [batch, steps]"},
		{"step", m, x, nil, 3, "step 3 outside"},
		{"batch", m, x3, nil, 0, "want a batch of 2"},
		{"dtype", m, x32, nil, 0, "mask is float64"},
		{"prev", m, x, p, 0, "differ"},
	}
	for _, tt := range tests {
		_, err := ops.SelectStep(tt.mask, tt.step, tt.x, tt.prev)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}
