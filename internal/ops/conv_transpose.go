package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ConvTransposeParams are a transposed 2-D convolution's strides,
// dilations, padding and output size. The transposed convolution of x is
// the gradient, with respect to its input, of the convolution that maps an
// output-sized image to x: that convolution's strides, dilations and
// leading zeros (PadTop, PadLeft) are these.
type ConvTransposeParams struct {
	StrideH, StrideW     int
	DilationH, DilationW int
	// PadTop and PadLeft are the zeros before the image of the forward
	// convolution whose gradient this is; the output starts PadTop rows and
	// PadLeft columns into the full transposed convolution.
	PadTop, PadLeft int
	// OutH and OutW are the output's height and width.
	OutH, OutW int
}

// geom is the geometry of the forward convolution: input [n, OutH, OutW,
// f], kernel [kh, kw, f, c], output x [n, h, w, c].
func (p ConvTransposeParams) geom(x, w tensor.Shape) (convGeom, error) {
	if len(x) != 4 {
		return convGeom{}, errors.Errorf("conv2d_transpose: input must be [batch, height, width, channels], got %v", x)
	}
	if len(w) != 4 {
		return convGeom{}, errors.Errorf("conv2d_transpose: kernel must be [height, width, out, in], got %v", w)
	}
	if x[3] != w[3] {
		return convGeom{}, errors.Errorf("conv2d_transpose: input has %d channels, kernel expects %d", x[3], w[3])
	}
	if p.StrideH <= 0 || p.StrideW <= 0 || p.DilationH <= 0 || p.DilationW <= 0 {
		return convGeom{}, errors.Errorf("conv2d_transpose: strides %dx%d and dilations %dx%d must be > 0", p.StrideH, p.StrideW, p.DilationH, p.DilationW)
	}
	if p.PadTop < 0 || p.PadLeft < 0 || p.OutH <= 0 || p.OutW <= 0 {
		return convGeom{}, errors.Errorf("conv2d_transpose: padding %d, %d and output %dx%d must be >= 0 and > 0", p.PadTop, p.PadLeft, p.OutH, p.OutW)
	}
	g := convGeom{
		ConvParams: ConvParams{StrideH: p.StrideH, StrideW: p.StrideW, DilationH: p.DilationH, DilationW: p.DilationW, PadTop: p.PadTop, PadLeft: p.PadLeft},
		n:          x[0], h: p.OutH, w: p.OutW, c: w[2], kh: w[0], kw: w[1], f: w[3], oh: x[1], ow: x[2], cg: w[2], fg: w[3],
	}
	return g, nil
}

// ConvTranspose2D is the transposed convolution of x, [batch, h, w, c],
// with kernel w, [kh, kw, f, c] (Keras's Conv2DTranspose layout), plus the
// bias b, [f], when b is not nil: [batch, OutH, OutW, f]. It runs on the
// convolution's kernels: its output is the convolution's input gradient
// (one GEMM and a col2im), its input gradient is a convolution and its
// kernel gradient the convolution's kernel gradient, with the roles of
// input and output exchanged.
func ConvTranspose2D(x, w, b *gorgonia.Node, p ConvTransposeParams, inputGrad bool) (*gorgonia.Node, error) {
	if x == nil || w == nil {
		return nil, errors.New("conv2d_transpose: nil input or kernel")
	}
	if _, err := p.geom(x.Shape(), w.Shape()); err != nil {
		return nil, err
	}
	if x.Dtype() != w.Dtype() || (b != nil && b.Dtype() != x.Dtype()) {
		return nil, errors.Errorf("conv2d_transpose: mixed dtypes %v and %v", x.Dtype(), w.Dtype())
	}
	st := &convTState{id: opID.Add(1), p: p, bias: b != nil, needInput: inputGrad}
	if b != nil {
		if b.Dims() != 1 || b.Shape()[0] != w.Shape()[2] {
			return nil, errors.Errorf("conv2d_transpose: bias shape %v, want [%d]", b.Shape(), w.Shape()[2])
		}
		return gorgonia.ApplyOp(&convTOp{st}, x, w, b)
	}
	return gorgonia.ApplyOp(&convTOp{st}, x, w)
}

