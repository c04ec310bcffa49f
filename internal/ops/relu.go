package ops

import (
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/parallel"
)

// ReLU is max(x, 0) elementwise, as one op that writes into a buffer it
// keeps from run to run (gorgonia.Rectify allocates and copies twice per
// run); its gradient passes the output's gradient where the output is
// positive, also into a kept buffer.
func ReLU(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("relu: nil input")
	}
	if x.IsScalar() {
		return nil, errors.New("relu: input is a scalar, want a tensor")
	}
	return gorgonia.ApplyOp(&reluOp{id: opID.Add(1), dims: x.Dims()}, x)
}

type reluOp struct {
	id   int64
	dims int
	out  *tensor.Dense
}

func (op *reluOp) Arity() int    { return 1 }
func (op *reluOp) Type() hm.Type { return hm.NewFnType(tensorType(op.dims), tensorType(op.dims)) }
func (op *reluOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("relu", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 1 {
		return nil, errors.Errorf("relu: %d inputs, want 1", len(s))
	}
	return s[0].Clone(), nil
}
func (op *reluOp) ReturnsPtr() bool      { return false }
func (op *reluOp) CallsExtern() bool     { return false }
func (op *reluOp) OverwritesInput() int  { return -1 }
func (op *reluOp) WriteHash(h hash.Hash) { writeHash(h, "relu", op.id) }
func (op *reluOp) Hashcode() uint32      { return hashOf("relu", op.id) }
func (op *reluOp) String() string        { return "ReLU" }
func (op *reluOp) DiffWRT(int) []bool    { return []bool{true} }

func (op *reluOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("relu: %d inputs, want 1", len(vals))
	}
	x, err := dense("relu", vals[0])
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		relu(xd, op.out.Data().([]float32))
	case []float64:
		relu(xd, op.out.Data().([]float64))
	}
	return op.out, nil
}

func (op *reluOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(&reluGradOp{id: op.id, dims: op.dims}, output, grad)
	if err != nil {
		return nil, errors.Wrap(err, "relu gradient")
	}
	return gorgonia.Nodes{g}, nil
}

// reluGradOp is dy where y > 0, else 0, from (y, dy).
type reluGradOp struct {
	id   int64
	dims int
	out  *tensor.Dense
}

func (op *reluGradOp) Arity() int { return 2 }
func (op *reluGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(op.dims), tensorType(op.dims))
}
func (op *reluGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("relu gradient", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, errors.Errorf("relu gradient: %d inputs, want 2", len(s))
	}
	return s[0].Clone(), nil
}
func (op *reluGradOp) ReturnsPtr() bool      { return false }
func (op *reluGradOp) CallsExtern() bool     { return false }
func (op *reluGradOp) OverwritesInput() int  { return -1 }
func (op *reluGradOp) WriteHash(h hash.Hash) { writeHash(h, "relu_grad", op.id) }
func (op *reluGradOp) Hashcode() uint32      { return hashOf("relu_grad", op.id) }
func (op *reluGradOp) String() string        { return "ReLUGrad" }

func (op *reluGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("relu gradient: %d inputs, want 2", len(vals))
	}
	y, err := dense("relu gradient", vals[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense("relu gradient", vals[1])
	if err != nil {
		return nil, err
	}
	if !y.Shape().Eq(dy.Shape()) || y.Dtype() != dy.Dtype() {
		return nil, errors.Errorf("relu gradient: output %v %v and its gradient %v %v differ", y.Shape(), y.Dtype(), dy.Shape(), dy.Dtype())
	}
	op.out = reuse(op.out, y.Dtype(), y.Shape()...)
	switch yd := y.Data().(type) {
	case []float32:
		reluGrad(yd, dy.Data().([]float32), op.out.Data().([]float32))
	case []float64:
		reluGrad(yd, dy.Data().([]float64), op.out.Data().([]float64))
	}
	return op.out, nil
}

func relu[T float](x, out []T) {
	parallel.For(len(x), len(x), func(lo, hi int) {
		out, x := out[lo:hi], x[lo:hi]
		for i, v := range x {
			out[i] = max(v, 0) // NaN stays NaN
		}
	})
}

// reluGrad passes dy where y > 0 and gives 0 elsewhere (NaN included).
// Half of a layer's outputs are zero, in no order a branch predictor
// could learn, so the choice is made on the bits, without a branch.
func reluGrad[T float](y, dy, out []T) {
	parallel.For(len(y), len(y), func(lo, hi int) {
		switch yv := any(y[lo:hi]).(type) {
		case []float32:
			reluGrad32(yv, any(dy[lo:hi]).([]float32), any(out[lo:hi]).([]float32))
		case []float64:
			reluGrad64(yv, any(dy[lo:hi]).([]float64), any(out[lo:hi]).([]float64))
		}
	})
}

// reluGrad32 is reluGrad in float32: v > 0 exactly when v's bits, less
// one, are below those of +Inf (zero wraps around; negative numbers and
// NaNs are above).
func reluGrad32(y, dy, out []float32) {
	dy, out = dy[:len(y)], out[:len(y)]
	for i, v := range y {
		var keep uint32
		if math.Float32bits(v)-1 < 0x7f800000 {
			keep = ^uint32(0)
		}
		out[i] = math.Float32frombits(math.Float32bits(dy[i]) & keep)
	}
}

// reluGrad64 is reluGrad32 in float64.
func reluGrad64(y, dy, out []float64) {
	dy, out = dy[:len(y)], out[:len(y)]
	for i, v := range y {
		var keep uint64
		if math.Float64bits(v)-1 < 0x7ff0000000000000 {
			keep = ^uint64(0)
		}
		out[i] = math.Float64frombits(math.Float64bits(dy[i]) & keep)
	}
}

var _ gorgonia.SDOp = (*reluOp)(nil)
