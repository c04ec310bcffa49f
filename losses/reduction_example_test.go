package losses_test

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/profundo/profundo/losses"
)

// The reductions of Keras: the mean of the per-sample losses (the
// default), their sum, or the losses themselves.
func ExampleReduction() {
	pred := matrix(2, 2, 1, 2, 3, 4)
	target := matrix(2, 2, 0, 4, 3, 3)
	for _, r := range []losses.Reduction{losses.SumOverBatchSize, losses.Sum} {
		v, err := lossValue(losses.MeanSquaredError{Reduction: r}, pred, target)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %.2f\n", r, v)
	}
	g := gorgonia.NewGraph()
	p := gorgonia.NodeFromAny(g, pred, gorgonia.WithName("pred"))
	y := gorgonia.NodeFromAny(g, target, gorgonia.WithName("target"))
	out, err := losses.MeanSquaredError{Reduction: losses.None}.Build(p, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("none:", out.Value().Data())
	// Output:
	// sum_over_batch_size: 1.50
	// sum: 3.00
	// none: [2.5 0.5]
}

// Label smoothing moves one-hot targets towards uniform: with 0.2 over two
// classes, [0, 1] becomes [0.1, 0.9].
func ExampleCategoricalCrossentropy_labelSmoothing() {
	pred := matrix(1, 2, 0.25, 0.75)
	target := matrix(1, 2, 0, 1)
	v, err := lossValue(losses.CategoricalCrossentropy{LabelSmoothing: 0.2}, pred, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", v) // -(0.1 log 0.25 + 0.9 log 0.75)
	// Output:
	// 0.3975
}