// convTState is what a transposed convolution shares with its gradients.
type convTState struct {
	id        int64
	p         ConvTransposeParams
	bias      bool
	needInput bool

	cols, dcols any
	out, dx, dw *tensor.Dense
	db          *tensor.Dense
}

type convTOp struct{ st *convTState }

func (op *convTOp) Arity() int {
	if op.st.bias {
		return 3
	}
	return 2
}

func (op *convTOp) Type() hm.Type {
	if op.st.bias {
		return hm.NewFnType(tensorType(4), tensorType(4), tensorType(1), tensorType(4))
	}
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(4))
}

func (op *convTOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("conv2d_transpose", in)
	if err != nil {
		return nil, err
	}
	if len(s) < 2 {
		return nil, errors.New("conv2d_transpose: needs an input and a kernel")
	}
	g, err := op.st.p.geom(s[0], s[1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g.n, g.h, g.w, g.c}, nil
}

func (op *convTOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("conv2d_transpose: %d inputs, want %d", len(vals), op.Arity())
	}
	x, err := dense("conv2d_transpose input", vals[0])
	if err != nil {
		return nil, err
	}
	w, err := dense("conv2d_transpose kernel", vals[1])
	if err != nil {
		return nil, err
	}
	var b *tensor.Dense
	if op.st.bias {
		if b, err = dense("conv2d_transpose bias", vals[2]); err != nil {
			return nil, err
		}
	}
	g, err := op.st.p.geom(x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	if x.Dtype() != w.Dtype() || (b != nil && b.Dtype() != x.Dtype()) {
		return nil, errors.New("conv2d_transpose: mixed dtypes")
	}
	st := op.st
	st.out = reuse(st.out, x.Dtype(), g.n, g.h, g.w, g.c)
	switch xd := x.Data().(type) {
	case []float32:
		st.dcols = convInputGrad(g, w.Data().([]float32), xd, st.out.Data().([]float32), st.dcols)
		if b != nil {
			addRows(st.out.Data().([]float32), b.Data().([]float32))
		}
	case []float64:
		st.dcols = convInputGrad(g, w.Data().([]float64), xd, st.out.Data().([]float64), st.dcols)
		if b != nil {
			addRows(st.out.Data().([]float64), b.Data().([]float64))
		}
	}
	return st.out, nil
}

// addRows adds b to every row of len(b) values of y.
func addRows[T float](y, b []T) {
	f := len(b)
	for i := 0; i+f <= len(y); i += f {
		row := y[i : i+f]
		for j := range row {
			row[j] += b[j]
		}
	}
}

func (op *convTOp) ReturnsPtr() bool      { return false }
func (op *convTOp) CallsExtern() bool     { return false }
func (op *convTOp) OverwritesInput() int  { return -1 }
func (op *convTOp) WriteHash(h hash.Hash) { writeHash(h, "conv2d_transpose", op.st.id) }
func (op *convTOp) Hashcode() uint32      { return hashOf("conv2d_transpose", op.st.id) }
func (op *convTOp) String() string {
	p := op.st.p
	return fmt.Sprintf("Conv2DTranspose{s=%dx%d d=%dx%d pad=%d,%d out=%dx%d}", p.StrideH, p.StrideW, p.DilationH, p.DilationW, p.PadTop, p.PadLeft, p.OutH, p.OutW)
}

func (op *convTOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = i > 0 || op.st.needInput
	}
	return out
}

func (op *convTOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != op.Arity() {
		return nil, errors.Errorf("conv2d_transpose gradient: %d inputs, want %d", len(inputs), op.Arity())
	}
	x, w := inputs[0], inputs[1]
	out := make(gorgonia.Nodes, len(inputs))
	var err error
	if op.st.needInput {
		if out[0], err = gorgonia.ApplyOp(&convTGradOp{op.st, convTGradInput}, x, w, grad); err != nil {
			return nil, errors.Wrap(err, "conv2d_transpose input gradient")
		}
	}
	if out[1], err = gorgonia.ApplyOp(&convTGradOp{op.st, convTGradKernel}, x, w, grad); err != nil {
		return nil, errors.Wrap(err, "conv2d_transpose kernel gradient")
	}
	if op.st.bias {
		if out[2], err = gorgonia.ApplyOp(&convTGradOp{op.st, convTGradBias}, x, inputs[2], grad); err != nil {
			return nil, errors.Wrap(err, "conv2d_transpose bias gradient")
		}
	}
	return out, nil
}

