package metrics

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// TopKCategoricalAccuracy is the fraction of rows whose true class is among
// the K largest predictions: yTrue is one-hot [batch, k], yPred
// probabilities [batch, k] with k >= 2. Ties are broken as sklearn's
// top_k_accuracy_score breaks them: among equal probabilities the higher
// class index ranks first (Keras's in_top_k lets every tied class in). With
// K >= k every row counts as right. Its zero value is ready to use. Name:
// "top_k_categorical_accuracy".
type TopKCategoricalAccuracy struct {
	// K is how many of the largest predictions count. Zero means 5, as in
	// Keras.
	K int
	// Classes is the number of classes. Zero means yPred's columns;
	// otherwise a batch with another number is refused.
	Classes int

	c counter
}

var _ Checker = (*TopKCategoricalAccuracy)(nil)

// Name is "top_k_categorical_accuracy".
func (*TopKCategoricalAccuracy) Name() string { return "top_k_categorical_accuracy" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, targets that are not one-hot, a prediction outside [0, 1] or NaN,
// or a negative K.
func (m *TopKCategoricalAccuracy) Update(yTrue, yPred *tensor.Dense) error {
	correct, total, err := countTopK(yTrue, yPred, m.K, m.Classes, false)
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	m.c.add(correct, total)
	return nil
}

// Result is the fraction of right rows since the last Reset; 0 when empty.
func (m *TopKCategoricalAccuracy) Result() float64 { return m.c.result() }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *TopKCategoricalAccuracy) Err() error { return m.c.err(m.Name()) }

// Reset forgets every batch; the configuration is kept.
func (m *TopKCategoricalAccuracy) Reset() { m.c = counter{} }

// SparseTopKCategoricalAccuracy is TopKCategoricalAccuracy for class ids:
// yTrue is [batch] or [batch, 1], yPred probabilities [batch, k] with
// k >= 2. It matches sklearn's top_k_accuracy_score with labels=range(k),
// ties included. Its zero value is ready to use. Name:
// "sparse_top_k_categorical_accuracy".
type SparseTopKCategoricalAccuracy struct {
	// K is how many of the largest predictions count. Zero means 5, as in
	// Keras.
	K int
	// Classes is the number of classes. Zero means yPred's columns;
	// otherwise a batch with another number is refused.
	Classes int

	c counter
}

var _ Checker = (*SparseTopKCategoricalAccuracy)(nil)

// Name is "sparse_top_k_categorical_accuracy".
func (*SparseTopKCategoricalAccuracy) Name() string { return "sparse_top_k_categorical_accuracy" }

// Update adds a batch. It returns an error, and adds nothing, on mismatched
// shapes, a class id outside [0, k), a prediction outside [0, 1] or NaN, or
// a negative K.
func (m *SparseTopKCategoricalAccuracy) Update(yTrue, yPred *tensor.Dense) error {
	correct, total, err := countTopK(yTrue, yPred, m.K, m.Classes, true)
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	m.c.add(correct, total)
	return nil
}

// Result is the fraction of right rows since the last Reset; 0 when empty.
func (m *SparseTopKCategoricalAccuracy) Result() float64 { return m.c.result() }

// Err is nil when Result is defined, and says why it is not: no samples.
func (m *SparseTopKCategoricalAccuracy) Err() error { return m.c.err(m.Name()) }

// Reset forgets every batch; the configuration is kept.
func (m *SparseTopKCategoricalAccuracy) Reset() { m.c = counter{} }

func countTopK(yTrue, yPred *tensor.Dense, k, classes int, sparse bool) (correct, total int, err error) {
	if k < 0 {
		return 0, 0, errors.Errorf("k must be >= 0 (zero means 5), got %d", k)
	}
	if k == 0 {
		k = 5
	}
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return 0, 0, err
	}
	if p.cols < 2 {
		return 0, 0, errors.Errorf("yPred shape %v: top-k accuracy needs [batch, k] probabilities with k >= 2", yPred.Shape())
	}
	if sparse && t.cols != 1 {
		return 0, 0, errors.Errorf("yTrue shape %v and yPred shape %v: sparse top-k accuracy needs class ids [batch] or [batch, 1]", yTrue.Shape(), yPred.Shape())
	}
	if !sparse && t.cols != p.cols {
		return 0, 0, errors.Errorf("yTrue shape %v and yPred shape %v: top-k categorical accuracy needs one-hot targets of the predictions' shape (for class ids use sparse_top_k_categorical_accuracy)", yTrue.Shape(), yPred.Shape())
	}
	in, err := readClasses(yTrue, yPred, classes, 0)
	if err != nil {
		return 0, 0, err
	}
	for i := 0; i < in.rows; i++ {
		c := in.truth[i]
		s := p.at(i, c)
		rank := 0 // classes ranked before c
		for j := 0; j < p.cols; j++ {
			if v := p.at(i, j); v > s || (v == s && j > c) {
				rank++
			}
		}
		if rank < k {
			correct++
		}
	}
	return correct, in.rows, nil
}
