package metrics

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MatthewsCorrelation is the Matthews correlation coefficient of the
// predicted and the true classes, in [-1, 1], computed from the confusion
// matrix C as sklearn's matthews_corrcoef does for any number of classes:
// (c·s − t·p) / sqrt((s² − p·p)(s² − t·t)), with c the right predictions, s
// the rows, t and p the per-class true and predicted counts. It is 0 when
// the denominator is 0 (one class only, or one class predicted). Inputs are
// described on the package. Its zero value is ready to use. Name:
// "matthews_correlation".
type MatthewsCorrelation struct {
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int
	// Threshold splits one-column predictions: p > Threshold is class 1.
	// Zero means 0.5.
	Threshold float64

	cm confusion
}

var _ Checker = (*MatthewsCorrelation)(nil)

// Name is "matthews_correlation".
func (*MatthewsCorrelation) Name() string { return "matthews_correlation" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes) or a target row that is not one-hot.
func (m *MatthewsCorrelation) Update(yTrue, yPred *tensor.Dense) error {
	return errors.Wrap(updateConfusion(&m.cm, yTrue, yPred, m.Classes, m.Threshold), m.Name())
}

// Result is the coefficient since the last Reset; 0 when Err is not nil.
func (m *MatthewsCorrelation) Result() float64 { return resultOf(m.value()) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *MatthewsCorrelation) Err() error { return errOf(m.value()) }

// Reset forgets every batch; the configuration is kept.
func (m *MatthewsCorrelation) Reset() { m.cm.reset() }

func (m *MatthewsCorrelation) value() (float64, error) {
	if m.cm.n == 0 {
		return 0, errNoSamples(m.Name())
	}
	tp, predSum, trueSum := m.cm.sums()
	var correct, tDotP, pDotP, tDotT float64
	for i := range tp {
		correct += float64(tp[i])
		tDotP += float64(trueSum[i]) * float64(predSum[i])
		pDotP += float64(predSum[i]) * float64(predSum[i])
		tDotT += float64(trueSum[i]) * float64(trueSum[i])
	}
	n := float64(m.cm.n)
	covTP := correct*n - tDotP
	covPP := n*n - pDotP
	covTT := n*n - tDotT
	if covPP*covTT == 0 {
		return 0, nil
	}
	return covTP / math.Sqrt(covTT*covPP), nil
}

// updateConfusion reads a batch and counts it in cm.
func updateConfusion(cm *confusion, yTrue, yPred *tensor.Dense, classes int, threshold float64) error {
	in, err := readClasses(yTrue, yPred, classes, threshold)
	if err != nil {
		return err
	}
	return cm.add(in)
}
