package metrics

import "gorgonia.org/tensor"

// F1Score is the harmonic mean of precision and recall,
// 2·P·R / (P + R), per class and averaged as Average says (the macro average
// is the mean of the per-class F1, not the F1 of the mean precision and
// recall); it matches sklearn's f1_score with labels=range(k). F1 is 0 when
// precision and recall are both 0. Inputs are described on the package. Its
// zero value is ready to use. Name: "f1_score", as in Keras 3.
type F1Score struct {
	// Average folds the per-class values into Result. Zero (AverageAuto)
	// means binary for one-column predictions, macro otherwise.
	Average Average
	// PosLabel is the positive class for AverageBinary. Nil means class 1.
	PosLabel *int
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int
	// Threshold splits one-column predictions: p > Threshold is class 1.
	// Zero means 0.5.
	Threshold float64

	s prf
}

var _ Checker = (*F1Score)(nil)

func (m *F1Score) config() prfConfig {
	return prfConfig{m.Name(), kindF, 1, m.Average, m.PosLabel, m.Classes, m.Threshold}
}

// Name is "f1_score".
func (*F1Score) Name() string { return "f1_score" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes), a target row that is not one-hot, or a bad configuration.
func (m *F1Score) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.config(), yTrue, yPred)
}

// Result is the averaged F1 since the last Reset; 0 when Err is not nil.
func (m *F1Score) Result() float64 { return resultOf(m.s.value(m.config())) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *F1Score) Err() error { return errOf(m.s.value(m.config())) }

// PerClass is the F1 of each class, [classes].
func (m *F1Score) PerClass() ([]float64, error) { return m.s.perClass(m.config()) }

// Reset forgets every batch; the configuration is kept.
func (m *F1Score) Reset() { m.s.cm.reset() }

// FBetaScore is the weighted harmonic mean of precision and recall,
// (1 + β²)·P·R / (β²·P + R), where recall counts β times as much as
// precision, per class and averaged as Average says; it matches sklearn's
// fbeta_score with labels=range(k). It is 0 when precision and recall are
// both 0. Inputs are described on the package. Its zero value is F1. Name:
// "fbeta_score", as in Keras 3.
type FBetaScore struct {
	// Beta weighs recall against precision. Zero means 1; it must not be
	// negative.
	Beta float64
	// Average folds the per-class values into Result. Zero (AverageAuto)
	// means binary for one-column predictions, macro otherwise.
	Average Average
	// PosLabel is the positive class for AverageBinary. Nil means class 1.
	PosLabel *int
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int
	// Threshold splits one-column predictions: p > Threshold is class 1.
	// Zero means 0.5.
	Threshold float64

	s prf
}

var _ Checker = (*FBetaScore)(nil)

func (m *FBetaScore) config() prfConfig {
	return prfConfig{m.Name(), kindF, m.Beta, m.Average, m.PosLabel, m.Classes, m.Threshold}
}

// Name is "fbeta_score".
func (*FBetaScore) Name() string { return "fbeta_score" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes), a target row that is not one-hot, or a bad configuration
// (a negative Beta among them).
func (m *FBetaScore) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.config(), yTrue, yPred)
}

// Result is the averaged F-beta since the last Reset; 0 when Err is not nil.
func (m *FBetaScore) Result() float64 { return resultOf(m.s.value(m.config())) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *FBetaScore) Err() error { return errOf(m.s.value(m.config())) }

// PerClass is the F-beta of each class, [classes].
func (m *FBetaScore) PerClass() ([]float64, error) { return m.s.perClass(m.config()) }

// Reset forgets every batch; the configuration is kept.
func (m *FBetaScore) Reset() { m.s.cm.reset() }
