package ops

import (
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/blas"
)

// Dense computes x·w + b: x [batch, in], w [in, out], b [out] or nil. It
// is one op (the bias is written first and the product added to it by one
// GEMM) whose output and gradients go to buffers it keeps from run to run,
// where gorgonia.Mul and BroadcastAdd allocate every run and sum the
// bias's gradient through a reduction op. inputGrad false leaves out x's
// gradient, for an x that depends on nothing trainable.
func Dense(x, w, b *gorgonia.Node, inputGrad bool) (*gorgonia.Node, error) {
	if x == nil || w == nil {
		return nil, errors.New("dense: nil input or kernel")
	}
	xs, ws := x.Shape(), w.Shape()
	if len(xs) != 2 || len(ws) != 2 || xs[1] != ws[0] {
		return nil, errors.Errorf("dense: cannot multiply input %v by kernel %v", xs, ws)
	}
	if x.Dtype() != w.Dtype() || (b != nil && b.Dtype() != x.Dtype()) {
		return nil, errors.Errorf("dense: mixed dtypes %v and %v", x.Dtype(), w.Dtype())
	}
	st := &denseState{id: opID.Add(1), bias: b != nil, needInput: inputGrad}
	if b == nil {
		return gorgonia.ApplyOp(&denseOp{st}, x, w)
	}
	if b.Dims() != 1 || b.Shape()[0] != ws[1] {
		return nil, errors.Errorf("dense: bias shape %v, want [%d]", b.Shape(), ws[1])
	}
	return gorgonia.ApplyOp(&denseOp{st}, x, w, b)
}

// denseState is what the product shares with its gradient ops.
type denseState struct {
	id              int64
	bias, needInput bool
	out, dx, dw, db *tensor.Dense
	xt32            []float32 // xᵀ, for the kernel's gradient
}

type denseOp struct{ st *denseState }

func (op *denseOp) Arity() int {
	if op.st.bias {
		return 3
	}
	return 2
}

func (op *denseOp) Type() hm.Type {
	if op.st.bias {
		return hm.NewFnType(tensorType(2), tensorType(2), tensorType(1), tensorType(2))
	}
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(2))
}

func (op *denseOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("dense", in)
	if err != nil {
		return nil, err
	}
	if len(s) < 2 || len(s[0]) != 2 || len(s[1]) != 2 {
		return nil, errors.New("dense: needs a matrix input and a matrix kernel")
	}
	return tensor.Shape{s[0][0], s[1][1]}, nil
}

func (op *denseOp) ReturnsPtr() bool      { return false }
func (op *denseOp) CallsExtern() bool     { return false }
func (op *denseOp) OverwritesInput() int  { return -1 }
func (op *denseOp) WriteHash(h hash.Hash) { writeHash(h, "dense", op.st.id) }
func (op *denseOp) Hashcode() uint32      { return hashOf("dense", op.st.id) }
func (op *denseOp) String() string        { return "Dense" }

func (op *denseOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("dense: %d inputs, want %d", len(vals), op.Arity())
	}
	x, err := dense("dense input", vals[0])
	if err != nil {
		return nil, err
	}
	w, err := dense("dense kernel", vals[1])
	if err != nil {
		return nil, err
	}
	var b *tensor.Dense
	if op.st.bias {
		if b, err = dense("dense bias", vals[2]); err != nil {
			return nil, err
		}
	}
	xs, ws := x.Shape(), w.Shape()
	if len(xs) != 2 || len(ws) != 2 || xs[1] != ws[0] || x.Dtype() != w.Dtype() || (b != nil && (b.Dtype() != x.Dtype() || b.Shape().TotalSize() != ws[1])) {
		return nil, errors.Errorf("dense: input %v %v, kernel %v %v do not fit", xs, x.Dtype(), ws, w.Dtype())
	}
	st := op.st
	st.out = reuse(st.out, x.Dtype(), xs[0], ws[1])
	switch xd := x.Data().(type) {
	case []float32:
		var bd []float32
		if b != nil {
			bd = b.Data().([]float32)
		}
		denseForward(xs[0], xs[1], ws[1], xd, w.Data().([]float32), bd, st.out.Data().([]float32))
	case []float64:
		var bd []float64
		if b != nil {
			bd = b.Data().([]float64)
		}
		denseForward(xs[0], xs[1], ws[1], xd, w.Data().([]float64), bd, st.out.Data().([]float64))
	}
	return st.out, nil
}

func (op *denseOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = i > 0 || op.st.needInput
	}
	return out
}

func (op *denseOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != op.Arity() {
		return nil, errors.Errorf("dense gradient: %d inputs, want %d", len(inputs), op.Arity())
	}
	out := make(gorgonia.Nodes, len(inputs))
	var err error
	if op.st.needInput {
		if out[0], err = gorgonia.ApplyOp(&denseGradOp{op.st, 0}, inputs[0], inputs[1], grad); err != nil {
			return nil, errors.Wrap(err, "dense input gradient")
		}
	}
	if out[1], err = gorgonia.ApplyOp(&denseGradOp{op.st, 1}, inputs[0], inputs[1], grad); err != nil {
		return nil, errors.Wrap(err, "dense kernel gradient")
	}
	if op.st.bias {
		if out[2], err = gorgonia.ApplyOp(&denseBiasGradOp{op.st}, inputs[2], grad); err != nil {
			return nil, errors.Wrap(err, "dense bias gradient")
		}
	}
	return out, nil
}

func (op *denseOp) BufferBytes() int {
	return denseBytes(op.st.out, op.st.dx, op.st.dw, op.st.db) + sliceBytes(op.st.xt32)
}

