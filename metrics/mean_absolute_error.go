package metrics

import "gorgonia.org/tensor"

// MeanAbsoluteError is mean(|yTrue − yPred|), per output column and
// averaged over the columns (sklearn's mean_absolute_error). yTrue and
// yPred are [batch] or [batch, k] values of the same shape. Its zero value
// is ready to use. Name: "mean_absolute_error".
type MeanAbsoluteError struct {
	s regression
}

var _ Checker = (*MeanAbsoluteError)(nil)

// Name is "mean_absolute_error".
func (*MeanAbsoluteError) Name() string { return "mean_absolute_error" }

// Update adds a batch. It returns an error, and adds nothing, when the
// shapes differ from each other or from earlier batches', or a value is NaN
// or infinite.
func (m *MeanAbsoluteError) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.Name(), yTrue, yPred)
}

// Result is the mean absolute error since the last Reset; 0 when Err is not
// nil.
func (m *MeanAbsoluteError) Result() float64 { return resultOf(m.s.average(m.Name(), m.out)) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *MeanAbsoluteError) Err() error { return errOf(m.s.average(m.Name(), m.out)) }

// PerOutput is the mean absolute error of each output column, [k].
func (m *MeanAbsoluteError) PerOutput() ([]float64, error) { return m.s.perOutput(m.Name(), m.out) }

// Reset forgets every batch.
func (m *MeanAbsoluteError) Reset() { m.s.reset() }

func (m *MeanAbsoluteError) out(j int) float64 { return m.s.absErr[j].value() / float64(m.s.n) }

// MeanAbsolutePercentageError is mean(|yTrue − yPred| / max(|yTrue|, ε)),
// ε = 2.2e-16, per output column and averaged over the columns: sklearn's
// mean_absolute_percentage_error, a fraction (0.25 means 25%), huge where
// yTrue is 0. Keras's metric of the same name is 100 times larger and uses
// ε = 1e-7. yTrue and yPred are [batch] or [batch, k] values of the same
// shape. Its zero value is ready to use. Name:
// "mean_absolute_percentage_error".
type MeanAbsolutePercentageError struct {
	s regression
}

var _ Checker = (*MeanAbsolutePercentageError)(nil)

// Name is "mean_absolute_percentage_error".
func (*MeanAbsolutePercentageError) Name() string { return "mean_absolute_percentage_error" }

// Update adds a batch. It returns an error, and adds nothing, when the
// shapes differ from each other or from earlier batches', or a value is NaN
// or infinite.
func (m *MeanAbsolutePercentageError) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.Name(), yTrue, yPred)
}

// Result is the mean absolute percentage error, as a fraction, since the
// last Reset; 0 when Err is not nil.
func (m *MeanAbsolutePercentageError) Result() float64 {
	return resultOf(m.s.average(m.Name(), m.out))
}

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *MeanAbsolutePercentageError) Err() error { return errOf(m.s.average(m.Name(), m.out)) }

// PerOutput is the error of each output column, [k].
func (m *MeanAbsolutePercentageError) PerOutput() ([]float64, error) {
	return m.s.perOutput(m.Name(), m.out)
}

// Reset forgets every batch.
func (m *MeanAbsolutePercentageError) Reset() { m.s.reset() }

func (m *MeanAbsolutePercentageError) out(j int) float64 {
	return m.s.relErr[j].value() / float64(m.s.n)
}
