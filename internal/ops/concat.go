package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// StackSteps stacks T tensors of shape [batch, width] into one of shape
// [batch, T, width]; ConcatLast joins tensors along their last axis. They
// replace gorgonia.Concat, whose gradient is built from slices that
// Gorgonia hashes by their bounds truncated to a byte: two slices 256
// values apart hash alike, are merged into one node, and one input then
// receives another's gradient (a recurrent layer of 64 units returning 5
// steps got wrong gradients). Both copy into a buffer they keep, and their
// gradients are copies too.
func StackSteps(xs []*gorgonia.Node) (*gorgonia.Node, error) {
	if len(xs) == 0 {
		return nil, errors.New("stack steps: no inputs")
	}
	s := xs[0].Shape()
	for i, x := range xs {
		if x == nil {
			return nil, errors.Errorf("stack steps: input %d is nil", i)
		}
		if len(s) != 2 || !x.Shape().Eq(s) || x.Dtype() != xs[0].Dtype() {
			return nil, errors.Errorf("stack steps: input %d is %v %v, want [batch, width] like input 0, %v %v", i, x.Shape(), x.Dtype(), s, xs[0].Dtype())
		}
	}
	return gorgonia.ApplyOp(&concatOp{id: opID.Add(1), n: len(xs), stack: true, dims: 2}, xs...)
}

// ConcatLast joins xs, which agree on every axis but the last, along the
// last axis. See StackSteps.
func ConcatLast(xs ...*gorgonia.Node) (*gorgonia.Node, error) {
	if len(xs) == 0 {
		return nil, errors.New("concat: no inputs")
	}
	s := xs[0].Shape()
	if len(s) == 0 {
		return nil, errors.New("concat: inputs are scalars")
	}
	for i, x := range xs {
		if x == nil {
			return nil, errors.Errorf("concat: input %d is nil", i)
		}
		o := x.Shape()
		if len(o) != len(s) || !o[:len(o)-1].Eq(s[:len(s)-1]) || x.Dtype() != xs[0].Dtype() {
			return nil, errors.Errorf("concat: input %d is %v %v, input 0 %v %v: all but the last axis must agree", i, o, x.Dtype(), s, xs[0].Dtype())
		}
	}
	return gorgonia.ApplyOp(&concatOp{id: opID.Add(1), n: len(xs), dims: len(s)}, xs...)
}

// concatOp is StackSteps (stack) or ConcatLast. Both lay the inputs side
// by side in rows: stacking [batch, width] tensors into [batch, T, width]
// is concatenating their rows, as ConcatLast does.
type concatOp struct {
	id    int64
	n     int
	stack bool
	dims  int // of each input
	out   *tensor.Dense
}

func (op *concatOp) name() string {
	if op.stack {
		return "stack_steps"
	}
	return "concat"
}

func (op *concatOp) Arity() int { return op.n }
func (op *concatOp) Type() hm.Type {
	ts := make([]hm.Type, 0, op.n+1)
	for i := 0; i < op.n; i++ {
		ts = append(ts, tensorType(op.dims))
	}
	outDims := op.dims
	if op.stack {
		outDims++
	}
	return hm.NewFnType(append(ts, tensorType(outDims))...)
}

func (op *concatOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name(), in)
	if err != nil {
		return nil, err
	}
	if len(s) != op.n {
		return nil, errors.Errorf("%s: %d inputs, want %d", op.name(), len(s), op.n)
	}
	if op.stack {
		return tensor.Shape{s[0][0], op.n, s[0][1]}, nil
	}
	out := s[0].Clone()
	out[len(out)-1] = 0
	for _, x := range s {
		out[len(out)-1] += x[len(x)-1]
	}
	return out, nil
}

func (op *concatOp) ReturnsPtr() bool      { return false }
func (op *concatOp) CallsExtern() bool     { return false }
func (op *concatOp) OverwritesInput() int  { return -1 }
func (op *concatOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.id) }
func (op *concatOp) Hashcode() uint32      { return hashOf(op.name(), op.id) }
func (op *concatOp) String() string        { return fmt.Sprintf("%s{%d}", op.name(), op.n) }
func (op *concatOp) BufferBytes() int      { return denseBytes(op.out) }
func (op *concatOp) Release()              { op.out = nil }

func (op *concatOp) DiffWRT(n int) []bool { return allTrue(n) }

