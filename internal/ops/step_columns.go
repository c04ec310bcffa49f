package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Step returns step t of x, [batch, steps, width]: x[:, t, :], [batch,
// width], in a buffer of its own.
//
// Recurrent layers cut their input projection into steps with it, and
// their gates with Columns: gorgonia.Slice does the same through tensor
// iterators, several times slower on these strided copies, and its
// gradient allocates a zeroed tensor of x's shape on every run. The
// gradient of Step and Columns is x's shape too (zeros outside the block),
// but kept from run to run and filled by plain copies.
func Step(x *gorgonia.Node, t int) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("step: nil input")
	}
	s := x.Shape()
	if x.Dims() != 3 || len(s) != 3 {
		return nil, errors.Errorf("step: input has shape %v, want [batch, steps, width]", s)
	}
	if t < 0 || t >= s[1] {
		return nil, errors.Errorf("step: step %d outside the input's %d steps", t, s[1])
	}
	return applyStepColumns(x, stepGeom{batch: s[0], steps: s[1], width: s[2], step: t, lo: 0, hi: s[2], dims: 3})
}

// Columns returns columns [lo, hi) of x, [batch, width]: x[:, lo:hi],
// [batch, hi-lo], in a buffer of its own. See Step.
func Columns(x *gorgonia.Node, lo, hi int) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("columns: nil input")
	}
	s := x.Shape()
	if x.Dims() != 2 || len(s) != 2 {
		return nil, errors.Errorf("columns: input has shape %v, want [batch, width]", s)
	}
	if lo < 0 || hi > s[1] || lo >= hi {
		return nil, errors.Errorf("columns: [%d, %d) is not a non-empty range of the input's %d columns", lo, hi, s[1])
	}
	return applyStepColumns(x, stepGeom{batch: s[0], steps: 1, width: s[1], step: 0, lo: lo, hi: hi, dims: 2})
}

// stepGeom is a block of x, [batch, (steps,) width]: columns [lo, hi) of
// step step (x is [batch, width] when dims is 2, as if it had one step).
type stepGeom struct {
	batch, steps, width int
	step, lo, hi        int
	dims                int
}

func (g stepGeom) in() tensor.Shape {
	if g.dims == 2 {
		return tensor.Shape{g.batch, g.width}
	}
	return tensor.Shape{g.batch, g.steps, g.width}
}

func (g stepGeom) out() tensor.Shape { return tensor.Shape{g.batch, g.hi - g.lo} }

// offset is where row b of the block starts in x.
func (g stepGeom) offset(b int) int { return (b*g.steps+g.step)*g.width + g.lo }

func (g stepGeom) params() string {
	return fmt.Sprintf("%v[step %d, %d:%d]", g.in(), g.step, g.lo, g.hi)
}

func applyStepColumns(x *gorgonia.Node, g stepGeom) (*gorgonia.Node, error) {
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("step columns: dtype %v, want float32 or float64", dt)
	}
	return gorgonia.ApplyOp(&stepColumnsOp{id: opID.Add(1), g: g}, x)
}

// stepColumnsOp copies the block g of its input into a buffer it keeps.
type stepColumnsOp struct {
	id  int64
	g   stepGeom
	out *tensor.Dense
}

func (op *stepColumnsOp) Arity() int    { return 1 }
func (op *stepColumnsOp) Type() hm.Type { return hm.NewFnType(tensorType(op.g.dims), tensorType(2)) }
func (op *stepColumnsOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("step columns", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 1 || !s[0].Eq(op.g.in()) {
		return nil, errors.Errorf("step columns: input shapes %v, want %v", s, op.g.in())
	}
	return op.g.out(), nil
}
func (op *stepColumnsOp) ReturnsPtr() bool      { return false }
func (op *stepColumnsOp) CallsExtern() bool     { return false }
func (op *stepColumnsOp) OverwritesInput() int  { return -1 }
func (op *stepColumnsOp) WriteHash(h hash.Hash) { writeHash(h, "step_columns", op.id) }
func (op *stepColumnsOp) Hashcode() uint32      { return hashOf("step_columns", op.id) }
func (op *stepColumnsOp) String() string        { return "StepColumns" + op.g.params() }
func (op *stepColumnsOp) DiffWRT(int) []bool    { return []bool{true} }

func (op *stepColumnsOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("step columns: %d inputs, want 1", len(vals))
	}
	x, err := dense("step columns", vals[0])
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(op.g.in()) {
		return nil, errors.Errorf("step columns: input has shape %v, want %v", x.Shape(), op.g.in())
	}
	op.out = reuse(op.out, x.Dtype(), op.g.out()...)
	switch xd := x.Data().(type) {
	case []float32:
		gatherBlock(op.g, xd, op.out.Data().([]float32))
	case []float64:
		gatherBlock(op.g, xd, op.out.Data().([]float64))
	}
	return op.out, nil
}

