package metrics

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// SparseCategoricalAccuracy is the fraction of rows where the largest
// prediction is in the column given by the class id: yTrue is class ids
// [batch] or [batch, 1], yPred is [batch, k]. Ties go to the first column.
// Its zero value is ready to use. Name: "sparse_categorical_accuracy".
type SparseCategoricalAccuracy struct {
	c counter
}

var _ Metric = (*SparseCategoricalAccuracy)(nil)

// Name is "sparse_categorical_accuracy".
func (*SparseCategoricalAccuracy) Name() string { return "sparse_categorical_accuracy" }

// Update adds a batch. It returns an error, and adds nothing, when the batch
// sizes differ, yTrue has more than one column, or a class id is not an
// integer in [0, k).
func (m *SparseCategoricalAccuracy) Update(yTrue, yPred *tensor.Dense) error {
	correct, total, err := countSparse(yTrue, yPred)
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	m.c.add(correct, total)
	return nil
}

// Result is the fraction of right rows since the last Reset; 0 when empty.
func (m *SparseCategoricalAccuracy) Result() float64 { return m.c.result() }

// Reset forgets every batch.
func (m *SparseCategoricalAccuracy) Reset() { m.c = counter{} }

func countSparse(yTrue, yPred *tensor.Dense) (correct, total int, err error) {
	return count(sparseHits(yTrue, yPred))
}

// sparseHits is 1 for each row whose argmax is its class id, else 0.
func sparseHits(yTrue, yPred *tensor.Dense) (hits []int, per int, err error) {
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return nil, 0, err
	}
	if t.cols != 1 {
		return nil, 0, errors.Errorf("yTrue shape %v and yPred shape %v: sparse categorical accuracy needs class ids [batch] or [batch, 1]", yTrue.Shape(), yPred.Shape())
	}
	hits = make([]int, t.rows)
	for i := 0; i < t.rows; i++ {
		id := t.at(i, 0)
		if id != math.Trunc(id) || id < 0 || id >= float64(p.cols) {
			return nil, 0, errors.Errorf("yTrue row %d: class id %v is not an integer in [0, %d)", i, id, p.cols)
		}
		if p.argmax(i) == int(id) {
			hits[i] = 1
		}
	}
	return hits, 1, nil
}
