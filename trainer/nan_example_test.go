package trainer_test

import (
	"context"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/trainer"
)

// relativeError is a metric of one's own: the mean of |pred - true| /
// |true|, which is infinite when a target is 0.
type relativeError struct{ sum, n float64 }

func (*relativeError) Name() string { return "relative_error" }

func (m *relativeError) Update(yTrue, yPred *tensor.Dense) error {
	t, p := yTrue.Data().([]float32), yPred.Data().([]float32)
	for i := range t {
		m.sum += math.Abs(float64(p[i]-t[i])) / math.Abs(float64(t[i]))
		m.n++
	}
	return nil
}

func (m *relativeError) Result() float64 { return m.sum / m.n }
func (m *relativeError) Reset()          { m.sum, m.n = 0, 0 }

// TerminateOnNaN stops training cleanly, without an error, when a logged
// value is NaN or infinite, and says which: here a validation target of 0
// makes a relative error infinite after the first epoch.
func ExampleTerminateOnNaN() {
	m, err := exampleRegressor(0.2)
	if err != nil {
		fmt.Println(err)
		return
	}
	val := examplePlane(8, 2)
	val.Y[0].Data().([]float32)[3] = 0
	stop := &trainer.TerminateOnNaN{}
	hist, err := trainer.Fit(context.Background(), m, m.Solver(), []metrics.Metric{&relativeError{}}, examplePlane(256, 1),
		trainer.FitConfig{Epochs: 10, BatchSize: 16, ValidationData: &val, Seed: 1, Silent: true, Callbacks: []trainer.Callback{stop}})
	fmt.Println("error:", err)
	fmt.Println("epochs run:", hist.Epochs)
	reason, stopped := stop.Terminated()
	fmt.Println("stopped:", stopped, "because", reason)
	// Output:
	// error: <nil>
	// epochs run: [0]
	// stopped: true because epoch 1: val_relative_error is +Inf
}
