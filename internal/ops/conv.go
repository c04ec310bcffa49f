package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ConvParams are a 2-D convolution's strides, dilations and zero padding;
// the kernel size comes from the kernel's shape.
type ConvParams struct {
	StrideH, StrideW     int
	DilationH, DilationW int
	// PadTop, PadBottom, PadLeft and PadRight are the zeros added around
	// each image.
	PadTop, PadBottom, PadLeft, PadRight int
	// ReLU applies max(0, ·) to the output in the same op, which saves a
	// pass over it and a buffer the size of the output.
	ReLU bool
	// Groups splits the channels into groups convolved separately (Keras's
	// groups): the kernel is [kh, kw, c/Groups, f] and output channels
	// [i·f/Groups, (i+1)·f/Groups) see input channels [i·c/Groups,
	// (i+1)·c/Groups) only. Zero means 1.
	Groups int
}

// groups is p.Groups, 0 read as 1.
func (p ConvParams) groups() int {
	if p.Groups <= 0 {
		return 1
	}
	return p.Groups
}

// ColsLimit bounds, in bytes, the im2col buffer a convolution keeps: a batch
// whose patches need more is processed in chunks of samples, and the
// kernel's gradient recomputes the patches instead of keeping them.
var ColsLimit = 64 << 20

// convGeom is the geometry of one convolution.
type convGeom struct {
	ConvParams
	n, h, w, c int // input [n, h, w, c]
	kh, kw, f  int // kernel [kh, kw, c/groups, f]
	oh, ow     int // output [n, oh, ow, f]
	cg, fg     int // input and output channels of one group
}

// k is the length of one patch of one group, the GEMM's inner dimension.
func (g convGeom) k() int { return g.kh * g.kw * g.cg }

// rows is the number of output positions of one sample.
func (g convGeom) rows() int { return g.oh * g.ow }

// ConvOutSize is the output length along one axis: in values padded by pad
// in all, a kernel of k taps dilated by d, stride s. It is <= 0 when the
// dilated kernel is larger than the padded input.
func ConvOutSize(in, k, s, d, pad int) int {
	ek := (k-1)*d + 1
	if in+pad < ek {
		return 0
	}
	return (in+pad-ek)/s + 1
}

func newConvGeom(p ConvParams, x, w tensor.Shape) (convGeom, error) {
	if len(x) != 4 {
		return convGeom{}, errors.Errorf("conv2d: input must be [batch, height, width, channels], got %v", x)
	}
	if len(w) != 4 {
		return convGeom{}, errors.Errorf("conv2d: kernel must be [height, width, in, out], got %v", w)
	}
	if p.Groups < 0 {
		return convGeom{}, errors.Errorf("conv2d: groups must be > 0, got %d", p.Groups)
	}
	groups := p.groups()
	if x[3] != w[2]*groups {
		if groups > 1 {
			return convGeom{}, errors.Errorf("conv2d: input has %d channels, kernel expects %d groups of %d", x[3], groups, w[2])
		}
		return convGeom{}, errors.Errorf("conv2d: input has %d channels, kernel expects %d", x[3], w[2])
	}
	if w[3]%groups != 0 {
		return convGeom{}, errors.Errorf("conv2d: %d output channels do not split into %d groups", w[3], groups)
	}
	if p.StrideH <= 0 || p.StrideW <= 0 || p.DilationH <= 0 || p.DilationW <= 0 {
		return convGeom{}, errors.Errorf("conv2d: strides %dx%d and dilations %dx%d must be > 0", p.StrideH, p.StrideW, p.DilationH, p.DilationW)
	}
	if p.PadTop < 0 || p.PadBottom < 0 || p.PadLeft < 0 || p.PadRight < 0 {
		return convGeom{}, errors.Errorf("conv2d: negative padding %+v", p)
	}
	g := convGeom{ConvParams: p, n: x[0], h: x[1], w: x[2], c: x[3], kh: w[0], kw: w[1], f: w[3], cg: w[2], fg: w[3] / groups}
	g.oh = ConvOutSize(g.h, g.kh, p.StrideH, p.DilationH, p.PadTop+p.PadBottom)
	g.ow = ConvOutSize(g.w, g.kw, p.StrideW, p.DilationW, p.PadLeft+p.PadRight)
	if g.oh <= 0 || g.ow <= 0 {
		return convGeom{}, errors.Errorf("conv2d: kernel %dx%d (dilation %dx%d) is larger than the padded input %dx%d",
			g.kh, g.kw, p.DilationH, p.DilationW, g.h+p.PadTop+p.PadBottom, g.w+p.PadLeft+p.PadRight)
	}
	return g, nil
}

