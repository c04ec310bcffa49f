package metrics

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// LogLoss is the mean cross-entropy of the true classes under the predicted
// probabilities, −mean(log p[true class]), computed as sklearn's log_loss:
// each probability is first clipped to [ε, 1 − ε] and each row divided by
// its sum, with ε the machine epsilon of yPred's dtype (2.2e-16 for
// float64, 1.2e-7 for float32; sklearn's eps="auto"). yPred is one column
// (the probability of class 1) or [batch, k] probabilities; yTrue class ids
// or one-hot rows. Its zero value is ready to use. Name: "log_loss".
//
// Keras's binary_crossentropy and categorical_crossentropy metrics clip with
// ε = 1e-7 instead, and the first averages over columns for multi-label
// [batch, k] targets; with one-hot or id targets they differ from LogLoss
// only in that ε.
type LogLoss struct {
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int

	cols columns
	sum  ksum
	n    int
}

var _ Checker = (*LogLoss)(nil)

// Name is "log_loss".
func (*LogLoss) Name() string { return "log_loss" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes) or a target row that is not one-hot.
func (m *LogLoss) Update(yTrue, yPred *tensor.Dense) error {
	in, err := readClasses(yTrue, yPred, m.Classes, 0)
	if err == nil && in.rows > 0 {
		err = m.cols.check(in.cols)
	}
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	eps := 0x1p-52
	if in.p.f32 != nil {
		eps = 0x1p-23
	}
	clip := func(v float64) float64 { return math.Min(math.Max(v, eps), 1-eps) }
	for i := 0; i < in.rows; i++ {
		var q float64
		if in.cols == 1 {
			p := clip(in.p.at(i, 0))
			row := [2]float64{1 - p, p}
			q = row[in.truth[i]] / (row[0] + row[1])
		} else {
			var s float64
			for j := 0; j < in.cols; j++ {
				s += clip(in.p.at(i, j))
			}
			q = clip(in.p.at(i, in.truth[i])) / s
		}
		m.sum.add(-math.Log(q))
	}
	m.n += in.rows
	return nil
}

// Result is the mean log loss since the last Reset; 0 when Err is not nil.
func (m *LogLoss) Result() float64 { return resultOf(m.value()) }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *LogLoss) Err() error { return errOf(m.value()) }

// Reset forgets every batch; the configuration is kept.
func (m *LogLoss) Reset() { *m = LogLoss{Classes: m.Classes} }

func (m *LogLoss) value() (float64, error) {
	if m.n == 0 {
		return 0, errNoSamples(m.Name())
	}
	return m.sum.value() / float64(m.n), nil
}

// ksum is a compensated (Neumaier) sum: adding the same numbers in any order
// gives the same result to within an ulp or two, so batch splits do not
// change a metric.
type ksum struct{ s, c float64 }

func (k *ksum) add(x float64) {
	t := k.s + x
	if math.Abs(k.s) >= math.Abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

func (k ksum) value() float64 { return k.s + k.c }
