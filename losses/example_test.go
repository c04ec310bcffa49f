package losses_test

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/losses"
)

// lossValue builds l on constant pred and target tensors and runs the graph,
// as the trainer does for a batch.
func lossValue(l losses.Loss, pred, target *tensor.Dense) (float64, error) {
	g := gorgonia.NewGraph()
	p := gorgonia.NodeFromAny(g, pred, gorgonia.WithName("pred"))
	y := gorgonia.NodeFromAny(g, target, gorgonia.WithName("target"))
	out, err := l.Build(p, y)
	if err != nil {
		return 0, err
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		return 0, err
	}
	switch v := out.Value().Data().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("loss is %T", out.Value().Data())
}

func matrix(rows, cols int, vals ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(vals))
}

func ExampleMeanSquaredError() {
	pred := matrix(2, 2, 1, 2, 3, 4)
	target := matrix(2, 2, 0, 4, 3, 3)
	loss, err := lossValue(losses.MeanSquaredError{}, pred, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mse: %.4f\n", loss) // (1 + 4 + 0 + 1) / 4
	// Output:
	// mse: 1.5000
}

func ExampleMeanAbsoluteError() {
	loss, err := lossValue(losses.MeanAbsoluteError{}, matrix(1, 2, 1, 2), matrix(1, 2, 0, 4))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mae: %.4f\n", loss)
	// Output:
	// mae: 1.5000
}

func ExampleHuber() {
	// Errors 0.5 and 3: quadratic below Delta, linear above it.
	pred := matrix(2, 1, 0.5, 3)
	target := matrix(2, 1, 0, 0)
	for _, l := range []losses.Huber{{}, {Delta: 2}} {
		loss, err := lossValue(l, pred, target)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("delta %v: %.4f\n", l.Delta, loss)
	}
	// Output:
	// delta 0: 1.3125
	// delta 2: 2.0625
}

func ExampleBinaryCrossentropy() {
	target := matrix(2, 1, 1, 0)
	probs, err := lossValue(losses.BinaryCrossentropy{}, matrix(2, 1, 0.9, 0.2), target)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Logits far beyond what exp can take stay finite.
	logits, err := lossValue(losses.BinaryCrossentropy{FromLogits: true}, matrix(2, 1, 1000, 1000), target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("on probabilities: %.4f\non logits: %.1f\n", probs, logits)
	// Output:
	// on probabilities: 0.1643
	// on logits: 500.0
}

func ExampleBinaryCrossentropy_OnLogits() {
	// A model whose last activation is a sigmoid can hand the loss its
	// logits instead.
	var l losses.Loss = losses.BinaryCrossentropy{}
	if ll, ok := l.(losses.LogitsLoss); ok {
		if onLogits, ok := ll.OnLogits("sigmoid"); ok {
			l = onLogits
		}
	}
	fmt.Printf("%#v\n", l)
	// Output:
	// losses.BinaryCrossentropy{FromLogits:true, LabelSmoothing:0, Axis:0, Reduction:""}
}

func ExampleBinaryCrossentropy_EncodeTargets() {
	y := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 1, 1.5}))
	_, err := losses.BinaryCrossentropy{}.EncodeTargets(y, []int{1})
	fmt.Println(err)
	// Output:
	// binary_crossentropy: target 1.5 at row 2 is outside [0, 1]
}

func ExampleCategoricalCrossentropy() {
	target := matrix(2, 3, 1, 0, 0, 0, 0, 1)
	probs, err := lossValue(losses.CategoricalCrossentropy{}, matrix(2, 3, 0.7, 0.2, 0.1, 0.1, 0.1, 0.8), target)
	if err != nil {
		fmt.Println(err)
		return
	}
	logits, err := lossValue(losses.CategoricalCrossentropy{FromLogits: true}, matrix(2, 3, 1000, 0, 0, 0, 0, 0), target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("on probabilities: %.4f\non logits: %.4f\n", probs, logits)
	// Output:
	// on probabilities: 0.2899
	// on logits: 0.5493
}

func ExampleSparseCategoricalCrossentropy_EncodeTargets() {
	l := losses.SparseCategoricalCrossentropy{}
	ids := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{2, 0, 1}))
	hot, err := l.EncodeTargets(ids, []int{3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hot.Shape(), hot.Data())

	bad := tensor.New(tensor.WithShape(6), tensor.WithBacking([]float32{0, 1, 2, 3, 4, 12}))
	_, err = l.EncodeTargets(bad, []int{10})
	fmt.Println(err)
	// Output:
	// (3, 3) [0 0 1 1 0 0 0 1 0]
	// sparse_categorical_crossentropy: label 12 at row 5 is outside [0, 10)
}

func ExampleSparseCategoricalCrossentropy() {
	l := losses.SparseCategoricalCrossentropy{FromLogits: true}
	hot, err := l.EncodeTargets(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{2, 0})), []int{3})
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, err := lossValue(l, matrix(2, 3, 0, 0, 5, 5, 0, 0), hot)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss: %.4f\n", loss)
	// Output:
	// loss: 0.0134
}

func ExampleByName() {
	l, err := losses.ByName("mse")
	fmt.Println(l.Name(), err)
	_, err = losses.ByName("cross_entropy")
	fmt.Println(err)
	// Output:
	// mean_squared_error <nil>
	// unknown loss "cross_entropy"; known: mean_squared_error, mse, mean_absolute_error, mae, huber, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy
}
