package metrics_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/metrics"
)

// Recall of a binary classifier of one sigmoid output: of the 4 positive
// rows, those predicted above the threshold (0.5 unless set).
func ExampleRecall() {
	yTrue := tensor.New(tensor.WithShape(6), tensor.WithBacking([]float64{1, 1, 1, 1, 0, 0}))
	yPred := tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]float64{0.9, 0.7, 0.4, 0.2, 0.6, 0.1}))
	for _, threshold := range []float64{0.5, 0.3} {
		m := &metrics.Recall{Threshold: threshold}
		if err := m.Update(yTrue, yPred); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("threshold %v: recall %.2f\n", threshold, m.Result())
	}
	// Output:
	// threshold 0.5: recall 0.50
	// threshold 0.3: recall 0.75
}

// TopKCategoricalAccuracy counts a row as right when its true class is
// among the K most probable: a looser score for many classes.
func ExampleTopKCategoricalAccuracy() {
	yTrue := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{
		0, 0, 1, 0, // class 2: predicted first
		1, 0, 0, 0, // class 0: predicted second
		0, 0, 0, 1, // class 3: predicted last
	}))
	yPred := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{
		0.1, 0.2, 0.6, 0.1,
		0.3, 0.5, 0.1, 0.1,
		0.4, 0.3, 0.2, 0.1,
	}))
	for _, k := range []int{1, 2, 4} {
		m := &metrics.TopKCategoricalAccuracy{K: k}
		if err := m.Update(yTrue, yPred); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("top %d: %.4f\n", k, m.Result())
	}
	// Output:
	// top 1: 0.3333
	// top 2: 0.6667
	// top 4: 1.0000
}

// Weighted averages a per-sample score with the samples' weights, as
// Keras's weighted_metrics: here the one wrong row weighs 3 of 6.
func ExampleWeighted() {
	yTrue := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{0, 1, 1, 0}))
	yPred := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{
		0.9, 0.1, // right
		0.2, 0.8, // right
		0.7, 0.3, // wrong
		0.6, 0.4, // right
	}))
	weights := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{1, 1, 3, 1}))
	m := &metrics.Weighted{Of: &metrics.Accuracy{}}
	if err := m.UpdateWeighted(yTrue, yPred, weights); err != nil {
		fmt.Println(err)
		return
	}
	plain := &metrics.Accuracy{}
	if err := plain.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name(), m.Result())
	fmt.Println(plain.Name(), plain.Result())
	// Output:
	// weighted_accuracy 0.5
	// accuracy 0.75
}
