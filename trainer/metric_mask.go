package trainer

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// maskedSteps returns what a metric of a masked sequence output sees, as
// in Keras 3 (where the mask becomes the metric's sample weight): every
// unmasked step of every sample as a row of its own. y is [batch, steps,
// ...] or [batch, steps], out [batch, steps, ...], mask [batch, steps]
// (0 where a step is masked); w, when not nil, is [batch] (repeated over
// the steps) or [batch, steps]. The rows are [kept, per-step size]; kept
// is 0 when every step is masked.
func maskedSteps(mask, y, out, w *tensor.Dense) (ys, outs, ws *tensor.Dense, kept int, err error) {
	ms := mask.Shape()
	if mask.Dims() != 2 {
		return nil, nil, nil, 0, errors.Errorf("mask of shape %v, want [batch, steps]", ms)
	}
	batch, steps := ms[0], ms[1]
	if y.Dims() < 2 || y.Shape()[0] != batch || y.Shape()[1] != steps {
		return nil, nil, nil, 0, errors.Errorf("targets of shape %v for a mask of shape %v", y.Shape(), ms)
	}
	if out.Dims() < 2 || out.Shape()[0] != batch || out.Shape()[1] != steps {
		return nil, nil, nil, 0, errors.Errorf("output of shape %v for a mask of shape %v", out.Shape(), ms)
	}
	perStep := false
	if w != nil {
		switch {
		case w.Shape().TotalSize() == batch*steps && w.Dims() == 2:
			perStep = true
		case w.Shape().TotalSize() != batch:
			return nil, nil, nil, 0, errors.Errorf("weights of shape %v for a mask of shape %v", w.Shape(), ms)
		}
	}
	m := floats(mask)
	var keep []int // step indices, b*steps+t
	for i, v := range m {
		if v != 0 {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return nil, nil, nil, 0, nil
	}
	ySize, outSize := y.Shape().TotalSize()/(batch*steps), out.Shape().TotalSize()/(batch*steps)
	ys = gatherRows(y, keep, ySize)
	outs = gatherRows(out, keep, outSize)
	if w != nil {
		idx := keep
		if !perStep {
			idx = make([]int, len(keep))
			for j, k := range keep {
				idx[j] = k / steps
			}
		}
		ws = gatherRows(w, idx, 1)
		ws.Reshape(len(keep))
	}
	return ys, outs, ws, len(keep), nil
}

// gatherRows returns rows idx of x seen as rows of size values, as [len(idx), size].
func gatherRows(x *tensor.Dense, idx []int, size int) *tensor.Dense {
	switch d := x.Data().(type) {
	case []float32:
		return tensor.New(tensor.WithShape(len(idx), size), tensor.WithBacking(gather(d, idx, size)))
	case []float64:
		return tensor.New(tensor.WithShape(len(idx), size), tensor.WithBacking(gather(d, idx, size)))
	}
	v := floats(x)
	return tensor.New(tensor.WithShape(len(idx), size), tensor.WithBacking(gather(v, idx, size)))
}

func gather[T any](d []T, idx []int, size int) []T {
	out := make([]T, 0, len(idx)*size)
	for _, i := range idx {
		out = append(out, d[i*size:(i+1)*size]...)
	}
	return out
}

// floats returns x's values as float64.
func floats(x *tensor.Dense) []float64 {
	switch d := x.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []int:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []bool:
		out := make([]float64, len(d))
		for i, v := range d {
			if v {
				out[i] = 1
			}
		}
		return out
	}
	return make([]float64, x.Shape().TotalSize())
}
