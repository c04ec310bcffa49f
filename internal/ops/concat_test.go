package ops_test

import (
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/gradcheck"
	"github.com/profundo/profundo/internal/ops"
)

// TestStackStepsAndConcatLast check values and gradients with inputs
// 256 and more values apart, where gorgonia.Concat's gradient slices hash
// alike and get merged.
func TestStackStepsAndConcatLast(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	const batch, width, steps = 2, 64, 5
	var inputs []*tensor.Dense
	for i := 0; i < steps; i++ {
		inputs = append(inputs, toDtype(randSlice(rng, batch*width), tensor.Float64, batch, width))
	}
	weights := toDtype(randSlice(rng, batch*steps*width), tensor.Float64, batch, steps, width)
	build := func(stack bool) func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
		return func(g *gorgonia.ExprGraph, in []*gorgonia.Node) (*gorgonia.Node, error) {
			var y *gorgonia.Node
			var err error
			if stack {
				y, err = ops.StackSteps(in)
			} else {
				y, err = ops.ConcatLast(in...)
				if err == nil {
					y, err = ops.CopyReshape(y, tensor.Shape{batch, steps, width})
				}
			}
			if err != nil {
				return nil, err
			}
			w := gorgonia.NodeFromAny(g, weights, gorgonia.WithName("w"))
			return gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(y, w)))
		}
	}
	for _, stack := range []bool{true, false} {
		if err := gradcheck.Check(build(stack), inputs, gradcheck.Options{}); err != nil {
			t.Fatalf("stack %v: %v", stack, err)
		}
	}
	// Values: step s of sample b is input s's row b.
	g := gorgonia.NewGraph()
	var nodes []*gorgonia.Node
	for i, in := range inputs {
		nodes = append(nodes, gorgonia.NodeFromAny(g, in, gorgonia.WithName(string(rune('a'+i)))))
	}
	y, err := ops.StackSteps(nodes)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out := y.Value().Data().([]float64)
	for b := 0; b < batch; b++ {
		for s := 0; s < steps; s++ {
			for j := 0; j < width; j++ {
				if got, want := out[(b*steps+s)*width+j], inputs[s].Data().([]float64)[b*width+j]; got != want {
					t.Fatalf("[%d %d %d] = %v, want %v", b, s, j, got, want)
				}
			}
		}
	}
}

func TestConcatErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("a"))
	b := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(3, 3), gorgonia.WithName("b"))
	if _, err := ops.ConcatLast(a, b); err == nil || !contains(err.Error(), "all but the last axis must agree") {
		t.Fatalf("error %v", err)
	}
	if _, err := ops.StackSteps([]*gorgonia.Node{a, b}); err == nil || !contains(err.Error(), "want [batch, width] like input 0") {
		t.Fatalf("error %v", err)
	}
	if _, err := ops.StackSteps(nil); err == nil {
		t.Fatal("no error for no inputs")
	}
}
