package ops

import (
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaskedPool1D pools x, [batch, steps, c], over the steps where mask,
// [batch, steps], is not 0: the mean (max false) or the maximum (max true)
// of each channel, [batch, c], as Keras's GlobalAveragePooling1D and
// GlobalMaxPooling1D do with a mask. A sample whose steps are all masked
// pools to 0. The gradient goes to x only: spread evenly over the unmasked
// steps for the mean, to the first maximum for the maximum.
func MaskedPool1D(x, mask *gorgonia.Node, max bool) (*gorgonia.Node, error) {
	if x == nil || mask == nil {
		return nil, errors.New("masked pool: nil input or mask")
	}
	xs, ms := x.Shape(), mask.Shape()
	if len(xs) != 3 || len(ms) != 2 || ms[0] != xs[0] || ms[1] != xs[1] {
		return nil, errors.Errorf("masked pool: input %v and mask %v, want [batch, steps, c] and [batch, steps]", xs, ms)
	}
	if x.Dtype() != mask.Dtype() {
		return nil, errors.Errorf("masked pool: input is %v, mask %v", x.Dtype(), mask.Dtype())
	}
	return gorgonia.ApplyOp(&maskedPoolOp{id: opID.Add(1), max: max}, x, mask)
}

type maskedPoolOp struct {
	id      int64
	max     bool
	out, dx *tensor.Dense
	arg     []int // the step of each maximum, -1 for none
}

func (op *maskedPoolOp) name() string {
	if op.max {
		return "masked_max_pool1d"
	}
	return "masked_avg_pool1d"
}
func (op *maskedPoolOp) Arity() int { return 2 }
func (op *maskedPoolOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(2), tensorType(2))
}
func (op *maskedPoolOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name(), in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0], s[0][2]}, nil
}
func (op *maskedPoolOp) ReturnsPtr() bool      { return false }
func (op *maskedPoolOp) CallsExtern() bool     { return false }
func (op *maskedPoolOp) OverwritesInput() int  { return -1 }
func (op *maskedPoolOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.id) }
func (op *maskedPoolOp) Hashcode() uint32      { return hashOf(op.name(), op.id) }
func (op *maskedPoolOp) String() string        { return op.name() }

func (op *maskedPoolOp) inputs(vals []gorgonia.Value) (x, m *tensor.Dense, err error) {
	if len(vals) < 2 {
		return nil, nil, errors.Errorf("%s: %d inputs, want 2", op.name(), len(vals))
	}
	if x, err = dense(op.name(), vals[0]); err != nil {
		return nil, nil, err
	}
	if m, err = dense(op.name(), vals[1]); err != nil {
		return nil, nil, err
	}
	if x.Dims() != 3 || m.Dims() != 2 || m.Shape()[0] != x.Shape()[0] || m.Shape()[1] != x.Shape()[1] || m.Dtype() != x.Dtype() {
		return nil, nil, errors.Errorf("%s: input %v and mask %v do not fit", op.name(), x.Shape(), m.Shape())
	}
	return x, m, nil
}

func (op *maskedPoolOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, m, err := op.inputs(vals)
	if err != nil {
		return nil, err
	}
	b, t, c := x.Shape()[0], x.Shape()[1], x.Shape()[2]
	op.out = reuse(op.out, x.Dtype(), b, c)
	if cap(op.arg) < b*c {
		op.arg = make([]int, b*c)
	}
	op.arg = op.arg[:b*c]
	switch xd := x.Data().(type) {
	case []float32:
		maskedPool(xd, m.Data().([]float32), op.out.Data().([]float32), op.arg, b, t, c, op.max)
	case []float64:
		maskedPool(xd, m.Data().([]float64), op.out.Data().([]float64), op.arg, b, t, c, op.max)
	}
	return op.out, nil
}

