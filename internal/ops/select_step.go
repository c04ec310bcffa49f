package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SelectStep picks, sample by sample, next where step t of mask is valid
// and prev where it is padding:
//
//	out[b, ...] = next[b, ...] if mask[b, t] != 0, else prev[b, ...]
//
// mask is [batch, steps] (1 valid, 0 padding, as layers.Call's masks);
// next and prev share one shape, [batch, ...]; a nil prev means zeros.
// Recurrent layers use it to carry their state over padded steps, as
// Keras does. The gradient flows to next and prev, each where it was
// picked; the mask gets none. The op keeps its output buffer from run to
// run.
func SelectStep(mask *gorgonia.Node, t int, next, prev *gorgonia.Node) (*gorgonia.Node, error) {
	if mask == nil || next == nil {
		return nil, errors.New("select step: nil mask or input")
	}
	ms, ns := mask.Shape(), next.Shape()
	if mask.Dims() != 2 || len(ms) != 2 {
		return nil, errors.Errorf("select step: mask has shape %v, want [batch, steps]", ms)
	}
	if t < 0 || t >= ms[1] {
		return nil, errors.Errorf("select step: step %d outside the mask's %d steps", t, ms[1])
	}
	if next.Dims() < 1 || len(ns) < 1 || ns[0] != ms[0] {
		return nil, errors.Errorf("select step: input has shape %v, want a batch of %d", ns, ms[0])
	}
	if next.Dtype() != mask.Dtype() {
		return nil, errors.Errorf("select step: mask is %v, input %v", mask.Dtype(), next.Dtype())
	}
	op := &selectStepOp{id: opID.Add(1), step: t, dims: next.Dims(), prev: prev != nil}
	if prev == nil {
		return gorgonia.ApplyOp(op, mask, next)
	}
	if !prev.Shape().Eq(ns) || prev.Dims() != next.Dims() || prev.Dtype() != next.Dtype() {
		return nil, errors.Errorf("select step: previous %v %v and next %v %v differ", prev.Dtype(), prev.Shape(), next.Dtype(), ns)
	}
	return gorgonia.ApplyOp(op, mask, next, prev)
}

// selectStepOp is SelectStep's forward op: (mask, next[, prev]) -> out.
type selectStepOp struct {
	id   int64
	step int
	dims int
	prev bool
	out  *tensor.Dense
}

func (op *selectStepOp) Arity() int {
	if op.prev {
		return 3
	}
	return 2
}

func (op *selectStepOp) Type() hm.Type {
	if op.prev {
		return hm.NewFnType(tensorType(2), tensorType(op.dims), tensorType(op.dims), tensorType(op.dims))
	}
	return hm.NewFnType(tensorType(2), tensorType(op.dims), tensorType(op.dims))
}

func (op *selectStepOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("select step", in)
	if err != nil {
		return nil, err
	}
	if len(s) != op.Arity() {
		return nil, errors.Errorf("select step: %d inputs, want %d", len(s), op.Arity())
	}
	return s[1].Clone(), nil
}

func (op *selectStepOp) ReturnsPtr() bool      { return false }
func (op *selectStepOp) CallsExtern() bool     { return false }
func (op *selectStepOp) OverwritesInput() int  { return -1 }
func (op *selectStepOp) WriteHash(h hash.Hash) { writeHash(h, "select_step", op.id) }
func (op *selectStepOp) Hashcode() uint32      { return hashOf("select_step", op.id) }
func (op *selectStepOp) String() string        { return fmt.Sprintf("SelectStep(%d)", op.step) }

func (op *selectStepOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := 1; i < n; i++ {
		out[i] = true
	}
	return out
}

func (op *selectStepOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("select step: %d inputs, want %d", len(vals), op.Arity())
	}
	ts := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		d, err := dense("select step", v)
		if err != nil {
			return nil, err
		}
		ts[i] = d
	}
	mask, next := ts[0], ts[1]
	rows, width, err := selectGeometry("select step", mask, next, op.step)
	if err != nil {
		return nil, err
	}
	var prev *tensor.Dense
	if op.prev {
		prev = ts[2]
		if !prev.Shape().Eq(next.Shape()) || prev.Dtype() != next.Dtype() {
			return nil, errors.Errorf("select step: previous %v %v and next %v %v differ", prev.Dtype(), prev.Shape(), next.Dtype(), next.Shape())
		}
	}
	op.out = reuse(op.out, next.Dtype(), next.Shape()...)
	steps := mask.Shape()[1]
	switch m := mask.Data().(type) {
	case []float32:
		var p []float32
		if prev != nil {
			p = prev.Data().([]float32)
		}
		selectRows(m, steps, op.step, rows, width, next.Data().([]float32), p, op.out.Data().([]float32), true)
	case []float64:
		var p []float64
		if prev != nil {
			p = prev.Data().([]float64)
		}
		selectRows(m, steps, op.step, rows, width, next.Data().([]float64), p, op.out.Data().([]float64), true)
	}
	return op.out, nil
}

