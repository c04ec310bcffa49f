package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/profundo/profundo/internal/parallel"
)

// poolOpID numbers pooling ops, so that each has a hash of its own: Gorgonia
// merges nodes whose op and children hash alike, and two pooling nodes on
// the same input must stay two nodes, since each owns its buffers. It is
// only ever incremented; nothing reads it but the constructors.
var poolOpID atomic.Uint64

// poolFloat is the element type of the pooling kernels.
type poolFloat interface{ float32 | float64 }

// SamePoolPadding returns the padding (top, bottom, left, right) of Keras's
// padding "same" for a pool x pool window moved by strides over an h x w
// image: along each axis total = max((ceil(n/s)-1)*s + k - n, 0), split with
// the smaller half first, so the output is ceil(h/s) x ceil(w/s).
func SamePoolPadding(h, w int, pool, strides [2]int) [4]int {
	top, bottom := samePad(h, pool[0], strides[0])
	left, right := samePad(w, pool[1], strides[1])
	return [4]int{top, bottom, left, right}
}

func samePad(n, k, s int) (before, after int) {
	if n <= 0 || k <= 0 || s <= 0 {
		return 0, 0
	}
	out := (n + s - 1) / s
	total := (out-1)*s + k - n
	if total < 0 {
		total = 0
	}
	return total / 2, total - total/2
}

// poolGeom is the geometry of one 2-D pooling: input [n, h, w, c], a kh x kw
// window moved by (sh, sw) over the input padded by (top, bottom, left,
// right), output [n, oh, ow, c].
type poolGeom struct {
	n, h, w, c               int
	kh, kw, sh, sw           int
	top, bottom, left, right int
	oh, ow                   int
}

func newPoolGeom(x tensor.Shape, pool, strides [2]int, pads [4]int) (poolGeom, error) {
	if len(x) != 4 {
		return poolGeom{}, errors.Errorf("input must be [batch, height, width, channels], got shape %v", x)
	}
	for _, d := range x {
		if d <= 0 {
			return poolGeom{}, errors.Errorf("input shape %v has a dimension <= 0", x)
		}
	}
	if pool[0] <= 0 || pool[1] <= 0 {
		return poolGeom{}, errors.Errorf("pool must be > 0, got %v", pool)
	}
	if strides[0] <= 0 || strides[1] <= 0 {
		return poolGeom{}, errors.Errorf("strides must be > 0, got %v", strides)
	}
	for _, p := range pads {
		if p < 0 {
			return poolGeom{}, errors.Errorf("padding must be >= 0, got %v", pads)
		}
	}
	// A pad smaller than the window leaves an input cell in every window.
	if pads[0] >= pool[0] || pads[1] >= pool[0] || pads[2] >= pool[1] || pads[3] >= pool[1] {
		return poolGeom{}, errors.Errorf("padding %v must be smaller than the pool %v", pads, pool)
	}
	g := poolGeom{
		n: x[0], h: x[1], w: x[2], c: x[3],
		kh: pool[0], kw: pool[1], sh: strides[0], sw: strides[1],
		top: pads[0], bottom: pads[1], left: pads[2], right: pads[3],
	}
	if g.h+g.top+g.bottom < g.kh || g.w+g.left+g.right < g.kw {
		return poolGeom{}, errors.Errorf("pool %v is larger than the padded input (%d, %d)", pool, g.h+g.top+g.bottom, g.w+g.left+g.right)
	}
	if g.h*g.w*g.c > math.MaxInt32 {
		return poolGeom{}, errors.Errorf("a sample of shape %v holds more than %d values", x[1:], math.MaxInt32)
	}
	g.oh = (g.h+g.top+g.bottom-g.kh)/g.sh + 1
	g.ow = (g.w+g.left+g.right-g.kw)/g.sw + 1
	return g, nil
}

func (g *poolGeom) inSample() int  { return g.h * g.w * g.c }
func (g *poolGeom) outSample() int { return g.oh * g.ow * g.c }

// rows is the range of input rows under output row oh, padding left out.
func (g *poolGeom) rows(oh int) (int, int) {
	h0 := oh*g.sh - g.top
	return max(h0, 0), min(h0+g.kh, g.h)
}

// cols is the range of input columns under output column ow.
func (g *poolGeom) cols(ow int) (int, int) {
	w0 := ow*g.sw - g.left
	return max(w0, 0), min(w0+g.kw, g.w)
}

