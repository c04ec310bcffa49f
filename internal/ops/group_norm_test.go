package ops_test

import (
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

// TestGroupNormGradCheck checks the gradients with respect to x, gamma and
// beta against finite differences, for groups of several channels and of
// one.
func TestGroupNormGradCheck(t *testing.T) {
	for _, groups := range []int{1, 2, 6} {
		rng := rand.New(rand.NewSource(int64(groups)))
		inputs := []*tensor.Dense{
			toDtype(randSlice(rng, 2*3*6), tensor.Float64, 2, 3, 6),
			toDtype(randSlice(rng, 6), tensor.Float64, 6),
			toDtype(randSlice(rng, 6), tensor.Float64, 6),
		}
		r := toDtype(randSlice(rng, 2*3*6), tensor.Float64, 2, 3, 6)
		err := gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.GroupNorm(in[0], in[1], in[2], groups, 1e-3, true)
			if err != nil {
				return nil, err
			}
			return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, gorgonia.NodeFromAny(g, r, gorgonia.WithName("r")))))
		}, inputs, gradcheck.Options{})
		if err != nil {
			t.Fatalf("%d groups: %v", groups, err)
		}
	}
}

// TestGroupNormOneGroupIsLayerNorm: one group normalizes each sample over
// all its values, which is LayerNorm over the flattened sample.
func TestGroupNormOneGroupIsLayerNorm(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		rng := rand.New(rand.NewSource(3))
		xv := randSlice(rng, 3*4*5)
		g := gorgonia.NewGraph()
		x := gorgonia.NodeFromAny(g, toDtype(xv, dt, 3, 4, 5), gorgonia.WithName("x"))
		flat := gorgonia.NodeFromAny(g, toDtype(xv, dt, 3, 20), gorgonia.WithName("flat"))
		gn, err := ops.GroupNorm(x, nil, nil, 1, 1e-3, true)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := ops.LayerNorm(flat, nil, nil, 1e-3, true)
		if err != nil {
			t.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		close(t, "group norm", float64s(t, gn.Value()), float64s(t, ln.Value()), 1e-6)
		vm.Close()
	}
}

func TestGroupNormErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 3, gorgonia.WithShape(2, 3, 6), gorgonia.WithName("x"))
	for _, groups := range []int{0, 4, 7} {
		if _, err := ops.GroupNorm(x, nil, nil, groups, 1e-3, true); err == nil || !contains(err.Error(), "do not split 6 channels") {
			t.Errorf("%d groups: error %v", groups, err)
		}
	}
}

// TestBatchNorm checks the batch statistics against a direct computation
// and the gradients against finite differences.
func TestBatchNorm(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	xv := randSlice(rng, 4*3*2)
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, toDtype(xv, tensor.Float64, 4, 3, 2), gorgonia.WithName("x"))
	_, mean, variance, err := ops.BatchNorm(x, nil, nil, 1e-3, true)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	wantMean, wantVar := make([]float64, 2), make([]float64, 2)
	for i, v := range xv {
		wantMean[i%2] += v / 12
	}
	for i, v := range xv {
		wantVar[i%2] += (v - wantMean[i%2]) * (v - wantMean[i%2]) / 12
	}
	close(t, "mean", float64s(t, mean.Value()), wantMean, 1e-12)
	close(t, "variance", float64s(t, variance.Value()), wantVar, 1e-12)

	inputs := []*tensor.Dense{
		toDtype(xv, tensor.Float64, 4, 3, 2),
		toDtype(randSlice(rng, 2), tensor.Float64, 2),
		toDtype(randSlice(rng, 2), tensor.Float64, 2),
	}
	r := toDtype(randSlice(rng, 24), tensor.Float64, 4, 3, 2)
	err = gradcheck.Check(func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		y, _, _, err := ops.BatchNorm(in[0], in[1], in[2], 1e-3, true)
		if err != nil {
			return nil, err
		}
		return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, gorgonia.NodeFromAny(g, r, gorgonia.WithName("r")))))
	}, inputs, gradcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
}