func (op *selectStepOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != op.Arity() {
		return nil, errors.Errorf("select step gradient: %d inputs, want %d", len(inputs), op.Arity())
	}
	out := make(gorgonia.Nodes, len(inputs))
	var err error
	if out[1], err = gorgonia.ApplyOp(&selectStepGradOp{id: op.id, step: op.step, dims: op.dims, valid: true}, inputs[0], grad); err != nil {
		return nil, errors.Wrap(err, "select step gradient")
	}
	if op.prev {
		if out[2], err = gorgonia.ApplyOp(&selectStepGradOp{id: op.id, step: op.step, dims: op.dims}, inputs[0], grad); err != nil {
			return nil, errors.Wrap(err, "select step gradient")
		}
	}
	return out, nil
}

// selectStepGradOp passes the gradient, (mask, grad) -> out, on the rows
// whose step is valid (valid true: next's gradient) or padding (valid
// false: prev's gradient), and zeros elsewhere.
type selectStepGradOp struct {
	id    int64
	step  int
	dims  int
	valid bool
	out   *tensor.Dense
}

func (op *selectStepGradOp) name() string {
	if op.valid {
		return "select_step_grad_next"
	}
	return "select_step_grad_prev"
}

func (op *selectStepGradOp) Arity() int { return 2 }
func (op *selectStepGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(op.dims), tensorType(op.dims))
}

func (op *selectStepGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("select step gradient", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, errors.Errorf("select step gradient: %d inputs, want 2", len(s))
	}
	return s[1].Clone(), nil
}

func (op *selectStepGradOp) ReturnsPtr() bool      { return false }
func (op *selectStepGradOp) CallsExtern() bool     { return false }
func (op *selectStepGradOp) OverwritesInput() int  { return -1 }
func (op *selectStepGradOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.id) }
func (op *selectStepGradOp) Hashcode() uint32      { return hashOf(op.name(), op.id) }
func (op *selectStepGradOp) String() string        { return fmt.Sprintf("%s(%d)", op.name(), op.step) }

func (op *selectStepGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("select step gradient: %d inputs, want 2", len(vals))
	}
	mask, err := dense("select step gradient", vals[0])
	if err != nil {
		return nil, err
	}
	g, err := dense("select step gradient", vals[1])
	if err != nil {
		return nil, err
	}
	rows, width, err := selectGeometry("select step gradient", mask, g, op.step)
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, g.Dtype(), g.Shape()...)
	steps := mask.Shape()[1]
	switch m := mask.Data().(type) {
	case []float32:
		selectRows(m, steps, op.step, rows, width, g.Data().([]float32), nil, op.out.Data().([]float32), op.valid)
	case []float64:
		selectRows(m, steps, op.step, rows, width, g.Data().([]float64), nil, op.out.Data().([]float64), op.valid)
	}
	return op.out, nil
}

// selectGeometry checks mask, [batch, steps], against x, [batch, ...], and
// returns the batch and the values per sample of x.
func selectGeometry(what string, mask, x *tensor.Dense, step int) (rows, width int, err error) {
	ms, xs := mask.Shape(), x.Shape()
	if len(ms) != 2 || step < 0 || step >= ms[1] || len(xs) < 1 || xs[0] != ms[0] {
		return 0, 0, errors.Errorf("%s: mask %v, step %d and input %v do not match", what, ms, step, xs)
	}
	if mask.Dtype() != x.Dtype() {
		return 0, 0, errors.Errorf("%s: mask is %v, input %v", what, mask.Dtype(), x.Dtype())
	}
	rows = ms[0]
	return rows, xs.TotalSize() / rows, nil
}

// selectRows writes into out, row by row, x's row where (mask[b, step] !=
// 0) == when, else other's row (zeros when other is nil).
func selectRows[T float](mask []T, steps, step, rows, width int, x, other, out []T, when bool) {
	for b := 0; b < rows; b++ {
		dst := out[b*width : (b+1)*width]
		if (mask[b*steps+step] != 0) == when {
			copy(dst, x[b*width:(b+1)*width])
		} else if other != nil {
			copy(dst, other[b*width:(b+1)*width])
		} else {
			clear(dst)
		}
	}
}

// BufferBytes is the size of the kept output buffer.
func (op *selectStepOp) BufferBytes() int { return selectStepBytes(op.out) }

// Release drops the kept output buffer.
func (op *selectStepOp) Release() { op.out = nil }

// BufferBytes is the size of the kept output buffer.
func (op *selectStepGradOp) BufferBytes() int { return selectStepBytes(op.out) }

// Release drops the kept output buffer.
func (op *selectStepGradOp) Release() { op.out = nil }

func selectStepBytes(t *tensor.Dense) int {
	if t == nil {
		return 0
	}
	return t.DataSize() * int(t.Dtype().Size())
}

var _ gorgonia.SDOp = (*selectStepOp)(nil)
