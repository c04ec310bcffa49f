package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/parallel"
)

// Maximum is the elementwise maximum of xs, which share one shape and
// dtype; Minimum is the elementwise minimum. Each is one op over all the
// inputs that writes into a buffer it keeps from run to run. The gradient
// of the output flows, element by element, to the first input that holds
// the extremum, so ties do not double it (gorgonia.MaxBetween gives it to
// every input that ties, and takes two inputs only). A NaN in any input
// makes the output NaN there, and the NaN input gets the gradient.
func Maximum(xs ...*gorgonia.Node) (*gorgonia.Node, error) { return extremum("maximum", false, xs) }

// Minimum is the elementwise minimum of xs. See Maximum.
func Minimum(xs ...*gorgonia.Node) (*gorgonia.Node, error) { return extremum("minimum", true, xs) }

func extremum(what string, isMin bool, xs []*gorgonia.Node) (*gorgonia.Node, error) {
	if len(xs) == 0 {
		return nil, errors.Errorf("%s: no inputs", what)
	}
	for i, x := range xs {
		if x == nil {
			return nil, errors.Errorf("%s: input %d is nil", what, i)
		}
	}
	s := xs[0].Shape()
	if xs[0].IsScalar() || len(s) == 0 {
		return nil, errors.Errorf("%s: input 0 is a scalar, want a tensor", what)
	}
	for i, x := range xs {
		if x.Dims() != xs[0].Dims() || !x.Shape().Eq(s) || x.Dtype() != xs[0].Dtype() {
			return nil, errors.Errorf("%s: input %d is %v %v, input 0 %v %v: all must agree", what, i, x.Shape(), x.Dtype(), s, xs[0].Dtype())
		}
	}
	return gorgonia.ApplyOp(&extremumOp{id: opID.Add(1), n: len(xs), dims: xs[0].Dims(), isMin: isMin}, xs...)
}

// extremumOp is Maximum or Minimum: (x_0, ..., x_{n-1}) -> out.
type extremumOp struct {
	id    int64
	n     int
	dims  int
	isMin bool
	out   *tensor.Dense
}

func (op *extremumOp) name() string {
	if op.isMin {
		return "minimum"
	}
	return "maximum"
}

func (op *extremumOp) Arity() int { return op.n }
func (op *extremumOp) Type() hm.Type {
	ts := make([]hm.Type, 0, op.n+1)
	for i := 0; i <= op.n; i++ {
		ts = append(ts, tensorType(op.dims))
	}
	return hm.NewFnType(ts...)
}
func (op *extremumOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return sameShapes(op.name(), op.n, in)
}
func (op *extremumOp) ReturnsPtr() bool      { return false }
func (op *extremumOp) CallsExtern() bool     { return false }
func (op *extremumOp) OverwritesInput() int  { return -1 }
func (op *extremumOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.id) }
func (op *extremumOp) Hashcode() uint32      { return hashOf(op.name(), op.id) }
func (op *extremumOp) String() string        { return fmt.Sprintf("%s{%d}", op.name(), op.n) }
func (op *extremumOp) BufferBytes() int      { return denseBytes(op.out) }
func (op *extremumOp) Release()              { op.out = nil }

func (op *extremumOp) DiffWRT(n int) []bool { return allTrue(n) }

func (op *extremumOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	ins, err := sameDense(op.name(), op.n, vals)
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, ins[0].Dtype(), ins[0].Shape()...)
	switch out := op.out.Data().(type) {
	case []float32:
		extremumValues(out, floatData[float32](ins), op.isMin)
	case []float64:
		extremumValues(out, floatData[float64](ins), op.isMin)
	}
	return op.out, nil
}

func (op *extremumOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != op.n {
		return nil, errors.Errorf("%s gradient: %d inputs, want %d", op.name(), len(inputs), op.n)
	}
	out := make(gorgonia.Nodes, op.n)
	args := append(append(gorgonia.Nodes(nil), inputs...), grad)
	for i := range inputs {
		g, err := gorgonia.ApplyOp(&extremumGradOp{id: opID.Add(1), n: op.n, which: i, dims: op.dims, isMin: op.isMin}, args...)
		if err != nil {
			return nil, errors.Wrapf(err, "%s gradient of input %d", op.name(), i)
		}
		out[i] = g
	}
	return out, nil
}

// extremumGradOp is the gradient of input which of an extremumOp:
// (x_0, ..., x_{n-1}, dy) -> dy where x_which is the first input holding
// the extremum, else 0.
type extremumGradOp struct {
	id    int64
	n     int
	which int
	dims  int
	isMin bool
	out   *tensor.Dense
}

