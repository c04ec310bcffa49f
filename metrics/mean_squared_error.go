package metrics

import (
	"math"

	"gorgonia.org/tensor"
)

// MeanSquaredError is mean((yTrue − yPred)²), per output column and
// averaged over the columns (sklearn's mean_squared_error). yTrue and yPred
// are [batch] or [batch, k] values of the same shape. Its zero value is
// ready to use. Name: "mean_squared_error".
type MeanSquaredError struct {
	s regression
}

var _ Checker = (*MeanSquaredError)(nil)

// Name is "mean_squared_error".
func (*MeanSquaredError) Name() string { return "mean_squared_error" }

// Update adds a batch. It returns an error, and adds nothing, when the
// shapes differ from each other or from earlier batches', or a value is NaN
// or infinite.
func (m *MeanSquaredError) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.Name(), yTrue, yPred)
}

// Result is the mean squared error since the last Reset; 0 when Err is not
// nil.
func (m *MeanSquaredError) Result() float64 { return resultOf(m.s.average(m.Name(), m.out)) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *MeanSquaredError) Err() error { return errOf(m.s.average(m.Name(), m.out)) }

// PerOutput is the mean squared error of each output column, [k].
func (m *MeanSquaredError) PerOutput() ([]float64, error) { return m.s.perOutput(m.Name(), m.out) }

// Reset forgets every batch.
func (m *MeanSquaredError) Reset() { m.s.reset() }

func (m *MeanSquaredError) out(j int) float64 { return m.s.sqErr[j].value() / float64(m.s.n) }

// RootMeanSquaredError is sqrt(mean((yTrue − yPred)²)) per output column,
// averaged over the columns as sklearn's mean_squared_error(squared=False)
// does; for one column it is Keras's RootMeanSquaredError, which instead
// takes the root of the mean over every column. yTrue and yPred are [batch]
// or [batch, k] values of the same shape. Its zero value is ready to use.
// Name: "root_mean_squared_error".
type RootMeanSquaredError struct {
	s regression
}

var _ Checker = (*RootMeanSquaredError)(nil)

// Name is "root_mean_squared_error".
func (*RootMeanSquaredError) Name() string { return "root_mean_squared_error" }

// Update adds a batch. It returns an error, and adds nothing, when the
// shapes differ from each other or from earlier batches', or a value is NaN
// or infinite.
func (m *RootMeanSquaredError) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.Name(), yTrue, yPred)
}

// Result is the root mean squared error since the last Reset; 0 when Err is
// not nil.
func (m *RootMeanSquaredError) Result() float64 { return resultOf(m.s.average(m.Name(), m.out)) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *RootMeanSquaredError) Err() error { return errOf(m.s.average(m.Name(), m.out)) }

// PerOutput is the root mean squared error of each output column, [k].
func (m *RootMeanSquaredError) PerOutput() ([]float64, error) {
	return m.s.perOutput(m.Name(), m.out)
}

// Reset forgets every batch.
func (m *RootMeanSquaredError) Reset() { m.s.reset() }

func (m *RootMeanSquaredError) out(j int) float64 {
	return math.Sqrt(m.s.sqErr[j].value() / float64(m.s.n))
}