// poolKernel computes samples [lo, hi) of a pooling pass from a into b.
type poolKernel[F poolFloat] func(g *poolGeom, a, b []F, arg []int32, lo, hi int)

// poolSplit runs k over the batch, split into one contiguous range of
// samples per goroutine when the work is large. Samples are independent, so
// the results do not depend on the split.
func poolSplit[F poolFloat](g *poolGeom, k poolKernel[F], a, b []F, arg []int32) {
	parallel.For(g.n, g.n*(g.inSample()+g.outSample()), func(lo, hi int) { k(g, a, b, arg, lo, hi) })
}

// poolBuf is a tensor an op owns and returns from every run. Gorgonia may
// change the header it was given: a Reshape downstream reshapes it in place
// (reshapeOp.UnsafeDo), and UnbindAll hands it to tensor's pool, which wipes
// it. get checks the header and restores it; the values are never freed.
type poolBuf struct {
	t   *tensor.Dense
	f32 []float32
	f64 []float64
}

// get returns the buffer as a tensor of dtype dt and the given shape,
// allocating only when the size or the dtype changes.
func (b *poolBuf) get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	n := shape.TotalSize()
	if dt == tensor.Float32 && len(b.f32) != n {
		b.f32, b.f64, b.t = make([]float32, n), nil, nil
	}
	if dt != tensor.Float32 && len(b.f64) != n {
		b.f32, b.f64, b.t = nil, make([]float64, n), nil
	}
	if b.t == nil || !b.intact(dt) {
		b.t = b.header(dt, shape)
	} else if !b.t.Shape().Eq(shape) {
		if err := b.t.Reshape(shape...); err != nil {
			b.t = b.header(dt, shape)
		}
	}
	return b.t
}

// header is a new tensor header over b's values.
func (b *poolBuf) header(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if dt == tensor.Float32 {
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(b.f32))
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(b.f64))
}

// intact reports whether b.t is still a plain header over b's values.
func (b *poolBuf) intact(dt tensor.Dtype) bool {
	if b.t.Dtype() != dt || b.t.IsMaterializable() {
		return false
	}
	// Float32s and Float64s, unlike Data, do not allocate.
	if dt == tensor.Float32 {
		d := b.t.Float32s()
		return len(d) == len(b.f32) && len(d) > 0 && &d[0] == &b.f32[0]
	}
	d := b.t.Float64s()
	return len(d) == len(b.f64) && len(d) > 0 && &d[0] == &b.f64[0]
}

// poolInput returns v as a contiguous float tensor of size values.
func poolInput(what string, v gorgonia.Value, size int) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("%s: expected a dense tensor, got %T", what, v)
	}
	if dt := d.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("%s: dtype must be float32 or float64, got %v", what, dt)
	}
	if d.Shape().TotalSize() != size {
		return nil, errors.Errorf("%s: got shape %v, want %d values", what, d.Shape(), size)
	}
	if d.RequiresIterator() || d.DataSize() != size {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("%s: cannot make the tensor contiguous", what)
		}
		d = m
	}
	return d, nil
}

// poolCore is what the pooling ops and their gradients share.
type poolCore struct {
	id       uint64
	name     string // "maxpool2d" or "avgpool2d"
	g        poolGeom
	in, out  tensor.Shape
	pool     [2]int
	strides  [2]int
	pads     [4]int
	ran      tensor.Dtype // dtype of the last forward run; zero before it
	gradName string
}

func newPoolCore(name string, x *gorgonia.Node, pool, strides [2]int, pads [4]int) (*poolCore, error) {
	if x == nil {
		return nil, errors.Errorf("%s: input node is nil", name)
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("%s: dtype must be float32 or float64, got %v", name, dt)
	}
	g, err := newPoolGeom(x.Shape(), pool, strides, pads)
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	return &poolCore{
		id: poolOpID.Add(1), name: name, g: g,
		in:   tensor.Shape{g.n, g.h, g.w, g.c},
		out:  tensor.Shape{g.n, g.oh, g.ow, g.c},
		pool: pool, strides: strides, pads: pads,
		gradName: name + " gradient",
	}, nil
}

func (c *poolCore) String() string {
	return fmt.Sprintf("%s{pool %v, strides %v, pads %v}", c.name, c.pool, c.strides, c.pads)
}

