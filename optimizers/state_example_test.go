package optimizers_test

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/optimizers"
)

// exampleQuadratic returns a machine computing the gradient of sum(w²)
// for w = (1, -2), and w's node.
func exampleQuadratic() (gorgonia.VM, *gorgonia.Node, error) {
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, -2}))))
	sq, err := gorgonia.Square(w)
	if err != nil {
		return nil, nil, err
	}
	cost, err := gorgonia.Sum(sq)
	if err != nil {
		return nil, nil, err
	}
	if _, err := gorgonia.Grad(cost, w); err != nil {
		return nil, nil, err
	}
	return gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w)), w, nil
}

// exampleStep runs m and takes one step of s on w.
func exampleStep(s optimizers.Solver, m gorgonia.VM, w *gorgonia.Node) error {
	defer m.Reset()
	if err := m.RunAll(); err != nil {
		return err
	}
	return s.Step([]gorgonia.ValueGrad{w})
}

// A solver's State is what a checkpoint keeps: the steps taken, the rate
// and each parameter's slots (Adam's two moments). A new solver given that
// state, and weights at the same values, takes the very step the first
// one takes.
func ExampleStateful() {
	first, err := optimizers.Adam{LearningRate: 0.1}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	m1, w1, err := exampleQuadratic()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m1.Close()
	for range 2 {
		if err := exampleStep(first, m1, w1); err != nil {
			fmt.Println(err)
			return
		}
	}
	st := first.(optimizers.Stateful).State()
	fmt.Println("steps:", st.Steps, "parameters:", len(st.Slots), "slots each:", len(st.Slots[0]))

	// As after loading a checkpoint: the weights and the solver's state.
	second, err := optimizers.Adam{LearningRate: 0.1}.NewSolver()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := second.(optimizers.Stateful).SetState(st); err != nil {
		fmt.Println(err)
		return
	}
	m2, w2, err := exampleQuadratic()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m2.Close()
	copy(w2.Value().Data().([]float64), w1.Value().Data().([]float64))

	if err := exampleStep(first, m1, w1); err != nil {
		fmt.Println(err)
		return
	}
	if err := exampleStep(second, m2, w2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("first %.4f, second %.4f\n", w1.Value().Data(), w2.Value().Data())
	// Output:
	// steps: 2 parameters: 1 slots each: 2
	// first [0.7016 -1.7006], second [0.7016 -1.7006]
}
