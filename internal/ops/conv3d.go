package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/blas"
	"github.com/profundo/profundo/internal/parallel"
)

// Conv3DParams are a 3-D convolution's strides, dilations and zero padding
// along depth, height and width; the kernel size comes from the kernel.
type Conv3DParams struct {
	Strides   [3]int
	Dilations [3]int
	// PadBefore and PadAfter are the zeros added before and after each
	// axis.
	PadBefore, PadAfter [3]int
	// Groups splits the channels into groups convolved separately, as
	// ConvParams.Groups: the kernel is [kd, kh, kw, c/Groups, f]. Zero
	// means 1.
	Groups int
}

// conv3Geom is the geometry of one 3-D convolution.
type conv3Geom struct {
	Conv3DParams
	n, c, f int
	cg, fg  int // input and output channels of one group
	groups  int
	in      [3]int // d, h, w
	k       [3]int // kd, kh, kw
	out     [3]int // od, oh, ow
}

func (g conv3Geom) patch() int { return g.k[0] * g.k[1] * g.k[2] * g.cg }
func (g conv3Geom) rows() int  { return g.out[0] * g.out[1] * g.out[2] }
func (g conv3Geom) inSample() int {
	return g.in[0] * g.in[1] * g.in[2] * g.c
}

func newConv3Geom(p Conv3DParams, x, w tensor.Shape) (conv3Geom, error) {
	if len(x) != 5 {
		return conv3Geom{}, errors.Errorf("conv3d: input must be [batch, depth, height, width, channels], got %v", x)
	}
	if len(w) != 5 {
		return conv3Geom{}, errors.Errorf("conv3d: kernel must be [depth, height, width, in, out], got %v", w)
	}
	groups := max(p.Groups, 1)
	if p.Groups < 0 {
		return conv3Geom{}, errors.Errorf("conv3d: groups must be > 0, got %d", p.Groups)
	}
	if x[4] != w[3]*groups {
		return conv3Geom{}, errors.Errorf("conv3d: input has %d channels, kernel expects %d", x[4], w[3]*groups)
	}
	if w[4]%groups != 0 {
		return conv3Geom{}, errors.Errorf("conv3d: %d output channels do not split into %d groups", w[4], groups)
	}
	g := conv3Geom{Conv3DParams: p, n: x[0], c: x[4], f: w[4], cg: w[3], fg: w[4] / groups, groups: groups}
	for i := 0; i < 3; i++ {
		if p.Strides[i] <= 0 || p.Dilations[i] <= 0 {
			return conv3Geom{}, errors.Errorf("conv3d: strides %v and dilations %v must be > 0", p.Strides, p.Dilations)
		}
		if p.PadBefore[i] < 0 || p.PadAfter[i] < 0 {
			return conv3Geom{}, errors.Errorf("conv3d: negative padding %v, %v", p.PadBefore, p.PadAfter)
		}
		g.in[i], g.k[i] = x[i+1], w[i]
		g.out[i] = ConvOutSize(g.in[i], g.k[i], p.Strides[i], p.Dilations[i], p.PadBefore[i]+p.PadAfter[i])
		if g.out[i] <= 0 {
			return conv3Geom{}, errors.Errorf("conv3d: kernel %v (dilation %v) is larger than the padded input %v", w[:3], p.Dilations, x[1:4])
		}
	}
	return g, nil
}

// chunk is the number of samples whose patches fit in ColsLimit.
func (g conv3Geom) chunk(elem int) int {
	per := g.rows() * g.patch() * elem
	return max(1, min(g.n, ColsLimit/max(per, 1)))
}

