package metrics

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// matrix is a read-only [rows, cols] view of a float32 or float64 tensor of
// shape [rows] (one column) or [rows, cols].
type matrix struct {
	rows, cols int
	f32        []float32
	f64        []float64
}

// asMatrix views t, which must be a float32 or float64 tensor of rank 1 or 2.
// role ("yTrue" or "yPred") names t in errors.
func asMatrix(t *tensor.Dense, role string) (matrix, error) {
	if t == nil {
		return matrix{}, errors.Errorf("%s is nil", role)
	}
	s := t.Shape()
	var m matrix
	switch len(s) {
	case 1:
		m.rows, m.cols = s[0], 1
	case 2:
		m.rows, m.cols = s[0], s[1]
	default:
		return matrix{}, errors.Errorf("%s must be [batch] or [batch, k], got shape %v", role, s)
	}
	if dt := t.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return matrix{}, errors.Errorf("%s must be float32 or float64, got %v", role, dt)
	}
	if m.cols == 0 {
		return matrix{}, errors.Errorf("%s shape %v has no columns", role, s)
	}
	n := m.rows * m.cols
	if n == 0 {
		return m, nil // an empty batch; Data panics on an empty tensor
	}
	if t.RequiresIterator() {
		d, ok := t.Materialize().(*tensor.Dense)
		if !ok {
			return matrix{}, errors.Errorf("%s: cannot read a view of shape %v", role, s)
		}
		t = d
	}
	switch data := t.Data().(type) {
	case []float32:
		if len(data) < n {
			return matrix{}, errors.Errorf("%s holds %d values, shape %v needs %d", role, len(data), s, n)
		}
		m.f32 = data[:n]
	case []float64:
		if len(data) < n {
			return matrix{}, errors.Errorf("%s holds %d values, shape %v needs %d", role, len(data), s, n)
		}
		m.f64 = data[:n]
	}
	return m, nil
}

// at is the value at row i, column j.
func (m matrix) at(i, j int) float64 {
	if m.f32 != nil {
		return float64(m.f32[i*m.cols+j])
	}
	return float64(m.f64[i*m.cols+j])
}

// argmax is the column of the largest value in row i; ties go to the first.
// NaN values are never the largest unless the whole row is NaN.
func (m matrix) argmax(i int) int {
	best, bestV := 0, m.at(i, 0)
	for j := 1; j < m.cols; j++ {
		if v := m.at(i, j); v > bestV || (math.IsNaN(bestV) && !math.IsNaN(v)) {
			best, bestV = j, v
		}
	}
	return best
}

// counter is the state shared by the accuracy metrics: the number of correct
// predictions and the number of predictions.
type counter struct {
	correct, total int
}

func (c *counter) add(correct, total int) {
	c.correct += correct
	c.total += total
}

func (c *counter) result() float64 {
	if c.total == 0 {
		return 0
	}
	return float64(c.correct) / float64(c.total)
}

// err is nil when the counter holds predictions.
func (c *counter) err(name string) error {
	if c.total == 0 {
		return errNoSamples(name)
	}
	return nil
}
