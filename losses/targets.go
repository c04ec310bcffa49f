package losses

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// float is the element type of the tensors losses are fed.
type float interface{ ~float32 | ~float64 }

// targetData returns y's backing slice, []float32 or []float64 in row-major
// order, after checking that y is a non-empty float32 or float64 tensor with
// a batch axis.
func targetData(y *tensor.Dense) (any, error) {
	if y == nil {
		return nil, errors.New("targets are nil")
	}
	s := y.Shape()
	if s.IsScalar() || s.TotalSize() == 0 {
		return nil, errors.Errorf("targets must be a non-empty tensor [n, ...], got shape %v", s)
	}
	if y.Dtype() != tensor.Float32 && y.Dtype() != tensor.Float64 {
		return nil, errors.Errorf("targets must be float32 or float64, got %v", y.Dtype())
	}
	if y.RequiresIterator() {
		m, ok := y.Materialize().(*tensor.Dense)
		if !ok {
			return nil, errors.New("targets: cannot read the view")
		}
		y = m
	}
	return y.Data(), nil
}

// matchOut checks that y is [n, out...] and returns y, or, when out is [1]
// and y is [n], a copy of y reshaped to [n, 1].
func matchOut(y *tensor.Dense, out []int) (*tensor.Dense, error) {
	s := y.Shape()
	want := append([]int{s[0]}, out...)
	if sameShape(want, s) {
		return y, nil
	}
	if len(out) == 1 && out[0] == 1 && len(s) == 1 {
		c, ok := y.Clone().(*tensor.Dense)
		if !ok {
			return nil, errors.New("targets: clone is not dense")
		}
		if err := c.Reshape(s[0], 1); err != nil {
			return nil, errors.Wrapf(err, "reshape targets %v to (%d, 1)", s, s[0])
		}
		return c, nil
	}
	return nil, errors.Errorf("targets shape %v does not match the output shape %v: want %v", s, tensor.Shape(out), shapeString(out))
}

// shapeString writes [n, out...] for error messages.
func shapeString(out []int) string {
	str := "(n"
	for _, d := range out {
		str += fmt.Sprintf(", %d", d)
	}
	return str + ")"
}

// checkRows returns an error naming the row and value of the first value of
// data ([]float32 or []float64) that bad reports, or nil. rowSize is the
// number of values per row.
func checkRows(data any, rowSize int, bad func(v float64) string) error {
	switch d := data.(type) {
	case []float32:
		return scanRows(d, rowSize, bad)
	case []float64:
		return scanRows(d, rowSize, bad)
	}
	return errors.Errorf("targets must be float32 or float64, got %T", data)
}

func scanRows[T float](d []T, rowSize int, bad func(v float64) string) error {
	for i, v := range d {
		if why := bad(float64(v)); why != "" {
			return errors.Errorf("target %v at row %d %s", v, i/rowSize, why)
		}
	}
	return nil
}

// notFinite reports values that are NaN or infinite.
func notFinite(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "is not finite"
	}
	return ""
}

// rowSize is the number of values per row of y, [n, ...].
func rowSize(y *tensor.Dense) int {
	s := y.Shape()
	return s.TotalSize() / s[0]
}