// im2col3 writes the patches of group grp of samples [first,
// first+count) of x into cols, one row of kd*kh*kw*cg values per output
// position; with add, it does the reverse, adding the rows of cols into x
// (col2im).
func im2col3[T float](g conv3Geom, x []T, grp, first, count int, cols []T, add bool) {
	k, rows := g.patch(), g.rows()
	c0 := grp * g.cg
	parallel.For(count, count*rows*k, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			img := x[(first+s)*g.inSample():]
			buf := cols[s*rows*k:]
			r := 0
			for od := 0; od < g.out[0]; od++ {
				for oy := 0; oy < g.out[1]; oy++ {
					for ox := 0; ox < g.out[2]; ox++ {
						row := buf[r*k:][:k]
						r++
						i := 0
						for kd := 0; kd < g.k[0]; kd++ {
							id := od*g.Strides[0] - g.PadBefore[0] + kd*g.Dilations[0]
							for ky := 0; ky < g.k[1]; ky++ {
								iy := oy*g.Strides[1] - g.PadBefore[1] + ky*g.Dilations[1]
								for kx := 0; kx < g.k[2]; kx++ {
									ix := ox*g.Strides[2] - g.PadBefore[2] + kx*g.Dilations[2]
									seg := row[i : i+g.cg]
									i += g.cg
									if id < 0 || id >= g.in[0] || iy < 0 || iy >= g.in[1] || ix < 0 || ix >= g.in[2] {
										if !add {
											clear(seg)
										}
										continue
									}
									px := img[((id*g.in[1]+iy)*g.in[2]+ix)*g.c+c0:][:g.cg]
									if add {
										for j := range px {
											px[j] += seg[j]
										}
									} else {
										copy(seg, px)
									}
								}
							}
						}
					}
				}
			}
		}
	})
}

// Conv3D convolves x, [batch, d, h, w, c], with kernel w, [kd, kh, kw, c,
// f], and adds bias b, [f], when b is not nil: [batch, od, oh, ow, f],
// channels last as in Keras. Like Conv2D it is one op (im2col into a
// reused buffer and one GEMM) whose gradients are ops of the same kind.
func Conv3D(x, w, b *gorgonia.Node, p Conv3DParams, inputGrad bool) (*gorgonia.Node, error) {
	if x == nil || w == nil {
		return nil, errors.New("conv3d: nil input or kernel")
	}
	if _, err := newConv3Geom(p, x.Shape(), w.Shape()); err != nil {
		return nil, err
	}
	if x.Dtype() != w.Dtype() || (b != nil && b.Dtype() != x.Dtype()) {
		return nil, errors.Errorf("conv3d: mixed dtypes %v and %v", x.Dtype(), w.Dtype())
	}
	st := &conv3State{id: opID.Add(1), p: p, bias: b != nil, needInput: inputGrad}
	if b != nil {
		if b.Dims() != 1 || b.Shape()[0] != w.Shape()[4] {
			return nil, errors.Errorf("conv3d: bias shape %v, want [%d]", b.Shape(), w.Shape()[4])
		}
		return gorgonia.ApplyOp(&conv3Op{st}, x, w, b)
	}
	return gorgonia.ApplyOp(&conv3Op{st}, x, w)
}

type conv3State struct {
	id        int64
	p         Conv3DParams
	bias      bool
	needInput bool

	cols        any
	out, dx, dw *tensor.Dense
	db          *tensor.Dense
}

type conv3Op struct{ st *conv3State }

func (op *conv3Op) Arity() int {
	if op.st.bias {
		return 3
	}
	return 2
}

func (op *conv3Op) Type() hm.Type {
	if op.st.bias {
		return hm.NewFnType(tensorType(5), tensorType(5), tensorType(1), tensorType(5))
	}
	return hm.NewFnType(tensorType(5), tensorType(5), tensorType(5))
}

func (op *conv3Op) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes("conv3d", in)
	if err != nil {
		return nil, err
	}
	if len(s) < 2 {
		return nil, errors.New("conv3d: needs an input and a kernel")
	}
	g, err := newConv3Geom(op.st.p, s[0], s[1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g.n, g.out[0], g.out[1], g.out[2], g.f}, nil
}

