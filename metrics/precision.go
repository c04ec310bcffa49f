package metrics

import "gorgonia.org/tensor"

// Precision is the fraction of the rows predicted as a class that are of
// that class, tp / (tp + fp), per class and averaged as Average says; it
// matches sklearn's precision_score with labels=range(k). A class never
// predicted has precision 0 (sklearn's zero_division="warn"). Inputs are
// described on the package: probabilities [batch, k] (arg max) or
// [batch, 1] (above Threshold), class ids or one-hot targets. Its zero
// value is ready to use. Name: "precision".
//
// Keras's Precision thresholds every column of [batch, k] inputs on its
// own; this one, like sklearn and Keras's F1Score, picks one class per row.
type Precision struct {
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

var _ Checker = (*Precision)(nil)

func (m *Precision) config() prfConfig {
	return prfConfig{m.Name(), kindPrecision, 1, m.Average, m.PosLabel, m.Classes, m.Threshold}
}

// Name is "precision".
func (*Precision) Name() string { return "precision" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes), a target row that is not one-hot, or a bad configuration.
func (m *Precision) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.config(), yTrue, yPred)
}

// Result is the averaged precision since the last Reset; 0 when Err is not
// nil.
func (m *Precision) Result() float64 { return resultOf(m.s.value(m.config())) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *Precision) Err() error { return errOf(m.s.value(m.config())) }

// PerClass is the precision of each class, [classes].
func (m *Precision) PerClass() ([]float64, error) { return m.s.perClass(m.config()) }

// Reset forgets every batch; the configuration is kept.
func (m *Precision) Reset() { m.s.cm.reset() }
