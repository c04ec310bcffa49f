package ops

import (
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/parallel"
)

// Func is a differentiable function of one real, applied to every element
// of a tensor by Elementwise. F and D are evaluated in float64 whatever the
// tensor's dtype, so a float32 result is the float64 one rounded once.
type Func struct {
	// Name names the function in errors and graph hashes: "elu".
	Name string
	// F is the function's value at x.
	F func(x float64) float64
	// D is its derivative at x. Where F has a kink, D chooses one side, and
	// that choice is the function's convention at the kink.
	D func(x float64) float64
}

// Elementwise applies f to every element of x: one op forward, writing
// into a buffer kept from run to run, and one op backward, dy * f.D(x).
// x must be a float32 or float64 tensor (not a scalar).
func Elementwise(x *gorgonia.Node, f Func) (*gorgonia.Node, error) {
	if f.F == nil || f.D == nil {
		return nil, errors.Errorf("elementwise %q: F and D must both be set", f.Name)
	}
	if x == nil {
		return nil, errors.Errorf("%s: nil input", f.Name)
	}
	if x.IsScalar() {
		return nil, errors.Errorf("%s: input is a scalar, want a tensor", f.Name)
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("%s: dtype must be float32 or float64, got %v", f.Name, dt)
	}
	return gorgonia.ApplyOp(&elementwiseOp{id: opID.Add(1), dims: x.Dims(), f: f}, x)
}

type elementwiseOp struct {
	id   int64
	dims int
	f    Func
	out  *tensor.Dense
}

func (op *elementwiseOp) Arity() int { return 1 }
func (op *elementwiseOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(op.dims))
}
func (op *elementwiseOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.f.Name, in)
	if err != nil {
		return nil, err
	}
	if len(s) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.f.Name, len(s))
	}
	return s[0].Clone(), nil
}
func (op *elementwiseOp) ReturnsPtr() bool      { return false }
func (op *elementwiseOp) CallsExtern() bool     { return false }
func (op *elementwiseOp) OverwritesInput() int  { return -1 }
func (op *elementwiseOp) WriteHash(h hash.Hash) { writeHash(h, op.f.Name, op.id) }
func (op *elementwiseOp) Hashcode() uint32      { return hashOf(op.f.Name, op.id) }
func (op *elementwiseOp) String() string        { return op.f.Name }
func (op *elementwiseOp) DiffWRT(int) []bool    { return []bool{true} }

func (op *elementwiseOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.f.Name, len(vals))
	}
	x, err := dense(op.f.Name, vals[0])
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		apply(op.f.F, xd, nil, op.out.Data().([]float32))
	case []float64:
		apply(op.f.F, xd, nil, op.out.Data().([]float64))
	}
	return op.out, nil
}

func (op *elementwiseOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s gradient: %d inputs, want 1", op.f.Name, len(inputs))
	}
	g, err := gorgonia.ApplyOp(&elementwiseGradOp{id: op.id, dims: op.dims, f: op.f}, inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "%s gradient", op.f.Name)
	}
	return gorgonia.Nodes{g}, nil
}

// elementwiseGradOp is dy * f.D(x), from (x, dy).
type elementwiseGradOp struct {
	id   int64
	dims int
	f    Func
	out  *tensor.Dense
}

func (op *elementwiseGradOp) name() string { return op.f.Name + "_grad" }
func (op *elementwiseGradOp) Arity() int   { return 2 }
func (op *elementwiseGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(op.dims), tensorType(op.dims))
}
func (op *elementwiseGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name(), in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, errors.Errorf("%s: %d inputs, want 2", op.name(), len(s))
	}
	return s[0].Clone(), nil
}
func (op *elementwiseGradOp) ReturnsPtr() bool      { return false }
func (op *elementwiseGradOp) CallsExtern() bool     { return false }
func (op *elementwiseGradOp) OverwritesInput() int  { return -1 }
func (op *elementwiseGradOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.id) }
func (op *elementwiseGradOp) Hashcode() uint32      { return hashOf(op.name(), op.id) }
func (op *elementwiseGradOp) String() string        { return op.name() }

func (op *elementwiseGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("%s: %d inputs, want 2", op.name(), len(vals))
	}
	x, err := dense(op.name(), vals[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op.name(), vals[1])
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(dy.Shape()) || x.Dtype() != dy.Dtype() {
		return nil, errors.Errorf("%s: input %v %v and output gradient %v %v differ", op.name(), x.Shape(), x.Dtype(), dy.Shape(), dy.Dtype())
	}
	op.out = reuse(op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		apply(op.f.D, xd, dy.Data().([]float32), op.out.Data().([]float32))
	case []float64:
		apply(op.f.D, xd, dy.Data().([]float64), op.out.Data().([]float64))
	}
	return op.out, nil
}

// apply sets out[i] = fn(x[i]), times dy[i] when dy is not nil, computed
// in float64.
func apply[T float](fn func(float64) float64, x, dy, out []T) {
	parallel.For(len(x), len(x), func(lo, hi int) {
		o, xs := out[lo:hi], x[lo:hi]
		if dy == nil {
			for i, v := range xs {
				o[i] = T(fn(float64(v)))
			}
			return
		}
		d := dy[lo:hi]
		for i, v := range xs {
			o[i] = T(float64(d[i]) * fn(float64(v)))
		}
	})
}

var (
	_ gorgonia.SDOp = (*elementwiseOp)(nil)
	_ gorgonia.Op   = (*elementwiseGradOp)(nil)
)