// The gradients of a transposed convolution, each from (x, w or b, dy).
const (
	convTGradInput = iota
	convTGradKernel
	convTGradBias
)

type convTGradOp struct {
	st    *convTState
	which int
}

func (op *convTGradOp) name() string {
	return [...]string{"conv2d_transpose_input_grad", "conv2d_transpose_kernel_grad", "conv2d_transpose_bias_grad"}[op.which]
}

func (op *convTGradOp) Arity() int { return 3 }
func (op *convTGradOp) Type() hm.Type {
	if op.which == convTGradBias {
		return hm.NewFnType(tensorType(4), tensorType(1), tensorType(4), tensorType(1))
	}
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(4), tensorType(4))
}

// InferShape is x's shape for the input gradient, else the second input's.
func (op *convTGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name(), in)
	if err != nil {
		return nil, err
	}
	if len(s) != 3 {
		return nil, errors.Errorf("%s: needs 3 inputs", op.name())
	}
	if op.which == convTGradInput {
		return s[0].Clone(), nil
	}
	return s[1].Clone(), nil
}

func (op *convTGradOp) ReturnsPtr() bool      { return false }
func (op *convTGradOp) CallsExtern() bool     { return false }
func (op *convTGradOp) OverwritesInput() int  { return -1 }
func (op *convTGradOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.st.id) }
func (op *convTGradOp) Hashcode() uint32      { return hashOf(op.name(), op.st.id) }
func (op *convTGradOp) String() string        { return op.name() }

func (op *convTGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	what := op.name()
	if len(vals) != 3 {
		return nil, errors.Errorf("%s: %d inputs, want 3", what, len(vals))
	}
	st := op.st
	if op.which == convTGradBias {
		db, err := biasGrad(what, vals[1], vals[2], 4, st.db)
		if err != nil {
			return nil, err
		}
		st.db = db
		return db, nil
	}
	x, w, dy, err := gradInputs(what, vals)
	if err != nil {
		return nil, err
	}
	g, err := st.p.geom(x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	if want := (tensor.Shape{g.n, g.h, g.w, g.c}); !dy.Shape().Eq(want) {
		return nil, errors.Errorf("%s: output gradient %v, want %v", what, dy.Shape(), want)
	}
	if op.which == convTGradInput {
		// dx is the convolution of dy: the forward convolution's output.
		st.dx = reuse(st.dx, x.Dtype(), x.Shape()...)
		switch wd := w.Data().(type) {
		case []float32:
			st.cols, _ = convForward(g, dy.Data().([]float32), wd, nil, st.dx.Data().([]float32), st.cols)
		case []float64:
			st.cols, _ = convForward(g, dy.Data().([]float64), wd, nil, st.dx.Data().([]float64), st.cols)
		}
		return st.dx, nil
	}
	// dw is the forward convolution's kernel gradient, with dy its input
	// and x its output gradient.
	st.dw = reuse(st.dw, w.Dtype(), w.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		st.cols = convKernelGrad(g, dy.Data().([]float32), xd, st.dw.Data().([]float32), st.cols, false)
	case []float64:
		st.cols = convKernelGrad(g, dy.Data().([]float64), xd, st.dw.Data().([]float64), st.cols, false)
	}
	return st.dw, nil
}

// BufferBytes is the size of the buffers the op and its gradients keep.
func (op *convTOp) BufferBytes() int {
	st := op.st
	return denseBytes(st.out, st.dx, st.dw, st.db) + sliceBytes(st.cols, st.dcols)
}

// Release drops them.
func (op *convTOp) Release() {
	st := op.st
	st.out, st.dx, st.dw, st.db = nil, nil, nil, nil
	st.cols, st.dcols = nil, nil
}

var (
	_ gorgonia.SDOp = (*convTOp)(nil)
	_ gorgonia.Op   = (*convTGradOp)(nil)
	_ Buffered      = (*convTOp)(nil)
)
