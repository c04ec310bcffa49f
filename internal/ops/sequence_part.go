package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SequencePart returns steps [lo, hi) of p, [B, N, U]: [B, hi-lo, U],
// the steps in reverse order when reverse; or with squeeze, which needs
// hi = lo+1, the one step as [B, U]. The gradient is dy in those steps and
// zeros elsewhere. Both ops keep their buffers from run to run.
func SequencePart(p *gorgonia.Node, lo, hi int, reverse, squeeze bool) (*gorgonia.Node, error) {
	if p == nil {
		return nil, errors.New("sequence part: nil input")
	}
	s := p.Shape()
	if p.Dims() != 3 || len(s) != 3 {
		return nil, errors.Errorf("sequence part: input has shape %v, want [batch, steps, units]", s)
	}
	if lo < 0 || hi > s[1] || lo >= hi {
		return nil, errors.Errorf("sequence part: steps [%d, %d) outside the input's %d", lo, hi, s[1])
	}
	if squeeze && hi != lo+1 {
		return nil, errors.Errorf("sequence part: squeeze needs one step, got [%d, %d)", lo, hi)
	}
	op := &seqPartOp{id: opID.Add(1), b: s[0], n: s[1], u: s[2], lo: lo, hi: hi, reverse: reverse, squeeze: squeeze}
	return gorgonia.ApplyOp(op, p)
}

type seqPartOp struct {
	id               int64
	b, n, u, lo, hi  int
	reverse, squeeze bool
	grad             bool // the gradient op: [B, hi-lo, U] -> [B, N, U]
	out              *tensor.Dense
}

func (op *seqPartOp) name() string {
	if op.grad {
		return "sequence_part_grad"
	}
	return "sequence_part"
}

func (op *seqPartOp) partShape() tensor.Shape {
	if op.squeeze {
		return tensor.Shape{op.b, op.u}
	}
	return tensor.Shape{op.b, op.hi - op.lo, op.u}
}

func (op *seqPartOp) Arity() int { return 1 }
func (op *seqPartOp) Type() hm.Type {
	part := tensorType(len(op.partShape()))
	if op.grad {
		return hm.NewFnType(part, tensorType(3))
	}
	return hm.NewFnType(tensorType(3), part)
}
func (op *seqPartOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	if op.grad {
		return tensor.Shape{op.b, op.n, op.u}, nil
	}
	return op.partShape(), nil
}
func (op *seqPartOp) ReturnsPtr() bool      { return false }
func (op *seqPartOp) CallsExtern() bool     { return false }
func (op *seqPartOp) OverwritesInput() int  { return -1 }
func (op *seqPartOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.id) }
func (op *seqPartOp) Hashcode() uint32      { return hashOf(op.name(), op.id) }
func (op *seqPartOp) String() string {
	return fmt.Sprintf("%s[%d:%d]", op.name(), op.lo, op.hi)
}

func (op *seqPartOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.name(), len(vals))
	}
	in, err := dense(op.name(), vals[0])
	if err != nil {
		return nil, err
	}
	want := tensor.Shape{op.b, op.n, op.u}
	if op.grad {
		want = op.partShape()
	}
	if !in.Shape().Eq(want) {
		return nil, errors.Errorf("%s: input has shape %v, want %v", op.name(), in.Shape(), want)
	}
	if op.grad {
		op.out = reuse(op.out, in.Dtype(), op.b, op.n, op.u)
	} else {
		op.out = reuse(op.out, in.Dtype(), op.partShape()...)
	}
	switch d := in.Data().(type) {
	case []float32:
		copyPart(op, d, op.out.Data().([]float32))
	case []float64:
		copyPart(op, d, op.out.Data().([]float64))
	}
	return op.out, nil
}

// copyPart copies the part out of the whole, or, for the gradient, into
// a zeroed whole.
func copyPart[T float](op *seqPartOp, in, out []T) {
	k := op.hi - op.lo
	if op.grad {
		clear(out)
	}
	for b := 0; b < op.b; b++ {
		for j := 0; j < k; j++ {
			step := op.lo + j
			if op.reverse {
				step = op.hi - 1 - j
			}
			w := (b*op.n + step) * op.u
			q := (b*k + j) * op.u
			if op.grad {
				copy(out[w:w+op.u], in[q:q+op.u])
			} else {
				copy(out[q:q+op.u], in[w:w+op.u])
			}
		}
	}
}

func (op *seqPartOp) DiffWRT(n int) []bool { return allTrue(n) }

func (op *seqPartOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if op.grad {
		return nil, errors.New("sequence part gradient: not differentiable")
	}
	g := *op
	g.id, g.grad, g.out = opID.Add(1), true, nil
	n, err := gorgonia.ApplyOp(&g, grad)
	if err != nil {
		return nil, errors.Wrap(err, "sequence part gradient")
	}
	return gorgonia.Nodes{n}, nil
}

func (op *seqPartOp) BufferBytes() int { return denseBytes(op.out) }
func (op *seqPartOp) Release()         { op.out = nil }

var (
	_ gorgonia.SDOp = (*seqPartOp)(nil)
	_ Buffered      = (*seqPartOp)(nil)
)