func (op *conv3Op) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("conv3d: %d inputs, want %d", len(vals), op.Arity())
	}
	x, err := dense("conv3d input", vals[0])
	if err != nil {
		return nil, err
	}
	w, err := dense("conv3d kernel", vals[1])
	if err != nil {
		return nil, err
	}
	var b *tensor.Dense
	if op.st.bias {
		if b, err = dense("conv3d bias", vals[2]); err != nil {
			return nil, err
		}
	}
	g, err := newConv3Geom(op.st.p, x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	if x.Dtype() != w.Dtype() || (b != nil && b.Dtype() != x.Dtype()) {
		return nil, errors.New("conv3d: mixed dtypes")
	}
	st := op.st
	st.out = reuse(st.out, x.Dtype(), g.n, g.out[0], g.out[1], g.out[2], g.f)
	switch xd := x.Data().(type) {
	case []float32:
		var bd []float32
		if b != nil {
			bd = b.Data().([]float32)
		}
		st.cols = conv3Forward(g, xd, w.Data().([]float32), bd, st.out.Data().([]float32), st.cols)
	case []float64:
		var bd []float64
		if b != nil {
			bd = b.Data().([]float64)
		}
		st.cols = conv3Forward(g, xd, w.Data().([]float64), bd, st.out.Data().([]float64), st.cols)
	}
	return st.out, nil
}

func conv3Forward[T float](g conv3Geom, x, w, b, out []T, colsBuf any) any {
	var zero T
	k, rows := g.patch(), g.rows()
	chunk := g.chunk(int(sizeOf(zero)))
	cols := buffer[T](colsBuf, chunk*rows*k)
	for first := 0; first < g.n; first += chunk {
		count := min(chunk, g.n-first)
		o := out[first*rows*g.f : (first+count)*rows*g.f]
		beta := T(0)
		if b != nil {
			for r := 0; r < count*rows; r++ {
				copy(o[r*g.f:(r+1)*g.f], b)
			}
			beta = 1
		}
		for grp := 0; grp < g.groups; grp++ {
			im2col3(g, x, grp, first, count, cols, false)
			gemm(blas.NoTrans, blas.NoTrans, count*rows, g.fg, k, cols, k, w[grp*g.fg:], g.f, beta, o[grp*g.fg:], g.f)
		}
	}
	return cols
}

func conv3KernelGrad[T float](g conv3Geom, x, dy, dw []T, colsBuf any) any {
	var zero T
	k, rows := g.patch(), g.rows()
	chunk := g.chunk(int(sizeOf(zero)))
	cols := buffer[T](colsBuf, chunk*rows*k)
	for first := 0; first < g.n; first += chunk {
		count := min(chunk, g.n-first)
		beta := T(1)
		if first == 0 {
			beta = 0
		}
		for grp := 0; grp < g.groups; grp++ {
			im2col3(g, x, grp, first, count, cols, false)
			gemm(blas.Trans, blas.NoTrans, k, g.fg, count*rows, cols, k, dy[first*rows*g.f+grp*g.fg:], g.f, beta, dw[grp*g.fg:], g.f)
		}
	}
	return cols
}

func conv3InputGrad[T float](g conv3Geom, w, dy, dx []T, colsBuf any) any {
	var zero T
	k, rows := g.patch(), g.rows()
	chunk := g.chunk(int(sizeOf(zero)))
	cols := buffer[T](colsBuf, chunk*rows*k)
	clear(dx)
	for first := 0; first < g.n; first += chunk {
		count := min(chunk, g.n-first)
		for grp := 0; grp < g.groups; grp++ {
			gemm(blas.NoTrans, blas.Trans, count*rows, k, g.fg, dy[first*rows*g.f+grp*g.fg:], g.f, w[grp*g.fg:], g.f, 0, cols, k)
			im2col3(g, dx, grp, first, count, cols, true)
		}
	}
	return cols
}

func (op *conv3Op) ReturnsPtr() bool      { return false }
func (op *conv3Op) CallsExtern() bool     { return false }
func (op *conv3Op) OverwritesInput() int  { return -1 }
func (op *conv3Op) WriteHash(h hash.Hash) { writeHash(h, "conv3d", op.st.id) }
func (op *conv3Op) Hashcode() uint32      { return hashOf("conv3d", op.st.id) }
func (op *conv3Op) String() string {
	return fmt.Sprintf("Conv3D{s=%v d=%v}", op.st.p.Strides, op.st.p.Dilations)
}

func (op *conv3Op) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = i > 0 || op.st.needInput
	}
	return out
}

