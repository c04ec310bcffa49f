// Package datasets holds the data step of the workflow: a Dataset of feature
// and target tensors, seeded and stratified train/test splits, and small real
// data sets embedded in the binary (Digits).
package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Dataset is n samples: features X, [n, ...] (any rank >= 1), and targets Y,
// [n] or [n, 1] class ids or [n, k] values. X and Y hold float32 or float64
// values (int and int64 are accepted too, for Subset and splits).
type Dataset struct {
	// X is the features, [n, ...].
	X *tensor.Dense
	// Y is the targets, [n] or [n, 1] class ids, or [n, k]. Nil means
	// unlabelled; Validate and stratified splits need it.
	Y *tensor.Dense
	// ClassNames names the class ids in Y: ClassNames[id]. Nil means none.
	ClassNames []string
	// Name names the data set in errors and reports: "digits".
	Name string
}

// Len is the number of samples: the first dimension of X, or 0 when X is nil
// or a scalar.
func (d *Dataset) Len() int {
	return rows(d.X)
}

// Subset returns a new Dataset holding copies of the given rows of X and Y,
// in the given order (a row may repeat).
// ClassNames is copied and Name kept. It returns an error when X is missing,
// Y has a different number of rows, rows is empty, or an index is out of
// range.
func (d *Dataset) Subset(idx []int) (*Dataset, error) {
	if d.X == nil {
		return nil, errors.Errorf("dataset %q: subset: X is nil", d.Name)
	}
	if len(d.X.Shape()) == 0 {
		return nil, errors.Errorf("dataset %q: subset: X must be [n, ...], got shape %v", d.Name, d.X.Shape())
	}
	n := d.Len()
	if d.Y != nil && (len(d.Y.Shape()) == 0 || rows(d.Y) != n) {
		return nil, errors.Errorf("dataset %q: subset: X shape %v and Y shape %v have different numbers of rows", d.Name, d.X.Shape(), d.Y.Shape())
	}
	if len(idx) == 0 {
		return nil, errors.Errorf("dataset %q: subset: no rows given", d.Name)
	}
	for i, r := range idx {
		if r < 0 || r >= n {
			return nil, errors.Errorf("dataset %q: subset: row %d (index %d in the list) is out of range [0, %d)", d.Name, r, i, n)
		}
	}
	x, err := copyRows(d.X, idx)
	if err != nil {
		return nil, errors.Wrapf(err, "dataset %q: subset: X", d.Name)
	}
	out := &Dataset{X: x, Name: d.Name}
	if d.Y != nil {
		if out.Y, err = copyRows(d.Y, idx); err != nil {
			return nil, errors.Wrapf(err, "dataset %q: subset: Y", d.Name)
		}
	}
	if d.ClassNames != nil {
		out.ClassNames = append([]string(nil), d.ClassNames...)
	}
	return out, nil
}

// Validate checks that X and Y are present, have the same number of rows,
// n > 0, and hold only finite values. The error names the tensor, the row and
// the value.
func (d *Dataset) Validate() error {
	if err := d.checkRows(true); err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		t    *tensor.Dense
	}{{"X", d.X}, {"Y", d.Y}} {
		if err := checkFinite(t.t); err != nil {
			return errors.Wrapf(err, "dataset %q: %s", d.Name, t.name)
		}
	}
	return nil
}

// checkRows checks the structure only: X present with n > 0 rows, and Y, when
// present (or needY), with n rows.
func (d *Dataset) checkRows(needY bool) error {
	if d.X == nil {
		return errors.Errorf("dataset %q: X is nil", d.Name)
	}
	if len(d.X.Shape()) == 0 {
		return errors.Errorf("dataset %q: X must be [n, ...], got shape %v", d.Name, d.X.Shape())
	}
	if d.Len() == 0 {
		return errors.Errorf("dataset %q has no rows: X shape %v", d.Name, d.X.Shape())
	}
	if d.Y == nil {
		if needY {
			return errors.Errorf("dataset %q: Y is nil", d.Name)
		}
		return nil
	}
	if rows(d.Y) != d.Len() || len(d.Y.Shape()) == 0 {
		return errors.Errorf("dataset %q: X shape %v and Y shape %v have different numbers of rows", d.Name, d.X.Shape(), d.Y.Shape())
	}
	return nil
}

// rows is the first dimension of t, or 0 for nil and scalars.
func rows(t *tensor.Dense) int {
	if t == nil {
		return 0
	}
	s := t.Shape()
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

// contiguous returns t, or a copy of it when t is a view that must be read
// with an iterator (a transpose or a strided slice).
func contiguous(t *tensor.Dense) (*tensor.Dense, error) {
	if !t.RequiresIterator() {
		return t, nil
	}
	d, ok := t.Materialize().(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("cannot read a view of shape %v", t.Shape())
	}
	return d, nil
}

// copyRows copies the rows idx of t, [n, ...], into a new tensor
// [len(idx), ...] of the same dtype.
func copyRows(t *tensor.Dense, idx []int) (*tensor.Dense, error) {
	t, err := contiguous(t)
	if err != nil {
		return nil, err
	}
	shape := t.Shape().Clone()
	size := 1
	for _, s := range shape[1:] {
		size *= s
	}
	total := shape[0] * size
	if size == 0 {
		return nil, errors.Errorf("rows of a tensor of shape %v hold no values", t.Shape())
	}
	shape[0] = len(idx)
	var backing any
	switch data := t.Data().(type) {
	case []float32:
		backing, err = gather(data, total, size, idx)
	case []float64:
		backing, err = gather(data, total, size, idx)
	case []int:
		backing, err = gather(data, total, size, idx)
	case []int64:
		backing, err = gather(data, total, size, idx)
	default:
		return nil, errors.Errorf("dtype must be float32, float64, int or int64, got %v", t.Dtype())
	}
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing)), nil
}

// gather copies the rows idx, of size values each, from the first total
// values of src.
func gather[T any](src []T, total, size int, idx []int) ([]T, error) {
	if len(src) < total {
		return nil, errors.Errorf("holds %d values, its shape needs %d", len(src), total)
	}
	dst := make([]T, 0, size*len(idx))
	for _, r := range idx {
		dst = append(dst, src[r*size:(r+1)*size]...)
	}
	return dst, nil
}

// checkFinite returns an error naming the first row, position in the row and
// value that is NaN or infinite.
func checkFinite(t *tensor.Dense) error {
	t, err := contiguous(t)
	if err != nil {
		return err
	}
	n, total := rows(t), t.Shape().TotalSize()
	if total == 0 {
		return nil // Data panics on an empty tensor
	}
	switch data := t.Data().(type) {
	case []float32:
		return firstNonFinite(data[:min(total, len(data))], n)
	case []float64:
		return firstNonFinite(data[:min(total, len(data))], n)
	case []int, []int64:
		return nil
	}
	return errors.Errorf("dtype must be float32, float64, int or int64, got %v", t.Dtype())
}

func firstNonFinite[T float32 | float64](data []T, n int) error {
	if n == 0 {
		return nil
	}
	size := len(data) / n
	for i, v := range data {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.Errorf("row %d, position %d of the row: value %v", i/size, i%size, f)
		}
	}
	return nil
}