func poolType() hm.Type {
	t := gorgonia.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}

func (c *poolCore) writeHash(h hash.Hash, suffix string) {
	fmt.Fprintf(h, "profundo.%s%s#%d", c.name, suffix, c.id)
}

func (c *poolCore) hashcode(suffix string) uint32 {
	h := fnv.New32a()
	c.writeHash(h, suffix)
	return h.Sum32()
}

// inferShape checks the one input's shape against want and returns ret.
func (c *poolCore) inferShape(what string, in []gorgonia.DimSizer, want, ret tensor.Shape) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", what, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || !s.Eq(want) {
		return nil, errors.Errorf("%s: input shape %v, want %v", what, in[0], want)
	}
	return ret.Clone(), nil
}

// poolFwd is the forward pass of a pooling op: one input, x [n, h, w, c].
type poolFwd struct{ *poolCore }

func (op poolFwd) Arity() int            { return 1 }
func (op poolFwd) Type() hm.Type         { return poolType() }
func (op poolFwd) ReturnsPtr() bool      { return false }
func (op poolFwd) CallsExtern() bool     { return false }
func (op poolFwd) OverwritesInput() int  { return -1 }
func (op poolFwd) WriteHash(h hash.Hash) { op.writeHash(h, "") }
func (op poolFwd) Hashcode() uint32      { return op.hashcode("") }
func (op poolFwd) DiffWRT(n int) []bool  { return []bool{true} }

func (op poolFwd) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return op.inferShape(op.name, in, op.in, op.out)
}

// input checks the forward input.
func (op poolFwd) input(vals []gorgonia.Value) (*tensor.Dense, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.name, len(vals))
	}
	return poolInput(op.name, vals[0], op.in.TotalSize())
}

// poolGrad is the backward pass of a pooling op: one input, the gradient of
// the output, [n, oh, ow, c]; it returns the gradient of x, [n, h, w, c].
type poolGrad struct{ *poolCore }

func (op poolGrad) Arity() int            { return 1 }
func (op poolGrad) Type() hm.Type         { return poolType() }
func (op poolGrad) ReturnsPtr() bool      { return false }
func (op poolGrad) CallsExtern() bool     { return false }
func (op poolGrad) OverwritesInput() int  { return -1 }
func (op poolGrad) WriteHash(h hash.Hash) { op.writeHash(h, ".grad") }
func (op poolGrad) Hashcode() uint32      { return op.hashcode(".grad") }
func (op poolGrad) String() string        { return op.poolCore.String() + "'" }

func (op poolGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return op.inferShape(op.gradName, in, op.out, op.in)
}

// input checks the output gradient.
func (op poolGrad) input(vals []gorgonia.Value) (*tensor.Dense, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.gradName, len(vals))
	}
	dy, err := poolInput(op.gradName, vals[0], op.out.TotalSize())
	if err != nil {
		return nil, err
	}
	if op.ran == (tensor.Dtype{}) {
		return nil, errors.Errorf("%s: runs before its forward pass", op.gradName)
	}
	if dy.Dtype() != op.ran {
		return nil, errors.Errorf("%s: gradient is %v, the forward pass ran in %v", op.gradName, dy.Dtype(), op.ran)
	}
	return dy, nil
}

// MaxPool2D is the maximum of each pool[0] x pool[1] window of x, [batch,
// height, width, channels], moved by strides over x padded by pads (top,
// bottom, left, right): [batch, oh, ow, channels] with oh = (height + top +
// bottom - pool[0]) / strides[0] + 1, and ow alike. Padding cells never win
// (they count as -Inf), so each pad must be smaller than the window; use
// SamePoolPadding for Keras's padding "same". Ties go to the first cell in
// scan order (row by row, then column by column), which alone receives the
// gradient. A NaN in a window makes its output NaN; the gradient then goes
// to the largest cell scanned before the NaN, or to the NaN if it is first.
//
// The forward op records the winning cell of every output in an int32
// buffer it owns; its gradient is a second op that scatters the output's
// gradient through those indices. Both reuse their buffers from run to run,
// so a node's value is only valid until the graph runs again, and a graph
// holding them must not be run by two machines at once.
func MaxPool2D(x *gorgonia.Node, pool, strides [2]int, pads [4]int) (*gorgonia.Node, error) {
	c, err := newPoolCore("maxpool2d", x, pool, strides, pads)
	if err != nil {
		return nil, err
	}
	out, err := gorgonia.ApplyOp(&maxPoolOp{poolFwd: poolFwd{c}}, x)
	return out, errors.Wrap(err, "maxpool2d")
}