// chunk is the number of samples whose patches fit in ColsLimit (at least 1).
func (g convGeom) chunk(elem int) int {
	per := g.rows() * g.k() * elem
	if per <= 0 {
		return 1
	}
	c := ColsLimit / per
	if c < 1 {
		c = 1
	}
	if c > g.n {
		c = g.n
	}
	return c
}

var opID atomic.Int64

// convState is what a convolution node shares with the nodes of its
// gradient: the geometry and the buffers, all reused from run to run.
type convState struct {
	id        int64
	p         ConvParams
	bias      bool
	needInput bool

	g         convGeom
	cols      any  // []float32 or []float64: im2col of the input
	colsWhole bool // cols hold the whole batch's patches of this run's input
	dcols     any
	out       *tensor.Dense
	dx, dw    *tensor.Dense
	db        *tensor.Dense
}

// Conv2D convolves x, [batch, h, w, c], with kernel w, [kh, kw, c, f], and
// adds bias b, [f], when b is not nil: [batch, oh, ow, f], channels last as
// in Keras. It is one op (im2col into a reused buffer, one GEMM, the bias
// folded into it) whose gradients are ops of the same kind; inputGrad false
// leaves x's gradient out, for an x that depends on nothing trainable.
func Conv2D(x, w, b *gorgonia.Node, p ConvParams, inputGrad bool) (*gorgonia.Node, error) {
	if x == nil || w == nil {
		return nil, errors.New("conv2d: nil input or kernel")
	}
	if _, err := newConvGeom(p, x.Shape(), w.Shape()); err != nil {
		return nil, err
	}
	if x.Dtype() != w.Dtype() || (b != nil && b.Dtype() != x.Dtype()) {
		return nil, errors.Errorf("conv2d: mixed dtypes %v and %v", x.Dtype(), w.Dtype())
	}
	st := &convState{id: opID.Add(1), p: p, bias: b != nil, needInput: inputGrad}
	if b != nil {
		if b.Dims() != 1 || b.Shape()[0] != w.Shape()[3] {
			return nil, errors.Errorf("conv2d: bias shape %v, want [%d]", b.Shape(), w.Shape()[3])
		}
		return gorgonia.ApplyOp(&convOp{st}, x, w, b)
	}
	return gorgonia.ApplyOp(&convOp{st}, x, w)
}

func tensorType(dims int) gorgonia.TensorType {
	return gorgonia.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
}

func writeHash(h hash.Hash, name string, id int64) {
	fmt.Fprintf(h, "%s#%d", name, id)
}

// allTrue is DiffWRT for an op differentiable with respect to all its n
// inputs.
func allTrue(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

func hashOf(name string, id int64) uint32 {
	h := fnv.New32a()
	writeHash(h, name, id)
	return h.Sum32()
}

// shapes reads the shapes of an op's inputs.
func shapes(what string, in []gorgonia.DimSizer) ([]tensor.Shape, error) {
	out := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, errors.Errorf("%s: input %d has no shape", what, i)
		}
		out[i] = s
	}
	return out, nil
}

