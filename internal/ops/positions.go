package ops

import (
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Positions is rows start, start+1, ..., start+steps-1 of table, [length,
// dim], repeated for every sample: [batch, steps, dim], the learned
// position embeddings of a sequence. start is a scalar node (a position
// fed at run time, as a model generating one token at a time needs) or
// nil for 0; a start that leaves the table is an error at run time. Its
// gradient, into table only, sums over the batch.
func Positions(table, start *gorgonia.Node, batch, steps int) (*gorgonia.Node, error) {
	if table == nil {
		return nil, errors.New("positions: nil table")
	}
	ts := table.Shape()
	if len(ts) != 2 {
		return nil, errors.Errorf("positions: table %v, want [length, dim]", ts)
	}
	if batch <= 0 || steps <= 0 || steps > ts[0] {
		return nil, errors.Errorf("positions: batch %d and steps %d must be > 0, and steps at most the table's length %d", batch, steps, ts[0])
	}
	op := &positionsOp{id: opID.Add(1), batch: batch, steps: steps, start: start != nil}
	if start == nil {
		return gorgonia.ApplyOp(op, table)
	}
	if !start.IsScalar() || start.Dtype() != table.Dtype() {
		return nil, errors.Errorf("positions: start must be a %v scalar, got %v %v", table.Dtype(), start.Shape(), start.Dtype())
	}
	return gorgonia.ApplyOp(op, table, start)
}

type positionsOp struct {
	id           int64
	batch, steps int
	start        bool
	out, grad    *tensor.Dense
}

func (op *positionsOp) Arity() int {
	if op.start {
		return 2
	}
	return 1
}
func (op *positionsOp) Type() hm.Type {
	if op.start {
		return hm.NewFnType(tensorType(2), hm.TypeVariable('a'), tensorType(3))
	}
	return hm.NewFnType(tensorType(2), tensorType(3))
}
func (op *positionsOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("positions", in[:1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{op.batch, op.steps, s[0][1]}, nil
}
func (op *positionsOp) ReturnsPtr() bool      { return false }
func (op *positionsOp) CallsExtern() bool     { return false }
func (op *positionsOp) OverwritesInput() int  { return -1 }
func (op *positionsOp) WriteHash(h hash.Hash) { writeHash(h, "positions", op.id) }
func (op *positionsOp) Hashcode() uint32      { return hashOf("positions", op.id) }
func (op *positionsOp) String() string        { return "Positions" }

// first reads the start position from vals and checks it fits the table.
func (op *positionsOp) first(vals []gorgonia.Value, length int) (int, error) {
	if !op.start {
		return 0, nil
	}
	var f float64
	switch v := vals[1].Data().(type) {
	case float32:
		f = float64(v)
	case float64:
		f = v
	default:
		return 0, errors.Errorf("positions: start is %T, want a float scalar", v)
	}
	if f != math.Trunc(f) || f < 0 || int(f)+op.steps > length {
		return 0, errors.Errorf("positions: start %v with %d steps leaves the table of %d positions", f, op.steps, length)
	}
	return int(f), nil
}

func (op *positionsOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("positions: %d inputs, want %d", len(vals), op.Arity())
	}
	t, err := dense("positions", vals[0])
	if err != nil {
		return nil, err
	}
	length, dim := t.Shape()[0], t.Shape()[1]
	first, err := op.first(vals, length)
	if err != nil {
		return nil, err
	}
	op.out = reuse(op.out, t.Dtype(), op.batch, op.steps, dim)
	switch td := t.Data().(type) {
	case []float32:
		repeatRows(td[first*dim:(first+op.steps)*dim], op.out.Data().([]float32))
	case []float64:
		repeatRows(td[first*dim:(first+op.steps)*dim], op.out.Data().([]float64))
	}
	return op.out, nil
}

// repeatRows fills out with copies of rows.
func repeatRows[T float](rows, out []T) {
	for i := 0; i < len(out); i += len(rows) {
		copy(out[i:], rows)
	}
}

func (op *positionsOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	out[0] = true
	return out
}

func (op *positionsOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	in := append(gorgonia.Nodes{grad}, inputs...)
	g, err := gorgonia.ApplyOp(&positionsGradOp{op}, in...)
	if err != nil {
		return nil, errors.Wrap(err, "positions gradient")
	}
	out := make(gorgonia.Nodes, len(inputs))
	out[0] = g
	return out, nil
}

func (op *positionsOp) BufferBytes() int { return denseBytes(op.out, op.grad) }
func (op *positionsOp) Release()         { op.out, op.grad = nil, nil }

// positionsGradOp sums the output gradient over the batch into the table
// rows the forward op read: (dout, table[, start]) -> dtable.
type positionsGradOp struct{ fwd *positionsOp }

func (op *positionsGradOp) Arity() int { return op.fwd.Arity() + 1 }
func (op *positionsGradOp) Type() hm.Type {
	if op.fwd.start {
		return hm.NewFnType(tensorType(3), tensorType(2), hm.TypeVariable('a'), tensorType(2))
	}
	return hm.NewFnType(tensorType(3), tensorType(2), tensorType(2))
}
func (op *positionsGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("positions gradient", in[:2])
	if err != nil {
		return nil, err
	}
	return s[1].Clone(), nil
}
func (op *positionsGradOp) ReturnsPtr() bool      { return false }
func (op *positionsGradOp) CallsExtern() bool     { return false }
func (op *positionsGradOp) OverwritesInput() int  { return -1 }
func (op *positionsGradOp) WriteHash(h hash.Hash) { writeHash(h, "positions_grad", op.fwd.id) }
func (op *positionsGradOp) Hashcode() uint32      { return hashOf("positions_grad", op.fwd.id) }
func (op *positionsGradOp) String() string        { return "positions_grad" }

func (op *positionsGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("positions gradient: %d inputs, want %d", len(vals), op.Arity())
	}
	dy, err := dense("positions gradient", vals[0])
	if err != nil {
		return nil, err
	}
	t, err := dense("positions gradient", vals[1])
	if err != nil {
		return nil, err
	}
	length, dim := t.Shape()[0], t.Shape()[1]
	first, err := op.fwd.first(vals[1:], length)
	if err != nil {
		return nil, err
	}
	if want := (tensor.Shape{op.fwd.batch, op.fwd.steps, dim}); !dy.Shape().Eq(want) || dy.Dtype() != t.Dtype() {
		return nil, errors.Errorf("positions gradient: output gradient %v, want %v", dy.Shape(), want)
	}
	f := op.fwd
	f.grad = reuse(f.grad, t.Dtype(), length, dim)
	switch g := f.grad.Data().(type) {
	case []float32:
		sumRepeats(dy.Data().([]float32), g, first*dim, f.steps*dim)
	case []float64:
		sumRepeats(dy.Data().([]float64), g, first*dim, f.steps*dim)
	}
	return f.grad, nil
}

// sumRepeats zeroes g and adds every block of n values of dy to g[at:].
func sumRepeats[T float](dy, g []T, at, n int) {
	clear(g)
	dst := g[at : at+n]
	for i := 0; i < len(dy); i += n {
		for j, v := range dy[i : i+n] {
			dst[j] += v
		}
	}
}

var (
	_ gorgonia.SDOp = (*positionsOp)(nil)
	_ Buffered      = (*positionsOp)(nil)
)
