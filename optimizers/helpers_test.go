package optimizers_test

import (
	"errors"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// param is a weight tensor and its gradient, as a gorgonia.ValueGrad, the
// way a tape machine's bound node presents them to a solver.
type param struct {
	name    string
	w, g    *tensor.Dense
	gradErr bool // Grad fails
}

func (p *param) Value() gorgonia.Value { return p.w }
func (p *param) Name() string          { return p.name }
func (p *param) Grad() (gorgonia.Value, error) {
	if p.gradErr {
		return nil, errors.New("no gradient")
	}
	return p.g, nil
}

// newParam makes a parameter of dtype dt (float32 or float64) holding w,
// with a zero gradient.
func newParam(name string, dt tensor.Dtype, shape []int, w []float64) *param {
	return &param{name: name, w: denseOf(dt, shape, w), g: tensor.New(tensor.Of(dt), tensor.WithShape(shape...))}
}

func denseOf(dt tensor.Dtype, shape []int, vals []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		v := make([]float32, len(vals))
		for i, x := range vals {
			v[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
}

// values returns a float32 or float64 tensor's values as float64s.
func values(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	case []int:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	panic("values: not a float or int tensor")
}

// setGrad writes vals into p's gradient.
func (p *param) setGrad(vals []float64) {
	switch d := p.g.Data().(type) {
	case []float32:
		for i, v := range vals {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, vals)
	}
}

func vgs(ps ...*param) []gorgonia.ValueGrad {
	out := make([]gorgonia.ValueGrad, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}