// dense returns v as a dense tensor of a float type.
func dense(what string, v gorgonia.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("%s: expected a dense tensor, got %T", what, v)
	}
	if d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
		return nil, errors.Errorf("%s: dtype %v, want float32 or float64", what, d.Dtype())
	}
	if !d.IsNativelyAccessible() || d.RequiresIterator() {
		return nil, errors.Errorf("%s: tensor is not contiguous", what)
	}
	return d, nil
}

// reuse returns buf if it has shape and dtype, else a new tensor.
func reuse(buf *tensor.Dense, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if buf != nil && buf.Dtype() == dt && buf.Shape().Eq(tensor.Shape(shape)) {
		return buf
	}
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
}

// convOp is the forward convolution.
type convOp struct{ st *convState }

func (op *convOp) Arity() int {
	if op.st.bias {
		return 3
	}
	return 2
}

func (op *convOp) Type() hm.Type {
	if op.st.bias {
		return hm.NewFnType(tensorType(4), tensorType(4), tensorType(1), tensorType(4))
	}
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(4))
}

func (op *convOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("conv2d", in)
	if err != nil {
		return nil, err
	}
	if len(s) < 2 {
		return nil, errors.New("conv2d: needs an input and a kernel")
	}
	g, err := newConvGeom(op.st.p, s[0], s[1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g.n, g.oh, g.ow, g.f}, nil
}

func (op *convOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("conv2d: %d inputs, want %d", len(vals), op.Arity())
	}
	x, err := dense("conv2d input", vals[0])
	if err != nil {
		return nil, err
	}
	w, err := dense("conv2d kernel", vals[1])
	if err != nil {
		return nil, err
	}
	var b *tensor.Dense
	if op.st.bias {
		if b, err = dense("conv2d bias", vals[2]); err != nil {
			return nil, err
		}
	}
	g, err := newConvGeom(op.st.p, x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	if x.Dtype() != w.Dtype() || (b != nil && b.Dtype() != x.Dtype()) {
		return nil, errors.New("conv2d: mixed dtypes")
	}
	st := op.st
	st.g = g
	st.out = reuse(st.out, x.Dtype(), g.n, g.oh, g.ow, g.f)
	switch xd := x.Data().(type) {
	case []float32:
		var bd []float32
		if b != nil {
			bd = b.Data().([]float32)
		}
		st.cols, st.colsWhole = convForward(g, xd, w.Data().([]float32), bd, st.out.Data().([]float32), st.cols)
		if st.p.ReLU {
			relu(st.out.Data().([]float32), st.out.Data().([]float32))
		}
	case []float64:
		var bd []float64
		if b != nil {
			bd = b.Data().([]float64)
		}
		st.cols, st.colsWhole = convForward(g, xd, w.Data().([]float64), bd, st.out.Data().([]float64), st.cols)
		if st.p.ReLU {
			relu(st.out.Data().([]float64), st.out.Data().([]float64))
		}
	}
	return st.out, nil
}

func (op *convOp) ReturnsPtr() bool      { return false }
func (op *convOp) CallsExtern() bool     { return false }
func (op *convOp) OverwritesInput() int  { return -1 }
func (op *convOp) WriteHash(h hash.Hash) { writeHash(h, "conv2d", op.st.id) }
func (op *convOp) Hashcode() uint32      { return hashOf("conv2d", op.st.id) }
func (op *convOp) String() string {
	p := op.st.p
	return fmt.Sprintf("Conv2D{s=%dx%d d=%dx%d relu=%v}", p.StrideH, p.StrideW, p.DilationH, p.DilationW, p.ReLU)
}

func (op *convOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = i > 0 || op.st.needInput
	}
	return out
}