// AvgPool2D is the mean of each window of x, as MaxPool2D places them,
// over the window's input cells only: padding cells are not counted, as
// Keras's AveragePooling2D does with padding "same". The gradient spreads
// each output's gradient evenly over those cells.
func AvgPool2D(x *gorgonia.Node, pool, strides [2]int, pads [4]int) (*gorgonia.Node, error) {
	c, err := newPoolCore("avgpool2d", x, pool, strides, pads)
	if err != nil {
		return nil, err
	}
	out, err := gorgonia.ApplyOp(&avgPoolOp{poolFwd: poolFwd{c}}, x)
	return out, errors.Wrap(err, "avgpool2d")
}

// maxPoolOp is MaxPool2D's forward op.
type maxPoolOp struct {
	poolFwd
	y   poolBuf
	arg []int32 // the winner of each output: its index in its input sample
}

func (op *maxPoolOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	y := op.y.get(x.Dtype(), op.out)
	if n := op.out.TotalSize(); len(op.arg) != n {
		op.arg = make([]int32, n)
	}
	if x.Dtype() == tensor.Float32 {
		poolSplit(&op.g, maxPoolForward[float32], x.Float32s(), op.y.f32, op.arg)
	} else {
		poolSplit(&op.g, maxPoolForward[float64], x.Float64s(), op.y.f64, op.arg)
	}
	op.ran = x.Dtype()
	return y, nil
}

func (op *maxPoolOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.gradName, len(inputs))
	}
	dx, err := gorgonia.ApplyOp(&maxPoolGradOp{poolGrad: poolGrad{op.poolCore}, fwd: op}, grad)
	if err != nil {
		return nil, errors.Wrap(err, op.gradName)
	}
	return gorgonia.Nodes{dx}, nil
}

// maxPoolGradOp is MaxPool2D's backward op.
type maxPoolGradOp struct {
	poolGrad
	fwd *maxPoolOp
	dx  poolBuf
}

func (op *maxPoolGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	dy, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	dx := op.dx.get(dy.Dtype(), op.in)
	if dy.Dtype() == tensor.Float32 {
		poolSplit(&op.g, maxPoolBackward[float32], dy.Float32s(), op.dx.f32, op.fwd.arg)
	} else {
		poolSplit(&op.g, maxPoolBackward[float64], dy.Float64s(), op.dx.f64, op.fwd.arg)
	}
	return dx, nil
}

// avgPoolOp is AvgPool2D's forward op.
type avgPoolOp struct {
	poolFwd
	y poolBuf
}

func (op *avgPoolOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	y := op.y.get(x.Dtype(), op.out)
	if x.Dtype() == tensor.Float32 {
		poolSplit(&op.g, avgPoolForward[float32], x.Float32s(), op.y.f32, nil)
	} else {
		poolSplit(&op.g, avgPoolForward[float64], x.Float64s(), op.y.f64, nil)
	}
	op.ran = x.Dtype()
	return y, nil
}

func (op *avgPoolOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s: %d inputs, want 1", op.gradName, len(inputs))
	}
	dx, err := gorgonia.ApplyOp(&avgPoolGradOp{poolGrad: poolGrad{op.poolCore}}, grad)
	if err != nil {
		return nil, errors.Wrap(err, op.gradName)
	}
	return gorgonia.Nodes{dx}, nil
}

// avgPoolGradOp is AvgPool2D's backward op.
type avgPoolGradOp struct {
	poolGrad
	dx poolBuf
}

func (op *avgPoolGradOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	dy, err := op.input(vals)
	if err != nil {
		return nil, err
	}
	dx := op.dx.get(dy.Dtype(), op.in)
	if dy.Dtype() == tensor.Float32 {
		poolSplit(&op.g, avgPoolBackward[float32], dy.Float32s(), op.dx.f32, nil)
	} else {
		poolSplit(&op.g, avgPoolBackward[float64], dy.Float64s(), op.dx.f64, nil)
	}
	return dx, nil
}

var (
	_ gorgonia.SDOp = (*maxPoolOp)(nil)
	_ gorgonia.SDOp = (*avgPoolOp)(nil)
	_ gorgonia.Op   = (*maxPoolGradOp)(nil)
	_ gorgonia.Op   = (*avgPoolGradOp)(nil)
)