func (op *conv3Op) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != op.Arity() {
		return nil, errors.Errorf("conv3d gradient: %d inputs, want %d", len(inputs), op.Arity())
	}
	x, w := inputs[0], inputs[1]
	out := make(gorgonia.Nodes, len(inputs))
	var err error
	if op.st.needInput {
		if out[0], err = gorgonia.ApplyOp(&conv3GradOp{op.st, convTGradInput}, x, w, grad); err != nil {
			return nil, errors.Wrap(err, "conv3d input gradient")
		}
	}
	if out[1], err = gorgonia.ApplyOp(&conv3GradOp{op.st, convTGradKernel}, x, w, grad); err != nil {
		return nil, errors.Wrap(err, "conv3d kernel gradient")
	}
	if op.st.bias {
		if out[2], err = gorgonia.ApplyOp(&conv3GradOp{op.st, convTGradBias}, x, inputs[2], grad); err != nil {
			return nil, errors.Wrap(err, "conv3d bias gradient")
		}
	}
	return out, nil
}

// conv3GradOp is one of a 3-D convolution's gradients, from (x, w or b,
// dy); which is convTGradInput, convTGradKernel or convTGradBias.
type conv3GradOp struct {
	st    *conv3State
	which int
}

func (op *conv3GradOp) name() string {
	return [...]string{"conv3d_input_grad", "conv3d_kernel_grad", "conv3d_bias_grad"}[op.which]
}

func (op *conv3GradOp) Arity() int { return 3 }
func (op *conv3GradOp) Type() hm.Type {
	if op.which == convTGradBias {
		return hm.NewFnType(tensorType(5), tensorType(1), tensorType(5), tensorType(1))
	}
	return hm.NewFnType(tensorType(5), tensorType(5), tensorType(5), tensorType(5))
}

func (op *conv3GradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
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

func (op *conv3GradOp) ReturnsPtr() bool      { return false }
func (op *conv3GradOp) CallsExtern() bool     { return false }
func (op *conv3GradOp) OverwritesInput() int  { return -1 }
func (op *conv3GradOp) WriteHash(h hash.Hash) { writeHash(h, op.name(), op.st.id) }
func (op *conv3GradOp) Hashcode() uint32      { return hashOf(op.name(), op.st.id) }
func (op *conv3GradOp) String() string        { return op.name() }

func (op *conv3GradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	what := op.name()
	if len(vals) != 3 {
		return nil, errors.Errorf("%s: %d inputs, want 3", what, len(vals))
	}
	st := op.st
	if op.which == convTGradBias {
		db, err := biasGrad(what, vals[1], vals[2], 5, st.db)
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
	g, err := newConv3Geom(st.p, x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	if want := (tensor.Shape{g.n, g.out[0], g.out[1], g.out[2], g.f}); !dy.Shape().Eq(want) {
		return nil, errors.Errorf("%s: output gradient %v, want %v", what, dy.Shape(), want)
	}
	if op.which == convTGradInput {
		st.dx = reuse(st.dx, x.Dtype(), x.Shape()...)
		switch wd := w.Data().(type) {
		case []float32:
			st.cols = conv3InputGrad(g, wd, dy.Data().([]float32), st.dx.Data().([]float32), st.cols)
		case []float64:
			st.cols = conv3InputGrad(g, wd, dy.Data().([]float64), st.dx.Data().([]float64), st.cols)
		}
		return st.dx, nil
	}
	st.dw = reuse(st.dw, w.Dtype(), w.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		st.cols = conv3KernelGrad(g, xd, dy.Data().([]float32), st.dw.Data().([]float32), st.cols)
	case []float64:
		st.cols = conv3KernelGrad(g, xd, dy.Data().([]float64), st.dw.Data().([]float64), st.cols)
	}
	return st.dw, nil
}

// BufferBytes is the size of the buffers the op and its gradients keep.
func (op *conv3Op) BufferBytes() int {
	st := op.st
	return denseBytes(st.out, st.dx, st.dw, st.db) + sliceBytes(st.cols)
}

// Release drops them.
func (op *conv3Op) Release() {
	st := op.st
	st.out, st.dx, st.dw, st.db, st.cols = nil, nil, nil, nil, nil
}

var (
	_ gorgonia.SDOp = (*conv3Op)(nil)
	_ gorgonia.Op   = (*conv3GradOp)(nil)
	_ Buffered      = (*conv3Op)(nil)
)