func (op *convOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != op.Arity() {
		return nil, errors.Errorf("conv2d gradient: %d inputs, want %d", len(inputs), op.Arity())
	}
	x, w := inputs[0], inputs[1]
	out := make(gorgonia.Nodes, len(inputs))
	var err error
	if op.st.p.ReLU {
		// The gradient through max(0, ·): zero where the output is.
		if grad, err = gorgonia.ApplyOp(&reluGradOp{id: op.st.id, dims: 4}, output, grad); err != nil {
			return nil, errors.Wrap(err, "conv2d relu gradient")
		}
	}
	if op.st.needInput {
		if out[0], err = gorgonia.ApplyOp(&convInputGradOp{gradOp{op.st, "conv2d_input_grad"}}, x, w, grad); err != nil {
			return nil, errors.Wrap(err, "conv2d input gradient")
		}
	}
	if out[1], err = gorgonia.ApplyOp(&convKernelGradOp{gradOp{op.st, "conv2d_kernel_grad"}}, x, w, grad); err != nil {
		return nil, errors.Wrap(err, "conv2d kernel gradient")
	}
	if op.st.bias {
		if out[2], err = gorgonia.ApplyOp(&convBiasGradOp{gradOp{op.st, "conv2d_bias_grad"}}, inputs[2], grad); err != nil {
			return nil, errors.Wrap(err, "conv2d bias gradient")
		}
	}
	return out, nil
}

// gradOp is what the three gradient ops share, embedded in each: the
// state, the name, and the methods that do not depend on the op. Each takes
// the forward input it has the shape of (x, the kernel or the bias) and
// returns a value of that shape; InferShape gives the first input's, which
// the kernel's gradient overrides.
type gradOp struct {
	st   *convState
	name string
}

func (op gradOp) ReturnsPtr() bool      { return false }
func (op gradOp) CallsExtern() bool     { return false }
func (op gradOp) OverwritesInput() int  { return -1 }
func (op gradOp) WriteHash(h hash.Hash) { writeHash(h, op.name, op.st.id) }
func (op gradOp) Hashcode() uint32      { return hashOf(op.name, op.st.id) }
func (op gradOp) String() string        { return op.name }

// InferShape is the shape of the first input.
func (op gradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op.name, in)
	if err != nil {
		return nil, err
	}
	if len(s) == 0 {
		return nil, errors.Errorf("%s: no inputs", op.name)
	}
	return s[0].Clone(), nil
}

// convInputGradOp is dL/dx from (x, w, dy).
type convInputGradOp struct{ gradOp }

func (op *convInputGradOp) Arity() int { return 3 }
func (op *convInputGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(4), tensorType(4))
}

func (op *convInputGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, w, dy, err := gradInputs("conv2d input gradient", vals)
	if err != nil {
		return nil, err
	}
	st := op.st
	g, err := newConvGeom(st.p, x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	if !dy.Shape().Eq(tensor.Shape{g.n, g.oh, g.ow, g.f}) {
		return nil, errors.Errorf("conv2d input gradient: output gradient %v, want %v", dy.Shape(), tensor.Shape{g.n, g.oh, g.ow, g.f})
	}
	st.dx = reuse(st.dx, x.Dtype(), x.Shape()...)
	switch wd := w.Data().(type) {
	case []float32:
		st.dcols = convInputGrad(g, wd, dy.Data().([]float32), st.dx.Data().([]float32), st.dcols)
	case []float64:
		st.dcols = convInputGrad(g, wd, dy.Data().([]float64), st.dx.Data().([]float64), st.dcols)
	}
	return st.dx, nil
}

// convKernelGradOp is dL/dw from (x, w, dy).
type convKernelGradOp struct{ gradOp }

func (op *convKernelGradOp) Arity() int { return 3 }
func (op *convKernelGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(4), tensorType(4))
}

// InferShape is the kernel's shape.
func (op *convKernelGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("conv2d kernel gradient", in)
	if err != nil {
		return nil, err
	}
	if len(s) != 3 {
		return nil, errors.New("conv2d kernel gradient: needs 3 inputs")
	}
	return s[1].Clone(), nil
}

