package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/parallel"
)

// Embedding gathers rows of table, [vocab, dim], by the ids in ids: ids of
// shape [d0, d1, ...] give [d0, d1, ..., dim], out[i..., :] =
// table[ids[i...], :]. The ids are float values of table's dtype (a model's
// inputs are float tensors); each must be an integer in [0, vocab), or the
// run fails with an error naming the layer (name), the id's position and its
// value. The output is written into a buffer the op keeps from run to run.
//
// The gradient with respect to table scatter-adds the output's gradient
// into a kept [vocab, dim] buffer: rows of ids that did not occur get
// zeros. There is no gradient with respect to the ids (they are indices):
// their DiffWRT is false.
func Embedding(ids, table *gorgonia.Node, name string) (*gorgonia.Node, error) {
	if ids == nil || table == nil {
		return nil, errors.Errorf("embedding %q: nil ids or table", name)
	}
	if ids.IsScalar() {
		return nil, errors.Errorf("embedding %q: ids are a scalar, want a tensor", name)
	}
	ts := table.Shape()
	if table.Dims() != 2 || len(ts) != 2 || ts[0] <= 0 || ts[1] <= 0 {
		return nil, errors.Errorf("embedding %q: table must be [vocab, dim], got shape %v", name, ts)
	}
	if ids.Dtype() != table.Dtype() {
		return nil, errors.Errorf("embedding %q: ids are %v, table is %v; want the same dtype", name, ids.Dtype(), table.Dtype())
	}
	op := &embeddingOp{id: opID.Add(1), name: name, dims: ids.Dims(), vocab: ts[0], dim: ts[1]}
	return gorgonia.ApplyOp(op, ids, table)
}

// embeddingOp is the lookup: (ids, table) -> rows.
type embeddingOp struct {
	id         int64
	name       string
	dims       int // of ids
	vocab, dim int
	out        *tensor.Dense
	rows       []int // the ids as row numbers, kept between runs
}

func (op *embeddingOp) Arity() int { return 2 }
func (op *embeddingOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(2), tensorType(op.dims+1))
}

func (op *embeddingOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("embedding", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, errors.Errorf("embedding %q: %d inputs, want 2", op.name, len(s))
	}
	if len(s[1]) != 2 || s[1][0] != op.vocab || s[1][1] != op.dim {
		return nil, errors.Errorf("embedding %q: table has shape %v, want [%d %d]", op.name, s[1], op.vocab, op.dim)
	}
	out := append(s[0].Clone(), op.dim)
	return out, nil
}

func (op *embeddingOp) ReturnsPtr() bool      { return false }
func (op *embeddingOp) CallsExtern() bool     { return false }
func (op *embeddingOp) OverwritesInput() int  { return -1 }
func (op *embeddingOp) WriteHash(h hash.Hash) { writeHash(h, "embedding", op.id) }
func (op *embeddingOp) Hashcode() uint32      { return hashOf("embedding", op.id) }
func (op *embeddingOp) String() string        { return fmt.Sprintf("Embedding[%d %d]", op.vocab, op.dim) }

// DiffWRT is false for the ids and true for the table.
func (op *embeddingOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := 1; i < n; i++ {
		out[i] = true
	}
	return out
}

func (op *embeddingOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("embedding %q: %d inputs, want 2", op.name, len(vals))
	}
	ids, err := dense("embedding", vals[0])
	if err != nil {
		return nil, errors.Wrapf(err, "embedding %q: ids", op.name)
	}
	table, err := dense("embedding", vals[1])
	if err != nil {
		return nil, errors.Wrapf(err, "embedding %q: table", op.name)
	}
	if ids.Dtype() != table.Dtype() {
		return nil, errors.Errorf("embedding %q: ids are %v, table is %v", op.name, ids.Dtype(), table.Dtype())
	}
	if ts := table.Shape(); len(ts) != 2 || ts[0] != op.vocab || ts[1] != op.dim {
		return nil, errors.Errorf("embedding %q: table has shape %v, want [%d %d]", op.name, ts, op.vocab, op.dim)
	}
	if op.rows, err = rowsOf(op.name, ids, op.vocab, op.rows); err != nil {
		return nil, err
	}
	shape := append(ids.Shape().Clone(), op.dim)
	op.out = layoutBuffer(op.out, table.Dtype(), shape...)
	switch td := table.Data().(type) {
	case []float32:
		gather(op.rows, td, op.out.Data().([]float32), op.dim)
	case []float64:
		gather(op.rows, td, op.out.Data().([]float64), op.dim)
	}
	return op.out, nil
}

