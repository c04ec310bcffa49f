package metrics

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// CategoricalAccuracy is the fraction of rows where the largest prediction is
// in the same column as the largest target: yTrue and yPred are both
// [batch, k] (one-hot or probability targets). Ties go to the first column.
// Its zero value is ready to use. Name: "categorical_accuracy".
type CategoricalAccuracy struct {
	c counter
}

var _ Metric = (*CategoricalAccuracy)(nil)

// Name is "categorical_accuracy".
func (*CategoricalAccuracy) Name() string { return "categorical_accuracy" }

// Update adds a batch. It returns an error, and adds nothing, when the shapes
// differ.
func (m *CategoricalAccuracy) Update(yTrue, yPred *tensor.Dense) error {
	correct, total, err := countCategorical(yTrue, yPred)
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	m.c.add(correct, total)
	return nil
}

// Result is the fraction of right rows since the last Reset; 0 when empty.
func (m *CategoricalAccuracy) Result() float64 { return m.c.result() }

// Reset forgets every batch.
func (m *CategoricalAccuracy) Reset() { m.c = counter{} }

func countCategorical(yTrue, yPred *tensor.Dense) (correct, total int, err error) {
	return count(categoricalHits(yTrue, yPred))
}

// categoricalHits is 1 for each row whose argmax is right, else 0.
func categoricalHits(yTrue, yPred *tensor.Dense) (hits []int, per int, err error) {
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return nil, 0, err
	}
	if t.cols != p.cols {
		return nil, 0, errors.Errorf("yTrue shape %v and yPred shape %v: categorical accuracy needs one-hot targets of the predictions' shape (for class ids use sparse_categorical_accuracy)", yTrue.Shape(), yPred.Shape())
	}
	hits = make([]int, t.rows)
	for i := 0; i < t.rows; i++ {
		if t.argmax(i) == p.argmax(i) {
			hits[i] = 1
		}
	}
	return hits, 1, nil
}
