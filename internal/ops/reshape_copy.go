package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CopyReshape is x with shape to (as many values), in a buffer of its own.
//
// gorgonia.Reshape returns a tensor that shares x's memory, and Gorgonia's
// tape machine then treats that memory as the reshape's own: an
// elementwise op on the result may write in place into it, which
// overwrites x, whether x is an input (the next run reads the changed
// values) or a value the backward pass still needs. CopyReshape copies, so
// whatever happens to its result leaves x alone. Its gradient is a
// CopyReshape back.
func CopyReshape(x *gorgonia.Node, to tensor.Shape) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("copy reshape: nil input")
	}
	from := x.Shape().Clone()
	if from.IsScalar() || len(to) == 0 {
		return nil, errors.Errorf("copy reshape: cannot reshape %v to %v: both must be tensors", from, to)
	}
	for _, d := range to {
		if d <= 0 {
			return nil, errors.Errorf("copy reshape: shape %v has a dimension <= 0", to)
		}
	}
	if from.TotalSize() != to.TotalSize() {
		return nil, errors.Errorf("copy reshape: cannot reshape %v (%d values) to %v (%d values)", from, from.TotalSize(), to, to.TotalSize())
	}
	op := &copyReshapeOp{id: layoutOpID.Add(1), from: from, to: to.Clone()}
	return gorgonia.ApplyOp(op, x)
}

// copyReshapeOp copies its input into a buffer of shape to that it owns.
type copyReshapeOp struct {
	id       uint64
	from, to tensor.Shape
	out      *tensor.Dense
}

func (op *copyReshapeOp) Arity() int { return 1 }
func (op *copyReshapeOp) Type() hm.Type {
	return hm.NewFnType(layoutType(len(op.from)), layoutType(len(op.to)))
}

func (op *copyReshapeOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := layoutShape("copy reshape", len(op.from), in)
	if err != nil {
		return nil, err
	}
	if !s.Eq(op.from) {
		return nil, errors.Errorf("copy reshape: input has shape %v, want %v", s, op.from)
	}
	return op.to.Clone(), nil
}

func (op *copyReshapeOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := layoutInput("copy reshape", 0, vals)
	if err != nil {
		return nil, err
	}
	if x.Shape().TotalSize() != op.to.TotalSize() {
		return nil, errors.Errorf("copy reshape: input has shape %v, want %v", x.Shape(), op.from)
	}
	op.out = layoutBuffer(op.out, x.Dtype(), op.to...)
	switch xd := x.Data().(type) {
	case []float32:
		copy(op.out.Data().([]float32), xd)
	case []float64:
		copy(op.out.Data().([]float64), xd)
	}
	return op.out, nil
}

func (op *copyReshapeOp) ReturnsPtr() bool     { return false }
func (op *copyReshapeOp) CallsExtern() bool    { return false }
func (op *copyReshapeOp) OverwritesInput() int { return -1 }
func (op *copyReshapeOp) WriteHash(h hash.Hash) {
	layoutWriteHash(h, "copy_reshape", op.id, append(append([]int(nil), op.from...), op.to...)...)
}
func (op *copyReshapeOp) Hashcode() uint32 {
	return layoutHash("copy_reshape", op.id, append(append([]int(nil), op.from...), op.to...)...)
}
func (op *copyReshapeOp) String() string { return fmt.Sprintf("CopyReshape%v", op.to) }

func (op *copyReshapeOp) DiffWRT(n int) []bool { return allTrue(n) }

func (op *copyReshapeOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("copy reshape gradient: %d inputs, want 1", len(inputs))
	}
	d, err := CopyReshape(grad, op.from)
	if err != nil {
		return nil, errors.Wrap(err, "copy reshape gradient")
	}
	return gorgonia.Nodes{d}, nil
}
