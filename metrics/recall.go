package metrics

import "gorgonia.org/tensor"

// Recall is the fraction of the rows of a class that are predicted as that
// class, tp / (tp + fn), per class and averaged as Average says; it matches
// sklearn's recall_score with labels=range(k). A class that never occurs
// has recall 0 (sklearn's zero_division="warn"). Inputs are described on the
// package. Its zero value is ready to use. Name: "recall".
//
// Keras's Recall thresholds every column of [batch, k] inputs on its own;
// this one, like sklearn and Keras's F1Score, picks one class per row.
type Recall struct {
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

var _ Checker = (*Recall)(nil)

func (m *Recall) config() prfConfig {
	return prfConfig{m.Name(), kindRecall, 1, m.Average, m.PosLabel, m.Classes, m.Threshold}
}

// Name is "recall".
func (*Recall) Name() string { return "recall" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes), a target row that is not one-hot, or a bad configuration.
func (m *Recall) Update(yTrue, yPred *tensor.Dense) error {
	return m.s.update(m.config(), yTrue, yPred)
}

// Result is the averaged recall since the last Reset; 0 when Err is not nil.
func (m *Recall) Result() float64 { return resultOf(m.s.value(m.config())) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *Recall) Err() error { return errOf(m.s.value(m.config())) }

// PerClass is the recall of each class, [classes].
func (m *Recall) PerClass() ([]float64, error) { return m.s.perClass(m.config()) }

// Reset forgets every batch; the configuration is kept.
func (m *Recall) Reset() { m.s.cm.reset() }
