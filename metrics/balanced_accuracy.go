package metrics

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// BalancedAccuracy is the mean recall over the classes that occur in yTrue,
// as sklearn's balanced_accuracy_score (adjusted=False): classes that are
// predicted but never occur do not count. On balanced data it equals
// accuracy. Inputs are described on the package. Its zero value is ready to
// use. Name: "balanced_accuracy".
type BalancedAccuracy struct {
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int
	// Threshold splits one-column predictions: p > Threshold is class 1.
	// Zero means 0.5.
	Threshold float64

	cm confusion
}

var _ Checker = (*BalancedAccuracy)(nil)

// Name is "balanced_accuracy".
func (*BalancedAccuracy) Name() string { return "balanced_accuracy" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes) or a target row that is not one-hot.
func (m *BalancedAccuracy) Update(yTrue, yPred *tensor.Dense) error {
	return errors.Wrap(updateConfusion(&m.cm, yTrue, yPred, m.Classes, m.Threshold), m.Name())
}

// Result is the balanced accuracy since the last Reset; 0 when Err is not
// nil.
func (m *BalancedAccuracy) Result() float64 { return resultOf(m.value()) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *BalancedAccuracy) Err() error { return errOf(m.value()) }

// Reset forgets every batch; the configuration is kept.
func (m *BalancedAccuracy) Reset() { m.cm.reset() }

func (m *BalancedAccuracy) value() (float64, error) {
	if m.cm.n == 0 {
		return 0, errNoSamples(m.Name())
	}
	tp, _, trueSum := m.cm.sums()
	var recalls []float64
	for i := range tp {
		if trueSum[i] > 0 {
			recalls = append(recalls, ratio(tp[i], trueSum[i]))
		}
	}
	return mean(recalls), nil
}