func (op *denseOp) Release() {
	op.st.out, op.st.dx, op.st.dw, op.st.db, op.st.xt32 = nil, nil, nil, nil, nil
}

// denseGradOp is dL/dx (wrt 0) or dL/dw (wrt 1) from (x, w, dy).
type denseGradOp struct {
	st  *denseState
	wrt int
}

func (op *denseGradOp) name() string {
	if op.wrt == 0 {
		return "dense_input_grad"
	}
	return "dense_kernel_grad"
}
func (op *denseGradOp) Arity() int { return 3 }
func (op *denseGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(2), tensorType(2))
}
func (op *denseGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name(), in)
	if err != nil {
		return nil, err
	}
	if len(s) != 3 {
		return nil, errors.Errorf("%s: needs 3 inputs", op.name())
	}
	return s[op.wrt].Clone(), nil
}
func (op *denseGradOp) ReturnsPtr() bool      { return false }
func (op *denseGradOp) CallsExtern() bool     { return false }
func (op *denseGradOp) OverwritesInput() int  { return -1 }
func (op *denseGradOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.st.id) }
func (op *denseGradOp) Hashcode() uint32      { return hashOf(op.name(), op.st.id) }
func (op *denseGradOp) String() string        { return op.name() }

func (op *denseGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, w, dy, err := gradInputs(op.name(), vals)
	if err != nil {
		return nil, err
	}
	xs, ws, ds := x.Shape(), w.Shape(), dy.Shape()
	if len(xs) != 2 || len(ws) != 2 || len(ds) != 2 || xs[1] != ws[0] || ds[0] != xs[0] || ds[1] != ws[1] {
		return nil, errors.Errorf("%s: input %v, kernel %v, output gradient %v do not fit", op.name(), xs, ws, ds)
	}
	n, in, out := xs[0], xs[1], ws[1]
	st := op.st
	var res *tensor.Dense
	if op.wrt == 0 {
		st.dx = reuse(st.dx, x.Dtype(), n, in)
		res = st.dx
	} else {
		st.dw = reuse(st.dw, x.Dtype(), in, out)
		res = st.dw
	}
	switch dyd := dy.Data().(type) {
	case []float32:
		if op.wrt == 0 { // dx = dy·wᵀ
			gemm(blas.NoTrans, blas.Trans, n, in, out, dyd, out, w.Data().([]float32), out, 0, res.Data().([]float32), in)
		} else if blas.TransposeCheap() { // dw = xᵀ·dy
			gemm(blas.Trans, blas.NoTrans, in, out, n, x.Data().([]float32), in, dyd, out, 0, res.Data().([]float32), out)
		} else { // the same, with xᵀ copied out first (see transposed)
			xt := transposed(x.Data().([]float32), n, in, &st.xt32)
			gemm(blas.NoTrans, blas.NoTrans, in, out, n, xt, n, dyd, out, 0, res.Data().([]float32), out)
		}
	case []float64:
		if op.wrt == 0 {
			gemm(blas.NoTrans, blas.Trans, n, in, out, dyd, out, w.Data().([]float64), out, 0, res.Data().([]float64), in)
		} else {
			gemm(blas.Trans, blas.NoTrans, in, out, n, x.Data().([]float64), in, dyd, out, 0, res.Data().([]float64), out)
		}
	}
	return res, nil
}

// denseBiasGradOp is dL/db from (b, dy): dy summed over the batch.
type denseBiasGradOp struct{ st *denseState }

func (op *denseBiasGradOp) Arity() int { return 2 }
func (op *denseBiasGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(1), tensorType(2), tensorType(1))
}
func (op *denseBiasGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("dense bias gradient", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, errors.New("dense bias gradient: needs 2 inputs")
	}
	return s[0].Clone(), nil
}
func (op *denseBiasGradOp) ReturnsPtr() bool      { return false }
func (op *denseBiasGradOp) CallsExtern() bool     { return false }
func (op *denseBiasGradOp) OverwritesInput() int  { return -1 }
func (op *denseBiasGradOp) WriteHash(h hash.Hash) { writeHash(h, "dense_bias_grad", op.st.id) }
func (op *denseBiasGradOp) Hashcode() uint32      { return hashOf("dense_bias_grad", op.st.id) }
func (op *denseBiasGradOp) String() string        { return "dense_bias_grad" }

func (op *denseBiasGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("dense bias gradient: %d inputs, want 2", len(vals))
	}
	db, err := biasGrad("dense bias gradient", vals[0], vals[1], 2, op.st.db)
	if err != nil {
		return nil, err
	}
	op.st.db = db
	return db, nil
}

// denseForward sets out, [n, m], to x·w + b, x [n, k], w [k, m].
func denseForward[T float](n, k, m int, x, w, b, out []T) {
	beta := T(0)
	if b != nil {
		for r := 0; r < n; r++ {
			copy(out[r*m:(r+1)*m], b)
		}
		beta = 1
	}
	gemm(blas.NoTrans, blas.NoTrans, n, m, k, x, k, w, m, beta, out, m)
}

var (
	_ gorgonia.SDOp = (*denseOp)(nil)
	_ Buffered      = (*denseOp)(nil)
)

// transposed writes the [rows, cols] matrix a transposed into *buf, grown
// as needed, and returns it. gonum's GEMM runs a product with a plain
// left operand faster than one with a transposed one, by more than the
// copy costs.
func transposed(a []float32, rows, cols int, buf *[]float32) []float32 {
	if cap(*buf) < rows*cols {
		*buf = make([]float32, rows*cols)
	}
	t := (*buf)[:rows*cols]
	for r := 0; r < rows; r++ {
		row := a[r*cols : (r+1)*cols]
		for c, v := range row {
			t[c*rows+r] = v
		}
	}
	return t
}
