package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Permute is x with its axes reordered, in a buffer of its own: output
// axis i is input axis perm[i], as numpy's transpose. Its gradient is the
// inverse permutation of the output's gradient. Unlike gorgonia.Transpose
// it copies once, with no iterator, and never shares x's memory.
func Permute(x *gorgonia.Node, perm []int) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("permute: nil input")
	}
	from := x.Shape().Clone()
	if len(perm) != len(from) {
		return nil, errors.Errorf("permute: %d axes for a tensor of shape %v", len(perm), from)
	}
	seen := make([]bool, len(perm))
	to := make(tensor.Shape, len(perm))
	for i, a := range perm {
		if a < 0 || a >= len(perm) || seen[a] {
			return nil, errors.Errorf("permute: %v is not a permutation of %d axes", perm, len(perm))
		}
		seen[a] = true
		to[i] = from[a]
	}
	op := &permuteOp{id: layoutOpID.Add(1), from: from, to: to, perm: append([]int(nil), perm...)}
	return gorgonia.ApplyOp(op, x)
}

// IsIdentity reports whether perm leaves every axis in place.
func IsIdentity(perm []int) bool {
	for i, a := range perm {
		if a != i {
			return false
		}
	}
	return true
}

type permuteOp struct {
	id       uint64
	from, to tensor.Shape
	perm     []int
	out      *tensor.Dense
}

func (op *permuteOp) Arity() int { return 1 }
func (op *permuteOp) Type() hm.Type {
	return hm.NewFnType(layoutType(len(op.from)), layoutType(len(op.to)))
}

func (op *permuteOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := layoutShape("permute", len(op.from), in)
	if err != nil {
		return nil, err
	}
	if !s.Eq(op.from) {
		return nil, errors.Errorf("permute: input has shape %v, want %v", s, op.from)
	}
	return op.to.Clone(), nil
}

func (op *permuteOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := layoutInput("permute", 0, vals)
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(op.from) {
		return nil, errors.Errorf("permute: input has shape %v, want %v", x.Shape(), op.from)
	}
	op.out = layoutBuffer(op.out, x.Dtype(), op.to...)
	switch xd := x.Data().(type) {
	case []float32:
		permute(xd, op.out.Data().([]float32), op.from, op.perm)
	case []float64:
		permute(xd, op.out.Data().([]float64), op.from, op.perm)
	}
	return op.out, nil
}

// permute writes x, of shape from, into out with its axes in perm's order.
func permute[T float](x, out []T, from tensor.Shape, perm []int) {
	n := len(from)
	// stride[i] is the step in x of output axis i.
	inStride := make([]int, n)
	s := 1
	for a := n - 1; a >= 0; a-- {
		inStride[a] = s
		s *= from[a]
	}
	dims, stride := make([]int, n), make([]int, n)
	for i, a := range perm {
		dims[i], stride[i] = from[a], inStride[a]
	}
	last, lastStride := dims[n-1], stride[n-1]
	idx := make([]int, n)
	src := 0
	for o := 0; o < len(out); o += last {
		row := out[o : o+last]
		if lastStride == 1 {
			copy(row, x[src:src+last])
		} else {
			for j, p := 0, src; j < last; j, p = j+1, p+lastStride {
				row[j] = x[p]
			}
		}
		// Advance the odometer over the axes but the last.
		for i := n - 2; i >= 0; i-- {
			idx[i]++
			src += stride[i]
			if idx[i] < dims[i] {
				break
			}
			src -= idx[i] * stride[i]
			idx[i] = 0
		}
	}
}

func (op *permuteOp) ReturnsPtr() bool     { return false }
func (op *permuteOp) CallsExtern() bool    { return false }
func (op *permuteOp) OverwritesInput() int { return -1 }
func (op *permuteOp) WriteHash(h hash.Hash) {
	layoutWriteHash(h, "permute", op.id, append(append([]int(nil), op.from...), op.perm...)...)
}
func (op *permuteOp) Hashcode() uint32 {
	return layoutHash("permute", op.id, append(append([]int(nil), op.from...), op.perm...)...)
}
func (op *permuteOp) String() string       { return fmt.Sprintf("Permute%v", op.perm) }
func (op *permuteOp) DiffWRT(n int) []bool { return allTrue(n) }

func (op *permuteOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("permute gradient: %d inputs, want 1", len(inputs))
	}
	inv := make([]int, len(op.perm))
	for i, a := range op.perm {
		inv[a] = i
	}
	d, err := Permute(grad, inv)
	if err != nil {
		return nil, errors.Wrap(err, "permute gradient")
	}
	return gorgonia.Nodes{d}, nil
}

// BufferBytes is the size of the output buffer the op keeps.
func (op *permuteOp) BufferBytes() int { return denseBytes(op.out) }

// Release drops it.
func (op *permuteOp) Release() { op.out = nil }

var (
	_ gorgonia.SDOp = (*permuteOp)(nil)
	_ Buffered      = (*permuteOp)(nil)
)
