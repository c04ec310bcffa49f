package trainer

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/tensors"
)

// sampleWeights returns the per-sample loss weights, [n] in X's dtype: the
// sample weights times the weights of the samples' classes; or, for
// per-step sample weights [n, steps], [n, steps], each row times its
// sample's class weight.
func sampleWeights(d Data, sample *tensor.Dense, class map[int]float64) (*tensor.Dense, error) {
	n := d.Len()
	per := 1 // weights per sample: 1, or one per step
	if sample != nil {
		per = tensors.RowSize(sample)
		if s := sample.Shape(); tensors.Rows(sample) != n || per < 1 || sample.Dims() > 2 {
			return nil, errors.Errorf("sample weights have shape %v, want (%d), (%d, 1) or (%d, steps)", s, n, n, n)
		}
	}
	w := make([]float64, n*per)
	for i := range w {
		w[i] = 1
	}
	if sample != nil {
		for i := range w {
			v := at(sample, i)
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, errors.Errorf("sample weight %v at row %d: weights must be finite and >= 0", v, i/per)
			}
			w[i] = v
		}
	}
	if class != nil {
		for c, v := range class {
			if c < 0 {
				return nil, errors.Errorf("class weight for class %d: classes are ids >= 0", c)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, errors.Errorf("class weight %v for class %d: weights must be finite and >= 0", v, c)
			}
		}
		if len(d.Y) != 1 {
			return nil, errors.Errorf("class weights are for models of one output, got targets for %d", len(d.Y))
		}
		y := d.Y[0]
		k := tensors.RowSize(y)
		for i := 0; i < n; i++ {
			id := 0
			if k == 1 {
				v := at(y, i)
				if v != math.Round(v) || v < 0 {
					return nil, errors.Errorf("class weights need class ids; the target at row %d is %v", i, v)
				}
				id = int(v)
			} else {
				for j := 1; j < k; j++ {
					if at(y, i*k+j) > at(y, i*k+id) {
						id = j
					}
				}
			}
			if cw, ok := class[id]; ok {
				for j := i * per; j < (i+1)*per; j++ {
					w[j] *= cw
				}
			}
		}
	}
	shape := []int{n}
	if per > 1 {
		shape = []int{n, per}
	}
	if d.X[0].Dtype() == tensor.Float32 {
		f := make([]float32, len(w))
		for i, v := range w {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f)), nil
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(w)), nil
}

// at reads element i of a float32 or float64 tensor.
func at(t *tensor.Dense, i int) float64 {
	switch d := t.Data().(type) {
	case []float32:
		return float64(d[i])
	case []float64:
		return d[i]
	}
	return math.NaN()
}

// fillWeights copies the weights of rows into dst, [batch] or, for a
// sequence output, [batch, steps]: per-sample weights are repeated over
// the steps, per-step weights [n, steps] need a sequence output of as many
// steps.
func fillWeights(dst, src *tensor.Dense, rows []int) error {
	per, have := tensors.RowSize(dst), tensors.RowSize(src)
	switch {
	case per == have:
		tensors.CopyRows(dst, src, rows)
	case have == 1:
		for i, r := range rows {
			v := at(src, r)
			for j := i * per; j < (i+1)*per; j++ {
				switch d := dst.Data().(type) {
				case []float32:
					d[j] = float32(v)
				case []float64:
					d[j] = v
				}
			}
		}
	default:
		return errors.Errorf("sample weights have %d values per sample; the model's output takes %d (per-step weights [n, steps] need an output [batch, steps, ...])", have, per)
	}
	return nil
}