func (op *embeddingOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 2 {
		return nil, errors.Errorf("embedding %q gradient: %d inputs, want 2", op.name, len(inputs))
	}
	g := &embeddingGradOp{id: op.id, name: op.name, dims: op.dims, vocab: op.vocab, dim: op.dim}
	dt, err := gorgonia.ApplyOp(g, inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "embedding %q gradient", op.name)
	}
	return gorgonia.Nodes{nil, dt}, nil
}

// embeddingGradOp is the table's gradient: (ids, dy) -> [vocab, dim], the
// rows of dy added up by id.
type embeddingGradOp struct {
	id         int64
	name       string
	dims       int
	vocab, dim int
	out        *tensor.Dense
	rows       []int
}

func (op *embeddingGradOp) Arity() int { return 2 }
func (op *embeddingGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(op.dims+1), tensorType(2))
}

func (op *embeddingGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("embedding gradient", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, errors.Errorf("embedding %q gradient: %d inputs, want 2", op.name, len(s))
	}
	return tensor.Shape{op.vocab, op.dim}, nil
}

func (op *embeddingGradOp) ReturnsPtr() bool      { return false }
func (op *embeddingGradOp) CallsExtern() bool     { return false }
func (op *embeddingGradOp) OverwritesInput() int  { return -1 }
func (op *embeddingGradOp) WriteHash(h hash.Hash) { writeHash(h, "embedding_grad", op.id) }
func (op *embeddingGradOp) Hashcode() uint32      { return hashOf("embedding_grad", op.id) }
func (op *embeddingGradOp) String() string        { return "EmbeddingGrad" }

func (op *embeddingGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("embedding %q gradient: %d inputs, want 2", op.name, len(vals))
	}
	ids, err := dense("embedding gradient", vals[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense("embedding gradient", vals[1])
	if err != nil {
		return nil, err
	}
	if dy.Dtype() != ids.Dtype() || dy.Shape().TotalSize() != ids.Shape().TotalSize()*op.dim {
		return nil, errors.Errorf("embedding %q gradient: ids %v %v and output gradient %v %v do not match", op.name, ids.Dtype(), ids.Shape(), dy.Dtype(), dy.Shape())
	}
	if op.rows, err = rowsOf(op.name, ids, op.vocab, op.rows); err != nil {
		return nil, err
	}
	op.out = layoutBuffer(op.out, dy.Dtype(), op.vocab, op.dim)
	switch d := dy.Data().(type) {
	case []float32:
		scatterAdd(op.rows, d, op.out.Data().([]float32), op.dim)
	case []float64:
		scatterAdd(op.rows, d, op.out.Data().([]float64), op.dim)
	}
	return op.out, nil
}

// rowsOf reads the ids into rows (reused when long enough), checking that
// each is an integer in [0, vocab).
func rowsOf(name string, ids *tensor.Dense, vocab int, rows []int) ([]int, error) {
	n := ids.Shape().TotalSize()
	if cap(rows) < n {
		rows = make([]int, n)
	}
	rows = rows[:n]
	var bad = -1
	switch d := ids.Data().(type) {
	case []float32:
		bad = toRows(d, vocab, rows)
	case []float64:
		bad = toRows(d, vocab, rows)
	}
	if bad < 0 {
		return rows, nil
	}
	var v float64
	switch d := ids.Data().(type) {
	case []float32:
		v = float64(d[bad])
	case []float64:
		v = d[bad]
	}
	at := unravel(bad, ids.Shape())
	if v != math.Trunc(v) {
		return nil, errors.Errorf("embedding %q: id %v at %v is not an integer", name, v, at)
	}
	return nil, errors.Errorf("embedding %q: id %v at %v is outside the vocabulary of %d", name, v, at, vocab)
}

// toRows converts ids to row numbers; it returns the index of the first id
// that is not an integer in [0, vocab), or -1.
func toRows[T float](ids []T, vocab int, rows []int) int {
	for i, v := range ids {
		r := int(v)
		// NaN fails the first comparison; fractions and values out of
		// range the others.
		if !(v >= 0) || v >= T(vocab) || T(r) != v {
			return i
		}
		rows[i] = r
	}
	return -1
}

// unravel turns a flat index into its position in shape.
func unravel(i int, shape tensor.Shape) []int {
	at := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		at[d] = i % shape[d]
		i /= shape[d]
	}
	return at
}