// maxPoolForward writes the maxima of samples [lo, hi) of x into y and
// their indices within the sample into arg. Channels are innermost, so each
// window cell is one contiguous run of c values.
func maxPoolForward[F poolFloat](g *poolGeom, x, y []F, arg []int32, lo, hi int) {
	c, in, out := g.c, g.inSample(), g.outSample()
	for n := lo; n < hi; n++ {
		xs := x[n*in : (n+1)*in]
		o := n * out
		for oh := 0; oh < g.oh; oh++ {
			h0, h1 := g.rows(oh)
			for ow := 0; ow < g.ow; ow++ {
				w0, w1 := g.cols(ow)
				ys := y[o : o+c : o+c]
				as := arg[o : o+c : o+c]
				first := (h0*g.w + w0) * c
				copy(ys, xs[first:first+c])
				for i := range as {
					as[i] = int32(first + i)
				}
				for ih := h0; ih < h1; ih++ {
					for iw := w0; iw < w1; iw++ {
						p := (ih*g.w + iw) * c
						if p == first {
							continue
						}
						xc := xs[p : p+c : p+c]
						xc = xc[:len(ys)]
						as = as[:len(ys)]
						for i, v := range xc {
							m, a := ys[i], as[i]
							if v > m {
								a = int32(p + i)
							}
							as[i] = a
							ys[i] = max(m, v)
						}
					}
				}
				o += c
			}
		}
	}
}

// maxPoolBackward zeroes samples [lo, hi) of dx and adds each output
// gradient of dy to the input cell that won.
func maxPoolBackward[F poolFloat](g *poolGeom, dy, dx []F, arg []int32, lo, hi int) {
	in, out := g.inSample(), g.outSample()
	for n := lo; n < hi; n++ {
		d := dx[n*in : (n+1)*in]
		clear(d)
		gy := dy[n*out : (n+1)*out]
		as := arg[n*out : (n+1)*out]
		as = as[:len(gy)]
		for i, v := range gy {
			d[as[i]] += v
		}
	}
}

// avgPoolForward writes the means of samples [lo, hi) of x into y, each
// over the window's input cells.
func avgPoolForward[F poolFloat](g *poolGeom, x, y []F, _ []int32, lo, hi int) {
	c, in, out := g.c, g.inSample(), g.outSample()
	for n := lo; n < hi; n++ {
		xs := x[n*in : (n+1)*in]
		o := n * out
		for oh := 0; oh < g.oh; oh++ {
			h0, h1 := g.rows(oh)
			for ow := 0; ow < g.ow; ow++ {
				w0, w1 := g.cols(ow)
				ys := y[o : o+c : o+c]
				clear(ys)
				for ih := h0; ih < h1; ih++ {
					for iw := w0; iw < w1; iw++ {
						p := (ih*g.w + iw) * c
						xc := xs[p : p+c : p+c]
						xc = xc[:len(ys)]
						for i, v := range xc {
							ys[i] += v
						}
					}
				}
				count := F((h1 - h0) * (w1 - w0))
				for i := range ys {
					ys[i] /= count
				}
				o += c
			}
		}
	}
}

// avgPoolBackward zeroes samples [lo, hi) of dx and spreads each output
// gradient of dy evenly over its window's input cells.
func avgPoolBackward[F poolFloat](g *poolGeom, dy, dx []F, _ []int32, lo, hi int) {
	c, in, out := g.c, g.inSample(), g.outSample()
	for n := lo; n < hi; n++ {
		d := dx[n*in : (n+1)*in]
		clear(d)
		o := n * out
		for oh := 0; oh < g.oh; oh++ {
			h0, h1 := g.rows(oh)
			for ow := 0; ow < g.ow; ow++ {
				w0, w1 := g.cols(ow)
				gy := dy[o : o+c : o+c]
				inv := 1 / F((h1-h0)*(w1-w0))
				for ih := h0; ih < h1; ih++ {
					for iw := w0; iw < w1; iw++ {
						p := (ih*g.w + iw) * c
						dc := d[p : p+c : p+c]
						dc = dc[:len(gy)]
						for i, v := range gy {
							dc[i] += v * inv
						}
					}
				}
				o += c
			}
		}
	}
}
