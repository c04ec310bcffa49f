package metrics

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ConfusionMatrix counts rows by true and predicted class, batch by batch:
// Counts()[t][p] is the number of rows of class t predicted as p, the
// layout of sklearn's confusion_matrix with labels=range(k). It is not a
// Metric, since its result is a table, but it reads the same inputs as the
// classification metrics (see the package documentation). Its zero value is
// ready to use.
type ConfusionMatrix struct {
	// Classes is the number of classes. Zero means yPred's columns (2 for
	// one column); otherwise a batch with another number is refused.
	Classes int
	// Threshold splits one-column predictions: p > Threshold is class 1.
	// Zero means 0.5.
	Threshold float64

	cm confusion
}

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a prediction outside [0, 1] or NaN, a class id outside
// [0, classes) or a target row that is not one-hot.
func (m *ConfusionMatrix) Update(yTrue, yPred *tensor.Dense) error {
	return errors.Wrap(updateConfusion(&m.cm, yTrue, yPred, m.Classes, m.Threshold), "confusion matrix")
}

// Reset forgets every batch; the configuration is kept.
func (m *ConfusionMatrix) Reset() { m.cm.reset() }

// Samples is the number of rows counted since the last Reset.
func (m *ConfusionMatrix) Samples() int { return m.cm.n }

// Counts is the matrix, [classes][classes], rows the true class and columns
// the predicted one; nil before any row is counted. It is a copy.
func (m *ConfusionMatrix) Counts() [][]int {
	if m.cm.n == 0 {
		return nil
	}
	k := m.cm.k
	out := make([][]int, k)
	for t := range out {
		out[t] = append([]int(nil), m.cm.counts[t*k:(t+1)*k]...)
	}
	return out
}

// names checks class names against the matrix: nil means the class ids.
func (m *ConfusionMatrix) names(classNames []string) ([]string, error) {
	if m.cm.n == 0 {
		return nil, errors.New("confusion matrix: no samples since the last reset")
	}
	if classNames == nil {
		classNames = make([]string, m.cm.k)
		for i := range classNames {
			classNames[i] = strconv.Itoa(i)
		}
	}
	if len(classNames) != m.cm.k {
		return nil, errors.Errorf("confusion matrix: %d class names for %d classes", len(classNames), m.cm.k)
	}
	return classNames, nil
}

// Table is the matrix as text, one line per true class, a column per
// predicted class, headed by classNames (nil: the class ids):
//
//	true\pred  cat  dog
//	      cat    5    1
//	      dog    0    4
//
// It is an error before any row is counted, or when classNames does not
// name every class.
func (m *ConfusionMatrix) Table(classNames []string) (string, error) {
	names, err := m.names(classNames)
	if err != nil {
		return "", err
	}
	const corner = `true\pred`
	first := len(corner)
	width := 0
	for _, n := range names {
		first = max(first, len(n))
		width = max(width, len(n))
	}
	for _, c := range m.cm.counts {
		width = max(width, len(strconv.Itoa(c)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s", first, corner)
	for _, n := range names {
		fmt.Fprintf(&b, "  %*s", width, n)
	}
	b.WriteByte('\n')
	k := m.cm.k
	for t, n := range names {
		fmt.Fprintf(&b, "%*s", first, n)
		for p := 0; p < k; p++ {
			fmt.Fprintf(&b, "  %*d", width, m.cm.counts[t*k+p])
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// String is Table with the class ids, or "(empty confusion matrix)" before
// any row is counted.
func (m *ConfusionMatrix) String() string {
	s, err := m.Table(nil)
	if err != nil {
		return "(empty confusion matrix)"
	}
	return s
}

// Report is the classification report of the rows counted so far, classes
// named by classNames (nil: the class ids).
func (m *ConfusionMatrix) Report(classNames []string) (*ClassificationReport, error) {
	names, err := m.names(classNames)
	if err != nil {
		return nil, err
	}
	return newReport(&m.cm, names), nil
}