func (op *concatOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.n {
		return nil, errors.Errorf("%s: %d inputs, want %d", op.name(), len(vals), op.n)
	}
	ins := make([]*tensor.Dense, len(vals))
	shapes := make([]gorgonia.DimSizer, len(vals))
	for i, v := range vals {
		d, err := dense(op.name(), v)
		if err != nil {
			return nil, err
		}
		if d.Dtype() != vals[0].Dtype() {
			return nil, errors.Errorf("%s: input %d is %v, input 0 %v", op.name(), i, d.Dtype(), vals[0].Dtype())
		}
		ins[i], shapes[i] = d, d.Shape()
	}
	shape, err := op.InferShape(shapes...)
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, ins[0].Dtype(), shape...)
	switch out := op.out.Data().(type) {
	case []float32:
		concatRows(out, ins, func(d *tensor.Dense) []float32 { return d.Data().([]float32) })
	case []float64:
		concatRows(out, ins, func(d *tensor.Dense) []float64 { return d.Data().([]float64) })
	}
	return op.out, nil
}

// concatRows writes, for each row r, the r-th row (last axis) of every
// input after the other.
func concatRows[T float](out []T, ins []*tensor.Dense, data func(*tensor.Dense) []T) {
	s := ins[0].Shape()
	rows := s.TotalSize() / s[len(s)-1]
	at := 0
	for r := 0; r < rows; r++ {
		for _, in := range ins {
			is := in.Shape()
			w := is[len(is)-1]
			at += copy(out[at:at+w], data(in)[r*w:(r+1)*w])
		}
	}
}

func (op *concatOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != op.n {
		return nil, errors.Errorf("%s gradient: %d inputs, want %d", op.name(), len(inputs), op.n)
	}
	out := make(gorgonia.Nodes, len(inputs))
	lo := 0
	for i, x := range inputs {
		s := x.Shape()
		w := s[len(s)-1]
		var err error
		if op.stack {
			out[i], err = Step(grad, i)
		} else {
			out[i], err = gorgonia.ApplyOp(&lastColumnsOp{id: opID.Add(1), lo: lo, hi: lo + w, dims: op.dims}, grad)
		}
		if err != nil {
			return nil, errors.Wrapf(err, "%s gradient of input %d", op.name(), i)
		}
		lo += w
	}
	return out, nil
}

// lastColumnsOp copies x[..., lo:hi] into a buffer it keeps: the gradient
// of one input of ConcatLast.
type lastColumnsOp struct {
	id     int64
	lo, hi int
	dims   int
	out    *tensor.Dense
}

func (op *lastColumnsOp) Arity() int { return 1 }
func (op *lastColumnsOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(op.dims))
}
func (op *lastColumnsOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("concat gradient", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 1 || len(s[0]) == 0 || s[0][len(s[0])-1] < op.hi {
		return nil, errors.Errorf("concat gradient: input shapes %v, want a last axis of at least %d", s, op.hi)
	}
	out := s[0].Clone()
	out[len(out)-1] = op.hi - op.lo
	return out, nil
}
func (op *lastColumnsOp) ReturnsPtr() bool      { return false }
func (op *lastColumnsOp) CallsExtern() bool     { return false }
func (op *lastColumnsOp) OverwritesInput() int  { return -1 }
func (op *lastColumnsOp) WriteHash(h hash.Hash) { writeHash(h, "last_columns", op.id) }
func (op *lastColumnsOp) Hashcode() uint32      { return hashOf("last_columns", op.id) }
func (op *lastColumnsOp) String() string        { return fmt.Sprintf("LastColumns[%d:%d]", op.lo, op.hi) }
func (op *lastColumnsOp) BufferBytes() int      { return denseBytes(op.out) }
func (op *lastColumnsOp) Release()              { op.out = nil }

func (op *lastColumnsOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("concat gradient: %d inputs, want 1", len(vals))
	}
	x, err := dense("concat gradient", vals[0])
	if err != nil {
		return nil, err
	}
	shape, err := op.InferShape(x.Shape())
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, x.Dtype(), shape...)
	xs := x.Shape()
	w, n := xs[len(xs)-1], op.hi-op.lo
	switch out := op.out.Data().(type) {
	case []float32:
		in := x.Data().([]float32)
		for r := 0; r*n < len(out); r++ {
			copy(out[r*n:(r+1)*n], in[r*w+op.lo:r*w+op.hi])
		}
	case []float64:
		in := x.Data().([]float64)
		for r := 0; r*n < len(out); r++ {
			copy(out[r*n:(r+1)*n], in[r*w+op.lo:r*w+op.hi])
		}
	}
	return op.out, nil
}

var (
	_ gorgonia.SDOp = (*concatOp)(nil)
	_ Buffered      = (*concatOp)(nil)
	_ Buffered      = (*lastColumnsOp)(nil)
)