func (op *stepColumnsOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("step columns gradient: %d inputs, want 1", len(inputs))
	}
	d, err := gorgonia.ApplyOp(&stepColumnsGradOp{id: op.id, g: op.g}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "step columns gradient")
	}
	return gorgonia.Nodes{d}, nil
}

// stepColumnsGradOp writes its input, the gradient of the block, into a
// buffer of the forward input's shape that is zero elsewhere.
type stepColumnsGradOp struct {
	id  int64
	g   stepGeom
	out *tensor.Dense
}

func (op *stepColumnsGradOp) Arity() int { return 1 }
func (op *stepColumnsGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(op.g.dims))
}
func (op *stepColumnsGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("step columns gradient", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 1 || !s[0].Eq(op.g.out()) {
		return nil, errors.Errorf("step columns gradient: input shapes %v, want %v", s, op.g.out())
	}
	return op.g.in(), nil
}
func (op *stepColumnsGradOp) ReturnsPtr() bool      { return false }
func (op *stepColumnsGradOp) CallsExtern() bool     { return false }
func (op *stepColumnsGradOp) OverwritesInput() int  { return -1 }
func (op *stepColumnsGradOp) WriteHash(h hash.Hash) { writeHash(h, "step_columns_grad", op.id) }
func (op *stepColumnsGradOp) Hashcode() uint32      { return hashOf("step_columns_grad", op.id) }
func (op *stepColumnsGradOp) String() string        { return "StepColumnsGrad" + op.g.params() }

func (op *stepColumnsGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("step columns gradient: %d inputs, want 1", len(vals))
	}
	d, err := dense("step columns gradient", vals[0])
	if err != nil {
		return nil, err
	}
	if !d.Shape().Eq(op.g.out()) {
		return nil, errors.Errorf("step columns gradient: input has shape %v, want %v", d.Shape(), op.g.out())
	}
	// The buffer is zeroed on every run: the machine may have written
	// into it in place (adding other gradients to it) since the last one.
	op.out = reuse(op.out, d.Dtype(), op.g.in()...)
	switch dd := d.Data().(type) {
	case []float32:
		scatterBlock(op.g, dd, op.out.Data().([]float32))
	case []float64:
		scatterBlock(op.g, dd, op.out.Data().([]float64))
	}
	return op.out, nil
}

// gatherBlock copies block g of x into out, [batch, hi-lo].
func gatherBlock[T float](g stepGeom, x, out []T) {
	n := g.hi - g.lo
	for b := 0; b < g.batch; b++ {
		copy(out[b*n:(b+1)*n], x[g.offset(b):g.offset(b)+n])
	}
}

// scatterBlock writes d, [batch, hi-lo], into block g of out and zeros
// the rest of out.
func scatterBlock[T float](g stepGeom, d, out []T) {
	clear(out)
	n := g.hi - g.lo
	for b := 0; b < g.batch; b++ {
		copy(out[g.offset(b):g.offset(b)+n], d[b*n:(b+1)*n])
	}
}

// BufferBytes is the size of the kept output buffer.
func (op *stepColumnsOp) BufferBytes() int { return selectStepBytes(op.out) }

// Release drops the kept output buffer.
func (op *stepColumnsOp) Release() { op.out = nil }

// BufferBytes is the size of the kept output buffer.
func (op *stepColumnsGradOp) BufferBytes() int { return selectStepBytes(op.out) }

// Release drops the kept output buffer.
func (op *stepColumnsGradOp) Release() { op.out = nil }

var _ gorgonia.SDOp = (*stepColumnsOp)(nil)
