package metrics

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Accuracy is the metric Keras calls "accuracy": it picks, batch by batch,
// from the shapes. yPred with one column ([batch] or [batch, 1]) is scored as
// BinaryAccuracy with threshold 0.5; yTrue with one column and yPred with
// k > 1 columns as SparseCategoricalAccuracy; anything else as
// CategoricalAccuracy. Result is the fraction of right predictions over every
// batch. Its zero value is ready to use. Name: "accuracy".
type Accuracy struct {
	c counter
}

var _ Metric = (*Accuracy)(nil)

// Name is "accuracy".
func (*Accuracy) Name() string { return "accuracy" }

// Update adds a batch, scored as described on Accuracy. It returns an error,
// and adds nothing, when the shapes do not fit the chosen accuracy.
func (m *Accuracy) Update(yTrue, yPred *tensor.Dense) error {
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	var correct, total int
	switch {
	case p.cols == 1:
		correct, total, err = countBinary(yTrue, yPred, 0.5)
	case t.cols == 1:
		correct, total, err = countSparse(yTrue, yPred)
	default:
		correct, total, err = countCategorical(yTrue, yPred)
	}
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	m.c.add(correct, total)
	return nil
}

// Result is the fraction of right predictions since the last Reset; 0 when
// empty.
func (m *Accuracy) Result() float64 { return m.c.result() }

// Reset forgets every batch.
func (m *Accuracy) Reset() { m.c = counter{} }
