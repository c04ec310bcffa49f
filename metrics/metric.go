// Package metrics holds the metrics that score a model: small accumulators
// updated batch by batch, whose result equals the computation over the whole
// set, and the reports and plots of step 7 of the workflow: the
// classification report, the confusion matrix as text and as a PNG heat
// map, and training curves as PNG.
//
// Every metric matches scikit-learn's function of the same meaning within
// 1e-9 in float64 (testdata/gen_sklearn.py makes the reference values) and
// is named as in Keras, its Name being the key in a trainer's History.
//
// # Classification input
//
// yPred is the model's output: [batch, k] class probabilities, k >= 2, or
// one column ([batch] or [batch, 1]), the probability of class 1 of a
// binary problem. Every value must be a probability in [0, 1]; a value
// outside, or NaN, is an error that names its row and column (the accuracy
// metrics, which only compare, do not check). A row is
// predicted as the column of its largest probability (the first on ties,
// as numpy.argmax), or, with one column, as class 1 when its probability is
// above the metric's Threshold (0.5 unless set; Keras's rule).
//
// yTrue is class ids ([batch] or [batch, 1], integers in [0, k), with k = 2
// for one column) or one-hot rows of yPred's shape. The number of classes
// is yPred's columns unless the metric's Classes says it; batches with
// another number of columns than the first are refused. Every class counts
// in averages, also one that neither occurs nor is predicted (sklearn with
// labels=range(k)); BalancedAccuracy, as sklearn's, averages over the
// classes that occur.
//
// # Zero division and undefined results
//
// A ratio with nothing to divide by is 0, as with sklearn's default
// zero_division="warn": the precision of a class never predicted, the
// recall of a class that never occurs, an F-score whose precision and
// recall are both 0. A result the data do not define at all (no samples
// since the last Reset, ROC AUC with one class only, R² of one sample) is
// 0 from Result, never NaN, and the metric's Err method (see Checker) says
// why. A batch that fails its checks is an error and adds nothing; an empty
// batch adds nothing.
package metrics

import "gorgonia.org/tensor"

// Metric accumulates a score over batches.
type Metric interface {
	// Name is the key in histories and logs: "accuracy".
	Name() string
	// Update adds a batch: yTrue as the user gave the targets (class ids
	// [batch] or [batch, 1] for sparse labels, [batch, k] otherwise) and yPred
	// the model's output [batch, k]. It returns an error on mismatched shapes.
	Update(yTrue, yPred *tensor.Dense) error
	// Result is the score over every batch since the last Reset.
	Result() float64
	// Reset forgets every batch.
	Reset()
}

// Checker is a Metric whose Result can be undefined: no samples since the
// last Reset, ROC AUC with one class only, R² of one sample. Result is 0
// then, never NaN, and Err says why; Err is nil when Result is a value the
// data define. Callers find it by type assertion.
type Checker interface {
	Metric
	// Err is nil when Result is defined, and the reason otherwise.
	Err() error
}
