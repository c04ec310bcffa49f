package metrics_test

import (
	"fmt"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

func ExampleAccuracy() {
	acc := &metrics.Accuracy{}
	// Class ids and three-class predictions: scored as sparse categorical
	// accuracy.
	yTrue := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{2, 0}))
	yPred := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{
		0.1, 0.2, 0.7,
		0.3, 0.6, 0.1,
	}))
	if err := acc.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	// A second batch, of two rows, both right.
	yTrue = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 1}))
	yPred = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{
		0.1, 0.8, 0.1,
		0.2, 0.5, 0.3,
	}))
	if err := acc.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %.2f\n", acc.Name(), acc.Result())
	// Output: accuracy: 0.75
}

func ExampleBinaryAccuracy() {
	m := &metrics.BinaryAccuracy{Threshold: 0.7}
	yTrue := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{1, 1, 0, 0}))
	yPred := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0.9, 0.6, 0.6, 0.1}))
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), m.Result())
	// Output: binary_accuracy 0.75
}

func ExampleCategoricalAccuracy() {
	m := &metrics.CategoricalAccuracy{}
	yTrue := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 1, 0}))
	yPred := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.3, 0.7, 0.4, 0.6}))
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), m.Result())
	// Output: categorical_accuracy 0.5
}

func ExampleSparseCategoricalAccuracy() {
	m := &metrics.SparseCategoricalAccuracy{}
	yTrue := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, 1, 5}))
	yPred := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{
		0.8, 0.1, 0.1,
		0.5, 0.4, 0.1,
		0.2, 0.2, 0.6,
	}))
	// Class id 5 does not fit three classes: the batch is refused.
	fmt.Println(m.Update(yTrue, yPred))
	// Output: sparse_categorical_accuracy: yTrue row 2: class id 5 is not an integer in [0, 3)
}

func ExampleByName() {
	m, err := metrics.ByName("acc")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name())
	m, err = metrics.ByName("auc")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %T\n", m.Name(), m)
	_, err = metrics.ByName("f2_score")
	fmt.Println(err != nil)
	// Output:
	// accuracy
	// auc *metrics.ROCAUC
	// true
}

func ExampleMean() {
	var loss metrics.Mean
	loss.Add(0.5, 32) // batch of 32 samples, mean loss 0.5
	loss.Add(0.2, 8)  // final partial batch of 8
	fmt.Printf("%.2f over %v samples\n", loss.Result(), loss.Weight())
	// Output: 0.44 over 40 samples
}
