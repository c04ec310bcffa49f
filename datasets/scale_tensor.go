package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// matrix is a float32 or float64 tensor x, [n, ...], read as n rows of size
// float64 values each: everything past the first axis is one row's features.
type matrix struct {
	data    []float64
	n, size int
	shape   tensor.Shape
	dtype   tensor.Dtype
}

// readMatrix copies x into a matrix. x must be float32 or float64, of rank
// >= 1, with at least one row and one value per row.
func readMatrix(x *tensor.Dense) (matrix, error) {
	if x == nil {
		return matrix{}, errors.New("x is nil")
	}
	shape := x.Shape().Clone()
	if len(shape) == 0 {
		return matrix{}, errors.Errorf("x must be [n, ...], got shape %v", shape)
	}
	size := 1
	for _, s := range shape[1:] {
		size *= s
	}
	m := matrix{n: shape[0], size: size, shape: shape, dtype: x.Dtype()}
	if m.n == 0 || size == 0 {
		return matrix{}, errors.Errorf("x shape %v holds no values", shape)
	}
	x, err := contiguous(x)
	if err != nil {
		return matrix{}, err
	}
	total := m.n * size
	switch d := x.Data().(type) {
	case []float64:
		if len(d) < total {
			return matrix{}, errors.Errorf("x holds %d values, its shape %v needs %d", len(d), shape, total)
		}
		m.data = append([]float64(nil), d[:total]...)
	case []float32:
		if len(d) < total {
			return matrix{}, errors.Errorf("x holds %d values, its shape %v needs %d", len(d), shape, total)
		}
		m.data = make([]float64, total)
		for i, v := range d[:total] {
			m.data[i] = float64(v)
		}
	default:
		return matrix{}, errors.Errorf("x dtype must be float32 or float64, got %v", x.Dtype())
	}
	return m, nil
}

// features is the shape of one row: x's shape past the first axis.
func (m matrix) features() []int {
	return append([]int{}, m.shape[1:]...)
}

// dense returns m's data as a new tensor of m's shape and dtype.
func (m matrix) dense() *tensor.Dense {
	if m.dtype == tensor.Float32 {
		d := make([]float32, len(m.data))
		for i, v := range m.data {
			d[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(m.shape...), tensor.WithBacking(d))
	}
	return tensor.New(tensor.WithShape(m.shape...), tensor.WithBacking(m.data))
}

// fitMatrix reads x for a Fit.
func fitMatrix(kind string, x *tensor.Dense) (matrix, error) {
	m, err := readMatrix(x)
	if err != nil {
		return matrix{}, errors.Wrapf(err, "%s: fit", kind)
	}
	return m, nil
}

// transformMatrix reads x for a Transform and checks that its features have
// the fitted shape; fitted is false before Fit.
func transformMatrix(kind string, x *tensor.Dense, fitted bool, features []int) (matrix, error) {
	if !fitted {
		return matrix{}, errors.Errorf("%s: transform before fit", kind)
	}
	m, err := readMatrix(x)
	if err != nil {
		return matrix{}, errors.Wrapf(err, "%s: transform", kind)
	}
	if !sameInts(m.features(), features) {
		return matrix{}, errors.Errorf("%s: transform: x shape %v has features %v, fitted on features %v", kind, m.shape, tensor.Shape(m.features()), tensor.Shape(features))
	}
	return m, nil
}

// checkFitted checks that fitted statistics have one value per feature, as
// after Fit or a JSON round trip.
func checkFitted(kind string, features []int, stats ...[]float64) error {
	size := 1
	for _, f := range features {
		size *= f
	}
	for _, s := range stats {
		if len(s) != size {
			return errors.Errorf("%s: fitted statistics hold %d values for features %v, want %d", kind, len(s), tensor.Shape(features), size)
		}
	}
	return nil
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
