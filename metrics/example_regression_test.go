package metrics_test

import (
	"fmt"

	"github.com/profundo/profundo/metrics"
	"gorgonia.org/tensor"
)

func ExampleMeanSquaredError() {
	yTrue := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{3, -0.5, 2, 7}))
	yPred := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{2.5, 0, 2, 8}))
	ms := []metrics.Metric{&metrics.MeanSquaredError{}, &metrics.RootMeanSquaredError{},
		&metrics.MeanAbsoluteError{}, &metrics.MeanAbsolutePercentageError{},
		&metrics.R2Score{}, &metrics.ExplainedVariance{}}
	for _, m := range ms {
		if err := m.Update(yTrue, yPred); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %.4f\n", m.Name(), m.Result())
	}
	// Output:
	// mean_squared_error 0.3750
	// root_mean_squared_error 0.6124
	// mean_absolute_error 0.5000
	// mean_absolute_percentage_error 0.3274
	// r2_score 0.9486
	// explained_variance 0.9572
}

func ExampleR2Score() {
	// Two outputs, averaged uniformly; the second is constant and predicted
	// exactly, which scores 1 (sklearn's force_finite).
	yTrue := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 5, 2, 5, 3, 5}))
	yPred := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 5, 2, 5, 4, 5}))
	m := &metrics.R2Score{}
	if err := m.Update(yTrue, yPred); err != nil {
		fmt.Println(err)
		return
	}
	per, _ := m.PerOutput()
	fmt.Println(m.Result(), per)
	// Output: 0.75 [0.5 1]
}
