// Package tensors holds small helpers over gorgonia tensors shared by the
// trainer and the models: dtype conversion, row copies, finiteness checks.
package tensors

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Float is the element type of the tensors Profundo computes with.
type Float interface{ ~float32 | ~float64 }

// RowSize is the number of values in one row (sample) of t.
func RowSize(t *tensor.Dense) int {
	s := t.Shape()
	if len(s) == 0 || s[0] == 0 {
		return 0
	}
	return s.TotalSize() / s[0]
}

// Rows is the number of rows (samples) in t: its first dimension.
func Rows(t *tensor.Dense) int {
	s := t.Shape()
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

// Convert returns t as a new dense tensor of dtype dt (t itself when it
// already has that dtype). dt is float32 or float64; t is float32,
// float64, or integers (int, int8 to int64, uint8 to uint64: class ids,
// token ids), converted to the float of the same value.
func Convert(t *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	if t.Dtype() == dt {
		return t, nil
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("cannot convert a %v tensor to %v: only float32 and float64 are supported", t.Dtype(), dt)
	}
	shape := t.Shape().Clone()
	var out any
	switch src := t.Data().(type) {
	case []float32:
		out = toFloat(src, dt)
	case []float64:
		out = toFloat(src, dt)
	case []int:
		out = toFloat(src, dt)
	case []int8:
		out = toFloat(src, dt)
	case []int16:
		out = toFloat(src, dt)
	case []int32:
		out = toFloat(src, dt)
	case []int64:
		out = toFloat(src, dt)
	case []uint8:
		out = toFloat(src, dt)
	case []uint16:
		out = toFloat(src, dt)
	case []uint32:
		out = toFloat(src, dt)
	case []uint64:
		out = toFloat(src, dt)
	default:
		return nil, errors.Errorf("cannot convert a %v tensor to %v: only numbers are supported", t.Dtype(), dt)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out)), nil
}

type number interface {
	~float32 | ~float64 | ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func toFloat[S number](src []S, dt tensor.Dtype) any {
	if dt == tensor.Float32 {
		return convert[S, float32](src)
	}
	return convert[S, float64](src)
}

func convert[S number, D Float](src []S) []D {
	dst := make([]D, len(src))
	for i, v := range src {
		dst[i] = D(v)
	}
	return dst
}

// CopyRows copies the given rows of src into the first len(rows) rows of
// dst, which must have the same dtype and row size.
func CopyRows(dst, src *tensor.Dense, rows []int) {
	rs := RowSize(src)
	switch d := dst.Data().(type) {
	case []float32:
		copyRows(d, src.Data().([]float32), rows, rs)
	case []float64:
		copyRows(d, src.Data().([]float64), rows, rs)
	}
}

func copyRows[T Float](dst, src []T, rows []int, rs int) {
	for i, r := range rows {
		copy(dst[i*rs:(i+1)*rs], src[r*rs:(r+1)*rs])
	}
}

// CopyRange copies rows [from, to) of src into the first rows of dst.
func CopyRange(dst, src *tensor.Dense, from, to int) {
	rs := RowSize(src)
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src.Data().([]float32)[from*rs:to*rs])
	case []float64:
		copy(d, src.Data().([]float64)[from*rs:to*rs])
	}
}

// Scalar reads the single value of a scalar (or one-element) tensor value.
func Scalar(v interface{ Data() interface{} }) (float64, error) {
	switch d := v.Data().(type) {
	case float32:
		return float64(d), nil
	case float64:
		return d, nil
	case []float32:
		if len(d) == 1 {
			return float64(d[0]), nil
		}
	case []float64:
		if len(d) == 1 {
			return d[0], nil
		}
	}
	return 0, errors.Errorf("expected a scalar float, got %T", v.Data())
}

// CheckFinite returns an error naming the first row and value of t that is
// NaN or infinite.
func CheckFinite(t *tensor.Dense, what string) error {
	rs := RowSize(t)
	check := func(i int, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.Errorf("%s: row %d has %v at column %d", what, i/rs, v, i%rs)
		}
		return nil
	}
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range d {
			if err := check(i, float64(v)); err != nil {
				return err
			}
		}
	case []float64:
		for i, v := range d {
			if err := check(i, v); err != nil {
				return err
			}
		}
	default:
		return errors.Errorf("%s: expected float32 or float64 values, got %v", what, t.Dtype())
	}
	return nil
}
