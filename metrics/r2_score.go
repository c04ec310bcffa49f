package metrics

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// R2Score is the coefficient of determination,
// 1 − Σ(yTrue − yPred)² / Σ(yTrue − mean(yTrue))², per output column and
// averaged over the columns, as sklearn's r2_score with force_finite=True:
// a constant column scores 1 when predicted exactly and 0 otherwise. It is
// undefined for fewer than two rows (sklearn returns NaN): Result is then 0
// and Err says so. yTrue and yPred are [batch] or [batch, k] values of the
// same shape. Its zero value is ready to use. Name: "r2_score", as in Keras.
type R2Score struct {
	s regression
}

var _ Checker = (*R2Score)(nil)

// Name is "r2_score".
func (*R2Score) Name() string { return "r2_score" }

// Update adds a batch. It returns an error, and adds nothing, when the
// shapes differ from each other or from earlier batches', or a value is NaN
// or infinite.
func (m *R2Score) Update(yTrue, yPred *tensor.Dense) error { return m.s.update(m.Name(), yTrue, yPred) }

// Result is R² since the last Reset; 0 when Err is not nil.
func (m *R2Score) Result() float64 { return resultOf(m.value()) }

// Err is nil when Result is defined, and says why it is not: fewer than two
// samples.
func (m *R2Score) Err() error { return errOf(m.value()) }

// PerOutput is R² of each output column, [k].
func (m *R2Score) PerOutput() ([]float64, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return m.s.perOutput(m.Name(), m.out)
}

// Reset forgets every batch.
func (m *R2Score) Reset() { m.s.reset() }

func (m *R2Score) check() error {
	if m.s.n == 1 {
		return errors.Errorf("%s: not defined for one sample", m.Name())
	}
	return nil
}

func (m *R2Score) value() (float64, error) {
	if err := m.check(); err != nil {
		return 0, err
	}
	return m.s.average(m.Name(), m.out)
}

func (m *R2Score) out(j int) float64 { return forceFinite(m.s.sqErr[j].value(), m.s.y[j].m2) }

// ExplainedVariance is 1 − Var(yTrue − yPred) / Var(yTrue), per output
// column and averaged over the columns, as sklearn's
// explained_variance_score with force_finite=True. Unlike R², a constant
// offset in the predictions costs nothing. yTrue and yPred are [batch] or
// [batch, k] values of the same shape. Its zero value is ready to use.
// Name: "explained_variance".
type ExplainedVariance struct {
	s regression
}

var _ Checker = (*ExplainedVariance)(nil)

// Name is "explained_variance".
func (*ExplainedVariance) Name() string { return "explained_variance" }

// Update adds a batch. It returns an error, and adds nothing, when the
// shapes differ from each other or from earlier batches', or a value is NaN
// or infinite.
func (m *ExplainedVariance) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.Name(), yTrue, yPred)
}

// Result is the explained variance since the last Reset; 0 when Err is not
// nil.
func (m *ExplainedVariance) Result() float64 { return resultOf(m.s.average(m.Name(), m.out)) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *ExplainedVariance) Err() error { return errOf(m.s.average(m.Name(), m.out)) }

// PerOutput is the explained variance of each output column, [k].
func (m *ExplainedVariance) PerOutput() ([]float64, error) { return m.s.perOutput(m.Name(), m.out) }

// Reset forgets every batch.
func (m *ExplainedVariance) Reset() { m.s.reset() }

func (m *ExplainedVariance) out(j int) float64 {
	n := float64(m.s.n)
	return forceFinite(m.s.r[j].m2/n, m.s.y[j].m2/n)
}
