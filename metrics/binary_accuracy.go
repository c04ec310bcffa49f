package metrics

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// BinaryAccuracy is the fraction of predictions on the right side of a
// threshold: a prediction p counts as 1 when p > Threshold and as 0 otherwise,
// and is right when it equals the target. yPred is [batch, 1] or [batch]
// probabilities; yTrue is 0 or 1, [batch] or [batch, 1]. Multi-label
// [batch, k] targets and predictions of the same shape are scored element by
// element. Its zero value is ready to use. Name: "binary_accuracy".
type BinaryAccuracy struct {
	// Threshold splits predictions into 0 and 1. Zero means 0.5.
	Threshold float64

	c counter
}

var _ Metric = (*BinaryAccuracy)(nil)

// Name is "binary_accuracy".
func (*BinaryAccuracy) Name() string { return "binary_accuracy" }

// Update adds a batch. It returns an error, and adds nothing, when the batch
// sizes or column counts differ or a target is not 0 or 1.
func (m *BinaryAccuracy) Update(yTrue, yPred *tensor.Dense) error {
	threshold := m.Threshold
	if threshold == 0 {
		threshold = 0.5
	}
	correct, total, err := countBinary(yTrue, yPred, threshold)
	if err != nil {
		return errors.Wrap(err, m.Name())
	}
	m.c.add(correct, total)
	return nil
}

// Result is the fraction of right predictions since the last Reset; 0 when
// empty.
func (m *BinaryAccuracy) Result() float64 { return m.c.result() }

// Reset forgets every batch; Threshold is kept.
func (m *BinaryAccuracy) Reset() { m.c = counter{} }

func countBinary(yTrue, yPred *tensor.Dense, threshold float64) (correct, total int, err error) {
	return count(binaryHits(yTrue, yPred, threshold))
}

// binaryHits returns, for each row, how many of its columns are right, and
// the number of columns.
func binaryHits(yTrue, yPred *tensor.Dense, threshold float64) (hits []int, per int, err error) {
	t, p, err := pair(yTrue, yPred)
	if err != nil {
		return nil, 0, err
	}
	if t.cols != p.cols {
		return nil, 0, errors.Errorf("yTrue shape %v and yPred shape %v: binary accuracy needs as many target columns as prediction columns", yTrue.Shape(), yPred.Shape())
	}
	hits = make([]int, t.rows)
	for i := 0; i < t.rows; i++ {
		for j := 0; j < t.cols; j++ {
			want := t.at(i, j)
			if want != 0 && want != 1 {
				return nil, 0, errors.Errorf("yTrue must be 0 or 1, got %v at row %d", want, i)
			}
			if (p.at(i, j) > threshold) == (want == 1) {
				hits[i]++
			}
		}
	}
	return hits, t.cols, nil
}

// count sums per-row hits into right predictions out of a total.
func count(hits []int, per int, err error) (correct, total int, _ error) {
	if err != nil {
		return 0, 0, err
	}
	for _, h := range hits {
		correct += h
	}
	return correct, len(hits) * per, nil
}

// hitScores turns per-row hits into per-row scores in [0, 1].
func hitScores(hits []int, per int, err error) ([]float64, error) {
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(hits))
	for i, h := range hits {
		out[i] = float64(h) / float64(per)
	}
	return out, nil
}

// pair views both tensors and checks that they have the same batch size.
func pair(yTrue, yPred *tensor.Dense) (t, p matrix, err error) {
	if t, err = asMatrix(yTrue, "yTrue"); err != nil {
		return matrix{}, matrix{}, err
	}
	if p, err = asMatrix(yPred, "yPred"); err != nil {
		return matrix{}, matrix{}, err
	}
	if t.rows != p.rows {
		return matrix{}, matrix{}, errors.Errorf("yTrue shape %v and yPred shape %v have different batch sizes", yTrue.Shape(), yPred.Shape())
	}
	return t, p, nil
}
