package trainer_test

import (
	"context"
	"fmt"
	"slices"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// OnOutput makes a metric score one output of a model of several: here
// the second output, "diff", of a functional model that computes a sum and
// a difference. Its name in the logs is "<output>_<metric>".
func ExampleOnOutput() {
	x := models.Input("x", 2)
	sum := models.Apply(&layers.Dense{Name: "sum", Units: 1}, x)
	diff := models.Apply(&layers.Dense{Name: "diff", Units: 1}, x)
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{sum, diff})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}

	// Data of several outputs: one tensor of targets per output, in order.
	xs := []float32{1, 2, 3, 1, -1, 0.5, 0, 2}
	sums, diffs := make([]float32, 4), make([]float32, 4)
	for i := range 4 {
		sums[i], diffs[i] = xs[2*i]+xs[2*i+1], xs[2*i]-xs[2*i+1]
	}
	data := trainer.Data{
		X: []*tensor.Dense{tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(xs))},
		Y: []*tensor.Dense{
			tensor.New(tensor.WithShape(4, 1), tensor.WithBacking(sums)),
			tensor.New(tensor.WithShape(4, 1), tensor.WithBacking(diffs)),
		},
	}
	mae := trainer.OnOutput(&metrics.MeanAbsoluteError{}, 1, "diff")
	fmt.Println(mae.Name(), "scores output", mae.Output())

	logs, err := trainer.Evaluate(context.Background(), m, []metrics.Metric{mae}, data, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	names := make([]string, 0, len(logs))
	for name := range logs {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output:
	// diff_mean_absolute_error scores output 1
	// [diff_loss diff_mean_absolute_error loss sum_loss]
}
