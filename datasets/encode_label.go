package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// LabelEncoder maps class labels (text) to class ids 0..k-1 and back, as
// scikit-learn's LabelEncoder does: Classes[id] is the label of id. The zero
// value is ready to Fit.
type LabelEncoder struct {
	// Classes are the labels in id order. Fit sets them to the distinct
	// labels, sorted; they may be set by hand instead of calling Fit.
	Classes []string `json:"classes"`
}

// Fit sets Classes to the distinct labels, sorted: as numbers when every
// label is a number ("2" before "10", as scikit-learn sorts numeric labels),
// else as text ("benign" before "malignant"). No labels is an error.
func (e *LabelEncoder) Fit(labels []string) error {
	if len(labels) == 0 {
		return errors.New("label encoder: fit: no labels")
	}
	e.Classes = sortedDistinct(labels)
	return nil
}

// Encode returns the class id of each label. A label not in Classes is an
// error naming its row (0-based) and the classes.
func (e *LabelEncoder) Encode(labels []string) ([]int, error) {
	return e.encode(labels, rowWhere)
}

func (e *LabelEncoder) encode(labels []string, where func(int) string) ([]int, error) {
	index, err := categoryIndex("label encoder", e.Classes)
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(labels))
	for i, l := range labels {
		id, ok := index[l]
		if !ok {
			return nil, errors.Errorf("label encoder: %s: unknown label %q; the classes are %s", where(i), l, quoteList(e.Classes))
		}
		ids[i] = id
	}
	return ids, nil
}

// Decode returns the label of each class id. An id outside
// [0, len(Classes)) is an error naming its row.
func (e *LabelEncoder) Decode(ids []int) ([]string, error) {
	if e.Classes == nil {
		return nil, errors.New("label encoder: decode before fit (no classes)")
	}
	labels := make([]string, len(ids))
	for i, id := range ids {
		if id < 0 || id >= len(e.Classes) {
			return nil, errors.Errorf("label encoder: decode: row %d: class id %d is not in [0, %d)", i, id, len(e.Classes))
		}
		labels[i] = e.Classes[id]
	}
	return labels, nil
}

// maxCategoricalValues caps ToCategorical's output at 2^30 values.
const maxCategoricalValues = 1 << 30

// ToCategorical one-hot encodes integer class ids, as Keras's
// to_categorical does: y, [n] or [n, 1] of ids in [0, classes), becomes
// [n, classes] with a 1 in each row's class column. The result is float32
// when y is float32, else float64 (y may be float32, float64, int or
// int64). classes <= 0 means max(y)+1. An id that is not an integer in
// [0, classes) is an error naming its row and value.
func ToCategorical(y *tensor.Dense, classes int) (*tensor.Dense, error) {
	if y == nil {
		return nil, errors.New("to categorical: y is nil")
	}
	s := y.Shape()
	if !(len(s) == 1 || (len(s) == 2 && s[1] == 1)) || s[0] == 0 {
		return nil, errors.Errorf("to categorical: y must be class ids [n] or [n, 1], got shape %v", s)
	}
	y, err := contiguous(y)
	if err != nil {
		return nil, errors.Wrap(err, "to categorical")
	}
	n := s[0]
	vals := make([]float64, n)
	switch d := y.Data().(type) {
	case []float32:
		for i := range vals {
			vals[i] = float64(d[i])
		}
	case []float64:
		copy(vals, d)
	case []int:
		for i := range vals {
			vals[i] = float64(d[i])
		}
	case []int64:
		for i := range vals {
			vals[i] = float64(d[i])
		}
	default:
		return nil, errors.Errorf("to categorical: y dtype must be float32, float64, int or int64, got %v", y.Dtype())
	}
	if classes <= 0 {
		hi := math.Inf(-1)
		for _, v := range vals {
			if !math.IsNaN(v) {
				hi = math.Max(hi, v)
			}
		}
		if hi >= 0 && hi < math.MaxInt32 {
			classes = int(hi) + 1
		} else {
			classes = 1
		}
	}
	if n*classes > maxCategoricalValues || classes > maxCategoricalValues {
		return nil, errors.Errorf("to categorical: %d rows of %d classes is too large", n, classes)
	}
	out := make([]float64, n*classes)
	for i, v := range vals {
		if v != math.Trunc(v) || v < 0 || v >= float64(classes) {
			return nil, errors.Errorf("to categorical: row %d: label %v is not an integer in [0, %d)", i, v, classes)
		}
		out[i*classes+int(v)] = 1
	}
	t := matrix{data: out, shape: tensor.Shape{n, classes}, dtype: tensor.Float64}
	if y.Dtype() == tensor.Float32 {
		t.dtype = tensor.Float32
	}
	return t.dense(), nil
}
