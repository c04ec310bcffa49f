package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Padding2D is the number of zero rows added above (Top) and below (Bottom)
// an image and of zero columns added to its left (Left) and right (Right).
type Padding2D struct {
	Top, Bottom, Left, Right int
}

func (p Padding2D) valid() bool {
	return p.Top >= 0 && p.Bottom >= 0 && p.Left >= 0 && p.Right >= 0
}

// Pad2D surrounds each image of x, [batch, h, w, c] (channels last), with
// zeros: [batch, Top+h+Bottom, Left+w+Right, c]. Its gradient is Crop2D.
func Pad2D(x *gorgonia.Node, p Padding2D) (*gorgonia.Node, error) {
	return applyPad2D(x, p, false)
}

// Crop2D removes p's rows and columns from the border of each image of x,
// [batch, h, w, c]: [batch, h-Top-Bottom, w-Left-Right, c]. It undoes
// Pad2D, and is its gradient; its own gradient is Pad2D.
func Crop2D(x *gorgonia.Node, p Padding2D) (*gorgonia.Node, error) {
	return applyPad2D(x, p, true)
}

func applyPad2D(x *gorgonia.Node, p Padding2D, crop bool) (*gorgonia.Node, error) {
	op := &pad2DOp{id: layoutOpID.Add(1), p: p, crop: crop}
	if x == nil {
		return nil, errors.Errorf("%s: nil input", op.name())
	}
	if !p.valid() {
		return nil, errors.Errorf("%s: negative padding %+v", op.name(), p)
	}
	if _, err := op.outShape(x.Shape()); err != nil {
		return nil, err
	}
	return gorgonia.ApplyOp(op, x)
}

// pad2DOp pads (or, with crop, crops) images; it owns its output buffer.
type pad2DOp struct {
	id   uint64
	p    Padding2D
	crop bool
	out  *tensor.Dense
}

func (op *pad2DOp) name() string {
	if op.crop {
		return "crop2d"
	}
	return "pad2d"
}

// outShape is the output shape for input shape s.
func (op *pad2DOp) outShape(s tensor.Shape) (tensor.Shape, error) {
	if len(s) != 4 {
		return nil, errors.Errorf("%s: input must be [batch, height, width, channels], got shape %v", op.name(), s)
	}
	dh, dw := op.p.Top+op.p.Bottom, op.p.Left+op.p.Right
	if op.crop {
		dh, dw = -dh, -dw
	}
	out := tensor.Shape{s[0], s[1] + dh, s[2] + dw, s[3]}
	if out[1] <= 0 || out[2] <= 0 {
		return nil, errors.Errorf("%s: cannot crop %+v from images of %dx%d", op.name(), op.p, s[1], s[2])
	}
	return out, nil
}

func (op *pad2DOp) Arity() int    { return 1 }
func (op *pad2DOp) Type() hm.Type { return hm.NewFnType(layoutType(4), layoutType(4)) }

func (op *pad2DOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := layoutShape(op.name(), 4, in)
	if err != nil {
		return nil, err
	}
	return op.outShape(s)
}

func (op *pad2DOp) Do(vals ...gorgonia.Value) (gorgonia.Value, error) {
	x, err := layoutInput(op.name(), 4, vals)
	if err != nil {
		return nil, err
	}
	os, err := op.outShape(x.Shape())
	if err != nil {
		return nil, err
	}
	op.out = layoutBuffer(op.out, x.Dtype(), os...)
	// The small image is [n, h, w, c]; the large one [n, h+top+bottom, ...].
	small, large := x.Shape(), os
	if op.crop {
		small, large = os, x.Shape()
	}
	g := padGeom{n: small[0], h: small[1], w: small[2], c: small[3], lh: large[1], lw: large[2], top: op.p.Top, left: op.p.Left}
	switch xd := x.Data().(type) {
	case []float32:
		padCopy(g, xd, op.out.Data().([]float32), op.crop)
	case []float64:
		padCopy(g, xd, op.out.Data().([]float64), op.crop)
	}
	return op.out, nil
}

func (op *pad2DOp) ReturnsPtr() bool     { return false }
func (op *pad2DOp) CallsExtern() bool    { return false }
func (op *pad2DOp) OverwritesInput() int { return -1 }
func (op *pad2DOp) WriteHash(h hash.Hash) {
	layoutWriteHash(h, op.name(), op.id, op.p.Top, op.p.Bottom, op.p.Left, op.p.Right)
}
func (op *pad2DOp) Hashcode() uint32 {
	return layoutHash(op.name(), op.id, op.p.Top, op.p.Bottom, op.p.Left, op.p.Right)
}
func (op *pad2DOp) String() string {
	return fmt.Sprintf("%s{%d,%d,%d,%d}", op.name(), op.p.Top, op.p.Bottom, op.p.Left, op.p.Right)
}

func (op *pad2DOp) DiffWRT(n int) []bool { return allTrue(n) }

func (op *pad2DOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s gradient: %d inputs, want 1", op.name(), len(inputs))
	}
	d, err := applyPad2D(grad, op.p, !op.crop)
	if err != nil {
		return nil, errors.Wrapf(err, "%s gradient", op.name())
	}
	return gorgonia.Nodes{d}, nil
}

// padGeom is a batch of n small images h x w x c and their large
// counterparts lh x lw x c, the small one at (top, left) in the large one.
type padGeom struct {
	n, h, w, c int
	lh, lw     int
	top, left  int
}

// padCopy writes the small images of src into the middle of zeros (pad) or
// the middle of the large images of src into dst (crop).
func padCopy[T layoutFloat](g padGeom, src, dst []T, crop bool) {
	if !crop {
		clear(dst)
	}
	row := g.w * g.c
	for b := 0; b < g.n; b++ {
		for i := 0; i < g.h; i++ {
			s := (b*g.h + i) * row
			l := ((b*g.lh+i+g.top)*g.lw + g.left) * g.c
			if crop {
				copy(dst[s:s+row], src[l:l+row])
			} else {
				copy(dst[l:l+row], src[s:s+row])
			}
		}
	}
}
