package datasets_test

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
)

// A Pipeline chains preprocessing steps: fit on the training rows, each
// step on what the steps before it give, then transform any rows alike.
// Set as a model's Preprocessing, it is saved with the model.
func ExamplePipeline() {
	nan := math.NaN()
	train := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 10, 2, nan, 3, 30, nan, 20}))
	p := &datasets.Pipeline{Steps: []datasets.Transformer{
		&datasets.SimpleImputer{Strategy: datasets.ImputeMedian},
		&datasets.StandardScaler{},
	}}
	if err := p.Fit(train); err != nil {
		fmt.Println(err)
		return
	}
	out, err := p.Transform(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{3, 40, nan, nan})))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The training medians, (2, 20), fill the gaps; the scaler then
	// centres on the means of the filled training rows, also (2, 20), and
	// divides by their standard deviations, (0.7071, 7.0711).
	fmt.Printf("%.4f\n", out.Data())
	// Output:
	// [1.4142 2.8284 0.0000 0.0000]
}