func gather[T float](rows []int, table, out []T, dim int) {
	parallel.For(len(rows), len(rows)*dim, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := rows[i]
			copy(out[i*dim:(i+1)*dim], table[r*dim:(r+1)*dim])
		}
	})
}

// scatterAdd zeroes out and adds row i of dy to row rows[i] of out; the
// columns are split between workers, so no two write the same value.
func scatterAdd[T float](rows []int, dy, out []T, dim int) {
	clear(out)
	parallel.For(dim, len(rows)*dim, func(lo, hi int) {
		for i, r := range rows {
			src := dy[i*dim+lo : i*dim+hi]
			dst := out[r*dim+lo : r*dim+hi]
			for j, v := range src {
				dst[j] += v
			}
		}
	})
}

// NonZero is 1 where x is not 0 and 0 where it is, in x's shape and dtype,
// into a buffer it keeps: the padding mask of ids where 0 pads. It is not
// differentiable (DiffWRT false), so nothing flows back through it.
func NonZero(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("non-zero: nil input")
	}
	if x.IsScalar() {
		return nil, errors.New("non-zero: input is a scalar, want a tensor")
	}
	return gorgonia.ApplyOp(&nonZeroOp{id: opID.Add(1), dims: x.Dims()}, x)
}

type nonZeroOp struct {
	id   int64
	dims int
	out  *tensor.Dense
}

func (op *nonZeroOp) Arity() int    { return 1 }
func (op *nonZeroOp) Type() hm.Type { return hm.NewFnType(tensorType(op.dims), tensorType(op.dims)) }
func (op *nonZeroOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("non-zero", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 1 {
		return nil, errors.Errorf("non-zero: %d inputs, want 1", len(s))
	}
	return s[0].Clone(), nil
}
func (op *nonZeroOp) ReturnsPtr() bool      { return false }
func (op *nonZeroOp) CallsExtern() bool     { return false }
func (op *nonZeroOp) OverwritesInput() int  { return -1 }
func (op *nonZeroOp) WriteHash(h hash.Hash) { writeHash(h, "non_zero", op.id) }
func (op *nonZeroOp) Hashcode() uint32      { return hashOf("non_zero", op.id) }
func (op *nonZeroOp) String() string        { return "NonZero" }
func (op *nonZeroOp) DiffWRT(n int) []bool  { return make([]bool, n) }

func (op *nonZeroOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("non-zero: %d inputs, want 1", len(vals))
	}
	x, err := dense("non-zero", vals[0])
	if err != nil {
		return nil, err
	}
	op.out = layoutBuffer(op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		nonZero(xd, op.out.Data().([]float32))
	case []float64:
		nonZero(xd, op.out.Data().([]float64))
	}
	return op.out, nil
}

// SymDiff gives no gradient: the op is not differentiable, and Gorgonia
// only asks when DiffWRT says so.
func (op *nonZeroOp) SymDiff(inputs gorgonia.Nodes, _, _ *gorgonia.Node) (gorgonia.Nodes, error) {
	return make(gorgonia.Nodes, len(inputs)), nil
}

func nonZero[T float](x, out []T) {
	for i, v := range x {
		out[i] = 0
		if v != 0 {
			out[i] = 1
		}
	}
}

var (
	_ gorgonia.SDOp = (*embeddingOp)(nil)
	_ gorgonia.SDOp = (*nonZeroOp)(nil)
)