func maskedPool[T float](x, m, out []T, arg []int, b, t, c int, max bool) {
	clear(out)
	for n := 0; n < b; n++ {
		o, a := out[n*c:(n+1)*c], arg[n*c:(n+1)*c]
		for i := range a {
			a[i] = -1
		}
		var count T
		for s := 0; s < t; s++ {
			if m[n*t+s] == 0 {
				continue
			}
			count++
			row := x[(n*t+s)*c : (n*t+s+1)*c]
			for j, v := range row {
				if !max {
					o[j] += v
				} else if a[j] < 0 || v > o[j] {
					o[j], a[j] = v, s
				}
			}
		}
		if !max && count > 0 {
			for j := range o {
				o[j] /= count
			}
		}
	}
}

func (op *maskedPoolOp) DiffWRT(n int) []bool { return []bool{true, false}[:n] }

func (op *maskedPoolOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(&maskedPoolGradOp{op}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, errors.Wrap(err, op.name()+" gradient")
	}
	return gorgonia.Nodes{g, nil}, nil
}

func (op *maskedPoolOp) BufferBytes() int { return denseBytes(op.out, op.dx) + 8*len(op.arg) }
func (op *maskedPoolOp) Release()         { op.out, op.dx, op.arg = nil, nil, nil }

// maskedPoolGradOp is dL/dx from (x, mask, dy).
type maskedPoolGradOp struct{ fwd *maskedPoolOp }

func (op *maskedPoolGradOp) Arity() int { return 3 }
func (op *maskedPoolGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(2), tensorType(2), tensorType(3))
}
func (op *maskedPoolGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.fwd.name()+" gradient", in)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *maskedPoolGradOp) ReturnsPtr() bool      { return false }
func (op *maskedPoolGradOp) CallsExtern() bool     { return false }
func (op *maskedPoolGradOp) OverwritesInput() int  { return -1 }
func (op *maskedPoolGradOp) WriteHash(h hash.Hash) { writeHash(h, op.fwd.name()+"_grad", op.fwd.id) }
func (op *maskedPoolGradOp) Hashcode() uint32      { return hashOf(op.fwd.name()+"_grad", op.fwd.id) }
func (op *maskedPoolGradOp) String() string        { return op.fwd.name() + "_grad" }

func (op *maskedPoolGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	f := op.fwd
	x, m, err := f.inputs(vals)
	if err != nil {
		return nil, err
	}
	dy, err := dense(f.name()+" gradient", vals[2])
	if err != nil {
		return nil, err
	}
	b, t, c := x.Shape()[0], x.Shape()[1], x.Shape()[2]
	if !dy.Shape().Eq(tensor.Shape{b, c}) || dy.Dtype() != x.Dtype() {
		return nil, errors.Errorf("%s gradient: output gradient %v, want (%d, %d)", f.name(), dy.Shape(), b, c)
	}
	if f.max && len(f.arg) != b*c {
		if _, err := f.Do(vals[:2]...); err != nil {
			return nil, err
		}
	}
	f.dx = reuse(f.dx, x.Dtype(), b, t, c)
	switch dx := f.dx.Data().(type) {
	case []float32:
		maskedPoolGrad(dy.Data().([]float32), m.Data().([]float32), dx, f.arg, b, t, c, f.max)
	case []float64:
		maskedPoolGrad(dy.Data().([]float64), m.Data().([]float64), dx, f.arg, b, t, c, f.max)
	}
	return f.dx, nil
}

func maskedPoolGrad[T float](dy, m, dx []T, arg []int, b, t, c int, max bool) {
	clear(dx)
	for n := 0; n < b; n++ {
		g := dy[n*c : (n+1)*c]
		if max {
			for j, s := range arg[n*c : (n+1)*c] {
				if s >= 0 {
					dx[(n*t+s)*c+j] = g[j]
				}
			}
			continue
		}
		var count T
		for s := 0; s < t; s++ {
			if m[n*t+s] != 0 {
				count++
			}
		}
		if count == 0 {
			continue
		}
		for s := 0; s < t; s++ {
			if m[n*t+s] == 0 {
				continue
			}
			row := dx[(n*t+s)*c : (n*t+s+1)*c]
			for j, v := range g {
				row[j] = v / count
			}
		}
	}
}

var (
	_ gorgonia.SDOp = (*maskedPoolOp)(nil)
	_ Buffered      = (*maskedPoolOp)(nil)
)
