package ops

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Buffered is an op that keeps its output and work buffers from run to
// run, so that a graph run over and over allocates nothing. Release drops
// them (the next run allocates them again); BufferBytes is their size.
type Buffered interface {
	BufferBytes() int
	Release()
}

// GraphBuffers lists the ops of g that keep buffers, and their total size
// in bytes.
func GraphBuffers(g *gorgonia.ExprGraph) (ops []Buffered, bytes int) {
	for _, n := range g.AllNodes() {
		if b, ok := n.Op().(Buffered); ok {
			ops = append(ops, b)
			bytes += b.BufferBytes()
		}
	}
	return ops, bytes
}

func denseBytes(ts ...*tensor.Dense) int {
	n := 0
	for _, t := range ts {
		if t != nil {
			n += t.DataSize() * int(t.Dtype().Size())
		}
	}
	return n
}

func sliceBytes(bufs ...any) int {
	n := 0
	for _, b := range bufs {
		switch s := b.(type) {
		case []float32:
			n += 4 * cap(s)
		case []float64:
			n += 8 * cap(s)
		case []int32:
			n += 4 * cap(s)
		}
	}
	return n
}

func (b *poolBuf) bytes() int { return sliceBytes(b.f32, b.f64) }
func (b *poolBuf) release()   { *b = poolBuf{} }

// The convolution's state holds the buffers of its forward op and of its
// three gradient ops; the forward op answers for all of them.

func (op *convOp) BufferBytes() int {
	st := op.st
	return denseBytes(st.out, st.dx, st.dw, st.db) + sliceBytes(st.cols, st.dcols)
}

func (op *convOp) Release() {
	st := op.st
	st.out, st.dx, st.dw, st.db = nil, nil, nil, nil
	st.cols, st.dcols, st.colsWhole = nil, nil, false
}

func (op *reluOp) BufferBytes() int     { return denseBytes(op.out) }
func (op *reluOp) Release()             { op.out = nil }
func (op *reluGradOp) BufferBytes() int { return denseBytes(op.out) }
func (op *reluGradOp) Release()         { op.out = nil }

func (op *maxPoolOp) BufferBytes() int     { return op.y.bytes() + sliceBytes(op.arg) }
func (op *maxPoolOp) Release()             { op.y.release(); op.arg = nil }
func (op *maxPoolGradOp) BufferBytes() int { return op.dx.bytes() }
func (op *maxPoolGradOp) Release()         { op.dx.release() }
func (op *avgPoolOp) BufferBytes() int     { return op.y.bytes() }
func (op *avgPoolOp) Release()             { op.y.release() }
func (op *avgPoolGradOp) BufferBytes() int { return op.dx.bytes() }
func (op *avgPoolGradOp) Release()         { op.dx.release() }

func (op *copyReshapeOp) BufferBytes() int { return denseBytes(op.out) }
func (op *copyReshapeOp) Release()         { op.out = nil }

var (
	_ Buffered = (*convOp)(nil)
	_ Buffered = (*reluOp)(nil)
	_ Buffered = (*maxPoolOp)(nil)
	_ Buffered = (*copyReshapeOp)(nil)
)