func (op *extremumGradOp) name() string {
	if op.isMin {
		return "minimum_grad"
	}
	return "maximum_grad"
}

func (op *extremumGradOp) Arity() int { return op.n + 1 }
func (op *extremumGradOp) Type() hm.Type {
	ts := make([]hm.Type, 0, op.n+2)
	for i := 0; i <= op.n+1; i++ {
		ts = append(ts, tensorType(op.dims))
	}
	return hm.NewFnType(ts...)
}
func (op *extremumGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return sameShapes(op.name(), op.n+1, in)
}
func (op *extremumGradOp) ReturnsPtr() bool      { return false }
func (op *extremumGradOp) CallsExtern() bool     { return false }
func (op *extremumGradOp) OverwritesInput() int  { return -1 }
func (op *extremumGradOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.id) }
func (op *extremumGradOp) Hashcode() uint32      { return hashOf(op.name(), op.id) }
func (op *extremumGradOp) String() string {
	return fmt.Sprintf("%s{%d of %d}", op.name(), op.which, op.n)
}
func (op *extremumGradOp) BufferBytes() int { return denseBytes(op.out) }
func (op *extremumGradOp) Release()         { op.out = nil }

func (op *extremumGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	ins, err := sameDense(op.name(), op.n+1, vals)
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, ins[0].Dtype(), ins[0].Shape()...)
	switch out := op.out.Data().(type) {
	case []float32:
		d := floatData[float32](ins)
		extremumGrad(out, d[:op.n], d[op.n], op.which, op.isMin)
	case []float64:
		d := floatData[float64](ins)
		extremumGrad(out, d[:op.n], d[op.n], op.which, op.isMin)
	}
	return op.out, nil
}

// sameShapes checks that an op has n inputs of one shape and returns it.
func sameShapes(what string, n int, in []gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(what, in)
	if err != nil {
		return nil, err
	}
	if len(s) != n {
		return nil, errors.Errorf("%s: %d inputs, want %d", what, len(s), n)
	}
	for i, x := range s {
		if len(x) != len(s[0]) || !x.Eq(s[0]) {
			return nil, errors.Errorf("%s: input %d has shape %v, input 0 %v", what, i, x, s[0])
		}
	}
	return s[0].Clone(), nil
}

// sameDense checks that vals are n dense tensors of one float dtype and
// size.
func sameDense(what string, n int, vals []gorgonia.Value) ([]*tensor.Dense, error) {
	if len(vals) != n {
		return nil, errors.Errorf("%s: %d inputs, want %d", what, len(vals), n)
	}
	ins := make([]*tensor.Dense, n)
	for i, v := range vals {
		d, err := dense(what, v)
		if err != nil {
			return nil, err
		}
		if i > 0 && (d.Dtype() != ins[0].Dtype() || d.DataSize() != ins[0].DataSize()) {
			return nil, errors.Errorf("%s: input %d is %v %v, input 0 %v %v", what, i, d.Shape(), d.Dtype(), ins[0].Shape(), ins[0].Dtype())
		}
		ins[i] = d
	}
	return ins, nil
}

// floatData returns the backing slices of ins, all of type []T.
func floatData[T float](ins []*tensor.Dense) [][]T {
	out := make([][]T, len(ins))
	for i, d := range ins {
		out[i] = d.Data().([]T)
	}
	return out
}

// argExtremum is the index of the first of xs[·][j] holding the maximum
// (the minimum with isMin), or of the first NaN.
func argExtremum[T float](xs [][]T, j int, isMin bool) int {
	best, at := xs[0][j], 0
	if best != best {
		return 0
	}
	for i := 1; i < len(xs); i++ {
		v := xs[i][j]
		if v != v {
			return i
		}
		if (!isMin && v > best) || (isMin && v < best) {
			best, at = v, i
		}
	}
	return at
}

func extremumValues[T float](out []T, xs [][]T, isMin bool) {
	parallel.For(len(out), len(out)*len(xs), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			out[j] = xs[argExtremum(xs, j, isMin)][j]
		}
	})
}

func extremumGrad[T float](out []T, xs [][]T, dy []T, which int, isMin bool) {
	parallel.For(len(out), len(out)*len(xs), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			if argExtremum(xs, j, isMin) == which {
				out[j] = dy[j]
			} else {
				out[j] = 0
			}
		}
	})
}

var (
	_ gorgonia.SDOp = (*extremumOp)(nil)
	_ Buffered      = (*extremumOp)(nil)
	_ Buffered      = (*extremumGradOp)(nil)
)
