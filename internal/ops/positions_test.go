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

func TestPositionsValues(t *testing.T) {
	table := []float64{0, 1, 10, 11, 20, 21, 30, 31} // 4 positions of 2
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := gorgonia.NewGraph()
		tn := gorgonia.NodeFromAny(g, toDtype(table, dt, 4, 2), gorgonia.WithName("table"))
		var start *gorgonia.Node
		if dt == tensor.Float32 {
			start = gorgonia.NewScalar(g, dt, gorgonia.WithName("start"), gorgonia.WithValue(float32(1)))
		} else {
			start = gorgonia.NewScalar(g, dt, gorgonia.WithName("start"), gorgonia.WithValue(1.0))
		}
		y0, err := ops.Positions(tn, nil, 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		y1, err := ops.Positions(tn, start, 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		close(t, "from 0", float64s(t, y0.Value()), []float64{0, 1, 10, 11, 20, 21, 0, 1, 10, 11, 20, 21}, 0)
		close(t, "from 1", float64s(t, y1.Value()), []float64{10, 11, 20, 21, 30, 31, 10, 11, 20, 21, 30, 31}, 0)
		vm.Close()
		// A start that leaves the table fails the run.
		if dt == tensor.Float64 {
			gorgonia.Let(start, 2.0)
			vm := gorgonia.NewTapeMachine(g)
			if err := vm.RunAll(); err == nil || !strings.Contains(err.Error(), "start 2 with 3 steps leaves the table of 4 positions") {
				t.Errorf("start 2: %v", err)
			}
			vm.Close()
		}
	}
}

func TestPositionsGradCheck(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	r := toDtype(randSlice(rng, 2*3*4), tensor.Float64, 2, 3, 4)
	err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		start := gorgonia.NewScalar(g, tensor.Float64, gorgonia.WithName("start"), gorgonia.WithValue(2.0))
		y, err := ops.Positions(in[0], start, 2, 3)
		if err != nil {
			return nil, err
		}
		rn := gorgonia.NodeFromAny(g, r, gorgonia.WithName("r"))
		return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, rn)))
	}, []*tensor.Dense{toDtype(randSlice(rng, 6*4), tensor.Float64, 6, 4)}, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}
