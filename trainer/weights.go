package trainer

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/tensors"
)

// sampleWeights returns the per-sample loss weights, [n] in X's dtype: the
// sample weights times the weights of the samples' classes.
func sampleWeights(d Data, sample *tensor.Dense, class map[int]float64) (*tensor.Dense, error) {
	n := d.Len()
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	if sample != nil {
		if s := sample.Shape(); tensors.Rows(sample) != n || tensors.RowSize(sample) != 1 {
			return nil, errors.Errorf("sample weights have shape %v, want (%d) or (%d, 1)", s, n, n)
		}
		for i := 0; i < n; i++ {
			v := at(sample, i)
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, errors.Errorf("sample weight %v at row %d: weights must be finite and >= 0", v, i)
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
				w[i] *= cw
			}
		}
	}
	if d.X[0].Dtype() == tensor.Float32 {
		f := make([]float32, n)
		for i, v := range w {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(n), tensor.WithBacking(f)), nil
	}
	return tensor.New(tensor.WithShape(n), tensor.WithBacking(w)), nil
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