func (op *convKernelGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, w, dy, err := gradInputs("conv2d kernel gradient", vals)
	if err != nil {
		return nil, err
	}
	st := op.st
	g, err := newConvGeom(st.p, x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	if !dy.Shape().Eq(tensor.Shape{g.n, g.oh, g.ow, g.f}) {
		return nil, errors.Errorf("conv2d kernel gradient: output gradient %v, want %v", dy.Shape(), tensor.Shape{g.n, g.oh, g.ow, g.f})
	}
	// The patches kept by the forward run are this run's only when the
	// forward op ran on this very geometry with the whole batch at once.
	whole := st.colsWhole && st.g == g
	st.dw = reuse(st.dw, w.Dtype(), w.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		st.cols = convKernelGrad(g, xd, dy.Data().([]float32), st.dw.Data().([]float32), st.cols, whole)
	case []float64:
		st.cols = convKernelGrad(g, xd, dy.Data().([]float64), st.dw.Data().([]float64), st.cols, whole)
	}
	return st.dw, nil
}

// convBiasGradOp is dL/db from (b, dy): the sum of dy over all but the
// channel axis.
type convBiasGradOp struct{ gradOp }

func (op *convBiasGradOp) Arity() int { return 2 }
func (op *convBiasGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(1), tensorType(4), tensorType(1))
}

func (op *convBiasGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != 2 {
		return nil, errors.Errorf("conv2d bias gradient: %d inputs, want 2", len(vals))
	}
	db, err := biasGrad("conv2d bias gradient", vals[0], vals[1], 4, op.st.db)
	if err != nil {
		return nil, err
	}
	op.st.db = db
	return db, nil
}

// biasGrad sets buf to the bias gradient of a layer whose output gradient
// dy has rank dims and the bias's size as its last axis: dy summed over
// every other axis. It returns buf, made anew when it does not fit.
func biasGrad(what string, bv, dyv gorgonia.Value, dims int, buf *tensor.Dense) (*tensor.Dense, error) {
	b, err := dense(what, bv)
	if err != nil {
		return nil, err
	}
	dy, err := dense(what, dyv)
	if err != nil {
		return nil, err
	}
	f := b.Shape().TotalSize()
	if dy.Dims() != dims || dy.Shape()[dims-1] != f || dy.Dtype() != b.Dtype() {
		return nil, errors.Errorf("%s: output gradient %v %v for bias %v %v", what, dy.Shape(), dy.Dtype(), b.Shape(), b.Dtype())
	}
	buf = reuse(buf, b.Dtype(), f)
	switch bd := buf.Data().(type) {
	case []float32:
		sumRows(dy.Data().([]float32), bd)
	case []float64:
		sumRows(dy.Data().([]float64), bd)
	}
	return buf, nil
}

// gradInputs reads (x, w, dy) and checks their dtypes agree.
func gradInputs(what string, vals []gorgonia.Value) (x, w, dy *tensor.Dense, err error) {
	if len(vals) != 3 {
		return nil, nil, nil, errors.Errorf("%s: %d inputs, want 3", what, len(vals))
	}
	if x, err = dense(what, vals[0]); err != nil {
		return
	}
	if w, err = dense(what, vals[1]); err != nil {
		return
	}
	if dy, err = dense(what, vals[2]); err != nil {
		return
	}
	if x.Dtype() != w.Dtype() || dy.Dtype() != x.Dtype() {
		return nil, nil, nil, errors.Errorf("%s: mixed dtypes %v, %v, %v", what, x.Dtype(), w.Dtype(), dy.Dtype())
	}
	return x, w, dy, nil
}

var (
	_ gorgonia.SDOp = (*convOp)(nil)
	_ gorgonia.Op   = (*convInputGradOp)(nil)
	_ gorgonia.Op   = (*convKernelGradOp)(nil)
	_ gorgonia.Op   = (*convBiasGradOp)(nil)
)
